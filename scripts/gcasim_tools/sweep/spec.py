"""The sweep spec: reading, checking (each error names its key) and expanding it into points."""

import difflib
import itertools
import json
import os
import re
import subprocess

from gcasim_tools.platforms import REPO
from gcasim_tools.sweep.values import is_int, is_scalar

# platform -> the config file it reads without --config (platforms/configs/; the binaries find it through platforms/common/data_dir.h)
PLATFORMS = {"attention_head": "attention_head.json", "attention_layer": "gpt2_layer.json"}
SPEC_KEYS = {
    "description": "free text",
    "platform": "attention_head | attention_layer",
    "config": "base config file (path relative to the spec file, then to the repository)",
    "set": "object: fixed --set overrides, key -> value",
    "tokens": "integer >= 1: --tokens of every point",
    "seed": "integer >= 0: --seed of every point",
    "seeds": "list of integers: repeat every point once per seed",
    "grid": "object: key -> non-empty list of values (cartesian product)",
    "list": "non-empty list of objects: explicit points",
    "plot": "object: kind (lines | pareto), x, series, metrics, objectives, average, xlog, ylog, title",
    "slurm": "object: sbatch options (partition, time, mem, cpus_per_task, extra_args)",
    "timeout_s": "number > 0: per-point time limit in seconds",
}
CLI_KEYS = ("tokens", "seed")  # varied like parameters but passed as --tokens/--seed
PLOT_KEYS = ("kind", "x", "series", "metrics", "objectives", "average", "xlog", "ylog", "title")
PLOT_KINDS = ("lines", "pareto")
SLURM_KEYS = ("partition", "time", "mem", "cpus_per_task", "extra_args")


class SpecError(Exception):
    pass


def list_params(binary):
    """Config keys the platform knows, from --list-params (lines 'key = default')."""
    try:
        p = subprocess.run([binary, "--list-params"], capture_output=True, text=True, timeout=60)
    except OSError as e:
        raise SpecError(f"cannot run {binary} --list-params: {e}")
    if p.returncode != 0:
        raise SpecError(f"{binary} --list-params failed (exit {p.returncode}): {p.stderr.strip()}")
    keys = []
    for line in p.stdout.splitlines():
        m = re.match(r"^([A-Za-z_][\w.]*) = ", line)
        if m:
            keys.append(m.group(1))
    if not keys:
        raise SpecError(f"{binary} --list-params printed no keys")
    return keys


def load_spec(path):
    try:
        with open(path) as f:
            text = f.read()
    except OSError as e:
        raise SpecError(f"cannot read spec {path}: {e.strerror}")
    try:
        spec = json.loads(text)
    except json.JSONDecodeError as e:
        raise SpecError(f"spec {path} is not valid JSON: {e}")
    if not isinstance(spec, dict):
        raise SpecError(f"spec {path}: the top level must be a JSON object")
    return spec


def validate_spec(spec, spec_path, known_keys):
    """Checks the spec; returns the normalised sweep description. Raises SpecError naming the key.
    `known_keys`: the platform's config keys (None: names not checked)."""
    for k in spec:
        if k not in SPEC_KEYS:
            raise SpecError(f"spec key '{k}': unknown; allowed: {', '.join(SPEC_KEYS)}")
    platform = checked_platform(spec)
    config = found_config(spec.get("config"), spec_path)
    check_param = param_checker(platform, known_keys)
    fixed = checked_set(spec.get("set", {}), check_param)
    common = {}
    for k in CLI_KEYS:
        if k in spec:
            check_cli_value(k, spec[k], f"spec key '{k}'")
            common[k] = spec[k]
    varied, points = expanded_points(spec, check_param)
    seeds = spec.get("seeds")
    if seeds is not None:
        check_seeds(seeds, varied, spec)
        points = [dict(p, seed=s) for p in points for s in seeds]
    timeout_s = spec.get("timeout_s")
    if timeout_s is not None and (not isinstance(timeout_s, (int, float)) or isinstance(timeout_s, bool)
                                  or timeout_s <= 0):
        raise SpecError("spec key 'timeout_s': must be a number > 0 (seconds)")
    plot = spec.get("plot", {})
    check_plot(plot, varied + (["seed"] if seeds is not None else []))
    slurm = spec.get("slurm", {})
    check_slurm(slurm)
    return {"platform": platform, "config": config, "set": fixed, "common": common, "varied": varied,
            "seeds": seeds, "points": points, "timeout_s": timeout_s, "plot": plot, "slurm": slurm}


