#!/usr/bin/python3
"""sim.precision = float32 against the exact MACs: how far S, phi, the output codes and the energy move.

Usage: check_precision.py --head BIN --workdir DIR

The head platform runs the same tokens with sim.precision exact and float32 (the window filled, so
leakage and ring reuse are in), for the cubic cell with voltage leakage and the linear cell with
current leakage, and checks:
  - S differs (float32 is in use) by at most 4e-6 of the largest |S| (float sums of 64 terms round
    at ~6e-8 each; measured ~1.3e-7);
  - phi by at most 4e-6 (phi follows S through the HardSigmoid, slope 1/s_sat);
  - at most 0.5 % of the output codes differ, each by at most one readout level;
  - the energy per token by at most 1e-5 relative (the cell reads are priced from the MAC sums);
and that where float32 cannot apply (noise.dac_sigma > 0: values off the DAC grid) the outputs are
byte-identical to the exact run.
Exit 0 on success, 1 on a violated bound or a failed run, 2 on bad usage.
"""
import argparse
import filecmp
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from gcasim_tools.checks import require_binaries  # noqa: E402

TIMEOUT_S = 600
CASES = {
    "cubic_voltage": ["--tokens", "1100"],
    "linear_current": ["--tokens", "300", "--set", "window=128", "--set", "cell.nonlinearity=linear",
                       "--set", "cell.leakage.model=current", "--set", "cell.leakage.tau_ns=50000"],
}
S_BOUND, PHI_BOUND, CODES_DIFFERING, ENERGY_BOUND = 4e-6, 4e-6, 0.005, 1e-5


def run(binary, args, out):
    argv = [binary, "--out", out] + args
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=TIMEOUT_S)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited with {p.returncode}: {p.stderr.strip()}")
    with open(os.path.join(out, "output.json")) as f:
        outputs = json.load(f)
    with open(os.path.join(out, "summary.json")) as f:
        summary = json.load(f)
    return outputs, summary


def flat(rows):
    return [v for row in rows for v in row]


def compare(name, exact, tables):
    problems = []
    (ex, ex_sum), (fl, fl_sum) = exact, tables
    s_exact, s_float = flat(ex["S"]), flat(fl["S"])
    s_scale = max(abs(v) for v in s_exact)
    s_err = max(abs(a - b) for a, b in zip(s_exact, s_float))
    if s_err == 0:
        problems.append("S is identical: the float32 tables were not used")
    if s_err > S_BOUND * s_scale:
        problems.append(f"S differs by {s_err:.3g} > {S_BOUND} x max|S| = {S_BOUND * s_scale:.3g}")
    phi_err = max(abs(a - b) for a, b in zip(flat(ex["phi"]), flat(fl["phi"])))
    if phi_err > PHI_BOUND:
        problems.append(f"phi differs by {phi_err:.3g} > {PHI_BOUND}")
    out_exact, out_float = flat(ex["out"]), flat(fl["out"])
    levels = sorted(set(out_exact))
    step = min(b - a for a, b in zip(levels, levels[1:]) if b - a > 1e-9)
    differing = [(a, b) for a, b in zip(out_exact, out_float) if a != b]
    worst = max((abs(a - b) for a, b in differing), default=0.0)
    if len(differing) > CODES_DIFFERING * len(out_exact):
        problems.append(f"{len(differing)} of {len(out_exact)} output codes differ (> {CODES_DIFFERING:.1%})")
    if worst > step * 1.001:
        problems.append(f"an output code moved by {worst:.4g}, more than one level ({step:.4g})")
    e_exact = ex_sum["energy_per_token_pj"]["full_window"]["total"]
    e_float = fl_sum["energy_per_token_pj"]["full_window"]["total"]
    e_err = abs(e_float - e_exact) / abs(e_exact)
    if e_err > ENERGY_BOUND:
        problems.append(f"energy per token differs by {e_err:.3g} relative (> {ENERGY_BOUND})")
    print(f"  {name}: S off by {s_err:.3g} ({s_err / s_scale:.3g} of max|S|), phi by {phi_err:.3g}, "
          f"{len(differing)} of {len(out_exact)} output codes differ, energy by {e_err:.3g}")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--head", required=True, help="build/bin/attention_head")
    ap.add_argument("--workdir", required=True, help="scratch folder")
    args = ap.parse_args()
    binary = os.path.abspath(args.head)
    require_binaries(binary)
    workdir = os.path.abspath(args.workdir)
    shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(workdir)
    problems = []
    try:
        for name, case in CASES.items():
            runs = {}
            for precision in ("exact", "float32"):
                out = os.path.join(workdir, f"{name}_{precision}")
                runs[precision] = run(binary, case + ["--set", f"sim.precision={precision}"], out)
            problems += [f"{name}: {p}" for p in compare(name, runs["exact"], runs["float32"])]
        noisy = ["--tokens", "100", "--set", "window=64", "--set", "noise.dac_sigma=0.01"]
        outs = []
        for precision in ("exact", "float32"):
            out = os.path.join(workdir, f"dac_noise_{precision}")
            run(binary, noisy + ["--set", f"sim.precision={precision}"], out)
            outs.append(os.path.join(out, "output.json"))
        if not filecmp.cmp(outs[0], outs[1], shallow=False):
            problems.append("with noise.dac_sigma > 0 float32 must fall back to the exact MACs (output.json differs)")
        else:
            print("  dac_noise: float32 falls back to the exact MACs (output.json identical)")
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        problems.append(str(e))
    for p in problems:
        print(f"FAIL: {p}", flush=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
