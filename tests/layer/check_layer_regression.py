#!/usr/bin/python3
"""Regression of the attention_layer platform against the paper's published latency and energy.

Usage: check_layer_regression.py --binary PATH --workdir DIR [--config FILE] [--tokens N]

Runs the GPT-2 layer config (12 heads, window 1024) for N tokens (default 1100: the window is full
for tokens t >= 1023) and checks summary.json (65 ns / 65 cycles per token, simulated time, token
counts; the energy computed from the circuit and the activity lands on the paper's design point:
73.8 nJ per token and layer and 6.15 nJ per head within 1 %, each of the four published parts within
2 %; the worst case beside it is at least the activity figure, part by part) and energy.csv (header,
one row per token, every row's components add up exactly to total_pj, the full-window mean equals
the summary; the control and static columns are the same every full-window token). Then: charge
sharing has no adder energy and fewer readout conversions; a one-head layer's energy depends on its
inputs (seeds 1 and 99 differ) in the reads, not in the control or the static power.
Exit 0 when every check passes, 1 on any failure, 2 when the binary is missing.
"""
import argparse
import csv
import json
import math
import os
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import layer_common as lc  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from gcasim_tools.checks import require_binaries  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CONFIG = os.path.normpath(os.path.join(HERE, "..", "..", "platforms", "configs", "gpt2_layer.json"))

PARTS = {"qk": ("k_array", "k_lines", "charge_to_pulse", "qk_static"),
         "pv": ("v_array", "v_lines", "readout", "counter", "pv_static"),
         "dac": ("dac", "dac_static"), "refresh": ("refresh",),
         "digital": ("adders", "scaling", "routing", "control", "digital_static")}
COMPONENTS = [c for p in ("qk", "pv", "dac", "refresh", "digital") for c in PARTS[p]]
# Columns that do not depend on the data: the same every token once the window is full.
DATA_INDEPENDENT = ["qk_static", "pv_static", "dac_static", "adders", "scaling", "routing", "control",
                    "digital_static"]
# Published (docs/hardware.md section 5), per head and token with a full window.
PUBLISHED_PER_HEAD = {"qk": 1120.0, "pv": 700.0, "digital": 4000.0, "dac": 330.0}
PUBLISHED_TOTAL_PER_HEAD = 6150.0
PUBLISHED_LATENCY_NS = 65.0


