#!/usr/bin/python3
"""The gpt_model platform against the PyTorch hardware model (seconds).

Parity: the C++/SystemC cross-entropy of the committed nonlinear model on the first 1024
validation characters (and the first 256, position by position) equals the PyTorch numbers
stored in its model.json (`reference_eval`, same protocol), within 1 % relative; the linear model
too on 256. Also: latency and energy add up over the layers, generation is deterministic, a
changed hardware config changes the loss, and bad input gives one stderr line and exit code 2:
--text from /dev/zero, an endless FIFO, empty or too short, --tokens beyond the text; characters
outside the vocabulary are read as the unknown token and reported.

  check_gpt_model.py --binary build/bin/gpt_model --workdir DIR
Needs the fortunes corpus (Debian packages fortunes, fortunes-min: scripts/setup).
"""
import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from gcasim_tools.checks import address_space_cap, check, finish_checks  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOLERANCE = 0.01  # relative, the parity criterion


def run(binary, args, out):
    shutil.rmtree(out, ignore_errors=True)
    return subprocess.run([binary, "--out", out] + args, capture_output=True, text=True, timeout=300,
                          preexec_fn=address_space_cap(binary, 4 << 30))  # an evaluation needs a few hundred MB


def reference(variant):
    with open(os.path.join(ROOT, "models", variant, "model.json")) as f:
        return json.load(f)["reference_eval"]


def load(out, name):
    with open(os.path.join(out, name)) as f:
        return json.load(f)


def relative_gap(ours, theirs):
    return abs(ours - theirs) / theirs


def check_parity(binary, work):
    out = os.path.join(work, "nonlinear")
    r = run(binary, ["--mode", "eval", "--tokens", "1024"], out)
    check(r.returncode == 0, f"eval of models/nonlinear runs (rc {r.returncode}: {r.stderr.strip()[:200]})")
    if r.returncode:
        return
    ref = reference("nonlinear")
    summary, losses = load(out, "summary.json"), load(out, "output.json")["losses"]
    loss = summary["eval"]["loss_nats_per_char"]
    torch_loss = ref["losses"]["1024"]
    print(f"     N=1024: gcasim {loss:.5f}, PyTorch {torch_loss:.5f}, gap {100 * (loss - torch_loss) / torch_loss:+.3f} %")
    check(len(losses) == 1024 and abs(statistics.fmean(losses) - loss) < 1e-9, "output.json holds the 1024 losses")
    check(relative_gap(loss, torch_loss) < TOLERANCE, "N=1024 loss within 1 % of PyTorch")
    first = statistics.fmean(losses[:256])
    check(relative_gap(first, ref["losses"]["256"]) < TOLERANCE,
          f"N=256 loss within 1 % of PyTorch ({first:.5f} vs {ref['losses']['256']:.5f})")
    diffs = [abs(a - b) for a, b in zip(losses[:256], ref["first_chunk_position_losses"])]
    close = sum(d < 1e-3 for d in diffs)
    print(f"     first chunk: {close}/256 positions within 1e-3 nats, max difference {max(diffs):.4f}")
    check(close >= 0.9 * 256, "position by position: at least 90 % of the first chunk within 1e-3 nats")
    check(summary["eval"].get("config_matches_training") is True and "pytorch_loss" in summary["eval"],
          "the summary carries the PyTorch reference for the trained config")
    check_timing_and_energy(summary, out)


def check_timing_and_energy(summary, out):
    layers = summary["per_layer"]
    per_layer = [l["latency_per_token_ns"] for l in layers]
    check(abs(summary["latency_per_token_ns"]["mean"] - sum(per_layer)) < 1e-6,
          f"model latency = sum of the layers' ({summary['latency_per_token_ns']['mean']} ns = {per_layer})")
    total = summary["energy_per_token_pj"]["mean"]["total"]
    by_layer = sum(l["energy_per_token_pj"]["mean"]["total"] for l in layers)
    check(abs(total - by_layer) < 1e-6 * total, f"model energy per token = sum of the layers' ({total:.1f} pJ)")
    with open(os.path.join(out, "energy.csv")) as f:
        rows = list(csv.DictReader(f))
    tokens = summary["tokens"]
    check(len(rows) == tokens * len(layers), f"energy.csv: one row per token and layer ({len(rows)})")
    csv_total = sum(float(r["total_pj"]) for r in rows) / tokens
    check(abs(csv_total - total) < 1e-6 * total, "energy.csv adds up to the summary's energy per token")


