#!/usr/bin/python3
"""Each non-ideality changes what it should, and nothing when it is off (CLI level).

Runs attention_head on seeded inputs: baseline (all off) versus each key switched on, twice with the
same noise.seed and once with another. Checks: off = byte-identical to the baseline; on = a
different output; same seed = identical; other seed = different; and effects that follow from the
model (read noise grows the error against the ideal attention; refresh restores decayed values;
tau spread does nothing without leakage; the refresh energy appears only with refresh on).
"""
import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from gcasim_tools.checks import check, finish_checks  # noqa: E402


def run(binary, workdir, name, sets, tokens=160):
    out = os.path.join(workdir, name)
    args = [binary, "--tokens", str(tokens), "--seed", "3", "--out", out, "--set", "window=100",
            "--set", "output.reference_error=true"]
    for s in sets:
        args += ["--set", s]
    result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"check_nonidealities: {name}: exit {result.returncode}: {result.stderr.strip()}")
    with open(os.path.join(out, "output.json"), "rb") as f:
        output = f.read()
    with open(os.path.join(out, "summary.json")) as f:
        summary = json.load(f)
    return output, summary


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--workdir", required=True)
    args = parser.parse_args()
    if not os.access(args.binary, os.X_OK):
        sys.exit(f"check_nonidealities: no executable at {args.binary}")
    os.makedirs(args.workdir, exist_ok=True)

    base, base_summary = run(args.binary, args.workdir, "base", [])
    knobs = {
        "noise.cell_variation": "0.05",
        "noise.read_sigma": "1.0",
        "noise.tau_spread": "0.5",
        "noise.dac_sigma": "0.02",
        "noise.c2p_offset_sigma": "2.0",
        "noise.counter_offset_sigma": "0.02",
    }
    for key, value in knobs.items():
        off, _ = run(args.binary, args.workdir, key + "-off", [f"{key}=0"])
        check(off == base, f"{key}=0 leaves output.json byte-identical")
        on, _ = run(args.binary, args.workdir, key + "-on", [f"{key}={value}"])
        again, _ = run(args.binary, args.workdir, key + "-again", [f"{key}={value}"])
        other, _ = run(args.binary, args.workdir, key + "-seed", [f"{key}={value}", "noise.seed=99"])
        check(on != base, f"{key}={value} changes the output")
        check(on == again, f"{key}={value}: same noise.seed, same output")
        check(on != other, f"{key}={value}: another noise.seed, another output")

    # Read noise: the error against the ideal attention grows with sigma.
    errors = [run(args.binary, args.workdir, f"noise-{s}", [f"noise.read_sigma={s}"])[1]["output_error"]["rms"]
              for s in ("0", "2", "8")]
    check(errors[0] < errors[1] < errors[2], f"rms error grows with read noise: {errors}")

    # Tau spread only acts through leakage.
    no_leak, _ = run(args.binary, args.workdir, "noleak", ["cell.leakage.model=none"])
    no_leak_spread, _ = run(args.binary, args.workdir, "noleak-spread", ["cell.leakage.model=none",
                                                                          "noise.tau_spread=0.5"])
    check(no_leak == no_leak_spread, "noise.tau_spread does nothing without leakage")

    # Refresh: with a token period of tau/20 the old values decay; sensing a cell and re-writing the
    # nearest DAC level restores them (so refresh needs the quantized levels).
    slow = ["timing.token_period_ns=250000", "cell.leakage.tau_ns=5e6"]
    _, leaky = run(args.binary, args.workdir, "slow", slow)
    _, refreshed = run(args.binary, args.workdir, "slow-refresh", slow + ["refresh.enabled=true",
                                                                           "refresh.age_ns=200000"])
    e_leaky, e_fresh = leaky["output_error"]["rms"], refreshed["output_error"]["rms"]
    check(e_fresh < 0.5 * e_leaky, f"refresh cuts the leakage error: rms {e_leaky:.4g} -> {e_fresh:.4g}")
    energy = lambda s: s["energy_per_token_pj"]["mean"]["refresh"]
    check(energy(leaky) == 0 and energy(refreshed) > 0,
          f"refresh energy only with refresh on: {energy(leaky)} / {energy(refreshed):.1f} pJ per token")
    check(base_summary["energy_per_token_pj"]["mean"]["refresh"] == 0, "no refresh energy by default")

    finish_checks("check_nonidealities")
    return 0


if __name__ == "__main__":
    sys.exit(main())
