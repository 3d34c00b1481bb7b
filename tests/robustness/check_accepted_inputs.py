#!/usr/bin/python3
"""Odd but accepted inputs must give right results, or be refused with one clear line (issue 11).

Usage: check_accepted_inputs.py --head BIN --layer BIN --gpt BIN --workdir DIR [-k SUBSTRING] [--list]

Classes (docs/robustness.md, "Accepted input, wrong result"):
  energy    energies beyond 64-bit attojoules: energy.csv never negative or malformed, each row's
            columns add up to its total exactly, a column equals count x energy per event;
  time      durations below or between the simulator's 1 ps steps: exit 2 naming key, value, resolution
            (every duration key of --list-params), while decimal values such as 0.3 ns are accepted;
  late      tokens that start after their slot: a stdout line (how many, the latest delay) equal to
            summary.json and to the trace; throughput_tokens_per_s is the achieved rate;
  memory    runs that cannot fit: exit 2 before allocating, naming the keys and the estimate; a
            std::bad_alloc anyway (an address-space limit) exits 1 with a clear line;
  numbers   integers above 2^53, denormals, ranges printed with every digit, a misspelt group or a
            duplicate key in a config or input file, quant.out_levels=2 (every output 0).
Exit 0 if every case passes, 1 otherwise (each failure is listed), 2 on bad usage.
"""
import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from decimal import Decimal

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from gcasim_tools.checks import is_asan, report_cases, require_binaries  # noqa: E402

TIMEOUT_S = 300  # the largest case (4096 heads of d = 4096) takes ~16 s in Release, longer with sanitizers
ERROR_LINE = r"^{program}: error: [^\n]+\n$"


class Run:
    def __init__(self, code, stdout, stderr, out, seconds):
        self.code, self.stdout, self.stderr, self.out, self.seconds = code, stdout, stderr, out, seconds

    def summary(self):
        with open(os.path.join(self.out, "summary.json")) as f:
            return json.load(f)

    def csv_rows(self):
        with open(os.path.join(self.out, "energy.csv")) as f:
            lines = f.read().splitlines()
        header = lines[0].split(",")
        return header, [dict(zip(header, line.split(","))) for line in lines[1:]]


class Checker:
    def __init__(self, binaries, workdir):
        self.binaries, self.workdir = binaries, workdir
        self.problems = []

    def case_dir(self, name):
        path = os.path.join(self.workdir, name)
        shutil.rmtree(path, ignore_errors=True)
        os.makedirs(path)
        return path

    def run(self, name, platform, args, files=None, address_space=None):
        """Run a platform in a fresh folder; files: {name: text or JSON-able}; {file:NAME} in args."""
        folder = self.case_dir(name)
        for fname, content in (files or {}).items():
            with open(os.path.join(folder, fname), "w") as f:
                f.write(content if isinstance(content, str) else json.dumps(content))
        out = os.path.join(folder, "out")
        argv = [self.binaries[platform], "--out", out]
        argv += [re.sub(r"\{file:([^}]+)\}", lambda m: os.path.join(folder, m.group(1)), a) for a in args]

        def limit():
            if address_space:
                resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))

        start = time.monotonic()
        try:
            p = subprocess.run(argv, cwd=folder, stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT_S,
                               preexec_fn=limit)
        except subprocess.TimeoutExpired:
            self.fail(f"hung: no exit within {TIMEOUT_S} s")
            return Run(None, "", "", out, TIMEOUT_S)
        return Run(p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace"), out,
                   time.monotonic() - start)

    def fail(self, text):
        self.problems.append(text)

    def check(self, ok, text):
        if not ok:
            self.fail(text)
        return ok

    def succeeded(self, r):
        return self.check(r.code == 0, f"exit {r.code}, expected 0; stderr {r.stderr.strip()!r}")

    def refused(self, r, platform, code, patterns):
        """Exit `code`, one error line matching every pattern, no outputs left."""
        program = os.path.basename(self.binaries[platform])
        if not self.check(r.code == code, f"exit {r.code}, expected {code}; stderr {r.stderr.strip()!r}"):
            return
        if not self.check(re.match(ERROR_LINE.format(program=re.escape(program)), r.stderr),
                          f"stderr is not one '{program}: error: ...' line: {r.stderr!r}"):
            return
        for pattern in patterns:
            self.check(re.search(pattern, r.stderr), f"message does not match /{pattern}/: {r.stderr.strip()!r}")
        self.check(not os.path.exists(r.out) or not os.listdir(r.out), f"files left in {r.out}")


