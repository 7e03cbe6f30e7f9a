"""Expected answers of the spatial engine on tests/fixtures/spatial/, computed with geopandas, shapely
and tobler (float64, GEOS), written to tests/fixtures/spatial/expected_*.csv and compared by
tests/integration/interpolate.rs and join.rs within 1e-9 relative.

- expected_counts.csv / expected_counts_by_kind.csv: points per zone, `gpd.sjoin(predicate="intersects")`
  (zones are closed), a point in several zones (on a shared edge or vertex) kept in the zone of lowest
  index in the file: fracture's boundary rule. Every zone listed, 0 included, sorted by code.
- expected_interpolate.csv: `pop` (extensive: each source's value times the share of its area in the
  target, tobler's `allocate_total=False`) and `rate` (intensive: mean over the sources weighted by
  the overlap areas, tobler's definition), plus the uncertainty (share of a target's `pop` coming from
  sources not wholly inside it), sorted by target id — computed from the float64 overlay below.
  tobler's `area_interpolate` gives the same within 1e-6 only: it stores its area table as float32
  (`coo_matrix(..., dtype=np.float32)` in tobler 0.13), so it is checked here, not used as the reference.
- expected_weights.csv: the overlap table from `gpd.overlay(how="intersection")`: share of the source's
  area, share of the target's area, sorted by source then target.

Run: bash benches/python/setup_venv.sh && benches/python/.venv/bin/python benches/python/reference.py
"""

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from tobler.area_weighted import area_interpolate

FIX = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "spatial"


def counts():
    zones = gpd.read_file(FIX / "zones.geojson")
    assert zones.crs.to_epsg() == 2154, zones.crs
    zones["zone_index"] = np.arange(len(zones))
    pts = pd.read_csv(FIX / "points.csv", dtype={"id": str, "kind": str})
    pts = pts.dropna(subset=["x", "y"])
    pts = gpd.GeoDataFrame(pts, geometry=gpd.points_from_xy(pts.x, pts.y), crs=zones.crs)
    joined = gpd.sjoin(pts, zones[["code", "zone_index", "geometry"]], how="inner", predicate="intersects")
    first = joined.sort_values("zone_index").groupby("id", sort=False).head(1)
    per_zone = first.groupby("code").size()
    out = pd.DataFrame({"code": sorted(zones.code)})
    out["count"] = [int(per_zone.get(c, 0)) for c in out.code]
    out.to_csv(FIX / "expected_counts.csv", index=False)
    kinds = sorted(pts.kind.unique())
    by = first.groupby(["code", "kind"]).size()
    rows = [(c, k, int(by.get((c, k), 0))) for c in sorted(zones.code) for k in kinds]
    pd.DataFrame(rows, columns=["code", "kind", "count"]).to_csv(FIX / "expected_counts_by_kind.csv", index=False)
    print(f"counts: {len(pts)} points, {len(first)} in a zone, {int((joined.groupby('id').size() > 1).sum())} on shared boundaries")


def interpolation():
    src = gpd.read_file(FIX / "sources.geojson")
    tgt = gpd.read_file(FIX / "targets.geojson")
    assert src.crs.to_epsg() == 2154 and tgt.crs.to_epsg() == 2154
    est = area_interpolate(src, tgt, extensive_variables=["pop"], intensive_variables=["rate"], allocate_total=False)
    est["qp"] = tgt["qp"].values
    ov = gpd.overlay(src[["code", "geometry"]], tgt[["qp", "geometry"]], how="intersection", keep_geom_type=True)
    ov["area"] = ov.geometry.area
    ov = ov[ov.area > 0]
    src_area = dict(zip(src.code, src.geometry.area))
    tgt_area = dict(zip(tgt.qp, tgt.geometry.area))
    src_pop = dict(zip(src.code, src["pop"]))
    ov["share_of_source"] = ov.area / ov.code.map(src_area)
    ov["share_of_target"] = ov.area / ov.qp.map(tgt_area)
    ov = ov.sort_values(["code", "qp"])
    ov[["code", "qp", "share_of_source", "share_of_target"]].to_csv(
        FIX / "expected_weights.csv", index=False, float_format="%.17g"
    )
    ov["part"] = ov.code.map(src_pop) * ov.share_of_source
    ov["rate_area"] = ov.code.map(dict(zip(src.code, src["rate"]))) * ov.area
    cut = ov[ov.share_of_source < 1 - 1e-9].groupby("qp").part.sum()
    g = ov.groupby("qp")
    out = pd.DataFrame({"qp": sorted(tgt.qp)})
    out["pop"] = [float(g.part.sum().get(q, 0.0)) for q in out.qp]
    out["rate"] = [float(g.rate_area.sum()[q] / g.area.sum()[q]) if q in g.groups else float("nan") for q in out.qp]
    out["uncertainty"] = [float(cut.get(q, 0.0) / p) if p else 0.0 for q, p in zip(out.qp, out["pop"])]
    out.to_csv(FIX / "expected_interpolate.csv", index=False, float_format="%.17g")
    # tobler, float32 tables: the same answer to 1e-6.
    est = est.set_index("qp").loc[out.qp]
    for v in ["pop", "rate"]:
        rel = np.max(np.abs(est[v].values - out[v].values) / np.maximum(np.abs(out[v].values), 1e-300))
        assert rel < 1e-6, (v, rel)
        print(f"tobler area_interpolate {v}: max relative difference {rel:.1e} (float32 area table)")
    print(f"interpolation: {len(src)} sources, {len(tgt)} targets, {len(ov)} overlaps; pop in targets {out['pop'].sum()!r}")


if __name__ == "__main__":
    counts()
    interpolation()