def checked_platform(spec):
    platform = spec.get("platform")
    if platform is None:
        raise SpecError("spec key 'platform': missing; one of " + ", ".join(PLATFORMS))
    if platform not in PLATFORMS:
        raise SpecError(f"spec key 'platform': '{platform}' is not one of {', '.join(PLATFORMS)}")
    return platform


def found_config(config, spec_path):
    """The base config file's absolute path (looked up next to the spec, then in the repository)."""
    if config is None:
        return None
    if not isinstance(config, str) or not config:
        raise SpecError("spec key 'config': must be a non-empty string (a file path)")
    candidates = [config] if os.path.isabs(config) else [
        os.path.join(os.path.dirname(os.path.abspath(spec_path)), config), os.path.join(REPO, config)]
    found = next((c for c in candidates if os.path.isfile(c)), None)
    if found is None:
        raise SpecError(f"spec key 'config': file '{config}' not found (looked in: {', '.join(candidates)})")
    return os.path.abspath(found)


def param_checker(platform, known_keys):
    """check(key, where): raises SpecError when `key` is neither --tokens/--seed nor a config key of
    the platform, with the closest names as a hint."""
    def check(key, where):
        if key in CLI_KEYS or known_keys is None or key in known_keys:
            return
        close = difflib.get_close_matches(key, known_keys, n=3, cutoff=0.6) or \
            [k for k in known_keys if k.split(".")[-1] == key.split(".")[-1]]
        hint = f"; did you mean {', '.join(close[:3])}?" if close else ""
        raise SpecError(f"{where}: '{key}' is not a parameter of {platform} "
                        f"(see {platform} --list-params){hint}")
    return check


def check_cli_value(key, value, where):
    """--tokens >= 1, --seed >= 0."""
    least = 1 if key == "tokens" else 0
    if not is_int(value) or value < least:
        raise SpecError(f"{where}: must be an integer >= {least}")


def checked_set(fixed, check_param):
    if not isinstance(fixed, dict):
        raise SpecError("spec key 'set': must be an object key -> value")
    for k, v in fixed.items():
        if k in CLI_KEYS:
            raise SpecError(f"spec key 'set.{k}': '{k}' is a command-line argument; use the top-level '{k}'")
        check_param(k, f"spec key 'set.{k}'")
        if not is_scalar(v):
            raise SpecError(f"spec key 'set.{k}': value must be a number, string or boolean")
    return fixed


def expanded_points(spec, check_param):
    """(the varied names, a dict per point) from exactly one of 'grid' and 'list'."""
    if ("grid" in spec) == ("list" in spec):
        raise SpecError("spec: give exactly one of 'grid' (cartesian product) or 'list' (explicit points)")
    if "grid" in spec:
        return grid_points(spec["grid"], check_param)
    return list_points(spec["list"], check_param)


def check_point_value(key, value, where):
    if not is_scalar(value):
        raise SpecError(f"{where}: must be a number, string or boolean")
    if key in CLI_KEYS:
        check_cli_value(key, value, where)


def grid_points(grid, check_param):
    """The cartesian product, the first key varying slowest."""
    if not isinstance(grid, dict) or not grid:
        raise SpecError("spec key 'grid': must be a non-empty object key -> list of values")
    for k, values in grid.items():
        check_param(k, f"spec key 'grid.{k}'")
        if not isinstance(values, list) or not values:
            raise SpecError(f"spec key 'grid.{k}': must be a non-empty list of values")
        for i, v in enumerate(values):
            check_point_value(k, v, f"spec key 'grid.{k}[{i}]'")
        if len(set(map(json.dumps, values))) != len(values):
            raise SpecError(f"spec key 'grid.{k}': repeated values")
    varied = list(grid)
    return varied, [dict(zip(varied, combo)) for combo in itertools.product(*(grid[k] for k in varied))]


