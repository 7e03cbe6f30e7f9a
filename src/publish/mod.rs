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
    let hours = locale.number(ctx.dataset.parameters.completion_min_hours, 0);
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
            text("report.method_reach", &[("hours", Arg::Number(params.completion_min_hours, 0))]),
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
    let hours = locale.number(ctx.dataset.parameters.completion_min_hours, 0);
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
