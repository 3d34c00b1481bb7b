#!/usr/bin/python3
"""Measure the GPU (or CPU) baseline of attention-only sequential decode (or, with --model, of a whole GPT-2 decoder).

Reproduces the authors' measurement (the paper's GPU comparison; their public
`tests_divers/test_speed_energy.py`): a KV cache of 1024 tokens, 12 heads,
d = 64, batch 64, 1024 generated tokens, 5 warm-up + 10 timed runs, power
minus idle, figures per token = per run / batch / tokens.  Two kernels:

  sdpa     decode-faithful (default): each step writes its K,V into a ring
           cache of --cache slots and attends its single query row over the
           valid window only, softmax(q k^T / sqrt(d)) v, without is_causal
           (for one query row is_causal=True is top-left aligned and would
           see only the first key).
  authors  what the authors' stored script runs (flash_attention = False):
           two matmuls, no softmax, over all cache slots every step (zeros
           included), cache laid out (batch, slot, head, d).

Both the authors' batch-amortised latency per token (run / (batch*tokens))
and the real latency of one decode step (run / tokens) are reported.
Energy = integral of (P - P_idle) dt over the timed runs, P sampled in a
thread from NVML (pynvml) or else `nvidia-smi`; null on CPU (no meter).

With --model gpt2|gpt2-medium|gpt2-large|gpt2-xl it measures the whole
decoder instead: a GPT-2-shaped model with random weights (embedding, every
layer's LayerNorms, QKV and output projections, attention over a KV cache,
MLP, final LayerNorm and tied LM head), greedy KV-cache decode of --tokens
tokens for --batch sequences from position --prefill, each step timed with
CUDA events (per-token = step / batch), energy as above.

Run with /usr/bin/python3 (Debian's python3-torch).  Examples, CPU smoke:
  scripts/gpu_baseline.py --device cpu --tokens 8 --batch 2 --runs 1 --warmup 0
  scripts/gpu_baseline.py --model gpt2 --device cpu --tokens 2 --batch 1 --runs 1 --warmup 0
"""
import argparse
import contextlib
import datetime
import json
import math
import os
import platform
import subprocess
import sys
import threading
import time

from gcasim_tools import errors
from gcasim_tools.files import atomic_write_json, atomic_write_text
from gcasim_tools.machine import cpu_model

REPO_CODE = ("NathanLeroux-git/GainCellAttention, tests_divers/test_speed_energy.py "
             "(commit 2c49ac0fe5d3a7e2c8b324657a95efe567c07c74)")


# GPT-2's shapes (Radford et al. 2019; the same as platforms/configs/models/gpt2*.json): layers,
# heads; every model has head_dim 64, MLP 4 x d_model, a vocabulary of 50257, a context of 1024.
GPT2_MODELS = {"gpt2": (12, 12), "gpt2-medium": (24, 16), "gpt2-large": (36, 20), "gpt2-xl": (48, 25)}
GPT2_HEAD_DIM, GPT2_MLP_RATIO, GPT2_VOCAB, GPT2_CONTEXT = 64, 4, 50257, 1024


def die(msg, code=2):
    errors.die("gpu_baseline", msg, code)


def int_at_least(lo):
    def parse(text):
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not an integer: {text!r}")
        if v < lo:
            raise argparse.ArgumentTypeError(f"must be >= {lo}, got {v}")
        return v
    return parse