# --- energy -------------------------------------------------------------------------------------

PJ = re.compile(r"^\d+\.\d{6}$")


def summary_energy(r):
    return r.summary()["energy_per_token_pj"]["mean"]["total"]


def check_energy_csv(ck, r, expected_column=None):
    """Every value a non-negative fixed-point number, components summing exactly to total_pj;
    expected_column = (column, predicate(token, Decimal value) -> bool, what it says) when a column's
    value is known."""
    header, rows = r.csv_rows()
    components = [h for h in header if h.endswith("_pj") and h != "total_pj"]
    ck.check(rows, "energy.csv has no rows")
    for row in rows:
        values = {h: row[h] for h in components + ["total_pj"]}
        bad = {h: v for h, v in values.items() if not PJ.match(v)}
        if not ck.check(not bad, f"token {row['token']}: malformed or negative energies {bad}"):
            return
        total = sum(Decimal(row[h]) for h in components)
        if not ck.check(total == Decimal(row["total_pj"]),
                        f"token {row['token']}: components add up to {total}, total_pj is {row['total_pj']}"):
            return
        if expected_column:
            column, holds, what = expected_column
            if not ck.check(holds(int(row["token"]), Decimal(row[column])),
                            f"token {row['token']}: {column} {row[column]}, expected {what}"):
                return
    # summary.json: the mean per token of the whole platform (gpt_model: every layer's row of a token together).
    mean = summary_energy(r)
    totals = [Decimal(row["total_pj"]) for row in rows]
    exact_mean = float(sum(totals) / len({row["token"] for row in rows}))
    ck.check(mean > 0 and abs(mean - exact_mean) <= 1e-9 * exact_mean,
             f"summary energy_per_token_pj.mean.total {mean}, energy.csv's mean {exact_mean}")
    ck.check(not re.search(r"-\d", "\n".join(l for l in r.stdout.splitlines() if "pJ" in l)),
             f"negative energy on stdout: {r.stdout!r}")


def energy_case(name, platform, args, column=None):
    def case(ck):
        r = ck.run(name, platform, args)
        if ck.succeeded(r):
            check_energy_csv(ck, r, column)
    return case


GIGA = Decimal(10) ** 9
ENERGY = [
    # The schema's high ends, beyond 64 bits of attojoules a token: 4096 heads x 1e9 mW of control for
    # its clocked nanoseconds (a whole number at a 1 ns clock); 4096 heads x 2 x 4096 DAC writes x
    # (8 - 1) levels x 1e9 fJ, plus their write-line and storage charges.
    ("energy_control_4096_heads", energy_case(
        "energy_control_4096_heads", "layer",
        ["--set", "heads=4096", "--set", "head_dim=1", "--set", "window=1", "--set", "digital.control_power_mw=1e9",
         "--set", "output.head_outputs=false", "--tokens", "3"],
        ("control_pj", lambda t, v: v > 0 and v % (4096 * GIGA) == 0, "a positive multiple of 4096 x 1e9 pJ"))),
    ("energy_dac_4096_by_4096", energy_case(
        "energy_dac_4096_by_4096", "layer",
        ["--set", "heads=4096", "--set", "head_dim=4096", "--set", "window=1", "--set", "array.tokens=1",
         "--set", "dac.level_fj=1e9", "--set", "output.head_outputs=false", "--tokens", "3"],
        ("dac_pj", lambda t, v: 4096 * 2 * 4096 * 7 * GIGA / 1000 <= v < 4096 * 2 * 4096 * 8 * GIGA / 1000,
         "4096 x 2 x 4096 x 7e6 pJ plus the line and storage charges"))),
    # One head, the highest read current: cell reads at token t grow with the (t + 1) visible keys.
    ("energy_head_cell_reads", energy_case(
        "energy_head_cell_reads", "head",
        ["--set", "head_dim=4096", "--set", "window=4096", "--set", "cell.read_current_na=1e9",
         "--set", "output.attention_matrices=false", "--tokens", "4"],
        ("k_array_pj", lambda t, v: v > 0, "positive"))),
    ("energy_gpt_model", energy_case(
        "energy_gpt_model", "gpt", ["--set", "cell.read_current_na=1e9", "--tokens", "60"])),
]


