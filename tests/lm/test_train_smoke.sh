#!/usr/bin/env bash
# Smoke test of platforms/gpt_model/train_lm.py (seconds): the three attention variants on the tiny --smoke
# model (softmax from scratch -> linear fine-tune -> scaler fit + nonlinear fine-tune), export,
# reload and evaluation, the documented export layout and checksum (--add-checksum), determinism
# and the validation text.
#   tests/lm/test_train_smoke.sh BUILD_DIR      (scratch space: BUILD_DIR/lm_smoke)
# Needs Debian's python3-torch and the fortunes corpus (packages fortunes, fortunes-min).
set -euo pipefail
build=${1:?usage: test_train_smoke.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
py=/usr/bin/python3
train="$py $root/platforms/gpt_model/train_lm.py"
work="$build/lm_smoke"
fail() { echo "test_train_smoke: FAIL: $*" >&2; exit 1; }

"$py" -c 'import torch' 2>/dev/null ||
  fail "PyTorch is missing for $py: install the Debian package python3-torch (scripts/setup --all)"
for f in cookie fortunes riddles; do
  [ -f "/usr/share/games/fortunes/$f" ] ||
    fail "fortunes corpus missing (/usr/share/games/fortunes/$f): install the Debian packages fortunes fortunes-min"
done

rm -rf "$work"
mkdir -p "$work"
cd "$work"

run() {  # name, then train_lm.py arguments; the log stays in $work/name.log
  local name=$1
  shift
  echo "== $name: train_lm.py $*"
  if ! $train --smoke "$@" >"$name.log" 2>&1; then
    cat "$name.log" >&2
    fail "$name: train_lm.py exited with an error"
  fi
  tail -n 3 "$name.log"
}

run softmax --attention softmax --save softmax.pt --export softmax --summary softmax.json
run linear --attention linear --init softmax.pt --save linear.pt --export linear --summary linear.json
run nonlinear --attention nonlinear --init linear.pt --fit-scalers --save nonlinear.pt --export nonlinear \
  --summary nonlinear.json
grep -q '^fit layer 0:' nonlinear.log || fail "nonlinear: no scaler fit reported"
run softmax_again --attention softmax --summary softmax_again.json
for v in softmax linear nonlinear; do
  run "eval_$v" --eval-only --init "$v" --tokens 1024 --summary "eval_$v.json"
  run "eval_pt_$v" --eval-only --init "$v.pt" --tokens 1024 --summary "eval_pt_$v.json"
done
run write_val --write-val val.txt

# The checksum: an export without it gets it back from --add-checksum (same model.json byte for
# byte); a changed model.bin is refused by --add-checksum and by --init.
for d in nocheck corrupt; do rm -rf "$d"; cp -r nonlinear "$d"; done
"$py" - <<'EOF2'
import json
for d in ("nocheck", "corrupt"):
    h = json.load(open(f"{d}/model.json"))
    del h["binary"]["sha256"]
    with open(f"{d}/model.json", "w") as f:
        json.dump(h, f, indent=1)
        f.write("\n")
at = next(t["offset"] for t in h["tensors"] if t["name"] == "ln_f.weight") + 1  # a high byte: used at every step
with open("corrupt/model.bin", "r+b") as f:
    f.seek(at)
    b = f.read(1)
    f.seek(at)
    f.write(bytes([b[0] ^ 0x04]))  # 1.0 becomes 0.5: finite, plausible, wrong
EOF2
run add_checksum --add-checksum nocheck
cmp -s nocheck/model.json nonlinear/model.json || fail "--add-checksum: model.json differs from the export's"
if $train --add-checksum corrupt >corrupt.log 2>&1; then fail "--add-checksum accepted a changed model.bin"; fi
grep -q "not the weights it was measured on" corrupt.log || fail "--add-checksum: $(cat corrupt.log)"
cp nonlinear/model.json corrupt/model.json
if $train --eval-only --init corrupt --tokens 64 >corrupt_init.log 2>&1; then fail "--init accepted a changed model.bin"; fi
grep -q "does not match binary.sha256" corrupt_init.log || fail "--init: $(cat corrupt_init.log)"

"$py" - "$work" <<'EOF'
import hashlib, json, math, os, sys
work = sys.argv[1]
os.chdir(work)
errors = []
def check(cond, msg):
    if not cond:
        errors.append(msg)

def summary(name):
    with open(name + ".json") as f:
        return json.load(f)

# Loss decreases: from scratch (train loss), and over each fine-tune (val on the same characters).
s = summary("softmax")
first = s["history"]["train"][0][1]
last = sum(l for _, l in s["history"]["train"][-5:]) / 5
check(first > math.log(113) - 0.3, f"softmax: first train loss {first:.3f} is not near ln(vocab)")
check(last < first - 0.5, f"softmax: train loss did not decrease ({first:.3f} -> {last:.3f})")
check(s["val_at_end"] < first - 0.5, f"softmax: val {s['val_at_end']:.3f} vs initial train loss {first:.3f}")
for v in ("linear", "nonlinear"):
    d = summary(v)
    check(d["val_at_end"] < d["val_at_start"],
          f"{v}: fine-tuning did not lower the val loss ({d['val_at_start']:.4f} -> {d['val_at_end']:.4f})")
check("val_after_fit" in summary("nonlinear"), "nonlinear: no val loss after the scaler fit")
# Determinism: the same seed gives the same model.
check(summary("softmax_again")["val_loss"] == s["val_loss"],
      f"softmax: not deterministic ({s['val_loss']} vs {summary('softmax_again')['val_loss']})")

# Export layout (platforms/gpt_model/README.md).
expected_names = ["tok_emb", "pos_emb"]
for l in range(1):
    expected_names += [f"layers.{l}.{n}" for n in (
        "ln1.weight", "ln1.bias", "attn.qkv.weight", "attn.qkv.bias", "attn.proj.weight", "attn.proj.bias",
        "ln2.weight", "ln2.bias", "mlp.fc.weight", "mlp.fc.bias", "mlp.proj.weight", "mlp.proj.bias")]
expected_names += ["ln_f.weight", "ln_f.bias", "head.weight"]
val_text = open("val.txt", encoding="utf-8", newline="").read()
for v in ("softmax", "linear", "nonlinear"):
    jpath, bpath = os.path.join(v, "model.json"), os.path.join(v, "model.bin")
    check(os.path.isfile(jpath) and os.path.isfile(bpath), f"{v}: export files missing")
    if not os.path.isfile(jpath):
        continue
    h = json.load(open(jpath))
    c = h["config"]
    check(h["format"] == "gcasim-charlm" and h["format_version"] == 1, f"{v}: format")
    check(c["attention"] == v, f"{v}: config.attention {c['attention']}")
    check((c["layers"], c["d_model"], c["heads"], c["head_dim"], c["context"]) == (1, 32, 2, 16, 32),
          f"{v}: smoke config {c}")
    check(c["vocab_size"] == len(h["vocab"]) + 1 == h["unk_index"] + 1, f"{v}: vocabulary size")
    check(all(isinstance(ch, str) and len(ch) == 1 for ch in h["vocab"]), f"{v}: vocab entries are not characters")
    b = h["binary"]
    item = {"float16": 2, "float32": 4}[b["dtype"]]
    check(b["byte_order"] == "little" and b["file"] == "model.bin", f"{v}: binary fields")
    names = [t["name"] for t in h["tensors"]]
    check(names == expected_names, f"{v}: tensor order {names}")
    offset = 0
    shapes = {}
    for t in h["tensors"]:
        n = math.prod(t["shape"])
        check(t["offset"] == offset and t["bytes"] == n * item, f"{v}: {t['name']} offset/size")
        offset += n * item
        shapes[t["name"]] = t["shape"]
    check(offset == b["total_bytes"] == os.path.getsize(bpath), f"{v}: total bytes {offset} vs file")
    check(b["sha256"] == hashlib.sha256(open(bpath, "rb").read()).hexdigest(), f"{v}: binary.sha256")
    D, V, T = c["d_model"], c["vocab_size"], c["context"]
    inner = c["heads"] * c["head_dim"]
    check(shapes["tok_emb"] == [V, D] and shapes["pos_emb"] == [T, D] and shapes["head.weight"] == [V, D],
          f"{v}: embedding shapes")
    check(shapes["layers.0.attn.qkv.weight"] == [3 * inner, D] and shapes["layers.0.mlp.fc.weight"] == [c["mlp_hidden"], D],
          f"{v}: layer shapes")
    if v == "softmax":
        check(h["hardware"] is None and h["scalers"] is None, "softmax: hardware/scalers should be null")
    else:
        hw = h["hardware"]
        for key in ("q_levels", "kv_levels", "out_levels", "offset", "linear_coefficient", "cubic_a", "cell_c",
                    "decay_per_step", "s_sat", "readout_scale", "subtile"):
            check(key in hw, f"{v}: hardware.{key} missing")
        check(c["window"] == 16 and hw["subtile"] == 8, f"{v}: window/subtile")
        check(len(h["scalers"]) == c["layers"] and all(len(x) == c["heads"] for x in h["scalers"]),
              f"{v}: scalers shape")
        check(all(set(s) == {"q", "k", "v", "out"} and all(len(s[n]) == 2 for n in s)
                  for x in h["scalers"] for s in x), f"{v}: scaler entries")
    ref = h["reference_eval"]
    check(len(ref["first_chunk_position_losses"]) == T, f"{v}: reference first chunk")
    # --eval-only on the export reproduces the export's own reference numbers ...
    e = summary("eval_" + v)
    check(abs(e["val_loss"] - ref["losses"]["1024"]) < 1e-5 * ref["losses"]["1024"],
          f"{v}: --eval-only {e['val_loss']:.6f} vs the export's reference {ref['losses']['1024']:.6f}")
    ept = summary("eval_pt_" + v)
    # ... and the float16 export stays within 1% of the float32 checkpoint.
    check(abs(e["val_loss"] - ept["val_loss"]) < 0.01 * ept["val_loss"],
          f"{v}: export {e['val_loss']:.4f} vs checkpoint {ept['val_loss']:.4f}")
    check(hashlib.sha256(val_text.encode("utf-8")).hexdigest() == h["corpus"]["val_sha256_utf8"],
          f"{v}: --write-val text differs from the export's corpus hash")
    check(len(val_text) == h["corpus"]["val_chars"], f"{v}: val length")
if errors:
    print("test_train_smoke: FAIL:\n  " + "\n  ".join(errors), file=sys.stderr)
    sys.exit(1)
print("test_train_smoke: all checks passed")
EOF
