//! Stage `publish`, through the binary: the files of the demo report (the shared run of
//! `support::demo_report`). The Etalab CSV and its French-Excel twin, the GeoJSON and Parquet datasets,
//! the Frictionless datapackage, the manifest and the report page are read back as a user would; the
//! open-data package `datasets/` as a whole in `publish/package.rs`.

use std::collections::BTreeSet;
use std::path::Path;

use polars::prelude::*;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::support::{demo_report, project_root, read_csv, walk};

mod lang;

const BOM: &[u8] = b"\xef\xbb\xbf";

fn bytes(rel: &str) -> Vec<u8> {
    std::fs::read(demo_report().file(rel)).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
}

fn json(rel: &str) -> Value {
    serde_json::from_slice(&bytes(rel)).unwrap_or_else(|e| panic!("{rel} is not JSON: {e}"))
}

/// Splits one CSV line at `sep` outside double quotes, unquoting the cells.
fn cells(line: &str, sep: char) -> Vec<String> {
    let (mut out, mut cur, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if c == sep && !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// A CSV file as rows of cells (header first); the demo tables have no multi-line cells.
fn rows(text: &str, sep: char) -> Vec<Vec<String>> {
    text.lines().map(|l| cells(l, sep)).collect()
}

/// The `indicators` resource of the datapackage: (field name, type) in order.
fn schema_fields() -> Vec<(String, String)> {
    let dp = json("datasets/datapackage.json");
    let res = dp["resources"].as_array().unwrap().iter().find(|r| r["name"] == "indicators").unwrap();
    res["schema"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["name"].as_str().unwrap().to_string(), f["type"].as_str().unwrap().to_string()))
        .collect()
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

#[test]
fn the_etalab_csv_is_utf8_without_bom_with_commas_and_decimal_points() {
    let raw = bytes("tables/indicators.csv");
    assert!(!raw.starts_with(BOM), "the Etalab CSV has no BOM");
    let text = String::from_utf8(raw).expect("the Etalab CSV is UTF-8");
    assert!(!text.contains('\r'), "LF line ends");
    let table = rows(&text, ',');
    let width = table[0].len();
    assert!(width > 10, "a comma-separated header: {:?}", table[0]);
    assert!(table.iter().all(|r| r.len() == width), "every row has {width} cells");
    let numbers: Vec<usize> = schema_fields()
        .iter()
        .enumerate()
        .filter(|(_, (_, t))| t == "number" || t == "integer")
        .map(|(i, _)| i)
        .collect();
    assert!(numbers.len() > 5);
    let mut decimals = 0;
    for r in &table[1..] {
        for &i in &numbers {
            let v = &r[i];
            assert!(v.is_empty() || v.parse::<f64>().is_ok(), "{}: {v:?} is not a number", table[0][i]);
            decimals += usize::from(v.contains('.'));
        }
    }
    assert!(decimals > 20, "decimal points are used ({decimals} cells)");
    // polars reads it with its defaults into the same shape.
    let df = read_csv(&demo_report().file("tables/indicators.csv"));
    assert_eq!((df.height(), df.width()), (table.len() - 1, width));
}

#[test]
fn the_excel_twin_has_a_bom_semicolons_decimal_commas_and_the_same_cells() {
    let raw = bytes("tables/indicators_excel-fr.csv");
    let text = std::str::from_utf8(raw.strip_prefix(BOM).expect("the Excel twin starts with a BOM")).unwrap();
    let excel = rows(text, ';');
    let etalab = rows(&String::from_utf8(bytes("tables/indicators.csv")).unwrap(), ',');
    assert_eq!(excel[0], etalab[0], "same header");
    assert_eq!(excel.len(), etalab.len(), "same rows");
    let types = schema_fields();
    let mut commas = 0;
    for (x, e) in excel[1..].iter().zip(&etalab[1..]) {
        assert_eq!(x.len(), e.len());
        for ((xv, ev), (name, t)) in x.iter().zip(e).zip(&types) {
            if t == "number" {
                assert_eq!(*xv, ev.replace('.', ","), "{name}: decimal comma");
                commas += usize::from(xv.contains(','));
            } else {
                assert_eq!(xv, ev, "{name}: same text");
            }
        }
    }
    assert!(commas > 20, "decimal commas are used ({commas} cells)");
}

#[test]
fn the_datapackage_describes_the_csv_fields_in_order_with_their_types() {
    let dp = json("datasets/datapackage.json");
    // Not `tabular-data-package`: the GeoJSON and GeoPackage resources are not tables.
    assert_eq!(dp["profile"], "data-package");
    assert_eq!(dp["synthetic"], Value::Bool(true));
    let res = dp["resources"].as_array().unwrap().iter().find(|r| r["name"] == "indicators").unwrap();
    assert_eq!(res["path"], "indicators.csv", "inside the package folder");
    let csv = demo_report().file("datasets").join(res["path"].as_str().unwrap());
    assert!(csv.is_file(), "{} (relative to datasets/) is not a file", res["path"]);
    assert!(
        std::fs::read(&csv).unwrap() == bytes("tables/indicators.csv"),
        "the report's table, byte for byte"
    );
    assert_eq!((res["format"].as_str(), res["encoding"].as_str()), (Some("csv"), Some("utf-8")));
    assert_eq!(res["dialect"]["delimiter"], ",");

    let text = String::from_utf8(bytes("tables/indicators.csv")).unwrap();
    let table = rows(&text, ',');
    let fields = schema_fields();
    let names: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, table[0].iter().map(String::as_str).collect::<Vec<_>>(), "fields = CSV header");
    for (i, (name, t)) in fields.iter().enumerate() {
        for r in table[1..].iter().map(|r| &r[i]).filter(|v| !v.is_empty()) {
            let ok = match t.as_str() {
                "integer" => r.parse::<i64>().is_ok(),
                "number" => r.parse::<f64>().is_ok(),
                "boolean" => r == "true" || r == "false",
                "string" => true,
                other => panic!("{name}: unexpected type {other}"),
            };
            assert!(ok, "{name} ({t}): {r:?}");
        }
    }
}

#[test]
fn the_geojson_has_one_wgs84_feature_per_qpv_within_france_with_the_csv_values() {
    let gj = json("datasets/qpv_indicators.geojson");
    assert_eq!(gj["type"], "FeatureCollection");
    let features = gj["features"].as_array().unwrap();
    let table = read_csv(&demo_report().file("tables/indicators.csv"));
    let kind = table.column("area_type").unwrap().str().unwrap().clone();
    let codes = table.column("area_code").unwrap().str().unwrap().clone();
    let qpv_codes: Vec<&str> =
        kind.iter().zip(codes.iter()).filter(|(k, _)| *k == Some("qpv")).map(|(_, c)| c.unwrap()).collect();
    let feature_codes: Vec<&str> =
        features.iter().map(|f| f["properties"]["area_code"].as_str().unwrap()).collect();
    assert_eq!(feature_codes, qpv_codes, "one feature per QPV row, in the table's order");

    let mut points = 0;
    for f in features {
        let mut stack = vec![&f["geometry"]["coordinates"]];
        while let Some(v) = stack.pop() {
            let a = v.as_array().unwrap();
            if a.first().is_some_and(Value::is_number) {
                let (lon, lat) = (a[0].as_f64().unwrap(), a[1].as_f64().unwrap());
                assert!((-5.5..=10.0).contains(&lon) && (41.0..=51.5).contains(&lat), "({lon}, {lat})");
                points += 1;
            } else {
                stack.extend(a);
            }
        }
        // Properties hold the CSV's values.
        let code = f["properties"]["area_code"].as_str().unwrap();
        let i = codes.iter().position(|c| c == Some(code)).unwrap();
        for col in ["population", "share_thd30", "participants"] {
            let csv = table.column(col).unwrap().str().unwrap().get(i).filter(|s| !s.is_empty());
            let geo = &f["properties"][col];
            match csv {
                None => assert!(geo.is_null(), "{code} {col}: {geo} vs empty"),
                Some(v) => assert_eq!(geo.as_f64(), v.parse::<f64>().ok(), "{code} {col}"),
            }
        }
    }
    assert!(points > 100, "{points} coordinates");
}

#[test]
fn the_parquet_dataset_holds_one_row_per_qpv() {
    let path = demo_report().file("datasets/qpv_indicators.parquet");
    let parquet = ParquetReader::new(std::fs::File::open(path).unwrap()).finish().unwrap();
    let features = json("datasets/qpv_indicators.geojson")["features"].as_array().unwrap().len();
    assert_eq!(parquet.height(), features);
}

mod package;

#[test]
fn the_manifest_hashes_match_the_files_on_disk() {
    let report = &demo_report().dir;
    let manifest = json("manifest.json");
    assert_eq!(manifest["dataset"]["synthetic"], Value::Bool(true));
    let mut listed = BTreeSet::new();
    for o in manifest["outputs"].as_array().unwrap() {
        let rel = o["path"].as_str().unwrap();
        let data = bytes(rel);
        assert_eq!(o["sha256"].as_str(), Some(sha256_hex(&data).as_str()), "{rel}: sha256");
        assert_eq!(o["bytes"].as_u64(), Some(data.len() as u64), "{rel}: size");
        listed.insert(rel.to_string());
    }
    let on_disk: BTreeSet<String> = walk(report)
        .iter()
        .map(|p| p.strip_prefix(report).unwrap().to_string_lossy().replace('\\', "/"))
        .filter(|p| p != "manifest.json")
        .collect();
    assert_eq!(listed, on_disk, "the manifest lists every published file but itself");

    // Inputs: the twelve demo files, hashed as they are in data/demo.
    let inputs = manifest["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 12);
    let demo = project_root().join("data/demo");
    for i in inputs {
        let rel = i["path"].as_str().unwrap();
        let data = std::fs::read(demo.join(rel)).unwrap();
        assert_eq!(i["sha256"].as_str(), Some(sha256_hex(&data).as_str()), "input {rel}");
        assert_eq!(i["bytes"].as_u64(), Some(data.len() as u64), "input {rel}");
    }
}

#[test]
fn the_report_page_is_french_labelled_synthetic_and_links_only_published_files() {
    let html = String::from_utf8(bytes("index.html")).unwrap();
    assert!(html.contains("<html lang=\"fr\">") && html.to_lowercase().contains("synth"));
    assert!(html.contains("maps/eligibility_thd30.png"));
    let mut links = 0;
    for attr in ["src=\"", "href=\""] {
        for part in html.split(attr).skip(1) {
            let target = &part[..part.find('"').unwrap()];
            assert!(!target.contains("://"), "the page loads nothing remote: {target}");
            if let Some(anchor) = target.strip_prefix('#') {
                assert!(html.contains(&format!("id=\"{anchor}\"")), "no anchor {target}");
                continue;
            }
            assert!(Path::new(&demo_report().file(target)).is_file(), "index.html links to {target}");
            links += 1;
        }
    }
    assert!(links >= 10, "{links} local links");
    assert!(
        !html.contains("<img") && !html.contains("<script"),
        "self-contained: figures inlined, no script"
    );
}

/// The text between `start` and the next `end` after it, for each occurrence of `start`.
fn between<'a>(text: &'a str, start: &str, end: &str) -> Vec<&'a str> {
    text.split(start).skip(1).map(|p| &p[..p.find(end).unwrap_or(p.len())]).collect()
}