# --- time resolution ----------------------------------------------------------------------------

def duration_keys(ck):
    """Every key of the head platform's schema whose unit is ns, with its default."""
    text = subprocess.run([ck.binaries["head"], "--list-params"], capture_output=True, text=True).stdout
    keys = re.findall(r"^(\S+) = (\S+)\n.*\n    allowed: .*\(ns\)", text, re.M)
    ck.check(len(keys) >= 7, f"--list-params shows {len(keys)} duration keys, expected at least the 7 of the head")
    return [(k, float(v)) for k, v in keys]


def time_between_steps(ck):
    """Each duration key at its default + 0.4 ps (SystemC would round it away) is refused."""
    for key, default in duration_keys(ck):
        value = f"{default + 0.0004:.4f}"
        r = ck.run("time_" + key, "head", ["--set", f"{key}={value}", "--tokens", "2"])
        ck.refused(r, "head", 2, [re.escape(f"'{key}'"), re.escape(value), r"resolution 0\.001 ns"])


def time_below_resolution(ck):
    # The examples: tau 0.4 ps (was: output identical to leakage model none), phases of 0.1 ps
    # (was: 0 ns tokens, throughput null), 10.0004 ns (was: 10 ns).
    for name, platform, args in [
        ("tau_0.0004", "head", ["--set", "cell.leakage.tau_ns=0.0004"]),
        ("clock_0.0001", "head", ["--set", "timing.clock_period_ns=0.0001"]),
        ("dac_settle_10.0004", "layer", ["--set", "dac.settle_ns=10.0004", "--tokens", "2"]),
        ("gpt_tau_0.0004", "gpt", ["--set", "cell.leakage.tau_ns=0.0004", "--tokens", "2"]),
    ]:
        r = ck.run("time_" + name, platform, args)
        ck.refused(r, platform, 2, [r"config key '(cell\.leakage\.tau_ns|timing\.clock_period_ns|dac\.settle_ns)'",
                                    r"0\.001 ns"])
    r = ck.run("time_in_file", "layer", ["--config", "{file:c.json}", "--tokens", "2"],
               {"c.json": {"refresh": {"age_ns": 2.0005}}})
    ck.refused(r, "layer", 2, [r"'refresh\.age_ns'", r"2\.0005", r"0\.001 ns", r"c\.json"])


def time_decimal_values_accepted(ck):
    """0.3 ns is 299.99999999999994 steps of 0.001 in binary: accepted as the 300 ps it means, and
    tau = 1 ps (the smallest) leaks: the output differs from leakage model none."""
    r = ck.run("time_decimal", "head", ["--set", "dac.settle_ns=0.3", "--tokens", "4"])
    ck.succeeded(r)
    outputs = []
    for model in ["none", "voltage"]:
        r = ck.run("time_tau_1ps_" + model, "head",
                   ["--set", f"cell.leakage.model={model}", "--set", "cell.leakage.tau_ns=0.001", "--tokens", "8"])
        if not ck.succeeded(r):
            return
        with open(os.path.join(r.out, "output.json")) as f:
            outputs.append(json.load(f)["out"])
    ck.check(outputs[0] != outputs[1], "tau = 0.001 ns gives the output of leakage model none")


TIME = [("time_between_steps", time_between_steps), ("time_below_resolution", time_below_resolution),
        ("time_decimal_values_accepted", time_decimal_values_accepted)]


# --- late tokens --------------------------------------------------------------------------------

LATE = re.compile(r"^  late tokens +(\d+) of (\d+) started after their slot \(t x ([\d.e+]+) ns\), "
                  r"the latest by ([\d.]+) ns$", re.M)


def late_line(ck, r, tokens):
    m = LATE.search(r.stdout)
    if not ck.check(m, f"no late-token line on stdout: {r.stdout!r}"):
        return None
    late = int(m.group(1))
    ck.check(int(m.group(2)) == tokens, f"late line says of {m.group(2)} tokens, ran {tokens}")
    ck.check(late == r.summary()["tokens_started_late"],
             f"stdout says {late} late, summary.json tokens_started_late {r.summary()['tokens_started_late']}")
    ck.check(late > 0, "no token started late")
    return late, float(m.group(4))


