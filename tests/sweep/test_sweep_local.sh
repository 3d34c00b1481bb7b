#!/bin/bash
# Tests scripts/sweep with the local backend on sweeps/test_small.json (4 points of attention_head),
# plus spec validation (exit 2 naming the key), bad --out paths (one line, exit 2), --dry-run, and a
# sweep with a failing point.
# Usage: bash tests/sweep/test_sweep_local.sh <build_dir>
#   <build_dir>: the CMake build folder (its bin/ holds the platforms) or a folder below it;
#   scratch files go under it.
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)
. "$repo/tests/sweep/lib.sh"
test_folder test_sweep_local "${1:-$repo/build}"
trap 'rm -rf "$tmp"' EXIT
sweep=("$repo/scripts/sweep" --bin-dir "$bin")

# --- the small sweep, local backend ------------------------------------------------------------
t0=$(clock_ms)
"${sweep[@]}" --spec "$repo/sweeps/test_small.json" --backend local --out "$tmp/local" --jobs 2 \
    > "$tmp/local.log" 2>&1
rc=$?
cat "$tmp/local.log"
check "local sweep exits 0 (took $(since "$t0") s)" test "$rc" -eq 0
check "results.csv: 4 rows, columns, values equal each point's summary.json, PNG" \
    "$py" "$repo/tests/sweep/check_results.py" "$tmp/local" --rows 4 --varied window,array.tokens
check "points.json written" "$py" -c "import json,sys; assert len(json.load(open(sys.argv[1]))['points']) == 4" \
    "$tmp/local/points.json"

# The energy differs between the points (the sweep really varied the parameters) and the point
# folders hold what the platform writes.
check "energies differ between points" "$py" - "$tmp/local/results.csv" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len({r["energy_total_pj"] for r in rows}) == 4, [r["energy_total_pj"] for r in rows]
assert [(r["window"], r["array.tokens"]) for r in rows] == [("32", "16"), ("32", "32"), ("64", "16"), ("64", "32")]
EOF
check "point folders hold energy.csv, stdout.txt, stderr.txt, run.json" \
    test -s "$tmp/local/points/0003/energy.csv" -a -f "$tmp/local/points/0003/stdout.txt" \
         -a -f "$tmp/local/points/0003/stderr.txt" -a -s "$tmp/local/points/0003/run.json"

# --- --jobs 1 gives the same results ---------------------------------------------------------------
"${sweep[@]}" --spec "$repo/sweeps/test_small.json" --backend local --out "$tmp/serial" --jobs 1 \
    > "$tmp/serial.log" 2>&1
check "--jobs 1 exits 0" test $? -eq 0
check "--jobs 1 gives the same results as --jobs 2" \
    "$py" "$repo/tests/sweep/check_results.py" "$tmp/serial" --rows 4 --varied window,array.tokens \
    --compare "$tmp/local"

# --- dry run ---------------------------------------------------------------------------------------
"${sweep[@]}" --spec "$repo/sweeps/test_small.json" --backend local --out "$tmp/dry" --dry-run \
    > "$tmp/dry.log" 2>&1
check "--dry-run exits 0" test $? -eq 0
check "--dry-run prints 4 commands with --set and --out" \
    test "$(grep -c -- "--set array.tokens=.* --tokens 96 --seed 7 --out $tmp/dry/points/000" "$tmp/dry.log")" -eq 4
check "--dry-run runs nothing" test ! -e "$tmp/dry"

