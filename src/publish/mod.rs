//! Stage `publish`: the report folder `reports/<dataset>/<period>/`.
//!
//! Inputs: the products of every earlier stage. Outputs (all built in a temporary sibling folder, then
//! renamed into place, so a failed run never leaves a partial report):
//! - `index.html` (the readable report), `maps/*.png|svg` (from `render`);
//! - `tables/indicators.csv` (Etalab CSV), `tables/indicators_excel-fr.csv` (French-Excel twin),
//!   `tables/indicators.md`, `tables/series.csv` (the report's tables, at the paths earlier reports
//!   and scripts use);
//! - `datasets/`, the open-data package, self-contained (every path it describes is inside it):
//!   `indicators.csv` and `indicators_excel-fr.csv` (the same bytes as in `tables/`; the report links
//!   these), `qpv_indicators.geojson` (RFC 7946), `qpv_indicators.parquet` (GeoParquet 1.1),
//!   `qpv_indicators.gpkg` (GeoPackage), `datapackage.json` (Frictionless Data Package), `README.md`,
//!   `LICENSE` (Licence Ouverte 2.0), `SHA256SUMS`;
//! - `manifest.json`: inputs and outputs with SHA-256, parameters, version and the only timestamp.
//!
//! - [`files`]: the table writers (Etalab CSV, French-Excel twin, Parquet, JSON) over `io`;
//! - [`geometry`]: the QPV contours in WGS84 as every geographic file publishes them, WKB and
//!   GeoPackage binary; [`geojson_out`]: the QPV features with their row of the table (RFC 7946);
//!   [`geoparquet`]: the GeoParquet file; [`gpkg`]: the GeoPackage;
//! - [`markdown`]: the table for people (Markdown, and the cells of the report's table);
//! - `report`: `index.html`, its summary and downloads; `report_tables`: the tables of its
//!   sections (changes, reach against need, downloads with their SHA-256); `package`: `datapackage.json`, the package's
//!   README, LICENSE and SHA256SUMS;
//!   `manifest`: `manifest.json`.
//!
//! Invariant: the same inputs give byte-identical files, except `generated_at` in the manifest.
//! Personal data never reach this stage's outputs: only the aggregated, secrecy-checked table.

pub mod files;
pub mod geojson_out;
pub mod geometry;
pub mod geoparquet;
pub mod gpkg;
mod manifest;
pub mod markdown;
mod package;
mod report;
mod report_sections;
mod report_tables;

use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::context::Context;
use crate::indicators::table::TextParams;
use crate::indicators::{Indicators, Note};
use crate::ingest::Inputs;
use crate::join::Joined;
use crate::locale::{Arg, Lang, Locale};
use crate::render::figures::FigureTexts;

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{}: cannot write table: {source}", path.display())]
    Table { path: PathBuf, source: PolarsError },
    #[error("render: {0}")]
    Render(#[from] crate::render::RenderError),
    #[error("report template: {0}")]
    Template(String),
    #[error("{0}")]
    Other(String),
}

/// Builds the whole report folder atomically and returns its final path.
pub fn publish(
    ctx: &Context,
    inputs: &Inputs,
    joined: &Joined,
    ind: &Indicators,
    locale: &Locale,
) -> Result<PathBuf, PublishError> {
    let final_dir = report_dir(ctx, &ind.period, locale.lang);
    let tmp = crate::io::atomic::temp_dir_beside(&final_dir)?;
    write_report(ctx, inputs, joined, ind, locale, tmp.path())?;
    // Swap into place: old report aside, new one in, old one removed.
    crate::io::atomic::replace_dir(tmp, &final_dir)?;
    Ok(final_dir)
}

/// Where a report is published: `reports/<dataset>/<period>/` in French (the default),
/// `reports/<dataset>/<lang>/<period>/` in another language.
pub fn report_dir(ctx: &Context, period: &str, lang: Lang) -> PathBuf {
    match lang {
        Lang::Fr => ctx.paths.report_dir(&ctx.dataset.id, period),
        other => ctx.paths.report_dir(&ctx.dataset.id, other.code()).join(period),
    }
}

