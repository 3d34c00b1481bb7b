#!/usr/bin/python3
"""Command lines whose arguments a run would not use, output sets on a full disk, stdout that cannot be
written, signals before the simulation starts, and what scripts/compare compares.

Usage: check_cli_and_outputs.py --head BIN --layer BIN --gpt BIN --tb BIN --reference JSON --compare SCRIPT
                                --workdir DIR [-k SUBSTRING]

Groups of cases (docs/robustness.md, "Arguments, output sets, stdout, early signals"):
  unused_*   an argument the run would ignore (a positional word, a --set key given twice, --seed or
             input.* with --input, gpt_model's --temperature/--seed where the mode draws no random
             numbers, an option gpt_model does not have, tb_reference's SAMPLE): exit 2, one line
             "<program>: error: ...", no output folder.
  help_*     gpt_model --help offers only what it accepts.
  stdout_*   stdout on /dev/full: exit 1 and "cannot write standard output" on stderr.
  full_disk_* a second run into the same --out that cannot write its set: on a full 1 MiB tmpfs, with
             a folder where its trace.vcd goes, under a file-size limit that its output.json exceeds:
             exit 1, the first run's files byte for byte, no temporaries; a run that succeeds
             replaces the whole set.
  signal_*   SIGTERM/SIGINT during a long elaboration and while blocked on a FIFO --input/--text:
             exit 130 at once, one line, no output folder.
  compare_*  scripts/compare refuses a run of other heads/window than the baselines', says what it
             compares with --allow-mismatch, and refuses a run without a full-window token.
Exit 0 if every case passes, 1 otherwise (each failure is listed), 2 on bad usage.
"""
import argparse
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from gcasim_tools.checks import report_cases, require_binaries  # noqa: E402

TIMEOUT_S = 120  # generous for sanitizer builds
PROMPT_EXIT_S = 5  # a signal before the simulation must end the run within this
EARLY_STOP = "interrupted before the simulation started; nothing written"

BIN = {}  # "head", "layer", "gpt", "tb" -> path; filled by main()


def run(argv, stdout=subprocess.PIPE, timeout=TIMEOUT_S, cwd=None):
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=stdout, stderr=subprocess.PIPE, timeout=timeout, cwd=cwd)
    return p.returncode, (p.stdout or b"").decode(errors="replace"), p.stderr.decode(errors="replace")


def files_in(folder):
    found = []
    for root, _, names in os.walk(folder):
        found += [os.path.relpath(os.path.join(root, n), folder) for n in names]
    return sorted(found)


def snapshot(folder):
    """{name: bytes} of every file in folder."""
    result = {}
    for name in files_in(folder):
        with open(os.path.join(folder, name), "rb") as f:
            result[name] = f.read()
    return result


def one_error_line(code, stderr, want_code, program, pattern):
    problems = []
    if code != want_code:
        problems.append(f"exit code {code}, expected {want_code}")
    lines = stderr.splitlines()
    prefix = f"{program}: error: "
    if len(lines) != 1:
        problems.append(f"stderr has {len(lines)} lines, expected 1: {stderr!r}")
    elif not lines[0].startswith(prefix) or not re.search(pattern, lines[0][len(prefix):]):
        problems.append(f"stderr {lines[0]!r} does not match {prefix}/{pattern}/")
    return problems


# --- arguments a run would not use ---------------------------------------------------------------
IN4 = {"q": [[0.5] * 4] * 4, "k": [[0.5] * 4] * 4, "v": [[0.5] * 4] * 4}
DIM4 = ["--set", "head_dim=4"]
GEN = ["--mode", "generate", "--prompt", "x", "--tokens", "2"]

