//! `index.html`: the report page (minijinja template `report.html`), its summary lines and its list of
//! downloads, every sentence from the locale.
//!
//! The page is self-contained (it works offline: no script, no remote resource, the figures' SVG
//! inlined, each with its data table in a `<details>`) and has a section per audience: analysts
//! (maps of every indicator, the full table, changes since the previous quarter, comparability,
//! notes and method), funders (reach against need: charts and table) and journalists (downloads
//! with licence, size and SHA-256). A print stylesheet makes it an A4 document.

use polars::prelude::*;
use serde_json::json;

use std::path::Path;

use super::{PublishError, markdown, report_tables};
use crate::context::Context;
use crate::indicators::{AreaType, Indicators};
use crate::join::Joined;
use crate::locale::{Arg, Locale};
use crate::render::figures::{Figure, FigureKind};

const TEMPLATE: &str = include_str!("report.html");
/// One figure and its data table, included by `report.html` for every map and chart.
const FIGURE: &str = include_str!("report_figure.html");

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

/// A figure as the report shows it: its fields, its SVG inlined, the id of its section.
#[derive(serde::Serialize)]
struct ShownFigure<'a> {
    #[serde(flatten)]
    figure: &'a Figure,
    id: String,
    svg_inline: String,
    /// Spans the whole width of the grid (small multiples).
    wide: bool,
}

/// The SVG of `figure` as written in `dir`, from its root element on, to inline in the page.
fn inline_svg(dir: &Path, figure: &Figure) -> Result<String, PublishError> {
    let path = dir.join(&figure.svg);
    let text =
        std::fs::read_to_string(&path).map_err(|source| PublishError::Io { path: path.clone(), source })?;
    let start =
        text.find("<svg").ok_or_else(|| PublishError::Other(format!("{}: no <svg>", path.display())))?;
    Ok(text[start..].trim_end().to_string())
}

fn shown_figure<'a>(dir: &Path, figure: &'a Figure) -> Result<ShownFigure<'a>, PublishError> {
    let stem = figure.svg.trim_start_matches("maps/").trim_end_matches(".svg");
    Ok(ShownFigure {
        figure,
        id: format!("fig-{stem}"),
        svg_inline: inline_svg(dir, figure)?,
        wide: figure.kind == FigureKind::Multiples,
    })
}

/// `index.html` of the report folder `dir`, whose figures, tables and package are already written
/// there (the page inlines the figures' SVG and lists the downloads' SHA-256).
#[allow(clippy::too_many_arguments, reason = "the page reads every product of the run")]
pub(super) fn report_html(
    ctx: &Context,
    joined: &Joined,
    ind: &Indicators,
    figures: &[Figure],
    notice: Option<&str>,
    notes: &[String],
    locale: &Locale,
    dir: &Path,
) -> Result<String, PublishError> {
    let t = &ind.table;
    let cols = markdown::shown_columns(t);
    let cols: Vec<&str> = cols.iter().map(String::as_str).filter(|c| *c != "area_name").collect();
    let table = report_tables::area_table(t, &cols, locale);
    let funders = report_tables::area_table(t, report_tables::FUNDERS_COLUMNS, locale);

    let summary = summary_lines(ind, joined, locale);
    let downloads = report_tables::listed_downloads(&downloads(ind), dir, locale)?;
    let shown = |kind: FigureKind| -> Result<Vec<ShownFigure>, PublishError> {
        figures.iter().filter(|f| f.kind == kind).map(|f| shown_figure(dir, f)).collect()
    };
    let (mut maps, charts) = (shown(FigureKind::Map)?, shown(FigureKind::Chart)?);
    maps.extend(shown(FigureKind::Multiples)?);
    let period_label = ind.quarter.map(|q| locale.quarter(q)).unwrap_or_else(|| ind.period.clone());
    let text = |key: &str, args: &[(&str, Arg)]| locale.format(key, args);
    let period = || Arg::Text(period_label.clone());
    let changes = report_tables::changes(ind, locale).map(|(previous, current, table)| {
        let caption = text(
            "report.changes_caption",
            &[("previous", Arg::Text(previous)), ("current", Arg::Text(current))],
        );
        json!({"caption": caption, "table": table})
    });
    let mut method = method_lines(ctx, locale);
    method.push(secrecy_line(ctx, locale));
    let comparability: Vec<&str> =
        ["report.comparability_classes", "report.comparability_secrecy", "report.comparability_rates"]
            .iter()
            .map(|k| locale.text(k))
            .collect();
    let last_change = super::gpkg::last_change(ind.quarter, &ind.period);
    let attribution = super::package::attribution(ctx, ind, locale, &last_change[..10]);
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
        "table": table,
        "table_caption": text("report.table_caption", &[("period", period())]),
        "changes": changes,
        "comparability": comparability,
        "funders": funders,
        "funders_caption": text("report.funders_caption", &[("period", period())]),
        "notes": notes,
        "method": method,
        "downloads": downloads,
        "attribution": attribution,
        "sources": text("report.sources", &[("credit", Arg::Text(ctx.dataset.credit(locale.lang).into()))]),
        "sections": super::report_sections::context(ind, locale),
    });
    let mut env = minijinja::Environment::new();
    // The `.html` names turn on escaping; the inlined SVG is marked `safe` in the template.
    env.set_formatter(html_formatter);
    env.add_template("report.html", TEMPLATE).map_err(|e| PublishError::Template(e.to_string()))?;
    env.add_template("report_figure.html", FIGURE).map_err(|e| PublishError::Template(e.to_string()))?;
    super::report_sections::add_templates(&mut env)?;
    env.get_template("report.html")
        .and_then(|t| t.render(context))
        .map_err(|e| PublishError::Template(format!("{e:#}")))
}

/// Writes a value into the page: as it is when marked safe (or escaping is off), else with the
/// five HTML special characters escaped (minijinja's own escaping also turns `/` into `&#x2f;`,
/// which would make every path of the page unreadable in its source).
fn html_formatter(
    out: &mut minijinja::Output,
    state: &minijinja::State,
    value: &minijinja::Value,
) -> Result<(), minijinja::Error> {
    let write_error =
        |e: std::fmt::Error| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, e.to_string());
    if value.is_undefined() || value.is_none() {
        return Ok(());
    }
    if value.is_safe() || matches!(state.auto_escape(), minijinja::AutoEscape::None) {
        return write!(out, "{value}").map_err(write_error);
    }
    let text = value.to_string();
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#x27;"),
            c => escaped.push(c),
        }
    }
    out.write_str(&escaped).map_err(write_error)
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
