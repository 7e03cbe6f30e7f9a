"""Writes the small spatial fixture of tests/fixtures/spatial/ (deterministic: fixed seed, plain json/csv).

Lambert-93 (EPSG:2154, declared by a legacy `crs` member) near Strasbourg. Made to hold the edge cases:
- zones.geojson (point in polygon): touching squares (shared edges, a vertex shared by four zones), a
  square with a hole and an island zone inside the hole, a two-part multipolygon, an irregular star
  with non-integer vertices; features deliberately not in id order (the lowest *file* index wins);
- points.csv: random points, points exactly on shared edges and vertices, on hole edges, in the hole,
  in the island, on star vertices, outside every zone, one row without coordinates;
- sources.geojson (IRIS-like): a 4 x 4 tiling of perturbed quadrilaterals (shared vertices, non-integer
  coordinates), one with a hole filled by an island source, values `pop` (count) and `rate`;
- targets.geojson (QPV-like, not overlapping): an irregular star, a square with a hole, a two-part
  multipolygon, a 5 cm sliver built on a shared source edge, a rectangle partly outside every source.

Run: benches/python/.venv/bin/python benches/python/make_spatial_fixture.py (then reference.py).
"""

import json
import math
import random
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "spatial"
X0, Y0 = 1_048_000.0, 6_838_000.0
CRS = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2154"}}
rng = random.Random(20261201)


def at(x, y):
    return [X0 + x, Y0 + y]


def ring(points):
    r = [at(x, y) for x, y in points]
    return r + [r[0]]


def square(x0, y0, x1, y1):
    return ring([(x0, y0), (x1, y0), (x1, y1), (x0, y1)])


def star(cx, cy, r, n):
    angles = sorted(rng.uniform(0, 2 * math.pi) for _ in range(n))
    return ring([(cx + k * math.cos(a), cy + k * math.sin(a)) for a in angles for k in [rng.uniform(0.6, 1.0) * r]])


def feature(props, coords, multi=False):
    kind = "MultiPolygon" if multi else "Polygon"
    return {"type": "Feature", "properties": props, "geometry": {"type": kind, "coordinates": coords}}


def write_fc(name, features):
    text = json.dumps({"type": "FeatureCollection", "crs": CRS, "features": features}, indent=None)
    (OUT / name).write_text(text + "\n")


def zones():
    star_ring = star(700.0, 700.0, 150.0, 14)
    feats = [
        feature({"code": "QN06704M"}, [[square(200, 200, 400, 400)], [square(1000, 0, 1100, 100)]], multi=True),
        feature({"code": "QN06702M"}, [square(200, 0, 400, 200)]),
        feature({"code": "QN06701M"}, [square(0, 0, 200, 200), square(80, 80, 120, 120)]),
        feature({"code": "QN06703M"}, [square(0, 200, 200, 400)]),
        feature({"code": "QN06706M"}, [square(90, 90, 110, 110)]),
        feature({"code": "QN06705M"}, [star_ring]),
    ]
    write_fc("zones.geojson", feats)
    return star_ring


def points(star_ring):
    rows = []
    for _ in range(400):
        rows.append((rng.uniform(-50, 1150), rng.uniform(-50, 900)))
    exact = [
        (200, 50), (100, 200), (300, 200), (200, 300), (200, 200), (0, 0), (400, 400), (200, 0),
        (80, 100), (80, 80), (120, 90), (85, 85), (100, 100), (90, 100), (110, 110), (1000, 50), (1100, 100),
        (1050, 50), (500, 500), (-10, -10),
    ]
    rows.extend(exact)
    rows.extend((x - X0, y - Y0) for x, y in star_ring[:5])
    lines = ["id,x,y,kind"]
    for i, (x, y) in enumerate(rows):
        lines.append(f"P{i:04d},{X0 + x!r},{Y0 + y!r},{'ab'[i % 2]}")
    lines.append(f"P{len(rows):04d},,,a")
    (OUT / "points.csv").write_text("\n".join(lines) + "\n")


def sources_and_targets():
    n, size = 4, 250.0
    # Interior vertices perturbed; the outer boundary stays on the square [0, 1000]^2.
    v = {}
    for i in range(n + 1):
        for j in range(n + 1):
            x, y = i * size, j * size
            if 0 < i < n:
                x += rng.uniform(-20, 20)
            if 0 < j < n:
                y += rng.uniform(-20, 20)
            v[i, j] = (x, y)
    feats = []
    for i in range(n):
        for j in range(n):
            quad = ring([v[i, j], v[i + 1, j], v[i + 1, j + 1], v[i, j + 1]])
            rings = [quad]
            code = f"6748201{i}{j}"
            if (i, j) == (1, 1):
                cx, cy = (v[1, 1][0] + v[2, 2][0]) / 2, (v[1, 1][1] + v[2, 2][1]) / 2
                rings.append(ring([(cx - 30.5, cy - 30.5), (cx + 30.5, cy - 30.5), (cx + 30.5, cy + 30.5), (cx - 30.5, cy + 30.5)]))
                feats.append(feature({"code": "674820199", "pop": 321, "rate": 0.875}, [rings[1]]))
            feats.append(feature({"code": code, "pop": rng.randint(100, 3000), "rate": round(rng.uniform(0, 1), 3)}, rings))
    write_fc("sources.geojson", feats)
    # Targets: no two overlap.
    a, b = v[3, 2], v[3, 3]
    sliver = ring([a, (a[0] + 0.05, a[1]), (b[0] + 0.05, b[1]), b])
    targets = [
        feature({"qp": "QP067003"}, [[square(100, 800, 200, 880)], [square(600, 820, 680, 900)]], multi=True),
        feature({"qp": "QP067001"}, [star(400.0, 400.0, 300.0, 20)]),
        feature({"qp": "QP067002"}, [square(750, 50, 950, 250), square(800, 100, 900, 200)]),
        feature({"qp": "QP067004"}, [sliver]),
        feature({"qp": "QP067005"}, [square(950, 300, 1100, 450)]),
    ]
    write_fc("targets.geojson", targets)


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    points(zones())
    sources_and_targets()
    print(f"wrote the fixture into {OUT}")
