"""Shared helpers of the attention_layer checks: run the platform, collect failures, report.

Module only (imported by check_*.py in this folder). Standard library only.
"""
import json
import math
import os
import shutil
import subprocess
import sys


class Checks:
    """Collects failed checks; every check prints one line so that a log shows what was measured."""

    def __init__(self, name):
        self.name = name
        self.failures = []
        self.passed = 0

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
            print(f"  ok    {what}" + (f"  ({detail})" if detail else ""), flush=True)
        else:
            self.failures.append(f"{what}" + (f": {detail}" if detail else ""))
            print(f"  FAIL  {what}" + (f": {detail}" if detail else ""), flush=True)
        return ok

    def close(self, got, want, tol, what):
        """|got - want| <= tol."""
        good = got is not None and abs(got - want) <= tol
        return self.check(good, what, f"got {got!r}, expected {want!r} +- {tol:g}")

    def rel(self, got, want, rel_tol, what):
        good = got is not None and abs(got - want) <= rel_tol * abs(want)
        return self.check(good, what, f"got {got!r}, expected {want!r} within {100 * rel_tol:g} %")

    def equal(self, got, want, what):
        if got == want:
            text = repr(got)
            return self.check(True, what, text if len(text) <= 100 else text[:97] + "...")
        return self.check(False, what, f"got {got!r}, expected {want!r}")

    def finish(self):
        print(f"{self.name}: {self.passed} checks passed, {len(self.failures)} failed")
        if self.failures:
            print(f"FAIL: {self.name}: {len(self.failures)} check(s) failed:", file=sys.stderr)
            for f in self.failures:
                print(f"  - {f}", file=sys.stderr)
            return 1
        return 0


class PlatformError(Exception):
    pass


def _ceil_log2(n):
    return max(0, (int(n) - 1).bit_length())


def phase_cycles(cfg):
    """The phases of one token in control-clock cycles, from the circuit keys of a nested config (as
    run): docs/cost_model.md, Timing, restated here independently of the C++. Returns
    {write, qk, pv, readout, digital} and the details {sign, counter_steps, adder_stages, combine,
    scale, routing}. lines.physics must be off (it adds settling not modelled here)."""
    assert not cfg.get("lines", {}).get("physics", False), "phase_cycles: lines.physics adds settling"
    clock, q = cfg["timing"]["clock_period_ns"], cfg["quant"]
    n_tiles = -(-cfg["window"] // cfg["array"]["tokens"])

    def cover(t_ns):
        return max(0, math.ceil(t_ns / clock - 1e-9))

    levels = q["out_levels"]
    if q["out_clip"] == "counter":
        steps = (levels - 1) // 2
    else:
        steps = round((levels - 1) / 2)   # Python rounds half to even, like the counter
    adders = cfg["readout"]["combine"] == "digital_adders"
    stages = _ceil_log2(n_tiles) if adders else 0
    bits = _ceil_log2(levels) + (_ceil_log2(n_tiles) if adders else 0)
    digital = cfg["digital"]
    d = {"sign": cfg["readout"]["sign_cycles"], "counter_steps": steps, "adder_stages": stages,
         "combine": stages * digital["adder_stage_cycles"] if adders else 1, "scale": digital["scale_cycles"],
         "routing": -(-cfg["head_dim"] * bits // digital["bus_bits"])}
    write_ns = cfg["dac"]["settle_ns"] + cfg["cell"]["write_tau_ns"] * math.log(2 * q["kv_levels"])
    return {"write": cover(write_ns), "qk": cover(cfg["pulse"]["t_max_ns"]), "pv": cover(cfg["pulse"]["t_max_ns"]),
            "readout": d["sign"] + d["counter_steps"], "digital": d["combine"] + d["scale"] + d["routing"]}, d




def fresh_dir(path):
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.remove(path)
    os.makedirs(path)
    return path


def run(binary, args, timeout_s=120):
    """Run the platform; returns CompletedProcess (text). Raises PlatformError on a timeout."""
    cmd = [binary] + [str(a) for a in args]
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        raise PlatformError(f"timed out after {timeout_s} s: {' '.join(cmd)}")


def run_ok(binary, args, timeout_s=120):
    """Run the platform and require exit 0; raises PlatformError with the command and output tail."""
    proc = run(binary, args, timeout_s)
    if proc.returncode != 0:
        tail = (proc.stdout + proc.stderr)[-3000:]
        raise PlatformError(f"exit {proc.returncode} (expected 0): {binary} {' '.join(map(str, args))}\n{tail}")
    return proc


def config_as_run(binary, config, workdir):
    """The complete config a run of `config` uses (the defaults with the file's keys over them), as
    summary.json records it: the shipped configs hold only what differs from the defaults."""
    out = fresh_dir(os.path.join(workdir, "config_as_run"))
    run_ok(binary, ["--config", config, "--tokens", 1, "--out", out])
    with open(os.path.join(out, "summary.json")) as f:
        return json.load(f)["config"]
