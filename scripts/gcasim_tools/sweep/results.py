"""Gathering: one results.csv row per point, from its run.json and summary.json."""

import csv
import io
import json
import os

from gcasim_tools.files import atomic_write_text, tail
from gcasim_tools.sweep.points import STATE_ERRORS, point_state
from gcasim_tools.sweep.values import csv_value, num


PARTS = ("qk", "pv", "digital", "dac")  # the published parts: always a column
PART_COLUMN = "energy_part_{}_pj"
COMPONENT_COLUMN = "energy_comp_{}_pj"


def gather(points, out_dir, varied, notes):
    """One row per point (results.csv) and the columns; `notes`: why a point has no result, from the
    backend."""
    rows = [point_row(pt, varied, (notes or {}).get(pt["index"])) for pt in points]
    return rows, result_columns(rows, varied)


def point_row(pt, varied, note):
    """The point's parameters, status, exit code and error, and what its summary.json reports."""
    row = {"point": f"{pt['index']:04d}"}
    for k in varied:
        row[k] = pt["params"].get(k)
    row["seed"] = pt["seed"]
    row["status"] = "failed"
    row["exit_code"] = None
    row["error"] = ""
    state, run = point_state(pt)
    summary = None
    if run is None:
        row["error"] = f"no result ({note or 'the point did not run'})"
    else:
        row["exit_code"] = run.get("exit_code")
        row["run_s"] = run.get("run_s")
        if state == "done":
            try:
                with open(os.path.join(pt["dir"], "summary.json")) as f:
                    summary = json.load(f)
            except (OSError, ValueError) as e:
                row["error"] = f"exit 0 but no readable summary.json ({e})"
        elif state == "failed":
            row["error"] = run.get("reason") or first_error_line(os.path.join(pt["dir"], "stderr.txt"))
        else:
            row["error"] = STATE_ERRORS[state]
        if note and note != "Slurm: FAILED" and state != "done":
            # The task ran but Slurm did not complete it (cancelled, time limit, node failure).
            row["error"] = f"{note}; {row['error']}"
    if summary is not None:
        add_summary(row, summary)
    elif row.get("tokens") is None:
        row["tokens"] = pt["tokens"]
    return row


def add_summary(row, summary):
    """The summary's figures into the row; status ok unless the run was interrupted."""
    if summary.get("interrupted"):
        row["error"] = "interrupted"
    else:
        row["status"] = "ok"
    row["tokens"] = summary.get("tokens")
    row["wall_time_s"] = num(summary.get("wall_time_s"))
    row["latency_per_token_ns"] = num(summary.get("latency_per_token_ns"))
    row["latency_per_token_cycles"] = num(summary.get("latency_per_token_cycles"))
    area = summary.get("area_mm2")
    if isinstance(area, dict):
        row["area_per_head_mm2"] = num(area.get("per_head"))
        row["area_layer_mm2"] = num(area.get("layer"))
    e = summary.get("energy_per_token_pj")
    if isinstance(e, dict):
        basis = "full_window" if isinstance(e.get("full_window"), dict) else "mean"
        rep = e.get(basis)
        if isinstance(rep, dict):
            row["energy_basis"] = basis
            row["full_window_tokens"] = e.get("full_window_tokens")
            row["energy_total_pj"] = num(rep.get("total"))
            worst = e.get("worst_case")
            if isinstance(worst, dict):
                row["energy_worst_case_pj"] = num(worst.get("total"))
            for part, v in (rep.get("parts") or {}).items():
                if num(v) is not None:
                    row[PART_COLUMN.format(part)] = v
            for c, v in rep.items():
                if c not in ("total", "parts") and num(v) is not None:
                    row[COMPONENT_COLUMN.format(c)] = v
    if "tokens_started_late" in summary:
        row["tokens_started_late"] = summary.get("tokens_started_late")
    oe = summary.get("output_error")
    if isinstance(oe, dict):
        row["output_error_rms"] = num(oe.get("rms"))
        row["output_error_max"] = num(oe.get("max"))


def result_columns(rows, varied):
    """results.csv's columns: the published parts first, then the parts and components in the order
    the rows name them; the optional columns only when a row has them."""
    def named(column):  # the names in `column`'s form, in order of first appearance
        prefix, suffix = column.split("{}")
        found = []
        for r in rows:
            found += [k[len(prefix):-len(suffix)] for k in r
                      if k.startswith(prefix) and k.endswith(suffix) and k[len(prefix):-len(suffix)] not in found]
        return found

    def present(column):
        return any(column in r for r in rows)

    def optional(cols):
        return [c for c in cols if present(c)]

    parts = list(PARTS) + [p for p in named(PART_COLUMN) if p not in PARTS]
    return (["point"] + list(varied) + (["seed"] if "seed" not in varied else []) +
            ["status", "exit_code"] + (["tokens"] if "tokens" not in varied else []) +
            ["latency_per_token_ns"] + optional(["latency_per_token_cycles"]) +
            ["energy_basis", "full_window_tokens", "energy_total_pj"] + optional(["energy_worst_case_pj"]) +
            [PART_COLUMN.format(p) for p in parts] + [COMPONENT_COLUMN.format(c) for c in named(COMPONENT_COLUMN)] +
            (["tokens_started_late"] if present("tokens_started_late") else []) + ["wall_time_s", "run_s"] +
            (["output_error_rms", "output_error_max"] if present("output_error_rms") else []) +
            optional(["area_per_head_mm2", "area_layer_mm2"]) + ["error"])


def first_error_line(path):
    lines = [l.strip() for l in tail(path, 50).splitlines() if l.strip()]
    return lines[-1][:300] if lines else ""


def write_csv(rows, columns, path):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([csv_value(r.get(c)) for c in columns])
    atomic_write_text(path, buf.getvalue())