positive_int, nonneg_int = int_at_least(1), int_at_least(0)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--device", choices=["auto", "cuda", "cpu"], default="auto",
                   help="auto = first CUDA GPU if any, else cpu (default auto)")
    p.add_argument("--gpu", type=nonneg_int, default=0, help="CUDA device index (default 0)")
    p.add_argument("--model", choices=list(GPT2_MODELS),
                   help="measure the whole decoder of this GPT-2 shape (random weights) instead of "
                        "attention alone; --heads, --head-dim, --cache and --kernel do not apply")
    p.add_argument("--prefill", type=nonneg_int, default=0,
                   help="--model: positions already in the KV cache (random) before the timed "
                        "tokens; --prefill + --tokens <= 1024 (default 0)")
    p.add_argument("--kernel", choices=["sdpa", "authors"], default=None,
                   help="sdpa: decode-faithful (default); authors: their stored script")
    p.add_argument("--tokens", type=positive_int, default=None,
                   help="generated tokens per run (default 1024; --model: 64)")
    p.add_argument("--batch", type=positive_int, default=None,
                   help="sequences decoded together (default 64; --model: 1)")
    p.add_argument("--heads", type=positive_int, default=None, help="attention heads (default 12)")
    p.add_argument("--head-dim", type=positive_int, default=None, help="dimension of a head (default 64)")
    p.add_argument("--cache", type=positive_int, default=None,
                   help="KV-cache slots = sliding window M (default 1024)")
    p.add_argument("--runs", type=positive_int, default=10, help="timed runs")
    p.add_argument("--warmup", type=nonneg_int, default=5, help="warm-up runs")
    p.add_argument("--dtype", choices=["float32", "float16", "bfloat16"], default="float32")
    p.add_argument("--idle-seconds", type=float, default=2.0,
                   help="time spent sampling idle power before the runs (default 2)")
    p.add_argument("--sample-interval", type=float, default=0.02,
                   help="power sampling period in seconds (default 0.02)")
    p.add_argument("--out", metavar="FILE", help="write the row alone (a JSON object)")
    p.add_argument("--append", metavar="FILE",
                   help="append the row to a JSON list of rows (e.g. docs/baselines/gpu.json)")
    a = p.parse_args(argv)
    attention_only = {"heads": 12, "head_dim": 64, "cache": 1024, "kernel": "sdpa"}
    if a.model:
        given = [f"--{k.replace('_', '-')}" for k in attention_only if getattr(a, k) is not None]
        if given:
            p.error(f"{', '.join(given)}: not with --model (the model fixes its shape and kernel)")
        a.tokens = a.tokens if a.tokens is not None else 64
        a.batch = a.batch if a.batch is not None else 1
        if a.prefill + a.tokens > GPT2_CONTEXT:
            p.error(f"--prefill {a.prefill} + --tokens {a.tokens} = {a.prefill + a.tokens} positions; "
                    f"allowed: <= {GPT2_CONTEXT} (GPT-2's context)")
    else:
        if a.prefill:
            p.error("--prefill: only with --model")
        for k, default in attention_only.items():
            setattr(a, k, getattr(a, k) if getattr(a, k) is not None else default)
        a.tokens = a.tokens if a.tokens is not None else 1024
        a.batch = a.batch if a.batch is not None else 64
    if a.kernel == "authors" and a.tokens > a.cache:
        p.error("--kernel authors writes slot t without wrapping: needs --tokens <= --cache")
    if not (a.idle_seconds > 0 and a.sample_interval > 0):
        p.error("--idle-seconds and --sample-interval must be > 0")
    for path in (a.out, a.append):
        if path and not os.path.isdir(os.path.dirname(os.path.abspath(path))):
            p.error(f"directory of {path!r} does not exist")
    return a


# --- power meters -----------------------------------------------------------

def nvml_index(cuda_index):
    """NVML / nvidia-smi number the GPUs physically; CUDA_VISIBLE_DEVICES renumbers."""
    vis = os.environ.get("CUDA_VISIBLE_DEVICES", "").split(",")
    if cuda_index < len(vis) and vis[cuda_index].strip().isdigit():
        return int(vis[cuda_index])
    return cuda_index


def make_power_reader(cuda_index):
    """Return (read_watts, method) or (None, reason)."""
    idx = nvml_index(cuda_index)
    try:
        import pynvml
        pynvml.nvmlInit()
        h = pynvml.nvmlDeviceGetHandleByIndex(idx)
        pynvml.nvmlDeviceGetPowerUsage(h)
        return (lambda: pynvml.nvmlDeviceGetPowerUsage(h) / 1000.0,  # mW -> W
                f"NVML nvmlDeviceGetPowerUsage (pynvml), GPU {idx}")
    except Exception as e:  # not installed, or NVML unusable: try nvidia-smi
        nvml_err = f"pynvml: {e.__class__.__name__}: {e}"
    cmd = ["nvidia-smi", f"--id={idx}", "--query-gpu=power.draw", "--format=csv,noheader,nounits"]

    def smi():
        return float(subprocess.run(cmd, capture_output=True, text=True, timeout=5,
                                    check=True).stdout.strip())
    try:
        smi()
        return smi, f"nvidia-smi --query-gpu=power.draw, GPU {idx}"
    except Exception as e:
        return None, f"no power meter ({nvml_err}; nvidia-smi: {e.__class__.__name__}: {e})"


