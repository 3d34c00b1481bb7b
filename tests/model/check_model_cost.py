#!/usr/bin/python3
"""gpt_model --mode cost on the GPT-2 presets (issue 14): the paper's design point, the digital
engines' equations, batches and pipelining, retention, and the presets on the layer platform.

- Design point (model.token_timing=fixed at 800 ns, model.digital=off): GPT-2 small's attention
  per token is 12 x the layer platform's latency and 12 x 73.8 nJ = 885.6 nJ at full window (+-1 %),
  and 12 x the layer platform's own full-window energy on the same preset. GPT-2 XL at a 64-token
  window (its full window takes minutes): 48 x the layer platform's 25-head layer in the heads'
  activity; their static power runs over the 48 x 60 ns a token takes (more than 800 ns).
- model.digital=engine: the engines' MAC energy per token equals 0.3 pJ x the op counts of GPT-2
  small (12 d^2 MACs and 44 d element-wise ops per layer, the embedding's d adds, ln_f's 5 d, the
  LM head's d x vocab MACs), their time and area are not zero; a batch of 4 in one micro-batch
  streams the weights once for the 4 (bytes per token / 4); 4 micro-batches of 1 keep the stream
  per token, so a memory-bound model gains nothing, while the attention alone pipelines (throughput
  more than 3 x).
- Retention: the oldest key's decay is exp(-(window - 1) x derived period / tau) and, on a short
  window, the age the simulation measured; GPT-2 XL's token period is longer than small's.

  check_model_cost.py --binary build/bin/gpt_model --layer build/bin/attention_layer --workdir DIR
"""
import argparse
import csv
import json
import math
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from gcasim_tools.checks import address_space_cap, check, finish_checks  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PRESETS = os.path.join(ROOT, "platforms", "configs", "models")


def run(binary, args, out):
    shutil.rmtree(out, ignore_errors=True)
    return subprocess.run([binary, "--out", out] + args, capture_output=True, text=True, timeout=900,
                          preexec_fn=address_space_cap(binary, 6 << 30))


def summary(binary, args, out, what):
    r = run(binary, args, out)
    check(r.returncode == 0, f"{what} runs (rc {r.returncode}: {r.stderr.strip()[:200]})")
    if r.returncode:
        return None
    with open(os.path.join(out, "summary.json")) as f:
        return json.load(f)


def preset(name):
    return ["--config", os.path.join(PRESETS, name + ".json")]


def close(a, b, rel):
    return abs(a - b) <= rel * abs(b)


DESIGN = ["--set", "model.token_timing=fixed", "--set", "model.digital=off"]


def layer_figures(layer, work, args, what):
    s = summary(layer, args + ["--set", "output.head_outputs=false"], os.path.join(work, what), what)
    if s is None:
        return None, None
    return s["latency_per_token_ns"], s["energy_per_token_pj"]["full_window"]["total"]


def check_design_point_small(binary, layer, work):
    s = summary(binary, preset("gpt2") + ["--mode", "cost", "--tokens", "1024"] + DESIGN, os.path.join(work, "small"),
                "GPT-2 small at the design point, 1024 tokens")
    latency, energy = layer_figures(layer, work, preset("gpt2") + ["--tokens", "1100"], "small_layer")
    if s is None or latency is None:
        return
    attention_ns = s["per_token"]["latency_ns"]["attention"]
    full = s["energy_per_token_pj"]["full_window"]["total"]
    print(f"     small: {attention_ns} ns (layer {latency} ns), {full / 1e3:.2f} nJ at full window "
          f"(layer {energy / 1e3:.3f} nJ, paper 12 x 73.8 nJ = 885.6 nJ)")
    check(attention_ns == 12 * latency and s["latency_per_token_ns"]["mean"] == 12 * latency,
          "small: attention per token = 12 x the layer's latency")
    check(close(full, 885.6e3, 0.01), "small: 885.6 nJ per token at full window (+-1 %)")
    check(close(full, 12 * energy, 0.01), "small: 12 x the layer platform's full-window energy (+-1 %)")
    check(s["per_token"]["energy_pj"]["digital_compute"] == 0 and s["area"]["engines"] == 0,
          "model.digital=off: no digital energy, no engine area")
    check_worst_case(s, "small at the design point", "configured")


