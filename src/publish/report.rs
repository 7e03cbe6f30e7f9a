//! `index.html`: the report page (minijinja template `report.html`), its summary lines and its list of
//! downloads, every sentence from the locale.

use polars::prelude::*;
use serde_json::json;

use super::{PublishError, markdown};
use crate::context::Context;
use crate::indicators::table::indicator;
use crate::indicators::{AreaType, Indicators};
use crate::join::Joined;
use crate::locale::{Arg, Locale};
use crate::render::figures::{Figure, FigureKind};

const TEMPLATE: &str = include_str!("report.html");

/// A download of the report, in the order listed.
pub(super) struct Download {
    pub path: &'static str,
    /// Message key of its description.
    pub what: &'static str,
}

/// The files a reader can download, as listed in the report: the open-data package `datasets/`
/// (whose CSV files are byte for byte those of `tables/`), the Markdown table and the series.
pub(super) fn downloads(ind: &Indicators) -> Vec<Download> {
    let d = |path, what| Download { path, what };
    let mut out = vec![
        d("datasets/indicators.csv", "download.csv"),
        d("datasets/indicators_excel-fr.csv", "download.excel"),
        d("tables/indicators.md", "download.markdown"),
    ];
    if ind.series.is_some() {
        out.push(d("tables/series.csv", "download.series"));
    }
    out.extend([
        d("datasets/qpv_indicators.geojson", "download.geojson"),
        d("datasets/qpv_indicators.parquet", "download.geoparquet"),
        d("datasets/qpv_indicators.gpkg", "download.gpkg"),
        d("datasets/datapackage.json", "download.package"),
        d("datasets/README.md", "download.package_readme"),
        d("datasets/LICENSE", "download.license"),
        d("datasets/SHA256SUMS", "download.sha256sums"),
    ]);
    out
}

pub(super) fn report_html(
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
    let text = |key: &str, args: &[(&str, Arg)]| locale.format(key, args);
    let mut method = method_lines(ctx, locale);
    method.push(secrecy_line(ctx, locale));
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
        "method": method,
        "downloads": downloads,
        "sources": text("report.sources", &[("credit", Arg::Text(ctx.dataset.credit(locale.lang).into()))]),
        "sections": super::report_sections::context(ind, locale),
    });
    let mut env = minijinja::Environment::new();
    env.add_template("report", TEMPLATE).map_err(|e| PublishError::Template(e.to_string()))?;
    super::report_sections::add_templates(&mut env)?;
    env.get_template("report")
        .and_then(|t| t.render(context))
        .map_err(|e| PublishError::Template(format!("{e:#}")))
}

/// The method in a few sentences (geography, population, connectivity, reach), as the report and the
/// package's README say it.
pub(super) fn method_lines(ctx: &Context, locale: &Locale) -> Vec<String> {
    let method_population = match ctx.dataset.parameters.population_weighting {
        crate::join::Weighting::Dwellings => "report.method_population_dwellings",
        _ => "report.method_population_area",
    };
    vec![
        locale.text("report.method_geography").to_string(),
        locale.text(method_population).to_string(),
        locale.text("report.method_connectivity").to_string(),
        locale.format("report.method_reach", &[("hours", Arg::Text(super::completion_hours(ctx, locale)))]),
    ]
}

/// The statistical-secrecy rule in one sentence.
pub(super) fn secrecy_line(ctx: &Context, locale: &Locale) -> String {
    let min = ctx.dataset.parameters.secrecy_min_count;
    locale.format("report.method_secrecy", &[("min", Arg::Text(min.to_string()))])
}

/// A few sentences a reader sees first, computed from the table.
pub(super) fn summary_lines(ind: &Indicators, joined: &Joined, locale: &Locale) -> Vec<String> {
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
