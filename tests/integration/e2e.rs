//! End to end: the binary on the committed demo dataset, into a temp folder. Values are checked against
//! numbers computed here, independently, from the raw demo files; two runs give the same bytes, and the
//! committed report is what the code produces.
//!
//! - `demo_dataset`: `fracture demo` writes the committed synthetic dataset, byte for byte;
//! - `chain`: `fracture fetch --mirror` on the demo packaged like the official downloads, then `run`;
//! - `occitanie`: the whole pipeline on the real Occitanie extract (`FRACTURE_REAL_DATA`).

mod chain;
mod demo_dataset;
mod occitanie;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use geo::{Area, BooleanOps, Contains, Coord, Intersects, LineString, MultiPolygon, Point, Polygon};
use polars::prelude::*;
use serde_json::Value;

use crate::support::{demo_report, only_subdir, project_root, read_csv, run_demo, workdir};
use fracture::crs::{Crs, Reprojector};

fn cell(df: &DataFrame, code: &str, col: &str) -> Option<f64> {
    let codes = df.column("area_code").unwrap().str().unwrap().clone();
    let i = codes.iter().position(|c| c == Some(code)).unwrap_or_else(|| panic!("no row {code}"));
    df.column(col).unwrap().str().unwrap().get(i).filter(|s| !s.is_empty()).map(|s| s.parse().unwrap())
}

/// Raw `;`/`,` table as maps (the demo files are simple: no quoted separators in these columns).
fn raw_table(path: &Path, sep: char) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text.trim_start_matches('\u{feff}');
    let mut lines = text.lines();
    let header: Vec<String> =
        lines.next().unwrap().split(sep).map(|s| s.trim_matches('"').to_string()).collect();
    lines
        .filter(|l| !l.is_empty())
        .map(|l| header.iter().cloned().zip(l.split(sep).map(|s| s.trim_matches('"').to_string())).collect())
        .collect()
}

fn num(s: &str) -> Option<f64> {
    s.replace(',', ".").parse().ok()
}

/// GeoJSON features → (code, Lambert-93 multipolygon).
fn zones(path: &Path, code_field: &str) -> Vec<(String, MultiPolygon<f64>)> {
    let r = Reprojector::new();
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let ring = |r_: &Value| {
        LineString(
            r_.as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    let (x, y) =
                        r.to_lambert93(Crs::Wgs84, p[0].as_f64().unwrap(), p[1].as_f64().unwrap()).unwrap();
                    Coord { x, y }
                })
                .collect(),
        )
    };
    let poly = |p: &Value| {
        let rings = p.as_array().unwrap();
        Polygon::new(ring(&rings[0]), rings[1..].iter().map(ring).collect())
    };
    v["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let g = &f["geometry"];
            let mp = match g["type"].as_str().unwrap() {
                "Polygon" => MultiPolygon(vec![poly(&g["coordinates"])]),
                _ => MultiPolygon(g["coordinates"].as_array().unwrap().iter().map(poly).collect()),
            };
            (f["properties"][code_field].as_str().unwrap().to_string(), mp)
        })
        .collect()
}

struct Demo {
    dir: PathBuf,
    cfg: toml::Value,
}

impl Demo {
    fn load() -> Demo {
        let dir = project_root().join("data/demo");
        let cfg: toml::Value =
            toml::from_str(&std::fs::read_to_string(dir.join("dataset.toml")).unwrap()).unwrap();
        Demo { dir, cfg }
    }
    fn file(&self, key: &str) -> PathBuf {
        self.dir.join(self.cfg["files"][key].as_str().unwrap())
    }
}

