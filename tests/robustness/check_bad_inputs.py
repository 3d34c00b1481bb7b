#!/usr/bin/python3
"""Bad inputs at both platforms' command lines: each must fail with the right exit code and one clear line.

Usage: check_bad_inputs.py --head BIN --layer BIN --workdir DIR [-k SUBSTRING] [--list]

Every case runs one platform with one mistake: a config key, type, range or cross-key rule, a
malformed or missing config or input file, a bad --input shape or value, bad --set / --tokens /
--seed syntax, an unknown option, an output folder that cannot be written. Each case asserts
  1. the exit code: 2 for usage, config and input errors, 1 for runtime failures (I/O);
  2. stderr: exactly one line, "<platform>: error: <message>", the message matching the case's pattern;
  3. the output folder holds no file from that run (no outputs, no *.tmp.* leftovers).
Exit 0 if every case passes, 1 otherwise (each failure is listed), 2 on bad usage.
"""
import argparse
import json
import os
import re
import shutil
import stat
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from gcasim_tools.checks import report_cases, require_binaries  # noqa: E402

TIMEOUT_S = 120  # generous for sanitizer builds; every case fails before simulating

HEAD_DIM = 4  # inputs are 4 tokens x 4 (with --set head_dim=4)


def matrix(tokens, value=0.5, dim=HEAD_DIM):
    return [[value] * dim for _ in range(tokens)]


def qkv(tokens=4, **override):
    doc = {"q": matrix(tokens), "k": matrix(tokens), "v": matrix(tokens)}
    doc.update(override)
    return doc


def replaced(doc, old, new):
    """JSON text of doc with the first occurrence of `old` replaced by raw text `new`."""
    text = json.dumps(doc)
    assert old in text
    return text.replace(old, new, 1)


def with_value(name, row, col, value, tokens=4):
    """q/k/v input whose matrix `name` has `value` (raw JSON text) at [row][col]."""
    doc = qkv(tokens)
    doc[name][row][col] = "@@"
    return replaced(doc, '"@@"', value)


# Each case: (name, platform, args, exit code, stderr pattern, files).
#   args may name files of the case as {file:NAME}; files maps NAME to its content (str: written as
#   is; dict/list: as JSON; None: a folder). {out} is the case's output folder.
H, L = "head", "layer"
DIM = ["--set", f"head_dim={HEAD_DIM}"]
FEW = ["--tokens", "4"]  # keeps a layer run short should a case wrongly get past validation

