//! Stage `join`, on hand-made Lambert-93 geometries: point in polygon through [`ZoneIndex`] (holes,
//! vertices and edges, multipolygon parts, points outside every zone, ties on a shared edge, and a
//! brute-force comparison with `geo::Contains` on random points) and the IRIS → QPV areal weights
//! (each IRIS's QPV weights sum to at most 1, and with the outside part to exactly 1; each weight is the
//! share of the IRIS's area, checked against `geo`'s overlay).

use fracture::ingest::{Iris, Qpv};
use fracture::join::areal::{Weight, weights};
use fracture::spatial::index::ZoneIndex;
use geo::{Area, BoundingRect, Contains, Coord, LineString, MultiPolygon, Point, Polygon};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn ring(points: &[(f64, f64)]) -> LineString<f64> {
    let mut v: Vec<Coord<f64>> = points.iter().map(|&(x, y)| Coord { x, y }).collect();
    v.push(v[0]);
    LineString(v)
}

fn rect_ring(x0: f64, y0: f64, x1: f64, y1: f64) -> LineString<f64> {
    ring(&[(x0, y0), (x1, y0), (x1, y1), (x0, y1)])
}

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
    MultiPolygon(vec![Polygon::new(rect_ring(x0, y0, x1, y1), vec![])])
}

fn iris(code: &str, g: MultiPolygon<f64>) -> Iris {
    Iris {
        code: code.into(),
        name: String::new(),
        commune: code[..5].into(),
        kind: None,
        area_m2: g.unsigned_area(),
        geometry: g,
    }
}

fn qpv(code: &str, g: MultiPolygon<f64>) -> Qpv {
    Qpv::bare(code, g)
}

/// Zone 0: a 100 m square with a 40 m hole; zone 1: two separate squares (a two-part multipolygon);
/// zone 2: an L shape whose bounding box covers ground it does not.
fn zones() -> Vec<MultiPolygon<f64>> {
    vec![
        MultiPolygon(vec![Polygon::new(
            rect_ring(0.0, 0.0, 100.0, 100.0),
            vec![rect_ring(30.0, 30.0, 70.0, 70.0)],
        )]),
        MultiPolygon(vec![
            Polygon::new(rect_ring(200.0, 0.0, 300.0, 100.0), vec![]),
            Polygon::new(rect_ring(1000.0, 1000.0, 1050.0, 1050.0), vec![]),
        ]),
        MultiPolygon(vec![Polygon::new(
            ring(&[(0.0, 200.0), (100.0, 200.0), (100.0, 220.0), (20.0, 220.0), (20.0, 300.0), (0.0, 300.0)]),
            vec![],
        )]),
    ]
}

#[test]
fn a_point_in_a_hole_is_outside_its_zone() {
    let z = zones();
    let idx = ZoneIndex::new(z.iter().collect());
    assert_eq!(idx.locate(50.0, 50.0), None, "centre of the hole");
    assert_eq!(idx.locate(31.0, 69.0), None, "corner of the hole, inside it");
    assert_eq!(idx.locate(29.0, 50.0), Some(0), "just outside the hole");
}

#[test]
fn a_point_on_a_vertex_or_an_edge_is_inside() {
    let z = zones();
    let idx = ZoneIndex::new(z.iter().collect());
    assert_eq!(idx.locate(0.0, 0.0), Some(0), "outer vertex");
    assert_eq!(idx.locate(100.0, 40.0), Some(0), "outer edge");
    assert_eq!(idx.locate(30.0, 30.0), Some(0), "vertex of the hole");
    assert_eq!(idx.locate(50.0, 70.0), Some(0), "edge of the hole");
    assert_eq!(idx.locate(20.0, 260.0), Some(2), "edge of the L's upright");
    assert_eq!(idx.locate(100.0, 220.0), Some(2), "vertex of the L");
}

#[test]
fn a_point_in_the_second_part_of_a_multipolygon_is_found() {
    let z = zones();
    let idx = ZoneIndex::new(z.iter().collect());
    assert_eq!(idx.locate(250.0, 50.0), Some(1), "first part");
    assert_eq!(idx.locate(1025.0, 1025.0), Some(1), "second part");
    assert_eq!(idx.locate(600.0, 500.0), None, "between the two parts");
}

