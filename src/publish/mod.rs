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
use crate::indicators::Indicators;
use crate::indicators::definitions::{DEFINITIONS, definition};
use crate::ingest::Inputs;
use crate::join::Joined;
use crate::render::figures::Figure;

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
) -> Result<PathBuf, PublishError> {
    let final_dir = ctx.paths.report_dir(&ctx.dataset.id, &ind.period);
    let tmp = crate::io::atomic::temp_dir_beside(&final_dir)?;
    write_report(ctx, inputs, joined, ind, tmp.path())?;
    // Swap into place: old report aside, new one in, old one removed.
    crate::io::atomic::replace_dir(tmp, &final_dir)?;
    Ok(final_dir)
}

/// The indicators' notes, plus a count of the warnings met while reading the inputs (listed in
/// full in the manifest), so that a reader of the report knows they exist.
fn report_notes(inputs: &Inputs, ind: &Indicators) -> Vec<String> {
    let mut notes = ind.notes.clone();
    if !inputs.warnings.is_empty() {
        notes.push(format!(
            "{} avertissement(s) à la lecture des données (par exemple des contours non valides au sens OGC, utilisés tels quels) : liste complète dans manifest.json.",
            inputs.warnings.len()
        ));
    }
    notes
}

fn title_suffix(ctx: &Context, ind: &Indicators) -> String {
    let period = ind.quarter.map(|q| q.french()).unwrap_or_else(|| ind.period.clone());
    format!("{}, {period}", ctx.dataset.name)
}

