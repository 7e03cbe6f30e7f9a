//! Stage `render`: chooses the figures a dataset's indicators allow and draws them.
//!
//! Inputs: the QPV geometries, the IRIS outlines (background), the indicator table and series, and the
//! locale every text is written in. Output: `<out_dir>/*.png|svg` and a [`Figure`] list (title, files,
//! text alternative) for the report. A map is drawn for each indicator the indicator table maps and
//! the dataset's table has; every figure carries the dataset's credit line and, for synthetic data,
//! its notice.

use std::collections::BTreeMap;
use std::path::Path;

use polars::prelude::*;

use super::{ChartSpec, MapFeature, MapSpec, RenderError, Series, choropleth, line_chart, scatter};
use crate::context::Context;
use crate::indicators::table::{Indicator, mapped};
use crate::indicators::{AreaType, Indicators, TERRITORY};
use crate::ingest::Inputs;
use crate::locale::{Arg, Locale};

/// What a figure is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FigureKind {
    Map,
    Chart,
}

/// A drawn figure, paths relative to the report folder.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Figure {
    pub kind: FigureKind,
    pub title: String,
    pub png: String,
    pub svg: String,
    pub description: String,
}

/// The words every figure of a run shares: the period in the titles, the credit line, the notice.
pub struct FigureTexts {
    /// `<dataset>, <period>`, appended to every title.
    pub title_suffix: String,
    pub credit: String,
    /// The synthetic-data banner (or the dataset's own notice).
    pub notice: Option<String>,
}

impl FigureTexts {
    /// The texts of a dataset's figures for the indicators' period, in the locale's words.
    pub fn new(ctx: &Context, ind: &Indicators, locale: &Locale) -> Self {
        let d = &ctx.dataset;
        let period = ind.quarter.map(|q| locale.quarter(q)).unwrap_or_else(|| ind.period.clone());
        let title_suffix = locale.format(
            "figure.title_suffix",
            &[("dataset", Arg::Text(d.name.clone())), ("period", Arg::Text(period))],
        );
        // The dataset's notice in the report's language; a synthetic dataset always says so.
        let notice = match (d.notice(locale.lang), d.synthetic) {
            (Some(n), _) => Some(n.to_string()),
            (None, true) => {
                Some(locale.format("figure.synthetic_notice_named", &[("name", Arg::Text(d.name.clone()))]))
            }
            (None, false) => None,
        };
        FigureTexts { title_suffix, credit: d.credit(locale.lang).to_string(), notice }
    }
}

fn column_values(df: &DataFrame, name: &str) -> Option<BTreeMap<String, Option<f64>>> {
    let codes = df.column("area_code").ok()?.str().ok()?.clone();
    let values = df.column(name).ok()?.cast(&DataType::Float64).ok()?;
    let values = values.f64().ok()?;
    Some(codes.iter().zip(values.iter()).filter_map(|(c, v)| Some((c?.to_string(), v))).collect())
}

/// Text alternative of a choropleth: range, extremes, missing.
fn describe(
    d: &Indicator,
    locale: &Locale,
    feats: &[MapFeature],
    territory: Option<f64>,
    decimals: usize,
) -> String {
    let mut known: Vec<&MapFeature> = feats.iter().filter(|f| f.value.is_some()).collect();
    known.sort_by(|a, b| {
        a.value.partial_cmp(&b.value).unwrap_or(std::cmp::Ordering::Equal).then(a.code.cmp(&b.code))
    });
    let unit = d.unit(locale.lang);
    let fmt = |v: f64| Arg::Text(format!("{} {unit}", locale.number(v, decimals)).trim_end().to_string());
    let label = Arg::Text(d.label(locale.lang).to_string());
    let mut s = locale.format("map.description", &[("n", Arg::Count(feats.len() as u64)), ("label", label)]);
    if let (Some(lo), Some(hi)) = (known.first(), known.last()) {
        s.push_str(&locale.format(
            "map.extremes",
            &[
                ("high_name", Arg::Text(hi.label.clone())),
                ("high", fmt(hi.value.unwrap_or_default())),
                ("low_name", Arg::Text(lo.label.clone())),
                ("low", fmt(lo.value.unwrap_or_default())),
            ],
        ));
    }
    if let Some(t) = territory {
        s.push_str(&locale.format("map.territory", &[("value", fmt(t))]));
    }
    let missing = feats.len() - known.len();
    if missing > 0 {
        s.push_str(&locale.format("map.missing", &[("n", Arg::Count(missing as u64))]));
    }
    s
}

