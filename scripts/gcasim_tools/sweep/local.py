"""The local backend: points in parallel on this machine, each in its own point runner."""

import os
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
            wait_for_a_runner([proc for _, proc in running.values()])
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


def wait_for_a_runner(procs):
    """Until one of the runners `procs` has ended, leaving it to Popen.poll() to reap: a point starts
    as soon as a slot frees (polling every 50 ms left a slot idle 25 ms a point on average, a tenth
    of a short point). Sleeps 50 ms instead where the kernel has no waitid, or when another child
    of this process has ended (it stays for whoever started it)."""
    if hasattr(os, "waitid"):
        try:
            ended = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOWAIT)
        except ChildProcessError:  # no child left
            return
        if ended is not None and any(p.pid == ended.si_pid for p in procs):
            return
    time.sleep(0.05)


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
