#!/usr/bin/python3
"""Array physics (lines.physics) at the platform: off changes nothing, on grows the error as it should.

Runs attention_head on seeded inputs with quantization and leakage off, so that the output error
against the ideal attention (output.reference_error) is the lines' own. Checks: with lines.physics
false the line keys change nothing (output.json byte-identical); the IR drop's error grows with the
bit-line length (array.tokens for the V arrays, head_dim for the K arrays); charge sharing's error
grows with the bus parasitics.
"""
import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from gcasim_tools.checks import check, finish_checks  # noqa: E402

IDEAL_NUMERICS = ["quant.enabled=false", "cell.leakage.model=none", "output.reference_error=true"]


def run(binary, workdir, name, sets, tokens=140):
    out = os.path.join(workdir, name)
    args = [binary, "--tokens", str(tokens), "--seed", "5", "--out", out, "--set", "window=128"]
    for s in IDEAL_NUMERICS + sets:
        args += ["--set", s]
    result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"check_array_physics: {name}: exit {result.returncode}: {result.stderr.strip()}")
    with open(os.path.join(out, "output.json"), "rb") as f:
        output = f.read()
    with open(os.path.join(out, "summary.json")) as f:
        summary = json.load(f)
    return output, summary["output_error"]["rms"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--workdir", required=True)
    args = parser.parse_args()
    if not os.access(args.binary, os.X_OK):
        sys.exit(f"check_array_physics: no executable at {args.binary}")
    os.makedirs(args.workdir, exist_ok=True)

    # A larger line resistance than the default makes the drop visible at these small sizes.
    lines = ["lines.r_ohm_per_cell=20"]
    base, _ = run(args.binary, args.workdir, "base", [])
    off, _ = run(args.binary, args.workdir, "off", lines + ["lines.driver_ohm=1e6", "lines.share_ff_per_tile=500",
                                                            "readout.combine=digital_adders"])
    check(off == base, "lines.physics=false: the line keys leave output.json byte-identical")

    on = ["lines.physics=true"] + lines
    by_tokens = [run(args.binary, args.workdir, f"tokens-{n}", on + [f"array.tokens={n}"])[1] for n in (16, 32, 64, 128)]
    check(all(a < b for a, b in zip(by_tokens, by_tokens[1:])),
          f"IR-drop error grows with array.tokens (V bit lines) 16..128: {by_tokens}")
    by_dim = [run(args.binary, args.workdir, f"dim-{d}", on + [f"head_dim={d}"])[1] for d in (16, 64, 256)]
    check(all(a < b for a, b in zip(by_dim, by_dim[1:])), f"IR-drop error grows with head_dim (K bit lines): {by_dim}")

    # Charge sharing without line resistance: only the bus parasitics act.
    sharing = ["lines.physics=true", "lines.r_ohm_per_cell=0", "readout.combine=charge_sharing"]
    by_parasitic = [run(args.binary, args.workdir, f"share-{c}", sharing + [f"lines.share_ff_per_tile={c}"])[1]
                    for c in (0, 5, 50)]
    check(by_parasitic[0] < by_parasitic[1] < by_parasitic[2],
          f"charge-sharing error grows with lines.share_ff_per_tile 0/5/50 fF: {by_parasitic}")

    finish_checks("check_array_physics")


if __name__ == "__main__":
    main()