#[test]
fn the_report_inlines_every_figure_with_its_area_titles_and_a_data_table() {
    let html = String::from_utf8(bytes("index.html")).unwrap();
    let table = read_csv(&demo_report().file("tables/indicators.csv"));
    let qpv = table.column("area_type").unwrap().str().unwrap().iter().filter(|t| *t == Some("qpv")).count();
    let figures = between(&html, "<figure ", "</figure>");
    let maps: Vec<&str> = std::fs::read_dir(demo_report().file("maps"))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".svg"))
        .map(|n| Box::leak(n.into_boxed_str()) as &str)
        .collect();
    assert_eq!(figures.len(), maps.len(), "one figure per SVG of maps/");
    let mut with_areas = 0;
    for f in &figures {
        // The SVG as published, inlined byte for byte (from its root element).
        let svg = &f[f.find("<svg").expect("an inline SVG")..f.find("</svg>").expect("</svg>") + 6];
        let stem = between(f, "id=\"fig-", "\"")[0];
        let file = String::from_utf8(bytes(&format!("maps/{stem}.svg"))).unwrap();
        assert!(file.contains(svg), "{stem}: inlined as published");
        let titles = svg.matches("<g role=\"img\"><title>").count();
        if titles > 0 {
            if stem.ends_with("_quarters") {
                // Small multiples: one titled area per QPV in each quarter's panel.
                assert!(titles > qpv && titles % qpv == 0, "{stem}: {titles} titled areas for {qpv} QPV");
            } else {
                assert_eq!(titles, qpv, "{stem}: one titled area per QPV");
            }
            with_areas += 1;
        }
        // The data table alternative: one row per QPV for a map, headed by column headers.
        let details = between(f, "<details>", "</details>");
        assert_eq!(details.len(), 1, "{stem}: one data table");
        let rows = details[0].matches("<tr><th scope=\"row\">").count();
        if titles > 0 {
            assert_eq!(rows, qpv, "{stem}: one row per QPV");
        } else {
            assert!(rows >= 3, "{stem}: {rows} rows");
        }
        assert!(details[0].contains("<th scope=\"col\">"), "{stem}: column headers");
    }
    assert!(with_areas >= 5, "{with_areas} maps with titled areas");
    for id in ["s-summary", "s-analysts", "s-funders", "s-journalists", "s-changes", "s-comparability"] {
        assert!(
            html.contains(&format!("<h2 id=\"{id}\"")) || html.contains(&format!("<h3 id=\"{id}\"")),
            "{id}"
        );
    }
}

