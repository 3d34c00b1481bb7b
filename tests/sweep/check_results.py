#!/usr/bin/python3
"""Checks a scripts/sweep output folder: results.csv against every point's summary.json, and the PNG.

    check_results.py DIR --rows N [--varied k1,k2] [--compare OTHER_DIR] [-v]

--compare: the same points in OTHER_DIR (e.g. the local backend's) must give the same values in
every column except the wall times. Exit 0 when every check passes, 1 otherwise (one line a check).
"""
import argparse
import csv
import json
import math
import os
import struct
import sys

PARTS = ("qk", "pv", "digital", "dac")
BASE_COLUMNS = ["point", "seed", "status", "exit_code", "tokens", "latency_per_token_ns", "energy_basis",
                "full_window_tokens", "energy_total_pj"] + [f"energy_part_{p}_pj" for p in PARTS] + \
               ["wall_time_s", "run_s", "error"]
TIMING_COLUMNS = {"wall_time_s", "run_s"}

failures = []
passes = []
VERBOSE = "-v" in sys.argv


def check(cond, what):
    if cond:
        passes.append(what)
        if VERBOSE:
            print(f"  ok: {what}")
    else:
        print(f"  FAIL: {what}")
        failures.append(what)
    return cond


def close(a, b):
    return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-12)


def read_csv(path):
    with open(path, newline="") as f:
        r = csv.DictReader(f)
        return r.fieldnames, list(r)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--varied", default="")
    ap.add_argument("--compare")
    ap.add_argument("-v", action="store_true", help="print every check, not only the failures")
    a = ap.parse_args()
    varied = [k for k in a.varied.split(",") if k]

    csv_path = os.path.join(a.dir, "results.csv")
    if not check(os.path.isfile(csv_path), f"{csv_path} exists"):
        return 1
    columns, rows = read_csv(csv_path)
    check(len(rows) == a.rows, f"results.csv has {a.rows} rows (has {len(rows)})")
    missing = [c for c in BASE_COLUMNS + varied if c not in columns]
    check(not missing, f"results.csv has the expected columns (missing: {missing})")
    check(columns[1:1 + len(varied)] == varied, f"varied parameters {varied} come right after 'point'")
    comp_cols = [c for c in columns if c.startswith("energy_comp_") and c.endswith("_pj")]
    part_cols = [c for c in columns if c.startswith("energy_part_") and c.endswith("_pj")]
    check(len(comp_cols) >= 4, f"per-component energy columns present ({comp_cols})")

    for row in rows:
        p = row["point"]
        sp = os.path.join(a.dir, "points", p, "summary.json")
        if not check(row["status"] == "ok" and row["exit_code"] == "0", f"point {p}: status ok, exit 0"):
            continue
        if not check(os.path.isfile(sp), f"point {p}: summary.json exists"):
            continue
        s = json.load(open(sp))
        e = s["energy_per_token_pj"]
        basis = "full_window" if e.get("full_window") is not None else "mean"
        rep = e[basis]
        good = (row["energy_basis"] == basis and int(row["tokens"]) == s["tokens"]
                and close(row["latency_per_token_ns"], s["latency_per_token_ns"])
                and close(row["energy_total_pj"], rep["total"])
                and all(close(row[c], rep["parts"][c[12:-3]]) for c in part_cols)
                and set(rep["parts"]) == {c[12:-3] for c in part_cols}
                and all(close(row[c], rep[c[12:-3]]) for c in comp_cols)
                and set(rep) - {"total", "parts"} == {c[12:-3] for c in comp_cols}
                and close(row["wall_time_s"], s["wall_time_s"]) and int(row["seed"]) == s["seed"])
        for k in varied:
            if k in ("tokens", "seed"):
                good = good and int(row[k]) == s[k]
                continue
            v = s["config"]
            for part in k.split("."):
                v = v[part]
            good = good and (close(row[k], v) if isinstance(v, (int, float)) and not isinstance(v, bool)
                             else row[k] == (json.dumps(v) if isinstance(v, bool) else str(v)))
        check(good, f"point {p}: row equals its summary.json ({basis}, energy {row['energy_total_pj']} pJ, "
                    f"latency {row['latency_per_token_ns']} ns)")
        parts_sum = sum(float(row[c]) for c in part_cols)
        comp_sum = sum(float(row[c]) for c in comp_cols)
        check(math.isclose(parts_sum, float(row["energy_total_pj"]), rel_tol=1e-9, abs_tol=1e-3)
              and math.isclose(comp_sum, float(row["energy_total_pj"]), rel_tol=1e-9, abs_tol=1e-3),
              f"point {p}: parts and components add up to the total")

    png = os.path.join(a.dir, "results.png")
    if check(os.path.isfile(png), "results.png exists"):
        data = open(png, "rb").read()
        ok = data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
        w, h = struct.unpack(">II", data[16:24]) if ok else (0, 0)
        check(ok and w >= 400 and h >= 300, f"results.png is a PNG ({len(data)} bytes, {w}x{h})")
    check(not [f for f in os.listdir(a.dir) if f.endswith(".tmp")], "no temporary files left behind")

    if a.compare:
        other_cols, other = read_csv(os.path.join(a.compare, "results.csv"))
        check(other_cols == columns, "same columns as the compared sweep")
        same = len(other) == len(rows)
        diffs = []
        for r1, r2 in zip(rows, other):
            for c in columns:
                if c not in TIMING_COLUMNS and r1.get(c) != r2.get(c):
                    diffs.append(f"point {r1['point']} {c}: {r1.get(c)} vs {r2.get(c)}")
        check(same and not diffs, f"every non-timing value equals {a.compare}/results.csv "
                                  f"({len(rows)} rows; differences: {diffs[:5]})")
    print(f"  check_results {a.dir}: {len(failures)} of {len(failures) + len(passes)} check(s) failed"
          if failures else f"  check_results {a.dir}: all {len(passes)} checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
