#!/usr/bin/python3
"""Same config and seed, same bytes: both platforms, run twice, must write identical outputs.

Usage: check_determinism.py --head BIN --layer BIN --workdir DIR

For each platform (small sizes, VCD and Perfetto traces on) the same command runs twice into the
same output folder (the first run's files are moved aside), and
  - output.json, energy.csv, trace.vcd and timeline.json must be byte-identical;
  - summary.json must be identical except for the wall-clock keys (wall_time_s, tokens_per_second);
  - a third run with another thread count (sim.threads 1 -> 3) must give the same bytes too
    (summary.json: also except the thread count itself);
  - a run with another seed must change output.json.
Exit 0 on success, 1 on any difference or platform failure, 2 on bad usage.
"""
import argparse
import filecmp
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from gcasim_tools.checks import require_binaries  # noqa: E402

TIMEOUT_S = 600
WALL_CLOCK_KEYS = {"wall_time_s", "tokens_per_second"}
BYTE_IDENTICAL = ["output.json", "energy.csv", "trace.vcd", "timeline.json"]

# Small runs that still fill the window (so leakage, ring reuse and full-window energy rows appear).
RUNS = {
    "head": ["--set", "window=64", "--set", "array.tokens=32", "--tokens", "96",
             "--set", "trace.vcd=true", "--set", "trace.timeline=true", "--set", "trace.tile=1"],
    "layer": ["--set", "heads=3", "--set", "window=64", "--set", "array.tokens=32", "--tokens", "80",
              "--set", "trace.vcd=true", "--set", "trace.timeline=true", "--set", "trace.head=2",
              "--set", "input.distribution=gaussian"],
}
SEED, OTHER_SEED = "12345", "12346"
THREADS, OTHER_THREADS = "1", "3"  # sim.threads: MAC arithmetic in the simulation thread, or 3 workers


def run(binary, args, out, log):
    argv = [binary, "--out", out, "--seed"] + args
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=TIMEOUT_S)
    with open(log, "wb") as f:
        f.write(p.stdout + p.stderr)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited with {p.returncode}: {p.stderr.decode(errors='replace').strip()}")


def summary_without_wall_clock(path, threads_too=False):
    with open(path) as f:
        s = json.load(f)
    for key in WALL_CLOCK_KEYS:
        s.pop(key, None)
    if threads_too:  # the thread count is reported, so it differs by design
        s.pop("threads", None)
        s.get("config", {}).get("sim", {}).pop("threads", None)
    return s


def check_platform(name, binary, workdir):
    problems = []
    base = os.path.join(workdir, name)
    shutil.rmtree(base, ignore_errors=True)
    os.makedirs(base)
    out = os.path.join(base, "out")
    runs = []
    for i, (seed, threads) in enumerate([(SEED, THREADS), (SEED, THREADS), (SEED, OTHER_THREADS),
                                         (OTHER_SEED, THREADS)]):
        run(binary, [seed, "--set", f"sim.threads={threads}"] + RUNS[name], out, os.path.join(base, f"run{i}.log"))
        kept = os.path.join(base, f"run{i}")
        os.rename(out, kept)
        runs.append(kept)
    first, second, threaded, other = runs
    for f in BYTE_IDENTICAL + ["summary.json"]:
        if not os.path.isfile(os.path.join(first, f)):
            problems.append(f"{f} was not written")
    if problems:
        return problems
    for f in BYTE_IDENTICAL:
        a, b = os.path.join(first, f), os.path.join(second, f)
        if not filecmp.cmp(a, b, shallow=False):
            problems.append(f"{f} differs between two runs with seed {SEED} (diff {a} {b})")
        else:
            print(f"  {name}: {f} identical ({os.path.getsize(a)} bytes)")
    sa = summary_without_wall_clock(os.path.join(first, "summary.json"))
    sb = summary_without_wall_clock(os.path.join(second, "summary.json"))
    if sa != sb:
        keys = sorted(k for k in set(sa) | set(sb) if sa.get(k) != sb.get(k))
        problems.append(f"summary.json differs beyond {sorted(WALL_CLOCK_KEYS)}: keys {keys}")
    else:
        print(f"  {name}: summary.json identical but for {', '.join(sorted(WALL_CLOCK_KEYS))}")
    thread_problems = []
    for f in BYTE_IDENTICAL:
        a, b = os.path.join(first, f), os.path.join(threaded, f)
        if not os.path.isfile(b) or not filecmp.cmp(a, b, shallow=False):
            thread_problems.append(f"{f} differs between sim.threads={THREADS} and sim.threads={OTHER_THREADS} "
                                   f"(diff {a} {b})")
    if summary_without_wall_clock(os.path.join(first, "summary.json"), threads_too=True) != \
            summary_without_wall_clock(os.path.join(threaded, "summary.json"), threads_too=True):
        thread_problems.append(f"summary.json differs between sim.threads={THREADS} and {OTHER_THREADS}")
    if thread_problems:
        problems += thread_problems
    else:
        print(f"  {name}: sim.threads={OTHER_THREADS} gives the same bytes as sim.threads={THREADS}")
    if filecmp.cmp(os.path.join(first, "output.json"), os.path.join(other, "output.json"), shallow=False):
        problems.append(f"output.json is the same for seeds {SEED} and {OTHER_SEED}")
    else:
        print(f"  {name}: seed {OTHER_SEED} changes output.json")
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
    for name, binary in binaries.items():
        try:
            problems = check_platform(name, binary, workdir)
        except (RuntimeError, subprocess.TimeoutExpired) as e:
            problems = [str(e)]
        for p in problems:
            print(f"FAIL: {name}: {p}", flush=True)
        if problems:
            failed = True
        else:
            print(f"ok: {name} is deterministic", flush=True)
    if failed:
        print("FAIL: outputs are not reproducible (see above)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
