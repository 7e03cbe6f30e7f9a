//! The figures of reach over the quarters: participants per 1,000 residents of each QPV mapped
//! quarter by quarter (choropleth small multiples, `reach_per_1000_quarters`), and each QPV's
//! quarterly series in a panel of its own against the territory and the funder's target
//! (`reach_series`).
//!
//! Input: the indicators' quarterly series (`quarter, area_code, participants, participants_per_1000`,
//! secrecy applied), the QPV, the table's `population` and the progress against targets (the
//! quarter's `participants` targets, turned into participants per 1,000 with the QPV's population).
//! A blank rate whose count is blank too was withheld by statistical secrecy; a blank rate beside a
//! count has no data (no population).
//!
//! Output: each figure's PNG, SVG and `maps/<stem>.json`, and its [`Figure`] for the report. The
//! series' panels are ordered by the report quarter's value, highest first, then the QPV without a
//! published value that quarter by name; at most [`MAX_PANELS`] are drawn (the rest are said in the
//! footnote, and stay in the data table and the sidecar, `drawn: false`).

use std::collections::BTreeMap;
use std::path::Path;

use polars::prelude::*;
use serde_json::{Value, json};

use super::chart::{PanelSeries, Reference, order_by_latest, series_panels};
use super::classify::ClassBreaks;
use super::data_table::FigureTable;
use super::figures::{Figure, FigureKind, FigureTexts, column_values, method};
use super::sidecar::{multiples_data, write_json};
use super::{ChartSpec, MapFeature, MapSpec, MapState, MapValue, Panel, RenderError, small_multiples};
use crate::context::Quarter;
use crate::indicators::table::mapped;
use crate::indicators::{AreaType, Indicators, TERRITORY};
use crate::ingest::Inputs;
use crate::locale::{Arg, Locale};

const ID: &str = "participants_per_1000";

/// The most QPV panels one figure draws (15 rows of 4).
pub const MAX_PANELS: usize = 60;

/// Participants per 1,000 per quarter and area, as map values (secret, no data or a value).
fn reach_by_quarter(series: &DataFrame) -> Option<BTreeMap<Quarter, BTreeMap<String, MapValue>>> {
    let text = |c: &str| series.column(c).ok().and_then(|c| c.str().ok().cloned());
    let number = |c: &str| series.column(c).ok()?.cast(&DataType::Float64).ok()?.f64().ok().cloned();
    let (q, c, v, n) = (text("quarter")?, text("area_code")?, number(ID)?, number("participants")?);
    let mut by_quarter: BTreeMap<Quarter, BTreeMap<String, MapValue>> = BTreeMap::new();
    for (((q, c), v), n) in q.iter().zip(c.iter()).zip(v.iter()).zip(n.iter()) {
        let (Some(q), Some(c)) = (q.and_then(|q| q.parse().ok()), c) else { continue };
        let value = match (v, n) {
            (Some(v), _) => MapValue::Value(v),
            (None, None) => MapValue::Secret,
            (None, Some(_)) => MapValue::NoData,
        };
        by_quarter.entry(q).or_default().insert(c.to_string(), value);
    }
    Some(by_quarter)
}