#[test]
fn the_report_lists_each_download_with_its_size_and_sha256() {
    let html = String::from_utf8(bytes("index.html")).unwrap();
    let section = &html[html.find("id=\"s-journalists\"").expect("journalists' section")..];
    let rows = between(section, "<tr><th scope=\"row\"><a href=\"", "</tr>");
    assert!(rows.len() >= 10, "{} downloads", rows.len());
    for row in rows {
        let path = &row[..row.find('"').unwrap()];
        let hash = between(row, "<td class=\"hash\">", "</td>")[0];
        assert_eq!(hash, sha256_hex(&bytes(path)), "{path}");
    }
    assert!(section.contains("etalab-2.0") && section.contains("Licence Ouverte"), "licence");
}

#[test]
fn the_markdown_table_has_one_line_per_csv_row_in_the_same_order() {
    let md = String::from_utf8(bytes("tables/indicators.md")).unwrap();
    assert!(md.starts_with("# Indicateurs"));
    let first_cells: Vec<String> = md
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("|---"))
        .skip(1)
        .map(|l| l.trim_start_matches("| ").split(" |").next().unwrap().to_string())
        .collect();
    let table = read_csv(&demo_report().file("tables/indicators.csv"));
    let codes: Vec<String> =
        table.column("area_code").unwrap().str().unwrap().iter().map(|c| c.unwrap().to_string()).collect();
    assert_eq!(first_cells, codes);
}
