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

# --- gpu_baseline.py --model: the whole decoder, CPU smoke run --------------------------------------
check "gpu_baseline.py --model gpt2 runs on CPU" \
    "$py" "$repo/scripts/gpu_baseline.py" --model gpt2 --device cpu --tokens 3 --batch 2 --prefill 5 \
    --runs 1 --warmup 0 --out "$tmp/model_row.json"
check "whole-model row: GPT-2 small's shape and 124,439,808 parameters, labelled CPU, steps timed" \
    "$py" - "$tmp/model_row.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
s = r["setup"]
assert r["device"].startswith("CPU: ") and r["device_kind"].startswith("cpu"), r["device"]
assert r["energy_per_token_pj"] is None and r["energy_null_reason"], "CPU energy must be null"
assert (s["model"], s["layers"], s["heads"], s["head_dim"], s["d_model"]) == ("gpt2", 12, 12, 64, 768), s
assert (s["mlp_ratio"], s["vocab"], s["context"], s["prefill_positions"]) == (4, 50257, 1024, 5), s
assert s["parameters"] == 124439808, s["parameters"]  # GPT-2 small, LM head tied to the embedding
assert (s["batch"], s["generated_tokens"], s["timed_runs"]) == (2, 3, 1), s
assert abs(r["latency_per_step_ns"] - 2 * r["latency_per_token_ns"]) < 1e-6 * r["latency_per_step_ns"]
steps = r["measurement"]["step_ns"]
assert steps["steps"] == 3 and 0 < steps["min"] <= steps["median"] <= steps["max"], steps
# The timed steps make up the run: their sum is its time, less the clock reads around them.
assert 0.5 * r["measurement"]["run_s"][0] < steps["mean"] * 3 / 1e9 <= r["measurement"]["run_s"][0], steps
EOF
check "--model: KV-cache decode = a full causal forward pass over the tokens fed (tiny shape)" \
    "$py" - "$repo/scripts" <<'EOF'
import math, sys, types
sys.path.insert(0, sys.argv[1])
import torch
import gpu_baseline as gb
F = torch.nn.functional
gb.GPT2_MODELS["tiny"] = (3, 2)  # 3 layers x 2 heads: d_model 128
a = types.SimpleNamespace(model="tiny", batch=2, prefill=0, tokens=7)
with torch.no_grad():
    step, _, shape, w = gb.make_model_decoder(torch, a, torch.device("cpu"), torch.float64)
    fed, decoded = [w["first_tokens"]], []
    for t in range(a.tokens):
        decoded.append(step(t))
        fed.append(decoded[-1].argmax(-1))  # greedy: the next input
    tokens = torch.stack(fed[:-1], dim=1)  # (batch, tokens)
    d, H, D = shape["d_model"], shape["heads"], shape["head_dim"]
    B, n = tokens.shape
    x = w["wte"][tokens] + w["wpe"][:n]
    causal = torch.ones(n, n, dtype=torch.bool).tril()
    for layer in w["layers"]:
        h = F.layer_norm(x, (d,), *layer["ln_1"]) @ layer["qkv"][0] + layer["qkv"][1]
        q, k, v = h.view(B, n, 3, H, D).permute(2, 0, 3, 1, 4)  # each (B, H, n, D)
        scores = (q @ k.transpose(-1, -2) / math.sqrt(D)).masked_fill(~causal, float("-inf"))
        x = x + (torch.softmax(scores, -1) @ v).transpose(1, 2).reshape(B, n, d) @ layer["out_proj"][0] \
            + layer["out_proj"][1]
        h = F.gelu(F.layer_norm(x, (d,), *layer["ln_2"]) @ layer["mlp_fc"][0] + layer["mlp_fc"][1])
        x = x + h @ layer["mlp_proj"][0] + layer["mlp_proj"][1]
    reference = F.layer_norm(x, (d,), *w["ln_f"]) @ w["wte"].t()  # (B, n, vocab)
    for t in range(n):
        error = (decoded[t] - reference[:, t]).abs().max().item()
        assert error < 1e-9, f"step {t}: max |decoded - reference| = {error}"
    assert len({tuple(r.tolist()) for r in tokens}) == 2, "the two sequences should differ"
EOF

"$py" "$repo/scripts/gpu_baseline.py" --model gpt2 --device cpu --tokens 2 --append "$tmp/gpu.json" 2>"$tmp/err"
check "--model on the CPU refuses --append (a smoke test, never a baseline row)" test $? -eq 2
check "... saying why" grep -q "a CPU row is a smoke test, never a baseline row" "$tmp/err"
"$py" "$repo/scripts/gpu_baseline.py" --model gpt2 --device cpu --prefill 1000 --tokens 64 2>"$tmp/err"
check "--model: --prefill + --tokens beyond the context of 1024 exits 2" test $? -eq 2
check "... naming the limit" grep -q "1064 positions; allowed: <= 1024" "$tmp/err"
"$py" "$repo/scripts/gpu_baseline.py" --model gpt2 --device cpu --heads 4 2>"$tmp/err"
check "--model with --heads exits 2" test $? -eq 2
check "... naming it" grep -q -- "--heads: not with --model" "$tmp/err"

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
