//! `fracture interpolate` and the overlay engine: the committed fixture against the float64 geopandas
//! reference (benches/python/reference.py) within 1e-9 relative, conservation of totals on random
//! zones (property), dasymetric weights from points, slivers and touching zones, bad inputs (exit 3).

use std::path::Path;

use fracture::spatial::overlay::{OverlayOptions, area_allocation, interpolate, overlay, point_allocation};
use geo::{Area, BooleanOps, Coord, LineString, MultiPolygon, Polygon};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::support::{project_root, read_csv, workdir};

fn fracture(args: &[&str], dir: &Path) -> (i32, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_fracture"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run fracture");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn fixture(name: &str) -> String {
    project_root().join("tests/fixtures/spatial").join(name).to_string_lossy().into_owned()
}

fn texts(df: &polars::prelude::DataFrame, col: &str) -> Vec<String> {
    df.column(col).unwrap().str().unwrap().iter().map(|s| s.unwrap_or("").to_string()).collect()
}

fn numbers(df: &polars::prelude::DataFrame, col: &str) -> Vec<f64> {
    texts(df, col).iter().map(|s| s.parse::<f64>().unwrap()).collect()
}

fn assert_close(got: &[f64], want: &[f64], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}");
    for (k, (g, w)) in got.iter().zip(want).enumerate() {
        let rel = (g - w).abs() / w.abs().max(1e-300);
        assert!(rel <= 1e-9 || (g - w).abs() < 1e-12, "{what} row {k}: {g} vs {w} ({rel:.1e} relative)");
    }
}

/// The fixture's IRIS-like tiling (perturbed quadrilaterals, a hole filled by an island source) onto
/// QPV-like targets (an irregular star, a square with a hole, two parts, a 5 cm sliver on a shared edge,
/// a rectangle partly outside every source): estimates, uncertainty and overlap table equal geopandas'
/// float64 overlay within 1e-9 relative (tobler's own function is float32: 1e-8 off).
#[test]
fn interpolate_matches_the_geopandas_reference() {
    let tmp = workdir();
    let (out, weights) = (tmp.path().join("est.csv"), tmp.path().join("w.csv"));
    let (code, err) = fracture(
        &[
            "interpolate",
            "--source",
            &fixture("sources.geojson"),
            "--source-id",
            "code",
            "--target",
            &fixture("targets.geojson"),
            "--target-id",
            "qp",
            "--extensive",
            "pop",
            "--intensive",
            "rate",
            "--weights-out",
            &weights.to_string_lossy(),
            "--out",
            &out.to_string_lossy(),
        ],
        tmp.path(),
    );
    assert_eq!(code, 0, "{err}");
    let (got, want) = (read_csv(&out), read_csv(Path::new(&fixture("expected_interpolate.csv"))));
    assert_eq!(got.get_column_names(), ["qp", "pop", "rate", "uncertainty"]);
    assert_eq!(texts(&got, "qp"), texts(&want, "qp"));
    for c in ["pop", "rate", "uncertainty"] {
        assert_close(&numbers(&got, c), &numbers(&want, c), c);
    }
    let (got, want) = (read_csv(&weights), read_csv(Path::new(&fixture("expected_weights.csv"))));
    assert_eq!(got.get_column_names(), ["code", "qp", "share_of_source", "share_of_target"]);
    assert_eq!(texts(&got, "code"), texts(&want, "code"), "the same overlaps, the sliver's included");
    assert_eq!(texts(&got, "qp"), texts(&want, "qp"));
    for c in ["share_of_source", "share_of_target"] {
        assert_close(&numbers(&got, c), &numbers(&want, c), c);
    }
    // Conservation, printed: sources 19497 = in targets + outside every target.
    let line = err.lines().find(|l| l.contains("pop: sources")).unwrap();
    let nums: Vec<f64> = line
        .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == 'e' || c == '-'))
        .filter_map(|s| s.parse().ok())
        .collect();
    assert_eq!(nums[0], 19497.0, "{line}");
    assert!((nums[1] + nums[2] - nums[0]).abs() < 1e-9 * nums[0], "{line}");
}

fn ring(pts: &[(f64, f64)]) -> LineString<f64> {
    let mut v: Vec<Coord<f64>> = pts.iter().map(|&(x, y)| Coord { x, y }).collect();
    v.push(v[0]);
    LineString(v)
}