def read_csv(path):
    """Header and rows as strings (the exact decimal text the platform wrote)."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    if not rows:
        raise lc.PlatformError(f"{path} is empty")
    return rows[0], rows[1:]


def check_csv_structure(ck, header, rows, tokens, label):
    """Header, one row per token, exact sums. Returns rows as dicts of Decimal."""
    want_header = ["token"] + [c + "_pj" for c in COMPONENTS] + ["total_pj"]
    ck.equal(header, want_header, f"{label}: energy.csv header")
    ck.equal(len(rows), tokens, f"{label}: energy.csv has one row per token")
    out, order_ok, width_ok, sum_bad = [], True, True, []
    for i, r in enumerate(rows):
        if len(r) != len(header):
            width_ok = False
            continue
        rec = dict(zip(header, r))
        if rec["token"] != str(i):
            order_ok = False
        vals = {h[:-3]: Decimal(rec[h]) for h in header[1:]}
        if sum((vals[c] for c in COMPONENTS), Decimal(0)) != vals["total"]:
            sum_bad.append(i)
        vals["token"] = int(rec["token"])
        out.append(vals)
    ck.check(width_ok, f"{label}: every energy.csv row has {len(header)} fields")
    ck.check(order_ok, f"{label}: energy.csv rows are tokens 0..{tokens - 1} in order")
    ck.check(not sum_bad, f"{label}: every row's components add up exactly to total_pj (Decimal)",
             f"{len(sum_bad)} rows differ, first tokens {sum_bad[:5]}" if sum_bad else f"{len(out)} rows")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", required=True, help="attention_layer executable")
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--config", default=DEFAULT_CONFIG)
    ap.add_argument("--tokens", type=int, default=1100)
    args = ap.parse_args()
    require_binaries(args.binary)
    ck = lc.Checks("layer_regression")
    cfg = lc.config_as_run(args.binary, args.config, args.workdir)
    H, W, T = cfg["heads"], cfg["window"], args.tokens
    full_from = W - 1                                  # first token that sees a full window
    if T <= full_from:
        print(f"FAIL: --tokens {T} never fills the window of {W}", file=sys.stderr)
        return 1
    N = math.ceil(W / cfg["array"]["tokens"])
    period = cfg["timing"]["token_period_ns"]
    print(f"config {args.config}: {H} heads, window {W}, {N} sub-tiles, token period {period} ns; {T} tokens")
    lc.fresh_dir(args.workdir)

    # ---- 1. the default layer --------------------------------------------------------------------
    out = os.path.join(args.workdir, "layer")
    try:
        # output.json (12 x T x 64 numbers) is checked on the short run below; skipping it here saves time.
        lc.run_ok(args.binary, ["--config", args.config, "--tokens", T, "--set", "output.head_outputs=false",
                                "--out", out], timeout_s=600)
        with open(os.path.join(out, "summary.json")) as f:
            s = json.load(f)
        header, raw = read_csv(os.path.join(out, "energy.csv"))
    except (lc.PlatformError, OSError, ValueError) as e:
        print(f"FAIL: default layer run: {e}", file=sys.stderr)
        return 1
    print(f"default run: {T} tokens in {s.get('wall_time_s', float('nan')):.1f} s wall")
    eff = s.get("config", {})
    ck.check(eff.get("refresh", {}).get("enabled") is False and
             all(v == 0 for k, v in eff.get("noise", {}).items() if k != "seed"),
             "refresh off and every noise.* sigma 0 in the effective config (the paper's ideal hardware)",
             f"refresh {eff.get('refresh')}, noise {eff.get('noise')}")
    ck.equal(s.get("tokens"), T, "summary tokens")
    ck.equal(s.get("interrupted"), False, "summary interrupted == false")
    ck.equal(s.get("tokens_started_late"), 0, "summary tokens_started_late == 0")
    ck.equal(s.get("heads"), H, "summary heads")
    ck.equal(s.get("sub_tiles_per_head"), N, "summary sub_tiles_per_head")
    ck.close(s.get("latency_per_token_ns"), PUBLISHED_LATENCY_NS, 1e-9, "latency_per_token_ns == 65 (published)")
    ck.close(s.get("latency_per_token_cycles"), 65.0, 1e-9, "latency_per_token_cycles == 65 (1 ns clock)")
    lat = s.get("latency_ns", {})
    ck.check(lat.get("min") == lat.get("max") == 65.0, "every token's latency is 65 ns (latency_ns min == max)",
             f"min {lat.get('min')}, max {lat.get('max')}")
    ck.close(s.get("simulated_time_ns"), (T - 1) * period + 65.0, 1e-6,
             "simulated_time_ns == (T-1) x token period + 65")
    energy = s.get("energy_per_token_pj", {})
    ck.equal(energy.get("full_window_tokens"), T - full_from, "full_window_tokens == tokens - 1023")
    fw = energy.get("full_window") or {}
    total = fw.get("total")
    ck.rel(total, H * PUBLISHED_TOTAL_PER_HEAD, 0.01, "full-window energy per token and layer ~ 73 800 pJ")
    ck.rel(None if total is None else total / H, PUBLISHED_TOTAL_PER_HEAD, 0.01,
           "full-window energy per token and head ~ 6 150 pJ")
    parts = fw.get("parts") or {}
    for p, per_head in PUBLISHED_PER_HEAD.items():
        ck.rel(parts.get(p), H * per_head, 0.02, f"full-window part {p} ~ 12 x {per_head:g} pJ (2 %)")
        comp_sum = sum(fw.get(c, float("nan")) for c in PARTS[p])
        ck.close(parts.get(p), comp_sum, 1e-6, f"part {p} == sum of its components {'+'.join(PARTS[p])}")
    ck.equal(parts.get("refresh"), 0.0, "full-window part refresh == 0 (refresh off)")
    ck.equal(sorted(parts), sorted(PARTS), "summary parts are qk, pv, digital, dac, refresh")
    ck.close(sum(parts.get(p, float("nan")) for p in PARTS), total, 1e-6, "parts add up to the total")
    worst = energy.get("worst_case") or {}
    for p in PARTS:
        ck.check((worst.get("parts") or {}).get(p, -1) >= parts.get(p, float("inf")) - 1e-6,
                 f"worst case part {p} >= the activity figure",
                 f"{(worst.get('parts') or {}).get(p)} vs {parts.get(p)}")
    ck.check((worst.get("total") or 0) > (total or float("inf")), "worst case total > the activity figure",
             f"{worst.get('total')} vs {total}")

    rows = check_csv_structure(ck, header, raw, T, "default")
    if len(rows) == T:
        full_rows = [r for r in rows if r["token"] >= full_from]
        n = Decimal(len(full_rows))
        for c in COMPONENTS + ["total"]:
            mean = sum((r[c] for r in full_rows), Decimal(0)) / n
            ck.close(float(mean), fw.get(c), 1e-9 * max(1.0, abs(float(mean))),
                     f"mean {c}_pj over energy.csv rows t >= {full_from} == summary full_window.{c}")
        mean_all = sum((r["total"] for r in rows), Decimal(0)) / Decimal(len(rows))
        ck.close(float(mean_all), (energy.get("mean") or {}).get("total"), 1e-9 * float(mean_all),
                 "mean total_pj over all rows == summary mean.total")
        steady = [r for r in rows if r["token"] >= full_from + 1]
        moving = [col for col in DATA_INDEPENDENT if len({r[col] for r in steady}) != 1]
        ck.check(not moving, "the control, digital and static columns are the same every full-window token "
                 "(after the first: its static term counts from the previous report)", f"varying: {moving}")
        ck.check(rows[0]["k_array"] < rows[W - 1]["k_array"], "k_array grows while the window fills",
                 f"t=0: {rows[0]['k_array']}, t={W - 1}: {rows[W - 1]['k_array']}")

    # ---- 2. charge sharing: one conversion per output line instead of one per sub-tile ----------
    short = 20
    cs_out = os.path.join(args.workdir, "charge_sharing")
    try:
        lc.run_ok(args.binary, ["--config", args.config, "--tokens", short, "--set", "readout.combine=charge_sharing",
                                "--out", cs_out])
        with open(os.path.join(cs_out, "summary.json")) as f:
            cs = json.load(f)
        cs_header, cs_raw = read_csv(os.path.join(cs_out, "energy.csv"))
        with open(os.path.join(cs_out, "output.json")) as f:
            cs_output = json.load(f)
    except (lc.PlatformError, OSError, ValueError) as e:
        ck.check(False, "charge-sharing run", str(e))
    else:
        cs_rows = check_csv_structure(ck, cs_header, cs_raw, short, "charge_sharing")
        if len(cs_rows) == short and len(rows) == T:
            ck.check(all(cs_rows[t]["adders"] == 0 for t in range(short)), "charge sharing: no adder energy")
            ck.check(all(cs_rows[t]["readout"] < rows[t]["readout"] for t in range(short)),
                     f"charge sharing: less readout energy (1 conversion per dimension, not {N})",
                     f"{cs_rows[0]['readout']} pJ vs {rows[0]['readout']} pJ")
        cse = cs.get("energy_per_token_pj", {})
        ck.check(cse.get("full_window") is None and cse.get("full_window_tokens") == 0,
                 f"{short} tokens < window: summary full_window is null and full_window_tokens 0",
                 f"full_window {cse.get('full_window')!r}, full_window_tokens {cse.get('full_window_tokens')!r}")
        heads_out = cs_output.get("heads") if isinstance(cs_output, dict) else None
        shape_ok = (isinstance(heads_out, list) and len(heads_out) == H and
                    all(len(h.get("out", [])) == short and all(len(r) == cfg["head_dim"] for r in h["out"])
                        for h in heads_out))
        ck.check(shape_ok, f"output.json holds {H} heads x {short} tokens x {cfg['head_dim']} outputs")

    # ---- 3. one head: exactly 1/12 of the layer, whatever its inputs -----------------------------
    one = {}
    for seed in (1, 99):  # energy depends on the data: the reads, not the control or the static power
        d = os.path.join(args.workdir, f"one_head_seed{seed}")
        try:
            lc.run_ok(args.binary, ["--config", args.config, "--tokens", T, "--set", "heads=1", "--seed", seed,
                                    "--set", "output.head_outputs=false", "--out", d])
            with open(os.path.join(d, "energy.csv"), "rb") as f:
                one[seed] = f.read()
        except (lc.PlatformError, OSError) as e:
            ck.check(False, f"one-head run (seed {seed})", str(e))
    if 1 in one and 99 in one:
        h = {}
        for seed in (1, 99):
            header_s, raw_s = read_csv(os.path.join(args.workdir, f"one_head_seed{seed}", "energy.csv"))
            h[seed] = check_csv_structure(ck, header_s, raw_s, T, f"one head, seed {seed}")
        if len(h[1]) == T and len(h[99]) == T:
            t = T - 1
            ck.check(h[1][t]["k_array"] != h[99][t]["k_array"] and h[1][t]["v_array"] != h[99][t]["v_array"],
                     "one head: the cell reads depend on the inputs (seeds 1 and 99 differ)",
                     f"k_array {h[1][t]['k_array']} vs {h[99][t]['k_array']}")
            same = [c for c in DATA_INDEPENDENT if any(h[1][i][c] != h[99][i][c] for i in range(T))]
            ck.check(not same, "one head: control, digital and static columns equal for seeds 1 and 99",
                     f"differ: {same}")

    return ck.finish()


if __name__ == "__main__":
    sys.exit(main())
