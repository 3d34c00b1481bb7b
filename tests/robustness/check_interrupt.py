#!/usr/bin/python3
"""Ctrl-C (SIGINT) and SIGTERM during a run: a clean stop with complete outputs of the finished tokens.

Usage: check_interrupt.py --head BIN --layer BIN --workdir DIR

For each case (attention_head with SIGINT, attention_layer with SIGTERM) the same command runs
  1. to the end (the reference), then
  2. again, and the signal is sent once the simulation is under way (energy.csv's temporary file
     has its first rows).
The interrupted run must exit 130 with one line on stderr, write summary.json with
"interrupted": true and 0 < tokens < the requested tokens, leave no temporary files, and its
energy.csv and output.json must be exactly the reference's first `tokens` rows: the outputs of what
finished, complete, and nothing else.
Exit 0 on success, 1 on any failure, 2 on bad usage.
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from gcasim_tools.checks import require_binaries  # noqa: E402

TIMEOUT_S = 600  # the reference runs are a few seconds, longer with the sanitizers
DIM = 4  # small heads: the runs are long in tokens, short in time and memory
CASES = [
    # (name, platform, signal, tokens, extra arguments)
    ("head_sigint", "head", signal.SIGINT, 60000,
     ["--set", f"head_dim={DIM}", "--set", "window=64", "--set", "output.attention_matrices=false"]),
    ("layer_sigterm", "layer", signal.SIGTERM, 30000,
     ["--set", "heads=2", "--set", f"head_dim={DIM}", "--set", "window=64"]),
]
SEED = "7"


def output_rows(path, platform):
    """The output rows per head: [[row, ...]] (one head for attention_head)."""
    with open(path) as f:
        doc = json.load(f)
    return [doc["out"]] if platform == "head" else [h["out"] for h in doc["heads"]]


def check_case(name, platform, signum, tokens, extra, binary, workdir):
    problems = []
    base = os.path.join(workdir, name)
    shutil.rmtree(base, ignore_errors=True)
    os.makedirs(base)
    argv = [binary, "--tokens", str(tokens), "--seed", SEED] + extra
    ref, out = os.path.join(base, "reference"), os.path.join(base, "interrupted")

    p = subprocess.run(argv + ["--out", ref], stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT_S)
    if p.returncode != 0:
        return [f"reference run exited with {p.returncode}: {p.stderr.decode(errors='replace').strip()}"]

    p = subprocess.Popen(argv + ["--out", out], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    deadline = time.monotonic() + TIMEOUT_S
    sent = False
    while p.poll() is None and time.monotonic() < deadline:
        try:
            started = any(f.startswith("energy.csv.tmp.") and os.path.getsize(os.path.join(out, f)) > 0
                          for f in os.listdir(out))
        except OSError:  # the folder or the file is not there yet
            started = False
        if started:
            p.send_signal(signum)
            sent = True
            break
        time.sleep(0.005)
    try:
        stdout, stderr = p.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        p.kill()
        return [f"no exit within {TIMEOUT_S} s after {signal.Signals(signum).name}"]
    stderr = stderr.decode(errors="replace")
    with open(os.path.join(base, "interrupted.log"), "w") as f:
        f.write(stdout.decode(errors="replace") + stderr)
    if not sent:
        return [f"the run ended (exit {p.returncode}) before energy.csv had rows: use more tokens"]

    lines = stderr.splitlines()
    want = f"attention_{platform}: interrupted; outputs cover the tokens that finished"
    if p.returncode != 130:
        problems.append(f"exit code {p.returncode}, expected 130 (stderr: {stderr.strip()!r})")
    if lines != [want]:
        problems.append(f"stderr should be exactly {want!r}, got {lines!r}")
    left = sorted(f for f in os.listdir(out) if ".tmp." in f)
    if left:
        problems.append(f"temporary files left in the output folder: {left}")
    try:
        with open(os.path.join(out, "summary.json")) as f:
            summary = json.load(f)
        with open(os.path.join(ref, "summary.json")) as f:
            ref_summary = json.load(f)
        with open(os.path.join(out, "energy.csv")) as f:
            csv_lines = f.read().splitlines()
        with open(os.path.join(ref, "energy.csv")) as f:
            ref_csv_lines = f.read().splitlines()
        rows, ref_rows = output_rows(os.path.join(out, "output.json"), platform), \
            output_rows(os.path.join(ref, "output.json"), platform)
    except (OSError, ValueError, KeyError, TypeError) as e:
        return problems + [f"outputs missing or unreadable: {e}"]

    done = summary.get("tokens")
    if summary.get("interrupted") is not True:
        problems.append(f"summary.json: interrupted = {summary.get('interrupted')!r}, expected true")
    if ref_summary.get("interrupted") is not False or ref_summary.get("tokens") != tokens:
        problems.append("the reference summary.json should say interrupted false and all tokens")
    if not (isinstance(done, int) and 0 < done < tokens):
        return problems + [f"summary.json: tokens = {done!r}, expected 0 < tokens < {tokens}"]
    if len(csv_lines) != done + 1:
        problems.append(f"energy.csv has {len(csv_lines) - 1} rows, summary.json says {done} tokens")
    elif csv_lines != ref_csv_lines[:done + 1]:
        problems.append(f"energy.csv differs from the reference's first {done} rows")
    if len(rows) != len(ref_rows):
        problems.append(f"output.json has {len(rows)} heads, the reference {len(ref_rows)}")
    for h, (got, full) in enumerate(zip(rows, ref_rows)):
        if len(got) != done:
            problems.append(f"output.json head {h}: {len(got)} rows, summary.json says {done} tokens")
        elif got != full[:done]:
            problems.append(f"output.json head {h} differs from the reference's first {done} rows")
    if not problems:
        print(f"ok: {name}: {signal.Signals(signum).name} after {done} of {tokens} tokens: exit 130, "
              f"energy.csv and output.json are the reference's first {done} rows, no temporary files",
              flush=True)
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--head", required=True, help="build/bin/attention_head")
    ap.add_argument("--layer", required=True, help="build/bin/attention_layer")
    ap.add_argument("--workdir", required=True, help="scratch folder")
    args = ap.parse_args()
    binaries = {"head": os.path.abspath(args.head), "layer": os.path.abspath(args.layer)}
    require_binaries(*binaries.values())
    workdir = os.path.abspath(args.workdir)
    os.makedirs(workdir, exist_ok=True)
    failed = False
    for name, platform, signum, tokens, extra in CASES:
        try:
            problems = check_case(name, platform, signum, tokens, extra, binaries[platform], workdir)
        except subprocess.TimeoutExpired as e:
            problems = [f"timed out: {e}"]
        for problem in problems:
            print(f"FAIL: {name}: {problem}", flush=True)
        failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