def dynamic_and_static(summary_json):
    """The full-window energy per token split into the heads' activity and their static power."""
    full = summary_json["energy_per_token_pj"]["full_window"]
    static = sum(v for k, v in full.items() if k.endswith("_static"))
    return full["total"] - static, static


def check_design_point_xl(binary, layer, work):
    window = ["--set", "window=64"]
    s = summary(binary, preset("gpt2-xl") + ["--mode", "cost", "--tokens", "72"] + DESIGN + window,
                os.path.join(work, "xl64"), "GPT-2 XL at the design point, window 64")
    one = summary(layer, preset("gpt2-xl") + window + ["--tokens", "72", "--set", "output.head_outputs=false"],
                  os.path.join(work, "xl_layer"), "xl_layer")
    if s is None or one is None:
        return
    latency = one["latency_per_token_ns"]
    check(s["per_token"]["latency_ns"]["attention"] == 48 * latency, "XL: attention per token = 48 x the layer's latency")
    # 48 x 60 ns do not fit 800 ns: the next token waits for this one (autoregressive), so the heads'
    # static power runs over 48 x 60 ns per token; their activity is the layer platform's.
    (dynamic, static), (layer_dynamic, layer_static) = dynamic_and_static(s), dynamic_and_static(one)
    period = s["token_period"]["derived_ns"]
    print(f"     XL at window 64: activity {dynamic / 1e3:.2f} nJ (48 x layer {48 * layer_dynamic / 1e3:.2f}), "
          f"static {static / 1e3:.2f} nJ over {period} ns per token")
    check(close(period, 48 * latency, 1e-12) and s["token_period"]["tokens_started_late"] > 0,
          "XL: a token takes 48 layers' attention, longer than the 800 ns slot")
    check(close(dynamic, 48 * layer_dynamic, 0.005), "XL at window 64: the heads' activity = 48 x the layer's (+-0.5 %)")
    check(close(static, 48 * layer_static * period / 800, 1e-9), "XL: static energy = 48 x the layer's x period / 800 ns")


def digital_op_counts(layers, d, vocab):
    """MACs plus element-wise ops per token of a GPT-2 (issue 14's op list)."""
    per_layer = 12 * d * d + (2 * 5 * d + 8 * 4 * d + 2 * d)
    return layers * per_layer + d + 5 * d + d * vocab


def check_worst_case(s, what, basis):
    """The attention's worst case (full window, at the token period the heads saw) is at least its
    mean over the run's tokens, part by part, and says which period it is at."""
    energy = s["energy_per_token_pj"]
    worst, mean = energy["worst_case"], energy["mean"]
    low = [p for p, pj in mean["parts"].items() if worst["parts"][p] < pj * (1 - 1e-12)]
    check(worst["total"] >= mean["total"] and not low and worst["token_period_basis"] == basis and
          worst["token_period_ns"] == s["token_period"]["heads_ns"],
          f"{what}: worst case {worst['total']:.4g} pJ >= mean {mean['total']:.4g} pJ (every part; below: {low}), "
          f"at the {basis} period {worst['token_period_ns']:.4g} ns")