fn star(rng: &mut ChaCha8Rng, cx: f64, cy: f64, r: f64) -> MultiPolygon<f64> {
    let n = rng.random_range(3..25);
    let mut a: Vec<f64> = (0..n).map(|_| rng.random_range(0.0..std::f64::consts::TAU)).collect();
    a.sort_by(f64::total_cmp);
    a.dedup();
    let pts: Vec<(f64, f64)> = a
        .iter()
        .map(|t| {
            let k = rng.random_range(0.5..1.0) * r;
            (cx + k * t.cos(), cy + k * t.sin())
        })
        .collect();
    MultiPolygon(vec![Polygon::new(ring(&pts), vec![])])
}

/// Property: random star sources in Lambert-93-sized coordinates onto random non-overlapping star
/// targets (one per cell of a grid): for every source, the shares of its area sum to at most 1, each
/// overlap's area agrees with geo's grid-snapped overlay (1e-6), and for random values, by area and by
/// random weighted points, targets + remainder = the sources' total within 1e-9 relative.
#[test]
fn interpolation_conserves_totals_on_random_zones() {
    let mut rng = ChaCha8Rng::seed_from_u64(202_411);
    let (x0, y0) = (1_000_000.0, 6_800_000.0);
    for round in 0..15 {
        let mut sources = Vec::new();
        for _ in 0..12 {
            let (cx, cy) = (x0 + rng.random_range(0.0..900.0), y0 + rng.random_range(0.0..900.0));
            sources.push(star(&mut rng, cx, cy, 200.0));
        }
        let mut targets = Vec::new();
        for k in 0..9 {
            if rng.random_bool(0.7) {
                let (cx, cy) = (x0 + (k % 3) as f64 * 300.0 + 150.0, y0 + (k / 3) as f64 * 300.0 + 150.0);
                targets.push(star(&mut rng, cx, cy, 150.0));
            }
        }
        let (s, t): (Vec<_>, Vec<_>) = (sources.iter().collect(), targets.iter().collect());
        let o = overlay(&s, &t, OverlayOptions::default());
        for ov in &o.overlaps {
            let reference =
                sources[ov.source as usize].intersection(&targets[ov.target as usize]).unsigned_area();
            assert!(
                (ov.area - reference).abs() < 1e-6 * o.source_area[ov.source as usize],
                "round {round}: {ov:?} vs {reference}"
            );
        }
        let values: Vec<f64> = (0..sources.len()).map(|_| rng.random_range(0.0..10_000.0)).collect();
        let total: f64 = values.iter().sum();
        let points: Vec<(u32, Option<u32>, f64)> = (0..300)
            .map(|_| {
                let s = rng.random_range(0..sources.len()) as u32;
                let t = (!targets.is_empty() && rng.random_bool(0.5))
                    .then(|| rng.random_range(0..targets.len()) as u32);
                (s, t, rng.random_range(0.0..30.0))
            })
            .collect();
        for alloc in [area_allocation(&o), point_allocation(&o, &points)] {
            for k in 0..sources.len() as u32 {
                let w: f64 = alloc.iter().filter(|a| a.source == k).map(|a| a.weight).sum();
                assert!(w <= 1.0 + 1e-12, "round {round}: source {k}: {w}");
            }
            let e = interpolate(&alloc, sources.len(), targets.len(), &[&values], &[&values]);
            let inside: f64 = e.extensive[0].iter().sum();
            assert!((inside + e.remainder[0] - total).abs() <= 1e-9 * total, "round {round}");
            assert!(e.uncertainty.iter().all(|u| (0.0..=1.0 + 1e-12).contains(u)));
        }
    }
}

