//! The real-data chain, offline: `fracture fetch --dataset X --mirror URL`, then `fracture run --dataset X`.
//!
//! The synthetic demo city is packaged the way the official servers ship each source, as the catalogue
//! (`data/sources.toml`) describes it (zip archives with the named member, gzip-compressed ARCEP files, the
//! IGN WFS GeoJSON with its lower-case property names, data.gouv resources that redirect), served on
//! 127.0.0.1 at the path + query of every real URL, fetched into a temporary data folder, and run. The
//! indicators must equal those of a plain demo run. Nothing is written in the repository, and no command
//! depends on the working directory (they run from an unrelated empty folder).

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use fracture::fetch::{Compression, FormatKind, ResolvedSource, load_catalogue};
use polars::prelude::*;
use serde_json::{Value, json};

use crate::http_fixture::{Reply, Server};
use crate::support::{only_subdir, project_root, read_csv, workdir};

const DATASET: &str = "fixture-city";

/// Strasbourg's sources that the demo city stands in for (its others, qpv2015 and iris_contours (7z),
/// have no demo counterpart).
const SOURCES: [&str; 11] = [
    "qpv2024",
    "iris_contours_wfs",
    "insee_iris_population",
    "insee_iris_diplomas",
    "insee_iris_activity",
    "insee_iris_households",
    "insee_filosofi_iris",
    "arcep_buildings",
    "arcep_eligibility",
    "mednum_places",
    "attendance",
];

/// IGN CONTOURS-IRIS property names (the demo's) → the WFS layer's lower-case names. The catalogue's note
/// on `iris_contours_wfs` names the first four; the last two are a guess (fracture does not read them).
const WFS_NAMES: [(&str, &str); 6] = [
    ("CODE_IRIS", "code_iris"),
    ("NOM_IRIS", "nom_iris"),
    ("INSEE_COM", "code_insee"),
    ("TYP_IRIS", "type_iris"),
    ("NOM_COM", "nom_commune"),
    ("IRIS", "iris"),
];

/// The binary, run from `cwd`, with no pseudonymisation key nor proxy from the environment.
fn fracture(cwd: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_fracture"));
    c.current_dir(cwd).env_remove("FRACTURE_PSEUDO_KEY");
    for v in ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"] {
        c.env_remove(v);
    }
    c.env("NO_PROXY", "127.0.0.1,localhost");
    c
}