CASES = [
    # --- config keys: unknown, type, range, choice ---------------------------------------------
    ("unknown_key_file_suggestion", H, ["--config", "{file:c.json}"], 2,
     r"unknown config key 'windw' \(did you mean 'window'\?\)", {"c.json": {"windw": 128}}),
    ("unknown_key_set_suggestion", L, ["--set", "cell.leakage.tau=5"] + FEW, 2,
     r"unknown config key 'cell\.leakage\.tau' \(did you mean 'cell\.leakage\.tau_ns'\?\)", {}),
    ("unknown_nested_key_suggestion", L, ["--config", "{file:c.json}"] + FEW, 2,
     r"unknown config key 'quant\.q_level' \(did you mean 'quant\.q_levels'\?\)", {"c.json": {"quant": {"q_level": 16}}}),
    ("dotted_key_in_file", H, ["--config", "{file:c.json}"], 2,
     r"'cell\.v_max'", {"c.json": {"cell.v_max": 0.2}}),
    ("dotted_key_nested_in_file", L, ["--config", "{file:c.json}"] + FEW, 2,
     r"'cell\.leakage\.model'", {"c.json": {"cell": {"leakage.model": "none"}}}),
    ("wrong_type_string_for_integer", H, ["--config", "{file:c.json}"], 2,
     r"config key 'window': expected an integer, got \"128\"", {"c.json": {"window": "128"}}),
    ("wrong_type_fraction_for_integer", H, ["--config", "{file:c.json}"], 2,
     r"config key 'window': expected an integer, got 12\.5", {"c.json": {"window": 12.5}}),
    ("wrong_type_null_for_number", H, ["--config", "{file:c.json}"], 2,
     r"config key 'pulse\.t_max_ns': expected a number, got null", {"c.json": {"pulse": {"t_max_ns": None}}}),
    ("wrong_type_group_not_object", L, ["--config", "{file:c.json}"] + FEW, 2,
     r"config key 'cell': expected an object", {"c.json": {"cell": 5}}),
    ("wrong_type_set_boolean", L, ["--set", "quant.enabled=yes"] + FEW, 2,
     r"--set quant\.enabled: value 'yes' is not a boolean", {}),
    ("out_of_range_set", H, ["--set", "window=0"], 2,
     r"config key 'window': value 0 is out of range; allowed: 1 \.\. 65536", {}),
    ("out_of_range_file", L, ["--config", "{file:c.json}"] + FEW, 2,
     r"config key 'cell\.v_max': value -1 is out of range", {"c.json": {"cell": {"v_max": -1}}}),
    ("out_of_range_heads", L, ["--set", "heads=0"] + FEW, 2,
     r"config key 'heads': value 0 is out of range", {}),
    ("choice_not_allowed", H, ["--set", "readout.combine=analog"], 2,
     r"'readout\.combine': value \"analog\" is not allowed; allowed: one of digital_adders, charge_sharing", {}),
    ("polarity_zero", H, ["--set", "cell.polarity=0"], 2, r"'cell\.polarity': value 0 is not allowed", {}),
    # --- rules across keys -----------------------------------------------------------------------
    ("phases_longer_than_token_period", H, ["--set", "timing.token_period_ns=50"], 2,
     r"'timing\.token_period_ns': value 50 ns is shorter than the phases of one token \(61 ns: 61 cycles of 1 ns\)",
     {}),
    ("t_max_phases_longer_than_token_period", L, ["--set", "pulse.t_max_ns=400"] + FEW, 2,
     r"'timing\.token_period_ns': value 800 ns is shorter than the phases of one token \(835 ns: 835 cycles", {}),
    ("slow_clock_phases_longer_than_token_period", L, ["--set", "timing.clock_period_ns=40"] + FEW, 2,
     r"value 800 ns is shorter than the phases of one token \(1120 ns: 28 cycles of 40 ns\)", {}),
    ("trace_tile_beyond_sub_tiles", H, ["--set", "window=128", "--set", "trace.tile=2", "--tokens", "2"], 2,
     r"'trace\.tile': value 2 is out of range; allowed: 0 \.\. 1", {}),
    ("trace_head_beyond_heads", L, ["--set", "heads=2", "--set", "trace.head=2"] + FEW, 2,
     r"'trace\.head': value 2 is out of range; allowed: 0 \.\. 1", {}),
    ("matrices_with_too_many_tokens", H, ["--set", "window=64", "--tokens", "5000"], 2,
     r"'output\.attention_matrices': true needs --tokens <= 4096", {}),
    # --- config files ----------------------------------------------------------------------------
    ("malformed_json_line_column", H, ["--config", "{file:c.json}"], 2,
     r"malformed JSON in config file '[^']*c\.json': parse error at line 3, column 1: ",
     {"c.json": '{\n  "window": 128,\n}\n'}),
    ("truncated_json", L, ["--config", "{file:c.json}"] + FEW, 2,
     r"malformed JSON in config file '[^']*c\.json': parse error at line 1, column 12: .*unexpected end of input",
     {"c.json": '{"window": '}),
    ("empty_config", L, ["--config", "{file:c.json}"] + FEW, 2,
     r"malformed JSON in config file '[^']*c\.json': parse error at line 1, column 1: ", {"c.json": ""}),
    ("config_not_an_object", H, ["--config", "{file:c.json}"], 2,
     r"config must be a JSON object, got array", {"c.json": "[1, 2]"}),
    ("config_number_overflow", L, ["--config", "{file:c.json}"] + FEW, 2,
     r"config file '[^']*c\.json'.*1e400", {"c.json": '{"window": 1e400}'}),
    ("config_missing", H, ["--config", "{file:none.json}"], 2,
     r"cannot read config file '[^']*none\.json': No such file or directory", {}),
    ("config_is_a_folder", L, ["--config", "{file:conf_dir}"] + FEW, 2,
     r"config file '[^']*conf_dir'.*[Ii]s a directory", {"conf_dir": None}),
    # --- --input files ---------------------------------------------------------------------------
    ("input_missing", H, DIM + ["--input", "{file:none.json}"], 2,
     r"cannot read input file '[^']*none\.json': No such file or directory", {}),
    ("input_is_a_folder", L, DIM + ["--set", "heads=1", "--input", "{file:in_dir}"], 2,
     r"input file '[^']*in_dir'.*[Ii]s a directory", {"in_dir": None}),
    ("input_malformed_json", H, DIM + ["--input", "{file:in.json}"], 2,
     r"malformed JSON in input file '[^']*in\.json': parse error at line 1, column \d+: ",
     {"in.json": '{"q": [[0.1, 0.2'}),
    ("input_not_an_object", H, DIM + ["--input", "{file:in.json}"], 2,
     r"input file '[^']*in\.json': expected a JSON object", {"in.json": [[0.5] * HEAD_DIM]}),
    ("input_missing_matrix", H, DIM + ["--input", "{file:in.json}"], 2,
     r"input file '[^']*in\.json': missing key \"v\"",
     {"in.json": {"q": matrix(4), "k": matrix(4)}}),
    ("input_wrong_row_length", H, DIM + ["--input", "{file:in.json}"], 2,
     r"\"q\"\[0\] must be an array of 4 numbers \(head_dim\)", {"in.json": qkv(q=matrix(4, dim=3))}),
    ("input_ragged_rows", H, DIM + ["--input", "{file:in.json}"], 2,
     r"\"k\"\[1\] must be an array of 4 numbers",
     {"in.json": qkv(k=[[0.5] * 4, [0.5] * 5, [0.5] * 4, [0.5] * 4])}),
    ("input_row_counts_differ", H, DIM + ["--input", "{file:in.json}"], 2,
     r"\"v\" has 1 rows, q has 4", {"in.json": qkv(v=matrix(1))}),
    ("input_empty_matrix", H, DIM + ["--input", "{file:in.json}"], 2,
     r"\"q\" must be a non-empty array of rows", {"in.json": qkv(q=[])}),
    ("input_q_above_one", H, DIM + ["--input", "{file:in.json}"], 2,
     r"\"q\"\[0\]\[1\] = 1\.5 is outside \[0", {"in.json": with_value("q", 0, 1, "1.5")}),
    ("input_k_negative", L, DIM + ["--set", "heads=1", "--input", "{file:in.json}"], 2,
     r"\"k\"\[1\]\[0\] = -0\.1 is outside \[0", {"in.json": {"heads": [json.loads(with_value("k", 1, 0, "-0.1"))]}}),
    ("input_v_above_v_max", H, DIM + ["--input", "{file:in.json}"], 2,
     r"\"v\"\[3\]\[3\] = 0\.95 is outside \[0", {"in.json": with_value("v", 3, 3, "0.95")}),
    ("input_nan_string", H, DIM + ["--input", "{file:in.json}"], 2,
     r"\"q\"\[0\]\[0\] is not a number: \"NaN\"", {"in.json": with_value("q", 0, 0, '"NaN"')}),
    ("input_nan_literal", H, DIM + ["--input", "{file:in.json}"], 2,
     r"malformed JSON in input file '[^']*in\.json': parse error at line 1, column \d+: ",
     {"in.json": with_value("q", 0, 0, "NaN")}),
    ("input_huge_number", H, DIM + ["--input", "{file:in.json}"], 2,
     r"input file '[^']*in\.json'.*1e400", {"in.json": with_value("k", 2, 1, "1e400")}),
    ("input_huge_negative_number", L, DIM + ["--set", "heads=1", "--input", "{file:in.json}"], 2,
     r"input file '[^']*in\.json'.*-1e400", {"in.json": '{"heads": [' + with_value("v", 0, 0, "-1e400") + "]}"}),
    ("input_string_value", H, DIM + ["--input", "{file:in.json}"], 2,
     r"\"v\"\[0\]\[2\] is not a number: \"0\.5\"", {"in.json": with_value("v", 0, 2, '"0.5"')}),
    ("input_extra_key", H, DIM + ["--input", "{file:in.json}"], 2,
     r"unknown key \"w\" \(expected q, k, v\)", {"in.json": qkv(w=matrix(4))}),
    ("input_wrong_head_count", L, DIM + ["--set", "heads=2", "--input", "{file:in.json}"], 2,
     r"has 1 heads, config key 'heads' says 2", {"in.json": {"heads": [qkv()]}}),
    ("input_layer_without_heads", L, DIM + ["--set", "heads=1", "--input", "{file:in.json}"], 2,
     r"expected \{\"heads\": \[", {"in.json": qkv()}),
    ("input_heads_of_different_lengths", L, DIM + ["--set", "heads=2", "--input", "{file:in.json}"], 2,
     r"head 1: 3 tokens, head 0 has 4", {"in.json": {"heads": [qkv(4), qkv(3)]}}),
    # --- --set syntax ----------------------------------------------------------------------------
    ("set_without_equals", H, ["--set", "window"], 2, r"--set 'window': expected key=value", {}),
    ("set_empty_key", L, ["--set", "=5"] + FEW, 2, r"--set '=5': expected key=value", {}),
    ("set_not_an_integer", H, ["--set", "window=abc"], 2, r"--set window: value 'abc' is not an integer", {}),
    ("set_empty_value", H, ["--set", "window="], 2, r"--set window: value '' is not an integer", {}),
    ("set_number_overflow", H, ["--set", "dac.settle_ns=1e400"], 2,
     r"--set dac\.settle_ns: value '1e400' is not a finite number", {}),
    ("set_nan", L, ["--set", "dac.settle_ns=nan"] + FEW, 2,
     r"--set dac\.settle_ns: value 'nan' is not a finite number", {}),
    ("set_invalid_utf8", H, ["--set", b"cell.nonlinearity=\xff"], 2, r"'cell\.nonlinearity'", {}),
    # --- --tokens, --seed, options ---------------------------------------------------------------
    ("tokens_zero", H, ["--tokens", "0"], 2, r"--tokens: value 0 is out of range; allowed: >= 1", {}),
    ("tokens_negative", L, ["--tokens", "-1"], 2, r"--tokens: '-1' is not a non-negative integer", {}),
    ("tokens_not_a_number", H, ["--tokens", "abc"], 2, r"--tokens: 'abc' is not a non-negative integer", {}),
    ("tokens_beyond_input", H, DIM + ["--input", "{file:in.json}", "--tokens", "5"], 2,
     r"--tokens 5 exceeds the 4 tokens of input file '[^']*in\.json'", {"in.json": qkv()}),
    ("tokens_beyond_layer_input", L, DIM + ["--set", "heads=2", "--input", "{file:in.json}", "--tokens", "9"], 2,
     r"--tokens 9 exceeds the 4 tokens of input file '[^']*in\.json'", {"in.json": {"heads": [qkv(), qkv()]}}),
    ("tokens_beyond_memory", H, ["--set", "output.attention_matrices=false", "--tokens", "99999999999"], 2,
     r"--tokens", {}),
    ("seed_negative", H, ["--seed", "-1"], 2, r"--seed: '-1' is not a non-negative integer", {}),
    ("seed_beyond_64_bits", L, ["--seed", "18446744073709551616"] + FEW, 2,
     r"--seed: '18446744073709551616' is not a non-negative integer", {}),
    ("unknown_option", H, ["--foo"], 2, r"unrecognised option '--foo' \(see --help\)", {}),
    ("option_without_value", L, ["--tokens"], 2, r"the required argument for option '--tokens' is missing", {}),
    # --- output folder (runtime failures: exit code 1) ---------------------------------------------
    ("out_not_writable", H, ["--set", "window=64", "--tokens", "2", "--out", "{unwritable}"], 1,
     r"output folder '[^']*'", {}),
    ("out_is_a_file", L, ["--set", "window=64", "--set", "heads=1", "--tokens", "2", "--out", "{file:out_file}"], 1,
     r"output (folder|path) '[^']*out_file'", {"out_file": "not a folder\n"}),
    ("out_below_a_file", H, ["--set", "window=64", "--tokens", "2", "--out", "{file:out_file}/sub"], 1,
     r"cannot create output folder '[^']*out_file/sub'", {"out_file": "not a folder\n"}),
]


