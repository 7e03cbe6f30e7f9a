//! Stage `publish`: the report folder `reports/<dataset>/<period>/`.
//!
//! Inputs: the products of every earlier stage. Outputs (all built in a temporary sibling folder, then
//! renamed into place, so a failed run never leaves a partial report):
//! - `index.html` (the readable report), `maps/*.png|svg` (from `render`);
//! - `tables/indicators.csv` (Etalab CSV), `tables/indicators_excel-fr.csv` (French-Excel twin),
//!   `tables/indicators.md`, `tables/series.csv`;
//! - `datasets/qpv_indicators.geojson` (RFC 7946), `datasets/qpv_indicators.parquet`,
//!   `datasets/datapackage.json` (Frictionless Table Schema of the CSV);
//! - `manifest.json`: inputs and outputs with SHA-256, parameters, version and the only timestamp.
//!
//! Invariant: the same inputs give byte-identical files, except `generated_at` in the manifest.
//! Personal data never reach this stage's outputs: only the aggregated, secrecy-checked table.

pub mod files;
pub mod geojson_out;
pub mod markdown;

use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde_json::json;

use crate::context::Context;
use crate::indicators::table::{Indicator, TextParams, indicator, indicators};
use crate::indicators::{AreaType, Indicators, Note};
use crate::ingest::Inputs;
use crate::join::Joined;
use crate::locale::{Arg, Lang, Locale};
use crate::render::figures::{Figure, FigureKind, FigureTexts};

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

const TEMPLATE: &str = include_str!("report.html");

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
    let fc = geojson_out::qpv_feature_collection(&inputs.qpv, &table).map_err(PublishError::Other)?;
    // Compact: one line per feature would be nicer to diff, but coordinates dominate the size.
    files::write_bytes(&dir.join("datasets/qpv_indicators.geojson"), format!("{fc}\n").as_bytes())?;
    let qpv_rows =
        table.clone().lazy().filter(col("area_type").eq(lit("qpv"))).collect().map_err(|source| {
            PublishError::Table { path: dir.join("datasets/qpv_indicators.parquet"), source }
        })?;
    files::write_parquet(&dir.join("datasets/qpv_indicators.parquet"), &qpv_rows)?;
    files::write_json(&dir.join("datasets/datapackage.json"), &datapackage(ctx, ind, &table, locale))?;

    let html = report_html(ctx, joined, ind, &figures, notice, &notes, locale)?;
    files::write_bytes(&dir.join("index.html"), html.as_bytes())?;
    write_manifest(ctx, inputs, joined, ind, locale, dir)
}

/// One field of a Table Schema, from the indicator table, in the locale's words.
fn schema_field(d: &Indicator, locale: &Locale, params: &TextParams) -> serde_json::Value {
    json!({
        "name": d.id,
        "type": d.column_type.as_str(),
        "title": d.label(locale.lang),
        "description": d.description(locale.lang, params),
        "unit": d.unit(locale.lang),
    })
}

fn datapackage(ctx: &Context, ind: &Indicators, table: &DataFrame, locale: &Locale) -> serde_json::Value {
    let hours = completion_hours(ctx, locale);
    let params = text_params(ctx, &hours);
    let fields: Vec<serde_json::Value> = table
        .get_column_names()
        .iter()
        .filter_map(|c| indicator(c))
        .map(|d| schema_field(d, locale, &params))
        .collect();
    let title = locale.format(
        "package.title",
        &[("dataset", Arg::Text(ctx.dataset.name.clone())), ("period", Arg::Text(ind.period.clone()))],
    );
    json!({
        "profile": "tabular-data-package",
        "name": format!("fracture-{}-{}", ctx.dataset.id, ind.period.to_lowercase()),
        "title": title,
        "licenses": [{"name": "etalab-2.0", "title": "Licence Ouverte 2.0", "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"}],
        "synthetic": ctx.dataset.synthetic,
        "sources": [{"title": ctx.dataset.credit(locale.lang)}],
        "resources": [{
            "name": "indicators",
            "path": "../tables/indicators.csv",
            "format": "csv",
            "encoding": "utf-8",
            "dialect": {"delimiter": ",", "header": true},
            "schema": {"fields": fields, "primaryKey": ["area_code"], "missingValues": [""]}
        }]
    })
}

/// A download of the report, in the order listed.
struct Download {
    path: &'static str,
    /// Message key of its description.
    what: &'static str,
}

/// The files a reader can download, as listed in the report.
fn downloads(ind: &Indicators) -> Vec<Download> {
    let d = |path, what| Download { path, what };
    let mut out = vec![
        d("tables/indicators.csv", "download.csv"),
        d("tables/indicators_excel-fr.csv", "download.excel"),
        d("tables/indicators.md", "download.markdown"),
    ];
    if ind.series.is_some() {
        out.push(d("tables/series.csv", "download.series"));
    }
    out.extend([
        d("datasets/qpv_indicators.geojson", "download.geojson"),
        d("datasets/qpv_indicators.parquet", "download.parquet"),
        d("datasets/datapackage.json", "download.datapackage"),
    ]);
    out
}