def check_linear(binary, work):
    out = os.path.join(work, "linear")
    r = run(binary, ["--model", os.path.join(ROOT, "models", "linear"), "--tokens", "256"], out)
    check(r.returncode == 0, "eval of models/linear runs")
    if r.returncode == 0:
        loss, torch_loss = load(out, "summary.json")["eval"]["loss_nats_per_char"], reference("linear")["losses"]["256"]
        print(f"     linear N=256: gcasim {loss:.5f}, PyTorch {torch_loss:.5f}")
        check(relative_gap(loss, torch_loss) < TOLERANCE, "linear model: N=256 loss within 1 % of PyTorch")


def check_changed_hardware(binary, work):
    out = os.path.join(work, "window32")
    r = run(binary, ["--tokens", "256", "--set", "window=32"], out)
    check(r.returncode == 0, "eval with --set window=32 runs")
    if r.returncode == 0:
        e = load(out, "summary.json")["eval"]
        check(e["config_matches_training"] is False and "pytorch_loss" not in e,
              "a changed config is not compared with the PyTorch reference")
        check(abs(e["loss_nats_per_char"] - reference("nonlinear")["losses"]["256"]) > 1e-3,
              f"window 32 changes the loss ({e['loss_nats_per_char']:.5f})")


def check_generate(binary, work):
    texts = []
    for i, extra in enumerate([[], [], ["--temperature", "0.8", "--seed", "5"], ["--temperature", "0.8", "--seed", "5"]]):
        out = os.path.join(work, f"generate{i}")
        r = run(binary, ["--mode", "generate", "--prompt", "The ", "--tokens", "40"] + extra, out)
        check(r.returncode == 0 and r.stdout.startswith("The "), f"generate {extra or 'greedy'} runs and prints the text")
        texts.append(load(out, "summary.json")["generate"]["generated"] if r.returncode == 0 else None)
    check(texts[0] == texts[1] and len(texts[0] or "") == 40, "greedy generation: 40 characters, deterministic")
    check(texts[2] == texts[3], "sampled generation: same seed, same text")


def check_bad_inputs(binary, work):
    cases = [
        (["--model", os.path.join(ROOT, "models", "softmax")], "softmax"),
        (["--mode", "translate"], "--mode"),
        (["--tokens", "100000000"], "--tokens"),
        (["--set", "head_dim=32"], "head_dim"),
        (["--mode", "generate"], "--prompt"),
        (["--mode", "generate", "--prompt", "x", "--temperature", "-1"], "--temperature"),
        (["--model", os.path.join(work, "no_such_model")], "no_such_model"),
        (["--set", "window=0"], "window"),
    ]
    for args, needle in cases:
        out = os.path.join(work, "bad")
        r = run(binary, args, out)
        lines = r.stderr.strip().splitlines()
        check(r.returncode == 2 and len(lines) == 1 and needle in lines[0] and not os.path.exists(
            os.path.join(out, "summary.json")), f"{' '.join(args)[-60:]}: exit 2, one line naming '{needle}'")


def expect_error(binary, work, args, needles, absent=()):
    """exit 2, one stderr line holding every needle and none of `absent`, no outputs."""
    out = os.path.join(work, "bad")
    r = run(binary, args, out)
    lines = r.stderr.strip().splitlines()
    ok = (r.returncode == 2 and len(lines) == 1 and all(n in lines[0] for n in needles) and
          not any(n in lines[0] for n in absent) and not os.path.exists(os.path.join(out, "summary.json")))
    shown = " ".join(a if isinstance(a, str) else repr(a) for a in args)[-70:]
    check(ok, f"{shown}: exit 2, one line naming {needles}" + ("" if ok else f" (rc {r.returncode}: {r.stderr.strip()[:200]})"))


