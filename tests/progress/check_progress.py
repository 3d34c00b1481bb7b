#!/usr/bin/python3
"""The progress line (issue 14, item 7): on a terminal, and only there, unless --quiet.

Usage: check_progress.py --head BIN --layer BIN --gpt BIN --sweep SCRIPT --spec FILE --workdir DIR

Each program runs the same work three times:
  tty    stderr on a pseudo-terminal (stdout on a pipe): the progress line must be there, redrawn with
         '\\r', its counts never decreasing and reaching the total, its last line ended by a newline;
  pipe   stderr on a pipe: no byte of progress (stderr empty for a run that succeeds);
  quiet  stderr on a pseudo-terminal with --quiet: nothing written to it.
All three must write byte-identical outputs (output.json, energy.csv; summary.json and stdout apart
from the wall-clock figures), so that progress can never move the numerics. And Ctrl-C on a terminal:
the progress line is closed, at the tokens that finished, before the interrupt message.
Exit 0 on success, 1 on any failure, 2 on bad usage.
"""
import argparse
import json
import os
import pty
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

TIMEOUT_S = 300
SEED = "3"
# Tokens enough for several redraws on a slow machine, few enough for seconds on a fast one.
HEAD_ARGS = ["--tokens", "400", "--seed", SEED, "--set", "head_dim=8", "--set", "window=64"]
LAYER_ARGS = ["--tokens", "300", "--seed", SEED, "--set", "heads=3", "--set", "head_dim=8", "--set", "window=64"]
GPT_ARGS = ["--mode", "eval", "--tokens", "48"]
GPT_GENERATE_ARGS = ["--mode", "generate", "--prompt", "A fortune", "--tokens", "40"]
WALL_KEYS = {"wall_time_s", "tokens_per_second"}  # summary.json's wall-clock figures


def run_with_stderr_on(kind, argv, cwd=None, interrupt=False):
    """(exit code, stdout bytes, bytes written to stderr) with stderr on a pseudo-terminal ('tty')
    or a pipe ('pipe'); `interrupt` (tty only): SIGINT once the first progress bytes arrive."""
    if kind == "pipe":
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT_S, cwd=cwd)
        return p.returncode, p.stdout, p.stderr
    master, slave = pty.openpty()
    chunks = []

    def read_all():
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:  # EIO: every writer closed the terminal
                return
            if not data:
                return
            chunks.append(data)
    reader = threading.Thread(target=read_all, daemon=True)
    reader.start()
    try:
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave, cwd=cwd)
    finally:
        os.close(slave)
    if interrupt:
        deadline = time.monotonic() + TIMEOUT_S
        while not chunks and p.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        p.send_signal(signal.SIGINT)
    stdout, _ = p.communicate(timeout=TIMEOUT_S)
    reader.join(TIMEOUT_S)
    os.close(master)
    # The terminal turns '\n' into '\r\n' (onlcr): undo it so the bytes are the program's.
    return p.returncode, stdout, b"".join(chunks).replace(b"\r\n", b"\n")


def progress_problems(text, label, unit, total, final=None):
    """Why `text` (what the tty got) is not a proper progress display of `total` units (None: the
    line shows no total) ending at `final` units (default: the total), or []."""
    final = final if final is not None else total
    if "\r" not in text:
        return [f"no '\\r' redraw in {text!r}"]
    if not text.endswith("\n"):
        return [f"the progress line is not ended by a newline: {text[-120:]!r}"]
    pattern = re.compile(rf"^{re.escape(label)}: (\d+)" + (r"/(\d+)" if total else "") + rf" {unit}\b")
    counts = []
    for frame in re.split(r"[\r\n]", text):
        frame = frame.rstrip()
        if not frame:
            continue
        m = pattern.match(frame)
        if not m:
            return [f"a frame that is not a progress line: {frame!r}"]
        if total and int(m.group(2)) != total:
            return [f"total {m.group(2)} in {frame!r}, expected {total}"]
        counts.append(int(m.group(1)))
    problems = []
    if counts != sorted(counts):
        problems.append(f"counts decrease: {counts}")
    if counts and counts[-1] != final:
        problems.append(f"the last count is {counts[-1]}, not {final}")
    last = re.split(r"[\r\n]", text.rstrip("\n"))[-1]
    if total and final == total and "100 %" not in last:
        problems.append(f"the closing line does not say 100 %: {last!r}")
    if " in " not in last:
        problems.append(f"the closing line gives no elapsed time: {last!r}")
    return problems


