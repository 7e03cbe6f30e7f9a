//! Stage `render`: chooses the figures a dataset's indicators allow and draws them.
//!
//! Inputs: the QPV geometries, the IRIS outlines (background), the indicator table and series, and the
//! locale every text is written in. Output: `<out_dir>/*.png|svg`, beside each figure
//! `<out_dir>/<stem>.json` with the data it draws (see `sidecar`), and a [`Figure`] list (title,
//! files, text alternative) for the report. A map is drawn for each indicator the indicator table
//! maps and the dataset's table has, classed by the method its table entry names; a QPV without a
//! value is "secret" when the row's `secrecy` column lists the indicator's count (its `hidden_with`,
//! or the column itself), "no data" otherwise. Every figure carries the dataset's credit line and,
//! for synthetic data, its notice.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use polars::prelude::*;

use super::classify::{ClassBreaks, Method, UserBreaks};
use super::data_table::{FigureTable, heading, map_table, scatter_table};
use super::sidecar::{map_data, scatter_data, write_json};
use super::{ChartSpec, MapFeature, MapSpec, MapState, MapValue, RenderError, choropleth, scatter};
use crate::context::Context;
use crate::indicators::table::{self, ClassMethod, Classification, Indicator, mapped};
use crate::indicators::{Indicators, TERRITORY};
use crate::ingest::Inputs;
use crate::locale::{Arg, Locale};

/// What a figure is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FigureKind {
    Map,
    /// Small multiples: one indicator mapped over several quarters.
    Multiples,
    Chart,
}

/// A drawn figure, paths relative to the report folder.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Figure {
    pub kind: FigureKind,
    pub title: String,
    pub png: String,
    pub svg: String,
    /// `maps/<stem>.json`: the data the figure draws.
    pub data: String,
    pub description: String,
    /// A map's classification in words ("Quantiles, 4 classes sur 5 demandées"); `None` for a chart.
    pub method: Option<String>,
    /// What the figure draws, as a table for people (its text alternative in the report).
    pub table: FigureTable,
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

pub(super) fn column_values(df: &DataFrame, name: &str) -> Option<BTreeMap<String, Option<f64>>> {
    let codes = df.column("area_code").ok()?.str().ok()?.clone();
    let values = df.column(name).ok()?.cast(&DataType::Float64).ok()?;
    let values = values.f64().ok()?;
    Some(codes.iter().zip(values.iter()).filter_map(|(c, v)| Some((c?.to_string(), v))).collect())
}

/// The hidden columns of each row: `participants:primary;devices:secondary` gives
/// `{participants, devices}`.
fn hidden_columns(df: &DataFrame) -> BTreeMap<String, BTreeSet<String>> {
    let (Ok(codes), Ok(secrecy)) = (df.column("area_code"), df.column("secrecy")) else {
        return BTreeMap::new();
    };
    let (Ok(codes), Ok(secrecy)) = (codes.str(), secrecy.str()) else {
        return BTreeMap::new();
    };
    codes
        .iter()
        .zip(secrecy.iter())
        .filter_map(|(c, s)| {
            let hidden =
                s?.split(';').filter_map(|item| item.split(':').next()).map(str::to_string).collect();
            Some((c?.to_string(), hidden))
        })
        .collect()
}

/// The classification method an indicator's map asks for.
pub fn method(map: &table::MapSpec) -> Result<Method, super::classify::BreaksError> {
    Ok(match &map.classification {
        Classification::Method(ClassMethod::Quantiles) => Method::Quantiles,
        Classification::Method(ClassMethod::EqualIntervals) => Method::EqualIntervals,
        Classification::Method(ClassMethod::Jenks) => Method::Jenks,
        Classification::Breaks { breaks } => Method::Breaks(UserBreaks::new(breaks.clone())?),
    })
}

