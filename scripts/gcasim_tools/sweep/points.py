"""A sweep's points: their command lines, the hash of what their results depend on, and whether a
point is done (its run.json matches this config and its outputs are all there)."""

import functools
import hashlib
import json
import os

from gcasim_tools.platforms import REPO
from gcasim_tools.sweep.spec import CLI_KEYS, PLATFORMS
from gcasim_tools.sweep.values import set_value_text


POINTS_FILE = "points.json"
RUN_FILE = "run.json"  # written last: the mark of a finished run
STATE_ERRORS = {"stale": "stale: run with another binary, config file or settings than the spec's",
                "incomplete": "incomplete: an output file is missing or changed since the run"}


def build_points(sweep, binary, out_dir, threads=None):
    """Every point: its parameters, the exact argv, its output folder, and `config`: what its
    results depend on (hashed by config_hash). `threads`: the platform's sim.threads for each
    point, unless the spec sets it (None: leave the default)."""
    result = []
    config_file = sweep["config"] or os.path.join(REPO, "platforms", "configs", PLATFORMS[sweep["platform"]])
    for i, p in enumerate(sweep["points"]):
        argv = [binary]
        if sweep["config"]:
            argv += ["--config", sweep["config"]]
        merged = dict(sweep["set"])
        merged.update((k, v) for k, v in p.items() if k not in CLI_KEYS)
        settings = [f"{k}={set_value_text(v)}" for k, v in merged.items()]
        # The sweep's own sim.threads is not in the config hash: the results do not depend on it,
        # and a rerun with another --jobs must reuse the points.
        if threads is not None and "sim.threads" not in merged:
            argv += ["--set", f"sim.threads={threads}"]
        for kv in settings:
            argv += ["--set", kv]
        cli = dict(sweep["common"])
        cli.update({k: p[k] for k in CLI_KEYS if k in p})
        if "tokens" in cli:
            argv += ["--tokens", str(cli["tokens"])]
        if "seed" in cli:
            argv += ["--seed", str(cli["seed"])]
        point_dir = os.path.join(out_dir, "points", f"{i:04d}")
        argv += ["--out", point_dir]
        config = {"platform": sweep["platform"], "binary": binary, "config_file": config_file,
                  "set": settings, "tokens": cli.get("tokens"), "seed": cli.get("seed")}
        result.append({"index": i, "params": p, "seed": cli.get("seed"), "tokens": cli.get("tokens"),
                       "dir": point_dir, "argv": argv, "config": config})
    return result


def describe(pt):
    return " ".join(f"{k}={set_value_text(v)}" for k, v in pt["params"].items()) or "(base)"


@functools.lru_cache(maxsize=None)
def file_sha256(path):
    """The file's SHA-256 (hex), or None when it cannot be read."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return None
    return h.hexdigest()


def config_hash(pt):
    """Hash of everything the point's results depend on: the platform binary's and the config
    file's contents (a rebuild or an edited config makes the point stale), the settings in the
    order given, tokens and seed; not the paths, sim.threads or the time limit."""
    c = pt["config"]
    ident = {"platform": c["platform"], "binary_sha256": file_sha256(c["binary"]),
             "config_sha256": file_sha256(c["config_file"]), "set": c["set"], "tokens": c["tokens"],
             "seed": c["seed"]}
    return hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()


def output_sizes(d):
    """Every file below folder d (relative path -> size in bytes), run.json aside."""
    sizes = {}
    for root, _, names in os.walk(d):
        for n in names:
            rel = os.path.relpath(os.path.join(root, n), d)
            if rel != RUN_FILE:
                sizes[rel] = os.path.getsize(os.path.join(root, n))
    return sizes


def point_state(pt):
    """('done', run) when the point's run.json says exit 0, holds this config's hash (pt['config_hash'])
    and every output file has the size it had then; else 'missing', 'failed', 'stale' or
    'incomplete', and the run record (None when missing)."""
    try:
        with open(os.path.join(pt["dir"], RUN_FILE)) as f:
            run = json.load(f)
    except (OSError, ValueError):
        return "missing", None
    if run.get("exit_code") != 0:
        return "failed", run
    if run.get("config_hash") != pt["config_hash"]:
        return "stale", run
    for name, size in run.get("files", {}).items():
        path = os.path.join(pt["dir"], name)
        if not os.path.isfile(path) or os.path.getsize(path) != size:
            return "incomplete", run
    return "done", run


def worth_retrying(pt):
    """Not done, and not refused by the platform as bad input (exit 2: it would fail again)."""
    state, run = point_state(pt)
    return state != "done" and not (state == "failed" and run.get("exit_code") == 2)
