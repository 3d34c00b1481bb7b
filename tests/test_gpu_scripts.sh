#!/bin/bash
# Tests scripts/gpu_baseline.py (CPU path, tiny settings) and scripts/compare.
# Usage: bash tests/test_gpu_scripts.sh <build_dir>   (scratch files go under it)
# Needs Debian's python3-torch and python3-matplotlib for /usr/bin/python3;
# a missing torch is a FAILURE, not a skip.
set -u
repo=$(cd "$(dirname "$0")/.." && pwd)
py=/usr/bin/python3
base=${1:-${TMPDIR:-/tmp}}
mkdir -p "$base" || { echo "FAIL: cannot create $base"; exit 1; }
tmp=$(mktemp -d "$base/test_gpu_scripts.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
ok()   { echo "ok: $1"; passed=$((passed + 1)); }
fail() { echo "FAIL: $1"; failed=$((failed + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }

if ! "$py" -c 'import torch' 2>/dev/null; then
    echo "FAIL: python3-torch is not importable by $py;" \
         "install it: apt-get install -y --no-install-recommends python3-torch"
    exit 1
fi

# --- gpu_baseline.py on CPU: --out and --append in one run ------------------
cp "$repo/docs/baselines/gpu.json" "$tmp/gpu.json"
check "gpu_baseline.py runs on CPU" \
    "$py" "$repo/scripts/gpu_baseline.py" --device cpu --tokens 8 --batch 2 --runs 1 --warmup 0 \
    --out "$tmp/row.json" --append "$tmp/gpu.json"

# Schema of the new row, of every row in the appended file and in docs/baselines/gpu.json.
check "row schema, append kept the old rows" "$py" - "$tmp/row.json" "$tmp/gpu.json" \
    "$repo/docs/baselines/gpu.json" <<'EOF'
import datetime, json, sys
row = json.load(open(sys.argv[1]))
appended, orig = json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))

def check_row(r, where):
    for k, t in [("device", str), ("source", str), ("setup", dict), ("measured_by", str), ("date", str)]:
        assert isinstance(r.get(k), t), f"{where}: {k} missing or not {t.__name__}"
    assert isinstance(r["latency_per_token_ns"], (int, float)) and r["latency_per_token_ns"] > 0, where
    e = r["energy_per_token_pj"]
    assert e is None or (isinstance(e, (int, float)) and e > 0), f"{where}: energy"
    if e is None:
        assert isinstance(r.get("energy_null_reason"), str) and r["energy_null_reason"], where
    for k in ("kv_cache_tokens", "heads", "head_dim", "batch", "generated_tokens", "warmup_runs", "timed_runs"):
        assert isinstance(r["setup"].get(k), int), f"{where}: setup.{k}"
    for k in ("workload", "kernel", "power", "per_token"):
        assert isinstance(r["setup"].get(k), str), f"{where}: setup.{k}"

check_row(row, "new row")
s = row["setup"]
assert (s["batch"], s["generated_tokens"], s["timed_runs"], s["warmup_runs"]) == (2, 8, 1, 0), s
assert row["energy_per_token_pj"] is None, "CPU energy must be null"
assert abs(row["latency_per_step_ns"] - row["latency_per_token_ns"] * 2) < 1e-6 * row["latency_per_step_ns"]
datetime.date.fromisoformat(row["date"])
assert isinstance(orig, list) and len(orig) >= 2, "docs/baselines/gpu.json: at least the two authors' rows"
for i, r in enumerate(orig):
    check_row(r, f"gpu.json row {i}")
assert appended == orig + [row], "--append must add exactly the row, keeping the others"
EOF

# Bad arguments: non-zero exit, and no file written.
"$py" "$repo/scripts/gpu_baseline.py" --device cpu --tokens 0 --out "$tmp/bad.json" 2>"$tmp/err"
check "gpu_baseline.py rejects --tokens 0" test $? -ne 0 -a ! -e "$tmp/bad.json" -a -s "$tmp/err"

# --- compare ----------------------------------------------------------------
cat >"$tmp/summary.json" <<'EOF'
{"platform": "synthetic", "heads": 12, "latency_per_token_ns": 65,
 "energy_per_token_pj": {"full_window": {"total": 73800, "digital": 48000, "other": 25800},
                         "mean": {"total": 50000}}}
EOF
cat >"$tmp/base.json" <<'EOF'
[{"device": "GPU-A", "latency_per_token_ns": 22371.65, "energy_per_token_pj": 7178261876,
  "source": "test", "setup": {"heads": 12}, "measured_by": "paper authors", "date": "2024-09"},
 {"device": "GPU-B", "latency_per_token_ns": 650, "energy_per_token_pj": 369000,
  "source": "test", "setup": {}, "measured_by": "test", "date": "2024-09"},
 {"device": "CPU-C", "latency_per_token_ns": 130, "energy_per_token_pj": null,
  "energy_null_reason": "no meter", "source": "test", "setup": {}, "measured_by": "test", "date": "2024-09"}]
EOF
check "compare runs" "$repo/scripts/compare" --summary "$tmp/summary.json" \
    --baselines "$tmp/base.json" --out "$tmp/cmp" >/dev/null
md=$tmp/cmp/comparison.md
# Expected ratios computed here: baseline / gcasim; >= 100 with thousands separators.
ratio() { "$py" -c 'import sys; r = float(sys.argv[1]) / float(sys.argv[2])
print(f"{r:,.0f}×" if r >= 100 else f"{r:.2f}×")' "$1" "$2"; }
for pair in "22371.65 65" "7178261876 73800" "650 65" "369000 73800" "130 65"; do
    r=$(ratio "${pair% *}" "${pair#* }")
    check "table has ratio $r (${pair% *} / ${pair#* })" grep -q -- "| $r |" "$md"
done
check "RTX 4090 ratios as in the paper (344×, 97,266×)" grep -q "| 344× | 97,266× |" "$md"
check "row without energy shows n/a" grep -q "| CPU-C |.*| 2.00× | n/a |" "$md"
check "PNG exists and is a PNG" test "$(head -c 8 "$tmp/cmp/comparison.png" | od -An -tx1 | tr -d ' \n')" \
    = 89504e470d0a1a0a
check "compare works with docs/baselines/gpu.json" "$repo/scripts/compare" \
    --summary "$tmp/summary.json" --out "$tmp/cmp2" >/dev/null
check "docs baselines give 344× / 97,266× for the RTX 4090" grep -q "RTX 4090.*| 344× | 97,266× |" \
    "$tmp/cmp2/comparison.md"

# Missing file or key: exit 2.
"$repo/scripts/compare" --summary "$tmp/none.json" --baselines "$tmp/base.json" --out "$tmp/e" 2>/dev/null
check "compare: missing summary exits 2" test $? -eq 2
echo '{"platform": "x", "heads": 12, "latency_per_token_ns": 65, "energy_per_token_pj": {"mean": {"total": 1}}}' \
    >"$tmp/nokey.json"
"$repo/scripts/compare" --summary "$tmp/nokey.json" --baselines "$tmp/base.json" --out "$tmp/e" 2>"$tmp/err"
check "compare: missing key exits 2" test $? -eq 2
check "compare: the error names the key" grep -q "energy_per_token_pj.full_window.total" "$tmp/err"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