def late_head(ck):
    # The example (400 tokens at 65 ns with refresh), checked against the timeline trace:
    # token t's write phase starts at its slot t x 65 ns or later.
    period, tokens = 65.0, 400
    r = ck.run("late_head", "head", ["--set", f"timing.token_period_ns={period:g}", "--set", "refresh.enabled=true",
                                     "--set", "refresh.age_ns=1000", "--set", "trace.timeline=true",
                                     "--tokens", str(tokens)])
    if not ck.succeeded(r):
        return
    seen = late_line(ck, r, tokens)
    with open(os.path.join(r.out, "timeline.json")) as f:
        events = json.load(f)
    events = events["traceEvents"] if isinstance(events, dict) else events
    starts = {e["args"]["token"]: e["ts"] * 1000 for e in events if e.get("name") == "write" and e.get("pid") == 1}
    delays = [starts[t] - t * period for t in range(tokens)]
    late = [d for d in delays if d > 1e-6]
    if seen:
        ck.check(seen[0] == len(late), f"stdout says {seen[0]} late, the trace shows {len(late)}")
        ck.check(abs(seen[1] - max(late)) < 0.05, f"stdout says the latest by {seen[1]} ns, the trace {max(late)}")
    # throughput_tokens_per_s: the achieved rate (docs/platforms/attention_layer.md), here below 10^9/period.
    achieved = (tokens - 1) / ((starts[tokens - 1] - starts[0]) * 1e-9)
    got = r.summary()["throughput_tokens_per_s"]
    ck.check(abs(got - achieved) <= 1e-9 * achieved and got < 1e9 / period,
             f"throughput_tokens_per_s {got}, achieved {achieved}, 10^9/period {1e9 / period}")


def late_layer(ck):
    r = ck.run("late_layer", "layer", ["--set", "heads=2", "--set", "head_dim=8", "--set", "window=64",
                                       "--set", "timing.token_period_ns=65", "--set", "refresh.enabled=true",
                                       "--set", "refresh.age_ns=500", "--tokens", "200"])
    if ck.succeeded(r):
        late_line(ck, r, 200)


def late_gpt(ck):
    r = ck.run("late_gpt", "gpt", ["--set", "timing.token_period_ns=300", "--set", "refresh.enabled=true",
                                   "--set", "refresh.age_ns=1000", "--tokens", "60"])
    if ck.succeeded(r):
        late_line(ck, r, r.summary()["tokens"])


def on_time(ck):
    """No token late: no line, and the achieved rate is 10^9 / period."""
    r = ck.run("on_time", "head", ["--set", "window=64", "--tokens", "50"])
    if ck.succeeded(r):
        s = r.summary()
        ck.check("late tokens" not in r.stdout, f"a late-token line without late tokens: {r.stdout!r}")
        ck.check(s["tokens_started_late"] == 0, "tokens_started_late != 0")
        ck.check(abs(s["throughput_tokens_per_s"] - 1e9 / 800) < 1e-6, f"throughput {s['throughput_tokens_per_s']}")


LATE_CASES = [("late_head", late_head), ("late_layer", late_layer), ("late_gpt", late_gpt), ("on_time", on_time)]


# --- memory -------------------------------------------------------------------------------------

def memory_estimate_refused(ck):
    # Far beyond any machine (terabytes): refused at once, naming the keys and the estimate.
    for name, platform, args, keys in [
        ("layer_example", "layer", ["--set", "heads=4096", "--set", "head_dim=4096", "--set", "window=65536"],
         ["heads", "window", "head_dim"]),
        ("layer_cell_variation", "layer", ["--set", "heads=4096", "--set", "head_dim=64", "--set", "window=65536",
                                           "--set", "noise.cell_variation=0.1", "--tokens", "2"],
         ["array cells", "heads", "window", "head_dim"]),
        ("layer_outputs", "layer", ["--set", "heads=4096", "--set", "head_dim=4096", "--set", "window=1",
                                    "--tokens", "100000"], ["output.head_outputs", "--tokens"]),
        ("head_tokens", "head", ["--set", "output.attention_matrices=false", "--tokens", "1000000000000"],
         ["--tokens", "input streams"]),
    ]:
        r = ck.run("memory_" + name, platform, args)
        ck.refused(r, platform, 2, [re.escape(k) for k in keys] + [r"needs about [\d.]+ GiB", r"physical memory"])
        ck.check(r.seconds < 10, f"{name}: took {r.seconds:.1f} s to refuse (allocated first?)")