# --- a Pareto chart (plot.kind pareto): the front is exactly the non-dominated points ---------------
"$py" - "$repo/sweeps/test_small.json" "$tmp/pareto.json" <<'EOF'
import json, sys
spec = json.load(open(sys.argv[1]))
spec["plot"] = {"kind": "pareto", "objectives": ["energy_total_pj", "latency_per_token_ns", "window"]}
json.dump(spec, open(sys.argv[2], "w"))
EOF
"${sweep[@]}" --spec "$tmp/pareto.json" --backend local --out "$tmp/pareto" --jobs 2 > "$tmp/pareto.log" 2>&1
check "a Pareto sweep exits 0" test $? -eq 0
check "results.csv marks exactly the non-dominated points, results.png drawn" "$py" - "$tmp/pareto" <<'EOF'
import csv, os, sys
rows = list(csv.DictReader(open(os.path.join(sys.argv[1], "results.csv"))))
objs = ["energy_total_pj", "latency_per_token_ns", "window"]
v = [[float(r[o]) for o in objs] for r in rows]
def dominated(a):
    return any(all(x <= y for x, y in zip(b, a)) and b != a for b in v)
assert [r["pareto"] for r in rows] == [str(not dominated(a)).lower() for a in v], [r["pareto"] for r in rows]
assert any(r["pareto"] == "true" for r in rows)
assert os.path.getsize(os.path.join(sys.argv[1], "results.png")) > 1000
EOF

# --- spec validation: exit 2 and the key named -----------------------------------------------------
expect_spec_error() {  # name, expected text, spec JSON
    local name=$1 text=$2
    printf '%s\n' "$3" > "$tmp/bad.json"
    "${sweep[@]}" --spec "$tmp/bad.json" --backend local --out "$tmp/bad" > "$tmp/bad.log" 2>&1
    local rc=$?
    if [ "$rc" -eq 2 ] && grep -qF -- "$text" "$tmp/bad.log" && [ ! -e "$tmp/bad/results.csv" ]; then
        ok "bad spec ($name): exit 2, says: $(head -1 "$tmp/bad.log")"
    else
        fail "bad spec ($name): wanted exit 2 and '$text', got exit $rc: $(cat "$tmp/bad.log")"
    fi
}
expect_spec_error "unknown top-level key" "spec key 'gird'" \
    '{"platform": "attention_head", "gird": {"window": [32]}}'
expect_spec_error "unknown parameter" "spec key 'grid.windw'" \
    '{"platform": "attention_head", "grid": {"windw": [32]}}'
expect_spec_error "empty value list" "spec key 'grid.window'" \
    '{"platform": "attention_head", "grid": {"window": []}}'
expect_spec_error "bad platform" "spec key 'platform'" \
    '{"platform": "attention_body", "grid": {"window": [32]}}'
expect_spec_error "grid and list" "exactly one of 'grid'" \
    '{"platform": "attention_head", "grid": {"window": [32]}, "list": [{"window": 32}]}'
expect_spec_error "bad tokens" "spec key 'tokens'" \
    '{"platform": "attention_head", "tokens": 0, "grid": {"window": [32]}}'
expect_spec_error "bad list entry" "spec key 'list[1].quant.kv_levls'" \
    '{"platform": "attention_head", "list": [{"window": 32}, {"quant.kv_levls": 4}]}'
expect_spec_error "missing config file" "spec key 'config'" \
    '{"platform": "attention_head", "config": "no/such.json", "grid": {"window": [32]}}'
expect_spec_error "bad plot kind" "spec key 'plot.kind'" \
    '{"platform": "attention_head", "grid": {"window": [32]}, "plot": {"kind": "bars"}}'
expect_spec_error "bad plot axis" "spec key 'plot.x'" \
    '{"platform": "attention_head", "grid": {"window": [32]}, "plot": {"x": "tokens"}}'
expect_spec_error "seeds with seed" "spec key 'seeds'" \
    '{"platform": "attention_head", "seed": 1, "seeds": [1, 2], "grid": {"window": [32]}}'
printf '{"platform": ' > "$tmp/bad.json"
"${sweep[@]}" --spec "$tmp/bad.json" --backend local --out "$tmp/bad" > "$tmp/bad.log" 2>&1
check "invalid JSON: exit 2" test $? -eq 2

