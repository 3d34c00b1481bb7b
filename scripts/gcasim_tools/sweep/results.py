"""Gathering: one results.csv row per point, from its run.json and summary.json."""

import csv
import io
import json
import os

from gcasim_tools.files import atomic_write_text, tail
from gcasim_tools.sweep.points import STATE_ERRORS, point_state
from gcasim_tools.sweep.values import csv_value, num


PARTS = ("qk", "pv", "digital", "dac")


def gather(points, out_dir, varied, notes):
    """One row per point (results.csv); `notes`: why a point has no result, from the backend."""
    rows, components, parts = [], [], list(PARTS)
    has_error = has_late = False
    for pt in points:
        d = pt["dir"]
        row = {"point": f"{pt['index']:04d}"}
        for k in varied:
            row[k] = pt["params"].get(k)
        row["seed"] = pt["seed"]
        row["status"] = "failed"
        row["exit_code"] = None
        row["error"] = ""
        state, run = point_state(pt)
        note = (notes or {}).get(pt["index"])
        summary = None
        if run is None:
            row["error"] = f"no result ({note or 'the point did not run'})"
        else:
            row["exit_code"] = run.get("exit_code")
            row["run_s"] = run.get("run_s")
            if state == "done":
                try:
                    with open(os.path.join(d, "summary.json")) as f:
                        summary = json.load(f)
                except (OSError, ValueError) as e:
                    row["error"] = f"exit 0 but no readable summary.json ({e})"
            elif state == "failed":
                row["error"] = run.get("reason") or first_error_line(os.path.join(d, "stderr.txt"))
            else:
                row["error"] = STATE_ERRORS[state]
            if note and note != "Slurm: FAILED" and state != "done":
                # The task ran but Slurm did not complete it (cancelled, time limit, node failure).
                row["error"] = f"{note}; {row['error']}"
        if summary is not None:
            if summary.get("interrupted"):
                row["error"] = "interrupted"
            else:
                row["status"] = "ok"
            row["tokens"] = summary.get("tokens")
            row["wall_time_s"] = num(summary.get("wall_time_s"))
            row["latency_per_token_ns"] = num(summary.get("latency_per_token_ns"))
            e = summary.get("energy_per_token_pj")
            if isinstance(e, dict):
                basis = "full_window" if isinstance(e.get("full_window"), dict) else "mean"
                rep = e.get(basis)
                if isinstance(rep, dict):
                    row["energy_basis"] = basis
                    row["full_window_tokens"] = e.get("full_window_tokens")
                    row["energy_total_pj"] = num(rep.get("total"))
                    for part, v in (rep.get("parts") or {}).items():
                        if num(v) is None:
                            continue
                        if part not in parts:
                            parts.append(part)
                        row[f"energy_part_{part}_pj"] = v
                    for c, v in rep.items():
                        if c in ("total", "parts") or num(v) is None:
                            continue
                        if c not in components:
                            components.append(c)
                        row[f"energy_comp_{c}_pj"] = v
            if "tokens_started_late" in summary:
                has_late = True
                row["tokens_started_late"] = summary.get("tokens_started_late")
            oe = summary.get("output_error")
            if isinstance(oe, dict):
                has_error = True
                row["output_error_rms"] = num(oe.get("rms"))
                row["output_error_max"] = num(oe.get("max"))
        elif row.get("tokens") is None:
            row["tokens"] = pt["tokens"]
        rows.append(row)
    columns = (["point"] + list(varied) + (["seed"] if "seed" not in varied else []) +
               ["status", "exit_code"] + (["tokens"] if "tokens" not in varied else []) + ["latency_per_token_ns", "energy_basis", "full_window_tokens",
                "energy_total_pj"] + [f"energy_part_{p}_pj" for p in parts] +
               [f"energy_comp_{c}_pj" for c in components] +
               (["tokens_started_late"] if has_late else []) + ["wall_time_s", "run_s"] +
               (["output_error_rms", "output_error_max"] if has_error else []) +
               ["error"])
    return rows, columns


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