/// Participants per 1,000 residents of each QPV, one panel per quarter of the series, with the
/// classes of the indicator's map pooled over the quarters; `None` without a series of at least two
/// quarters.
pub(super) fn reach_multiples(
    inputs: &Inputs,
    ind: &Indicators,
    texts: &FigureTexts,
    locale: &Locale,
    out_dir: &Path,
) -> Result<Option<Figure>, RenderError> {
    const STEM: &str = "reach_per_1000_quarters";
    let (Some(series), Some((d, map))) = (&ind.series, mapped().into_iter().find(|(d, _)| d.id == ID)) else {
        return Ok(None);
    };
    let Some(by_quarter) = reach_by_quarter(series).filter(|b| b.len() >= 2) else {
        return Ok(None);
    };
    let features: Vec<MapFeature> = inputs
        .qpv
        .iter()
        .map(|q| MapFeature {
            code: q.code.clone(),
            label: q.name.clone(),
            geometry: q.geometry.clone(),
            value: MapValue::NoData,
        })
        .collect();
    let panels: Vec<Panel> = by_quarter
        .iter()
        .map(|(q, values)| Panel {
            title: locale.quarter(*q),
            values: features
                .iter()
                .map(|f| values.get(&f.code).copied().unwrap_or(MapValue::NoData))
                .collect(),
        })
        .collect();
    let method = method(map).map_err(|e| RenderError::Classes {
        path: out_dir.join(format!("{STEM}.png")),
        reason: e.to_string(),
    })?;
    let label = d.label(locale.lang);
    let unit = d.unit(locale.lang);
    let title = locale.format(
        "map.multiples_title",
        &[("label", Arg::Text(label.to_string())), ("suffix", Arg::Text(texts.title_suffix.clone()))],
    );
    let description = locale.format(
        "map.multiples_description",
        &[("n", Arg::Count(features.len() as u64)), ("label", Arg::Text(label.to_string()))],
    );
    let legend = if unit.is_empty() { label.to_string() } else { unit.to_string() };
    let spec = MapSpec {
        file_stem: STEM,
        title: &title,
        legend_title: &legend,
        unit,
        direction: d.direction,
        decimals: map.decimals,
        method: &method,
        classes: map.classes.unwrap_or(ClassBreaks::MAP_CLASSES),
        credit: &texts.credit,
        notice: texts.notice.as_deref(),
        description: &description,
        locale,
    };
    let m = small_multiples(&spec, &features, &panels, out_dir)?;
    write_json(out_dir, STEM, &multiples_data(ID, &m.classes, &features, &panels, locale))?;
    let mut header = vec![locale.text("figure.area").to_string()];
    header.extend(panels.iter().map(|p| p.title.clone()));
    let rows = features
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut row = vec![f.label.clone()];
            row.extend(panels.iter().map(|p| cell(p.values[i], map.decimals, locale)));
            row
        })
        .collect();
    let rel = |ext: &str| format!("maps/{STEM}.{ext}");
    Ok(Some(Figure {
        kind: FigureKind::Multiples,
        title,
        png: rel("png"),
        svg: rel("svg"),
        data: rel("json"),
        description,
        method: Some(
            locale.format("map.multiples_method", &[("summary", Arg::Text(m.classes.summary(locale)))]),
        ),
        table: FigureTable { header, rows },
    }))
}

/// A value of a data table: the number, "secret", or "–".
fn cell(v: MapValue, decimals: usize, l: &Locale) -> String {
    match v.state() {
        MapState::Secret => l.text("table.secret").to_string(),
        MapState::NoData => l.text("table.missing").to_string(),
        MapState::Value => l.number(v.known().unwrap_or(f64::NAN), decimals),
    }
}

/// The quarter targets of `participants` per QPV, `(quarter, participants)`, and the number of
/// year targets of `participants` (not drawn on a quarterly chart).
fn participant_targets(ind: &Indicators) -> (BTreeMap<String, Vec<(Quarter, f64)>>, usize) {
    let mut quarters: BTreeMap<String, Vec<(Quarter, f64)>> = BTreeMap::new();
    let mut years = 0;
    let Some(t) = &ind.targets else { return (quarters, years) };
    let text = |c: &str| t.column(c).ok().and_then(|c| c.str().ok().cloned());
    let number = t.column("target").ok().and_then(|c| c.cast(&DataType::Float64).ok());
    let (Some(code), Some(period), Some(window), Some(measure), Some(target)) =
        (text("area_code"), text("period"), text("window"), text("measure"), number)
    else {
        return (quarters, years);
    };
    let Ok(target) = target.f64() else { return (quarters, years) };
    for ((((c, p), w), m), v) in
        code.iter().zip(period.iter()).zip(window.iter()).zip(measure.iter()).zip(target.iter())
    {
        let (Some(c), Some(p), Some(w), Some("participants"), Some(v)) = (c, p, w, m, v) else { continue };
        match (w, p.parse::<Quarter>()) {
            ("quarter", Ok(q)) => quarters.entry(c.to_string()).or_default().push((q, v)),
            _ => years += 1,
        }
    }
    (quarters, years)
}

