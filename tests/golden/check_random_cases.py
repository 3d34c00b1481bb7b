#!/usr/bin/python3
"""Run the platform (attention_head) on random cases and compare it with the numpy golden model.

Usage: check_random_cases.py --binary PATH --workdir DIR [--cases N] [--seed N] [--keep]
Exit 0 when every case matches, 1 on any mismatch or platform failure, 2 when the binary is missing.
"""
import argparse
import math
import os
import shutil
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import golden_model as gm  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from gcasim_tools.checks import require_binaries  # noqa: E402

TOL = 1e-9
T_MAX_NS = 15.0


def min_period(clock):
    """A token period that holds the phases of every case here (docs/cost_model.md, Timing): the
    write (2 + 2.8 ln(2 x 16) ns, kv levels <= 16), the two pulse phases (T_max), the readout (<= 1 + 16
    cycles) and the digital phase (<= 3 adder stages + 1 + 2 routing cycles), each whole cycles."""
    cycles = math.ceil((2 + 2.8 * math.log(32)) / clock) + 2 * math.ceil(T_MAX_NS / clock - 1e-9) + 17 + 6
    return cycles * clock


def balanced(rng, values, n):
    """Each value about n/len(values) times, in random order."""
    col = [values[i % len(values)] for i in range(n)]
    rng.shuffle(col)
    return col


def avoid_input_ties(x, hi, levels):
    """Move values lying within 1e-6 of an input-quantizer rounding boundary off it."""
    step = hi / (levels - 1)
    r = x / step
    bad = np.abs(r - np.floor(r) - 0.5) * step < 1e-6
    return np.where(bad, x + 2e-6, x)


def exact_half_steps(rng, shape, hi, levels):
    """Values x = (j + 1/2)*step for which x/step is exactly j + 1/2 in float64."""
    step = hi / (levels - 1)
    j = np.arange(levels - 1)
    x = (j + 0.5) * step
    x = x[x / step == j + 0.5]
    assert x.size, "no exact half-step values"
    return rng.choice(x, size=shape)