/// Exit code and stderr.
fn output(c: &mut Command) -> (i32, String) {
    let out = c.output().expect("run fracture");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn toml_file(path: &Path) -> toml::Value {
    toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// One `[files]` entry of the fixture dataset: `key = "@id"`, with the vintage strasbourg.toml uses.
#[derive(Debug, Clone)]
struct Entry {
    key: String,
    id: String,
    vintage: String,
}

/// The temporary data folder: the project's catalogue and `datasets/fixture-city.toml`, modelled on
/// strasbourg.toml (same source ids, vintages and `@id` files) for the synthetic city.
struct DataDir {
    data: PathBuf,
    entries: Vec<Entry>,
    vars: BTreeMap<String, String>,
}

fn data_dir(root: &Path) -> DataDir {
    let data = root.join("data");
    std::fs::create_dir_all(data.join("datasets")).unwrap();
    std::fs::copy(project_root().join("data/sources.toml"), data.join("sources.toml")).unwrap();

    let strasbourg = toml_file(&project_root().join("data/datasets/strasbourg.toml"));
    let vintages: BTreeMap<String, String> = strasbourg["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_str().unwrap().to_string(), s["vintage"].as_str().unwrap().to_string()))
        .collect();
    let mut entries = Vec::new();
    for (key, value) in strasbourg["files"].as_table().unwrap() {
        let id = value.as_str().unwrap().strip_prefix('@').expect("strasbourg's files are all @<source id>");
        if SOURCES.contains(&id) {
            let vintage = vintages.get(id).unwrap_or_else(|| panic!("strasbourg.toml: no vintage for {id}"));
            entries.push(Entry { key: key.clone(), id: id.to_string(), vintage: vintage.clone() });
        }
    }
    let mut used: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();
    used.sort_unstable();
    let mut expected = SOURCES.to_vec();
    expected.sort_unstable();
    assert_eq!(used, expected, "strasbourg.toml's [files] no longer use these sources");

    let demo = toml_file(&project_root().join("data/demo/dataset.toml"));
    let key = demo["parameters"]["pseudonymisation_key"].as_str().unwrap();
    let weighting = demo["parameters"]["population_weighting"].as_str().unwrap_or("area");
    let mut text = format!(
        "# Test fixture: the synthetic demo city (Démoville) as a real-data dataset fetched from a mirror.\n\
         id = \"{DATASET}\"\n\
         name = \"Démoville\"\n\
         synthetic = true\n\
         notice = \"Données synthétiques servies par un miroir local de test\"\n\
         credit = \"Données synthétiques générées par fracture, aux formats des sources officielles\"\n\n\
         [territory]\n\
         epci_name = \"Démoville Agglomération (synthétique)\"\n\
         siren_epci = \"200099999\"\n\
         departement = \"99\"\n\
         expected_qpv = 11\n\
         communes = [{{ code = \"99001\", name = \"Démoville\", status = \"synthetic\" }}]\n\n\
         [vars]\n\
         departement = \"99\"\n\n"
    );
    for e in &entries {
        text.push_str(&format!("[[sources]]\nid = \"{}\"\nvintage = \"{}\"\n\n", e.id, e.vintage));
    }
    text.push_str("[files]\n");
    for e in &entries {
        text.push_str(&format!("{} = \"@{}\"\n", e.key, e.id));
    }
    text.push_str(&format!(
        "\n[parameters]\ncompletion_min_hours = 10.0\nsecrecy_min_count = 11\npseudonymisation_key = \"{key}\"\n\
         population_weighting = \"{weighting}\"\n"
    ));
    std::fs::write(data.join("datasets").join(format!("{DATASET}.toml")), text).unwrap();
    let vars = BTreeMap::from([("departement".to_string(), "99".to_string())]);
    DataDir { data, entries, vars }
}

/// The demo's input files, by `[files]` key.
fn demo_files() -> BTreeMap<String, PathBuf> {
    let dir = project_root().join("data/demo");
    let cfg = toml_file(&dir.join("dataset.toml"));
    cfg["files"].as_table().unwrap().iter().map(|(k, v)| (k.clone(), dir.join(v.as_str().unwrap()))).collect()
}

fn zip_bytes(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = ::zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts =
        ::zip::write::SimpleFileOptions::default().compression_method(::zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn gzip_bytes(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

fn gunzip(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(data).read_to_end(&mut out).unwrap();
    out
}

/// The demo IRIS contours as the Géoplateforme WFS answers: lower-case property names (the catalogue's
/// note), wrapped the way GeoServer writes GeoJSON (feature id and geometry name, counts, a `crs` member;
/// not checked against the real service).
fn as_wfs_geojson(demo: &[u8]) -> Vec<u8> {
    let v: Value = serde_json::from_slice(demo).unwrap();
    let features: Vec<Value> = v["features"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut props = serde_json::Map::new();
            for (k, value) in f["properties"].as_object().unwrap() {
                let (_, lower) = WFS_NAMES.iter().find(|(upper, _)| upper == k).unwrap_or_else(|| {
                    panic!("demo IRIS property {k} has no WFS name in this test");
                });
                props.insert((*lower).to_string(), value.clone());
            }
            json!({
                "type": "Feature",
                "id": format!("contours_iris.{}", i + 1),
                "geometry": f["geometry"],
                "geometry_name": "geom",
                "properties": props,
            })
        })
        .collect();
    let n = features.len();
    serde_json::to_vec(&json!({
        "type": "FeatureCollection",
        "features": features,
        "totalFeatures": n,
        "numberMatched": n,
        "numberReturned": n,
        "timeStamp": "2026-07-01T08:00:00.000Z",
        "crs": { "type": "name", "properties": { "name": "urn:ogc:def:crs:EPSG::4326" } },
    }))
    .unwrap()
}

/// The download as the catalogue says the server ships it: a zip holding the member (and a sibling, as
/// INSEE's `meta_` files and the QPV archive's other formats), a gzip file, or the file itself.
fn package(r: &ResolvedSource, content: &[u8]) -> Vec<u8> {
    let f = &r.format;
    match (f.kind, &f.member, f.read.compression) {
        (FormatKind::Zip, Some(member), None) => {
            let (dir, name) = member.rsplit_once('/').map_or(("", member.as_str()), |(d, n)| (d, n));
            let sibling = if dir.is_empty() { format!("meta_{name}") } else { format!("{dir}/LISEZMOI.txt") };
            zip_bytes(&[(member.as_str(), content), (sibling.as_str(), b"fichier annexe\n")])
        }
        (FormatKind::Zip, None, _) => panic!("{}: a zip without a member is not packaged by this test", r.id),
        (_, None, Some(Compression::Gzip)) => gzip_bytes(content),
        (_, None, None) => content.to_vec(),
        other => panic!("{}: unexpected format {other:?}", r.id),
    }
}

/// Path and query of a URL, as the client sends them.
fn target_of(url: &str) -> String {
    let u = reqwest::Url::parse(url).unwrap();
    match u.query() {
        Some(q) => format!("{}?{q}", u.path()),
        None => u.path().to_string(),
    }
}

fn sidecar(file: &Path) -> Value {
    let meta = fracture::io::atomic::with_suffix(file, ".meta.json");
    serde_json::from_str(
        &std::fs::read_to_string(&meta).unwrap_or_else(|e| panic!("{}: {e}", meta.display())),
    )
    .unwrap()
}

fn strings(df: &DataFrame, col: &str) -> Vec<Option<String>> {
    df.column(col).unwrap().str().unwrap().iter().map(|s| s.map(str::to_string)).collect()
}

/// Cells that differ between two tables, `synthetic` column excepted (same columns, same rows).
fn differences(a: &DataFrame, b: &DataFrame) -> Vec<String> {
    let names = |df: &DataFrame| df.get_column_names().iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(names(a), names(b), "columns differ");
    assert_eq!(a.height(), b.height(), "row counts differ");
    let codes = strings(a, "area_code");
    let mut out = Vec::new();
    for col in names(a).iter().filter(|c| *c != "synthetic") {
        for (i, (x, y)) in strings(a, col).into_iter().zip(strings(b, col)).enumerate() {
            if x != y {
                out.push(format!("row {i} ({:?}) column {col}: {x:?} vs {y:?}", codes[i]));
            }
        }
    }
    out
}

#[test]
fn fetch_from_a_mirror_then_run_gives_the_demo_indicators() {
    let tmp = workdir();
    let root = tmp.path();
    let cwd = root.join("elsewhere");
    std::fs::create_dir_all(&cwd).unwrap();
    let d = data_dir(root);
    let catalogue = load_catalogue(&d.data.join("sources.toml")).unwrap();
    let demo = demo_files();

    // Package and serve every source at the path + query of its real URL.
    let server = Server::start();
    struct Served {
        r: ResolvedSource,
        /// The requests expected (the resource, then its redirect target).
        targets: Vec<String>,
        content: Vec<u8>,
    }
    let mut served = Vec::new();
    let mut local = Vec::new();
    for e in &d.entries {
        let source = catalogue.get(&e.id).unwrap();
        let r = source.resolve(Some(&e.vintage), &d.vars, catalogue.base_dir()).unwrap();
        let mut content = std::fs::read(&demo[&e.key]).unwrap();
        let note = source.note.clone().unwrap_or_default();
        if e.id == "iris_contours_wfs" && note.contains("lower-case") {
            for (_, lower) in &WFS_NAMES[..4] {
                assert!(note.contains(lower), "the catalogue's WFS note no longer names {lower}: {note}");
            }
            content = as_wfs_geojson(&content);
        }
        let Some(url) = &r.url else {
            // A local source (attendance), placed by hand where the catalogue says (relative to its
            // folder): after the fetch, to see what `run` says without it.
            let path = r.path.clone().unwrap();
            assert!(path.starts_with(&d.data), "{}: {} is outside the data folder", e.id, path.display());
            local.push((e.id.clone(), path, content));
            continue;
        };
        let body = package(&r, &content);
        let target = target_of(url);
        let mut targets = vec![target.clone()];
        if target.starts_with("/api/1/datasets/r/") {
            // data.gouv.fr resources redirect to static.data.gouv.fr (here: the same host).
            let location = format!("/static/resources/{}/{}", e.id, r.filename);
            server.route(&target, vec![Reply::redirect(302, &location)]);
            server.route(&location, vec![Reply::ok(body)]);
            targets.push(location);
        } else {
            server.route(&target, vec![Reply::ok(body)]);
        }
        served.push(Served { r, targets, content });
    }
    assert_eq!((served.len(), local.len()), (10, 1), "10 downloadable sources, 1 local");

    // 1. fetch --dataset --mirror
    let (code, err) =
        output(fracture(&cwd).args(["fetch", "--dataset", DATASET, "--data-dir"]).arg(&d.data).args([
            "--mirror",
            &server.base(),
            "--quiet",
        ]));
    assert_eq!(code, 0, "fetch failed:\n{err}");
    for (id, _, _) in &local {
        let line =
            err.lines().find(|l| l.contains(&format!("fetch: {id} "))).unwrap_or_else(|| panic!("{err}"));
        assert!(line.contains("missing"), "a local file not placed yet: {line}");
    }
    let raw = d.data.join("raw");
    for s in &served {
        for t in &s.targets {
            assert_eq!(server.hits(t), 1, "{}: requests for {t}", s.r.id);
        }
        let file = s.r.cache_path(&raw);
        assert!(file.is_file(), "{}: {} not cached", s.r.id, file.display());
        assert_eq!(file.parent().unwrap(), raw.join(&s.r.id).join(&s.r.vintage));
        let meta = sidecar(&file);
        assert_eq!(meta["sha256"].as_str().unwrap().len(), 64, "{}", s.r.id);
        assert!(meta["final_url"].as_str().unwrap().ends_with(s.targets.last().unwrap()), "{meta}");
        let data = match &s.r.format.member {
            Some(member) => {
                let extracted = meta["extracted"].as_array().unwrap();
                assert_eq!(extracted.len(), 1, "{}: only the member is extracted: {meta}", s.r.id);
                assert_eq!(extracted[0]["member"].as_str(), Some(member.as_str()));
                std::fs::read(file.parent().unwrap().join(member)).unwrap()
            }
            None if s.r.format.read.compression == Some(Compression::Gzip) => {
                assert!(s.r.filename.ends_with(".gz"), "{}", s.r.filename);
                gunzip(&std::fs::read(&file).unwrap())
            }
            None => std::fs::read(&file).unwrap(),
        };
        assert!(data == s.content, "{}: cached content differs from what was served", s.r.id);
    }

    // 2. run --dataset on the cache: first without the local file, then with it; and a plain demo run
    // to compare with.
    let reports = root.join("reports");
    let run_fixture = || {
        output(
            fracture(&cwd)
                .args(["run", "--dataset", DATASET, "--data-dir"])
                .arg(&d.data)
                .arg("--reports-dir")
                .arg(&reports),
        )
    };
    let (code, err) = run_fixture();
    assert_eq!(code, 3, "{err}");
    for (id, path, content) in &local {
        assert!(err.contains(&format!("@{id}")) && err.contains(&*path.to_string_lossy()), "{err}");
        assert!(!err.contains("fetch --source"), "fetch does not create a local source: {err}");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    let (code, err) = run_fixture();
    assert_eq!(code, 0, "run --dataset {DATASET} failed:\n{err}");
    assert!(err.contains("SYNTHETIC"), "{err}");
    let report = only_subdir(&reports.join(DATASET));
    assert!(report.join("index.html").is_file());
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(report.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["inputs"].as_array().unwrap().len(), 11, "{}", manifest["inputs"]);

    let demo_reports = root.join("demo-reports");
    let (code, err) = output(
        fracture(&cwd)
            .arg("run")
            .arg("--data-dir")
            .arg(project_root().join("data"))
            .arg("--reports-dir")
            .arg(&demo_reports),
    );
    assert_eq!(code, 0, "demo run failed:\n{err}");
    let demo_report = only_subdir(&demo_reports.join("demo"));
    assert_eq!(report.file_name(), demo_report.file_name(), "same quarter");

    let table = read_csv(&report.join("tables/indicators.csv"));
    let area_types = strings(&table, "area_type");
    let codes = strings(&table, "area_code");
    let qpv: Vec<&String> = codes
        .iter()
        .zip(&area_types)
        .filter(|(_, t)| t.as_deref() == Some("qpv"))
        .filter_map(|(c, _)| c.as_ref())
        .collect();
    assert_eq!(qpv.len(), 11, "{codes:?}");
    assert!(qpv.iter().all(|c| c.starts_with("QN999") && c.ends_with('M')), "{qpv:?}");
    for code in ["HORS_QPV", "TERRITOIRE"] {
        assert!(codes.iter().any(|c| c.as_deref() == Some(code)), "no {code} row: {codes:?}");
    }
    assert_eq!(table.height(), 13);
    for name in ["tables/indicators.csv", "tables/series.csv"] {
        let (a, b) = (read_csv(&report.join(name)), read_csv(&demo_report.join(name)));
        let diff = differences(&a, &b);
        assert!(diff.is_empty(), "{name}: the fetched chain differs from the demo:\n{}", diff.join("\n"));
    }

    // 3. Everything is cached: an offline fetch succeeds without a request.
    let before = server.all_requests().len();
    let (code, err) = output(
        fracture(&cwd).args(["fetch", "--dataset", DATASET, "--data-dir"]).arg(&d.data).arg("--offline"),
    );
    assert_eq!(code, 0, "offline fetch failed:\n{err}");
    assert_eq!(server.all_requests().len(), before, "an offline fetch made requests");
}

#[test]
fn run_before_any_fetch_says_which_source_to_fetch() {
    let tmp = workdir();
    let cwd = tmp.path().join("elsewhere");
    std::fs::create_dir_all(&cwd).unwrap();
    let d = data_dir(tmp.path());
    let (code, err) = output(
        fracture(&cwd)
            .args(["run", "--dataset", DATASET, "--data-dir"])
            .arg(&d.data)
            .arg("--reports-dir")
            .arg(tmp.path().join("reports")),
    );
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("fracture fetch --source qpv2024"), "{err}");
    assert!(!tmp.path().join("reports").exists(), "no report without inputs");
}
