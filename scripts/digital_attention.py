#!/usr/bin/python3
"""Plain float32 softmax decode attention in numpy (the digital baseline of scripts/bench).

Same size as gcasim's attention_layer: H heads, head dimension d, a sliding window of W cached
keys/values (ring buffer), one new token per step: write its K,V, scores = K.q/sqrt(d) over the
valid window, softmax, out = p.V. No analog effects. Prints tokens/s as JSON.
"""
import argparse
import json
import sys
import time

import numpy as np


def run(tokens, heads, dim, window, seed):
    rng = np.random.default_rng(seed)
    q = rng.standard_normal((tokens, heads, dim), dtype=np.float32)
    k = rng.standard_normal((tokens, heads, dim), dtype=np.float32)
    v = rng.standard_normal((tokens, heads, dim), dtype=np.float32)
    k_cache = np.zeros((heads, window, dim), dtype=np.float32)
    v_cache = np.zeros((heads, window, dim), dtype=np.float32)
    out = np.empty((tokens, heads, dim), dtype=np.float32)
    scale = np.float32(1.0 / np.sqrt(dim))
    start = time.perf_counter()
    for t in range(tokens):
        slot = t % window
        k_cache[:, slot] = k[t]
        v_cache[:, slot] = v[t]
        valid = min(t + 1, window)
        scores = np.matmul(k_cache[:, :valid], q[t][:, :, None])[:, :, 0] * scale  # (H, valid)
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1, keepdims=True)
        out[t] = np.matmul(scores[:, None, :], v_cache[:, :valid])[:, 0, :]
    return time.perf_counter() - start, out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=2048)
    parser.add_argument("--heads", type=int, default=12)
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--window", type=int, default=1024)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    for name in ("tokens", "heads", "dim", "window"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be >= 1")
    seconds, out = run(args.tokens, args.heads, args.dim, args.window, args.seed)
    if not np.isfinite(out).all():
        print("digital_attention: non-finite output", file=sys.stderr)
        return 1
    print(json.dumps({"tokens": args.tokens, "heads": args.heads, "dim": args.dim, "window": args.window,
                      "wall_time_s": seconds, "tokens_per_second": args.tokens / seconds}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