def check_energy_csv(out, s, what):
    """energy.csv has a row per token, layer (and sequence with a batch) with the attention's and the
    engine's components, and one per token for the embedding and LM head ('head'); the summary's per-token
    figures are its sums over the tokens."""
    with open(os.path.join(out, "energy.csv")) as f:
        rows = list(csv.DictReader(f))
    tokens, layers, batch = s["tokens"], s["shape"]["layers"], s["shape"]["batch"]
    head = [r for r in rows if r["layer"] == "head"]
    engine = ["engine_mac_pj", "engine_sram_pj", "memory_pj", "engine_static_pj"]
    attention = [c for c in rows[0] if c.endswith("_pj") and c not in engine and c != "total_pj"]
    check(len(rows) == tokens * (layers + 1) and len(head) == tokens and
          ("sequence" in rows[0]) == (batch > 1) and all(c in rows[0] for c in engine) and
          all(float(r[c]) == 0 for r in head for c in attention),
          f"{what}: energy.csv has {len(rows)} rows = tokens x (layers + the head's), engine columns, "
          f"{'a' if batch > 1 else 'no'} sequence column")
    total = lambda column, which=rows: sum(float(r[column]) for r in which) / tokens
    e = s["per_token"]["energy_pj"]
    pairs = [("total_pj", e["total"]), ("engine_mac_pj", e["digital_parts"]["engine_mac"]),
             ("engine_sram_pj", e["digital_parts"]["engine_sram"]), ("engine_static_pj", e["digital_parts"]["engine_static"]),
             ("memory_pj", e["memory_traffic"])]
    off = [(c, total(c), v) for c, v in pairs if not close(total(c), v, 1e-9)]
    attention_sum = sum(total(c) for c in attention)
    check(not off and close(attention_sum, e["attention"], 1e-9) and
          all(close(float(r["total_pj"]), sum(float(r[c]) for c in attention + engine), 1e-9) for r in rows),
          f"{what}: summary.json's per-token energies are energy.csv's sums per token (off: {off}); a row's total is its parts")


