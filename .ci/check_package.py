#!/usr/bin/env python3
"""Checks fracture's open-data package (`reports/<dataset>/<period>/datasets/`) with the tools its users
have: `frictionless validate` (Frictionless Data Package and Table Schema), GDAL through pyogrio (the
GeoPackage, the GeoJSON, and the GeoParquet where the GDAL build has the Parquet driver), geopandas and
pyarrow (the GeoParquet and its `geo` metadata), SQLite (the GeoPackage's integrity), sha256 (SHA256SUMS).
Then the formats are compared with each other: same areas, same values, same geometries.

Usage: check_package.py DATASETS_DIR   (exit status 1 on any failure; every check is printed)
"""

import hashlib
import json
import logging
import math
import sqlite3
import subprocess
import sys
import warnings
from pathlib import Path

import frictionless
import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyogrio
from shapely.geometry import MultiPolygon

EXPECTED = {
    "indicators.csv",
    "indicators_excel-fr.csv",
    "qpv_indicators.geojson",
    "qpv_indicators.parquet",
    "qpv_indicators.gpkg",
    "programme.csv",
    "ifn_ranks.csv",
    "targets.csv",
    "datapackage.json",
    "README.md",
    "LICENSE",
    "SHA256SUMS",
}

failures = []
passed = 0


def check(ok, what, detail=""):
    global passed
    if ok:
        passed += 1
        print(f"  ok    {what}")
    else:
        failures.append(what)
        print(f"  FAIL  {what} {detail}")


