"""The Slurm backend: one `sbatch --array` job, a task per point, followed through squeue."""

import os
import re
import shlex
import subprocess
import sys
import time

from gcasim_tools.files import atomic_write_json, atomic_write_text
from gcasim_tools.platforms import REPO
from gcasim_tools.sweep.points import POINTS_FILE


def slurm_cmd(args, **kw):
    try:
        return subprocess.run(args, capture_output=True, text=True, **kw)
    except FileNotFoundError:
        raise SystemExit(f"sweep: error: '{args[0]}' not found: the slurm backend needs the Slurm client "
                         f"commands (Debian: apt-get install slurm-client) and a running cluster")


def run_slurm(points, n_total, out_dir, jobs, sweep_script, sweep, timeout_s, poll_s, bar):
    """One `sbatch --array=IDS` job, a task per point of `points` (task id = point index); waits
    for it through squeue (`bar`, a progress.Progress, counts the tasks that have ended); returns a note per task that Slurm reports as not completed (task index
    -> state). Ctrl-C or SIGTERM of the sweep cancels the job."""
    ids = [pt["index"] for pt in points]
    sdir = os.path.join(out_dir, "slurm")
    os.makedirs(sdir, exist_ok=True)
    s = sweep["slurm"]
    lines = ["#!/bin/bash",
             "#SBATCH --job-name=gcasim-sweep",
             f"#SBATCH --output={sdir}/task-%a.out",
             f"#SBATCH --error={sdir}/task-%a.out",
             f"#SBATCH --chdir={REPO}",
             "#SBATCH --ntasks=1",
             f"#SBATCH --cpus-per-task={s.get('cpus_per_task', 1)}"]
    if "partition" in s:
        lines.append(f"#SBATCH --partition={s['partition']}")
    if "time" in s:
        lines.append(f"#SBATCH --time={s['time']}")
    if "mem" in s:
        lines.append(f"#SBATCH --mem={s['mem']}")
    lines += ["# One point per array task; the point list is " + os.path.join(out_dir, POINTS_FILE),
              "set -u",
              f"exec {shlex.quote(sys.executable)} {shlex.quote(sweep_script)} --run-point "
              f"{shlex.quote(out_dir)} \"$SLURM_ARRAY_TASK_ID\"", ""]
    job_script = os.path.join(sdir, "job.sh")
    atomic_write_text(job_script, "\n".join(lines))
    os.chmod(job_script, 0o755)
    array = index_ranges(ids) + (f"%{jobs}" if jobs else "")
    cmd = ["sbatch", "--parsable", f"--array={array}"] + s.get("extra_args", []) + [job_script]
    t0 = time.time()
    p = slurm_cmd(cmd)
    if p.returncode != 0:
        raise SystemExit(f"sweep: error: sbatch failed (exit {p.returncode}): {p.stderr.strip() or p.stdout.strip()}\n"
                         f"  command: {' '.join(shlex.quote(c) for c in cmd)}")
    job = p.stdout.strip().split(";")[0]
    if not re.fullmatch(r"\d+", job):
        raise SystemExit(f"sweep: error: sbatch printed no job id: {p.stdout.strip()!r}")
    atomic_write_json(os.path.join(sdir, "job.json"), {"job_id": job, "array": array, "command": cmd,
                                                        "submitted": time.time()})
    print(f"sweep: {len(ids)} point(s) to run, Slurm job array {job} (--array={array}); waiting "
          f"(timeout {timeout_s:g} s)", flush=True)
    try:
        return wait_for_array(job, ids, n_total, t0, timeout_s, poll_s, bar)
    except KeyboardInterrupt:
        slurm_cmd(["scancel", job])
        raise


def index_ranges(ids):
    """[0, 1, 2, 5, 7, 8] -> '0-2,5,7-8' (sbatch --array)."""
    parts, start = [], None
    for k, i in enumerate(ids):
        if start is None:
            start = i
        if k + 1 == len(ids) or ids[k + 1] != i + 1:
            parts.append(f"{start}-{i}" if i > start else str(i))
            start = None
    return ",".join(parts)


def wait_for_array(job, ids, n_total, t0, timeout_s, poll_s, bar):
    """Polls squeue until no task of `ids` is pending or running, or cancels the job at the timeout;
    returns a note per task that Slurm did not complete (task index -> why)."""
    active = {"PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "REQUEUED", "RESIZING", "SUSPENDED",
              "STAGE_OUT", "SIGNALING", "REQUEUE_FED", "REQUEUE_HOLD", "SPECIAL_EXIT"}
    last = None
    states = {}
    squeue_errors = 0
    while True:
        q = slurm_cmd(["squeue", "-h", "-r", "-t", "all", "-j", job, "-o", "%K %T"])
        if q.returncode != 0:
            # An array that has left slurmctld's memory makes squeue -j fail: it is done.
            if "Invalid job id" in q.stderr:
                break
            squeue_errors += 1
            if squeue_errors > 5:
                raise SystemExit(f"sweep: error: squeue failed: {q.stderr.strip()}")
        else:
            squeue_errors = 0
            for line in q.stdout.split("\n"):
                parts = line.split()
                if len(parts) == 2:
                    for idx in expand_task_ids(parts[0], n_total):
                        states[idx] = parts[1]
            counts = {}
            for st in states.values():
                counts[st] = counts.get(st, 0) + 1
            summary = ", ".join(f"{v} {k.lower()}" for k, v in sorted(counts.items()))
            if summary != last:
                bar.clear()
                print(f"  {time.time() - t0:6.1f} s: {summary}", flush=True)
                last = summary
            bar.update(sum(1 for i in ids if i in states and states[i] not in active))
            if not any(st in active for st in states.values()) and all(i in states for i in ids):
                break
            if not q.stdout.strip():
                break
        if time.time() - t0 > timeout_s:
            unfinished = [i for i in ids if states.get(i, "PENDING") in active]
            slurm_cmd(["scancel", job])
            bar.clear()
            print(f"sweep: Slurm job {job} did not finish within {timeout_s:g} s; cancelled it "
                  f"({len(unfinished)} task(s) unfinished)", file=sys.stderr)
            # Let the cancelled tasks stop (and write what they write) before gathering.
            for _ in range(int(30 / poll_s) + 1):
                q = slurm_cmd(["squeue", "-h", "-r", "-t", "all", "-j", job, "-o", "%K %T"])
                if q.returncode != 0 or not any(
                        len(l.split()) == 2 and l.split()[1] in active for l in q.stdout.split("\n")):
                    break
                time.sleep(poll_s)
            return {i: f"Slurm: cancelled at the sweep timeout of {timeout_s:g} s" for i in unfinished}
        time.sleep(poll_s)
    print(f"sweep: Slurm job {job} finished after {time.time() - t0:.1f} s", flush=True)
    return {i: f"Slurm: {st}" for i, st in states.items() if st != "COMPLETED"}


def expand_task_ids(text, n):
    """'3' -> [3]; '[0-3%2]' / '[1,4-5]' (pending ranges) -> the task ids."""
    text = text.strip()
    if re.fullmatch(r"\d+", text):
        return [int(text)]
    m = re.fullmatch(r"\[([^\]%]*)(%\d+)?\]", text)
    if not m:
        return []
    ids = []
    for part in m.group(1).split(","):
        if "-" in part:
            a, b = part.split("-", 1)
            ids.extend(range(int(a), int(b) + 1))
        elif part:
            ids.append(int(part))
    return [i for i in ids if 0 <= i < n]
