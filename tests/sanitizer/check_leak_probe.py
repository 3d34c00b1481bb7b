#!/usr/bin/env python3
"""LeakSanitizer on SystemC code (sanitized build only): a leak in an SC_THREAD is reported, a block
held only on sc_main's stack after the simulation is not, and LSan's tracer never dies.

Runs each leak_probe scenario several times (the tracer fault of issue 11 depended on the address
layout) with ASan/LSan options of its own, reports into its own folder (the deliberate leak must
not fail scripts/test's report check), and checks exit codes and reports."""
import argparse
import glob
import os
import shutil
import subprocess
import sys

FATAL = "LeakSanitizer has encountered a fatal error"


def run(binary, scenario, workdir, attempt):
    reports = os.path.join(workdir, f"{scenario}.{attempt}")
    shutil.rmtree(reports, ignore_errors=True)
    os.makedirs(reports)
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = ("exitcode=86:detect_leaks=1:detect_stack_use_after_return=0:"
                           f"log_path={reports}/report")
    env["SYSTEMC_DISABLE_COPYRIGHT_MESSAGE"] = "1"
    p = subprocess.run([binary, scenario], env=env, capture_output=True, text=True, timeout=60)
    text = p.stdout + p.stderr
    for f in sorted(glob.glob(os.path.join(reports, "report*"))):
        text += open(f, errors="replace").read()
    return p.returncode, text


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    failed = passed = 0

    def check(ok, what, text=""):
        nonlocal failed, passed
        if ok:
            passed += 1
            print(f"ok: {what}")
        else:
            failed += 1
            print(f"FAIL: {what}\n{text[-3000:]}")

    for attempt in range(a.repeat):
        rc, text = run(a.binary, "leak_in_thread", a.workdir, attempt)
        check(rc == 86 and "detected memory leaks" in text and "4242 byte(s)" in text
              and "leak_thread" in text and FATAL not in text,
              f"leak_in_thread #{attempt}: exit 86, 4242 bytes reported, allocated in probe::leak_thread "
              f"(exit {rc})", text)
        for scenario in ("held_after_end", "held_after_sc_stop"):
            rc, text = run(a.binary, scenario, a.workdir, attempt)
            check(rc == 0 and "no leaks" in text and "detected memory leaks" not in text
                  and FATAL not in text,
                  f"{scenario} #{attempt}: the block held on sc_main's stack is reachable (exit {rc})", text)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