# (name, program, args, exit code, stderr pattern); {in} is a head input file, {layer_in} a layer one.
UNUSED = [
    ("unused_positional_assignment_head", "head", ["window=64", "--tokens", "5"],
     2, r"unexpected argument 'window=64' \(did you mean --set window=64\?\)"),
    ("unused_positional_assignment_layer", "layer", ["--tokens", "2", "heads=2"],
     2, r"unexpected argument 'heads=2' \(did you mean --set heads=2\?\)"),
    ("unused_positional_word_gpt", "gpt", GEN + ["extra"], 2, r"unexpected argument 'extra' \(see --help\)"),
    ("unused_after_double_dash_head", "head", ["--", "--tokens", "5"], 2, r"unexpected argument '--tokens'"),
    ("unused_set_key_twice_head", "head", ["--set", "window=64", "--set", "window=32", "--tokens", "2"],
     2, r"--set window: given twice \('64', then '32'\)"),
    ("unused_set_key_twice_gpt", "gpt", GEN + ["--set", "quant.q_levels=8", "--set", "quant.q_levels=16"],
     2, r"--set quant\.q_levels: given twice"),
    ("unused_option_twice_layer", "layer", ["--tokens", "2", "--tokens", "3"],
     2, r"option '--tokens' cannot be specified more than once"),
    ("unused_seed_with_input_head", "head", DIM4 + ["--input", "{in}", "--seed", "3"],
     2, r"--seed: not used with --input"),
    ("unused_seed_with_input_layer", "layer", DIM4 + ["--set", "heads=1", "--input", "{layer_in}", "--seed", "0"],
     2, r"--seed: not used with --input"),
    ("unused_input_key_with_input_head", "head", DIM4 + ["--input", "{in}", "--set", "input.distribution=gaussian"],
     2, r"--set input\.distribution: not used with --input"),
    ("unused_temperature_in_eval_gpt", "gpt", ["--mode", "eval", "--temperature", "0.5", "--tokens", "2"],
     2, r"--temperature: only with --mode generate"),
    ("unused_seed_in_eval_gpt", "gpt", ["--seed", "7", "--tokens", "2"], 2, r"--seed: only with --mode generate"),
    ("unused_seed_greedy_gpt", "gpt", GEN + ["--seed", "7"], 2, r"--seed: only with --temperature > 0"),
    ("unused_abbreviated_option_head", "head", ["--tok", "5"], 2, r"unrecognised option '--tok'"),
    ("unused_abbreviated_option_gpt", "gpt", ["--mode", "eval", "--tok", "2"], 2, r"unrecognised option '--tok'"),
    ("unused_input_option_gpt", "gpt", GEN + ["--input", "{in}"], 2, r"unrecognised option '--input'"),
    ("unused_tb_sample_negative", "tb", ["{reference}", "-1"],
     2, r"SAMPLE: '-1' is not a sample index; allowed: 0 \.\. 9"),
    ("unused_tb_sample_trailing", "tb", ["{reference}", "1x"], 2, r"SAMPLE: '1x' is not a sample index"),
    ("unused_tb_sample_beyond", "tb", ["{reference}", "10"], 2, r"SAMPLE: value 10 is out of range; allowed: 0 \.\. 9"),
    ("unused_tb_extra_argument", "tb", ["{reference}", "0", "1"], 2, r"expected 2 arguments, got 3"),
    ("unused_tb_reference_not_object", "tb", ["{bad_reference}", "0"], 2, r"reference file '[^']*': expected a JSON object"),
    ("unused_tb_reference_short_row", "tb", ["{short_reference}", "0"],
     2, r"\"K\"\[0\] must be a 2 x 64 array of numbers"),
]


def case_unused(name, program, args, want_code, pattern, work):
    case_dir = os.path.join(work, name)
    shutil.rmtree(case_dir, ignore_errors=True)
    os.makedirs(case_dir)
    files = {"in": IN4, "layer_in": {"heads": [IN4]}, "bad_reference": [1, 2],
             "short_reference": {"inferred_generation": {"polarity": 1},
                                 **{k: [[[0.5] * 64] * 2] for k in ("Q", "V", "output")},
                                 "K": [[[0.5] * 64, [0.5] * 63]], "S": [[[0.0] * 2] * 2], "phi_S": [[[0.0] * 2] * 2]}}
    paths = {"reference": ARGS.reference}
    for key, doc in files.items():
        paths[key] = os.path.join(case_dir, key + ".json")
        with open(paths[key], "w") as f:
            json.dump(doc, f)
    out = os.path.join(case_dir, "out")
    argv = [BIN[program]] + [re.sub(r"\{(\w+)\}", lambda m: paths[m.group(1)], a) for a in args]
    if program != "tb":
        argv += ["--out", out]
    code, _, stderr = run(argv, cwd=case_dir)
    problems = one_error_line(code, stderr, want_code, os.path.basename(BIN[program]), pattern)
    if os.path.exists(out):
        problems.append(f"the refused run created its output folder: {files_in(out)}")
    return problems


