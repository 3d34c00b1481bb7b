"""results.png: the chosen metrics against one varied parameter, a line per series, seeds averaged."""

import io
import json
import math
import re
import sys

from gcasim_tools.files import atomic_write_bytes
from gcasim_tools.sweep.pareto import objectives_of
from gcasim_tools.sweep.values import csv_value, label_value


METRIC_LABELS = {
    "energy_total_pj": "energy per token (pJ)",
    "latency_per_token_ns": "latency per token (ns)",
    "output_error_rms": "output error, RMS",
    "output_error_max": "output error, max",
    "latency_per_token_cycles": "latency per token (cycles)",
    "energy_worst_case_pj": "worst-case energy per token (pJ)",
    "area_per_head_mm2": "area per head (mm²)",
    "area_layer_mm2": "area per layer (mm²)",
}


def metric_label(metric):
    if metric in METRIC_LABELS:
        return METRIC_LABELS[metric]
    m = re.fullmatch(r"energy_(part|comp)_(\w+)_pj", metric)
    if m:
        return f"energy per token, {m.group(2)} (pJ)"
    return metric


def plot(rows, columns, sweep, path, title):
    """results.png: lines against a varied parameter (plot.kind lines, the default) or a Pareto chart."""
    if sweep["plot"].get("kind") == "pareto":
        plot_pareto(rows, columns, sweep, path, title)
    else:
        plot_lines(rows, columns, sweep, path, title)


def plot_pareto(rows, columns, sweep, path, title):
    """The first objective (y) against each of the others (x), one panel each; the colour is the third
    objective when there is one. The non-dominated points (rows' "pareto", over all objectives at
    once) are drawn large and numbered; the dominated ones small and faint."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cfg = sweep["plot"]
    objectives = objectives_of(cfg, columns)
    if len(objectives) < 2:
        raise ValueError(f"a Pareto chart needs two objective columns; results.csv has {objectives}")
    y, xs = objectives[0], objectives[1:]
    colour = objectives[2] if len(objectives) > 2 else None
    ok = [r for r in rows if r.get("pareto") is not None]
    front = [r for r in ok if r["pareto"]]
    fig, axes = plt.subplots(1, len(xs), figsize=(4.2 * len(xs) + 1.2, 4.4), squeeze=False, sharey=True)
    cvals = [r[colour] for r in ok] if colour else None
    norm = matplotlib.colors.Normalize(min(cvals), max(cvals)) if cvals else None
    for ax, x in zip(axes[0], xs):
        for group, size, alpha in ((ok, 14, 0.35), (front, 60, 1.0)):
            sc = ax.scatter([r[x] for r in group], [r[y] for r in group], s=size, alpha=alpha,
                            c=[r[colour] for r in group] if colour else "C0", cmap="viridis", norm=norm,
                            edgecolors="k" if size > 20 else "none", linewidths=0.6)
        for r in front:
            ax.annotate(str(int(r["point"])), (r[x], r[y]), fontsize=7, xytext=(3, 3), textcoords="offset points")
        ax.set_xlabel(metric_label(x), fontsize=9)
        for axis, col in (("x", x), ("y", y)):
            v = [r[col] for r in ok if r[col] > 0]
            if v and len(v) == len(ok) and max(v) / min(v) >= 20:
                getattr(ax, f"set_{axis}scale")("log")
        ax.grid(True, alpha=0.3)
    axes[0][0].set_ylabel(metric_label(y), fontsize=9)
    if colour and ok:
        fig.colorbar(sc, ax=axes[0].tolist(), label=metric_label(colour), shrink=0.85)
    failed = len(rows) - len(ok)
    fig.suptitle((cfg.get("title") or title) + f": {len(front)} of {len(ok)} points on the Pareto front of "
                 + " x ".join(objectives) + (f" ({failed} without all objectives left out)" if failed else ""),
                 fontsize=9)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    atomic_write_bytes(path, buf.getvalue())


def plot_lines(rows, columns, sweep, path, title):
    """Draws results.png: a panel per metric against x, a line per series value (and per other
    varied parameter that splits the lines); rows equal but for the averaged parameters (default: the
    seed) are averaged, the error bar spanning min..max. Failed points are left out (the title says
    how many)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cfg = sweep["plot"]
    varied_all = sweep["varied"] + (["seed"] if sweep["seeds"] is not None else [])
    average = cfg.get("average", ["seed"])
    x, series = chosen_axes(cfg, varied_all, average)
    metrics = plotted_metrics(cfg, columns)
    group_keys = splitting_keys(rows, varied_all, x, series, average)
    ok = [r for r in rows if r["status"] == "ok"]
    xs_all = [r[x] for r in ok]
    numeric_x = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in xs_all) and xs_all
    categories = []
    if not numeric_x:
        for v in [r[x] for r in rows]:
            if v not in categories:
                categories.append(v)
    lines = {}
    for r in ok:
        key = (r.get(series) if series else None,) + tuple(r.get(k) for k in group_keys)
        lines.setdefault(key, []).append(r)

    def label_of(key):
        parts = [f"{series}={label_value(key[0])}"] if series else []
        parts += [f"{k}={label_value(v)}" for k, v in zip(group_keys, key[1:])]
        return ", ".join(parts)

    labelled = any(label_of(k) for k in lines)
    ncol = 1 if max((len(label_of(k)) for k in lines), default=0) > 45 else 3
    legend_rows = math.ceil(len(lines) / ncol) if labelled else 0
    legend_in = 0.22 * legend_rows + (0.3 if legend_rows else 0)
    height = 2.6 * len(metrics) + 0.9 + legend_in
    fig, axes = plt.subplots(len(metrics), 1, figsize=(7.5, height), sharex=True, squeeze=False)
    handles = {}
    ylog = cfg.get("ylog", False)
    position = (lambda v: v) if numeric_x else categories.index
    for ax, metric in zip(axes[:, 0], metrics):
        log_y = ylog is True or (isinstance(ylog, list) and metric in ylog)
        for i, (key, rs) in enumerate(lines.items()):
            h = draw_line(ax, rs, x, metric, position, log_y, i)
            if h is not None:
                handles.setdefault(key, h)
        ax.set_ylabel(metric_label(metric), fontsize=9)
        if log_y:
            ax.set_yscale("log")
        ax.grid(True, alpha=0.3)
    label_x_axis(axes[-1, 0], x, xs_all, numeric_x, categories, cfg.get("xlog"))
    failed = len(rows) - len(ok)
    fig.suptitle((cfg.get("title") or title) + (f"  ({failed} failed point(s) left out)" if failed else ""),
                 fontsize=10)
    if labelled and handles:
        keys = [k for k in lines if k in handles]
        fig.legend([handles[k] for k in keys], [label_of(k) for k in keys], loc="lower center", ncol=ncol,
                   fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, legend_in / height, 1, 1 - 0.35 / height))
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    atomic_write_bytes(path, buf.getvalue())