/// The indicators' notes, plus a count of the warnings met while reading the inputs (listed in
/// full in the manifest), so that a reader of the report knows they exist.
fn report_notes(inputs: &Inputs, ind: &Indicators) -> Vec<Note> {
    let mut notes = ind.notes.clone();
    if !inputs.warnings.is_empty() {
        notes.push(Note::InputWarnings { count: inputs.warnings.len() });
    }
    notes
}

/// The course completion threshold as written for people: as many decimals as it has (`10`, `10,5`).
fn completion_hours(ctx: &Context, locale: &Locale) -> String {
    let h = ctx.dataset.parameters.completion_min_hours;
    let decimals = (0..3).find(|d| {
        let f = 10f64.powi(*d);
        ((h * f).round() - h * f).abs() < 1e-9
    });
    locale.number(h, decimals.unwrap_or(3) as usize)
}

/// The values substituted into the indicator table's descriptions.
fn text_params<'a>(ctx: &Context, hours: &'a str) -> TextParams<'a> {
    TextParams { secrecy_min: ctx.dataset.parameters.secrecy_min_count, completion_hours: hours }
}

/// Writes every output into `dir` (which must exist).
pub fn write_report(
    ctx: &Context,
    inputs: &Inputs,
    joined: &Joined,
    ind: &Indicators,
    locale: &Locale,
    dir: &Path,
) -> Result<(), PublishError> {
    let d = &ctx.dataset;
    let texts = FigureTexts::new(ctx, ind, locale);
    let notice = texts.notice.as_deref();
    let figures = crate::render::figures::render(inputs, ind, &texts, locale, &dir.join("maps"))?;

    // Every machine-readable output of a synthetic dataset says so on every row.
    let mark = |df: &DataFrame, path: &str| -> Result<DataFrame, PublishError> {
        let mut df = df.clone();
        if d.synthetic {
            df.with_column(Column::new("synthetic".into(), vec![true; df.height()]))
                .map_err(|source| PublishError::Table { path: dir.join(path), source })?;
        }
        Ok(df)
    };
    let table = mark(&ind.table, "tables/indicators.csv")?;
    files::write_csv(&dir.join("tables/indicators.csv"), &table)?;
    files::write_csv_excel_fr(&dir.join("tables/indicators_excel-fr.csv"), &table)?;
    let md_title =
        locale.format("table.markdown_title", &[("suffix", Arg::Text(texts.title_suffix.clone()))]);
    let notes: Vec<String> = report_notes(inputs, ind).iter().map(|n| n.text(locale)).collect();
    let mut md_notes = notes.clone();
    if let Some(n) = notice {
        md_notes.insert(0, format!("**{n}**"));
    }
    files::write_bytes(
        &dir.join("tables/indicators.md"),
        markdown::markdown_table(&ind.table, &md_title, &md_notes, locale).as_bytes(),
    )?;
    if let Some(s) = &ind.series {
        files::write_csv(&dir.join("tables/series.csv"), &mark(s, "tables/series.csv")?)?;
    }
    report_sections::write_tables(ctx, ind, dir)?;
    write_package(ctx, inputs, ind, &table, locale, &dir.join("datasets"))?;

    let html = report::report_html(ctx, joined, ind, &figures, notice, &notes, locale, dir)?;
    files::write_bytes(&dir.join("index.html"), html.as_bytes())?;
    manifest::write_manifest(ctx, inputs, joined, ind, locale, dir)
}