def list_points(points, check_param):
    """The explicit points; the varied names in order of first appearance."""
    if not isinstance(points, list) or not points:
        raise SpecError("spec key 'list': must be a non-empty list of objects")
    varied = []
    for i, p in enumerate(points):
        if not isinstance(p, dict) or not p:
            raise SpecError(f"spec key 'list[{i}]': must be a non-empty object key -> value")
        for k, v in p.items():
            check_param(k, f"spec key 'list[{i}].{k}'")
            check_point_value(k, v, f"spec key 'list[{i}].{k}'")
            if k not in varied:
                varied.append(k)
    return varied, [dict(p) for p in points]


def check_seeds(seeds, varied, spec):
    if not isinstance(seeds, list) or not seeds or not all(is_int(s) and s >= 0 for s in seeds):
        raise SpecError("spec key 'seeds': must be a non-empty list of integers >= 0")
    if len(set(seeds)) != len(seeds):
        raise SpecError("spec key 'seeds': repeated seeds")
    if "seed" in varied:
        raise SpecError("spec key 'seeds': cannot be combined with 'seed' in grid/list")
    if "seed" in spec:
        raise SpecError("spec key 'seeds': cannot be combined with the top-level 'seed'")


def check_plot(plot, params_plus_seed):
    """`params_plus_seed`: what x, series and average may name (the varied parameters, seed)."""
    if not isinstance(plot, dict):
        raise SpecError("spec key 'plot': must be an object")
    for k in plot:
        if k not in PLOT_KEYS:
            raise SpecError(f"spec key 'plot.{k}': unknown; allowed: {', '.join(PLOT_KEYS)}")
    for k in ("x", "series"):
        if k in plot and plot[k] is not None and plot[k] not in params_plus_seed:
            raise SpecError(f"spec key 'plot.{k}': '{plot[k]}' is not a varied parameter "
                            f"({', '.join(params_plus_seed)})")
    if "kind" in plot and plot["kind"] not in PLOT_KINDS:
        raise SpecError(f"spec key 'plot.kind': {json.dumps(plot['kind'])} is not allowed; allowed: "
                        f"{', '.join(PLOT_KINDS)}")
    for key in ("metrics", "objectives"):
        m = plot.get(key)
        if key in plot and (not isinstance(m, list) or not m or not all(isinstance(x, str) and x for x in m)):
            raise SpecError(f"spec key 'plot.{key}': must be a non-empty list of results.csv column names")
    if "objectives" in plot and len(plot["objectives"]) < 2:
        raise SpecError("spec key 'plot.objectives': needs at least two columns (the chart's y and x)")
    if "xlog" in plot and not isinstance(plot["xlog"], bool):
        raise SpecError("spec key 'plot.xlog': must be true or false")
    if "ylog" in plot and not (isinstance(plot["ylog"], bool) or
                               (isinstance(plot["ylog"], list) and all(isinstance(m, str) for m in plot["ylog"]))):
        raise SpecError("spec key 'plot.ylog': must be true, false or a list of metric names")
    if "average" in plot:
        check_plot_average(plot, params_plus_seed)
    if "title" in plot and not isinstance(plot["title"], str):
        raise SpecError("spec key 'plot.title': must be a string")


def check_plot_average(plot, params_plus_seed):
    av = plot["average"]
    if not isinstance(av, list) or not all(isinstance(k, str) for k in av):
        raise SpecError("spec key 'plot.average': must be a list of varied parameter names")
    for k in av:
        if k not in params_plus_seed:
            raise SpecError(f"spec key 'plot.average': '{k}' is not a varied parameter "
                            f"({', '.join(params_plus_seed)})")
    if plot.get("x") in av or (plot.get("series") is not None and plot.get("series") in av):
        raise SpecError("spec key 'plot.average': cannot hold the x or series parameter")


def check_slurm(slurm):
    if not isinstance(slurm, dict):
        raise SpecError("spec key 'slurm': must be an object")
    for k, v in slurm.items():
        if k not in SLURM_KEYS:
            raise SpecError(f"spec key 'slurm.{k}': unknown; allowed: {', '.join(SLURM_KEYS)}")
        if k == "extra_args":
            if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                raise SpecError("spec key 'slurm.extra_args': must be a list of strings")
        elif k == "cpus_per_task":
            if not is_int(v) or v < 1:
                raise SpecError("spec key 'slurm.cpus_per_task': must be an integer >= 1")
        elif not isinstance(v, str) or not v:
            raise SpecError(f"spec key 'slurm.{k}': must be a non-empty string")
