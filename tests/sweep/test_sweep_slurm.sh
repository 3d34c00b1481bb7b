#!/bin/bash
# Tests scripts/sweep --backend slurm on a REAL single-node Slurm cluster that this script starts
# (Debian's slurm-wlm + munge, all state under a temporary folder, private ports) and stops again.
# If Slurm cannot be started the test FAILS with the reason; it is never skipped.
# Usage: bash tests/sweep/test_sweep_slurm.sh <build_dir>
#   <build_dir>: the CMake build folder (its bin/ holds the platforms) or a folder below it.
# Needs root (slurmd runs the jobs as the submitting user; munged and the daemons run as root) and
# the packages slurmctld slurmd slurm-client munge (scripts/setup --all installs them).
# Set KEEP_SLURM_TMP=1 to keep the temporary folder (logs, slurm.conf) after the test.
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)
py=/usr/bin/python3
base=${1:-$repo/build}
bin=""
for d in "$base/bin" "$base/../bin" "$base/../../bin"; do
    [ -x "$d/attention_head" ] && { bin=$(cd "$d" && pwd); break; }
done
[ -n "$bin" ] || { echo "FAIL: no attention_head in $base/bin (or above): build first"; exit 1; }
passed=0 failed=0
ok()   { echo "ok: $1"; passed=$((passed + 1)); }
fail() { echo "FAIL: $1"; failed=$((failed + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }
now() { date +%s.%N; }
since() { printf '%.2f' "$(echo "$(now) - $1" | bc)"; }

# Slurm cannot start: say why, show the daemons' logs, fail (the EXIT trap still cleans up).
die() {
    echo "FAIL: Slurm could not be started: $1"
    for f in "${tmp:-/nonexistent}"/log/*; do
        [ -s "$f" ] && { echo "--- $f (last lines)"; tail -n 15 "$f"; }
    done
    exit 1
}

for cmd in munged mungekey slurmctld slurmd sbatch squeue sinfo scancel; do
    command -v "$cmd" >/dev/null || {
        echo "FAIL: '$cmd' not found: install the Slurm test dependencies:" \
             "apt-get install -y --no-install-recommends slurmctld slurmd slurm-client munge" \
             "(or scripts/setup --all)"
        exit 1
    }
done
[ "$(id -u)" -eq 0 ] || { echo "FAIL: the Slurm test must run as root (munged, slurmd)"; exit 1; }

mkdir -p "$base" || { echo "FAIL: cannot create $base"; exit 1; }
tmp=$(mktemp -d "$base/test_sweep_slurm.XXXXXX") || exit 1
# munged refuses a socket whose folders are not world-executable; mktemp -d gives 0700.
chmod 755 "$tmp"
d=$tmp
while [ "$d" != / ]; do
    if [ "$(( $(stat -c '0%a' "$d") & 0111 ))" -ne $((0111)) ]; then
        echo "FAIL: $d (on the munge socket's path) is not world-executable (mode $(stat -c %a "$d"))"
        exit 1
    fi
    d=$(dirname "$d")
done
mkdir -p "$tmp/munge" "$tmp/state" "$tmp/spool" "$tmp/log" "$tmp/run" "$tmp/sweeps"
chmod 755 "$tmp/munge"
munge_pid="" ctld_pid="" slurmd_pid=""

teardown() {
    local t=$(now)
    if [ -n "$ctld_pid" ] && kill -0 "$ctld_pid" 2>/dev/null; then
        # Running job steps survive slurmd: cancel every job and wait until none remain first.
        scancel --quiet --user="$(id -un)" 2>/dev/null
        for _ in $(seq 100); do
            [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break
            sleep 0.1
        done
    fi
    local name pid
    for name in slurmd ctld munge; do
        case $name in slurmd) pid=$slurmd_pid ;; ctld) pid=$ctld_pid ;; munge) pid=$munge_pid ;; esac
        [ -n "$pid" ] || continue
        kill "$pid" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && { echo "warning: $name (pid $pid) ignored SIGTERM; SIGKILL"; kill -9 "$pid"; }
        wait "$pid" 2>/dev/null
    done
    echo "slurm teardown: $(since "$t") s"
    if [ "${KEEP_SLURM_TMP:-0}" = 1 ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap teardown EXIT
trap 'exit 143' TERM   # ctest's timeout: still tear down
trap 'exit 130' INT

# --- start munge, slurmctld, slurmd -----------------------------------------------------------------
t_start=$(now)
mungekey -c -k "$tmp/munge/munge.key" >"$tmp/log/mungekey.out" 2>&1 || die "mungekey -c failed: $(cat "$tmp/log/mungekey.out")"
chmod 600 "$tmp/munge/munge.key"
sock=$tmp/munge/munge.socket
munged -F --socket="$sock" --key-file="$tmp/munge/munge.key" --log-file="$tmp/log/munged.log" \
    --pid-file="$tmp/run/munged.pid" --seed-file="$tmp/munge/munged.seed" --origin=127.0.0.1 \
    >"$tmp/log/munged.out" 2>&1 &
munge_pid=$!
for _ in $(seq 50); do [ -S "$sock" ] && break; kill -0 "$munge_pid" 2>/dev/null || break; sleep 0.1; done
[ -S "$sock" ] || die "munged did not create its socket $sock"

# Two free private ports (several test clusters may run at once).
read -r ctld_port slurmd_port < <("$py" -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s:
    x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
[ -n "$slurmd_port" ] || die "no free TCP ports on 127.0.0.1"

# The node as slurmd sees it; memory a little under what it reports.
node_line=$(slurmd -C 2>"$tmp/log/slurmd-C.err" | head -1)
node_hw=$(echo "$node_line" | tr ' ' '\n' | grep -E '^(CPUs|Boards|SocketsPerBoard|CoresPerSocket|ThreadsPerCore)=' | tr '\n' ' ')
mem=$(echo "$node_line" | tr ' ' '\n' | sed -n 's/^RealMemory=//p')
[ -n "$node_hw" ] && [ -n "$mem" ] || die "slurmd -C printed no node description: $node_line $(cat "$tmp/log/slurmd-C.err")"
mem=$((mem * 9 / 10))

cat > "$tmp/slurm.conf" <<EOF
ClusterName=gcasimtest
SlurmctldHost=localhost
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool/slurmd-%n
SlurmctldPidFile=$tmp/run/slurmctld.pid
SlurmdPidFile=$tmp/run/slurmd-%n.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
NodeName=node1 NodeAddr=127.0.0.1 ${node_hw}RealMemory=$mem State=UNKNOWN
PartitionName=test Nodes=node1 Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$tmp/slurm.conf

slurmctld -D >"$tmp/log/slurmctld.out" 2>&1 &
ctld_pid=$!
slurmd -D -N node1 >"$tmp/log/slurmd.out" 2>&1 &
slurmd_pid=$!
state=""
for _ in $(seq 300); do   # up to 30 s
    state=$(sinfo -h -N -n node1 -o %t 2>/dev/null)
    [ "$state" = idle ] && break
    kill -0 "$ctld_pid" 2>/dev/null || die "slurmctld exited"
    kill -0 "$slurmd_pid" 2>/dev/null || die "slurmd exited"
    sleep 0.1
done
[ "$state" = idle ] || die "node1 not idle after 30 s (sinfo state: '${state:-none}')"
t_up=$(since "$t_start")
echo "slurm start: $t_up s (node1 idle; ports $ctld_port/$slurmd_port; $node_hw)"
ok "single-node Slurm started ($t_up s)"

sweep=("$repo/scripts/sweep" --bin-dir "$bin")

# --- the small sweep through Slurm ---------------------------------------------------------------------
t=$(now)
"${sweep[@]}" --spec "$repo/sweeps/test_small.json" --backend slurm --out "$tmp/sweeps/slurm" --timeout 60 \
    --poll 0.2 > "$tmp/slurm_sweep.log" 2>&1
rc=$?
t_run=$(since "$t")
cat "$tmp/slurm_sweep.log"
echo "slurm sweep: $t_run s"
check "slurm sweep exits 0 ($t_run s)" test "$rc" -eq 0
check "one job array of 4 tasks was submitted" "$py" - "$tmp/sweeps/slurm/slurm/job.json" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["array"] == "0-3" and j["job_id"].isdigit(), j
assert any(a == "--array=0-3" for a in j["command"]), j
EOF
check "every point ran as a Slurm task (run.json has the job id)" "$py" - "$tmp/sweeps/slurm" <<'EOF'
import json, os, sys
for i in range(4):
    r = json.load(open(os.path.join(sys.argv[1], "points", f"{i:04d}", "run.json")))
    assert r["slurm_job"] and r["exit_code"] == 0, r
EOF
check "results.csv: 4 rows, columns, values equal each point's summary.json, PNG" \
    "$py" "$repo/tests/sweep/check_results.py" "$tmp/sweeps/slurm" --rows 4 --varied window,array.tokens

# Same points on the local backend: the same energies, latencies, everything but the wall times.
"${sweep[@]}" --spec "$repo/sweeps/test_small.json" --backend local --out "$tmp/sweeps/local" --jobs 2 \
    > "$tmp/local_sweep.log" 2>&1
check "local sweep of the same spec exits 0" test $? -eq 0
check "Slurm results equal the local backend's" \
    "$py" "$repo/tests/sweep/check_results.py" "$tmp/sweeps/slurm" --rows 4 --varied window,array.tokens \
    --compare "$tmp/sweeps/local"

# --- a failing task: recorded, its stderr shown, exit 1 ---------------------------------------------
cat > "$tmp/failing.json" <<'EOF'
{"platform": "attention_head", "tokens": 40, "set": {"output.attention_matrices": false},
 "list": [{"window": 32}, {"window": 0}]}
EOF
t=$(now)
"${sweep[@]}" --spec "$tmp/failing.json" --backend slurm --out "$tmp/sweeps/failing" --timeout 60 --poll 0.2 \
    > "$tmp/failing.log" 2>&1
rc=$?
echo "slurm sweep with a failing point: $(since "$t") s"
check "slurm sweep with a failing point exits 1 (got $rc)" test "$rc" -eq 1
check "its stderr names the failing point and shows the platform's error" \
    grep -q "point 0001 (window=0).*exit code 2" "$tmp/failing.log"
check "... and the platform's message" grep -q "config key 'window': value 0 is out of range" "$tmp/failing.log"
check "failed point recorded as status=failed, exit code 2; the other ok" "$py" - "$tmp/sweeps/failing/results.csv" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert [(r["window"], r["status"], r["exit_code"]) for r in rows] == [("32", "ok", "0"), ("0", "failed", "2")], rows
EOF

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