/// The open-data package `datasets/` (see [`package`]): every file it describes is in it.
fn write_package(
    ctx: &Context,
    inputs: &Inputs,
    ind: &Indicators,
    table: &DataFrame,
    locale: &Locale,
    dir: &Path,
) -> Result<(), PublishError> {
    use package::file;
    let path = |f: &str| dir.join(f);
    let table_error = |f: &str| {
        let p = path(f);
        move |source| PublishError::Table { path: p, source }
    };
    files::write_csv(&path(file::CSV), table)?;
    files::write_csv_excel_fr(&path(file::EXCEL), table)?;

    let shapes = geometry::qpv_shapes_wgs84(&inputs.qpv).map_err(PublishError::Other)?;
    let fc = geojson_out::feature_collection(&inputs.qpv, &shapes, table).map_err(PublishError::Other)?;
    // Compact: one line per feature would be nicer to diff, but coordinates dominate the size.
    files::write_bytes(&path(file::GEOJSON), format!("{fc}\n").as_bytes())?;
    let qpv_rows = table
        .clone()
        .lazy()
        .filter(col("area_type").eq(lit(crate::indicators::AreaType::Qpv.code())))
        .collect()
        .map_err(table_error(file::GEOPARQUET))?;
    geoparquet::write_geoparquet(&path(file::GEOPARQUET), &qpv_rows, &shapes)?;

    let last_change = gpkg::last_change(ind.quarter, &ind.period);
    let date = &last_change[..10];
    let arg = |key: &str| {
        locale.format(
            key,
            &[("dataset", Arg::Text(ctx.dataset.name.clone())), ("period", Arg::Text(ind.period.clone()))],
        )
    };
    let (features, attributes) = (arg("package.gpkg_features"), arg("package.gpkg_attributes"));
    let contents = gpkg::Contents {
        features_title: &features,
        features_description: locale.text("package.gpkg_features_description"),
        attributes_title: &attributes,
        attributes_description: locale.text("package.gpkg_attributes_description"),
        last_change: &last_change,
    };
    let gpkg_path = path(file::GPKG);
    files::write_bytes(&gpkg_path, &gpkg::gpkg_bytes(table, &qpv_rows, &shapes, &contents, &gpkg_path)?)?;

    let method = report::method_lines(ctx, locale);
    let secrecy = report::secrecy_line(ctx, locale);
    let readme = package::readme(ctx, ind, table, locale, &method, &secrecy, date);
    files::write_bytes(&path(file::README), readme.as_bytes())?;
    files::write_bytes(&path(file::LICENSE), package::license(ctx, ind, locale, date).as_bytes())?;

    let extra = report_sections::package_files(ctx, ind, locale, dir)?;
    let mut stats = package::FileStats::new();
    let extra_paths: Vec<String> =
        extra.iter().filter_map(|r| r["path"].as_str().map(String::from)).collect();
    for f in [file::CSV, file::EXCEL, file::GEOJSON, file::GPKG]
        .into_iter()
        .chain(extra_paths.iter().map(String::as_str))
    {
        let s = crate::io::hash::sha256_file(&path(f)).map_err(|e| PublishError::Other(e.to_string()))?;
        stats.insert(f.to_string(), s);
    }
    let mut dp = package::datapackage(ctx, ind, table, locale, &stats);
    if let Some(resources) = dp["resources"].as_array_mut() {
        for mut r in extra {
            if let Some((sha, bytes)) = r["path"].as_str().and_then(|p| stats.get(p)) {
                r["hash"] = serde_json::json!(format!("sha256:{sha}"));
                r["bytes"] = serde_json::json!(bytes);
            }
            resources.push(r);
        }
    }
    files::write_json(&path(file::DATAPACKAGE), &dp)?;
    files::write_bytes(&path(file::SHA256SUMS), package::sha256sums(dir)?.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::package::datapackage;
    use super::report::{downloads, summary_lines};
    use super::*;
    use crate::context::Quarter;
    use crate::indicators::Area;
    use crate::indicators::AreaType;
    use crate::indicators::fixture::{self, World};
    use crate::indicators::table::indicator;
    use crate::join::JoinStats;
    use serde_json::{Value, json};

    fn area(area_type: AreaType, code: &str, name: &str) -> Area {
        let qpv = area_type == AreaType::Qpv;
        Area {
            area_type,
            code: code.into(),
            code_qp: qpv.then(|| code.into()),
            name: name.into(),
            commune: None,
            area_km2: None,
        }
    }

    /// Two QPV and the comparison rows; La Butte's participants are secret.
    fn small() -> Indicators {
        let table = df!(
            "area_type" => ["qpv", "qpv", "hors_qpv", "territoire"],
            "area_code" => ["Q1", "Q2", "HORS_QPV", "TERRITOIRE"],
            "area_name" => ["Les Tilleuls", "La Butte", "Testville hors QPV", "Testville (ensemble)"],
            "share_thd30" => [Some(92.7), Some(85.5), Some(97.1), Some(95.0)],
            "poverty_rate" => [Some(30.1), Some(41.2), Some(12.0), None],
            "participants" => [Some(48i64), None, Some(300), Some(360)],
            "participants_per_1000" => [Some(20.6), None, Some(14.9), Some(15.2)],
            "not_an_indicator" => [1i64, 2, 3, 4],
            "secrecy" => [None, Some("participants:primary"), None, None],
        )
        .unwrap();
        Indicators {
            table,
            series: None,
            programme: None,
            targets: None,
            funder: None,
            ifn_ranks: None,
            crosswalk: None,
            quarter: Some(Quarter { year: 2025, q: 3 }),
            quarters: vec![Quarter { year: 2025, q: 3 }],
            period: "2025-Q3".into(),
            notes: Vec::new(),
            areas: vec![
                area(AreaType::Qpv, "Q1", "Les Tilleuls"),
                area(AreaType::Qpv, "Q2", "La Butte"),
                area(AreaType::OutsideQpv, "HORS_QPV", "Testville hors QPV"),
                area(AreaType::Territory, "TERRITOIRE", "Testville (ensemble)"),
            ],
        }
    }

    fn joined(by_coordinates: usize, by_iris: usize) -> Joined {
        Joined {
            iris_weights: None,
            buildings: None,
            places: None,
            attendance: None,
            crosswalk: None,
            stats: JoinStats {
                attendance_by_coordinates: by_coordinates,
                attendance_by_iris: by_iris,
                ..Default::default()
            },
        }
    }

    #[test]
    fn french_reports_at_the_root_other_languages_in_their_folder() {
        let ctx = fixture::context();
        let root = &ctx.paths.reports_dir;
        assert_eq!(report_dir(&ctx, "2025-Q3", Lang::Fr), root.join("testville").join("2025-Q3"));
        assert_eq!(report_dir(&ctx, "2025-Q3", Lang::En), root.join("testville").join("en").join("2025-Q3"));
    }

    #[test]
    fn downloads_list_the_series_only_when_there_is_one_in_order() {
        let mut ind = small();
        let paths = |ind: &Indicators| downloads(ind).iter().map(|d| d.path).collect::<Vec<_>>();
        let without = [
            "datasets/indicators.csv",
            "datasets/indicators_excel-fr.csv",
            "tables/indicators.md",
            "datasets/qpv_indicators.geojson",
            "datasets/qpv_indicators.parquet",
            "datasets/qpv_indicators.gpkg",
            "datasets/datapackage.json",
            "datasets/README.md",
            "datasets/LICENSE",
            "datasets/SHA256SUMS",
        ];
        assert_eq!(paths(&ind), without);
        ind.series = Some(DataFrame::empty());
        let mut with = without.to_vec();
        with.insert(3, "tables/series.csv");
        assert_eq!(paths(&ind), with);
        // Every description is a message of both languages.
        for d in downloads(&ind) {
            for lang in [Lang::Fr, Lang::En] {
                assert_ne!(Locale::new(lang).text(d.what), d.what, "{} has no {lang:?} text", d.what);
            }
        }
        assert_eq!(Locale::new(Lang::En).text(downloads(&ind)[3].what), "participants by quarter and area");
    }

    #[test]
    fn datapackage_fields_come_from_the_indicator_table_with_parameters_substituted() {
        let mut ctx = fixture::context();
        ctx.dataset.parameters.secrecy_min_count = 7;
        ctx.dataset.parameters.completion_min_hours = 9.0;
        let mut ind = small();
        ind.table.with_column(Column::new("completion_rate".into(), [Some(50.0), None, None, None])).unwrap();
        for lang in [Lang::Fr, Lang::En] {
            let locale = Locale::new(lang);
            let p = datapackage(&ctx, &ind, &ind.table, &locale, &Default::default());
            let fields = p["resources"][0]["schema"]["fields"].as_array().unwrap();
            let names: Vec<&str> = fields.iter().map(|f| f["name"].as_str().unwrap()).collect();
            // Table columns in order; one the indicator table does not define keeps its name and type,
            // so that the schema always matches the file.
            assert_eq!(
                names,
                [
                    "area_type",
                    "area_code",
                    "area_name",
                    "share_thd30",
                    "poverty_rate",
                    "participants",
                    "participants_per_1000",
                    "not_an_indicator",
                    "secrecy",
                    "completion_rate"
                ]
            );
            assert_eq!(fields[7], json!({"name": "not_an_indicator", "type": "integer"}));
            let params = TextParams { secrecy_min: 7, completion_hours: "9" };
            for f in fields.iter().filter(|f| f["name"] != "not_an_indicator") {
                let d = indicator(f["name"].as_str().unwrap()).unwrap();
                assert_eq!(f["type"], d.column_type.as_str());
                assert_eq!(f["title"], d.label(lang));
                assert_eq!(f["unit"], d.unit(lang));
                assert_eq!(f["description"], d.description(lang, &params).as_str());
                assert!(!f["description"].as_str().unwrap().contains('{'), "{f}");
            }
            let field = |id: &str| fields.iter().find(|f| f["name"] == id).unwrap()["description"].clone();
            let (secrecy, completion) = (field("secrecy"), field("completion_rate"));
            let (secrecy, completion) = (secrecy.as_str().unwrap(), completion.as_str().unwrap());
            match lang {
                Lang::Fr => {
                    assert!(secrecy.contains("moins de 7 personnes"), "{secrecy}");
                    assert!(completion.contains("au moins 9 h des 12 h"), "{completion}");
                    assert_eq!(p["title"], "Fracture numérique dans les QPV — Testville — 2025-Q3");
                }
                Lang::En => {
                    assert!(secrecy.contains("fewer than 7 persons"), "{secrecy}");
                    assert!(completion.contains("at least 9 of the course's 12 hours"), "{completion}");
                    assert_eq!(p["title"], "Digital divide in the QPV — Testville — 2025-Q3");
                    assert_eq!(fields[0]["title"], "Area type");
                }
            }
            assert_eq!(p["name"], "fracture-testville-2025-q3");
            assert_eq!(p["synthetic"], false);
            assert_eq!(p["sources"][0]["title"], "Données de test");
            assert_eq!(p["resources"][0]["schema"]["primaryKey"], json!(["area_code"]));
            assert_eq!(p["resources"][0]["path"], "indicators.csv");
            // Constraints from the definitions.
            let constraints =
                |id: &str| fields.iter().find(|f| f["name"] == id).unwrap()["constraints"].clone();
            assert_eq!(constraints("area_code"), json!({"required": true, "unique": true}));
            assert_eq!(constraints("area_type")["enum"], json!(["qpv", "hors_qpv", "territoire"]));
            assert_eq!(constraints("share_thd30"), json!({"minimum": 0, "maximum": 100}));
            assert_eq!(constraints("participants"), json!({"minimum": 0}));
            assert_eq!(constraints("secrecy"), Value::Null);
            // Every resource is a file of the package folder itself.
            let resources = p["resources"].as_array().unwrap();
            assert_eq!(resources.len(), 5);
            for r in resources {
                let path = r["path"].as_str().unwrap();
                assert!(!path.contains('/') && !path.contains(".."), "{path}");
                assert!(r["mediatype"].is_string() && r["format"].is_string(), "{r}");
            }
            let excel = &resources[1]["schema"]["fields"];
            assert_eq!(excel[3]["decimalChar"], ",", "numbers with a decimal comma");
            assert_eq!(excel[5].get("decimalChar"), None, "integers have no decimals");
            assert_eq!(resources[1]["dialect"]["delimiter"], ";");
            assert_eq!(p["licenses"][0]["name"], "etalab-2.0");
        }
    }

    #[test]
    fn datapackage_carries_the_hash_and_size_of_the_files_it_is_given() {
        let ctx = fixture::context();
        let ind = small();
        let stats = package::FileStats::from([("indicators.csv".to_string(), ("ab12".to_string(), 7))]);
        let p = datapackage(&ctx, &ind, &ind.table, &Locale::new(Lang::Fr), &stats);
        assert_eq!(p["resources"][0]["hash"], "sha256:ab12");
        assert_eq!(p["resources"][0]["bytes"], 7);
        assert_eq!(p["resources"][1].get("hash"), None);
    }

    #[test]
    fn the_package_readme_has_the_dictionary_sources_and_attribution_in_each_language() {
        let ctx = fixture::context();
        let ind = small();
        for lang in [Lang::Fr, Lang::En] {
            let locale = Locale::new(lang);
            let method = report::method_lines(&ctx, &locale);
            let secrecy = report::secrecy_line(&ctx, &locale);
            let r = package::readme(&ctx, &ind, &ind.table, &locale, &method, &secrecy, "2025-09-30");
            for (_, what) in package::FILES {
                assert!(r.contains(locale.text(what)), "{what}");
            }
            let d = indicator("share_thd30").unwrap();
            assert!(r.contains(&format!("| `share_thd30` | {} | number | % |", d.label(lang))), "{r}");
            assert!(r.contains("| `not_an_indicator` |  | integer |"), "{r}");
            assert!(r.contains(&secrecy) && r.contains(&method[0]));
            assert!(r.contains("Données de test") && r.contains("2025-09-30"), "source and date: {r}");
            assert!(r.contains(package::LICENCE_URL));
            let license = package::license(&ctx, &ind, &locale, "2025-09-30");
            assert!(license.contains("etalab-2.0") && license.contains(package::LICENCE_URL));
            assert!(license.contains(&package::attribution(&ctx, &ind, &locale, "2025-09-30")));
        }
    }

    #[test]
    fn sources_named_by_the_dataset_come_from_the_catalogue_with_producer_and_vintage() {
        let mut ctx = fixture::context();
        ctx.paths.data_dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data");
        ctx.dataset.sources = vec![
            crate::context::SourceRef { id: "qpv2024".into(), vintage: Some("2024".into()) },
            crate::context::SourceRef { id: "not_in_the_catalogue".into(), vintage: None },
        ];
        let locale = Locale::new(Lang::Fr);
        let s = package::sources(&ctx, &small(), &locale);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].producer.as_deref(), Some("ANCT"));
        assert_eq!(s[0].vintage.as_deref(), Some("2024"));
        assert!(s[0].title.starts_with("Quartiers prioritaires"), "{:?}", s[0]);
        assert!(s[0].page.as_deref().is_some_and(|p| p.starts_with("https://")));
        assert_eq!((s[1].title.as_str(), s[1].producer.as_deref()), ("not_in_the_catalogue", None));
        let p = datapackage(&ctx, &small(), &small().table, &locale, &Default::default());
        assert_eq!(p["sources"][0]["producer"], "ANCT");
        // Without catalogue sources: the credit line (a real dataset's has no invented producer).
        ctx.dataset.sources.clear();
        let s = package::sources(&ctx, &small(), &locale);
        assert_eq!((s[0].title.as_str(), s[0].producer.as_deref()), ("Données de test", None));
    }

    #[test]
    fn sha256sums_lists_every_other_file_sorted_in_sha256sum_format() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("b.txt"), "b").unwrap();
        std::fs::write(dir.path().join("a.txt"), "a").unwrap();
        std::fs::write(dir.path().join("SHA256SUMS"), "old").unwrap();
        let sums = package::sha256sums(dir.path()).unwrap();
        assert_eq!(
            sums,
            "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb  a.txt\n\
             3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d  b.txt\n"
        );
    }

    #[test]
    fn fractional_completion_hours_are_written_as_they_are() {
        let mut ctx = fixture::context();
        ctx.dataset.parameters.completion_min_hours = 10.5;
        let mut ind = small();
        ind.table.with_column(Column::new("completion_rate".into(), [Some(50.0), None, None, None])).unwrap();
        let p = datapackage(&ctx, &ind, &ind.table, &Locale::new(Lang::Fr), &Default::default());
        let fields = p["resources"][0]["schema"]["fields"].as_array().unwrap();
        let c = fields.iter().find(|f| f["name"] == "completion_rate").unwrap()["description"].clone();
        assert!(c.as_str().unwrap().contains("au moins 10,5 h"), "{c}");
    }

    #[test]
    fn summary_lines_in_french() {
        let lines = summary_lines(&small(), &joined(12, 3), &Locale::new(Lang::Fr));
        assert_eq!(
            lines,
            [
                "2 quartiers prioritaires analysés.",
                "Éligibilité à ≥ 30 Mbit/s : 97,1 % des locaux hors QPV ; la plus faible parmi les QPV : La Butte (85,5 %).",
                "Taux de pauvreté le plus élevé : La Butte (41,2 %).",
                "Portée des programmes : 15,2 participants pour 1 000 habitants sur le territoire ; la plus faible parmi les QPV publiés : Les Tilleuls (20,6).",
                "1 zone(s) ont des valeurs masquées par le secret statistique.",
                "12 enregistrements de fréquentation localisés par coordonnées, 3 par code IRIS seulement.",
            ]
        );
    }

    #[test]
    fn summary_lines_in_english() {
        let lines = summary_lines(&small(), &joined(12, 3), &Locale::new(Lang::En));
        assert_eq!(
            lines,
            [
                "2 priority neighbourhoods analysed.",
                "Eligibility to ≥ 30 Mbit/s: 97.1 % of premises outside QPV; the lowest among the QPV: La Butte (85.5 %).",
                "Highest poverty rate: La Butte (41.2 %).",
                "Programme reach: 15.2 participants per 1,000 residents in the territory; the lowest among the published QPV: Les Tilleuls (20.6).",
                "1 area(s) have values hidden by statistical secrecy.",
                "12 attendance records located by coordinates, 3 by IRIS code only.",
            ]
        );
    }

    #[test]
    fn summary_lines_say_only_what_the_table_has() {
        let mut ind = small();
        ind.table = ind.table.select(["area_type", "area_code", "area_name", "poverty_rate"]).unwrap();
        let lines = summary_lines(&ind, &joined(12, 0), &Locale::new(Lang::En));
        assert_eq!(
            lines,
            ["2 priority neighbourhoods analysed.", "Highest poverty rate: La Butte (41.2 %)."]
        );
    }

    #[test]
    fn report_notes_count_the_input_warnings() {
        let mut w = World::new();
        let ind = w.indicators();
        assert_eq!(report_notes(&w.inputs, &ind), ind.notes);
        w.inputs.warnings = vec!["a".into(), "b".into()];
        let notes = report_notes(&w.inputs, &ind);
        assert_eq!(notes.last(), Some(&Note::InputWarnings { count: 2 }));
        assert_eq!(notes.len(), ind.notes.len() + 1);
    }
}