def without_wall_clock(doc):
    if isinstance(doc, dict):
        return {k: without_wall_clock(v) for k, v in doc.items() if k not in WALL_KEYS}
    if isinstance(doc, list):
        return [without_wall_clock(v) for v in doc]
    return doc


def stdout_without_wall_clock(data):
    """The run's stdout without its wall-clock line ('simulated ... s wall') and folder names."""
    lines = data.decode(errors="replace").split("\n")
    return [re.sub(r"/(tty|pipe|quiet)\b", "/RUN", l) for l in lines if " s wall" not in l]


def same_outputs(dirs):
    """Problems: output files of the runs in `dirs` that differ (byte for byte; summary.json
    without its wall-clock keys)."""
    problems = []
    names = sorted(set(os.listdir(dirs[0])))
    for d in dirs[1:]:
        if sorted(os.listdir(d)) != names:
            problems.append(f"{d} holds {sorted(os.listdir(d))}, {dirs[0]} holds {names}")
    for name in names:
        paths = [os.path.join(d, name) for d in dirs]
        if name == "summary.json":
            docs = []
            for p in paths:
                with open(p) as f:
                    doc = without_wall_clock(json.load(f))
                docs.append(json.loads(json.dumps(doc).replace(os.path.dirname(p), "RUN")))
            if any(doc != docs[0] for doc in docs[1:]):
                problems.append("summary.json differs (beyond the wall-clock figures)")
            continue
        contents = []
        for p in paths:
            with open(p, "rb") as f:
                contents.append(f.read())
        if any(c != contents[0] for c in contents[1:]):
            problems.append(f"{name} differs between {', '.join(paths)}")
    return problems


def check_platform(name, argv, label, unit, total, workdir, final=None):
    """Runs argv + --out DIR in the three ways; returns the problems."""
    base = os.path.join(workdir, name)
    shutil.rmtree(base, ignore_errors=True)
    os.makedirs(base)
    results = {}
    for kind, stderr_on, extra in [("tty", "tty", []), ("pipe", "pipe", []), ("quiet", "tty", ["--quiet"])]:
        out = os.path.join(base, kind)
        results[kind] = run_with_stderr_on(stderr_on, argv + extra + ["--out", out])
        code, _, err = results[kind]
        if code != 0:
            return [f"{kind}: exit {code}: {err.decode(errors='replace')[-500:]}"]
    problems = [f"tty: {p}" for p in progress_problems(results["tty"][2].decode(), label, unit, total, final)]
    if results["pipe"][2]:
        problems.append(f"pipe: stderr is not empty: {results['pipe'][2][:200]!r}")
    if results["quiet"][2]:
        problems.append(f"--quiet: the terminal got {results['quiet'][2][:200]!r}")
    stdouts = {k: stdout_without_wall_clock(r[1]) for k, r in results.items()}
    if not (stdouts["tty"] == stdouts["pipe"] == stdouts["quiet"]):
        problems.append("stdout differs between the three runs (beyond the wall-clock line)")
    problems += same_outputs([os.path.join(base, k) for k in ("tty", "pipe", "quiet")])
    return problems