#[test]
fn a_point_outside_every_zone_or_only_in_a_bounding_box_is_none() {
    let z = zones();
    let idx = ZoneIndex::new(z.iter().collect());
    assert_eq!(idx.locate(60.0, 260.0), None, "in the L's bounding box, outside the L");
    assert_eq!(idx.locate(150.0, 50.0), None, "between two zones");
    assert_eq!(idx.locate(-1.0, -1.0), None);
    assert_eq!(idx.locate(1e7, 1e7), None);
    let empty = ZoneIndex::new(vec![]);
    assert_eq!(empty.locate(0.0, 0.0), None, "no zone at all");
}

#[test]
fn a_point_on_an_edge_shared_by_two_zones_goes_to_the_lowest_index() {
    let (a, b) = (rect(0.0, 0.0, 10.0, 10.0), rect(10.0, 0.0, 20.0, 10.0));
    assert_eq!(ZoneIndex::new(vec![&a, &b]).locate(10.0, 5.0), Some(0));
    assert_eq!(ZoneIndex::new(vec![&b, &a]).locate(10.0, 5.0), Some(0));
    assert_eq!(ZoneIndex::new(vec![&b, &a]).locate(15.0, 5.0), Some(0));
    assert_eq!(ZoneIndex::new(vec![&b, &a]).locate(5.0, 5.0), Some(1));
}

/// A random star-shaped ring around (cx, cy) of radius about r: simple (never self-intersecting).
fn star(rng: &mut ChaCha8Rng, cx: f64, cy: f64, r: f64) -> LineString<f64> {
    let n = rng.random_range(3..12);
    let mut angles: Vec<f64> = (0..n).map(|_| rng.random_range(0.0..std::f64::consts::TAU)).collect();
    angles.sort_by(f64::total_cmp);
    angles.dedup();
    let pts: Vec<(f64, f64)> = angles
        .iter()
        .map(|a| {
            let k = rng.random_range(0.4..1.0) * r;
            (cx + k * a.cos(), cy + k * a.sin())
        })
        .collect();
    ring(&pts)
}

/// Property: on random zones (one per cell of a grid, so they never overlap: star polygons, some with a
/// square hole, some with a second part in another cell), `locate` gives the zone `geo::Contains` finds by
/// brute force, for thousands of random points (boundaries have measure zero and are left to the cases above).
#[test]
fn locate_agrees_with_geo_contains_on_random_points() {
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let (mut inside, mut outside) = (0, 0);
    for round in 0..20 {
        let cells = 6;
        let size = 100.0;
        let mut free: Vec<(usize, usize)> =
            (0..cells).flat_map(|i| (0..cells).map(move |j| (i, j))).collect();
        free.shuffle(&mut rng);
        let mut zones = Vec::new();
        while free.len() >= 2 && zones.len() < 12 {
            let (i, j) = free.pop().unwrap();
            let (cx, cy) = ((i as f64 + 0.5) * size, (j as f64 + 0.5) * size);
            let holes = if rng.random_bool(0.3) {
                vec![rect_ring(cx - 5.0, cy - 5.0, cx + 5.0, cy + 5.0)]
            } else {
                vec![]
            };
            let outer = if holes.is_empty() {
                star(&mut rng, cx, cy, size / 2.0)
            } else {
                rect_ring(cx - 40.0, cy - 40.0, cx + 40.0, cy + 40.0)
            };
            let mut parts = vec![Polygon::new(outer, holes)];
            if rng.random_bool(0.3) {
                let (i2, j2) = free.pop().unwrap();
                let (cx2, cy2) = ((i2 as f64 + 0.5) * size, (j2 as f64 + 0.5) * size);
                parts.push(Polygon::new(star(&mut rng, cx2, cy2, size / 2.0), vec![]));
            }
            zones.push(MultiPolygon(parts));
        }
        let idx = ZoneIndex::new(zones.iter().collect());
        for _ in 0..500 {
            let (x, y) = (rng.random_range(-20.0..620.0), rng.random_range(-20.0..620.0));
            let p = Point::new(x, y);
            let expected = zones.iter().position(|z| z.contains(&p));
            assert_eq!(idx.locate(x, y), expected, "round {round}: ({x}, {y})");
            if expected.is_some() { inside += 1 } else { outside += 1 }
        }
    }
    assert!(inside > 1000 && outside > 1000, "{inside} points in a zone, {outside} outside");
}