fn report_html(
    ctx: &Context,
    joined: &Joined,
    ind: &Indicators,
    figures: &[Figure],
    notice: Option<&str>,
    notes: &[String],
    locale: &Locale,
) -> Result<String, PublishError> {
    let t = &ind.table;
    let cols = markdown::shown_columns(t);
    let header = markdown::headings(&cols, locale);
    let secrecy = markdown::text_column(t, "secrecy");
    let types = markdown::text_column(t, "area_type");
    let mut rows = Vec::new();
    for (i, secret) in secrecy.iter().enumerate() {
        // Readers look for the name first.
        let mut cells: Vec<String> = Vec::new();
        if let Ok(name) = t.column("area_name") {
            cells.push(markdown::display_cell(name, i, secret, locale));
        }
        for c in cols.iter().filter(|c| c.as_str() != "area_name") {
            if let Ok(col) = t.column(c) {
                cells.push(markdown::display_cell(col, i, secret, locale));
            }
        }
        rows.push(
            json!({"cells": cells, "comparison": types.get(i).is_some_and(|x| x != AreaType::Qpv.code())}),
        );
    }
    let mut header_ordered =
        vec![indicator("area_name").map(|d| d.label(locale.lang).to_string()).unwrap_or_default()];
    header_ordered
        .extend(cols.iter().zip(&header).filter(|(c, _)| c.as_str() != "area_name").map(|(_, h)| h.clone()));

    let summary = summary_lines(ind, joined, locale);
    let downloads: Vec<serde_json::Value> =
        downloads(ind).iter().map(|d| json!({"path": d.path, "what": locale.text(d.what)})).collect();
    let (maps, charts): (Vec<&Figure>, Vec<&Figure>) =
        figures.iter().partition(|f| f.kind == FigureKind::Map);
    let period_label = ind.quarter.map(|q| locale.quarter(q)).unwrap_or_else(|| ind.period.clone());
    let params = &ctx.dataset.parameters;
    let text = |key: &str, args: &[(&str, Arg)]| locale.format(key, args);
    let method_population = match params.population_weighting {
        crate::join::Weighting::Dwellings => "report.method_population_dwellings",
        _ => "report.method_population_area",
    };
    let context = json!({
        "lang": locale.lang.code(),
        "t": locale.all_messages().collect::<std::collections::BTreeMap<_, _>>(),
        "title": text("report.title", &[("dataset", Arg::Text(ctx.dataset.name.clone()))]),
        "period_label": period_label,
        "dataset_name": ctx.dataset.name,
        "produced_by": text("report.produced_by", &[("version", Arg::Text(env!("CARGO_PKG_VERSION").into()))]),
        "notice": notice,
        "summary": summary,
        "maps": maps,
        "charts": charts,
        "table": {"header": header_ordered, "rows": rows},
        "table_caption": text("report.table_caption", &[("period", Arg::Text(period_label.clone()))]),
        "notes": notes,
        "method": [
            locale.text("report.method_geography"),
            locale.text(method_population),
            locale.text("report.method_connectivity"),
            text("report.method_reach", &[("hours", Arg::Text(completion_hours(ctx, locale)))]),
            text("report.method_secrecy", &[("min", Arg::Text(params.secrecy_min_count.to_string()))]),
        ],
        "downloads": downloads,
        "sources": text("report.sources", &[("credit", Arg::Text(ctx.dataset.credit(locale.lang).into()))]),
    });
    let mut env = minijinja::Environment::new();
    env.add_template("report", TEMPLATE).map_err(|e| PublishError::Template(e.to_string()))?;
    env.get_template("report")
        .and_then(|t| t.render(context))
        .map_err(|e| PublishError::Template(format!("{e:#}")))
}