/// Draws every figure the indicators allow into `out_dir` (the report's `maps/` folder).
pub fn render(
    inputs: &Inputs,
    ind: &Indicators,
    texts: &FigureTexts,
    locale: &Locale,
    out_dir: &Path,
) -> Result<Vec<Figure>, RenderError> {
    let background: Vec<geo::MultiPolygon<f64>> =
        inputs.iris.iter().flatten().map(|i| i.geometry.clone()).collect();
    let mut figures = Vec::new();
    let rel = |stem: &str, ext: &str| format!("maps/{stem}.{ext}");
    let suffix = || Arg::Text(texts.title_suffix.clone());
    let notice = texts.notice.as_deref();
    for (d, map) in mapped() {
        let Some(values) = column_values(&ind.table, &d.id) else { continue };
        let features: Vec<MapFeature> = inputs
            .qpv
            .iter()
            .map(|q| MapFeature {
                code: q.code.clone(),
                label: q.name.clone(),
                geometry: q.geometry.clone(),
                value: values.get(&q.code).copied().flatten(),
            })
            .collect();
        if features.iter().all(|f| f.value.is_none()) {
            continue;
        }
        let label = d.label(locale.lang);
        let title =
            locale.format("figure.title", &[("label", Arg::Text(label.to_string())), ("suffix", suffix())]);
        let description =
            describe(d, locale, &features, values.get(TERRITORY).copied().flatten(), map.decimals);
        let unit = d.unit(locale.lang);
        let legend = if unit.is_empty() { label.to_string() } else { unit.to_string() };
        let spec = MapSpec {
            file_stem: &map.stem,
            title: &title,
            legend_title: &legend,
            higher_is_better: d.higher_is_better(),
            decimals: map.decimals,
            credit: &texts.credit,
            notice,
            description: &description,
            locale,
        };
        let m = choropleth(&spec, &background, &features, out_dir)?;
        figures.push(Figure {
            kind: FigureKind::Map,
            title,
            png: rel(&map.stem, "png"),
            svg: rel(&map.stem, "svg"),
            description: m.description,
        });
    }

    // Quarterly reach per QPV and for the territory.
    if let Some(series) = &ind.series {
        let codes: Vec<String> = ind
            .areas
            .iter()
            .filter(|a| a.area_type != AreaType::OutsideQpv)
            .map(|a| a.code.clone())
            .collect();
        let q = series.column("quarter").and_then(|c| c.str().cloned());
        let c = series.column("area_code").and_then(|c| c.str().cloned());
        let v = series.column("participants_per_1000").and_then(|c| c.f64().cloned());
        if let (Ok(q), Ok(c), Ok(v)) = (q, c, v) {
            let mut by_area: BTreeMap<String, Vec<(String, Option<f64>)>> = BTreeMap::new();
            for ((q, c), v) in q.iter().zip(c.iter()).zip(v.iter()) {
                if let (Some(q), Some(c)) = (q, c) {
                    let label = q.parse().map(|q| locale.quarter(q)).unwrap_or_else(|_| q.to_string());
                    by_area.entry(c.to_string()).or_default().push((label, v));
                }
            }
            let series: Vec<Series> = codes
                .iter()
                .filter_map(|code| {
                    let name = ind.areas.iter().find(|a| &a.code == code).map(|a| a.name.clone())?;
                    Some(Series { label: name, points: by_area.remove(code)? })
                })
                .collect();
            let title = locale.format("chart.reach_title", &[("suffix", suffix())]);
            let description =
                locale.format("chart.reach_description", &[("n", Arg::Count(series.len() as u64))]);
            let spec = ChartSpec {
                file_stem: "reach_series",
                title: &title,
                y_label: locale.text("chart.reach_axis"),
                credit: &texts.credit,
                notice,
                description: &description,
                locale,
            };
            let r = line_chart(&spec, &series, out_dir)?;
            figures.push(Figure {
                kind: FigureKind::Chart,
                title,
                png: rel("reach_series", "png"),
                svg: rel("reach_series", "svg"),
                description: r.description,
            });
        }
    }

    // Need versus reach.
    if let (Some(need), Some(reach)) =
        (column_values(&ind.table, "poverty_rate"), column_values(&ind.table, "participants_per_1000"))
    {
        let points: Vec<(String, Option<f64>, Option<f64>)> = inputs
            .qpv
            .iter()
            .map(|q| {
                (q.name.clone(), need.get(&q.code).copied().flatten(), reach.get(&q.code).copied().flatten())
            })
            .collect();
        let title = locale.format("chart.need_title", &[("suffix", suffix())]);
        let description = locale.text("chart.need_description").to_string();
        let spec = ChartSpec {
            file_stem: "need_vs_reach",
            title: &title,
            y_label: locale.text("chart.reach_axis"),
            credit: &texts.credit,
            notice,
            description: &description,
            locale,
        };
        let r = scatter(&spec, locale.text("chart.need_axis"), &points, out_dir)?;
        figures.push(Figure {
            kind: FigureKind::Chart,
            title,
            png: rel("need_vs_reach", "png"),
            svg: rel("need_vs_reach", "svg"),
            description: r.description,
        });
    }
    Ok(figures)
}