def chosen_axes(cfg, varied_all, average):
    """(x, series): the spec's, else x the first varied parameter not averaged and series the next
    one (None: a single line)."""
    x = cfg.get("x") or next((k for k in varied_all if k not in average), varied_all[0])
    series = cfg.get("series", "__auto__")
    if series == "__auto__":
        rest = [k for k in varied_all if k != x and k not in average]
        series = rest[0] if rest else None
    return x, series


def plotted_metrics(cfg, columns):
    """The spec's metrics that results.csv has (a warning for the others), else energy and latency
    (and the output error when reported)."""
    metrics = cfg.get("metrics") or (["energy_total_pj", "latency_per_token_ns"] +
                                     (["output_error_rms"] if "output_error_rms" in columns else []))
    for m in metrics:
        if m not in columns:
            print(f"sweep: plot: no column '{m}' in results.csv; left out of the plot", file=sys.stderr)
    return [m for m in metrics if m in columns] or ["energy_total_pj"]


def splitting_keys(rows, varied_all, x, series, average):
    """The varied parameters other than x, series and the averaged ones that split the lines. A
    parameter that follows from the others (tokens = window + 64, refresh.age_ns set only with
    refresh.enabled) does not."""
    group_keys = [k for k in varied_all if k not in (x, series) and k not in average]
    for k in reversed(list(group_keys)):
        others = [x] + ([series] if series else []) + [g for g in group_keys if g != k]
        seen = {}
        if all(seen.setdefault(json.dumps([r.get(o) for o in others]), r.get(k)) == r.get(k) for r in rows):
            group_keys.remove(k)
    return group_keys


def draw_line(ax, rows, x, metric, position, log_y, i):
    """One line of `metric` against x (the mean per x value, min..max as an error bar when several
    rows share it); its handle, or None when no row has a value that can be drawn."""
    by_x = {}
    for r in rows:
        v = r.get(metric)
        if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and (v > 0 or not log_y):
            by_x.setdefault(r[x], []).append(v)
    if not by_x:
        return None
    order = sorted(by_x, key=position)
    px = [position(v) for v in order]
    mean = [sum(by_x[v]) / len(by_x[v]) for v in order]
    style = dict(color=f"C{i % 10}", linestyle=("-", "--", ":", "-.")[(i // 10) % 4], marker="o", ms=4)
    if any(len(by_x[v]) > 1 for v in order):
        lo = [max(0.0, m - min(by_x[v])) for m, v in zip(mean, order)]
        hi = [max(0.0, max(by_x[v]) - m) for m, v in zip(mean, order)]
        return ax.errorbar(px, mean, yerr=[lo, hi], capsize=3, **style)
    return ax.plot(px, mean, **style)[0]


def label_x_axis(ax, x, xs_all, numeric_x, categories, xlog):
    """Log scale for a numeric x spanning 20x or more of positive values (unless the spec says), the
    swept values as ticks when few; categories by name."""
    import matplotlib.ticker
    if xlog is None:
        pos = [v for v in xs_all if numeric_x and v > 0]
        xlog = bool(pos) and len(pos) == len(xs_all) and max(pos) / min(pos) >= 20
    if numeric_x and xlog:
        ax.set_xscale("log")
        ticks = sorted(set(xs_all))
        if len(ticks) <= 12:  # label the swept values themselves
            ax.set_xticks(ticks)
            ax.set_xticklabels([label_value(v) for v in ticks], fontsize=8)
            ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
    if not numeric_x:
        ax.set_xticks(range(len(categories)))
        ax.set_xticklabels([csv_value(c) for c in categories])
    ax.set_xlabel(x)
