#!/bin/bash
# Tests scripts/sweep --backend slurm on a REAL single-node Slurm cluster that this script starts
# (tests/sweep/slurm_cluster.sh: Debian's slurm-wlm + munge, all state under a temporary folder,
# private ports, no cgroups needed) and stops again.
# If Slurm cannot be started the test FAILS with the reason; it is never skipped.
# Usage: bash tests/sweep/test_sweep_slurm.sh <build_dir>
#   <build_dir>: the CMake build folder (its bin/ holds the platforms) or a folder below it.
# Needs root and the packages slurmctld slurmd slurm-client munge (scripts/setup --all installs them).
# Set KEEP_SLURM_TMP=1 to keep the temporary folder (logs, slurm.conf) after the test.
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)
. "$repo/tests/sweep/lib.sh"   # ok/fail/check/finish, test_folder, the Slurm test cluster
test_folder test_sweep_slurm "${1:-$repo/build}"
teardown() {
    slurm_cluster_stop
    if [ "${KEEP_SLURM_TMP:-0}" = 1 ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap teardown EXIT
trap 'echo "FAIL: terminated (ctest timeout?)"; slurm_cluster_report; exit 143' TERM   # still tear down
trap 'exit 130' INT

start_test_cluster
mkdir -p "$tmp/sweeps"

sweep=("$repo/scripts/sweep" --bin-dir "$bin")

# --- the small sweep through Slurm ---------------------------------------------------------------------
t=$(clock_ms)
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
t=$(clock_ms)
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

finish