class GdalLog(logging.Handler):
    """Collects what GDAL says through pyogrio (warnings about a non-conforming file among them)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.records = []

    def emit(self, record):
        self.records.append(record.getMessage())


def main(folder: Path) -> int:
    gdal_log = GdalLog()
    logging.getLogger("pyogrio").addHandler(gdal_log)
    warnings.simplefilter("error", RuntimeWarning)
    print(f"package: {folder}")
    print(f"tools: frictionless {frictionless.__version__}, GDAL {pyogrio.__gdal_version_string__} "
          f"(pyogrio {pyogrio.__version__}), geopandas {gpd.__version__}, pyarrow {pa.__version__}")

    print("== files")
    names = {p.name for p in folder.iterdir()}
    check(names == EXPECTED, "the folder holds exactly the package's files", sorted(names ^ EXPECTED))
    sums = {}
    for line in (folder / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ", 1)
        sums[name] = digest
    check(list(sums) == sorted(sums), "SHA256SUMS is sorted")
    check(set(sums) == EXPECTED - {"SHA256SUMS"}, "SHA256SUMS lists every other file")
    bad = [n for n, d in sums.items() if hashlib.sha256((folder / n).read_bytes()).hexdigest() != d]
    check(not bad, "every SHA-256 matches", bad)

    print("== frictionless validate datapackage.json")
    run = subprocess.run(["frictionless", "validate", "datapackage.json"], cwd=folder,
                         capture_output=True, text=True)
    print(run.stdout.rstrip())
    if run.stderr.strip():
        print(run.stderr.rstrip())
    check(run.returncode == 0, "frictionless validate exits 0")
    report = frictionless.validate(str(folder / "datapackage.json"))
    check(report.valid, "frictionless report is valid", report.flatten(["type", "message"]))
    tasks = {t.name: t for t in report.tasks}
    resources = {"indicators", "indicators-excel-fr", "qpv-indicators-geojson", "qpv-indicators-geoparquet",
                 "qpv-indicators-gpkg", "programme", "ifn-ranks", "targets"}
    check(set(tasks) == resources, "every resource validated (8)", sorted(set(tasks) ^ resources))
    package = json.loads((folder / "datapackage.json").read_text())
    paths = [r["path"] for r in package["resources"]]
    check(all("/" not in p and ".." not in p for p in paths), "every resource path is inside the folder", paths)
    check(package["licenses"][0]["name"] == "etalab-2.0", "licence etalab-2.0")

    csv = pd.read_csv(folder / "indicators.csv", dtype=str, keep_default_na=False)
    excel = pd.read_csv(folder / "indicators_excel-fr.csv", sep=";", dtype=str, keep_default_na=False,
                        encoding="utf-8-sig")
    check(tasks["indicators"].stats["rows"] == len(csv), "frictionless read every CSV row")
    check(list(excel.columns) == list(csv.columns) and len(excel) == len(csv), "the Excel twin has the same shape")
    check((folder / "indicators_excel-fr.csv").read_bytes().startswith(b"\xef\xbb\xbf"), "the Excel twin has a BOM")
    check(not (folder / "indicators.csv").read_bytes().startswith(b"\xef\xbb\xbf"), "the Etalab CSV has no BOM")
    qpv = csv[csv["area_type"] == "qpv"].reset_index(drop=True)
    codes = list(qpv["area_code"])

    print("== GeoJSON (GDAL)")
    info = pyogrio.read_info(folder / "qpv_indicators.geojson")
    check(info["driver"] == "GeoJSON" and info["features"] == len(qpv), "GDAL opens it, one feature per QPV",
          (info["driver"], info["features"]))
    check(info["crs"] in ("EPSG:4326", "OGC:CRS84"), "WGS84", info["crs"])
    geojson = gpd.read_file(folder / "qpv_indicators.geojson", engine="pyogrio")
    check(list(geojson["area_code"]) == codes, "same QPV in the same order as the CSV")

    print("== GeoParquet (pyarrow, geopandas)")
    pf = pq.ParquetFile(folder / "qpv_indicators.parquet")
    geo = json.loads(pf.metadata.metadata[b"geo"])
    column = geo["columns"][geo["primary_column"]]
    print(f"  geo = {json.dumps(geo)}")
    check(geo["version"] in ("1.0.0", "1.1.0") and column["encoding"] == "WKB", "geo metadata: version, WKB")
    check(column["geometry_types"] == ["MultiPolygon"], "geo metadata: geometry types")
    check(pf.schema_arrow.field("geometry").type == pa.binary(), "geometry column is Arrow binary (WKB)",
          pf.schema_arrow.field("geometry").type)
    check(pf.schema_arrow.metadata is not None and b"geo" in pf.schema_arrow.metadata,
          "geo metadata visible in the Arrow schema too")
    parquet = gpd.read_parquet(folder / "qpv_indicators.parquet")
    check(parquet.crs is not None and parquet.crs.equals("OGC:CRS84"), "CRS OGC:CRS84 (WGS84 lon/lat)", parquet.crs)
    check(list(parquet["area_code"]) == codes, "same QPV in the same order as the CSV")
    check(bool(parquet.is_valid.all()) and set(parquet.geom_type) == {"MultiPolygon"}, "valid MultiPolygons")
    bounds = [round(v, 6) for v in parquet.total_bounds]
    check(bounds == column["bbox"], "geo bbox = the geometries' bounds", (bounds, column["bbox"]))
    if "Parquet" in pyogrio.list_drivers():
        gdal_parquet = pyogrio.read_dataframe(folder / "qpv_indicators.parquet")
        check(list(gdal_parquet["area_code"]) == codes, "GDAL's Parquet driver opens it as a layer")
    else:
        print("  note  this GDAL build has no Parquet driver (pyogrio's wheels are built without Arrow): "
              "the GeoParquet is read by geopandas/pyarrow, its geometries compared with GDAL's below")

    print("== GeoPackage (GDAL, SQLite)")
    gpkg = folder / "qpv_indicators.gpkg"
    head = gpkg.read_bytes()[:100]
    check(head[:16] == b"SQLite format 3\x00" and head[68:72] == b"GPKG", "SQLite file, application_id GPKG")
    check(int.from_bytes(head[60:64], "big") == 10400, "user_version 10400 (GeoPackage 1.4)")
    with sqlite3.connect(f"file:{gpkg}?mode=ro", uri=True) as db:
        check(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "SQLite integrity_check ok")
        check(db.execute("PRAGMA foreign_key_check").fetchall() == [], "no foreign-key violation")
        srs = {r[0] for r in db.execute("SELECT srs_id FROM gpkg_spatial_ref_sys")}
        check({4326, 0, -1} <= srs, "gpkg_spatial_ref_sys has the required rows", srs)
        contents = dict(db.execute("SELECT table_name, data_type FROM gpkg_contents").fetchall())
        check(contents == {"qpv_indicators": "features", "indicators": "attributes"}, "gpkg_contents", contents)
    layers = {name: kind for name, kind in pyogrio.list_layers(gpkg)}
    check(layers == {"qpv_indicators": "MultiPolygon", "indicators": None}, "GDAL lists the layers", layers)
    info = pyogrio.read_info(gpkg, layer="qpv_indicators")
    check(info["driver"] == "GPKG" and info["crs"] == "EPSG:4326" and info["features"] == len(qpv),
          "GDAL opens the QPV layer (GPKG, EPSG:4326)", (info["driver"], info["crs"], info["features"]))
    features = gpd.read_file(gpkg, layer="qpv_indicators", engine="pyogrio")
    attributes = pyogrio.read_dataframe(gpkg, layer="indicators", read_geometry=False)
    check(list(features["area_code"]) == codes, "same QPV in the same order as the CSV")
    check(list(attributes["area_code"]) == list(csv["area_code"]), "the attribute table has every area")

    print("== the formats agree")
    # The GeoJSON writes a one-part contour as a Polygon, the other formats always as a MultiPolygon.
    as_multi = geojson.geometry.apply(lambda g: MultiPolygon([g]) if g.geom_type == "Polygon" else g)
    same = [
        ("GeoJSON", gpd.GeoSeries(list(as_multi), crs=None)),
        ("GeoPackage", features.geometry.set_crs(None, allow_override=True)),
    ]
    for name, geoms in same:
        eq = geoms.geom_equals_exact(parquet.geometry.set_crs(None, allow_override=True), tolerance=0)
        check(bool(eq.all()), f"{name} and GeoParquet geometries are identical")
    mismatches = []
    for col in csv.columns:
        for i, code in enumerate(codes):
            text = qpv.at[i, col]
            for name, frame in (("GeoParquet", parquet), ("GeoPackage", features), ("GeoJSON", geojson)):
                value = frame.at[i, col]
                if text == "":
                    ok = value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value)
                elif isinstance(value, (bool,)) or str(value) in ("True", "False"):
                    ok = str(value).lower() == text
                else:
                    try:
                        ok = math.isclose(float(value), float(text), rel_tol=0, abs_tol=1e-9)
                    except (TypeError, ValueError):
                        ok = str(value) == text
                if not ok:
                    mismatches.append(f"{name} {code} {col}: {value!r} vs CSV {text!r}")
    check(not mismatches, "every QPV value is the CSV's in the three geographic files", mismatches[:5])
    check(not gdal_log.records, "GDAL raised no warning", gdal_log.records[:5])

    print(f"package check: {'FAILED' if failures else 'OK'} ({passed} checks ok, {len(failures)} failing)")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(Path(sys.argv[1])))
