#!/usr/bin/env python3
"""Every SystemC entry point runs its simulation through gcasim::run_simulation()
(modules/util/simulation.h), which hands AddressSanitizer the main stack back afterwards: a direct
sc_start() call anywhere else in the sources fails this test, with the places listed."""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
allowed = {root / "modules" / "util" / "simulation.cpp"}
call = re.compile(r"\bsc_start\s*\(")
offenders = []
for folder in ("modules", "platforms", "testbenches", "tests"):
    for path in sorted((root / folder).rglob("*")):
        if path.suffix not in (".cpp", ".h", ".hpp", ".cc") or path in allowed:
            continue
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            code = line.split("//", 1)[0]
            if call.search(code):
                offenders.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
if offenders:
    print("FAIL: sc_start() called directly; use gcasim::run_simulation() (modules/util/simulation.h):")
    print("\n".join(offenders))
    sys.exit(1)
print("ok: no direct sc_start() outside modules/util/simulation.cpp")
print("1 passed, 0 failed")