def check_engine(binary, work):
    base = preset("gpt2") + ["--mode", "cost", "--tokens", "4"]
    one = summary(binary, base, os.path.join(work, "engine_b1"), "GPT-2 small with the engines")
    batch = summary(binary, base + ["--set", "model.batch=4"], os.path.join(work, "engine_b4"), "batch 4, one micro-batch")
    piped = summary(binary, base + ["--set", "model.batch=4", "--set", "model.micro_batch=1", "--set", "output.timeline=true"],
                    os.path.join(work, "engine_b4m1"), "batch 4, micro-batches of 1")
    if piped:
        with open(os.path.join(work, "engine_b4m1", "timeline.json")) as f:
            events = json.load(f)["traceEvents"]
        tracks = {e["tid"] for e in events if e["name"] == "thread_name"}
        slices = [e for e in events if e["ph"] == "X"]
        per_layer0 = [e for e in slices if e["tid"] == 0]
        check(len(tracks) == 13 and len(per_layer0) == 3 * 4 * 4 and
              sum(e["name"] == "attention" for e in per_layer0) == 4 * 4,
              "timeline.json: a track per layer and the head's; per layer and micro-batch token: attention and 2 digital slices")
        # Every track is one unit doing one thing at a time: no slice starts before the previous ends.
        overlaps = []
        for tid in tracks:
            track = sorted((e for e in slices if e["tid"] == tid), key=lambda e: e["ts"])
            overlaps += [(tid, b["name"]) for a, b in zip(track, track[1:]) if b["ts"] < a["ts"] + a["dur"] - 1e-6]
        head_ops = {e["name"] for e in slices if e["tid"] == 12}
        check(not overlaps and head_ops == {"embedding", "ln_f", "lm_head"},
              f"timeline.json: no track's slices overlap (4 micro-batches queue for the head's engine: {overlaps[:3]}); "
              f"the head's track has a slice per op {sorted(head_ops)}")
    if not (one and batch and piped):
        return
    for s, what, out in ((one, "B = 1", "engine_b1"), (batch, "B = 4 batched", "engine_b4"),
                         (piped, "B = 4 pipelined", "engine_b4m1")):
        check_worst_case(s, what, "derived")
        check_energy_csv(os.path.join(work, out), s, what)
    e, l, a = one["per_token"]["energy_pj"], one["per_token"]["latency_ns"], one["area"]
    expected = 0.3 * digital_op_counts(12, 768, 50257)
    print(f"     engine_mac {e['digital_parts']['engine_mac']:.1f} pJ per token, op counts x 0.3 pJ = {expected:.1f}")
    check(close(e["digital_parts"]["engine_mac"], expected, 1e-9), "engine MAC energy = 0.3 pJ x the op counts")
    check(l["digital_compute"] > 0 and e["digital_compute"] > e["digital_parts"]["engine_mac"] and a["engines"] > 0
          and a["engine_count"] == 13, "the digital parts take time, energy (MAC, SRAM, static) and area (13 engines)")
    check(l["memory_traffic"] > 0 and e["memory_traffic"] > 0,
          "GPT-2 small's layers do not fit 1 MiB of SRAM: their weights stream (memory time and energy)")
    check(close(abs(l["mean"] - l["attention"] - l["digital_compute"] - l["memory_traffic"] - l["waiting"]), 0, 1) and
          l["waiting"] < 1e-6 * l["mean"], "one sequence: latency = attention + digital + memory, no waiting")
    bytes1, bytes4 = e["memory_bytes"], batch["per_token"]["energy_pj"]["memory_bytes"]
    check(close(bytes4 * 4, bytes1, 1e-9), f"a micro-batch of 4 shares the weight stream: bytes per token / 4 ({bytes4:.4g})")
    check(close(piped["per_token"]["energy_pj"]["memory_bytes"], bytes1, 1e-9),
          "micro-batches of 1 stream the weights for each sequence")
    check(close(batch["area"]["attention"], 4 * a["attention"], 1e-12), "attention area grows with the batch (x 4)")
    t1, t4, tp = one["throughput_tokens_per_s"], batch["throughput_tokens_per_s"], piped["throughput_tokens_per_s"]
    print(f"     throughput: B=1 {t1:.4g}, B=4 batched {t4:.4g}, B=4 pipelined {tp:.4g} tokens/s")
    check(t4 > 3 * t1, "batching 4 sequences: throughput more than 3 x (the stream is shared)")
    check(tp < 1.1 * t1, "micro-batches of 1: the layers share one memory interface, so a memory-bound model "
          "gains (almost) nothing from pipelining")
    # Without the engines the layers are the attention alone: 4 sequences pipelined through 12 layers
    # keep 4 layers busy at once.
    off = ["--set", "model.digital=off"]
    alone = summary(binary, base + off, os.path.join(work, "off_b1"), "attention only, one sequence")
    pipelined = summary(binary, base + off + ["--set", "model.batch=4", "--set", "model.micro_batch=1"],
                        os.path.join(work, "off_b4m1"), "attention only, 4 sequences pipelined")
    if alone and pipelined:
        check_worst_case(alone, "attention only, B = 1", "derived")
        ta, tq = alone["throughput_tokens_per_s"], pipelined["throughput_tokens_per_s"]
        print(f"     attention only: B=1 {ta:.4g}, B=4 pipelined {tq:.4g} tokens/s")
        check(tq > 3 * ta and close(pipelined["per_token"]["latency_ns"]["attention"],
                                    alone["per_token"]["latency_ns"]["attention"], 1e-12),
              "attention only: pipelining 4 sequences, throughput more than 3 x at the same attention time per token")