#[test]
fn demo_run_produces_a_complete_report_with_independently_checked_values() {
    let shared = demo_report();
    assert!(shared.stderr.contains("SYNTHETIC"), "{}", shared.stderr);
    let report = &shared.dir;
    let period = report.file_name().unwrap().to_str().unwrap().to_string();
    assert!(period.len() == 7 && period.contains("-Q"), "{period}");

    // Every output exists (what each holds is checked by the `render` and `publish` modules).
    for f in [
        "index.html",
        "manifest.json",
        "tables/indicators.csv",
        "tables/indicators.md",
        "tables/series.csv",
        "datasets/qpv_indicators.geojson",
        "datasets/qpv_indicators.parquet",
        "datasets/datapackage.json",
    ] {
        assert!(report.join(f).is_file(), "missing {f}");
    }
    let gj: Value = serde_json::from_str(
        &std::fs::read_to_string(report.join("datasets/qpv_indicators.geojson")).unwrap(),
    )
    .unwrap();

    let table = read_csv(&report.join("tables/indicators.csv"));
    let demo = Demo::load();
    let qpv = zones(&demo.file("qpv"), "code_qp");
    assert_eq!(gj["features"].as_array().unwrap().len(), qpv.len());
    let iris = zones(&demo.file("iris_contours"), "CODE_IRIS");

    // Independent ≥30 Mbit/s share: point in polygon of every ARCEP building, premises-weighted.
    let r = Reprojector::new();
    let eligible: BTreeSet<String> = raw_table(&demo.file("arcep_eligibility"), ',')
        .into_iter()
        .filter(|e| matches!(e["classe_debit_descendant"].as_str(), "THD30" | "THD100" | "THD1G"))
        .map(|e| e["imb_id"].clone())
        .collect();
    let buildings: Vec<(Point<f64>, f64, bool)> = raw_table(&demo.file("arcep_buildings"), ',')
        .iter()
        .map(|b| {
            let (x, y) = r
                .to_lambert93(
                    Crs::WebMercator,
                    num(&b["imb_longitude"]).unwrap(),
                    num(&b["imb_latitude"]).unwrap(),
                )
                .unwrap();
            (Point::new(x, y), num(&b["imb_nbr_logloc"]).unwrap(), eligible.contains(&b["imb_id"]))
        })
        .collect();
    // Independent population from the raw census file: by dwellings (the demo's `population_weighting`),
    // Σ_i P_i × premises of i in q / premises of i for every IRIS holding located ARCEP premises, and
    // Σ_i P_i × area(i ∩ q) / area(i) for the others.
    let pop_col = |row: &BTreeMap<String, String>| {
        row.iter()
            .find(|(k, _)| k.starts_with('P') && k.ends_with("_POP") && k.len() == 7)
            .and_then(|(_, v)| num(v))
    };
    let census: BTreeMap<String, f64> = raw_table(&demo.file("iris_population"), ';')
        .iter()
        .filter_map(|r| Some((r["IRIS"].clone(), pop_col(r)?)))
        .collect();
    assert_eq!(demo.cfg["parameters"]["population_weighting"].as_str(), Some("dwellings"));
    let share = |i: &MultiPolygon<f64>, q: &MultiPolygon<f64>| {
        let in_i: Vec<&(Point<f64>, f64, bool)> =
            buildings.iter().filter(|(p, _, _)| i.intersects(p)).collect();
        let total: f64 = in_i.iter().map(|b| b.1).sum();
        if total > 0.0 {
            in_i.iter().filter(|(p, _, _)| q.intersects(p)).map(|b| b.1).sum::<f64>() / total
        } else {
            i.intersection(q).unsigned_area() / i.unsigned_area()
        }
    };
    let mut checked = 0;
    for (code, q) in &qpv {
        let expected: f64 =
            iris.iter().map(|(c, g)| census.get(c).copied().unwrap_or(0.0) * share(g, q)).sum();
        let got = cell(&table, code, "population").unwrap();
        assert!((got - expected).abs() <= 0.51, "{code}: population {got} vs {expected}");
        checked += 1;
    }
    assert!(checked >= 8);

    for (code, q) in &qpv {
        let inside: Vec<&(Point<f64>, f64, bool)> =
            buildings.iter().filter(|(p, _, _)| q.contains(p)).collect();
        let total: f64 = inside.iter().map(|b| b.1).sum();
        if total == 0.0 {
            continue;
        }
        let expected = 100.0 * inside.iter().filter(|b| b.2).map(|b| b.1).sum::<f64>() / total;
        let got = cell(&table, code, "share_thd30").unwrap();
        assert!((got - expected).abs() <= 0.06, "{code}: share_thd30 {got} vs {expected}");
    }

    // Independent participants of the quarter, for QPV reached only through coordinates and IRIS.
    let att = raw_table(&demo.file("attendance"), ',');
    let (y, qn) = (period[..4].to_string(), period[6..].parse::<u32>().unwrap());
    let in_quarter = |d: &str| d[..4] == y && (d[5..7].parse::<u32>().unwrap() - 1) / 3 + 1 == qn;
    for (code, q) in &qpv {
        let mut people = BTreeSet::new();
        for a in att.iter().filter(|a| in_quarter(&a["date"])) {
            let inside = match (num(&a["residence_lon"]), num(&a["residence_lat"])) {
                (Some(lon), Some(lat)) => {
                    let (x, y) = r.to_lambert93(Crs::Wgs84, lon, lat).unwrap();
                    q.contains(&Point::new(x, y)) || q.exterior_coords_iter_contains(x, y)
                }
                _ => iris
                    .iter()
                    .find(|(c, _)| *c == a["residence_iris"])
                    .is_some_and(|(_, g)| share(g, q) >= 0.5),
            };
            if inside {
                people.insert(a["participant"].clone());
            }
        }
        let got = cell(&table, code, "participants");
        let n = people.len() as f64;
        if n > 0.0 && n < 11.0 {
            assert_eq!(got, None, "{code}: {n} participants must be hidden");
        } else if let Some(g) = got {
            assert_eq!(g, n, "{code}: participants");
        }
    }
}