class PowerSampler:
    """Samples read_watts() every `interval` s in a thread: list of (t, W)."""

    def __init__(self, read_watts, interval):
        self.read, self.interval, self.samples = read_watts, interval, []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self):
        while not self._stop.is_set():
            try:
                self.samples.append((time.perf_counter(), self.read()))
            except Exception:  # e.g. nvidia-smi printing "[N/A]": skip the sample
                pass
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def mean_power(samples):
    """Time-weighted (trapezoid) mean of (t, W) samples."""
    if len(samples) < 2:
        return None
    area = sum((t1 - t0) * (p0 + p1) / 2 for (t0, p0), (t1, p1) in zip(samples, samples[1:]))
    return area / (samples[-1][0] - samples[0][0])


# --- the workload -------------------------------------------------------------

def make_decoder(torch, a, dev, dtype):
    """Return (step, kernel description); step(t) decodes token t for the whole batch."""
    B, H, D, M, T = a.batch, a.heads, a.head_dim, a.cache, a.tokens
    g = torch.Generator(device="cpu").manual_seed(0)
    # New q, k, v of every step, made up front as the authors do (not timed).
    q, k, v = torch.rand(3, T, B, H, D, generator=g).to(dev, dtype).unbind(0)
    scale = 1.0 / math.sqrt(D)
    sdpa = getattr(torch.nn.functional, "scaled_dot_product_attention", None)  # torch >= 2.0

    if a.kernel == "sdpa":
        kc = torch.zeros(B, H, M, D, device=dev, dtype=dtype)
        vc = torch.zeros_like(kc)

        def step(t):
            slot, n = t % M, min(t + 1, M)        # ring buffer; n valid keys
            kc[:, :, slot] = k[t]
            vc[:, :, slot] = v[t]
            qt = q[t].unsqueeze(2)                 # (B, H, 1, D): one query row
            kw, vw = kc[:, :, :n], vc[:, :, :n]    # valid window; key order is irrelevant
            if sdpa is not None:
                return sdpa(qt, kw, vw)            # no is_causal: see module docstring
            return torch.softmax(qt @ kw.transpose(-1, -2) * scale, dim=-1) @ vw
        kernel = ("torch.nn.functional.scaled_dot_product_attention" if sdpa else
                  "softmax(q k^T / sqrt(d)) v (torch < 2.0 has no SDPA)") + \
            ", one query row over the valid window min(t+1, M), no is_causal"
    else:
        kc = torch.zeros(B, M, H, D, device=dev, dtype=dtype)  # authors' layout
        vc = torch.zeros_like(kc)

        def step(t):
            kc[:, t] = k[t]
            vc[:, t] = v[t]
            x = q[t].unsqueeze(2) @ kc.transpose(1, 2).transpose(-1, -2)
            return x @ vc.transpose(1, 2)
        kernel = "authors' script: (q @ K^T) @ V, no softmax, over all M cache slots"

    return step, kernel


def gpt2_shape(name):
    layers, heads = GPT2_MODELS[name]
    d = heads * GPT2_HEAD_DIM
    return {"model": name, "layers": layers, "heads": heads, "head_dim": GPT2_HEAD_DIM, "d_model": d,
            "mlp_ratio": GPT2_MLP_RATIO, "vocab": GPT2_VOCAB, "context": GPT2_CONTEXT}


def gpt2_parameters(shape):
    """Parameter count with the LM head tied to the token embedding (GPT-2 small: 124 439 808)."""
    d, f = shape["d_model"], shape["d_model"] * shape["mlp_ratio"]
    per_layer = 2 * 2 * d + (d * 3 * d + 3 * d) + (d * d + d) + (d * f + f) + (f * d + d)
    return (shape["vocab"] + shape["context"]) * d + shape["layers"] * per_layer + 2 * d


