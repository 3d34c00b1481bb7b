#!/bin/bash
# A local sweep survives faults (issue 11, part 3), on sweeps/test_small.json (4 points):
#  - a point runner killed with SIGKILL mid-point, and the whole sweep stopped with SIGTERM mid-point:
#    the stopped point leaves nothing that looks done, its platform does not live on, and a rerun into
#    the same folder runs only the missing or failed points and gives the results.csv of an
#    uninterrupted sweep (timing columns aside);
#  - a rerun runs exactly the points whose outputs are incomplete or whose config changed (spec, config
#    file, binary), and none for another --jobs;
#  - --retry runs a point that failed once again; a point refused as bad input (exit 2) is not retried.
# The points hang or fail on demand through a wrapper of attention_head (tests/sweep/lib.sh).
# Usage: bash tests/sweep/test_sweep_faults_local.sh <build_dir>
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)
. "$repo/tests/sweep/lib.sh"
test_folder test_sweep_faults_local "${1:-$repo/build}"
trap 'rm -rf "$tmp"' EXIT
fb=$tmp/bin
make_fault_bin "$fb" "$bin"
cp "$repo/platforms/configs/attention_head.json" "$tmp/config.json"
spec=$tmp/spec.json
"$py" - "$repo/sweeps/test_small.json" "$spec" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
s["config"] = "config.json"   # a copy the test edits, next to the spec
json.dump(s, open(sys.argv[2], "w"))
EOF
sweep=("$repo/scripts/sweep" --bin-dir "$fb" --spec "$spec" --backend local)
same_as_ref() {  # DIR: results.csv equals the uninterrupted sweep's, every row equals its summary.json
    "$py" "$repo/tests/sweep/check_results.py" "$1" --rows 4 --varied window,array.tokens --compare "$tmp/ref"
}

# --- the uninterrupted sweep ------------------------------------------------------------------------
"${sweep[@]}" --out "$tmp/ref" --jobs 2 > "$tmp/ref.log" 2>&1
check "uninterrupted sweep exits 0" test $? -eq 0
check "uninterrupted sweep: results.csv equals the points' summaries" \
    "$py" "$repo/tests/sweep/check_results.py" "$tmp/ref" --rows 4 --varied window,array.tokens
check "it says that all 4 points run" says "$tmp/ref.log" "sweep: 4 point(s): 0 reused (done, same config), 4 to run (4 missing)"

# --- a point runner killed with SIGKILL mid-point -------------------------------------------------------
start_hanging 0001 "$tmp/killed.log" "${sweep[@]}" --out "$tmp/killed" --jobs 2
if [ -n "$hung" ]; then
    runner=$(ppid_of "$hung")
    check "the hanging platform's parent is its point runner" grep -qa -- "--run-point" "/proc/$runner/cmdline"
    kill -KILL "$runner"
fi
wait "$bg_pid"
rc=$?
check "sweep with a killed point runner exits 1 (got $rc)" test "$rc" -eq 1
sleep 0.5
check "the killed runner's platform died with it (prctl PDEATHSIG)" gone "${hung:-0}"
check "the killed point left no run.json (nothing that looks done)" test ! -e "$tmp/killed/points/0001/run.json"
check "results.csv: point 0001 failed, 'point runner killed by SIGKILL'; the others ok" \
    "$py" - "$tmp/killed/results.csv" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert [r["status"] for r in rows] == ["ok", "failed", "ok", "ok"], rows
assert "point runner killed by SIGKILL" in rows[1]["error"], rows[1]["error"]
EOF
"${sweep[@]}" --out "$tmp/killed" --jobs 2 > "$tmp/killed2.log" 2>&1
check "rerun exits 0" test $? -eq 0
check "rerun runs only the killed point" \
    says "$tmp/killed2.log" "sweep: 4 point(s): 3 reused (done, same config), 1 to run (1 missing)"
check "interrupted + rerun: results.csv equals the uninterrupted sweep's" same_as_ref "$tmp/killed"

# --- the whole sweep stopped with SIGTERM mid-point --------------------------------------------------
start_hanging 0002 "$tmp/term.log" "${sweep[@]}" --out "$tmp/term" --jobs 1
t0=$(clock_ms)
[ -n "$hung" ] && kill -TERM "$bg_pid"
wait "$bg_pid"
rc=$?
check "SIGTERM: the sweep exits 130 (got $rc) within 10 s ($(since "$t0") s)" \
    test "$rc" -eq 130 -a $(( $(clock_ms) - t0 )) -lt 10000
check "SIGTERM: the platform of the running point is gone" gone "${hung:-0}"
check "SIGTERM: nothing gathered (no results.csv)" test ! -e "$tmp/term/results.csv"
check "SIGTERM: points 0000-0001 done, 0002 recorded as terminated (not exit 0), 0003 not run" \
    "$py" - "$tmp/term/points" <<'EOF'
import json, os, sys
run = lambda p: json.load(open(os.path.join(sys.argv[1], p, "run.json")))
assert run("0000")["exit_code"] == 0 and run("0001")["exit_code"] == 0
r = run("0002")
assert r["exit_code"] != 0 and "terminated" in r["reason"], r
assert not os.path.exists(os.path.join(sys.argv[1], "0003")), os.listdir(sys.argv[1])
EOF
"${sweep[@]}" --out "$tmp/term" --jobs 2 > "$tmp/term2.log" 2>&1
check "rerun after SIGTERM exits 0" test $? -eq 0
check "rerun runs the stopped and the unstarted point" \
    says "$tmp/term2.log" "sweep: 4 point(s): 2 reused (done, same config), 2 to run (1 missing, 1 failed)"
