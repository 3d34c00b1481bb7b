#!/usr/bin/python3
"""Golden-output regression: runs one case of cases.json and compares its outputs with the committed ones.

Usage: check_golden.py BIN_DIR CASE [--update]
  BIN_DIR   folder of the platform binaries (build/bin)
  CASE      a key of cases.json
  --update  write the outputs as the new goldens (a deliberate change of numbers: say why in the commit)

Exit 0 when every file is byte-identical (or its SHA-256 matches), 1 otherwise, 2 on a usage error.
The goldens hold for the default build (GCASIM_ARCH=x86-64-v3): another -march may differ in the last bits.
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CONTEXT_CHARS = 160  # of a differing line shown


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def first_difference(golden, actual):
    """One paragraph locating the first differing line of two text files."""
    with open(golden, "rb") as f:
        g = f.read().split(b"\n")
    with open(actual, "rb") as f:
        a = f.read().split(b"\n")
    differing = sum(1 for x, y in zip(g, a) if x != y) + abs(len(g) - len(a))
    for i, (x, y) in enumerate(zip(g, a)):
        if x != y:
            return (f"{differing} line(s) differ; first at line {i + 1}:\n"
                    f"    golden: {x[:CONTEXT_CHARS].decode(errors='replace')}\n"
                    f"    actual: {y[:CONTEXT_CHARS].decode(errors='replace')}")
    return f"{len(g)} golden lines, {len(a)} actual lines (one is a prefix of the other)"


def run_case(bin_dir, case, out):
    command = [os.path.join(bin_dir, case["platform"])] + case["args"] + ["--out", out]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"FAIL: {' '.join(command)} exited {result.returncode}:\n{result.stderr}")


def compare_files(name, case, out):
    failures = 0
    for f in case["files"]:
        golden, actual = os.path.join(HERE, name, f), os.path.join(out, f)
        if not os.path.exists(golden):
            print(f"FAIL: {name}/{f}: no golden file (run with --update to create it)")
            failures += 1
        elif open(golden, "rb").read() != open(actual, "rb").read():
            print(f"FAIL: {name}/{f} differs from the golden: {first_difference(golden, actual)}")
            failures += 1
        else:
            print(f"ok: {name}/{f} byte-identical ({os.path.getsize(actual)} bytes)")
    return failures


def compare_sha256(name, case, out):
    sums_path = os.path.join(HERE, name, "SHA256SUMS")
    golden = {}
    if os.path.exists(sums_path):
        for line in open(sums_path):
            digest, f = line.split()
            golden[f] = digest
    failures = 0
    for f in case["files"]:
        digest = sha256(os.path.join(out, f))
        if golden.get(f) == digest:
            print(f"ok: {name}/{f} SHA-256 {digest[:16]}... as golden")
        else:
            print(f"FAIL: {name}/{f} SHA-256 {digest} != golden {golden.get(f, '(none)')}")
            failures += 1
    return failures


def update(name, case, out):
    folder = os.path.join(HERE, name)
    os.makedirs(folder, exist_ok=True)
    if case["compare"] == "sha256":
        with open(os.path.join(folder, "SHA256SUMS"), "w") as f:
            for name_ in case["files"]:
                f.write(f"{sha256(os.path.join(out, name_))}  {name_}\n")
    else:
        for f in case["files"]:
            shutil.copyfile(os.path.join(out, f), os.path.join(folder, f))
    print(f"updated the goldens of {name} in {folder}")


def main(argv):
    args = [a for a in argv if a != "--update"]
    if len(args) != 2 or args[0] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    bin_dir, name = args
    cases = json.load(open(os.path.join(HERE, "cases.json")))
    if name not in cases or name.startswith("_"):
        print(f"check_golden: unknown case '{name}' (cases: {', '.join(k for k in cases if not k.startswith('_'))})",
              file=sys.stderr)
        return 2
    case = cases[name]
    with tempfile.TemporaryDirectory(prefix=f"golden_{name}.") as tmp:
        out = os.path.join(tmp, "out")
        run_case(bin_dir, case, out)
        if "--update" in argv:
            update(name, case, out)
            return 0
        compare = compare_sha256 if case["compare"] == "sha256" else compare_files
        failures = compare(name, case, out)
    if failures:
        print(f"{failures} file(s) differ from the goldens of {name}. If the change of numbers is intended, "
              f"regenerate with: tests/golden_outputs/check_golden.py {bin_dir} {name} --update "
              f"(and say why in the commit)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
