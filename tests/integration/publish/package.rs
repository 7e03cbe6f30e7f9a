//! The open-data package `datasets/` of the demo report, read back as its users would: self-contained,
//! its SHA256SUMS true, the GeoParquet with WKB geometries and `geo` metadata, the GeoPackage with its
//! tables, the README and LICENSE, and the same bytes from a second run. (CI also runs
//! `.ci/check_package.py`: frictionless validate, GDAL, geopandas.)

use std::collections::BTreeSet;

use polars::prelude::*;
use serde_json::Value;

use crate::support::{demo_report, only_subdir, read_csv, run_demo, walk, workdir};

const FILES: [&str; 12] = [
    "LICENSE",
    "README.md",
    "SHA256SUMS",
    "datapackage.json",
    "ifn_ranks.csv",
    "indicators.csv",
    "indicators_excel-fr.csv",
    "programme.csv",
    "qpv_indicators.geojson",
    "qpv_indicators.gpkg",
    "qpv_indicators.parquet",
    "targets.csv",
];

fn package_file(name: &str) -> std::path::PathBuf {
    demo_report().file("datasets").join(name)
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(package_file(name)).unwrap_or_else(|e| panic!("cannot read datasets/{name}: {e}"))
}

fn text(name: &str) -> String {
    String::from_utf8(read(name)).unwrap()
}

fn qpv_codes() -> Vec<String> {
    let t = read_csv(&package_file("indicators.csv"));
    let kind = t.column("area_type").unwrap().str().unwrap().clone();
    let code = t.column("area_code").unwrap().str().unwrap().clone();
    kind.iter()
        .zip(code.iter())
        .filter(|(k, _)| *k == Some("qpv"))
        .map(|(_, c)| c.unwrap().to_string())
        .collect()
}

#[test]
fn the_package_holds_its_files_and_every_resource_path_stays_inside() {
    let dir = demo_report().file("datasets");
    let names: BTreeSet<String> =
        walk(&dir).iter().map(|p| p.strip_prefix(&dir).unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(names, FILES.iter().map(|f| f.to_string()).collect::<BTreeSet<_>>());
    let dp: Value = serde_json::from_slice(&read("datapackage.json")).unwrap();
    assert_eq!(dp["profile"], "data-package");
    let resources = dp["resources"].as_array().unwrap();
    let paths: Vec<&str> = resources.iter().map(|r| r["path"].as_str().unwrap()).collect();
    assert_eq!(
        paths,
        [
            "indicators.csv",
            "indicators_excel-fr.csv",
            "qpv_indicators.geojson",
            "qpv_indicators.parquet",
            "qpv_indicators.gpkg",
            "programme.csv",
            "ifn_ranks.csv",
            "targets.csv"
        ]
    );
    for r in resources {
        let p = dir.join(r["path"].as_str().unwrap());
        assert!(p.is_file() && p.parent() == Some(dir.as_path()), "{}", r["path"]);
        if let Some(hash) = r["hash"].as_str() {
            let data = std::fs::read(&p).unwrap();
            assert_eq!(
                hash,
                format!("sha256:{}", hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&data)))
            );
            assert_eq!(r["bytes"].as_u64(), Some(data.len() as u64));
        }
    }
    let media: Vec<&str> = resources.iter().map(|r| r["mediatype"].as_str().unwrap()).collect();
    assert_eq!(
        media,
        [
            "text/csv",
            "text/csv",
            "application/geo+json",
            "application/vnd.apache.parquet",
            "application/geopackage+sqlite3",
            "text/csv",
            "text/csv",
            "text/csv"
        ]
    );
    // Shares are bounded, the key is unique, descriptions come from the indicator table.
    let fields = resources[0]["schema"]["fields"].as_array().unwrap();
    let field = |id: &str| fields.iter().find(|f| f["name"] == id).unwrap();
    assert_eq!(field("area_code")["constraints"]["unique"], true);
    assert_eq!(field("share_thd30")["constraints"]["maximum"], 100);
    let d = fracture::indicators::table::indicator("poverty_rate").unwrap();
    assert_eq!(field("poverty_rate")["description"], d.description.fr.as_str());
    assert_eq!(dp["sources"][0]["vintage"], "2026-Q3");
    assert!(dp["sources"][0]["producer"].as_str().unwrap().contains("fracture"));
    // The excel twin is the report's, byte for byte.
    assert!(
        read("indicators_excel-fr.csv")
            == std::fs::read(demo_report().file("tables/indicators_excel-fr.csv")).unwrap()
    );
}