/// Each QPV's participants per 1,000 by quarter in a panel of its own, on one scale, with the
/// territory as a grey reference and the quarter's target dashed; `None` without a series.
pub(super) fn reach_panels(
    ind: &Indicators,
    texts: &FigureTexts,
    locale: &Locale,
    out_dir: &Path,
) -> Result<Option<Figure>, RenderError> {
    const STEM: &str = "reach_series";
    let Some(by_quarter) = ind.series.as_ref().and_then(reach_by_quarter).filter(|b| !b.is_empty()) else {
        return Ok(None);
    };
    let quarters: Vec<Quarter> = by_quarter.keys().copied().collect();
    let periods: Vec<String> = quarters.iter().map(|q| locale.quarter(*q)).collect();
    let value = |q: &Quarter, code: &str| by_quarter[q].get(code).copied().unwrap_or(MapValue::NoData);
    let territory = ind.areas.iter().find(|a| a.area_type == AreaType::Territory);
    let reference = Reference {
        label: territory.map_or_else(|| TERRITORY.to_string(), |a| a.name.clone()),
        values: quarters.iter().map(|q| value(q, TERRITORY).known()).collect(),
    };
    let population = column_values(&ind.table, "population").unwrap_or_default();
    let (targets, year_targets) = participant_targets(ind);
    let panels: Vec<PanelSeries> = ind
        .areas
        .iter()
        .filter(|a| a.area_type == AreaType::Qpv)
        .map(|a| {
            let pop = population.get(&a.code).copied().flatten().filter(|p| *p > 0.0);
            let targets = targets
                .get(&a.code)
                .into_iter()
                .flatten()
                .filter_map(|(q, n)| Some((quarters.iter().position(|x| x == q)?, n * 1000.0 / pop?)))
                .collect();
            PanelSeries {
                code: a.code.clone(),
                label: a.name.clone(),
                values: quarters.iter().map(|q| value(q, &a.code)).collect(),
                targets,
            }
        })
        .collect();
    if panels.is_empty() {
        return Ok(None);
    }
    let ordered: Vec<PanelSeries> = order_by_latest(&panels).into_iter().map(|i| panels[i].clone()).collect();
    let drawn = ordered.len().min(MAX_PANELS);
    let last = periods.last().cloned().unwrap_or_default();

    let mut notes = vec![locale.format("chart.panels_order", &[("quarter", Arg::Text(last.clone()))])];
    if year_targets > 0 {
        notes.push(locale.format("chart.panels_year_targets", &[("n", Arg::Count(year_targets as u64))]));
    }
    if drawn < ordered.len() {
        notes.push(locale.format(
            "chart.panels_not_drawn",
            &[("n", Arg::Count((ordered.len() - drawn) as u64)), ("max", Arg::Count(MAX_PANELS as u64))],
        ));
    }
    let title = locale.format("chart.reach_title", &[("suffix", Arg::Text(texts.title_suffix.clone()))]);
    let description = locale.format(
        "chart.reach_description",
        &[
            ("n", Arg::Count(ordered.len() as u64)),
            ("reference", Arg::Text(reference.label.clone())),
            ("quarter", Arg::Text(last)),
        ],
    );
    let spec = ChartSpec {
        file_stem: STEM,
        title: &title,
        y_label: locale.text("chart.reach_axis"),
        credit: &texts.credit,
        notice: texts.notice.as_deref(),
        description: &description,
        locale,
    };
    let r = series_panels(&spec, &periods, &reference, &ordered[..drawn], &notes.join(" "), out_dir)?;
    write_json(out_dir, STEM, &panels_data(&quarters, &periods, &reference, &ordered, drawn, &targets))?;
    let rel = |ext: &str| format!("maps/{STEM}.{ext}");
    Ok(Some(Figure {
        kind: FigureKind::Chart,
        title,
        png: rel("png"),
        svg: rel("svg"),
        data: rel("json"),
        description: r.description,
        method: None,
        table: panels_table(&quarters, &periods, &reference, &ordered, locale),
    }))
}

/// The sidecar of the panels: the periods, the reference, then each QPV in the panels' order with
/// its values (`null` where missing), their states, whether it is drawn, and its targets.
fn panels_data(
    quarters: &[Quarter],
    periods: &[String],
    reference: &Reference,
    panels: &[PanelSeries],
    drawn: usize,
    targets: &BTreeMap<String, Vec<(Quarter, f64)>>,
) -> Value {
    let number = |v: Option<f64>| v.filter(|v| v.is_finite()).map_or(Value::Null, |v| json!(v));
    let panels: Vec<Value> = panels
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let counts = targets.get(&p.code);
            let targets: Vec<Value> = p
                .targets
                .iter()
                .map(|(k, per_1000)| {
                    let n = counts.and_then(|c| c.iter().find(|(q, _)| *q == quarters[*k])).map(|(_, n)| *n);
                    json!({
                        "quarter": quarters[*k].to_string(),
                        "participants": number(n),
                        "per_1000": number(Some((per_1000 * 10.0).round() / 10.0)),
                    })
                })
                .collect();
            json!({
                "code": p.code,
                "label": p.label,
                "drawn": i < drawn,
                "values": p.values.iter().map(|v| number(v.known())).collect::<Vec<_>>(),
                "states": p.values.iter().map(|v| v.state()).collect::<Vec<_>>(),
                "targets": targets,
            })
        })
        .collect();
    json!({
        "kind": "chart",
        "chart": "small_multiples",
        "y": ID,
        "order": "latest_value_desc_then_name",
        "quarters": quarters.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "periods": periods,
        "reference": {
            "code": TERRITORY,
            "label": reference.label,
            "values": reference.values.iter().map(|v| number(*v)).collect::<Vec<_>>(),
        },
        "panels": panels,
    })
}

