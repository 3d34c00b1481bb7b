#!/usr/bin/python3
"""The energy model's scaling laws, on the attention_layer platform (one head, small runs).

Usage: check_energy_model.py --binary PATH --workdir DIR

Checks what the equations of docs/cost_model.md (Energy) say must happen, not the values of defaults:
  - a query of zeros costs less than a random one (no word line driven, no cell read in the K arrays);
  - static energy is linear in the token period (three periods: the static columns scale exactly,
    up to the rounding of each block's term to whole attojoules);
  - the control's energy is its power x the time it is clocked (write, readout and digital phases
    of the timeline), at two clock periods and two powers;
  - the worst case is at least the activity figure, part by part (also with refresh);
  - a window of 64 costs far less than one of 1024 in the qk and pv parts (1 sub-tile instead of 16).
Exit 0 when every check passes, 1 on any failure, 2 when the binary is missing.
"""
import argparse
import csv
import json
import os
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import layer_common as lc  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from gcasim_tools.checks import require_binaries  # noqa: E402

SMALL = ["--set", "heads=1", "--set", "output.head_outputs=false"]
STATIC = ["qk_static", "pv_static", "dac_static", "digital_static"]
CLOCKED = {"write", "readout", "digital", "refresh"}  # the control is gated during qk and pv


def run(args, name, extra, tokens=80, window=64):
    out = os.path.join(args.workdir, name)
    lc.run_ok(args.binary, SMALL + ["--set", f"window={window}"] + list(extra) + ["--tokens", tokens, "--out", out],
              timeout_s=300)
    with open(os.path.join(out, "summary.json")) as f:
        summary = json.load(f)
    with open(os.path.join(out, "energy.csv"), newline="") as f:
        rows = [{k: (int(v) if k == "token" else Decimal(v)) for k, v in r.items()} for r in csv.DictReader(f)]
    return out, summary, rows


def full_parts(summary):
    return summary["energy_per_token_pj"]["full_window"]["parts"]


def check_zero_query(ck, args):
    _, random_s, random_rows = run(args, "random_query", [])
    _, zero_s, zero_rows = run(args, "zero_query", ["--set", "input.q_mean=0", "--set", "input.q_sigma=0"])
    ck.check(all(r["k_array_pj"] == 0 for r in zero_rows), "zero query: no K-array cell current (k_array_pj 0)")
    ck.check(full_parts(zero_s)["qk"] < full_parts(random_s)["qk"], "zero query: qk part below a random query's",
             f"{full_parts(zero_s)['qk']:.3f} vs {full_parts(random_s)['qk']:.3f} pJ")
    ck.check(zero_s["energy_per_token_pj"]["full_window"]["total"] < random_s["energy_per_token_pj"]["full_window"]["total"],
             "zero query: total below a random query's")
    # With refresh every 5 token periods and short retention: refresh phases clock the control too.
    _, refresh_s, _ = run(args, "refresh", ["--set", "refresh.enabled=true", "--set", "refresh.age_ns=4000",
                                            "--set", "cell.leakage.tau_ns=50000"], tokens=200)
    ck.check(full_parts(refresh_s)["refresh"] > 0, "refresh run: refresh energy at full window")
    for name, s in (("random", random_s), ("zero", zero_s), ("refresh", refresh_s)):
        worst = s["energy_per_token_pj"]["worst_case"]["parts"]
        low = [p for p, pj in full_parts(s).items() if worst[p] < pj]
        ck.check(not low, f"{name} query: worst case >= activity, every part", f"below: {low}")


def check_static_linear(ck, args):
    periods = [100, 200, 400]
    static = {}
    for p in periods:
        _, _, rows = run(args, f"period_{p}", ["--set", f"timing.token_period_ns={p}"])
        last = rows[-1]
        static[p] = [last[c + "_pj"] for c in STATIC]
    sources = 40  # blocks with a static power (2 per array, 1 per converter bank, 2 readout, 1 control), generous
    tol = Decimal(sources) * Decimal("0.000001")
    for i, column in enumerate(STATIC):
        base = static[periods[0]][i]
        off = [p for p in periods[1:] if abs(static[p][i] - base * p / periods[0]) > tol]
        ck.check(base > 0 and not off, f"{column} is linear in the token period (100, 200, 400 ns)",
                 f"{[str(static[p][i]) for p in periods]} pJ")


def check_control_power(ck, args):
    for clock in ("1", "0.7"):
        for power in ("113.7", "50"):
            out, _, rows = run(args, f"control_{clock}_{power}",
                               ["--set", f"timing.clock_period_ns={clock}", "--set", f"digital.control_power_mw={power}",
                                "--set", "trace.timeline=true"], tokens=20)
            with open(os.path.join(out, "timeline.json")) as f:
                events = json.load(f)["traceEvents"]
            active_us = {}
            for e in events:
                if e.get("ph") == "X" and e.get("pid") == 1 and e["name"] in CLOCKED:
                    t = e["args"]["token"]
                    active_us[t] = active_us.get(t, 0.0) + e["dur"]
            bad = []
            for r in rows:
                want = float(power) * active_us.get(r["token"], 0.0) * 1e3  # mW x ns = pJ
                if abs(float(r["control_pj"]) - want) > 1e-6 * max(1.0, want):
                    bad.append((r["token"], str(r["control_pj"]), want))
            ck.check(rows and not bad, f"control_pj = {power} mW x clocked time (timeline), clock {clock} ns",
                     f"first mismatches {bad[:3]}" if bad else f"{rows[-1]['control_pj']} pJ a token")


def check_window(ck, args):
    _, small, _ = run(args, "window_64", [])
    _, large, _ = run(args, "window_1024", [], tokens=1030, window=1024)
    for part in ("qk", "pv"):
        a, b = full_parts(small)[part], full_parts(large)[part]
        ck.check(a < b / 8, f"{part}: window 64 costs less than 1/8 of window 1024 (1 sub-tile vs 16)",
                 f"{a:.1f} vs {b:.1f} pJ")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", required=True, help="attention_layer executable")
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()
    require_binaries(args.binary)
    ck = lc.Checks("energy_model")
    lc.fresh_dir(args.workdir)
    try:
        check_zero_query(ck, args)
        check_static_linear(ck, args)
        check_control_power(ck, args)
        check_window(ck, args)
    except (lc.PlatformError, OSError, ValueError, KeyError) as e:
        ck.check(False, "a run of the platform", repr(e))
    return ck.finish()


if __name__ == "__main__":
    sys.exit(main())