def check_interrupted(layer, workdir):
    """Ctrl-C mid-run on a terminal: the progress line is closed (newline) before the interrupt
    message, at the count of tokens that finished."""
    out = os.path.join(workdir, "interrupted")
    shutil.rmtree(out, ignore_errors=True)
    argv = [layer, "--tokens", "30000", "--seed", SEED, "--set", "heads=2", "--set", "head_dim=4",
            "--set", "window=64", "--out", out]
    code, _, err = run_with_stderr_on("tty", argv, interrupt=True)
    text = err.decode(errors="replace")
    if code != 130:
        return [f"exit {code}, expected 130 (interrupted): {text[-300:]!r}"]
    message = "attention_layer: interrupted; outputs cover the tokens that finished\n"
    if not text.endswith("\n" + message):
        return [f"the interrupt message does not follow a closed progress line: {text[-300:]!r}"]
    with open(os.path.join(out, "summary.json")) as f:
        finished = json.load(f)["tokens"]
    return progress_problems(text[:-len(message)], "attention_layer", "tokens", 30000, final=finished)


def point_outputs(sweep_dir):
    """{point/file: bytes} of every point's platform outputs (not its logs and run.json)."""
    found = {}
    points = os.path.join(sweep_dir, "points")
    for point in sorted(os.listdir(points)):
        for name in ("output.json", "energy.csv"):
            path = os.path.join(points, point, name)
            if os.path.exists(path):
                with open(path, "rb") as f:
                    found[f"{point}/{name}"] = f.read()
    return found


def check_sweep(sweep, spec, bin_dir, workdir):
    base = os.path.join(workdir, "sweep")
    shutil.rmtree(base, ignore_errors=True)
    os.makedirs(base)
    with open(spec) as f:
        points = 1
        for values in json.load(f)["grid"].values():
            points *= len(values)
    results, problems = {}, []
    for kind, stderr_on, extra in [("tty", "tty", []), ("pipe", "pipe", []), ("quiet", "tty", ["--quiet"])]:
        argv = [sys.executable, sweep, "--spec", spec, "--backend", "local", "--jobs", "2", "--bin-dir", bin_dir,
                "--out", os.path.join(base, kind)] + extra
        results[kind] = run_with_stderr_on(stderr_on, argv)
        if results[kind][0] != 0:
            return [f"sweep {kind}: exit {results[kind][0]}: {results[kind][2].decode(errors='replace')[-500:]}"]
    problems += [f"sweep tty: {p}" for p in progress_problems(results["tty"][2].decode(), "sweep", "points", points)]
    for kind in ("pipe", "quiet"):
        if results[kind][2]:
            problems.append(f"sweep {kind}: stderr got {results[kind][2][:200]!r}")
    outputs = {kind: point_outputs(os.path.join(base, kind)) for kind in results}
    if len(outputs["tty"]) != 2 * points:
        problems.append(f"sweep: {len(outputs['tty'])} point outputs, expected {2 * points}")
    if not (outputs["tty"] == outputs["pipe"] == outputs["quiet"]):
        problems.append("sweep: the points' outputs differ between the three runs")
    return problems