def make_model_decoder(torch, a, dev, dtype):
    """Return (step, kernel description, shape, parameters); step(t) decodes token t (at position
    --prefill + t) for the whole batch through every layer of the GPT-2-shaped model and returns
    the logits; greedy: the next input is the argmax of these logits, so steps depend on each other
    as in generation. Weights are random (normal, std 0.02 as GPT-2 initialises them; LayerNorms 1
    and 0): time and energy do not depend on their values."""
    shape = gpt2_shape(a.model)
    L, H, D, d, C = shape["layers"], shape["heads"], shape["head_dim"], shape["d_model"], shape["context"]
    f, B, P = d * shape["mlp_ratio"], a.batch, a.prefill
    g = torch.Generator(device="cpu").manual_seed(0)

    def normal(*size):
        return (torch.randn(*size, generator=g) * 0.02).to(dev, dtype)

    def zeros(*size):
        return torch.zeros(*size, device=dev, dtype=dtype)

    def ones(*size):
        return torch.ones(*size, device=dev, dtype=dtype)

    wte, wpe = normal(shape["vocab"], d), normal(C, d)
    layers = [{"ln_1": (ones(d), zeros(d)), "qkv": (normal(d, 3 * d), zeros(3 * d)),
               "out_proj": (normal(d, d), zeros(d)), "ln_2": (ones(d), zeros(d)),
               "mlp_fc": (normal(d, f), zeros(f)), "mlp_proj": (normal(f, d), zeros(d))}
              for _ in range(L)]
    ln_f = (ones(d), zeros(d))
    # KV caches: the --prefill positions hold random keys and values (std 1), as after a prompt.
    k_cache = [torch.cat([normal(B, H, P, D) * 50, zeros(B, H, C - P, D)], dim=2) for _ in range(L)]
    v_cache = [torch.cat([normal(B, H, P, D) * 50, zeros(B, H, C - P, D)], dim=2) for _ in range(L)]
    first_tokens = torch.randint(0, shape["vocab"], (B,), generator=g).to(dev)
    F = torch.nn.functional
    scale = 1.0 / math.sqrt(D)
    state = {"tokens": first_tokens}

    def layer_norm(x, wb):
        return F.layer_norm(x, (d,), wb[0], wb[1])

    def linear(x, wb):
        return torch.addmm(wb[1], x, wb[0])

    def step(t):
        pos = P + t
        if t == 0:
            state["tokens"] = first_tokens
        x = wte[state["tokens"]] + wpe[pos]                                    # (B, d)
        for l, w in enumerate(layers):
            q, k, v = linear(layer_norm(x, w["ln_1"]), w["qkv"]).view(B, 3, H, D).unbind(1)
            k_cache[l][:, :, pos] = k
            v_cache[l][:, :, pos] = v
            keys, values = k_cache[l][:, :, :pos + 1], v_cache[l][:, :, :pos + 1]    # (B, H, n, D)
            scores = torch.softmax((keys @ q.unsqueeze(-1)).squeeze(-1) * scale, dim=-1)  # (B, H, n)
            attention = (scores.unsqueeze(-2) @ values).reshape(B, d)
            x = x + linear(attention, w["out_proj"])
            x = x + linear(F.gelu(linear(layer_norm(x, w["ln_2"]), w["mlp_fc"])), w["mlp_proj"])
        logits = layer_norm(x, ln_f) @ wte.t()                                  # tied LM head
        state["tokens"] = logits.argmax(dim=-1)
        return logits

    kernel = (f"whole GPT-2-shaped decoder ({a.model}: {L} layers x {H} heads, d_model {d}, MLP {f}, "
              f"vocab {shape['vocab']}, tied LM head), random weights; per layer LayerNorm, QKV, "
              f"softmax(q k^T / sqrt(d)) v over positions 0..t of the KV cache, output projection, "
              f"LayerNorm, MLP with GELU, residuals; greedy next token (argmax) on the device")
    params = {"wte": wte, "wpe": wpe, "layers": layers, "ln_f": ln_f, "first_tokens": first_tokens}
    return step, kernel, shape, params


def step_timer(torch, use_cuda):
    """mark() after each decode step; durations_s() after a synchronize: each step's seconds (CUDA
    events on a GPU: no synchronization between steps; perf_counter on the CPU, where steps run
    synchronously)."""
    class Timer:
        def __init__(self):
            self.marks = []

        def mark(self):
            if use_cuda:
                e = torch.cuda.Event(enable_timing=True)
                e.record()
                self.marks.append(e)
            else:
                self.marks.append(time.perf_counter())

        def durations_s(self):
            if use_cuda:
                return [a.elapsed_time(b) / 1e3 for a, b in zip(self.marks, self.marks[1:])]
            return [b - a for a, b in zip(self.marks, self.marks[1:])]
    return Timer()