def make_cases(n, seed):
    rng = np.random.default_rng(seed)
    col = {
        "window": balanced(rng, [64, 100, 128, 192, 256, 80, 160, 200], n),
        "leak_nl": balanced(rng, [(lk, nl) for lk in ("none", "voltage", "current")
                                  for nl in ("polynomial", "linear")], n),
        "combine_pol": balanced(rng, [(c, p) for c in ("digital_adders", "charge_sharing")
                                      for p in (1, -1)], n),
        "tile": balanced(rng, [64, 64, 64, 64, 64, 32], n),
        "dim": balanced(rng, [64, 64, 64, 64, 64, 32], n),
        "levels": balanced(rng, [(16, 8, 32)] * 4 + [(8, 16, 16)], n),
        "period": balanced(rng, [65.0, 100.0, 800.0], n),
        "clock": balanced(rng, [1.0, 1.0, 2.0, 10.0, 12.5], n),  # qk phase 15, 15, 16, 20, 25 ns
        "short_T": balanced(rng, [False] * 7 + [True], n),
        "sat": balanced(rng, [(80.0, 40.0)] * 3 + [(40.0, 20.0)], n),
    }
    cases = []
    for i in range(n):
        quant = i % 2 == 1
        W = col["window"][i]
        T = max(10, W - int(rng.integers(10, 41))) if col["short_T"][i] else \
            min(W + int(rng.integers(40, 151)), 410)
        period = max(col["period"][i], min_period(col["clock"][i]))
        ql, kvl, ol = col["levels"][i]
        s_sat, scale = col["sat"][i]
        leak, nl = col["leak_nl"][i]
        combine, pol = col["combine_pol"][i]
        cfg = {
            "window": W, "head_dim": col["dim"][i], "array.tokens": col["tile"][i],
            "cell.nonlinearity": nl, "cell.polarity": pol, "cell.leakage.model": leak,
            "cell.leakage.tau_ns": float(round(rng.uniform(20, 100) * period, 3)),
            "timing.token_period_ns": period, "timing.clock_period_ns": col["clock"][i],
            "pulse.t_max_ns": T_MAX_NS,
            "quant.enabled": quant, "quant.q_levels": ql, "quant.kv_levels": kvl,
            "quant.out_levels": ol, "quant.out_clip": "authors" if i % 4 < 2 else "counter",
            "pulse.s_sat": s_sat, "readout.combine": combine, "readout.scale": scale,
        }
        tag = "skewed" if (i // 4) % 2 == 0 else "uniform"   # each clip mode gets both
        if quant and n >= 4 and i == n - 1:
            tag = "input-ties"   # exact half-step inputs: checks round-half-to-even of q, k, v
        cases.append((cfg, T, tag, make_inputs(rng, cfg, T, tag)))
    return cases


def make_inputs(rng, cfg, T, tag):
    d, pol = cfg["head_dim"], cfg["cell.polarity"]
    u = rng.random((3, T, d))
    q = u[0]
    if tag == "skewed":   # large positive S; per-column biased v, so many A_n saturate
        kb = u[1] ** 0.3
        k = 0.9 * (kb if pol > 0 else 1 - kb)
        vb = u[2] ** rng.uniform(0.1, 1.0, d)
        v = 0.9 * np.where(rng.random(d) < 0.5, vb, 1 - vb)
    else:
        k, v = 0.9 * u[1], 0.9 * u[2]
    for x, hi in ((q, 1.0), (k, 0.9), (v, 0.9)):   # a few exact range ends
        m = rng.random(x.shape) < 0.01
        x[m] = np.where(rng.random(m.sum()) < 0.5, 0.0, hi)
    if cfg["quant.enabled"]:
        ql, kvl = cfg["quant.q_levels"], cfg["quant.kv_levels"]
        q, k, v = avoid_input_ties(q, 1.0, ql), avoid_input_ties(k, 0.9, kvl), avoid_input_ties(v, 0.9, kvl)
        if tag == "input-ties":
            for x, hi, lv in ((q, 1.0, ql), (k, 0.9, kvl), (v, 0.9, kvl)):
                m = rng.random(x.shape) < 0.1
                x[m] = exact_half_steps(rng, m.sum(), hi, lv)
    return q, k, v


def describe(cfg, T, tag):
    short = {"digital_adders": "adders", "charge_sharing": "charge", "polynomial": "poly"}
    q = (f"quant={cfg['quant.q_levels']}/{cfg['quant.kv_levels']}/{cfg['quant.out_levels']}"
         f",{cfg['quant.out_clip']}" if cfg["quant.enabled"] else "quant=off")
    return (f"W={cfg['window']} T={T} N={gm.n_subtiles(cfg)}x{cfg['array.tokens']} d={cfg['head_dim']} "
            f"{q} leak={cfg['cell.leakage.model']}(tau={cfg['cell.leakage.tau_ns']:g},"
            f"P={cfg['timing.token_period_ns']:g},qk={gm.qk_phase_ns(cfg):g}) "
            f"{short.get(cfg['readout.combine'])} {short.get(cfg['cell.nonlinearity'], 'linear')} "
            f"pol={cfg['cell.polarity']:+d} ssat={cfg['pulse.s_sat']:g} scale={cfg['readout.scale']:g} in={tag}")


def worst(name, err, gold, plat, n=5):
    idx = np.argsort(err, axis=None)[::-1][:n]
    lines = []
    for flat in idx:
        ij = np.unravel_index(flat, err.shape)
        if err[ij] <= TOL:
            break
        lines.append(f"    {name}{list(map(int, ij))}: golden {gold[ij]!r} platform {plat[ij]!r}")
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--cases", type=int, default=24)
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--keep", action="store_true", help="keep the case folders of passing cases")
    args = ap.parse_args()
    require_binaries(args.binary)
    os.makedirs(args.workdir, exist_ok=True)

    cases = make_cases(args.cases, args.seed)
    n_fail, ties_total, wmax = 0, 0, np.zeros(3)
    t_start = time.time()
    for i, (cfg, T, tag, (q, k, v)) in enumerate(cases):
        case_dir = os.path.join(args.workdir, f"case_{i:02d}")
        label = f"case {i:2d}: {describe(cfg, T, tag)}"
        g = gm.attention_head(q, k, v, gm.make_config(cfg))
        if g["input_ties"] and tag != "input-ties":
            raise AssertionError("generator left inputs on a quantization boundary")
        t0 = time.time()
        try:
            p = gm.run_platform(args.binary, case_dir, q, k, v, cfg)
        except gm.PlatformError as e:
            n_fail += 1
            print(f"{label}\n  FAIL: {e}  (inputs kept in {case_dir})", flush=True)
            continue
        e_s = np.abs(p["S"] - g["S"]) / np.maximum(1.0, np.abs(g["S"]))
        e_p = np.abs(p["phi"] - g["phi"])
        e_o, n_ties = gm.compare_out(g, p["out"])
        errs = np.array([e_s.max(), e_p.max(), e_o.max()])
        wmax = np.maximum(wmax, errs)
        ties_total += n_ties
        ok = bool(np.all(errs <= TOL))
        print(f"{label}\n  S {errs[0]:.1e}  phi {errs[1]:.1e}  out {errs[2]:.1e}  near-ties accepted "
              f"{n_ties}  in-ties {g['input_ties']}  {time.time() - t0:.1f} s  {'ok' if ok else 'FAIL'}",
              flush=True)
        if ok:
            if not args.keep:
                shutil.rmtree(case_dir, ignore_errors=True)
            continue
        n_fail += 1
        print("  FAIL: platform differs from golden model beyond 1e-9; worst elements "
              f"(case kept in {case_dir}):")
        for name, e, gold, plat in (("S", e_s, g["S"], p["S"]), ("phi", e_p, g["phi"], p["phi"]),
                                    ("out", e_o, g["out"], p["out"])):
            print("\n".join(worst(name, e, gold, plat)))
    n = len(cases)
    print(f"summary: {n} cases in {time.time() - t_start:.1f} s; worst |dS|/max(1,|S|) {wmax[0]:.2e}, "
          f"|dphi| {wmax[1]:.2e}, |dout| {wmax[2]:.2e} (tolerance {TOL:g}); "
          f"output near-ties accepted: {ties_total}")
    print(f"{n - n_fail} passed, {n_fail} failed")
    if n_fail:
        print(f"FAIL: {n_fail} of {n} cases differ from the golden model or the platform failed",
              file=sys.stderr)
    return 1 if n_fail else 0


if __name__ == "__main__":
    sys.exit(main())
