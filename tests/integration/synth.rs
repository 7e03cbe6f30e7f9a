//! `fracture synth`: synthetic inputs at scale, through the binary.
//!
//! - `city` twice gives byte-identical files, with the counts, columns and property names specified;
//! - the truth file agrees with a brute-force point-in-polygon count over the benchmark files (`city`);
//! - the dataset folder (`tiny`, a hidden scale for tests) runs with `fracture run` end to end.

use std::collections::BTreeMap;
use std::path::Path;

use geo::{BoundingRect, Contains, Geometry, Point};
use polars::prelude::*;

use crate::support::{fracture, walk, workdir};

fn synth(scale: &str, out: &Path) {
    let o = fracture().args(["synth", "--scale", scale, "--out"]).arg(out).output().unwrap();
    assert!(
        o.status.success(),
        "fracture synth --scale {scale} failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("SYNTHETIC"), "{stderr}");
}

/// Every file under `dir`, by path relative to it.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walk(dir)
        .into_iter()
        .map(|p| (p.strip_prefix(dir).unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect()
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// (properties, geometry) of every feature.
fn features(path: &Path) -> Vec<(serde_json::Map<String, serde_json::Value>, Geometry<f64>)> {
    let text = std::fs::read_to_string(path).unwrap();
    let fc: geojson::FeatureCollection = text.parse().unwrap();
    fc.features
        .into_iter()
        .map(|f| {
            let g: Geometry<f64> = f.geometry.unwrap().try_into().unwrap();
            (f.properties.unwrap(), g)
        })
        .collect()
}

fn keys(props: &serde_json::Map<String, serde_json::Value>) -> Vec<&str> {
    props.keys().map(String::as_str).collect()
}

#[test]
fn city_is_byte_identical_twice_with_the_specified_counts_and_names() {
    let tmp = workdir();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    synth("city", &a);
    synth("city", &b);
    let (fa, fb) = (files(&a), files(&b));
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (name, bytes) in &fa {
        assert!(bytes == &fb[name], "{name} differs between two runs");
    }
    for f in [
        "zones_qpv.geojson",
        "zones_iris.geojson",
        "premises.parquet",
        "truth_premises_per_qpv.csv",
        "synth.json",
        "dataset/dataset.toml",
        "dataset/README.md",
        "dataset/arcep/2026_T3/immeubles_synth-city.csv",
        "dataset/arcep/2026_T3/eligibilite_synth-city.csv",
    ] {
        assert!(fa.contains_key(f), "{f} missing: {:?}", fa.keys());
    }

    let manifest = json(&a.join("synth.json"));
    let c = &manifest["counts"];
    assert_eq!((c["qpv"].as_u64(), c["iris"].as_u64()), (Some(20), Some(500)));
    assert_eq!(c["premises"].as_u64(), Some(200_000));
    let share = c["premises_in_qpv"].as_f64().unwrap() / 200_000.0;
    assert!((0.10..=0.20).contains(&share), "{share}");
    assert!(c["qpv_multipolygons"].as_u64().unwrap() > 0 && c["qpv_with_holes"].as_u64().unwrap() > 0);
    assert!(c["qpv_vertices_min"].as_u64().unwrap() >= 30 && c["qpv_vertices_max"].as_u64().unwrap() <= 300);
    assert_eq!(manifest["synthetic"], true);

    // Benchmark layers: Lambert-93 with a legacy crs member, the specified properties.
    for (file, props) in [
        ("zones_qpv.geojson", vec!["code_qp"]),
        ("zones_iris.geojson", vec!["code_iris", "population", "poverty_rate"]),
    ] {
        let v = json(&a.join(file));
        assert_eq!(v["crs"]["properties"]["name"], "urn:ogc:def:crs:EPSG::2154", "{file}");
        let f = features(&a.join(file));
        assert_eq!(f.len(), if file.contains("qpv") { 20 } else { 500 });
        assert!(f.iter().all(|(p, _)| keys(p) == props), "{file}");
    }

    let df = ParquetReader::new(std::fs::File::open(a.join("premises.parquet")).unwrap()).finish().unwrap();
    assert_eq!(df.height(), 200_000);
    assert_eq!(df.get_column_names(), ["id", "x", "y", "techno", "debit_class"]);
    assert_eq!(df.column("id").unwrap().dtype(), &DataType::String);
    assert_eq!(df.column("x").unwrap().dtype(), &DataType::Float64);
    let xs: Vec<f64> = df.column("x").unwrap().f64().unwrap().into_no_null_iter().collect();
    assert!(xs.iter().all(|x| (100_000.0..1_100_000.0).contains(x)), "x in Lambert-93 metres");

    // The dataset: synthetic, 2024 QPV property names, IGN IRIS names, ARCEP headers.
    let toml: toml::Table = std::fs::read_to_string(a.join("dataset/dataset.toml")).unwrap().parse().unwrap();
    assert_eq!(toml["synthetic"].as_bool(), Some(true));
    assert!(toml["notice"].as_str().unwrap().contains("Synthetic"));
    let qpv = features(&a.join("dataset/qpv/QP2024_Synth-city_WGS84.geojson"));
    assert_eq!(
        keys(&qpv[0].0),
        ["code_qp", "lib_qp", "insee_reg", "insee_dep", "insee_com", "lib_com", "siren_epci"]
    );
    let iris = features(&a.join("dataset/iris/CONTOURS-IRIS_Synth-city_WGS84.geojson"));
    assert_eq!(keys(&iris[0].0), ["CODE_IRIS", "NOM_IRIS", "INSEE_COM", "NOM_COM", "IRIS", "TYP_IRIS"]);
    let buildings = String::from_utf8(fa["dataset/arcep/2026_T3/immeubles_synth-city.csv"].clone()).unwrap();
    assert_eq!(buildings.lines().count(), 200_001);
    assert!(
        buildings.starts_with("imb_id,imb_longitude,imb_latitude,imb_code,imb_code_insee,imb_nbr_logloc")
    );
}

#[test]
fn truth_counts_match_a_brute_force_point_in_polygon() {
    let tmp = workdir();
    let out = tmp.path().join("city");
    synth("city", &out);
    let zones = features(&out.join("zones_qpv.geojson"));
    let df = ParquetReader::new(std::fs::File::open(out.join("premises.parquet")).unwrap()).finish().unwrap();
    let col = |c: &str| -> Vec<f64> { df.column(c).unwrap().f64().unwrap().into_no_null_iter().collect() };
    let (xs, ys) = (col("x"), col("y"));
    let mut counted: BTreeMap<String, u64> = BTreeMap::new();
    for (props, g) in &zones {
        let code = props["code_qp"].as_str().unwrap().to_string();
        let b = g.bounding_rect().unwrap();
        let n = xs
            .iter()
            .zip(&ys)
            .filter(|(x, y)| {
                (b.min().x..=b.max().x).contains(*x)
                    && (b.min().y..=b.max().y).contains(*y)
                    && g.contains(&Point::new(**x, **y))
            })
            .count();
        counted.insert(code, n as u64);
    }
    let truth = std::fs::read_to_string(out.join("truth_premises_per_qpv.csv")).unwrap();
    let expected: BTreeMap<String, u64> = truth
        .lines()
        .skip(1)
        .map(|l| {
            let (code, n) = l.split_once(',').unwrap();
            (code.to_string(), n.parse().unwrap())
        })
        .collect();
    assert_eq!(counted, expected);
}

#[test]
fn the_dataset_runs_end_to_end() {
    let tmp = workdir();
    let out = tmp.path().join("tiny");
    synth("tiny", &out);
    let o = fracture()
        .args(["run", "--dataset"])
        .arg(out.join("dataset/dataset.toml"))
        .arg("--reports-dir")
        .arg(tmp.path().join("reports"))
        .arg("--data-dir")
        .arg(tmp.path().join("data"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "fracture run on the synthetic dataset failed:\n{stderr}");
    assert!(stderr.contains("SYNTHETIC"), "{stderr}");
    let index = tmp.path().join("reports/synth-tiny/2026-Q3/index.html");
    assert!(index.exists(), "{stderr}");
}