#[test]
fn sha256sums_checks_every_other_file_in_sha256sum_format() {
    let sums = text("SHA256SUMS");
    let mut listed = Vec::new();
    for line in sums.lines() {
        let (hex_digest, name) = line.split_once("  ").expect("`<hex>  <name>`");
        assert_eq!(hex_digest.len(), 64);
        let data = read(name);
        assert_eq!(hex_digest, hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&data)), "{name}");
        listed.push(name.to_string());
    }
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(listed, sorted, "sorted");
    assert_eq!(
        listed,
        FILES.iter().filter(|f| **f != "SHA256SUMS").map(|f| f.to_string()).collect::<Vec<_>>()
    );
}

/// The `geo` JSON of a Parquet file's footer.
fn geo_metadata(parquet: &[u8]) -> Value {
    let start = parquet.windows(11).rposition(|w| w == b"{\"version\":").expect("geo metadata in the footer");
    serde_json::Deserializer::from_slice(&parquet[start..]).into_iter::<Value>().next().unwrap().unwrap()
}

#[test]
fn the_geoparquet_has_wkb_multipolygons_and_geo_metadata() {
    let raw = read("qpv_indicators.parquet");
    let geo = geo_metadata(&raw);
    assert_eq!(geo["version"], "1.1.0");
    assert_eq!(geo["primary_column"], "geometry");
    let g = &geo["columns"]["geometry"];
    assert_eq!(
        (g["encoding"].as_str(), g["geometry_types"][0].as_str()),
        (Some("WKB"), Some("MultiPolygon"))
    );
    let bbox: Vec<f64> = g["bbox"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    assert!((3.0..3.5).contains(&bbox[0]) && (46.0..47.0).contains(&bbox[1]), "{bbox:?}");

    let df = ParquetReader::new(std::io::Cursor::new(raw)).finish().unwrap();
    let codes: Vec<String> =
        df.column("area_code").unwrap().str().unwrap().iter().map(|c| c.unwrap().to_string()).collect();
    assert_eq!(codes, qpv_codes());
    let geometry = df.column("geometry").unwrap();
    assert_eq!(geometry.dtype(), &DataType::Binary);
    let mut points = 0;
    for wkb in geometry.binary().unwrap().iter() {
        let wkb = wkb.expect("every QPV has a contour");
        assert_eq!(&wkb[..5], &[1, 6, 0, 0, 0], "little-endian WKB MultiPolygon");
        // Every coordinate inside the bbox.
        let mut at = 9;
        let polygons = u32::from_le_bytes(wkb[5..9].try_into().unwrap());
        for _ in 0..polygons {
            let rings = u32::from_le_bytes(wkb[at + 5..at + 9].try_into().unwrap());
            at += 9;
            for _ in 0..rings {
                let n = u32::from_le_bytes(wkb[at..at + 4].try_into().unwrap()) as usize;
                at += 4;
                for k in 0..n {
                    let x = f64::from_le_bytes(wkb[at + 16 * k..at + 16 * k + 8].try_into().unwrap());
                    let y = f64::from_le_bytes(wkb[at + 16 * k + 8..at + 16 * k + 16].try_into().unwrap());
                    assert!(x >= bbox[0] && x <= bbox[2] && y >= bbox[1] && y <= bbox[3], "({x}, {y})");
                    points += 1;
                }
                at += 16 * n;
            }
        }
        assert_eq!(at, wkb.len(), "nothing after the last ring");
    }
    assert!(points > 100, "{points}");
}

#[test]
fn the_geopackage_has_its_tables_a_layer_per_qpv_and_every_area() {
    let c = rusqlite::Connection::open_with_flags(
        package_file("qpv_indicators.gpkg"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let one = |sql: &str| c.query_row(sql, [], |r| r.get::<_, rusqlite::types::Value>(0)).unwrap();
    use rusqlite::types::Value as V;
    assert_eq!(one("PRAGMA application_id"), V::Integer(0x4750_4B47));
    assert_eq!(one("PRAGMA integrity_check"), V::Text("ok".into()));
    assert_eq!(
        one("SELECT group_concat(table_name || ':' || data_type, ',') FROM gpkg_contents"),
        V::Text("qpv_indicators:features,indicators:attributes".into())
    );
    assert_eq!(
        one("SELECT last_change FROM gpkg_contents LIMIT 1"),
        V::Text("2026-09-30T00:00:00.000Z".into())
    );
    assert_eq!(
        one("SELECT geometry_type_name || ' ' || srs_id FROM gpkg_geometry_columns"),
        V::Text("MULTIPOLYGON 4326".into())
    );
    let codes: Vec<String> = c
        .prepare("SELECT area_code FROM qpv_indicators ORDER BY fid")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(codes, qpv_codes());
    let csv_rows = read_csv(&package_file("indicators.csv")).height() as i64;
    assert_eq!(one("SELECT count(*) FROM indicators"), V::Integer(csv_rows));
    let blob = one("SELECT geom FROM qpv_indicators ORDER BY fid LIMIT 1");
    let V::Blob(b) = blob else { panic!("{blob:?}") };
    assert_eq!(&b[..4], b"GP\x00\x03", "GeoPackage binary, envelope, little-endian");
    assert_eq!(&b[40..45], &[1, 6, 0, 0, 0], "then a WKB MultiPolygon");
}

#[test]
fn the_readme_and_licence_say_what_the_files_hold_where_they_come_from_and_how_to_credit() {
    let readme = text("README.md");
    assert!(readme.starts_with("# Fracture numérique dans les QPV — Démoville — 2026-Q3\n"));
    assert!(readme.contains("DONNÉES SYNTHÉTIQUES"), "synthetic label");
    for f in FILES {
        assert!(readme.contains(&format!("| `{f}` |")), "{f} listed");
    }
    let header = text("indicators.csv").lines().next().unwrap().to_string();
    for col in header.split(',') {
        assert!(readme.contains(&format!("| `{col}` |")), "{col} in the data dictionary");
    }
    assert!(readme.contains("Licence Ouverte") && readme.contains("etalab-2.0"));
    assert!(readme.contains("2026-09-30"), "date of the last update, for the attribution");
    assert!(readme.contains("moins de 11 personnes"), "statistical secrecy");
    let license = text("LICENSE");
    assert!(license.starts_with("Licence Ouverte / Open Licence version 2.0"));
    assert!(license.contains("https://www.etalab.gouv.fr/licence-ouverte-open-licence/"));
    assert!(license.contains("Données synthétiques générées par fracture"), "attribution of this dataset");
}

#[test]
fn the_report_links_the_package_files() {
    let html = String::from_utf8(std::fs::read(demo_report().file("index.html")).unwrap()).unwrap();
    for f in FILES {
        assert!(html.contains(&format!("href=\"datasets/{f}\"")), "{f}");
    }
}

#[test]
fn a_second_run_gives_the_same_package_byte_for_byte() {
    let tmp = workdir();
    let (code, err) = run_demo(tmp.path(), &[]);
    assert_eq!(code, 0, "{err}");
    let again = only_subdir(&tmp.path().join("demo")).join("datasets");
    for f in FILES {
        let (a, b) = (read(f), std::fs::read(again.join(f)).unwrap());
        assert!(a == b, "datasets/{f} differs between two runs of the same inputs");
    }
}
