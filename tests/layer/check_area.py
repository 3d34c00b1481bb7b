#!/usr/bin/python3
"""The area and provenance reports of the attention_layer platform (docs/cost_model.md, Area).

Usage: check_area.py --binary PATH --workdir DIR

One-token runs (the area does not depend on the tokens): summary.json's area_mm2 adds up (the
blocks make the head, the sub-tiles plus the adders and the control make the head, the layer is H
heads); the sub-tiles' part is linear in the window (1024, 2048, 4096); tiers divide the cells and
nothing else; a design-point head is the published 0.5 mm^2 +- 10 %; the console's area line says
the summary's figures; provenance names a well-formed source for keys of the config only.
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

PUBLISHED_HEAD_MM2 = 0.5  # paper: about 0.5 mm^2 per head with its control (docs/hardware.md section 9)
REL = 1e-12               # floating-point sums of the same terms


def area_run(binary, workdir, name, sets):
    out = lc.fresh_dir(os.path.join(workdir, name))
    args = ["--tokens", 1, "--out", out, "--set", "output.head_outputs=false"]
    for s in sets:
        args += ["--set", s]
    proc = lc.run_ok(binary, args)
    with open(os.path.join(out, "summary.json")) as f:
        return json.load(f), proc.stdout


def flatten(config, prefix=""):
    keys = set()
    for k, v in config.items():
        path = prefix + k
        keys |= flatten(v, path + ".") if isinstance(v, dict) else {path}
    return keys


def check_sums(c, summary, what):
    a = summary["area_mm2"]
    by_block = a["by_block"]
    c.rel(sum(by_block.values()), a["per_head"], REL, f"{what}: the blocks add up to the head")
    tiles = summary["sub_tiles_per_head"] * a["per_sub_tile"]
    c.rel(tiles + by_block["adders"] + by_block["control"], a["per_head"], REL,
          f"{what}: N sub-tiles + adders + control = the head")
    c.rel(a["layer"], summary["heads"] * a["per_head"], REL, f"{what}: the layer is H heads")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", required=True)
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()
    require_binaries(args.binary)
    c = lc.Checks("check_area")

    design, stdout = area_run(args.binary, args.workdir, "design_point", [])
    area = design["area_mm2"]
    check_sums(c, design, "design point")
    c.rel(area["per_head"], PUBLISHED_HEAD_MM2, 0.10, "a design-point head is the published 0.5 mm^2")
    line = next((l for l in stdout.splitlines() if l.lstrip().startswith("area ")), "")
    c.check(f"{area['per_head']:.4g} mm^2 per head" in line and f"{area['layer']:.4g} mm^2 per layer" in line,
            "the console's area line gives the head and the layer", line.strip())

    tiles = {}
    for window in (1024, 2048, 4096):
        s, _ = area_run(args.binary, args.workdir, f"window_{window}", [f"window={window}", "heads=1"])
        check_sums(c, s, f"window {window}")
        a = s["area_mm2"]
        tiles[window] = a["per_head"] - a["by_block"]["adders"] - a["by_block"]["control"]
        c.equal(a["per_sub_tile"], area["per_sub_tile"], f"window {window}: a sub-tile does not depend on the window")
    c.rel(tiles[2048], 2 * tiles[1024], REL, "window 2048: twice the sub-tiles' area of 1024")
    c.rel(tiles[4096], 4 * tiles[1024], REL, "window 4096: four times the sub-tiles' area of 1024")

    stacked, _ = area_run(args.binary, args.workdir, "tiers_12", ["array.tiers=12"])
    check_sums(c, stacked, "12 tiers")
    for block, planar in area["by_block"].items():
        got = stacked["area_mm2"]["by_block"][block]
        if block == "cells":
            c.rel(got, planar / 12, REL, "12 tiers: the cells' footprint is a twelfth")
        else:
            c.equal(got, planar, f"12 tiers: {block} stays")

    provenance = design.get("provenance", {})
    known = flatten(design["config"])
    c.check(len(provenance) > 0 and set(provenance) <= known, "provenance names keys of the config only",
            f"{len(provenance)} keys")
    malformed = [k for k, v in provenance.items() if not v.split(": ", 1)[0] in ("paper", "derived", "assumed")
                 or not v.split(": ", 1)[-1].strip()]
    c.equal(malformed, [], "every source reads paper: / derived: / assumed: with a text")
    for key in ("window", "heads", "cell.area_um2", "array.tiers", "digital.control_area_mm2"):
        c.check(key in provenance, f"provenance of {key}", provenance.get(key, "missing"))
    return c.finish()


if __name__ == "__main__":
    try:
        sys.exit(main())
    except lc.PlatformError as e:
        print(f"FAIL: {e}", file=sys.stderr)
        sys.exit(1)
