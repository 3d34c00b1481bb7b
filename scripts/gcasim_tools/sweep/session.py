"""One sweep invocation after its spec is checked: run the points not done (retrying the failed
ones), then gather, plot and report. Exit statuses as in docs/sweeps.md."""

import json
import os
import shlex
import sys
import time

from gcasim_tools.files import atomic_write_json, remove_file, tail
from gcasim_tools.sweep.local import run_local
from gcasim_tools.sweep.pareto import mark_pareto, objectives_of
from gcasim_tools.sweep.plot import plot
from gcasim_tools.sweep.points import POINTS_FILE, describe, point_state, worth_retrying
from gcasim_tools.sweep.progress import Progress, progress_wanted
from gcasim_tools.sweep.results import gather, write_csv
from gcasim_tools.sweep.slurm import run_slurm
from gcasim_tools.sweep.values import csv_value


def out_dir_problem(path):
    """Why --out PATH cannot be the sweep's folder (checked before anything runs), or None."""
    if os.path.exists(path) and not os.path.isdir(path):
        return "exists and is not a folder"
    d = os.path.normpath(path)
    while not os.path.lexists(d):
        d = os.path.dirname(d) or "."
    if not os.path.isdir(d):
        return f"{d} is not a folder"
    if not os.access(d, os.W_OK | os.X_OK):
        return f"{d} is not writable"
    return None


def run_points(args, sweep, spec, points, out_dir, binary, jobs, sweep_script):
    """Runs the points that are not done (missing, failed, stale or incomplete), then the failed
    ones again, up to --retry times; `sweep_script` runs a point (--run-point). Returns (backend, seconds, note per point, reused, run) or an
    exit status."""
    try:
        os.makedirs(out_dir, exist_ok=True)
        atomic_write_json(os.path.join(out_dir, POINTS_FILE), {
            "spec": os.path.abspath(args.spec), "spec_content": spec, "platform": sweep["platform"],
            "binary": binary, "backend": args.backend, "varied": sweep["varied"],
            "timeout_s": sweep["timeout_s"], "points": points})
        # Results of an earlier run into the same folder must not survive a failed gather.
        for name in ("results.csv", "results.png"):
            remove_file(os.path.join(out_dir, name))
    except OSError as e:
        print(f"sweep: error: --out {out_dir}: cannot write there: {e.strerror}", file=sys.stderr)
        return 2
    states = [point_state(pt)[0] for pt in points]
    todo = [pt for pt, st in zip(points, states) if st != "done"]
    why = ", ".join(f"{states.count(st)} {st}" for st in ("missing", "failed", "stale", "incomplete")
                    if st in states)
    print(f"sweep: {len(points)} point(s): {len(points) - len(todo)} reused (done, same config), "
          f"{len(todo)} to run" + (f" ({why})" if todo else ""), flush=True)
    t0, notes, ran = time.time(), {}, len(todo)
    for attempt in range(args.retry + 1):
        if not todo:
            break
        if attempt:
            print(f"sweep: retry {attempt} of {args.retry}: {len(todo)} failed point(s)", flush=True)
        for pt in todo:
            notes.pop(pt["index"], None)
        with Progress("sweep", len(todo), "points", progress_wanted(args.quiet)) as bar:
            if args.backend == "local":
                notes.update(run_local(todo, out_dir, min(jobs, len(todo)), sweep_script, bar))
            else:
                timeout = args.timeout if args.timeout is not None else 3600.0
                notes.update(run_slurm(todo, len(points), out_dir, args.jobs, sweep_script, sweep, timeout,
                                       args.poll, bar))
        todo = [pt for pt in todo if worth_retrying(pt)]
    return args.backend, time.time() - t0, notes, len(points) - ran, ran


def report(args, sweep, points, out_dir, backend_note, elapsed, notes):
    """Gathers results.csv, plots results.png, prints the failures; returns the exit status."""
    rows, columns = gather(points, out_dir, sweep["varied"], notes)
    if sweep["plot"].get("kind") == "pareto":
        mark_pareto(rows, objectives_of(sweep["plot"], columns))
        columns.insert(columns.index("error"), "pareto")
    csv_path = os.path.join(out_dir, "results.csv")
    write_csv(rows, columns, csv_path)
    png_path = os.path.join(out_dir, "results.png")
    title = f"{os.path.basename(args.spec)}: {sweep['platform']}"
    try:
        plot(rows, columns, sweep, png_path, title)
    except Exception as e:  # a plot problem must not lose the CSV
        print(f"sweep: warning: plotting failed: {type(e).__name__}: {e}", file=sys.stderr)
        png_path = None
    failed = [r for r, pt in zip(rows, points) if r["status"] != "ok"]
    print(f"sweep: {len(rows) - len(failed)}/{len(rows)} point(s) ok in {fmt_duration(elapsed)} "
          f"({backend_note}); {csv_path}" + (f", {png_path}" if png_path else ""))
    if failed:
        print(f"sweep: {len(failed)} point(s) FAILED:", file=sys.stderr)
        by_index = {f"{pt['index']:04d}": pt for pt in points}
        for r in failed[:5]:
            pt = by_index[r["point"]]
            print(f"--- point {r['point']} ({describe(pt)}): exit code {csv_value(r['exit_code']) or '-'}"
                  f"{', ' + r['error'] if r['error'] else ''}", file=sys.stderr)
            print(f"    command: {' '.join(shlex.quote(a) for a in pt['argv'])}", file=sys.stderr)
            err = tail(os.path.join(pt["dir"], "stderr.txt"), 15)
            if not err and args.backend == "slurm":
                err = tail(os.path.join(out_dir, "slurm", f"task-{pt['index']}.out"), 15)
            if err:
                print("    stderr:\n" + "".join("      " + l + "\n" for l in err.rstrip("\n").split("\n")),
                      file=sys.stderr, end="")
        if len(failed) > 5:
            print(f"--- and {len(failed) - 5} more (see the status column of {csv_path})", file=sys.stderr)
        return 1
    return 0


def fmt_duration(s):
    return f"{s:.1f} s" if s < 120 else f"{s / 60:.1f} min"


def stored_points_problem(out_dir, points):
    """Why --gather-only cannot gather `points` from out_dir (not made from this spec), or None."""
    path = os.path.join(out_dir, POINTS_FILE)
    try:
        with open(path) as f:
            stored = json.load(f)
    except (OSError, ValueError) as e:
        return f"cannot read {path}: {e}"
    if [p["params"] for p in stored["points"]] != [p["params"] for p in points]:
        return f"the points in {out_dir} were not made from this spec"
    return None


def threads_per_point(backend, jobs, sweep, known_keys):
    """sim.threads of each point: its share of the cores (local) or of its Slurm task; None when
    the platform has no sim.threads."""
    if known_keys is None or "sim.threads" not in known_keys:
        return None
    if backend == "local":
        return max(1, (os.cpu_count() or 1) // min(jobs, len(sweep["points"])))
    return sweep["slurm"].get("cpus_per_task", 1)
