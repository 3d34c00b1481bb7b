"""Where the platforms are, and running one of them for its summary.json."""

import json
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN_DIR = os.path.join(REPO, "build", "bin")  # the default build's platforms (scripts/setup)


def set_args(sets):
    """['k=v', ...] -> ['--set', 'k=v', ...]."""
    return [a for s in sets for a in ("--set", s)]


def read_summary(out_dir):
    with open(os.path.join(out_dir, "summary.json")) as f:
        return json.load(f)


def run_platform(prog, command, out_dir):
    """Runs a platform command that writes into out_dir; exits naming the command when it fails.
    Returns its summary.json."""
    p = subprocess.run(command, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"{prog}: {' '.join(command)} failed ({p.returncode}): {p.stderr.strip()}")
    return read_summary(out_dir)