/// The data table of the panels: the territory, then each QPV in the panels' order, a column per
/// quarter and one per quarter with a target.
fn panels_table(
    quarters: &[Quarter],
    periods: &[String],
    reference: &Reference,
    panels: &[PanelSeries],
    l: &Locale,
) -> FigureTable {
    let mut target_columns: Vec<usize> = panels.iter().flat_map(|p| p.targets.iter().map(|t| t.0)).collect();
    target_columns.sort_unstable();
    target_columns.dedup();
    let mut header = vec![l.text("figure.area").to_string()];
    header.extend(periods.iter().cloned());
    header.extend(
        target_columns.iter().map(|k| {
            l.format("chart.panels_target_column", &[("quarter", Arg::Text(l.quarter(quarters[*k])))])
        }),
    );
    let mut rows = Vec::with_capacity(panels.len() + 1);
    let mut row = vec![reference.label.clone()];
    row.extend(reference.values.iter().map(|v| cell(MapValue::from(*v), 1, l)));
    row.extend(target_columns.iter().map(|_| l.text("table.missing").to_string()));
    rows.push(row);
    for p in panels {
        let mut row = vec![p.label.clone()];
        row.extend(p.values.iter().map(|v| cell(*v, 1, l)));
        row.extend(target_columns.iter().map(|k| {
            p.targets
                .iter()
                .find(|t| t.0 == *k)
                .map_or_else(|| l.text("table.missing").to_string(), |t| l.number(t.1, 1))
        }));
        rows.push(row);
    }
    FigureTable { header, rows }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::locale::Lang;

    #[test]
    fn secret_and_no_data_are_told_apart_in_the_series() -> Result<(), PolarsError> {
        let df = df!(
            "quarter" => ["2026-Q2", "2026-Q2", "2026-Q3", "bad"],
            "area_code" => ["A", "B", "A", "A"],
            "participants" => [Some(12i64), None, Some(30), Some(1)],
            "participants_per_1000" => [None, None, Some(3.5), Some(1.0)],
        )?;
        let b = reach_by_quarter(&df).ok_or_else(|| PolarsError::NoData("columns".into()))?;
        let q2: Quarter = "2026-Q2".parse().map_err(|_| PolarsError::NoData("q".into()))?;
        assert_eq!(b.len(), 2, "an unparsable quarter is skipped");
        assert_eq!(b[&q2]["A"], MapValue::NoData);
        assert_eq!(b[&q2]["B"], MapValue::Secret);
        Ok(())
    }

    #[test]
    fn the_table_has_the_territory_first_and_a_target_column() -> Result<(), Box<dyn std::error::Error>> {
        let l = Locale::new(Lang::Fr);
        let quarters: Vec<Quarter> = vec!["2026-Q2".parse()?, "2026-Q3".parse()?];
        let periods: Vec<String> = quarters.iter().map(|q| l.quarter(*q)).collect();
        let reference = Reference { label: "Ville".into(), values: vec![Some(1.0), None] };
        let panels = [PanelSeries {
            code: "Q1".into(),
            label: "Q un".into(),
            values: vec![MapValue::Secret, MapValue::Value(4.26)],
            targets: vec![(1, 11.26)],
        }];
        let t = panels_table(&quarters, &periods, &reference, &panels, &l);
        assert_eq!(t.header, ["Zone", "2026-T2", "2026-T3", "Objectif 2026-T3 (pour 1 000 habitants)"]);
        assert_eq!(t.rows, [vec!["Ville", "1,0", "–", "–"], vec!["Q un", "secret", "4,3", "11,3"]]);
        let targets = BTreeMap::from([("Q1".to_string(), vec![(quarters[1], 45.0)])]);
        let data = panels_data(&quarters, &periods, &reference, &panels, 1, &targets);
        assert_eq!(data["panels"][0]["values"], json!([null, 4.26]));
        assert_eq!(data["panels"][0]["states"], json!(["secret", "value"]));
        assert_eq!(
            data["panels"][0]["targets"][0],
            json!({"quarter": "2026-Q3", "participants": 45.0, "per_1000": 11.3})
        );
        Ok(())
    }
}