def files_in(folder):
    """Every file below `folder` (relative paths), or [] if it does not exist."""
    found = []
    for root, _, names in os.walk(folder):
        found += [os.path.relpath(os.path.join(root, n), folder) for n in names]
    return sorted(found)


def prepare(case_dir, files):
    for name, content in files.items():
        path = os.path.join(case_dir, name)
        if content is None:
            os.makedirs(path)
        elif isinstance(content, str):
            with open(path, "w") as f:
                f.write(content)
        else:
            with open(path, "w") as f:
                json.dump(content, f)


def unwritable_folder(case_dir):
    """A folder this process cannot write into (root ignores permissions: a path below /proc)."""
    if os.geteuid() == 0:
        return "/proc/gcasim_bad_inputs_out"
    path = os.path.join(case_dir, "read_only")
    os.makedirs(path)
    os.chmod(path, stat.S_IRUSR | stat.S_IXUSR)
    return path


def expand(arg, case_dir, out, unwritable):
    if isinstance(arg, bytes):
        return arg
    if "{unwritable}" in arg:
        return arg.replace("{unwritable}", unwritable)
    return re.sub(r"\{file:([^}]+)\}", lambda m: os.path.join(case_dir, m.group(1)), arg).replace("{out}", out)


def run_case(case, binaries, workdir):
    name, platform, args, want_code, pattern, files = case
    case_dir = os.path.join(workdir, name)
    if os.path.exists(case_dir):
        shutil.rmtree(case_dir)
    os.makedirs(case_dir)
    prepare(case_dir, files)
    out = os.path.join(case_dir, "out")
    unwritable = unwritable_folder(case_dir) if any("{unwritable}" in a for a in args if isinstance(a, str)) else ""
    argv = [binaries[platform]] + ([] if "--out" in args else ["--out", out])
    argv += [expand(a, case_dir, out, unwritable) for a in args]
    before = files_in(case_dir)
    program = os.path.basename(binaries[platform])
    problems = []
    try:
        p = subprocess.run(argv, cwd=case_dir, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=TIMEOUT_S)
        code, stderr = p.returncode, p.stderr.decode("utf-8", "backslashreplace")
    except subprocess.TimeoutExpired:
        code, stderr = None, ""
        problems.append(f"hung: no exit within {TIMEOUT_S} s")
    if code is not None and code != want_code:
        problems.append(f"exit code {code}, expected {want_code}")
    lines = stderr.splitlines()
    if code is not None:
        prefix = f"{program}: error: "
        if len(lines) != 1:
            problems.append(f"stderr has {len(lines)} lines, expected 1: {stderr!r}")
        elif not lines[0].startswith(prefix):
            problems.append(f"stderr does not start with {prefix!r}: {lines[0]!r}")
        elif not re.search(pattern, lines[0][len(prefix):]):
            problems.append(f"message does not match /{pattern}/: {lines[0]!r}")
    after = files_in(case_dir)
    new = [f for f in after if f not in before]
    leftovers = [f for f in after if ".tmp." in os.path.basename(f)]
    if new:
        problems.append(f"files left by the failed run: {new}")
    elif leftovers:
        problems.append(f"temporary files left: {leftovers}")
    if unwritable and os.path.isdir(unwritable) and files_in(unwritable):
        problems.append(f"files left in {unwritable}: {files_in(unwritable)}")
    if unwritable and not unwritable.startswith("/proc"):
        os.chmod(unwritable, stat.S_IRWXU)
    return problems, (lines[0] if len(lines) == 1 else stderr.strip())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--head", help="build/bin/attention_head")
    ap.add_argument("--layer", help="build/bin/attention_layer")
    ap.add_argument("--workdir", help="scratch folder (emptied per case)")
    ap.add_argument("-k", dest="only", help="run only the cases whose name contains this")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    args = ap.parse_args()
    if args.list:
        for c in CASES:
            print(f"{c[0]:40s} {c[1]:6s} exit {c[3]}  /{c[4]}/")
        print(f"{len(CASES)} cases")
        return 0
    if not (args.head and args.layer and args.workdir):
        ap.error("--head, --layer and --workdir are required")
    binaries = {H: os.path.abspath(args.head), L: os.path.abspath(args.layer)}
    require_binaries(*binaries.values())
    workdir = os.path.abspath(args.workdir)
    os.makedirs(workdir, exist_ok=True)
    cases = [c for c in CASES if not args.only or args.only in c[0]]
    failed = []
    for case in cases:
        problems, seen = run_case(case, binaries, workdir)
        if problems:
            failed.append(case[0])
            print(f"FAIL: {case[0]} ({case[1]}): " + "; ".join(problems), flush=True)
        else:
            print(f"ok: {case[0]} ({case[1]}): {seen}", flush=True)
    return report_cases(failed, len(cases), "bad-input cases")


if __name__ == "__main__":
    sys.exit(main())