def open_device(torch, a):
    """(device, use_cuda, name, read_watts or None, power method)."""
    use_cuda = a.device == "cuda" or (a.device == "auto" and torch.cuda.is_available())
    if use_cuda and not torch.cuda.is_available():
        die("--device cuda but torch.cuda.is_available() is False")
    if use_cuda and a.gpu >= torch.cuda.device_count():
        die(f"--gpu {a.gpu} but only {torch.cuda.device_count()} CUDA device(s)")
    dev = torch.device(f"cuda:{a.gpu}" if use_cuda else "cpu")
    if use_cuda:
        torch.cuda.set_device(dev)
        read_watts, power_method = make_power_reader(a.gpu)
        return dev, True, torch.cuda.get_device_name(dev), read_watts, power_method
    n = torch.get_num_threads()
    return (dev, False, f"CPU: {cpu_model()} ({n} thread{'s' if n != 1 else ''})", None,
            "no power meter on the CPU path (NVML / nvidia-smi measure GPUs only)")


def measure(a):
    try:
        import torch
    except ImportError:
        die("PyTorch is not importable by this interpreter; on Debian: "
            "apt-get install -y --no-install-recommends python3-torch, "
            "then run with /usr/bin/python3", code=3)
    dev, use_cuda, name, read_watts, power_method = open_device(torch, a)
    if a.model and not use_cuda and a.append:
        die("--append with --model on the CPU: a CPU row is a smoke test, never a baseline row "
            "(use --out, or run on a GPU)")
    dtype = getattr(torch, a.dtype)
    try:  # e.g. Debian's torch 1.13 has no float16 LayerNorm, matmul or softmax on the CPU
        probe = torch.zeros(2, 4, device=dev, dtype=dtype)
        torch.softmax(torch.nn.functional.layer_norm(probe @ probe.t(), (2,)), dim=-1)
    except RuntimeError as e:
        die(f"--dtype {a.dtype}: torch {torch.__version__} does not compute in it on {dev} ({e})")
    sync = (lambda: torch.cuda.synchronize(dev)) if use_cuda else (lambda: None)

    shape = None
    with torch.no_grad():
        if a.model:
            step, kernel, shape, _ = make_model_decoder(torch, a, dev, dtype)
        else:
            step, kernel = make_decoder(torch, a, dev, dtype)

    def run(timer=None):  # one run = a.tokens sequential decode steps; like the authors, the
        if timer:         # cache is not cleared between runs
            timer.mark()
        for t in range(a.tokens):
            step(t)
            if timer:
                timer.mark()
    sync()
    idle = None
    if read_watts:  # idle power after CUDA init and allocation, before any work
        with PowerSampler(read_watts, a.sample_interval) as s:
            time.sleep(a.idle_seconds)
        idle = mean_power(s.samples)

    step_s = []
    with torch.no_grad():
        for i in range(a.warmup):
            run()
            sync()
            print(f"warm-up {i + 1}/{a.warmup}", file=sys.stderr)
        run_s = []
        with PowerSampler(read_watts, a.sample_interval) if read_watts else \
                contextlib.nullcontext() as sampler:
            for i in range(a.runs):
                timer = step_timer(torch, use_cuda) if a.model else None
                t0 = time.perf_counter()
                run(timer)
                sync()                              # time the GPU work, not the launches
                run_s.append(time.perf_counter() - t0)
                if timer:
                    step_s += timer.durations_s()
                print(f"run {i + 1}/{a.runs}: {run_s[-1]:.4f} s", file=sys.stderr)

    mean_run = sum(run_s) / len(run_s)
    energy_pj, reason, busy = None, None, None
    if read_watts is None:
        reason = power_method
    elif idle is None or mean_power(sampler.samples) is None:
        reason = "too few power samples: lengthen the runs or shorten --sample-interval"
    else:
        busy = mean_power(sampler.samples)
        # integral of (P - P_idle) dt over the timed runs, per run, per token
        energy_pj = (busy - idle) * mean_run / (a.batch * a.tokens) * 1e12

    timing = "perf_counter around each run, synchronized at its end" if use_cuda else "perf_counter around each run"
    if a.model:
        timing += "; each step by " + ("CUDA events" if use_cuda else "perf_counter")
    row = {
        "device": name,
        "latency_per_token_ns": mean_run / (a.batch * a.tokens) * 1e9,
        "energy_per_token_pj": energy_pj,
        "source": (f"measured with gcasim scripts/gpu_baseline.py --model {a.model}" if a.model else
                   f"measured with gcasim scripts/gpu_baseline.py, after the authors' {REPO_CODE}"),
        "setup": {
            "workload": ("whole GPT-2-shaped decoder, KV-cache decode, one token per sequence per step"
                         if a.model else
                         "attention only (no projections), sequential decode, one query row per step"),
            "kernel": kernel,
            "kv_cache_tokens": shape["context"] if a.model else a.cache,
            "heads": shape["heads"] if a.model else a.heads,
            "head_dim": shape["head_dim"] if a.model else a.head_dim,
            "batch": a.batch, "generated_tokens": a.tokens, "dtype": a.dtype,
            "warmup_runs": a.warmup, "timed_runs": a.runs,
            "timing": timing,
            "power": power_method + (", minus idle power" if read_watts else ""),
            "per_token": "mean run time / (batch * tokens); energy likewise",
            "software": f"torch {torch.__version__}" +
                        (f", CUDA {torch.version.cuda}" if use_cuda else "") +
                        f", Python {platform.python_version()}",
        },
        "measured_by": "gcasim scripts/gpu_baseline.py",
        "date": datetime.date.today().isoformat(),
        "latency_per_step_ns": mean_run / a.tokens * 1e9,
        "measurement": {"run_s": [round(x, 6) for x in run_s],
                        "idle_power_w": idle, "busy_power_w": busy},
    }
    if a.model:
        row["setup"].update({"model": a.model, "layers": shape["layers"], "d_model": shape["d_model"],
                             "mlp_ratio": shape["mlp_ratio"], "vocab": shape["vocab"], "context": shape["context"],
                             "parameters": gpt2_parameters(shape), "prefill_positions": a.prefill})
        row["device_kind"] = "gpu" if use_cuda else "cpu (smoke test, not a baseline)"
        row["measurement"]["step_ns"] = step_percentiles(step_s)
    if energy_pj is None:
        row["energy_null_reason"] = reason
    return row