check "SIGTERM + rerun: results.csv equals the uninterrupted sweep's" same_as_ref "$tmp/term"

# --- reruns run exactly the points that changed ----------------------------------------------------------
d=$tmp/killed   # complete and equal to ref
"${sweep[@]}" --out "$d" --jobs 1 > "$tmp/jobs1.log" 2>&1
check "another --jobs (sim.threads) reuses every point" \
    says "$tmp/jobs1.log" "sweep: 4 point(s): 4 reused (done, same config), 0 to run"
rm "$d/points/0000/energy.csv"
: > "$d/points/0002/output.json"
"${sweep[@]}" --out "$d" --jobs 2 > "$tmp/incomplete.log" 2>&1
check "a missing and a truncated output file: those 2 points rerun" \
    says "$tmp/incomplete.log" "sweep: 4 point(s): 2 reused (done, same config), 2 to run (2 incomplete)"
check "... and results.csv equals the uninterrupted sweep's" same_as_ref "$d"

cp "$d/points/0000/run.json" "$tmp/run0000.json"
cp "$d/points/0002/run.json" "$tmp/run0002.json"
sed -i 's/"array.tokens": \[16, 32\]/"array.tokens": [16, 24]/' "$spec"
"${sweep[@]}" --out "$d" --jobs 2 > "$tmp/spec.log" 2>&1
check "spec change array.tokens 32 -> 24: exactly points 0001 and 0003 rerun" \
    says "$tmp/spec.log" "sweep: 4 point(s): 2 reused (done, same config), 2 to run (2 stale)"
check "... points 0000 and 0002 untouched (run.json byte-identical)" \
    bash -c 'cmp -s "$1" "$2" && cmp -s "$3" "$4"' - "$tmp/run0000.json" "$d/points/0000/run.json" \
    "$tmp/run0002.json" "$d/points/0002/run.json"
check "... results.csv equals the points' summaries (array.tokens 16, 24)" \
    "$py" "$repo/tests/sweep/check_results.py" "$d" --rows 4 --varied window,array.tokens

"$py" - "$tmp/config.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
c.setdefault("digital", {})["scale_cycles"] = 2
json.dump(c, open(sys.argv[1], "w"), indent=2)
EOF
"${sweep[@]}" --out "$d" --jobs 2 > "$tmp/config.log" 2>&1
check "config file edited (digital.scale_cycles): every point reruns" \
    says "$tmp/config.log" "sweep: 4 point(s): 0 reused (done, same config), 4 to run (4 stale)"
echo "# rebuilt" >> "$fb/attention_head"
"${sweep[@]}" --out "$d" --jobs 2 > "$tmp/binary.log" 2>&1
check "platform binary changed: every point reruns" \
    says "$tmp/binary.log" "sweep: 4 point(s): 0 reused (done, same config), 4 to run (4 stale)"
check "... results.csv equals the points' summaries" \
    "$py" "$repo/tests/sweep/check_results.py" "$d" --rows 4 --varied window,array.tokens
cp "$repo/platforms/configs/attention_head.json" "$tmp/config.json"
sed -i 's/"array.tokens": \[16, 24\]/"array.tokens": [16, 32]/' "$spec"

# --- --retry ------------------------------------------------------------------------------------------
echo 0002 > "$fb/fail_once"
"${sweep[@]}" --out "$tmp/retry" --jobs 2 --retry 1 > "$tmp/retry.log" 2>&1
rc=$?
check "--retry 1 with a point that fails once: exit 0 (got $rc)" test "$rc" -eq 0
check "... the point did fail once" test -e "$fb/failed"
check "... the sweep says it retried it" says "$tmp/retry.log" "sweep: retry 1 of 1: 1 failed point(s)"
check "... results.csv equals the uninterrupted sweep's" same_as_ref "$tmp/retry"
rm -f "$fb/failed"

echo 0001 > "$fb/fail_once"
"${sweep[@]}" --out "$tmp/once" --jobs 2 > "$tmp/once.log" 2>&1
rc=$?
check "without --retry the point that fails once fails: exit 1 (got $rc)" test "$rc" -eq 1
check "... recorded as failed with exit code 1" "$py" - "$tmp/once/results.csv" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert [(r["status"], r["exit_code"]) for r in rows] == [("ok", "0"), ("failed", "1"), ("ok", "0"), ("ok", "0")], rows
EOF
"${sweep[@]}" --out "$tmp/once" --jobs 2 > "$tmp/once2.log" 2>&1
check "... a rerun runs only it and exits 0" test $? -eq 0
check "... (3 reused, 1 failed run again)" \
    says "$tmp/once2.log" "sweep: 4 point(s): 3 reused (done, same config), 1 to run (1 failed)"
check "... results.csv equals the uninterrupted sweep's" same_as_ref "$tmp/once"

cat > "$tmp/bad_point.json" <<'EOF'
{"platform": "attention_head", "tokens": 40, "set": {"output.attention_matrices": false},
 "list": [{"window": 32}, {"window": 0}]}
EOF
"$repo/scripts/sweep" --bin-dir "$fb" --spec "$tmp/bad_point.json" --backend local --out "$tmp/bad_point" \
    --retry 2 > "$tmp/bad_point.log" 2>&1
rc=$?
check "--retry 2 with a point refused as bad input: exit 1 (got $rc)" test "$rc" -eq 1
check "... that point (exit 2) is not retried" bash -c "! grep -q 'sweep: retry' '$tmp/bad_point.log'"

finish