def case_help_gpt(work):
    code, text, _ = run([BIN["gpt"], "--help"])
    problems = [] if code == 0 else [f"--help exited {code}"]
    for refused in ("--input", "random input"):
        if refused in text:
            problems.append(f"gpt_model --help mentions {refused!r}, which gpt_model does not take")
    code, text, _ = run([BIN["head"], "--help"])
    if "--input" not in text:
        problems.append("attention_head --help should still offer --input")
    return problems


# --- stdout that cannot be written ---------------------------------------------------------------
STDOUT_CASES = [
    ("stdout_full_head_run", "head", ["--tokens", "2", "--set", "window=64", "--out", "{out}"]),
    ("stdout_full_layer_run", "layer", ["--tokens", "2", "--set", "heads=1", "--set", "window=64", "--out", "{out}"]),
    ("stdout_full_gpt_generate", "gpt", GEN + ["--out", "{out}"]),
    ("stdout_full_tb_reference", "tb", ["{reference}", "0"]),
    ("stdout_full_head_help", "head", ["--help"]),
    ("stdout_full_gpt_help", "gpt", ["--help"]),
    ("stdout_full_layer_list_params", "layer", ["--list-params"]),
]


def case_stdout(name, program, args, work):
    out = os.path.join(work, name, "out")
    shutil.rmtree(os.path.dirname(out), ignore_errors=True)
    os.makedirs(os.path.dirname(out))
    argv = [BIN[program]] + [a.replace("{out}", out).replace("{reference}", ARGS.reference) for a in args]
    with open("/dev/full", "w") as full:
        code, _, stderr = run(argv, stdout=full)
    return one_error_line(code, stderr, 1, os.path.basename(BIN[program]), r"cannot write standard output")


# --- output sets on a full disk ------------------------------------------------------------------
def head_run(out, tokens, *extra):
    return run([BIN["head"], "--set", "window=64", "--tokens", str(tokens), "--out", out] + list(extra))


def check_old_set_kept(code, stderr, out, before, pattern, program="attention_head"):
    problems = one_error_line(code, stderr, 1, program, pattern)
    after = snapshot(out)
    temporaries = [n for n in after if ".tmp." in n]
    if temporaries:
        problems.append(f"temporary files left: {temporaries}")
    changed = sorted(n for n in set(before) | set(after) if ".tmp." not in n and before.get(n) != after.get(n))
    if changed:
        problems.append(f"the failed run changed the old set: {changed} (old and new outputs mixed)")
    return problems


class SmallTmpfs:
    """A 1 MiB tmpfs mounted at `path` for the duration of a with-block (tests run as root)."""

    def __init__(self, path):
        self.path = path

    def __enter__(self):
        os.makedirs(self.path, exist_ok=True)
        p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", self.path], capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(f"cannot mount a 1 MiB tmpfs (needs root and mount permission; the "
                               f"full_disk_blocked_by_folder and full_disk_file_size_limit cases test the class "
                               f"without one): {p.stderr.strip()}")
        return self.path

    def __exit__(self, *_):
        subprocess.run(["umount", self.path], capture_output=True)


def case_full_disk_tmpfs_first_file(work):
    """The first set (170 tokens) is about 610 KB, the second (160 tokens) 545 KB: one fits in 1 MiB, two do
    not. (The second run's last write fails, at the commit: each file keeps its last <= 8 KB in the
    stream's buffer until then. A failure in a later file than the first is in the two cases below.)"""
    with SmallTmpfs(os.path.join(work, "full_disk_tmpfs_first_file", "mnt")) as mnt:
        out = os.path.join(mnt, "out")
        code, _, stderr = head_run(out, 170)
        if code != 0:
            return [f"the first run into the tmpfs failed (exit {code}): {stderr.strip()}"]
        before = snapshot(out)
        code, _, stderr = head_run(out, 160)
        return check_old_set_kept(code, stderr, out, before, r"cannot write '[^']*\.tmp\.\d+': No space left")


def case_full_disk_blocked_by_folder(work):
    """No mount needed: the second run's trace.vcd cannot take its place (a folder holds the name)."""
    base = os.path.join(work, "full_disk_blocked_by_folder")
    shutil.rmtree(base, ignore_errors=True)
    out = os.path.join(base, "out")
    code, _, stderr = head_run(out, 20)
    if code != 0:
        return [f"the first run failed (exit {code}): {stderr.strip()}"]
    os.makedirs(os.path.join(out, "trace.vcd"))
    before = snapshot(out)
    code, _, stderr = head_run(out, 10, "--set", "trace.vcd=true")
    return check_old_set_kept(code, stderr, out, before, r"cannot replace '[^']*trace\.vcd': it is a folder")