def check_text_inputs(binary, work):
    """--text and --prompt at the edges (issue 11, classes 7 and 9): bounded reads, clear messages."""
    limit = "16777216"
    expect_error(binary, work, ["--text", "/dev/zero"], ["--text", "/dev/zero", limit])
    text = os.path.join(work, "texts")
    os.makedirs(text, exist_ok=True)

    def file_with(name, data):
        path = os.path.join(text, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    big = file_with("big.txt", b"a" * (16 * 2 ** 20 + 1))
    expect_error(binary, work, ["--text", big], ["--text", "big.txt", limit])
    # A FIFO whose writer never stops: the read ends at the limit.
    fifo = os.path.join(text, "endless.fifo")
    if os.path.exists(fifo):
        os.remove(fifo)
    os.mkfifo(fifo)
    writer = subprocess.Popen(["sh", "-c", f"yes hello > {fifo}"], stderr=subprocess.DEVNULL)
    expect_error(binary, work, ["--text", fifo], ["--text", "endless.fifo", limit])
    writer.kill()
    writer.wait()
    empty = file_with("empty.txt", b"")
    expect_error(binary, work, ["--text", empty], ["--text", "empty.txt", "0 character", "at least 2"], ["1 .. 0"])
    one = file_with("one.txt", b"x")
    expect_error(binary, work, ["--text", one], ["--text", "1 character", "at least 2"], ["1 .. 0"])
    ten = file_with("ten.txt", b"0123456789")
    expect_error(binary, work, ["--text", ten, "--tokens", "20"], ["--tokens", "20", "1 .. 9", "10 characters"])
    expect_error(binary, work, ["--text", file_with("bad.txt", b"ab\xff\xfecd")], ["--text", "bad.txt", "malformed UTF-8"])
    expect_error(binary, work, ["--text", text], ["--text", "directory"])
    expect_error(binary, work, ["--text", os.path.join(text, "none.txt")], ["--text", "none.txt", "No such file"])
    expect_error(binary, work, ["--mode", "generate", "--prompt", ""], ["--prompt", "non-empty"])
    expect_error(binary, work, ["--mode", "generate", "--prompt", b"a\xffb"], ["--prompt", "malformed UTF-8"])

    # Characters outside the vocabulary: read as the unknown token, and said so.
    snow = file_with("snow.txt", "The snow \u2603\u2603 fell.\n".encode())
    out = os.path.join(work, "snow")
    r = run(binary, ["--text", snow, "--tokens", "16"], out)
    check(r.returncode == 0 and "note: 2 character(s) of the text are outside the model's vocabulary" in r.stdout and
          load(out, "summary.json")["eval"].get("unknown_characters") == 2,
          f"--text with 2 characters outside the vocabulary: runs and says so (rc {r.returncode}: {r.stderr.strip()[:160]})")
    r = run(binary, ["--text", ten, "--tokens", "9"], out)
    check(r.returncode == 0 and "note:" not in r.stdout and load(out, "summary.json")["eval"].get("unknown_characters") == 0,
          "--text of known characters, all 9 predictions of 10 characters: runs, no note")
    r = run(binary, ["--mode", "generate", "--prompt", "\u2603 The ", "--tokens", "5"], out)
    check(r.returncode == 0 and "note: 1 character(s) of the prompt are outside" in r.stdout and
          load(out, "summary.json")["generate"].get("unknown_characters") == 1,
          f"--prompt with 1 character outside the vocabulary: runs and says so (rc {r.returncode})")
    fifo = os.path.join(text, "short.fifo")
    if os.path.exists(fifo):
        os.remove(fifo)
    os.mkfifo(fifo)
    writer = subprocess.Popen(["sh", "-c", f"printf 'Hello, world. Hello again.' > {fifo}"])
    r = run(binary, ["--text", fifo, "--tokens", "8"], out)
    writer.wait()
    check(r.returncode == 0 and load(out, "summary.json")["eval"]["predictions"] == 8, "--text from a FIFO runs")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--binary", required=True)
    p.add_argument("--workdir", required=True)
    a = p.parse_args()
    if not os.path.isfile("/usr/share/games/fortunes/fortunes"):
        sys.exit("check_gpt_model: the fortunes corpus is missing: install the Debian packages fortunes fortunes-min "
                 "(scripts/setup)")
    os.makedirs(a.workdir, exist_ok=True)
    check_parity(a.binary, a.workdir)
    check_linear(a.binary, a.workdir)
    check_changed_hardware(a.binary, a.workdir)
    check_generate(a.binary, a.workdir)
    check_bad_inputs(a.binary, a.workdir)
    check_text_inputs(a.binary, a.workdir)
    finish_checks("check_gpt_model")


if __name__ == "__main__":
    main()