/// Area of the intersection of two unions of disjoint axis-aligned rectangles.
fn rect_overlap(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> f64 {
    let mut sum = 0.0;
    for p in &a.0 {
        for q in &b.0 {
            let (r, s) = (p.bounding_rect().unwrap(), q.bounding_rect().unwrap());
            let dx = r.max().x.min(s.max().x) - r.min().x.max(s.min().x);
            let dy = r.max().y.min(s.max().y) - r.min().y.max(s.min().y);
            sum += dx.max(0.0) * dy.max(0.0);
        }
    }
    sum
}

fn sums(w: &[Weight], n: usize) -> Vec<(f64, f64)> {
    (0..n)
        .map(|i| {
            let of = |qpv_only: bool| -> f64 {
                w.iter().filter(|x| x.iris == i && (!qpv_only || x.qpv.is_some())).map(|x| x.weight).sum()
            };
            (of(true), of(false))
        })
        .collect()
}

#[test]
fn iris_fully_inside_fully_outside_or_empty() {
    let i = vec![
        iris("990010101", rect(10.0, 10.0, 20.0, 20.0)),
        iris("990010102", rect(500.0, 500.0, 600.0, 600.0)),
        iris("990010103", MultiPolygon(vec![])),
    ];
    let q = vec![qpv("QN99901M", rect(0.0, 0.0, 100.0, 100.0))];
    let w = weights(&i, &q);
    assert_eq!(
        w,
        vec![Weight { iris: 0, qpv: Some(0), weight: 1.0 }, Weight { iris: 1, qpv: None, weight: 1.0 },],
        "an IRIS without area gets no weight"
    );
}

#[test]
fn a_sliver_is_kept_however_small() {
    // The QPV misses a 5 mm strip of a 100 m square: 0.005 % of the IRIS stays outside QPV, and a
    // second QPV holds a 1 mm strip (0.001 %) of it. Neither is dropped (the old 1e-4 floor is gone).
    let i = vec![iris("990010101", rect(0.0, 0.0, 100.0, 100.0))];
    let q = vec![
        qpv("QN99901M", rect(0.005, -10.0, 110.0, 110.0)),
        qpv("QN99902M", rect(-5.0, -10.0, 0.001, 110.0)),
    ];
    let w = weights(&i, &q);
    assert_eq!(w.len(), 3, "{w:?}");
    let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
    assert!(w[0].qpv == Some(0) && close(w[0].weight, 0.99995), "{w:?}");
    assert!(w[1].qpv == Some(1) && close(w[1].weight, 0.00001), "{w:?}");
    assert!(w[2].qpv.is_none() && close(w[2].weight, 0.00004), "{w:?}");
}

#[test]
fn an_iris_with_a_hole_and_two_qpv_is_shared_by_area() {
    // IRIS: 100 × 100 with a 20 × 20 hole (area 9 600). QPV 0 covers its left half including half of the
    // hole (4 800 m² of IRIS); QPV 1 a 10 m strip on the right (1 000 m²).
    let hole = rect_ring(40.0, 40.0, 60.0, 60.0);
    let i = vec![iris(
        "990010101",
        MultiPolygon(vec![Polygon::new(rect_ring(0.0, 0.0, 100.0, 100.0), vec![hole])]),
    )];
    let q =
        vec![qpv("QN99901M", rect(-5.0, -5.0, 50.0, 105.0)), qpv("QN99902M", rect(90.0, -5.0, 120.0, 105.0))];
    let w = weights(&i, &q);
    assert_eq!(w.len(), 3);
    let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
    assert!(w[0].qpv == Some(0) && close(w[0].weight, 4800.0 / 9600.0), "{w:?}");
    assert!(w[1].qpv == Some(1) && close(w[1].weight, 1000.0 / 9600.0), "{w:?}");
    assert!(w[2].qpv.is_none() && close(w[2].weight, 3800.0 / 9600.0), "{w:?}");
}

/// Property: on random IRIS tilings and random non-overlapping QPV (some of two parts), the QPV weights
/// of every IRIS sum to at most 1, all its weights to 1, and every weight equals
/// `area(iris ∩ qpv) / area(iris)` computed by hand (rectangles: the product of the overlaps on each
/// axis) to 1e-12; every overlap of positive area is listed. (geo's `BooleanOps` would be off by up to
/// 1e-8 here: it snaps to a grid.)
#[test]
fn weights_per_iris_sum_to_at_most_one_and_match_geo_overlays() {
    let mut rng = ChaCha8Rng::seed_from_u64(75);
    for round in 0..25 {
        let n = rng.random_range(2..5);
        let s = 100.0;
        let mut tiles = Vec::new();
        for a in 0..n {
            for b in 0..n {
                let (x, y) = (a as f64 * s, b as f64 * s);
                tiles.push(iris(&format!("99001{a:02}{b:02}"), rect(x, y, x + s, y + s)));
            }
        }
        // QPV on distinct horizontal bands, so that they never overlap.
        let bands = rng.random_range(1..4);
        let band = n as f64 * s / bands as f64;
        let mut zones = Vec::new();
        for k in 0..bands {
            let y0 = k as f64 * band + rng.random_range(0.0..band / 4.0);
            let h = rng.random_range(band / 8.0..band / 2.0);
            let x0 = rng.random_range(-20.0..n as f64 * s / 2.0);
            let w = rng.random_range(10.0..n as f64 * s);
            let mut g = rect(x0, y0, x0 + w, y0 + h);
            if rng.random_bool(0.4) {
                g.0.push(Polygon::new(rect_ring(x0, y0 + h + 5.0, x0 + w / 3.0, y0 + h + 15.0), vec![]));
            }
            zones.push(qpv(&format!("QN999{k:02}M"), g));
        }
        let w = weights(&tiles, &zones);
        for (i, (in_qpv, all)) in sums(&w, tiles.len()).into_iter().enumerate() {
            assert!(in_qpv <= 1.0 + 1e-12, "round {round}, IRIS {i}: QPV weights sum to {in_qpv}");
            assert!((all - 1.0).abs() < 1e-9, "round {round}, IRIS {i}: weights sum to {all}");
        }
        for x in &w {
            assert!(x.weight > 0.0 && x.weight <= 1.0 + 1e-12, "round {round}: {x:?}");
            if let Some(q) = x.qpv {
                let t = &tiles[x.iris];
                let share = rect_overlap(&t.geometry, &zones[q].geometry) / t.area_m2;
                assert!((x.weight - share).abs() < 1e-12, "round {round}: {x:?} vs {share}");
            }
        }
        for (i, t) in tiles.iter().enumerate() {
            for (q, z) in zones.iter().enumerate() {
                let share = rect_overlap(&t.geometry, &z.geometry) / t.area_m2;
                let listed = w.iter().any(|x| x.iris == i && x.qpv == Some(q));
                assert!(listed || share == 0.0, "round {round}: IRIS {i} ∩ QPV {q} = {share} missing");
            }
        }
    }
}

/// Property: the boundary rule on a tiling. Random points on the grid lines and vertices of a tiling of
/// squares (every point on an edge or vertex shared by 2 or 4 zones), plus random points anywhere; the
/// index gives the lowest zone index whose closure holds the point (the naive check: every zone,
/// `geo::Intersects`, in order), whatever order the zones are given in.
#[test]
fn on_shared_edges_and_vertices_the_lowest_index_wins_against_a_naive_check() {
    use geo::Intersects;
    let mut rng = ChaCha8Rng::seed_from_u64(2027);
    for round in 0..10 {
        let n = 5;
        let mut tiles: Vec<MultiPolygon<f64>> = (0..n * n)
            .map(|k| {
                let (i, j) = ((k % n) as f64 * 10.0, (k / n) as f64 * 10.0);
                rect(i, j, i + 10.0, j + 10.0)
            })
            .collect();
        tiles.shuffle(&mut rng);
        let idx = ZoneIndex::new(tiles.iter().collect());
        let xs: Vec<f64> = (0..2000)
            .map(|k| match k % 3 {
                0 => rng.random_range(0..=n) as f64 * 10.0,
                1 => rng.random_range(0..=5 * n) as f64 * 2.0,
                _ => rng.random_range(-5.0..55.0),
            })
            .collect();
        let ys: Vec<f64> = (0..2000)
            .map(|k| {
                if k % 2 == 0 { rng.random_range(0..=n) as f64 * 10.0 } else { rng.random_range(-5.0..55.0) }
            })
            .collect();
        let located = idx.locate_chunk(&xs, &ys);
        for k in 0..xs.len() {
            let p = Point::new(xs[k], ys[k]);
            let naive = tiles.iter().position(|t| t.intersects(&p)).map(|z| z as u32);
            assert_eq!(located[k], naive, "round {round}: ({}, {})", xs[k], ys[k]);
        }
    }
}

// ---- `fracture join --points` through the binary ----

use std::path::Path;

fn fracture(args: &[&str], dir: &Path) -> (i32, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_fracture"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run fracture");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn fixture(name: &str) -> String {
    crate::support::project_root().join("tests/fixtures/spatial").join(name).to_string_lossy().into_owned()
}

/// Counts per zone on the committed fixture (touching squares, a hole with an island, a two-part zone,
/// an irregular star; points on shared edges and vertices) equal geopandas' `sjoin` with the same
/// boundary rule (benches/python/reference.py), with and without `--by`.
#[test]
fn standalone_join_matches_the_geopandas_reference() {
    let tmp = crate::support::workdir();
    let out = tmp.path().join("counts.csv");
    let out_s = out.to_string_lossy().into_owned();
    let args = [
        "join",
        "--points",
        &fixture("points.csv"),
        "--zones",
        &fixture("zones.geojson"),
        "--zone-id",
        "code",
    ];
    let (code, err) = fracture(&[&args[..], &["--out", &out_s]].concat(), tmp.path());
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        std::fs::read_to_string(fixture("expected_counts.csv")).unwrap()
    );
    assert!(err.contains("426 points, 98 in the 6 zones"), "{err}");
    let (code, err) = fracture(&[&args[..], &["--by", "kind", "--out", &out_s]].concat(), tmp.path());
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        std::fs::read_to_string(fixture("expected_counts_by_kind.csv")).unwrap()
    );
}