# --- bad paths: one line on stderr naming the option and the path, exit 2, nothing written -----------
one_line_exit2() {  # what, expected text, arguments
    local what=$1 text=$2
    shift 2
    "${sweep[@]}" "$@" > "$tmp/p.stdout" 2> "$tmp/p.stderr"
    local rc=$?
    if [ "$rc" -eq 2 ] && [ ! -s "$tmp/p.stdout" ] && [ "$(wc -l < "$tmp/p.stderr")" -eq 1 ] &&
            grep -qF -- "$text" "$tmp/p.stderr"; then
        ok "$what: exit 2, one line: $(cat "$tmp/p.stderr")"
    else
        fail "$what: wanted exit 2 and one line with '$text', got exit $rc: $(cat "$tmp/p.stderr")"
    fi
}
expect_out_error() {  # name, expected text, --out value, [more arguments]
    local name=$1 text=$2 out=$3
    shift 3
    one_line_exit2 "--out $name" "sweep: error: --out $out: $text" \
        --spec "$repo/sweeps/test_small.json" --backend local --out "$out" "$@"
}
echo "not a folder" > "$tmp/file"
expect_out_error "an existing file" "exists and is not a folder" "$tmp/file"
expect_out_error "an existing file (--dry-run)" "exists and is not a folder" "$tmp/file" --dry-run
expect_out_error "a device" "exists and is not a folder" /dev/null
expect_out_error "below a file" "$tmp/file is not a folder" "$tmp/file/sweep"
expect_out_error "two levels below a file" "$tmp/file is not a folder" "$tmp/file/a/b"
if [ "$(id -u)" -eq 0 ]; then  # root writes into any folder; sysfs refuses a new folder even to root
    expect_out_error "not writable (sysfs)" "cannot write there" /sys/gcasim_sweep_test
else
    mkdir "$tmp/ro" && chmod 555 "$tmp/ro"
    expect_out_error "not writable (mode 555)" "$tmp/ro is not writable" "$tmp/ro/sweep"
fi
check "the file given as --out is unchanged" test "$(cat "$tmp/file")" = "not a folder"
one_line_exit2 "--retry -1" "sweep: error: --retry -1: must be >= 0" \
    --spec "$repo/sweeps/test_small.json" --backend local --out "$tmp/r" --retry -1
one_line_exit2 "--spec a folder" "cannot read spec $tmp" --spec "$tmp" --backend local --out "$tmp/r"
one_line_exit2 "--bin-dir a file" "$tmp/file/attention_head not found" --bin-dir "$tmp/file" \
    --spec "$repo/sweeps/test_small.json" --backend local --out "$tmp/r"

# --- a failing point is recorded and does not stop the others; exit 1 -------------------------------
# window=0 is outside the allowed range: the platform exits 2 for that point only.
cat > "$tmp/failing.json" <<'EOF'
{"platform": "attention_head", "tokens": 40, "seeds": [1, 2],
 "set": {"output.attention_matrices": false},
 "list": [{"window": 32}, {"window": 0}, {"window": 16}]}
EOF
"${sweep[@]}" --spec "$tmp/failing.json" --backend local --out "$tmp/failing" > "$tmp/failing.log" 2>&1
rc=$?
check "a sweep with a failing point exits 1 (got $rc)" test "$rc" -eq 1
check "the failing point's stderr is shown" grep -q "window" "$tmp/failing.log"
check "failed points recorded as status=failed with exit code 2, the others ok" "$py" - "$tmp/failing/results.csv" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 6, len(rows)
got = [(r["window"], r["seed"], r["status"], r["exit_code"]) for r in rows]
want = [("32", "1", "ok", "0"), ("32", "2", "ok", "0"), ("0", "1", "failed", "2"), ("0", "2", "failed", "2"),
        ("16", "1", "ok", "0"), ("16", "2", "ok", "0")]
assert got == want, got
assert all(r["error"] for r in rows if r["status"] == "failed")
assert all(r["energy_total_pj"] == "" for r in rows if r["status"] == "failed")
assert all(r["energy_total_pj"] for r in rows if r["status"] == "ok")
EOF
check "results.png written despite the failed points" test -s "$tmp/failing/results.png"

finish
