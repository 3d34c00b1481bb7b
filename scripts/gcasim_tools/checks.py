"""What the Python checks under tests/ share: the platform binaries they are given, an address-space
cap for their runs, the "ok / FAIL" lines of single checks and the closing report of a list of cases. A check imports it after
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
"""

import functools
import os
import resource
import sys


def require_binaries(*paths):
    """Exits 2 with one FAIL line when a path is not an executable file (nothing can be checked)."""
    for path in paths:
        if not (path and os.path.isfile(path) and os.access(path, os.X_OK)):
            print(f"FAIL: platform binary not found or not executable: {path}", file=sys.stderr)
            sys.exit(2)


@functools.lru_cache(maxsize=None)
def is_asan(binary):
    """True for a binary built with AddressSanitizer (it reserves terabytes of address space)."""
    with open(binary, "rb") as f:
        return b"__asan_init" in f.read()


def address_space_cap(binary, limit_bytes):
    """A preexec_fn that caps the run's address space, so that an unbounded allocation fails fast
    instead of filling the machine; None for an AddressSanitizer build, which a cap stops before main."""
    if is_asan(binary):
        return None
    return lambda: resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))


def report_cases(failed, total, kind="cases"):
    """'N of M <kind> passed', the failed names on stderr; the exit status (0 or 1)."""
    print(f"{total - len(failed)} of {total} {kind} passed")
    if failed:
        print(f"FAIL: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


_failed_checks = []


def check(condition, what):
    """Prints 'ok   <what>' or 'FAIL <what>'; a failure is remembered for finish_checks()."""
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        _failed_checks.append(what)
    return condition


def failed_checks():
    """The descriptions of the checks that failed so far."""
    return list(_failed_checks)


def finish_checks(name):
    """Exits 1 with '<name>: N check(s) failed' after a failure, else prints that all passed."""
    if _failed_checks:
        sys.exit(f"{name}: {len(_failed_checks)} check(s) failed")
    print(f"{name}: all checks passed")