def check_retention(binary, work):
    runs = {}
    for name in ("gpt2", "gpt2-xl"):
        runs[name] = summary(binary, preset(name) + ["--mode", "cost", "--tokens", "4"], os.path.join(work, "ret_" + name),
                             f"{name} with the derived token period")
    for name, s in runs.items():
        if not s:
            return
        r, period = s["retention"], s["token_period"]["derived_ns"]
        tau = s["config"]["cell"]["leakage"]["tau_ns"]
        expected = math.exp(-(1024 - 1) * period / tau)
        print(f"     {name}: period {period:.1f} ns, oldest key {r['oldest_key_age_ns']:.4g} ns, decay {r['oldest_key_decay']:.4g}")
        check(r["oldest_key_age_ns"] == 1023 * period and close(r["oldest_key_decay"], expected, 1e-12),
              f"{name}: oldest-key decay = exp(-1023 x derived period / tau)")
        hold = r["to_hold"]
        design = r["design_point"]["oldest_key_decay"]
        check(close(math.exp(-r["oldest_key_age_ns"] / hold["cell.leakage.tau_ns"]), design, 1e-9) and
              close(math.exp(-hold["refresh.age_ns"] / tau), design, 1e-9),
              f"{name}: the tau and the refresh age that hold the design point's decay")
    check(runs["gpt2-xl"]["token_period"]["derived_ns"] > runs["gpt2"]["token_period"]["derived_ns"],
          "XL's derived token period is longer than small's (48 layers, a wider model)")
    # A short window: the age the simulation had at the last token.
    s = summary(binary, preset("gpt2") + ["--mode", "cost", "--tokens", "20", "--set", "window=16",
                                          "--set", "model.digital=off"], os.path.join(work, "ret_w16"), "window 16")
    if s:
        r = s["retention"]
        check(close(r["measured_oldest_key_age_ns"], r["oldest_key_age_ns"], 1e-9) and
              close(r["measured_oldest_key_decay"], math.exp(-r["measured_oldest_key_age_ns"] / r["tau_ns"]), 1e-12),
              f"window 16: the measured age of the oldest key ({r['measured_oldest_key_age_ns']} ns) and its decay")


def check_errors(binary, layer, work):
    def expect(args, needle):
        out = os.path.join(work, "bad")
        r = run(binary, args, out)
        lines = r.stderr.strip().splitlines()
        check(r.returncode == 2 and len(lines) == 1 and needle in lines[0] and
              not os.path.exists(os.path.join(out, "summary.json")), f"{' '.join(args)[-60:]}: exit 2 naming '{needle}'")

    expect(["--mode", "cost", "--set", "model.batch=4", "--set", "model.micro_batch=3"], "model.micro_batch")
    expect(["--mode", "cost", "--model", os.path.join(ROOT, "models", "nonlinear")], "--model")
    expect(["--set", "model.batch=2", "--tokens", "8"], "model.batch")
    expect(preset("gpt2-xl") + ["--tokens", "8"], "heads")
    # A trained model with its digital parts on the engines: slower than its 800 ns slots, so its keys
    # age otherwise than in training, and the run is not compared with PyTorch.
    s = summary(binary, ["--tokens", "8", "--set", "model.digital=engine"], os.path.join(work, "eval_engine"),
                "eval of the char model with the engines")
    if s:
        check(s["eval"]["config_matches_training"] is False and "pytorch_loss" not in s["eval"] and
              s["per_token"]["latency_ns"]["digital_compute"] > 0 and s["tokens_started_late"] > 0,
              "char model with the engines: digital time, late tokens, no PyTorch comparison")
    r = run(layer, preset("gpt2-xl") + ["--tokens", "2", "--set", "window=64"], os.path.join(work, "layer_xl"))
    check(r.returncode == 0 and "25 head(s)" in r.stdout, "attention_layer runs a layer of the XL preset")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--binary", required=True)
    p.add_argument("--layer", required=True, help="attention_layer binary")
    p.add_argument("--workdir", required=True)
    p.add_argument("--quick", action="store_true", help="skip GPT-2 small's full window (about a minute)")
    a = p.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    check_errors(a.binary, a.layer, a.workdir)
    check_engine(a.binary, a.workdir)
    check_retention(a.binary, a.workdir)
    check_design_point_xl(a.binary, a.layer, a.workdir)
    if not a.quick:
        check_design_point_small(a.binary, a.layer, a.workdir)
    finish_checks("check_model_cost")


if __name__ == "__main__":
    main()