/// A geocoder's output (longitude, latitude, codes with leading zeros) against zones in CRS84 without a
/// `crs` member: every row comes back with its zone, empty outside and without coordinates; zones
/// without a point are listed with 0; ids stay text.
#[test]
fn standalone_join_of_a_geocoder_csv_writes_each_row_with_its_zone() {
    let tmp = crate::support::workdir();
    let d = tmp.path();
    std::fs::write(
        d.join("zones.geojson"),
        r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"02A004"},"geometry":{"type":"Polygon","coordinates":[[[7.70,48.55],[7.75,48.55],[7.75,48.60],[7.70,48.60],[7.70,48.55]]]}},
{"type":"Feature","properties":{"id":"00100"},"geometry":{"type":"MultiPolygon","coordinates":[[[[7.75,48.55],[7.80,48.55],[7.80,48.60],[7.75,48.60],[7.75,48.55]]],[[[2.30,48.80],[2.40,48.80],[2.40,48.90],[2.30,48.90],[2.30,48.80]]]]}},
{"type":"Feature","properties":{"id":"99999"},"geometry":{"type":"Polygon","coordinates":[[[5.0,43.0],[5.1,43.0],[5.1,43.1],[5.0,43.0]]]}}]}"#,
    )
    .unwrap();
    std::fs::write(
        d.join("addresses.csv"),
        "adresse;longitude;latitude\n\"1 rue A; Strasbourg\";7,72;48,57\n2 rue B;7.78;48.58\n3 rue C;2.35;48.85\n\
         4 rue D;7.75;48.57\n5 rue E;;\n6 rue F;3.0;46.0\n",
    )
    .unwrap();
    let (code, err) = fracture(
        &[
            "join",
            "--points",
            "addresses.csv",
            "--zones",
            "zones.geojson",
            "--zone-id",
            "id",
            "--x",
            "longitude",
            "--y",
            "latitude",
            "--points-crs",
            "EPSG:4326",
            "--out",
            "out/counts.csv",
            "--out-points",
            "out/located.csv",
        ],
        d,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::read_to_string(d.join("out/counts.csv")).unwrap(),
        "id,count\n00100,2\n02A004,2\n99999,0\n"
    );
    // Row 4 lies on the edge the first two zones share (longitude 7.75): the lower file index, 02A004.
    assert_eq!(
        std::fs::read_to_string(d.join("out/located.csv")).unwrap(),
        "adresse,longitude,latitude,id\n1 rue A; Strasbourg,\"7,72\",\"48,57\",02A004\n2 rue B,7.78,48.58,00100\n\
         3 rue C,2.35,48.85,00100\n4 rue D,7.75,48.57,02A004\n5 rue E,,,\n6 rue F,3.0,46.0,\n",
        "{err}"
    );
    assert!(err.contains("6 points, 4 in the 3 zones, 1 outside every zone, 1 without coordinates"), "{err}");
}