/// Boundary points count as inside for fracture (intersects); `Contains` excludes them.
trait BoundaryInclusive {
    fn exterior_coords_iter_contains(&self, x: f64, y: f64) -> bool;
}
impl BoundaryInclusive for MultiPolygon<f64> {
    fn exterior_coords_iter_contains(&self, x: f64, y: f64) -> bool {
        use geo::Intersects;
        self.intersects(&Point::new(x, y))
    }
}

/// Asserts two report folders hold the same files with the same bytes, `generated_at` aside.
fn assert_same_report(ra: &Path, rb: &Path) {
    let files = fracture::publish::files::list_files(ra).unwrap();
    assert_eq!(files, fracture::publish::files::list_files(rb).unwrap());
    for f in files {
        let (x, y) = (std::fs::read(ra.join(&f)).unwrap(), std::fs::read(rb.join(&f)).unwrap());
        if f.ends_with("manifest.json") {
            let strip = |b: &[u8]| {
                let mut v: Value = serde_json::from_slice(b).unwrap();
                v.as_object_mut().unwrap().remove("generated_at").expect("manifest has generated_at");
                v
            };
            assert_eq!(strip(&x), strip(&y));
        } else {
            assert!(x == y, "{} differs between {} and {}", f.display(), ra.display(), rb.display());
        }
    }
}

#[test]
fn two_runs_give_identical_files_except_the_manifest_timestamp() {
    let tmp = workdir();
    assert_eq!(run_demo(tmp.path(), &[]).0, 0);
    assert_same_report(&only_subdir(&tmp.path().join("demo")), &demo_report().dir);
}

/// The committed demo report (and so the README's map) is what the code produces today.
#[test]
fn the_committed_demo_report_is_up_to_date() {
    let fresh = &demo_report().dir;
    let committed = project_root().join("reports/demo").join(fresh.file_name().unwrap());
    assert!(
        committed.is_dir(),
        "no committed report {}: run `cargo run --release -- run`",
        committed.display()
    );
    assert_same_report(fresh, &committed);
}

#[test]
fn an_earlier_quarter_can_be_requested_and_a_missing_one_is_refused() {
    let tmp = workdir();
    let (code, err) = run_demo(tmp.path(), &["--quarter", "2025-Q1"]);
    assert_eq!(code, 0, "{err}");
    assert!(tmp.path().join("demo/2025-Q1/index.html").is_file());
    let (code, err) = run_demo(tmp.path(), &["--quarter", "2019-Q1"]);
    assert_ne!(code, 0);
    assert!(err.contains("2019-Q1"), "{err}");
}
