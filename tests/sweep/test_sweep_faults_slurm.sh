#!/bin/bash
# A Slurm sweep survives a cancelled task (issue 11, part 3), on a REAL single-node Slurm cluster
# (tests/sweep/slurm_cluster.sh), with sweeps/test_small.json (4 points, one array task each):
#  - point 0001 hangs until the test cancels its task (`scancel JOB_1`): the sweep exits 1 and records
#    the point as failed (Slurm CANCELLED) with nothing that looks done, its platform does not live on;
#    a rerun into the same folder submits an array of that one point and gives the results.csv of an
#    uninterrupted Slurm sweep (timing columns aside);
#  - SIGTERM to the sweep itself cancels its job array;
#  - --retry 1 with a point that fails once: a second array of that one point, the same results.
# If Slurm cannot be started the test FAILS with the reason; it is never skipped.
# Usage: bash tests/sweep/test_sweep_faults_slurm.sh <build_dir>
# Needs root and the packages slurmctld slurmd slurm-client munge (scripts/setup --all installs them).
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)
. "$repo/tests/sweep/lib.sh"
test_folder test_sweep_faults_slurm "${1:-$repo/build}"
chmod 755 "$tmp"   # mktemp -d gives 0700; munged refuses a socket below such a folder
teardown() { slurm_cluster_stop; rm -rf "$tmp"; }
trap teardown EXIT
trap 'echo "FAIL: terminated (ctest timeout?)"; slurm_cluster_report; exit 143' TERM   # still tear down
trap 'exit 130' INT

start_test_cluster
fb=$tmp/bin
make_fault_bin "$fb" "$bin"
sweep=("$repo/scripts/sweep" --bin-dir "$fb" --spec "$repo/sweeps/test_small.json" --backend slurm
       --timeout 120 --poll 0.2)
same_as_ref() {  # DIR: results.csv equals the uninterrupted sweep's, every row equals its summary.json
    "$py" "$repo/tests/sweep/check_results.py" "$1" --rows 4 --varied window,array.tokens --compare "$tmp/ref"
}
array_of() { "$py" -c 'import json, sys; print(json.load(open(sys.argv[1]))["array"])' "$1/slurm/job.json"; }

# --- the uninterrupted sweep ------------------------------------------------------------------------
"${sweep[@]}" --out "$tmp/ref" > "$tmp/ref.log" 2>&1
rc=$?
cat "$tmp/ref.log"
check "uninterrupted Slurm sweep exits 0 (got $rc)" test "$rc" -eq 0
check "... results.csv equals the points' summaries" \
    "$py" "$repo/tests/sweep/check_results.py" "$tmp/ref" --rows 4 --varied window,array.tokens
[ "$failed" -eq 0 ] || { echo "the other checks compare with this sweep: stopping here"; finish; exit 1; }

# --- scancel one array task mid-run -----------------------------------------------------------------
t=$(clock_ms)
start_hanging 0001 "$tmp/cancel.log" "${sweep[@]}" --out "$tmp/cancel"
if [ -n "$hung" ]; then
    job=$("$py" -c 'import json, sys; print(json.load(open(sys.argv[1]))["job_id"])' "$tmp/cancel/slurm/job.json")
    scancel "${job}_1"
    check "scancel ${job}_1 (the task of point 0001, hanging) exits 0" test $? -eq 0
fi
wait "$bg_pid"
rc=$?
cat "$tmp/cancel.log"
check "sweep with a cancelled task exits 1 (got $rc; $(since "$t") s)" test "$rc" -eq 1
sleep 0.5
check "the cancelled task's platform is gone" gone "${hung:-0}"
check "results.csv: point 0001 failed (Slurm: CANCELLED), its run.json not exit 0; the others ok" \
    "$py" - "$tmp/cancel" <<'EOF'
import csv, json, os, sys
rows = list(csv.DictReader(open(os.path.join(sys.argv[1], "results.csv"))))
assert [r["status"] for r in rows] == ["ok", "failed", "ok", "ok"], rows
assert "Slurm: CANCELLED" in rows[1]["error"], rows[1]["error"]
run = os.path.join(sys.argv[1], "points", "0001", "run.json")
assert not os.path.exists(run) or json.load(open(run))["exit_code"] != 0
EOF
"${sweep[@]}" --out "$tmp/cancel" > "$tmp/cancel2.log" 2>&1
rc=$?
cat "$tmp/cancel2.log"
check "rerun exits 0 (got $rc)" test "$rc" -eq 0
check "... runs only the cancelled point" \
    says "$tmp/cancel2.log" "sweep: 4 point(s): 3 reused (done, same config), 1 to run (1 failed)"
check "... as an array of that one task (--array=1)" test "$(array_of "$tmp/cancel")" = 1
check "cancelled + rerun: results.csv equals the uninterrupted sweep's" same_as_ref "$tmp/cancel"

# --- SIGTERM to the sweep itself cancels its job ---------------------------------------------------
start_hanging 0002 "$tmp/term.log" "${sweep[@]}" --out "$tmp/term"
[ -n "$hung" ] && kill -TERM "$bg_pid"
wait "$bg_pid"
rc=$?
check "SIGTERM to a Slurm sweep: exit 130 (got $rc)" test "$rc" -eq 130
job=$("$py" -c 'import json, sys; print(json.load(open(sys.argv[1]))["job_id"])' "$tmp/term/slurm/job.json")
for _ in $(seq 100); do [ -z "$(squeue -h -j "$job" -o %i 2>/dev/null)" ] && break; sleep 0.1; done
check "... its job array $job was cancelled (no task left in squeue within 10 s)" \
    test -z "$(squeue -h -j "$job" -o %i 2>/dev/null)"
check "... the hanging point's platform is gone" gone "${hung:-0}"

# --- --retry through Slurm ----------------------------------------------------------------------------
echo 0002 > "$fb/fail_once"
"${sweep[@]}" --out "$tmp/retry" --retry 1 > "$tmp/retry.log" 2>&1
rc=$?
cat "$tmp/retry.log"
check "--retry 1 with a point that fails once: exit 0 (got $rc)" test "$rc" -eq 0
check "... the point did fail once" test -e "$fb/failed"
check "... retried as a second array of that one task (--array=2)" \
    bash -c "grep -qxF 'sweep: retry 1 of 1: 1 failed point(s)' '$tmp/retry.log' && [ '$(array_of "$tmp/retry")' = 2 ]"
check "... results.csv equals the uninterrupted sweep's" same_as_ref "$tmp/retry"

finish
