#!/usr/bin/python3
"""Run the platform (attention_head) on the authors' 64x64 reference vectors and compare.

Usage: check_reference_cli.py --binary PATH --reference FILE --workdir DIR [--polarity 1|-1]
       check_reference_cli.py --self-test --reference FILE [--polarity 1|-1]
The reference was made with the current leakage form, 1e-4 per token, window 64, no quantization;
that is token period 800 ns and tau 8e6 ns. --self-test compares the golden model (no binary).
Exit 0 on success, 1 on any mismatch or platform failure, 2 when the binary is missing.
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import golden_model as gm  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from gcasim_tools.checks import require_binaries  # noqa: E402

TOL = {"S": 1e-3, "phi": 1e-5, "out": 1e-5}
REF_KEYS = {"S": "S", "phi": "phi_S", "out": "output"}


def settings(polarity):
    return {"window": 64, "cell.leakage.model": "current", "cell.leakage.tau_ns": 8e6,
            "timing.token_period_ns": 800.0, "quant.enabled": False, "cell.polarity": polarity}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary")
    ap.add_argument("--reference", required=True)
    ap.add_argument("--workdir")
    ap.add_argument("--polarity", type=int, choices=(1, -1), default=1)
    ap.add_argument("--self-test", action="store_true",
                    help="check the golden model itself against the reference (no binary)")
    args = ap.parse_args()
    if not args.self_test:
        if not args.binary or not args.workdir:
            ap.error("--binary and --workdir are required unless --self-test")
        require_binaries(args.binary)
    with open(args.reference) as f:
        ref = json.load(f)
    n = len(ref["Q"])
    cfg = settings(args.polarity)
    what = "golden model" if args.self_test else "platform"
    worst, failed = {k: 0.0 for k in TOL}, []
    for b in range(n):
        q, k, v = (np.asarray(ref[x][b], dtype=float) for x in ("Q", "K", "V"))
        if args.self_test:
            res = gm.attention_head(q, k, v, gm.make_config(cfg))
        else:
            try:
                res = gm.run_platform(args.binary, os.path.join(args.workdir, f"sample_{b}"), q, k, v, cfg)
            except gm.PlatformError as e:
                print(f"sample {b}: FAIL: {e}", flush=True)
                failed.append(b)
                continue
        errs = {key: float(np.abs(res[key] - np.asarray(ref[rk][b], dtype=float)).max())
                for key, rk in REF_KEYS.items()}
        bad = [key for key in TOL if errs[key] > TOL[key]]
        for key in TOL:
            worst[key] = max(worst[key], errs[key])
        print(f"sample {b}: max |dS| {errs['S']:.2e}  |dphi| {errs['phi']:.2e}  |dout| {errs['out']:.2e}"
              f"  {'FAIL (' + ', '.join(bad) + ')' if bad else 'ok'}", flush=True)
        if bad:
            failed.append(b)
    print(f"overall ({what}, {os.path.basename(args.reference)}, polarity {args.polarity:+d}): "
          f"max |dS| {worst['S']:.2e} (tol {TOL['S']:g}), |dphi| {worst['phi']:.2e} (tol {TOL['phi']:g}), "
          f"|dout| {worst['out']:.2e} (tol {TOL['out']:g})")
    print(f"{n - len(failed)} passed, {len(failed)} failed")
    if failed:
        print(f"FAIL: samples {failed} of {args.reference} differ from the reference beyond tolerance "
              "or the platform failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