/// Writes every output into `dir` (which must exist).
pub fn write_report(
    ctx: &Context,
    inputs: &Inputs,
    joined: &Joined,
    ind: &Indicators,
    dir: &Path,
) -> Result<(), PublishError> {
    let d = &ctx.dataset;
    let notice = if d.synthetic {
        d.notice.as_deref().or(Some("Données synthétiques de démonstration"))
    } else {
        d.notice.as_deref()
    };
    let figures = crate::render::figures::render(
        inputs,
        ind,
        &title_suffix(ctx, ind),
        &d.credit,
        notice,
        &dir.join("maps"),
    )?;

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
    let md_title = format!("Indicateurs — {}", title_suffix(ctx, ind));
    let notes = report_notes(inputs, ind);
    let mut md_notes = notes.clone();
    if let Some(n) = notice {
        md_notes.insert(0, format!("**{n}**"));
    }
    files::write_bytes(
        &dir.join("tables/indicators.md"),
        markdown::markdown_table(&ind.table, &md_title, &md_notes).as_bytes(),
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
    files::write_json(&dir.join("datasets/datapackage.json"), &datapackage(ctx, ind, &table))?;

    let html = report_html(ctx, joined, ind, &figures, notice, &notes)?;
    files::write_bytes(&dir.join("index.html"), html.as_bytes())?;
    write_manifest(ctx, inputs, joined, ind, dir)
}

fn datapackage(ctx: &Context, ind: &Indicators, table: &DataFrame) -> serde_json::Value {
    let fields: Vec<serde_json::Value> = table
        .get_column_names()
        .iter()
        .filter_map(|c| definition(c))
        .map(|d| json!({"name": d.column, "type": d.kind, "title": d.label_fr, "description": d.description, "unit": d.unit}))
        .collect();
    json!({
        "profile": "tabular-data-package",
        "name": format!("fracture-{}-{}", ctx.dataset.id, ind.period.to_lowercase()),
        "title": format!("Fracture numérique dans les QPV — {} — {}", ctx.dataset.name, ind.period),
        "licenses": [{"name": "etalab-2.0", "title": "Licence Ouverte 2.0", "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"}],
        "synthetic": ctx.dataset.synthetic,
        "sources": [{"title": ctx.dataset.credit}],
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

fn report_html(
    ctx: &Context,
    joined: &Joined,
    ind: &Indicators,
    figures: &[Figure],
    notice: Option<&str>,
    notes: &[String],
) -> Result<String, PublishError> {
    let t = &ind.table;
    let cols = markdown::shown_columns(t);
    let header = markdown::headings(&cols);
    let secrecy = markdown::text_column(t, "secrecy");
    let types = markdown::text_column(t, "area_type");
    let mut rows = Vec::new();
    for (i, secret) in secrecy.iter().enumerate() {
        // Readers look for the name first.
        let mut cells: Vec<String> = Vec::new();
        if let Ok(name) = t.column("area_name") {
            cells.push(markdown::display_cell(name, i, secret));
        }
        for c in cols.iter().filter(|c| c.as_str() != "area_name") {
            if let Ok(col) = t.column(c) {
                cells.push(markdown::display_cell(col, i, secret));
            }
        }
        rows.push(json!({"cells": cells, "comparison": types.get(i).is_some_and(|x| x != "qpv")}));
    }
    let mut header_ordered =
        vec![definition("area_name").map(|d| d.label_fr.to_string()).unwrap_or_default()];
    header_ordered
        .extend(cols.iter().zip(&header).filter(|(c, _)| c.as_str() != "area_name").map(|(_, h)| h.clone()));

    let summary = summary_lines(ind, joined);
    let mut downloads = vec![
        json!({"path": "tables/indicators.csv", "what": "indicateurs (CSV UTF-8, virgule, point décimal)"}),
        json!({"path": "tables/indicators_excel-fr.csv", "what": "même table pour Excel en français (point-virgule, virgule décimale)"}),
        json!({"path": "tables/indicators.md", "what": "même table en Markdown"}),
        json!({"path": "datasets/qpv_indicators.geojson", "what": "QPV et indicateurs (GeoJSON RFC 7946, WGS84)"}),
        json!({"path": "datasets/qpv_indicators.parquet", "what": "indicateurs des QPV (Parquet)"}),
        json!({"path": "datasets/datapackage.json", "what": "schéma des données (Frictionless Table Schema)"}),
    ];
    if ind.series.is_some() {
        downloads.insert(
            3,
            json!({"path": "tables/series.csv", "what": "participants par trimestre et par zone"}),
        );
    }
    let (maps, charts): (Vec<&Figure>, Vec<&Figure>) = figures.iter().partition(|f| f.kind == "map");
    let period_label = ind.quarter.map(|q| q.french()).unwrap_or_else(|| ind.period.clone());
    let context = json!({
        "title": format!("Fracture numérique dans les quartiers prioritaires — {}", ctx.dataset.name),
        "period_label": period_label,
        "dataset_name": ctx.dataset.name,
        "version": env!("CARGO_PKG_VERSION"),
        "notice": notice,
        "summary": summary,
        "maps": maps,
        "charts": charts,
        "table": {"header": header_ordered, "rows": rows},
        "notes": notes,
        "completion_hours": crate::numbers::fr(ctx.dataset.parameters.completion_min_hours, 0),
        "secrecy_min": ctx.dataset.parameters.secrecy_min_count,
        "weighting": ctx.dataset.parameters.population_weighting,
        "downloads": downloads,
        "credit": ctx.dataset.credit,
    });
    let mut env = minijinja::Environment::new();
    env.add_template("report", TEMPLATE).map_err(|e| PublishError::Template(e.to_string()))?;
    env.get_template("report")
        .and_then(|t| t.render(context))
        .map_err(|e| PublishError::Template(format!("{e:#}")))
}

/// A few sentences a reader sees first, computed from the table.
fn summary_lines(ind: &Indicators, joined: &Joined) -> Vec<String> {
    let t = &ind.table;
    let mut out = Vec::new();
    let qpv = ind.areas.iter().filter(|a| a.area_type == "qpv").count();
    out.push(format!("{qpv} quartiers prioritaires analysés."));
    let value = |col: &str, code: &str| -> Option<f64> {
        let codes = t.column("area_code").ok()?.str().ok()?.clone();
        let i = codes.iter().position(|c| c == Some(code))?;
        t.column(col).ok()?.cast(&DataType::Float64).ok()?.f64().ok()?.get(i)
    };
    let extreme = |col: &str, highest: bool| -> Option<(String, f64)> {
        ind.areas
            .iter()
            .filter(|a| a.area_type == "qpv")
            .filter_map(|a| Some((a.name.clone(), value(col, &a.code)?)))
            .max_by(|x, y| {
                let o = x.1.partial_cmp(&y.1).unwrap_or(std::cmp::Ordering::Equal);
                if highest { o.then(y.0.cmp(&x.0)) } else { o.reverse().then(y.0.cmp(&x.0)) }
            })
    };
    let f1 = |v: f64| crate::numbers::fr(v, 1);
    if let (Some(q), Some(h)) = (value("share_thd30", "HORS_QPV"), extreme("share_thd30", false)) {
        out.push(format!(
            "Éligibilité à ≥ 30 Mbit/s : {} % des locaux hors QPV ; la plus faible parmi les QPV : {} ({} %).",
            f1(q),
            h.0,
            f1(h.1)
        ));
    }
    if let Some(h) = extreme("poverty_rate", true) {
        out.push(format!("Taux de pauvreté le plus élevé : {} ({} %).", h.0, f1(h.1)));
    }
    if let (Some(q), Some(lo)) =
        (value("participants_per_1000", "TERRITOIRE"), extreme("participants_per_1000", false))
    {
        out.push(format!(
            "Portée des programmes : {} participants pour 1 000 habitants sur le territoire ; la plus faible parmi les QPV publiés : {} ({}).",
            f1(q),
            lo.0,
            f1(lo.1)
        ));
    }
    let hidden = markdown::text_column(t, "secrecy").iter().filter(|s| !s.is_empty()).count();
    if hidden > 0 {
        out.push(format!("{hidden} zone(s) ont des valeurs masquées par le secret statistique."));
    }
    let s = &joined.stats;
    if s.attendance_by_iris > 0 {
        out.push(format!(
            "{} enregistrements de fréquentation localisés par coordonnées, {} par code IRIS seulement.",
            crate::numbers::fr(s.attendance_by_coordinates as f64, 0),
            crate::numbers::fr(s.attendance_by_iris as f64, 0)
        ));
    }
    out
}

fn write_manifest(
    ctx: &Context,
    inputs: &Inputs,
    joined: &Joined,
    ind: &Indicators,
    dir: &Path,
) -> Result<(), PublishError> {
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
        "notes": ind.notes,
        "columns": DEFINITIONS.iter().filter(|d| ind.table.get_column_names().iter().any(|c| c.as_str() == d.column)).collect::<Vec<_>>(),
    });
    files::write_json(&dir.join("manifest.json"), &manifest)
}