def check_sweep_line(sweep):
    """The sweep's progress_line: the same text as the platforms' (tests/unit/test_progress.cpp)."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(sweep)))
    from gcasim_tools.sweep.progress import progress_line
    expected = [
        (("run", 50, 200, "tokens", 10.0, False), "run: 50/200 tokens   25 %  5.00 tokens/s  0:30 left"),
        (("run", 1500, 2000, "tokens", 3.0, False), "run: 1500/2000 tokens   75 %  500 tokens/s  0:01 left"),
        (("run", 1, 10000, "points", 2.0, False), "run: 1/10000 points    0 %  0.50 points/s  5:33:18 left"),
        (("sweep", 8, 8, "points", 3723.0, True), "sweep: 8/8 points  100 %  0.00 points/s  in 1:02:03"),
        (("gpt_model", 40, 0, "tokens", 2.0, False), "gpt_model: 40 tokens  20.0 tokens/s"),
    ]
    return [f"progress_line{args} = {progress_line(*args)!r}, expected {line!r}"
            for args, line in expected if progress_line(*args) != line]


class FakeTerminal:
    """A stderr that says it is a terminal and keeps what is written."""

    def __init__(self):
        self.text = ""

    def isatty(self):
        return True

    def write(self, data):
        self.text += data

    def flush(self):
        pass


def check_sweep_slurm_progress(sweep):
    """The Slurm backend's progress: tasks that have ended, as squeue reports them (squeue stubbed:
    no cluster runs here), each redraw after clearing the line for the poll's stdout summary."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(sweep)))
    import contextlib
    import io
    from gcasim_tools.sweep import progress, slurm
    polls = iter(["[0-3] PENDING", "0 RUNNING\n[1-3] PENDING", "0 COMPLETED\n1 RUNNING\n2 RUNNING\n3 PENDING",
                  "0 COMPLETED\n1 COMPLETED\n2 FAILED\n3 RUNNING", "0 COMPLETED\n1 COMPLETED\n2 FAILED\n3 COMPLETED"])
    squeue = lambda args, **kw: subprocess.CompletedProcess(args, 0, next(polls), "")
    terminal = FakeTerminal()
    saved = slurm.slurm_cmd, progress.REDRAW_INTERVAL_S
    slurm.slurm_cmd, progress.REDRAW_INTERVAL_S = squeue, 0.0  # every poll redraws
    try:
        with contextlib.redirect_stdout(io.StringIO()) as stdout:
            with progress.Progress("sweep", 4, "points", progress.progress_wanted(False, terminal), terminal) as bar:
                notes = slurm.wait_for_array("42", [0, 1, 2, 3], 4, time.time(), 60, 0.0, bar)
    finally:
        slurm.slurm_cmd, progress.REDRAW_INTERVAL_S = saved
    problems = progress_problems(terminal.text, "sweep", "points", 4)
    frames = [int(m) for m in re.findall(r"sweep: (\d+)/4 points", terminal.text)]
    if frames != [1, 3, 4, 4]:  # polls 3, 4, 5 (none ended before), then the closing line
        problems.append(f"frames at {frames}, expected [1, 3, 4, 4]")
    if notes != {2: "Slurm: FAILED"}:
        problems.append(f"notes {notes}")
    if "finished after" not in stdout.getvalue():
        problems.append(f"stdout: {stdout.getvalue()!r}")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for name in ("--head", "--layer", "--gpt", "--sweep", "--spec", "--workdir"):
        ap.add_argument(name, required=True)
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    checks = [
        ("attention_head", lambda: check_platform("head", [a.head] + HEAD_ARGS, "attention_head", "tokens", 400,
                                                  a.workdir)),
        ("attention_layer", lambda: check_platform("layer", [a.layer] + LAYER_ARGS, "attention_layer", "tokens",
                                                   300, a.workdir)),
        # gpt_model counts what its mode promises: eval predictions, generate characters, cost tokens.
        ("gpt_model", lambda: check_platform("gpt", [a.gpt] + GPT_ARGS, "gpt_model", "predictions", 48, a.workdir)),
        ("gpt_model generate", lambda: check_platform("gpt_generate", [a.gpt] + GPT_GENERATE_ARGS, "gpt_model",
                                                      "characters", 40, a.workdir)),
        ("sweep progress_line", lambda: check_sweep_line(a.sweep)),
        ("sweep progress, Slurm backend (squeue stubbed)", lambda: check_sweep_slurm_progress(a.sweep)),
        ("attention_layer interrupted", lambda: check_interrupted(a.layer, a.workdir)),
        ("sweep", lambda: check_sweep(a.sweep, a.spec, os.path.dirname(os.path.abspath(a.head)), a.workdir)),
    ]
    failed = 0
    for name, check in checks:
        problems = check()
        print(("FAIL: " if problems else "ok: ") + name)
        for p in problems:
            print("    " + p)
        failed += bool(problems)
    print(f"{len(checks) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
