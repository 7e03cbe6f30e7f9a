"""Side by side, on the same files, in one run: fracture's spatial engine against the Python tools an
analyst would otherwise use. Every step is timed as a whole process (wall time, peak resident memory
from the kernel's rusage of that child), back to back, so that ratios are measured under the same load.

Inputs: a directory written by `fracture synth --scale city|region|france --out DIR`
(premises.parquet with x,y in EPSG:2154, zones_qpv.geojson, zones_iris.geojson).

Join (premises per QPV):
  floor      pyarrow reading only the x,y columns of premises.parquet (what any join must at least do)
  fracture   `fracture join --points premises.parquet --zones zones_qpv.geojson --zone-id code_qp`
  geopandas  read + points_from_xy + sjoin(predicate="intersects"); skipped when the machine's free
             memory cannot hold it (about 330 bytes per point)
  shapely    STRtree of the zones, candidates by bounding box, `intersects_xy` on prepared zones, the
             Parquet file read row group by row group on 2 threads (loading included)
  duckdb     DuckDB spatial (the `duckdb-extension-spatial` wheel from PyPI): `ST_Intersects` join of
             `read_parquet` points with `ST_Read` zones, grouped by zone
Zones are closed (a point on an edge is in); a point in several zones counts in the first one in the
file (fracture's rule; geopandas and shapely apply it here, DuckDB does not, so a point on an edge
shared by two zones would show as a count mismatch). Counts per zone must be identical across every
tool, else the script fails (exit 1).

Interpolation (IRIS population, extensive, and poverty rate, intensive, onto the QPV):
  fracture   `fracture interpolate ... --extensive population --intensive poverty_rate`
  tobler     geopandas read + `area_interpolate(..., allocate_total=False)` (float32 area table)
  reference  geopandas read + `overlay(how="intersection")` in float64 (GEOS): the reference values
fracture must equal the reference within 1e-9 relative (each target and the total), else exit 1;
tobler's deviation is reported, never used as the reference.

Output: a Markdown table on stdout, and the same figures as JSON (--json, default
compare-<scale>.json in the current directory).

Run: bash benches/python/setup_venv.sh
     benches/python/.venv/bin/python benches/python/compare.py ../synth-out/region \
         --fracture target/release/fracture
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TOLERANCE = 1e-9
BYTES_PER_GEOPANDAS_POINT = 330  # measured here: 45 M points, 14.3 GB peak


# ---------------------------------------------------------------------------------------------------
# Workers: each runs in its own process (`compare.py --worker NAME DIR OUT`), so that its time and
# peak memory include loading Python and its libraries, like a user's script.


def write_counts(out, codes, counts):
    with open(out, "w") as f:
        f.write("code,count\n")
        for c, n in sorted(zip(codes, counts)):
            f.write(f"{c},{int(n)}\n")


def worker_floor(d, out):
    import pyarrow.parquet as pq

    t = pq.read_table(d / "premises.parquet", columns=["x", "y"])
    Path(out).write_text(f"rows,{t.num_rows}\n")


def worker_geopandas(d, out):
    import geopandas as gpd
    import numpy as np
    import pandas as pd

    zones = gpd.read_file(d / "zones_qpv.geojson")
    zones["zone_index"] = np.arange(len(zones))
    pts = pd.read_parquet(d / "premises.parquet", columns=["x", "y"])
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(pts.x, pts.y), crs=zones.crs)
    j = gpd.sjoin(pts, zones[["code_qp", "zone_index", "geometry"]], how="inner", predicate="intersects")
    first = j.sort_values("zone_index", kind="stable")
    first = first[~first.index.duplicated(keep="first")]
    per = np.bincount(first.zone_index.values, minlength=len(zones))
    write_counts(out, zones.code_qp, per)


def worker_shapely(d, out):
    from concurrent.futures import ThreadPoolExecutor

    import geopandas as gpd
    import numpy as np
    import pyarrow.parquet as pq
    import shapely

    zones = gpd.read_file(d / "zones_qpv.geojson")
    geoms = zones.geometry.values._data if hasattr(zones.geometry.values, "_data") else np.asarray(zones.geometry)
    geoms = np.asarray(geoms)
    shapely.prepare(geoms)
    tree = shapely.STRtree(geoms)
    path = d / "premises.parquet"
    groups = pq.ParquetFile(path).metadata.num_row_groups
    big = np.iinfo(np.int64).max

    def one(rg):
        t = pq.ParquetFile(path).read_row_group(rg, columns=["x", "y"])
        x = t.column("x").to_numpy()
        y = t.column("y").to_numpy()
        p, z = tree.query(shapely.points(x, y))  # bounding-box candidates (point index, zone index)
        hit = shapely.intersects_xy(geoms[z], x[p], y[p])
        p, z = p[hit], z[hit]
        first = np.full(len(x), big)
        np.minimum.at(first, p, z)  # a point in several zones: the first zone in the file
        first = first[first != big]
        return np.bincount(first, minlength=len(geoms))

    with ThreadPoolExecutor(max_workers=2) as ex:
        per = sum(ex.map(one, range(groups)))
    write_counts(out, zones.code_qp, per)


def spatial_extension():
    import glob

    import duckdb_extension_spatial

    here = os.path.dirname(duckdb_extension_spatial.__file__)
    found = glob.glob(os.path.join(here, "extensions", "*", "spatial.duckdb_extension"))
    if not found:
        raise SystemExit(f"no spatial.duckdb_extension in {here}")
    return found[0]


def worker_duckdb(d, out):
    import duckdb

    con = duckdb.connect()
    con.execute(f"LOAD '{spatial_extension()}'")
    zones = str(d / "zones_qpv.geojson")
    con.execute(f"CREATE TABLE z AS SELECT code_qp AS code, geom FROM ST_Read('{zones}')")
    rows = con.execute(
        f"""SELECT z.code, count(*) FROM read_parquet('{d / "premises.parquet"}') p
            JOIN z ON ST_Intersects(z.geom, ST_Point(p.x, p.y)) GROUP BY z.code"""
    ).fetchall()
    got = dict(rows)
    codes = [c for (c,) in con.execute("SELECT code FROM z").fetchall()]
    write_counts(out, codes, [got.get(c, 0) for c in codes])


def worker_tobler(d, out):
    import geopandas as gpd
    from tobler.area_weighted import area_interpolate

    src = gpd.read_file(d / "zones_iris.geojson")
    tgt = gpd.read_file(d / "zones_qpv.geojson")
    est = area_interpolate(
        src, tgt, extensive_variables=["population"], intensive_variables=["poverty_rate"], allocate_total=False
    )
    est["code_qp"] = tgt["code_qp"].values
    est[["code_qp", "population", "poverty_rate"]].sort_values("code_qp").to_csv(
        out, index=False, float_format="%.17g"
    )


def worker_reference(d, out):
    import geopandas as gpd
    import pandas as pd

    src = gpd.read_file(d / "zones_iris.geojson")
    tgt = gpd.read_file(d / "zones_qpv.geojson")
    src["src_area"] = src.geometry.area
    ov = gpd.overlay(
        src[["code_iris", "population", "poverty_rate", "src_area", "geometry"]],
        tgt[["code_qp", "geometry"]],
        how="intersection",
        keep_geom_type=True,
    )
    ov["area"] = ov.geometry.area
    ov = ov[ov.area > 0]
    ov["part"] = ov.population * (ov.area / ov.src_area)
    ov["rate_area"] = ov.poverty_rate * ov.area
    g = ov.groupby("code_qp")
    pop, ra, a = g.part.sum(), g.rate_area.sum(), g.area.sum()
    res = pd.DataFrame({"code_qp": sorted(tgt.code_qp)})
    res["population"] = [float(pop.get(q, 0.0)) for q in res.code_qp]
    res["poverty_rate"] = [float(ra[q] / a[q]) if q in a.index else float("nan") for q in res.code_qp]
    res.to_csv(out, index=False, float_format="%.17g")


WORKERS = {
    "floor": worker_floor,
    "geopandas": worker_geopandas,
    "shapely": worker_shapely,
    "duckdb": worker_duckdb,
    "tobler": worker_tobler,
    "reference": worker_reference,
}


# ---------------------------------------------------------------------------------------------------
# The driver


def measure(cmd, limit_bytes=None):
    """Runs `cmd` as a child process: (exit code, wall seconds, peak RSS in bytes, stderr tail)."""

    def limit():
        if limit_bytes:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))

    err = tempfile.TemporaryFile()
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, preexec_fn=limit)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    err.seek(0)
    tail = err.read().decode(errors="replace").strip().splitlines()[-3:]
    return p.returncode, wall, usage.ru_maxrss * 1024, " | ".join(tail)


def read_counts(path):
    import csv

    with open(path) as f:
        r = csv.reader(f)
        next(r)
        return {row[0]: int(row[1]) for row in r}


def read_values(path, key):
    import csv

    with open(path) as f:
        return {row[key]: row for row in csv.DictReader(f)}


def relative_deviation(values, reference, name):
    """(max relative difference over the targets, relative difference of the total)."""
    worst, a_total, r_total = 0.0, 0.0, 0.0
    for code, ref in reference.items():
        r, a = float(ref[name]), float(values[code][name])
        if r != r:  # NaN: a target no source touches
            if a == a:
                worst = float("inf")
            continue
        a_total += a
        r_total += r
        worst = max(worst, abs(a - r) / abs(r) if r else (0.0 if a == 0 else float("inf")))
    return worst, abs(a_total - r_total) / abs(r_total) if r_total else abs(a_total), r_total


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", type=Path, help="a `fracture synth` output directory")
    ap.add_argument("--fracture", default="target/release/fracture", help="the fracture binary (release)")
    ap.add_argument("--json", type=Path, help="where to write the figures (default compare-<dir name>.json)")
    ap.add_argument("--skip", default="", help="comma-separated steps to leave out (e.g. geopandas,tobler)")
    ap.add_argument("--worker", nargs=2, metavar=("NAME", "OUT"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    d = a.dir.resolve()
    if a.worker:
        WORKERS[a.worker[0]](d, a.worker[1])
        return 0

    import psutil
    import pyarrow.parquet as pq

    skip = {s.strip() for s in a.skip.split(",") if s.strip()}
    points = pq.ParquetFile(d / "premises.parquet").metadata.num_rows
    tmp = Path(tempfile.mkdtemp(prefix="fracture-compare-"))
    fracture = str(Path(a.fracture).resolve())
    me = [sys.executable, str(Path(__file__).resolve()), str(d), "--worker"]
    rows, failures = [], []

    def run(task, tool, cmd, out, note="", limit=None):
        if tool in skip:
            rows.append(dict(task=task, tool=tool, status="skipped (--skip)", note=note))
            return None
        load = os.getloadavg()[0]
        code, wall, rss, tail = measure(cmd, limit)
        ok = code == 0
        rows.append(
            dict(task=task, tool=tool, wall_s=round(wall, 2), peak_rss_mb=round(rss / 1e6), load_before=load,
                 status="ok" if ok else f"failed (exit {code}): {tail}", note=note)
        )
        print(f"  {task:<12} {tool:<10} {wall:8.2f} s {rss / 1e6:8.0f} MB  load {load:.2f}"
              + ("" if ok else f"  FAILED: {tail}"), file=sys.stderr)
        return out if ok else None

    print(f"{d.name}: {points} points; running each step as its own process", file=sys.stderr)
    # --- join
    outs = {}
    run("join", "floor", me + ["floor", str(tmp / "floor.txt")], None, "x,y columns only, pyarrow")
    outs["fracture"] = run(
        "join", "fracture",
        [fracture, "join", "--points", str(d / "premises.parquet"), "--zones", str(d / "zones_qpv.geojson"),
         "--zone-id", "code_qp", "--out", str(tmp / "fracture_counts.csv")],
        tmp / "fracture_counts.csv", "release binary",
    )
    need = points * BYTES_PER_GEOPANDAS_POINT + 1e9
    avail = psutil.virtual_memory().available
    if "geopandas" not in skip and avail < need + 1.5e9:
        rows.append(dict(task="join", tool="geopandas", status=f"not run: needs ~{need / 1e9:.1f} GB, "
                         f"{avail / 1e9:.1f} GB available", note="read + sjoin"))
    else:
        outs["geopandas"] = run("join", "geopandas", me + ["geopandas", str(tmp / "gpd.csv")], tmp / "gpd.csv",
                                "read + sjoin", limit=int(avail - 1e9))
    outs["shapely"] = run("join", "shapely", me + ["shapely", str(tmp / "shp.csv")], tmp / "shp.csv",
                          "STRtree + intersects_xy, 2 threads")
    outs["duckdb"] = run("join", "duckdb", me + ["duckdb", str(tmp / "duck.csv")], tmp / "duck.csv",
                         "spatial extension, ST_Intersects")
    # --- interpolation
    run("interpolate", "fracture",
        [fracture, "interpolate", "--source", str(d / "zones_iris.geojson"), "--source-id", "code_iris",
         "--target", str(d / "zones_qpv.geojson"), "--target-id", "code_qp", "--extensive", "population",
         "--intensive", "poverty_rate", "--out", str(tmp / "fracture_interp.csv")],
        None, "release binary")
    run("interpolate", "tobler", me + ["tobler", str(tmp / "tobler.csv")], None,
        "read + area_interpolate(allocate_total=False)")
    run("interpolate", "reference", me + ["reference", str(tmp / "reference.csv")], None,
        "read + overlay, float64")

    # --- checks
    checks = {}
    counts = {t: read_counts(p) for t, p in outs.items() if p}
    truth = {}
    if (d / "truth_premises_per_qpv.csv").exists():
        truth = read_counts(d / "truth_premises_per_qpv.csv")
        counts["generator's truth"] = truth
    base = counts.get("fracture")
    for tool, c in counts.items():
        if tool == "fracture":
            continue
        same = base is not None and c == base
        diff = [] if base is None else sorted(k for k in set(c) | set(base) if c.get(k) != base.get(k))
        checks[f"counts {tool} = fracture"] = "identical" if same else f"DIFFER in {len(diff)} zones: {diff[:5]}"
        if not same:
            failures.append(f"counts per zone of {tool} differ from fracture's in {len(diff)} zones: {diff[:5]}")
    if base is not None:
        checks["points in a QPV"] = sum(base.values())
    interp = {}
    if (tmp / "reference.csv").exists():
        ref = read_values(tmp / "reference.csv", "code_qp")
        for tool, f in [("fracture", "fracture_interp.csv"), ("tobler", "tobler.csv")]:
            if not (tmp / f).exists():
                continue
            vals = read_values(tmp / f, "code_qp")
            for v in ["population", "poverty_rate"]:
                worst, total, ref_total = relative_deviation(vals, ref, v)
                interp[f"{tool} {v}"] = dict(max_relative_per_target=worst, relative_of_total=total)
                checks[f"{tool} {v} vs float64 reference"] = (
                    f"max {worst:.1e} per target, {total:.1e} on the total (reference total {ref_total:.6f})")
                if tool == "fracture" and (worst > TOLERANCE or total > TOLERANCE):
                    failures.append(f"fracture {v} differs from the float64 reference by {worst:.1e} (> 1e-9)")
    else:
        failures.append("no float64 reference: the interpolation was not checked")

    # --- report
    fr = {r["task"]: r["wall_s"] for r in rows if r["tool"] == "fracture" and "wall_s" in r}
    for r in rows:
        if "wall_s" in r and r["task"] in fr:
            r["ratio_vs_fracture"] = round(r["wall_s"] / fr[r["task"]], 2)
    cpu = platform.processor() or platform.machine()
    print(f"\n### {d.name}: {points:,} points, {len(base or {})} QPV "
          f"({os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB, {cpu}; "
          f"load average at start {rows[0].get('load_before', 0):.2f})\n")
    print("| step | tool | time (s) | points/s | peak memory (MB) | time / fracture | note |")
    print("|---|---|---:|---:|---:|---:|---|")
    for r in rows:
        if "wall_s" in r and r["status"] == "ok":
            if r["task"] == "join":
                r["points_per_s"] = round(points / r["wall_s"])
            rate = f"{r['points_per_s'] / 1e6:.1f} M" if "points_per_s" in r else ""
            print(f"| {r['task']} | {r['tool']} | {r['wall_s']:.2f} | {rate} | {r['peak_rss_mb']:,} | "
                  f"{r.get('ratio_vs_fracture', '')} | {r['note']} |")
        else:
            print(f"| {r['task']} | {r['tool']} | | | | | {r['status']} |")
    print()
    for k, v in checks.items():
        print(f"- {k}: {v}")
    report = dict(dir=str(d), points=points, cores=os.cpu_count(),
                  memory_gib=round(psutil.virtual_memory().total / 2**30, 1), steps=rows, checks=checks,
                  interpolation=interp, failures=failures, loadavg_end=os.getloadavg())
    out = a.json or Path(f"compare-{d.name}.json")
    out.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(f"\nfigures written to {out}", file=sys.stderr)
    for f in failures:
        print(f"FAILED: {f}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
