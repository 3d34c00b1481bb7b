"""The local backend: points in parallel on this machine, each in its own point runner."""

import subprocess
import sys
import time

from gcasim_tools.sweep.points import STATE_ERRORS, describe, point_state
from gcasim_tools.sweep.runner import exit_text


def run_local(points, out_dir, jobs, sweep_script, bar):
    """Points in parallel, at most `jobs` at a time, each in a `--run-point` subprocess; `bar`
    (progress.Progress) advances as each ends. Returns a note per point whose runner died without a
    run.json (index -> why). On Ctrl-C or SIGTERM it stops the runners (each stops its platform and
    records the point as failed) and re-raises."""
    print(f"sweep: {len(points)} point(s) to run, local, {jobs} at a time", flush=True)
    queue, running, notes, finished = list(points), {}, {}, 0
    try:
        while queue or running:
            while queue and len(running) < jobs:
                pt = queue.pop(0)
                running[pt["index"]] = (pt, subprocess.Popen(
                    [sys.executable, sweep_script, "--run-point", out_dir, str(pt["index"])],
                    stdout=subprocess.DEVNULL))
            time.sleep(0.05)
            for index, (pt, proc) in list(running.items()):
                if proc.poll() is None:
                    continue
                del running[index]
                finished += 1
                state, run = point_state(pt)
                if state == "done":
                    text = "ok"
                elif run is None:
                    notes[index] = f"point runner {exit_text(proc.returncode)}, no run.json"
                    text = f"FAILED ({notes[index]})"
                elif state == "failed":
                    text = f"FAILED ({exit_text(run['exit_code'])}" + (f", {run['reason']})" if run["reason"] else ")")
                else:
                    text = f"FAILED ({STATE_ERRORS[state]})"
                bar.clear()
                print(f"  [{finished}/{len(points)}] point {index:04d} {describe(pt)}: {text}", flush=True)
                bar.advance()
    except BaseException:
        stop_runners([proc for _, proc in running.values()])
        raise
    return notes


def stop_runners(procs):
    """SIGTERM to every point runner, SIGKILL to those still there after 30 s."""
    for p in procs:
        p.terminate()
    deadline = time.time() + 30
    for p in procs:
        try:
            p.wait(timeout=max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