def memory_bad_alloc(ck):
    """An address-space limit below what the run needs (~0.5 GB, fits any machine's physical memory):
    std::bad_alloc while building the arrays must exit 1 with one clear line."""
    if is_asan(ck.binaries["layer"]):
        print("  (memory_bad_alloc not run: AddressSanitizer reserves terabytes of address space, so an "
              "RLIMIT_AS would stop it before main; the Release pass runs it)")
        return
    r = ck.run("memory_bad_alloc", "layer", ["--set", "heads=1", "--set", "window=4096", "--set", "head_dim=1024",
                                             "--set", "noise.cell_variation=0.1", "--set", "sim.threads=1",
                                             "--tokens", "2"], address_space=300 << 20)
    ck.refused(r, "layer", 1, [r"out of memory \(std::bad_alloc\)"])


MEMORY = [("memory_estimate_refused", memory_estimate_refused), ("memory_bad_alloc", memory_bad_alloc)]


# --- numbers and config messages ----------------------------------------------------------------

def refused_case(name, platform, args, patterns, files=None):
    def case(ck):
        ck.refused(ck.run(name, platform, args, files), platform, 2, patterns)
    return case


def accepted_case(name, platform, args):
    def case(ck):
        ck.succeeded(ck.run(name, platform, args))
    return case


def out_levels_3_all_levels(ck):
    """3 levels (step 1): outputs of -1, 0 and +1, where 2 levels (step 2) rounded all to 0. A small
    readout.scale makes outputs beyond +-0.5 common."""
    r = ck.run("out_levels_3", "head", ["--set", "quant.out_levels=3", "--set", "readout.scale=5", "--tokens", "16"])
    if ck.succeeded(r):
        with open(os.path.join(r.out, "output.json")) as f:
            seen = {x for row in json.load(f)["out"] for x in row}
        ck.check(seen == {-1, 0, 1}, f"quant.out_levels=3: outputs {sorted(seen)}, expected -1, 0 and 1")