/// Text alternative of a choropleth: range, extremes, missing.
fn describe(
    d: &Indicator,
    locale: &Locale,
    feats: &[MapFeature],
    territory: Option<f64>,
    decimals: usize,
) -> String {
    let mut known: Vec<(&MapFeature, f64)> =
        feats.iter().filter_map(|f| Some((f, f.value.known()?))).collect();
    known.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.code.cmp(&b.0.code)));
    let unit = d.unit(locale.lang);
    let fmt = |v: f64| Arg::Text(format!("{} {unit}", locale.number(v, decimals)).trim_end().to_string());
    let label = Arg::Text(d.label(locale.lang).to_string());
    let mut s = locale.format("map.description", &[("n", Arg::Count(feats.len() as u64)), ("label", label)]);
    if let (Some(lo), Some(hi)) = (known.first(), known.last()) {
        s.push_str(&locale.format(
            "map.extremes",
            &[
                ("high_name", Arg::Text(hi.0.label.clone())),
                ("high", fmt(hi.1)),
                ("low_name", Arg::Text(lo.0.label.clone())),
                ("low", fmt(lo.1)),
            ],
        ));
    }
    if let Some(t) = territory {
        s.push_str(&locale.format("map.territory", &[("value", fmt(t))]));
    }
    for (state, key) in [(MapState::NoData, "map.missing_no_data"), (MapState::Secret, "map.missing_secret")]
    {
        let n = feats.iter().filter(|f| f.value.state() == state).count();
        if n > 0 {
            s.push_str(&locale.format(key, &[("n", Arg::Count(n as u64))]));
        }
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
    let hidden = hidden_columns(&ind.table);
    for (d, map) in mapped() {
        let Some(values) = column_values(&ind.table, &d.id) else { continue };
        // The counts whose suppression hides this column: its own (a count) and its `hidden_with`.
        let counts: Vec<&str> = std::iter::once(d.id.as_str()).chain(d.hidden_with.as_deref()).collect();
        let features: Vec<MapFeature> = inputs
            .qpv
            .iter()
            .map(|q| {
                let secret = hidden.get(&q.code).is_some_and(|h| counts.iter().any(|c| h.contains(*c)));
                let value = match values.get(&q.code).copied().flatten() {
                    Some(v) => MapValue::Value(v),
                    None if secret => MapValue::Secret,
                    None => MapValue::NoData,
                };
                MapFeature {
                    code: q.code.clone(),
                    label: q.name.clone(),
                    geometry: q.geometry.clone(),
                    value,
                }
            })
            .collect();
        if features.iter().all(|f| f.value.known().is_none()) {
            continue;
        }
        let method = method(map).map_err(|e| RenderError::Classes {
            path: out_dir.join(format!("{}.png", map.stem)),
            reason: e.to_string(),
        })?;
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
            unit,
            direction: d.direction,
            decimals: map.decimals,
            method: &method,
            classes: map.classes.unwrap_or(ClassBreaks::MAP_CLASSES),
            credit: &texts.credit,
            notice,
            description: &description,
            locale,
        };
        let m = choropleth(&spec, &background, &features, out_dir)?;
        write_json(out_dir, &map.stem, &map_data(&d.id, &m, &features, locale))?;
        let table = map_table(&heading(label, unit, locale), &m, &features, map.decimals, locale);
        figures.push(Figure {
            kind: FigureKind::Map,
            title,
            png: rel(&map.stem, "png"),
            svg: rel(&map.stem, "svg"),
            data: rel(&map.stem, "json"),
            method: Some(locale.format("map.method", &[("summary", Arg::Text(m.classes.summary(locale)))])),
            description: m.description,
            table,
        });
    }

    if let Some(f) = super::reach::reach_multiples(inputs, ind, texts, locale, out_dir)? {
        figures.push(f);
    }
    if let Some(f) = super::reach::reach_panels(ind, texts, locale, out_dir)? {
        figures.push(f);
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
        let data: Vec<(&str, &super::sidecar::Point)> =
            inputs.qpv.iter().map(|q| q.code.as_str()).zip(&points).collect();
        write_json(out_dir, "need_vs_reach", &scatter_data("poverty_rate", "participants_per_1000", &data))?;
        figures.push(Figure {
            kind: FigureKind::Chart,
            title,
            png: rel("need_vs_reach", "png"),
            svg: rel("need_vs_reach", "svg"),
            data: rel("need_vs_reach", "json"),
            description: r.description,
            method: None,
            table: scatter_table(
                locale.text("chart.need_axis"),
                locale.text("chart.reach_axis"),
                &points,
                1,
                locale,
            ),
        });
    }
    Ok(figures)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_map_of_the_table_has_a_valid_classification() {
        let mut methods = BTreeSet::new();
        for (d, map) in mapped() {
            let m = method(map).unwrap_or_else(|e| panic!("{}: {e}", d.id));
            if let Method::Breaks(user) = &m {
                assert!(
                    user.thresholds().len() < crate::render::MAX_CLASSES,
                    "{}: too many thresholds",
                    d.id
                );
            }
            let k = map.classes.unwrap_or(ClassBreaks::MAP_CLASSES);
            assert!((1..=crate::render::MAX_CLASSES).contains(&k), "{}: {k} classes", d.id);
            methods.insert(m.id());
        }
        assert!(methods.contains("jenks"), "the demo report has at least one Fisher-Jenks map");
    }

    #[test]
    fn hidden_columns_are_read_from_the_secrecy_column() -> Result<(), PolarsError> {
        let df = df!(
            "area_code" => ["A", "B", "C"],
            "secrecy" => [Some("participants:primary;devices:secondary"), None, Some("")],
        )?;
        let h = hidden_columns(&df);
        assert_eq!(h["A"], BTreeSet::from(["participants".to_string(), "devices".to_string()]));
        assert!(!h.contains_key("B"));
        Ok(())
    }
}