/// A few sentences a reader sees first, computed from the table.
fn summary_lines(ind: &Indicators, joined: &Joined, locale: &Locale) -> Vec<String> {
    let t = &ind.table;
    let mut out = Vec::new();
    let qpv = ind.areas.iter().filter(|a| a.area_type == AreaType::Qpv).count();
    out.push(locale.format("summary.qpv_count", &[("n", Arg::Count(qpv as u64))]));
    let value = |col: &str, code: &str| -> Option<f64> {
        let codes = t.column("area_code").ok()?.str().ok()?.clone();
        let i = codes.iter().position(|c| c == Some(code))?;
        t.column(col).ok()?.cast(&DataType::Float64).ok()?.f64().ok()?.get(i)
    };
    let extreme = |col: &str, highest: bool| -> Option<(String, f64)> {
        ind.areas
            .iter()
            .filter(|a| a.area_type == AreaType::Qpv)
            .filter_map(|a| Some((a.name.clone(), value(col, &a.code)?)))
            .max_by(|x, y| {
                let o = x.1.partial_cmp(&y.1).unwrap_or(std::cmp::Ordering::Equal);
                if highest { o.then(y.0.cmp(&x.0)) } else { o.reverse().then(y.0.cmp(&x.0)) }
            })
    };
    let f1 = |v: f64| Arg::Number(v, 1);
    let name = |n: String| Arg::Text(n);
    if let (Some(q), Some(h)) =
        (value("share_thd30", crate::join::OUTSIDE_QPV), extreme("share_thd30", false))
    {
        out.push(
            locale.format("summary.thd30", &[("outside", f1(q)), ("name", name(h.0)), ("value", f1(h.1))]),
        );
    }
    if let Some(h) = extreme("poverty_rate", true) {
        out.push(locale.format("summary.poverty", &[("name", name(h.0)), ("value", f1(h.1))]));
    }
    if let (Some(q), Some(lo)) = (
        value("participants_per_1000", crate::indicators::TERRITORY),
        extreme("participants_per_1000", false),
    ) {
        out.push(
            locale
                .format("summary.reach", &[("territory", f1(q)), ("name", name(lo.0)), ("value", f1(lo.1))]),
        );
    }
    let hidden = markdown::text_column(t, "secrecy").iter().filter(|s| !s.is_empty()).count();
    if hidden > 0 {
        out.push(locale.format("summary.hidden", &[("n", Arg::Text(hidden.to_string()))]));
    }
    let s = &joined.stats;
    if s.attendance_by_iris > 0 {
        out.push(locale.format(
            "summary.attendance_located",
            &[
                ("coordinates", Arg::Count(s.attendance_by_coordinates as u64)),
                ("iris", Arg::Count(s.attendance_by_iris as u64)),
            ],
        ));
    }
    out
}

fn write_manifest(
    ctx: &Context,
    inputs: &Inputs,
    joined: &Joined,
    ind: &Indicators,
    locale: &Locale,
    dir: &Path,
) -> Result<(), PublishError> {
    let hours = completion_hours(ctx, locale);
    let params = text_params(ctx, &hours);
    let mut outputs = Vec::new();
    for rel in files::list_files(dir)? {
        let (sha256, bytes) =
            crate::io::hash::sha256_file(&dir.join(&rel)).map_err(|e| PublishError::Other(e.to_string()))?;
        outputs.push(
            json!({"path": rel.to_string_lossy().replace('\\', "/"), "sha256": sha256, "bytes": bytes}),
        );
    }
    let manifest = json!({
        "fracture_version": env!("CARGO_PKG_VERSION"),
        "generated_at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "dataset": {
            "id": ctx.dataset.id,
            "name": ctx.dataset.name,
            "synthetic": ctx.dataset.synthetic,
            "config_sha256": crate::io::hash::sha256_file(&ctx.config_path).map(|x| x.0).ok(),
        },
        "period": ind.period,
        "quarter": ind.quarter.map(|q| q.to_string()),
        "quarters_present": ind.quarters.iter().map(|q| q.to_string()).collect::<Vec<_>>(),
        "parameters": {
            "completion_min_hours": ctx.dataset.parameters.completion_min_hours,
            "secrecy_min_count": ctx.dataset.parameters.secrecy_min_count,
            "crs_for_areas": "EPSG:2154",
            "population_weighting": ctx.dataset.parameters.population_weighting,
            "pseudonymisation": "HMAC-SHA-256, key not recorded",
        },
        "inputs": inputs.files,
        "outputs": outputs,
        "join": joined.stats,
        "warnings": inputs.warnings,
        "language": locale.lang.code(),
        "notes": ind.notes,
        "columns": indicators()
            .iter()
            .filter(|d| ind.table.get_column_names().iter().any(|c| c.as_str() == d.id))
            .map(|d| schema_field(d, locale, &params))
            .collect::<Vec<_>>(),
    });
    files::write_json(&dir.join("manifest.json"), &manifest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Quarter;
    use crate::indicators::Area;
    use crate::indicators::fixture::{self, World};
    use crate::join::JoinStats;

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
            "tables/indicators.csv",
            "tables/indicators_excel-fr.csv",
            "tables/indicators.md",
            "datasets/qpv_indicators.geojson",
            "datasets/qpv_indicators.parquet",
            "datasets/datapackage.json",
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
            let p = datapackage(&ctx, &ind, &ind.table, &locale);
            let fields = p["resources"][0]["schema"]["fields"].as_array().unwrap();
            let names: Vec<&str> = fields.iter().map(|f| f["name"].as_str().unwrap()).collect();
            // Table columns in order, those that are not indicators left out.
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
                    "secrecy",
                    "completion_rate"
                ]
            );
            let params = TextParams { secrecy_min: 7, completion_hours: "9" };
            for f in fields {
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
            assert_eq!(p["resources"][0]["path"], "../tables/indicators.csv");
        }
    }

    #[test]
    fn fractional_completion_hours_are_written_as_they_are() {
        let mut ctx = fixture::context();
        ctx.dataset.parameters.completion_min_hours = 10.5;
        let mut ind = small();
        ind.table.with_column(Column::new("completion_rate".into(), [Some(50.0), None, None, None])).unwrap();
        let p = datapackage(&ctx, &ind, &ind.table, &Locale::new(Lang::Fr));
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