DUPLICATE = '{"window": 64, "cell": {"v_max": 0.9, "leakage": {"tau_ns": 5e6}}, "window": 32}'
NESTED_DUPLICATE = '{"cell": {"leakage": {"tau_ns": 5e6, "model": "none", "tau_ns": 1e6}}}'
QKV = '{"q": [[0.5], [0.5]], "k": [[0.5], [0.5]], "v": [[0.5], [0.5]], "q": [[0.1], [0.1]]}'
NUMBERS = [
    ("int_above_2_53_set", refused_case("int_above_2_53_set", "head", ["--set", "noise.seed=9007199254740993"],
                                        [r"'noise\.seed'", "9007199254740993", r"out of range", r"0 \.\. 9007199254740992"])),
    ("int_above_2_53_file", refused_case("int_above_2_53_file", "layer", ["--config", "{file:c.json}"],
                                         [r"'noise\.seed'", "9007199254740993", r"out of range"],
                                         {"c.json": '{"noise": {"seed": 9007199254740993}}'})),
    ("int_beyond_64_bits_set", refused_case("int_beyond_64_bits_set", "head",
                                            ["--set", "noise.seed=18446744073709551616"],
                                            [r"'18446744073709551616' is out of range", "9007199254740992"])),
    ("int_2_53_accepted", accepted_case("int_2_53_accepted", "head",
                                        ["--set", "noise.seed=9007199254740992", "--tokens", "2"])),
    ("denormal_accepted", accepted_case("denormal_accepted", "head", ["--set", "cell.v_max=1e-310", "--tokens", "2"])),
    ("underflow_refused", refused_case("underflow_refused", "head", ["--set", "cell.v_max=1e-400"],
                                       [r"'1e-400' is below the smallest double"])),
    ("range_every_digit_levels", refused_case("range_every_digit_levels", "head", ["--set", "quant.q_levels=1048577"],
                                              [r"1048577 is out of range; allowed: 2 \.\. 1048576 \(levels\)"])),
    ("range_every_digit_period", refused_case(
        "range_every_digit_period", "head",
        ["--set", "timing.token_period_ns=1000000.001", "--set", "timing.clock_period_ns=50000"],
        [r"value 1000000\.001 ns is shorter than the phases of one token \(1200000 ns: 24 cycles of 50000 ns\)"])),
    ("range_every_digit_input", refused_case(
        "range_every_digit_input", "head",
        ["--set", "head_dim=1", "--set", "cell.v_max=0.9000001", "--input", "{file:in.json}"],
        [r"= 0\.90000015 is outside \[0, 0\.9000001\]"],
        {"in.json": '{"q": [[0.5]], "k": [[0.90000015]], "v": [[0.5]]}'})),
    ("misspelt_group_file", refused_case("misspelt_group_file", "head", ["--config", "{file:c.json}"],
                                         [r"unknown config key 'cel' \(did you mean 'cell'\?\)"],
                                         {"c.json": {"cel": {"nonlinearity": "linear"}}})),
    ("misspelt_subgroup_file", refused_case("misspelt_subgroup_file", "layer", ["--config", "{file:c.json}"],
                                            [r"'cell\.leakge' \(did you mean 'cell\.leakage'\?\)"],
                                            {"c.json": {"cell": {"leakge": {"model": "none"}}}})),
    ("duplicate_key_config", refused_case("duplicate_key_config", "head", ["--config", "{file:c.json}"],
                                          [r"config file '[^']*c\.json': key 'window' appears twice"],
                                          {"c.json": DUPLICATE})),
    ("duplicate_nested_key_config", refused_case("duplicate_nested_key_config", "layer", ["--config", "{file:c.json}"],
                                                 [r"key 'cell\.leakage\.tau_ns' appears twice"],
                                                 {"c.json": NESTED_DUPLICATE})),
    ("duplicate_key_gpt_config", refused_case("duplicate_key_gpt_config", "gpt", ["--config", "{file:c.json}"],
                                              [r"c\.json': key 'window' appears twice"], {"c.json": DUPLICATE})),
    ("duplicate_key_input", refused_case("duplicate_key_input", "head",
                                         ["--set", "head_dim=1", "--input", "{file:in.json}"],
                                         [r"input file '[^']*in\.json': key 'q' appears twice"], {"in.json": QKV})),
    ("out_levels_2_refused", refused_case("out_levels_2_refused", "head", ["--set", "quant.out_levels=2"],
                                          [r"'quant\.out_levels'", r"value 2 is out of range; allowed: 3 \.\."])),
    ("out_levels_3_all_levels", out_levels_3_all_levels),
]

CASES = ENERGY + TIME + LATE_CASES + MEMORY + NUMBERS


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--head", help="build/bin/attention_head")
    ap.add_argument("--layer", help="build/bin/attention_layer")
    ap.add_argument("--gpt", help="build/bin/gpt_model")
    ap.add_argument("--workdir", help="scratch folder (emptied per case)")
    ap.add_argument("-k", dest="only", help="run only the cases whose name contains this")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    args = ap.parse_args()
    if args.list:
        for name, _ in CASES:
            print(name)
        return 0
    if not (args.head and args.layer and args.gpt and args.workdir):
        ap.error("--head, --layer, --gpt and --workdir are required")
    binaries = {"head": os.path.abspath(args.head), "layer": os.path.abspath(args.layer),
                "gpt": os.path.abspath(args.gpt)}
    require_binaries(*binaries.values())
    workdir = os.path.abspath(args.workdir)
    os.makedirs(workdir, exist_ok=True)
    cases = [c for c in CASES if not args.only or args.only in c[0]]
    failed = []
    for name, case in cases:
        ck = Checker(binaries, workdir)
        case(ck)
        if ck.problems:
            failed.append(name)
            print(f"FAIL: {name}: " + "; ".join(ck.problems), flush=True)
        else:
            print(f"ok: {name}", flush=True)
    return report_cases(failed, len(cases), "accepted-input cases")


if __name__ == "__main__":
    sys.exit(main())