def step_percentiles(step_s):
    """min, median, p90, max and mean of the timed decode steps, ns."""
    ns = sorted(x * 1e9 for x in step_s)
    if not ns:
        return None
    at = lambda q: ns[min(len(ns) - 1, int(q * (len(ns) - 1) + 0.5))]
    return {"min": ns[0], "median": at(0.5), "p90": at(0.9), "max": ns[-1], "mean": sum(ns) / len(ns),
            "steps": len(ns)}


# --- output -------------------------------------------------------------------

def read_rows(path):
    """The existing list of rows of path ([] if it does not exist yet)."""
    rows = []
    if os.path.exists(path):
        try:
            with open(path) as f:
                rows = json.load(f)
        except (OSError, json.JSONDecodeError) as e:
            die(f"cannot read {path} as JSON: {e}")
        if not isinstance(rows, list):
            die(f"{path} is not a JSON list of rows")
    return rows


def main(argv=None):
    a = parse_args(sys.argv[1:] if argv is None else argv)
    if a.append:
        read_rows(a.append)  # fail on a bad file before spending time measuring
    row = measure(a)
    text = json.dumps(row, indent=2) + "\n"
    if a.out:
        atomic_write_text(a.out, text)
    if a.append:
        atomic_write_json(a.append, read_rows(a.append) + [row], indent=2)
    if not (a.out or a.append):
        sys.stdout.write(text)
    e = row["energy_per_token_pj"]
    smoke = "CPU smoke run, not a GPU baseline: " if row.get("device_kind", "").startswith("cpu") else ""
    what = f"{a.model}, " if a.model else ""
    print(f"{smoke}{what}{row['device']}: {row['latency_per_token_ns']:.1f} ns/token (batch-amortised), "
          f"{row['latency_per_step_ns'] / 1e3:.1f} us/decode step, "
          + (f"{e / 1e9:.4g} mJ/token" if e is not None else f"energy null: {row['energy_null_reason']}"),
          file=sys.stderr)


if __name__ == "__main__":
    main()