/// Dasymetric weights through the binary: a source whose dwellings sit in the target gives it their
/// share; a source without any weighted point keeps its area share; a sliver and a touching target.
#[test]
fn interpolate_with_point_weights_and_slivers() {
    let tmp = workdir();
    let d = tmp.path();
    let fc = |features: &str| {
        format!(
            r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::2154"}}}},"features":[{features}]}}"#
        )
    };
    let sq = |id: &str, key: &str, x0: f64, y0: f64, x1: f64, y1: f64, props: &str| {
        let (x0, x1, y0, y1) = (1e6 + x0, 1e6 + x1, 6.8e6 + y0, 6.8e6 + y1);
        format!(
            r#"{{"type":"Feature","properties":{{"{key}":"{id}"{props}}},"geometry":{{"type":"Polygon","coordinates":[[[{x0},{y0}],[{x1},{y0}],[{x1},{y1}],[{x0},{y1}],[{x0},{y0}]]]}}}}"#
        )
    };
    // Two 100 m sources; targets: the east half of S1 and the west half of S2 (T1), a 1 mm sliver of S2's
    // east side (T2), a target touching S1's west edge (T3).
    std::fs::write(
        d.join("s.geojson"),
        fc(&[
            sq("S1", "code", 0.0, 0.0, 100.0, 100.0, r#","pop":1000"#),
            sq("S2", "code", 100.0, 0.0, 200.0, 100.0, r#","pop":500"#),
        ]
        .join(",")),
    )
    .unwrap();
    std::fs::write(
        d.join("t.geojson"),
        fc(&[
            sq("T1", "qp", 50.0, 0.0, 150.0, 100.0, ""),
            sq("T2", "qp", 199.999, 0.0, 210.0, 100.0, ""),
            sq("T3", "qp", -50.0, 0.0, 0.0, 100.0, ""),
        ]
        .join(",")),
    )
    .unwrap();
    // S1's 40 dwellings: 30 in T1's half, 10 west of it; S2 has none.
    std::fs::write(
        d.join("premises.csv"),
        "x,y,imb_nbr_logloc\n1000075,6800050,30\n1000025,6800050,10\n1000125,6800050,0\n",
    )
    .unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "interpolate",
            "--source",
            "s.geojson",
            "--source-id",
            "code",
            "--target",
            "t.geojson",
            "--target-id",
            "qp",
            "--extensive",
            "pop",
            "--out",
            "o.csv",
        ];
        args.extend_from_slice(extra);
        let (code, err) = fracture(&args, d);
        assert_eq!(code, 0, "{err}");
        std::fs::read_to_string(d.join("o.csv")).unwrap()
    };
    // By area: T1 = 500 + 250; T2 = 500 × 1e-5 (the sliver is kept); T3 touches only: 0.
    let by_area = run(&[]);
    let rows: Vec<Vec<String>> =
        by_area.lines().skip(1).map(|l| l.split(',').map(str::to_string).collect()).collect();
    assert_eq!(rows[0][0], "T1");
    assert!((rows[0][1].parse::<f64>().unwrap() - 750.0).abs() < 1e-9, "{by_area}");
    // The sliver is 1000200 - 1000199.999 wide in float64 (not quite 1 mm): exactly that share of S2.
    let width = (1e6 + 200.0) - (1e6 + 199.999);
    assert!((rows[1][1].parse::<f64>().unwrap() - 500.0 * width / 100.0).abs() < 1e-15, "{by_area}");
    assert_eq!((rows[2][1].as_str(), rows[2][2].as_str()), ("0", "0"), "{by_area}");
    // By dwellings: T1 = 1000 × 30/40 + 500 × 0.5 (S2 keeps its area shares).
    let by_dwellings = run(&["--weights", "premises.csv", "--weight-col", "imb_nbr_logloc"]);
    let t1: f64 = by_dwellings.lines().nth(1).unwrap().split(',').nth(1).unwrap().parse().unwrap();
    assert!((t1 - 1000.0).abs() < 1e-9, "{by_dwellings}");
}

/// A missing variable, a non-numeric value or a weight column that is not numbers: exit 3, naming them.
#[test]
fn interpolate_rejects_bad_inputs_with_exit_code_3() {
    let tmp = workdir();
    let d = tmp.path();
    let src = fixture("sources.geojson");
    let tgt = fixture("targets.geojson");
    let base = [
        "interpolate",
        "--source",
        &src,
        "--source-id",
        "code",
        "--target",
        &tgt,
        "--target-id",
        "qp",
        "--out",
        "o.csv",
    ];
    let (code, err) = fracture(&[&base[..], &["--extensive", "pop,households"]].concat(), d);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("properties.households") && err.contains("expected a finite number"), "{err}");
    std::fs::write(d.join("w.csv"), "x,y,n\n1048100,6838100,many\n").unwrap();
    let (code, err) = fracture(
        &[&base[..], &["--extensive", "pop", "--weights", "w.csv", "--weight-col", "n"]].concat(),
        d,
    );
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("line 2: n: expected a non-negative number"), "{err}");
    assert!(!d.join("o.csv").exists());
}