def case_full_disk_file_size_limit(work):
    """No mount needed: under a 64 KiB file-size limit (RLIMIT_FSIZE, SIGXFSZ ignored) the second run's
    energy.csv (10 KB) fits and its output.json (about 300 KB) fails: a write error in a later file
    of the set."""
    base = os.path.join(work, "full_disk_file_size_limit")
    shutil.rmtree(base, ignore_errors=True)
    out = os.path.join(base, "out")
    code, _, stderr = head_run(out, 100)
    if code != 0:
        return [f"the first run failed (exit {code}): {stderr.strip()}"]
    before = snapshot(out)

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 << 10, 64 << 10))
    p = subprocess.run([BIN["head"], "--set", "window=64", "--tokens", "90", "--out", out], stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=TIMEOUT_S, preexec_fn=limit)
    return check_old_set_kept(p.returncode, p.stderr.decode(errors="replace"), out, before,
                              r"cannot write '[^']*output\.json\.tmp\.\d+'")


def case_full_disk_success_replaces_all(work):
    """After a run that succeeds, every file is that run's: no file of the earlier set is left."""
    base = os.path.join(work, "full_disk_success_replaces_all")
    shutil.rmtree(base, ignore_errors=True)
    out, fresh = os.path.join(base, "out"), os.path.join(base, "fresh")
    problems = []
    for argv in ([out, 20, "--set", "trace.vcd=true", "--set", "trace.timeline=true"], [out, 10, "--seed", "5"],
                 [fresh, 10, "--seed", "5"]):
        code, _, stderr = head_run(*argv)
        if code != 0:
            return [f"run {argv} failed (exit {code}): {stderr.strip()}"]
    got, want = snapshot(out), snapshot(fresh)
    if sorted(got) != sorted(want):
        problems.append(f"files {sorted(got)}, a fresh run writes {sorted(want)}")
    for name in ("energy.csv", "output.json"):
        if got.get(name) != want.get(name):
            problems.append(f"{name} differs from a fresh run's")
    return problems


def case_full_disk_other_platform_replaced(work):
    """gpt_model into a folder where attention_head wrote traces: afterwards only gpt_model's files."""
    base = fresh_dir(work, "full_disk_other_platform_replaced")
    out = os.path.join(base, "out")
    code, _, stderr = head_run(out, 10, "--set", "trace.vcd=true", "--set", "trace.timeline=true")
    if code != 0:
        return [f"the head run failed (exit {code}): {stderr.strip()}"]
    code, _, stderr = run([BIN["gpt"]] + GEN + ["--out", out])
    if code != 0:
        return [f"the gpt_model run failed (exit {code}): {stderr.strip()}"]
    left = files_in(out)
    return [] if left == ["energy.csv", "output.json", "summary.json"] else [f"files after gpt_model: {left}"]


# --- signals before the simulation starts -------------------------------------------------------
def wchan(pid):
    try:
        with open(f"/proc/{pid}/wchan") as f:
            return f.read().strip()
    except OSError:
        return ""


