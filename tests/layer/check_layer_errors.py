#!/usr/bin/python3
"""Bad inputs to the attention_layer CLI: each must fail with the documented exit code (2 for a bad
config, option or input file; 1 for a failure while running or writing) and a message on stderr
that names the problem, write nothing into a fresh output folder when the input is rejected, and
leave no partial files (*.tmp.*) behind when writing fails half way.

Usage: check_layer_errors.py --binary PATH --workdir DIR [--config FILE]
Exit 0 when every case behaves, 1 otherwise, 2 when the binary is missing.
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import layer_common as lc  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from gcasim_tools.checks import require_binaries  # noqa: E402

DEFAULT_CONFIG = os.path.normpath(os.path.join(HERE, "..", "..", "platforms", "configs", "gpt2_layer.json"))
PREFIX = "attention_layer: error: "
D = 64


def head(tokens, q=0.5, k=0.4, v=0.3):
    return {"q": [[q] * D for _ in range(tokens)], "k": [[k] * D for _ in range(tokens)],
            "v": [[v] * D for _ in range(tokens)]}


def write_json(path, doc):
    with open(path, "w") as f:
        json.dump(doc, f)
    return path


def files_under(path):
    out = []
    for root, _, files in os.walk(path):
        out += [os.path.relpath(os.path.join(root, f), path) for f in files]
    return sorted(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", required=True, help="attention_layer executable")
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--config", default=DEFAULT_CONFIG)
    args = ap.parse_args()
    require_binaries(args.binary)
    ck = lc.Checks("layer_cli_errors")
    w = lc.fresh_dir(args.workdir)
    j = lambda name: os.path.join(w, name)  # noqa: E731

    # Input files.
    twelve = [head(3) for _ in range(12)]
    write_json(j("one_head.json"), {"heads": [head(3)]})
    ragged = [head(3) for _ in range(12)]
    ragged[5]["k"][1] = [0.4] * (D - 1)
    write_json(j("ragged.json"), {"heads": ragged})
    uneven = [head(3) for _ in range(12)]
    uneven[7] = head(4)
    write_json(j("uneven.json"), {"heads": uneven})
    oor = [head(3) for _ in range(12)]
    oor[2]["v"][1][9] = 0.95
    write_json(j("out_of_range.json"), {"heads": oor})
    write_json(j("good.json"), {"heads": twelve})
    with open(j("bad_config.json"), "w") as f:
        f.write('{\n  "heads": 12,\n  "window": 128,,\n  "head_dim": 64\n}\n')   # 2nd comma: line 3, column 17
    with open(j("bad_input.json"), "w") as f:
        f.write('{"heads": [\n{"q": [[0.5, 0.5]\n')                               # truncated
    open(j("a_file"), "w").close()

    cfg = ["--config", args.config]
    short = ["--tokens", "3"]
    # (label, arguments, exit code, fragments that the message must contain)
    cases = [
        ("unknown config key, with a suggestion", ["--set", "windw=128"], 2,
         ["unknown config key 'windw'", "did you mean 'window'"]),
        ("unknown config key in a config file", None, 2, ["head_dimm", "head_dim"]),
        ("trace.head = heads (12)", ["--set", "trace.head=12"], 2, ["trace.head", "12", "out of range", "0 .. 11"]),
        ("trace.tile = sub-tiles (16)", ["--set", "trace.tile=16"], 2, ["trace.tile", "16", "0 .. 15"]),
        ("trace.tile out of range for window 128 (2 sub-tiles)", ["--set", "window=128", "--set", "trace.tile=2"], 2,
         ["trace.tile", "0 .. 1"]),
        ("--input with 1 head for 12 heads", ["--input", j("one_head.json")], 2,
         ["one_head.json", "1 heads", "'heads' says 12"]),
        ("--input with a ragged row", ["--input", j("ragged.json")], 2, ["ragged.json", "head 5", '"k"[1]', "64"]),
        ("--input with heads of different lengths", ["--input", j("uneven.json")], 2,
         ["uneven.json", "head 7", "4 tokens", "3"]),
        ("--input value out of range", ["--input", j("out_of_range.json")], 2,
         ["out_of_range.json", "head 2", '"v"[1][9]', "0.95", "outside"]),
        ("--tokens beyond the input rows", ["--input", j("good.json"), "--tokens", "5"], 2,
         ["--tokens 5", "3 tokens"]),
        ("--input missing", ["--input", j("no_such.json")], 2, ["no_such.json", "No such file"]),
        ("--input malformed JSON", ["--input", j("bad_input.json")], 2, ["bad_input.json", "line 3"]),
        ("config value out of range (window=0)", ["--set", "window=0"], 2, ["window", "0", "out of range"]),
        ("config value out of range (heads=4097)", ["--set", "heads=4097"], 2, ["heads", "4097", "out of range"]),
        ("config value of the wrong type", ["--set", "heads=abc"], 2, ["heads", "abc", "not an integer"]),
        ("config value not in the enumeration", ["--set", "readout.combine=adders"], 2,
         ["readout.combine", "adders", "digital_adders", "charge_sharing"]),
        ("--set without =", ["--set", "heads"], 2, ["--set", "heads", "key=value"]),
        ("malformed JSON config, with line and column", ["--config", j("bad_config.json")], 2,
         ["bad_config.json", "line 3", "column 17"]),
        ("token period shorter than the phases", ["--set", "timing.token_period_ns=60"], 2,
         ["timing.token_period_ns", "60", "65"]),
        ("--tokens 0", ["--tokens", "0"], 2, ["--tokens", "0"]),
        ("--tokens -1", ["--tokens", "-1"], 2, ["--tokens", "'-1'", "not a non-negative integer"]),
        ("--tokens 1.5", ["--tokens", "1.5"], 2, ["--tokens", "'1.5'"]),
        ("--seed abc", ["--seed", "abc"], 2, ["--seed", "'abc'", "not a non-negative integer"]),
        ("--seed beyond 2^64-1", ["--seed", "18446744073709551616"], 2, ["--seed", "18446744073709551616"]),
        ("unknown option", ["--bogus"], 2, ["--bogus"]),
        ("--out under a file", None, 1, ["a_file", "output folder"]),
    ]
    write_json(j("unknown_key.json"), {"heads": 12, "head_dimm": 64})

    for n, (label, extra, code, fragments) in enumerate(cases):
        out = j(f"out_{n:02d}")                      # fresh, does not exist yet
        if label.startswith("unknown config key in a config file"):
            argv = ["--config", j("unknown_key.json"), "--out", out] + short
        elif label.startswith("--out under a file"):
            out = os.path.join(j("a_file"), "sub")
            argv = cfg + short + ["--out", out]
        elif extra[0] == "--config":
            argv = extra + ["--out", out] + short
        elif "--tokens" in extra:
            argv = cfg + extra + ["--out", out]
        else:
            argv = cfg + extra + short + ["--out", out]
        try:
            p = lc.run(args.binary, argv, timeout_s=60)
        except lc.PlatformError as e:
            ck.check(False, label, str(e))
            continue
        err = p.stderr.strip()
        missing = [f for f in fragments if f not in err]
        ok = p.returncode == code and err.startswith(PREFIX) and not missing and "\n" not in err
        ck.check(ok, f"{label}: exit {code}, one-line message naming the problem",
                 f"exit {p.returncode}, stderr {err!r}" + (f"; missing {missing}" if missing else ""))
        left = files_under(out) if os.path.isdir(out) else []
        ck.check(not left, f"{label}: nothing written to the output folder", f"found {left}" if left else "")

    # A run that fails half way through writing: output.json's place is taken by a folder, so its
    # rename fails after energy.csv and the traces were written. No temporary file may remain.
    out = lc.fresh_dir(j("late_failure"))
    os.makedirs(os.path.join(out, "output.json", "occupied"))
    p = lc.run(args.binary, cfg + short + ["--set", "trace.vcd=true", "--set", "trace.timeline=true", "--out", out])
    err = p.stderr.strip()
    ck.check(p.returncode == 1 and err.startswith(PREFIX) and "output.json" in err,
             "output.json blocked by a folder: exit 1 with a message naming output.json",
             f"exit {p.returncode}, stderr {err!r}")
    tmp = [f for f in files_under(out) if ".tmp." in f]
    ck.check(not tmp, "no partial files (*.tmp.*) left after the failed run", f"found {tmp}" if tmp else
             f"folder holds {files_under(out)}")
    ck.check(not os.path.exists(os.path.join(out, "summary.json")),
             "no summary.json after the failed run (a summary would claim success)")

    # The same with the VCD's place taken: the failure comes while the traces are finished.
    out = lc.fresh_dir(j("late_failure_vcd"))
    os.makedirs(os.path.join(out, "trace.vcd", "occupied"))
    p = lc.run(args.binary, cfg + short + ["--set", "trace.vcd=true", "--out", out])
    err = p.stderr.strip()
    ck.check(p.returncode == 1 and "trace.vcd" in err, "trace.vcd blocked by a folder: exit 1 naming trace.vcd",
             f"exit {p.returncode}, stderr {err!r}")
    tmp = [f for f in files_under(out) if ".tmp." in f]
    ck.check(not tmp, "no partial files (*.tmp.*) left after the failed trace run", f"found {tmp}" if tmp else
             f"folder holds {files_under(out)}")

    # Control: the same arguments without the fault succeed, so the cases above fail for their fault.
    out = j("control")
    p = lc.run(args.binary, cfg + short + ["--input", j("good.json"), "--out", out])
    ck.check(p.returncode == 0 and os.path.isfile(os.path.join(out, "summary.json")),
             "control: a valid 12-head input file and --tokens 3 run (exit 0, summary.json)",
             f"exit {p.returncode}, stderr {p.stderr.strip()[-300:]!r}")
    return ck.finish()


if __name__ == "__main__":
    sys.exit(main())