/// Bad inputs exit with code 3 and say which file, where, which field and what was expected; nothing is
/// written under the output's name.
#[test]
fn standalone_join_rejects_bad_inputs_with_exit_code_3() {
    let tmp = crate::support::workdir();
    let d = tmp.path();
    // Lambert-93 metres in a file without a `crs` member (so CRS84).
    std::fs::write(
        d.join("l93.geojson"),
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"QN06701M"},"geometry":{"type":"Polygon","coordinates":[[[1048000,6838000],[1049000,6838000],[1049000,6839000],[1048000,6838000]]]}}]}"#,
    )
    .unwrap();
    std::fs::write(d.join("p.csv"), "x,y\n1048500,6838100\n1048500,abc\n2.35,48.85\n").unwrap();
    let (code, err) = fracture(
        &["join", "--points", "p.csv", "--zones", "l93.geojson", "--zone-id", "code", "--out", "c.csv"],
        d,
    );
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("l93.geojson")
            && err.contains("feature 0")
            && err.contains("look like Lambert-93 metres"),
        "{err}"
    );
    // Declared right, the zones pass; the points' bad rows are all listed.
    let (code, err) = fracture(
        &[
            "join",
            "--points",
            "p.csv",
            "--zones",
            "l93.geojson",
            "--zones-crs",
            "EPSG:2154",
            "--zone-id",
            "code",
            "--out",
            "c.csv",
        ],
        d,
    );
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("p.csv: 2 row problem(s)") && err.contains("line 3: y: expected a number"), "{err}");
    assert!(err.contains("line 4") && err.contains("look like degrees"), "{err}");
    assert!(!d.join("c.csv").exists());
    // A missing id property, a missing coordinate column.
    let (code, err) = fracture(
        &[
            "join",
            "--points",
            "p.csv",
            "--zones",
            "l93.geojson",
            "--zones-crs",
            "EPSG:2154",
            "--zone-id",
            "nope",
            "--x",
            "lon",
            "--out",
            "c.csv",
        ],
        d,
    );
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("properties.nope"), "{err}");
    // A usage error: --points without --zones.
    let (code, _) = fracture(&["join", "--points", "p.csv", "--out", "c.csv"], d);
    assert_eq!(code, 2);
}

/// `fracture join --dataset` still runs the pipeline's join stage.
#[test]
fn join_without_points_runs_the_dataset_join_stage() {
    let tmp = crate::support::workdir();
    let input = crate::support::demo_copy(tmp.path());
    let data = tmp.path().join("data");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_fracture"))
        .args(["join", "--dataset"])
        .arg(input.join("dataset.toml"))
        .arg("--data-dir")
        .arg(&data)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(data.join("interim/demo/iris_weights.parquet").exists());
}
