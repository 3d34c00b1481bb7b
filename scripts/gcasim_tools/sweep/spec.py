"""The sweep spec: reading, checking (each error names its key) and expanding it into points."""

import difflib
import itertools
import json
import os
import re
import subprocess

from gcasim_tools.platforms import REPO
from gcasim_tools.sweep.values import is_int, is_scalar

# platform -> the config file it reads without --config (platforms/configs/, see platform_cli.cpp)
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
    "plot": "object: x, series, metrics, average, xlog, ylog, title",
    "slurm": "object: sbatch options (partition, time, mem, cpus_per_task, extra_args)",
    "timeout_s": "number > 0: per-point time limit in seconds",
}
CLI_KEYS = ("tokens", "seed")  # varied like parameters but passed as --tokens/--seed
PLOT_KEYS = ("x", "series", "metrics", "average", "xlog", "ylog", "title")
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
    """Checks the spec; returns the normalised sweep description. Raises SpecError naming the key."""
    for k in spec:
        if k not in SPEC_KEYS:
            raise SpecError(f"spec key '{k}': unknown; allowed: {', '.join(SPEC_KEYS)}")
    platform = spec.get("platform")
    if platform is None:
        raise SpecError("spec key 'platform': missing; one of " + ", ".join(PLATFORMS))
    if platform not in PLATFORMS:
        raise SpecError(f"spec key 'platform': '{platform}' is not one of {', '.join(PLATFORMS)}")

    config = spec.get("config")
    if config is not None:
        if not isinstance(config, str) or not config:
            raise SpecError("spec key 'config': must be a non-empty string (a file path)")
        candidates = [config] if os.path.isabs(config) else [
            os.path.join(os.path.dirname(os.path.abspath(spec_path)), config), os.path.join(REPO, config)]
        found = next((c for c in candidates if os.path.isfile(c)), None)
        if found is None:
            raise SpecError(f"spec key 'config': file '{config}' not found (looked in: {', '.join(candidates)})")
        config = os.path.abspath(found)

    def check_param(key, where):
        if key in CLI_KEYS:
            return
        if known_keys is not None and key not in known_keys:
            close = difflib.get_close_matches(key, known_keys, n=3, cutoff=0.6) or \
                [k for k in known_keys if k.split(".")[-1] == key.split(".")[-1]]
            hint = f"; did you mean {', '.join(close[:3])}?" if close else ""
            raise SpecError(f"{where}: '{key}' is not a parameter of {platform} "
                            f"(see {platform} --list-params){hint}")

    fixed = spec.get("set", {})
    if not isinstance(fixed, dict):
        raise SpecError("spec key 'set': must be an object key -> value")
    for k, v in fixed.items():
        if k in CLI_KEYS:
            raise SpecError(f"spec key 'set.{k}': '{k}' is a command-line argument; use the top-level '{k}'")
        check_param(k, f"spec key 'set.{k}'")
        if not is_scalar(v):
            raise SpecError(f"spec key 'set.{k}': value must be a number, string or boolean")

    common = {}
    for k in CLI_KEYS:
        if k in spec:
            v = spec[k]
            if not is_int(v) or v < (1 if k == "tokens" else 0):
                raise SpecError(f"spec key '{k}': must be an integer >= {1 if k == 'tokens' else 0}")
            common[k] = v

    if ("grid" in spec) == ("list" in spec):
        raise SpecError("spec: give exactly one of 'grid' (cartesian product) or 'list' (explicit points)")
    varied, points = [], []
    if "grid" in spec:
        grid = spec["grid"]
        if not isinstance(grid, dict) or not grid:
            raise SpecError("spec key 'grid': must be a non-empty object key -> list of values")
        for k, values in grid.items():
            check_param(k, f"spec key 'grid.{k}'")
            if not isinstance(values, list) or not values:
                raise SpecError(f"spec key 'grid.{k}': must be a non-empty list of values")
            for i, v in enumerate(values):
                if not is_scalar(v):
                    raise SpecError(f"spec key 'grid.{k}[{i}]': must be a number, string or boolean")
                if k in CLI_KEYS and (not is_int(v) or v < (1 if k == "tokens" else 0)):
                    raise SpecError(f"spec key 'grid.{k}[{i}]': must be an integer >= {1 if k == 'tokens' else 0}")
            if len(set(map(json.dumps, values))) != len(values):
                raise SpecError(f"spec key 'grid.{k}': repeated values")
        varied = list(grid)
        for combo in itertools.product(*(grid[k] for k in varied)):
            points.append(dict(zip(varied, combo)))
    else:
        lst = spec["list"]
        if not isinstance(lst, list) or not lst:
            raise SpecError("spec key 'list': must be a non-empty list of objects")
        for i, p in enumerate(lst):
            if not isinstance(p, dict) or not p:
                raise SpecError(f"spec key 'list[{i}]': must be a non-empty object key -> value")
            for k, v in p.items():
                check_param(k, f"spec key 'list[{i}].{k}'")
                if not is_scalar(v):
                    raise SpecError(f"spec key 'list[{i}].{k}': must be a number, string or boolean")
                if k in CLI_KEYS and (not is_int(v) or v < (1 if k == "tokens" else 0)):
                    raise SpecError(f"spec key 'list[{i}].{k}': must be an integer >= {1 if k == 'tokens' else 0}")
                if k not in varied:
                    varied.append(k)
            points.append(dict(p))

    seeds = spec.get("seeds")
    if seeds is not None:
        if not isinstance(seeds, list) or not seeds or not all(is_int(s) and s >= 0 for s in seeds):
            raise SpecError("spec key 'seeds': must be a non-empty list of integers >= 0")
        if len(set(seeds)) != len(seeds):
            raise SpecError("spec key 'seeds': repeated seeds")
        if "seed" in varied:
            raise SpecError("spec key 'seeds': cannot be combined with 'seed' in grid/list")
        if "seed" in spec:
            raise SpecError("spec key 'seeds': cannot be combined with the top-level 'seed'")
        points = [dict(p, seed=s) for p in points for s in seeds]

    timeout_s = spec.get("timeout_s")
    if timeout_s is not None and (not isinstance(timeout_s, (int, float)) or isinstance(timeout_s, bool)
                                  or timeout_s <= 0):
        raise SpecError("spec key 'timeout_s': must be a number > 0 (seconds)")

    plot = spec.get("plot", {})
    if not isinstance(plot, dict):
        raise SpecError("spec key 'plot': must be an object")
    for k in plot:
        if k not in PLOT_KEYS:
            raise SpecError(f"spec key 'plot.{k}': unknown; allowed: {', '.join(PLOT_KEYS)}")
    params_plus_seed = varied + (["seed"] if seeds is not None else [])
    for k in ("x", "series"):
        if k in plot and plot[k] is not None and plot[k] not in params_plus_seed:
            raise SpecError(f"spec key 'plot.{k}': '{plot[k]}' is not a varied parameter "
                            f"({', '.join(params_plus_seed)})")
    if "metrics" in plot:
        m = plot["metrics"]
        if not isinstance(m, list) or not m or not all(isinstance(x, str) and x for x in m):
            raise SpecError("spec key 'plot.metrics': must be a non-empty list of results.csv column names")
    if "xlog" in plot and not isinstance(plot["xlog"], bool):
        raise SpecError("spec key 'plot.xlog': must be true or false")
    if "ylog" in plot and not (isinstance(plot["ylog"], bool) or
                               (isinstance(plot["ylog"], list) and all(isinstance(m, str) for m in plot["ylog"]))):
        raise SpecError("spec key 'plot.ylog': must be true, false or a list of metric names")
    if "average" in plot:
        av = plot["average"]
        if not isinstance(av, list) or not all(isinstance(k, str) for k in av):
            raise SpecError("spec key 'plot.average': must be a list of varied parameter names")
        for k in av:
            if k not in params_plus_seed:
                raise SpecError(f"spec key 'plot.average': '{k}' is not a varied parameter "
                                f"({', '.join(params_plus_seed)})")
        if plot.get("x") in av or (plot.get("series") is not None and plot.get("series") in av):
            raise SpecError("spec key 'plot.average': cannot hold the x or series parameter")
    if "title" in plot and not isinstance(plot["title"], str):
        raise SpecError("spec key 'plot.title': must be a string")

    slurm = spec.get("slurm", {})
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

    return {"platform": platform, "config": config, "set": fixed, "common": common, "varied": varied,
            "seeds": seeds, "points": points, "timeout_s": timeout_s, "plot": plot, "slurm": slurm}