def signal_case(argv, out, signum, ready, program, writer=None):
    """Start argv, wait until ready(pid) (at most TIMEOUT_S), send signum; check a prompt exit 130."""
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + TIMEOUT_S
    while p.poll() is None and not ready(p.pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    if p.poll() is not None:
        return [f"the run ended (exit {p.returncode}) before the signal: {p.stderr.read().decode(errors='replace')!r}"]
    sent = time.monotonic()
    p.send_signal(signum)
    try:
        _, stderr = p.communicate(timeout=PROMPT_EXIT_S)
        took = time.monotonic() - sent
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        return [f"still running {PROMPT_EXIT_S} s after {signal.Signals(signum).name} (the signal waits for setup)"]
    finally:
        if writer:
            writer.close()
    problems = []
    stderr = stderr.decode(errors="replace")
    if p.returncode != 130:
        problems.append(f"exit code {p.returncode}, expected 130")
    if stderr.splitlines() != [f"{program}: {EARLY_STOP}"]:
        problems.append(f"stderr {stderr!r}, expected one line '{program}: {EARLY_STOP}'")
    if os.path.exists(out):
        problems.append(f"output folder written: {out}: {files_in(out)}")
    return problems or [f"ok after {took:.2f} s"]


def fresh_dir(work, name):
    base = os.path.join(work, name)
    shutil.rmtree(base, ignore_errors=True)
    os.makedirs(base)
    return base


def case_signal_elaboration(work, signum):
    """256 heads of window 4096: about 10 s of elaboration (Release); the signal comes 0.3 s after the
    output folder (created before elaboration) appears. Both folder levels the run created must go."""
    base = fresh_dir(work, "signal_elaboration")
    new = os.path.join(base, "new")
    out = os.path.join(new, "out")
    argv = [BIN["layer"], "--set", "heads=256", "--set", "window=4096", "--set", "output.head_outputs=false",
            "--tokens", "1", "--out", out]
    appeared = []

    def ready(_):
        if not appeared and os.path.isdir(out):
            appeared.append(time.monotonic())
        return bool(appeared) and time.monotonic() - appeared[0] > 0.3
    return signal_case(argv, new, signum, ready, "attention_layer")


def make_fifo(work, name):
    base = fresh_dir(work, name)
    fifo = os.path.join(base, "fifo")
    os.mkfifo(fifo)
    return base, fifo


def blocked_in(*names):
    """ready(): the process sleeps in the kernel in a function whose name holds one of `names` (wchan),
    or 5 s passed (a kernel that names the wait otherwise or hides wchan; the handlers are installed
    long before)."""
    start = time.monotonic()
    return lambda pid: any(n in wchan(pid) for n in names) or time.monotonic() - start > 5


def case_signal_fifo_open(work):
    """--input is a FIFO nobody writes: the run blocks in open()."""
    base, fifo = make_fifo(work, "signal_fifo_open")
    out = os.path.join(base, "out")
    return signal_case([BIN["head"], "--input", fifo, "--out", out], out, signal.SIGTERM,
                       blocked_in("wait_for_partner", "fifo_open"), "attention_head")


def open_writer(fifo, text):
    """A writer that sends `text` and keeps the FIFO open (the reader blocks in read())."""
    holder = {}

    def writer():
        holder["f"] = open(fifo, "w")
        holder["f"].write(text)
        holder["f"].flush()
    t = threading.Thread(target=writer, daemon=True)
    t.start()
    return t, holder


class Closer:
    def __init__(self, holder):
        self.holder = holder

    def close(self):
        if "f" in self.holder:
            try:
                self.holder["f"].close()
            except OSError:
                pass


def case_signal_fifo_read(work, program, signum):
    """--input (layer) or --text (gpt_model) is a FIFO with a writer that sent half a document."""
    base, fifo = make_fifo(work, f"signal_fifo_read_{program}")
    out = os.path.join(base, "out")
    if program == "layer":
        argv = [BIN["layer"], "--set", "heads=1", "--input", fifo, "--out", out]
    else:
        argv = [BIN["gpt"], "--text", fifo, "--tokens", "2", "--out", out]
    _, holder = open_writer(fifo, '{"heads": [' if program == "layer" else "Some text")
    return signal_case(argv, out, signum, blocked_in("pipe_read", "pipe_wait"),
                       os.path.basename(BIN[program]), writer=Closer(holder))


# --- scripts/compare -------------------------------------------------------------------------------
def compare_summary(work, name, tokens):
    base = fresh_dir(work, name)
    out = os.path.join(base, "run")
    code, _, stderr = run([BIN["head"], "--tokens", str(tokens), "--set", "output.attention_matrices=false",
                           "--out", out])
    if code != 0:
        raise RuntimeError(f"attention_head run failed: {stderr.strip()}")
    return base, os.path.join(out, "summary.json")


def case_compare_mismatch(work):
    """A 1-head window-128 run against the 12-head, 1024-token GPU rows: refused, and with
    --allow-mismatch the table says what was simulated and lists the differences."""
    base, summary = compare_summary(work, "compare_mismatch", 200)
    cmp_out = os.path.join(base, "cmp")
    code, _, stderr = run([ARGS.compare, "--summary", summary, "--out", cmp_out])
    problems = []
    if code != 2 or "heads 1 vs heads 12" not in stderr or "window 128 vs kv_cache_tokens 1024" not in stderr:
        problems.append(f"refusal: exit {code}, stderr {stderr.strip()!r}")
    if os.path.exists(os.path.join(cmp_out, "comparison.md")):
        problems.append("a refused comparison wrote comparison.md")
    code, text, stderr = run([ARGS.compare, "--summary", summary, "--out", cmp_out, "--allow-mismatch"])
    if code != 0:
        return problems + [f"--allow-mismatch: exit {code}: {stderr.strip()}"]
    row = next((line for line in text.splitlines() if line.startswith("| gcasim")), "")
    full = 200 - 128 + 1  # tokens whose window is full
    if f"| heads 1, head dim 64, window 128, 200 tokens (energy: the {full} full-window ones) |" not in row:
        problems.append(f"the gcasim row does not say what was simulated: {row!r}")
    if "gcasim heads 1 vs heads 12" not in text or "gcasim window 128 vs kv_cache_tokens 1024" not in text:
        problems.append("the notes do not list the differences")
    return problems


def case_compare_no_full_window(work):
    base, summary = compare_summary(work, "compare_no_full_window", 100)
    code, _, stderr = run([ARGS.compare, "--summary", summary, "--out", os.path.join(base, "cmp"),
                           "--allow-mismatch"])
    if code != 2 or "no token ran with a full window (tokens 100, window 128)" not in stderr:
        return [f"exit {code}, stderr {stderr.strip()!r}"]
    return []


def all_cases(work):
    cases = [(c[0], lambda c=c: case_unused(*c, work)) for c in UNUSED]
    cases.append(("help_gpt_offers_only_what_it_takes", lambda: case_help_gpt(work)))
    cases += [(c[0], lambda c=c: case_stdout(*c, work)) for c in STDOUT_CASES]
    cases += [("full_disk_tmpfs_first_file", lambda: case_full_disk_tmpfs_first_file(work)),
              ("full_disk_blocked_by_folder", lambda: case_full_disk_blocked_by_folder(work)),
              ("full_disk_file_size_limit", lambda: case_full_disk_file_size_limit(work)),
              ("full_disk_success_replaces_all", lambda: case_full_disk_success_replaces_all(work)),
              ("full_disk_other_platform_replaced", lambda: case_full_disk_other_platform_replaced(work)),
              ("signal_elaboration_sigterm", lambda: case_signal_elaboration(work, signal.SIGTERM)),
              ("signal_elaboration_sigint", lambda: case_signal_elaboration(work, signal.SIGINT)),
              ("signal_fifo_open_input", lambda: case_signal_fifo_open(work)),
              ("signal_fifo_read_layer_input", lambda: case_signal_fifo_read(work, "layer", signal.SIGINT)),
              ("signal_fifo_read_gpt_text", lambda: case_signal_fifo_read(work, "gpt", signal.SIGTERM)),
              ("compare_mismatch", lambda: case_compare_mismatch(work)),
              ("compare_no_full_window", lambda: case_compare_no_full_window(work))]
    return cases


def main():
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    for name in ("head", "layer", "gpt", "tb", "reference", "compare", "workdir"):
        ap.add_argument(f"--{name}", required=True)
    ap.add_argument("-k", dest="only", help="run only the cases whose name contains this")
    ARGS = ap.parse_args()
    ARGS.reference, ARGS.compare = os.path.abspath(ARGS.reference), os.path.abspath(ARGS.compare)
    for name in ("head", "layer", "gpt", "tb"):
        BIN[name] = os.path.abspath(getattr(ARGS, name))
    require_binaries(*BIN.values())
    work = os.path.abspath(ARGS.workdir)
    os.makedirs(work, exist_ok=True)
    failed = []
    cases = [c for c in all_cases(work) if not ARGS.only or ARGS.only in c[0]]
    for name, check in cases:
        try:
            problems = check()
        except (subprocess.TimeoutExpired, OSError, RuntimeError) as e:
            problems = [f"{type(e).__name__}: {e}"]
        notes = [p for p in problems if p.startswith("ok")]
        problems = [p for p in problems if not p.startswith("ok")]
        if problems:
            failed.append(name)
            print(f"FAIL: {name}: " + "; ".join(problems), flush=True)
        else:
            print(f"ok: {name}" + (f" ({notes[0][3:]})" if notes else ""), flush=True)
    return report_cases(failed, len(cases))


if __name__ == "__main__":
    sys.exit(main())
