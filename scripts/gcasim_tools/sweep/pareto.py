"""Pareto analysis of a sweep: the points that no other point beats in every objective at once."""

import math

# energy x latency x area x output error: every objective is a cost (lower is better).
DEFAULT_OBJECTIVES = ["energy_total_pj", "latency_per_token_ns", "area_per_head_mm2", "output_error_rms"]


def objectives_of(plot_cfg, columns):
    """The spec's objectives (plot.objectives), else the default four that results.csv has."""
    wanted = plot_cfg.get("objectives") or DEFAULT_OBJECTIVES
    return [c for c in wanted if c in columns]


def values(row, objectives):
    """The row's objective values, or None when the point failed or lacks one."""
    if row.get("status") != "ok":
        return None
    v = [row.get(c) for c in objectives]
    if all(isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in v):
        return v
    return None


def dominates(a, b):
    """a is at least as good as b in every objective and better in one."""
    return all(x <= y for x, y in zip(a, b)) and any(x < y for x, y in zip(a, b))


def mark_pareto(rows, objectives):
    """Sets row["pareto"]: True for the non-dominated points, False for the dominated ones, None for
    points without all objectives. O(n^2): sweeps have hundreds of points, not millions."""
    vals = [values(r, objectives) for r in rows]
    for r, v in zip(rows, vals):
        r["pareto"] = None if v is None else not any(w is not None and dominates(w, v) for w in vals)
