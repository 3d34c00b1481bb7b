"""Running one point (`scripts/sweep --run-point DIR INDEX`): the local backend and every Slurm task
run a point the same way, and run.json, written last, marks it finished."""

import ctypes
import json
import os
import shutil
import signal
import subprocess
import time

from gcasim_tools.files import atomic_write_json, remove_file
from gcasim_tools.sweep.points import POINTS_FILE, RUN_FILE, config_hash, output_sizes


def run_point(out_dir, index):
    """Runs point INDEX of DIR/points.json in its folder: stdout.txt, stderr.txt, the platform's
    outputs, then run.json (exit code, config hash, output sizes). Returns the platform's exit code."""
    with open(os.path.join(out_dir, POINTS_FILE)) as f:
        meta = json.load(f)
    pt = meta["points"][index]
    d = pt["dir"]
    # The mark goes first, the old outputs next: a run stopped at any moment leaves no run.json
    # beside outputs that are not all its own.
    remove_file(os.path.join(d, RUN_FILE))
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)
    chash = config_hash(pt)  # of the binary and config file this run reads
    timeout_s = meta.get("timeout_s")

    def terminated(signum, frame):  # scancel / Slurm time limit / kill: stop the platform too
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminated)
    start = time.time()
    code, reason, stopped = None, "", None
    with open(os.path.join(d, "stdout.txt"), "wb") as out, open(os.path.join(d, "stderr.txt"), "wb") as err:
        try:
            proc = subprocess.Popen(pt["argv"], stdout=out, stderr=err, start_new_session=True,
                                    preexec_fn=die_with_parent)
        except OSError as e:
            err.write(f"sweep: cannot start {pt['argv'][0]}: {e}\n".encode())
            code, reason = 127, "cannot start"
        else:
            try:
                code = proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                kill_group(proc.pid, signal.SIGKILL)
                proc.wait()
                code, reason = -9, f"timeout after {timeout_s} s"
                err.write(f"\nsweep: killed after the point time limit of {timeout_s} s\n".encode())
            except BaseException as e:  # SIGTERM (scancel) or Ctrl-C: stop the platform, record, re-raise
                kill_group(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    kill_group(proc.pid, signal.SIGKILL)
                    proc.wait()
                stopped = e
                # Never exit 0 for a stopped run: when the signal interrupted wait() after it had
                # reaped the platform, Popen no longer knows the status and says 0.
                code = proc.returncode or None
                reason = ("terminated (SIGTERM: cancelled or killed)" if isinstance(e, SystemExit)
                          else f"interrupted ({type(e).__name__})")
                err.write(f"\nsweep: {reason}\n".encode())
    if code is not None and code < 0 and not reason:
        reason = exit_text(code)
    run = {"index": index, "exit_code": code, "reason": reason, "run_s": time.time() - start,
           "host": os.uname().nodename, "slurm_job": os.environ.get("SLURM_JOB_ID"),
           "argv": pt["argv"], "config_hash": chash, "files": output_sizes(d)}
    atomic_write_json(os.path.join(d, RUN_FILE), run)
    if stopped is not None:
        raise stopped
    return code


def kill_group(pid, sig):
    """Signals the platform's process group; it may be gone already (scancel signals every process
    of the task itself)."""
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass


def die_with_parent():
    """In the platform's process: a point runner killed by SIGKILL takes its platform with it
    (prctl PR_SET_PDEATHSIG), so no orphan writes into a folder that a rerun fills again."""
    ctypes.CDLL(None).prctl(1, signal.SIGKILL)


def exit_text(code):
    """'killed by SIGKILL' for a negative exit status, else 'exit code N' (or 'no exit code')."""
    if code is None:
        return "no exit code"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"
