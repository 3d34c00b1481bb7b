#!/usr/bin/python3
"""Latency from the circuit: the attention_layer platform's phase cycles against the equations.

Usage: check_timing.py --binary PATH --workdir DIR [--config FILE]

Runs the GPT-2 layer config (one head, a few tokens) at the design point and with one knob changed at
a time (T_max, output levels and clip mode, DAC levels, window, combine mode, head_dim, clock), and
checks summary.json: latency_cycles equals the cycles of docs/cost_model.md (Timing) restated in
Python (layer_common.phase_cycles), every count is an integer, latency_per_token_cycles is their
total and the simulated latency_per_token_ns is that total x the clock period. Then the scaling
laws between runs: T_max 15 -> 8 ns shortens qk and pv by 7 ns each and nothing else; the counted
phases (readout, digital) keep their cycles at any clock. Prints the table of one-knob runs.
Exit 0 when every check passes, 1 on any failure, 2 when the binary is missing.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import layer_common as lc  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from gcasim_tools.checks import require_binaries  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CONFIG = os.path.normpath(os.path.join(HERE, "..", "..", "platforms", "configs", "gpt2_layer.json"))
PHASES = ["write", "qk", "pv", "readout", "digital"]
KNOBS = [
    ("design point", []),
    ("pulse.t_max_ns=8", ["pulse.t_max_ns=8"]),
    ("quant.out_levels=256", ["quant.out_levels=256"]),
    ("quant.out_clip=counter", ["quant.out_clip=counter"]),
    ("quant.kv_levels=64", ["quant.kv_levels=64"]),
    ("quant.enabled=false", ["quant.enabled=false"]),
    ("window=4096", ["window=4096"]),
    ("window=64", ["window=64"]),
    ("readout.combine=charge_sharing", ["readout.combine=charge_sharing"]),
    ("head_dim=256", ["head_dim=256"]),
    ("timing.clock_period_ns=2", ["timing.clock_period_ns=2"]),
    ("timing.clock_period_ns=0.7", ["timing.clock_period_ns=0.7"]),
    ("digital.adder_stage_cycles=2", ["digital.adder_stage_cycles=2"]),
]


def run_knob(binary, config, workdir, name, sets):
    out = os.path.join(workdir, name.replace("=", "_").replace(" ", "_"))
    args = ["--config", config, "--tokens", 3, "--set", "heads=1", "--out", out]
    for s in sets:
        args += ["--set", s]
    lc.run_ok(binary, args)
    with open(os.path.join(out, "summary.json")) as f:
        return json.load(f)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", required=True, help="attention_layer executable")
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--config", default=DEFAULT_CONFIG)
    args = ap.parse_args()
    require_binaries(args.binary)
    ck = lc.Checks("layer_timing")
    lc.fresh_dir(args.workdir)

    runs = {}
    for name, sets in KNOBS:
        try:
            s = run_knob(args.binary, args.config, args.workdir, name, sets)
        except lc.PlatformError as e:
            ck.check(False, f"{name}: the platform runs", str(e))
            continue
        cfg, got = s["config"], s.get("latency_cycles") or {}
        want, _ = lc.phase_cycles(cfg)
        want["total"] = sum(want[p] for p in PHASES)
        ck.equal(got, want, f"{name}: latency_cycles == the circuit's cycles")
        ck.check(all(type(got.get(p)) is int for p in PHASES + ["total"]), f"{name}: every cycle count is an integer")
        clock = cfg["timing"]["clock_period_ns"]
        ck.equal(s.get("latency_per_token_cycles"), want["total"], f"{name}: latency_per_token_cycles is the total")
        ck.close(s.get("latency_per_token_ns"), want["total"] * clock, 1e-9,
                 f"{name}: simulated latency == {want['total']} cycles x {clock:g} ns")
        runs[name] = (got, s.get("latency_per_token_ns"))

    if "design point" in runs and "pulse.t_max_ns=8" in runs:
        base, short = runs["design point"][0], runs["pulse.t_max_ns=8"][0]
        ck.equal({p: base[p] - short[p] for p in PHASES}, {"write": 0, "qk": 7, "pv": 7, "readout": 0, "digital": 0},
                 "T_max 15 -> 8 ns shortens qk and pv by 7 cycles (7 ns) each and nothing else")
        ck.close(runs["design point"][1] - runs["pulse.t_max_ns=8"][1], 14.0, 1e-9,
                 "T_max 15 -> 8 ns: the latency drops by 14 ns")
    clocks = [n for n in ("design point", "timing.clock_period_ns=2", "timing.clock_period_ns=0.7") if n in runs]
    ck.check(len({(runs[n][0]["readout"], runs[n][0]["digital"]) for n in clocks}) == 1,
             "the counted phases (readout, digital) keep their cycles at clocks of 1, 2 and 0.7 ns",
             str({n: (runs[n][0]["readout"], runs[n][0]["digital"]) for n in clocks}))

    print("\n| change | " + " | ".join(PHASES) + " | total cycles | latency ns |")
    print("|---|" + "---|" * (len(PHASES) + 2))
    for name, (got, ns) in runs.items():
        print(f"| {name} | " + " | ".join(str(got.get(p)) for p in PHASES) + f" | {got.get('total')} | {ns:g} |")
    return ck.finish()


if __name__ == "__main__":
    sys.exit(main())
