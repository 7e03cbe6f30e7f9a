//! The data of each figure, beside it: `<out_dir>/<stem>.json`, so that a reader (or a notebook) can
//! check a map's classes or redraw a chart without reading pixels.
//!
//! - a map: `indicator` (its column in `tables/indicators.csv`), `method` (`quantiles`,
//!   `equal_intervals`, `jenks`, `breaks`), `k` (classes drawn) and `k_requested`, `lower_bound` and
//!   `breaks` (the upper bound of each class; class `i` holds `lower ≤ v < upper`, the last one
//!   closed; `null` is unbounded, for the open end classes of fixed thresholds), `counts` (areas per
//!   class), `single_value` (the value of a class whose areas all share it, else `null`), `no_data`
//!   and `secret` (areas without a value, by reason), `labels` (the legend as drawn) and `areas`
//!   (each area's code, state and class);
//! - small multiples: the same class fields (counts over every panel), then `panels`, each with
//!   its `period` and its `areas` (code, state, value, class);
//! - a chart: what it draws (the series panels: `quarters`, `reference` and `panels` with their
//!   `values`, `states` and `targets`, see `reach`; a scatter plot: `points` with `x` and `y`).
//!
//! Invariants: pretty-printed JSON with keys in a fixed order and a final newline; written atomically;
//! the same inputs give the same bytes.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::RenderError;
use super::choropleth::{MapFeature, RenderedMap};
use super::output::check_stem;
use crate::io::atomic;
use crate::locale::Locale;

/// Writes `value` as `<out_dir>/<stem>.json`.
pub(crate) fn write_json(out_dir: &Path, stem: &str, value: &Value) -> Result<PathBuf, RenderError> {
    check_stem(stem)?;
    let path = out_dir.join(format!("{stem}.json"));
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| RenderError::Draw { path: path.clone(), message: e.to_string() })?;
    text.push('\n');
    let io = |e: crate::io::IoError| RenderError::Io { path: e.path, source: e.source };
    atomic::create_dir(out_dir).map_err(io)?;
    atomic::write(&path, text.as_bytes()).map_err(io)?;
    Ok(path)
}

/// A finite number, else `null`.
fn number(v: f64) -> Value {
    if v.is_finite() { json!(v) } else { Value::Null }
}

/// The data of a map of the column `indicator`.
pub(crate) fn map_data(indicator: &str, map: &RenderedMap, features: &[MapFeature], l: &Locale) -> Value {
    let c = &map.classes;
    let areas: Vec<Value> = features
        .iter()
        .map(|f| {
            let class = f.value.known().and_then(|v| c.class_of(v));
            json!({ "code": f.code, "state": f.value.state(), "class": class })
        })
        .collect();
    json!({
        "kind": "map",
        "indicator": indicator,
        "method": c.method.id(),
        "k": c.len(),
        "k_requested": c.requested,
        "lower_bound": c.breaks.bounds.first().map_or(Value::Null, |b| number(*b)),
        "breaks": c.breaks.upper_bounds().iter().map(|b| number(*b)).collect::<Vec<_>>(),
        "counts": c.counts,
        "single_value": c.single.iter().map(|s| s.map_or(Value::Null, number)).collect::<Vec<_>>(),
        "no_data": map.no_data,
        "secret": map.secret,
        "labels": (0..c.len()).map(|i| c.full_label(i, l)).collect::<Vec<_>>(),
        "areas": areas,
    })
}

/// The data of small multiples of the column `indicator`: the pooled classes (counts over every
/// panel) and, per panel, each area's state and class.
pub(crate) fn multiples_data(
    indicator: &str,
    c: &crate::render::classify::Classes,
    features: &[MapFeature],
    panels: &[super::Panel],
    l: &Locale,
) -> Value {
    let panels: Vec<Value> = panels
        .iter()
        .map(|p| {
            let areas: Vec<Value> = features
                .iter()
                .zip(&p.values)
                .map(|(f, v)| {
                    let class = v.known().and_then(|x| c.class_of(x));
                    json!({ "code": f.code, "state": v.state(), "value": v.known().map_or(Value::Null, number), "class": class })
                })
                .collect();
            json!({ "period": p.title, "areas": areas })
        })
        .collect();
    json!({
        "kind": "small_multiples",
        "indicator": indicator,
        "method": c.method.id(),
        "k": c.len(),
        "k_requested": c.requested,
        "lower_bound": c.breaks.bounds.first().map_or(Value::Null, |b| number(*b)),
        "breaks": c.breaks.upper_bounds().iter().map(|b| number(*b)).collect::<Vec<_>>(),
        "counts": c.counts,
        "labels": (0..c.len()).map(|i| c.full_label(i, l)).collect::<Vec<_>>(),
        "panels": panels,
    })
}

/// A scatter point as drawn: label, x, y.
pub(crate) type Point = (String, Option<f64>, Option<f64>);

/// The data of a scatter plot: one point per area (`null` for a missing coordinate).
pub(crate) fn scatter_data(x: &str, y: &str, points: &[(&str, &Point)]) -> Value {
    let points: Vec<Value> = points
        .iter()
        .map(|(code, (label, px, py))| {
            json!({
                "code": code,
                "label": label,
                "x": px.map_or(Value::Null, number),
                "y": py.map_or(Value::Null, number),
            })
        })
        .collect();
    json!({ "kind": "chart", "chart": "scatter", "x": x, "y": y, "points": points })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_pretty_ordered_and_ends_with_a_newline() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let v = json!({ "b": 1, "a": [f64::INFINITY, 2.5] });
        let path = write_json(dir.path(), "x", &v)?;
        let text = std::fs::read_to_string(&path)?;
        assert_eq!(text, "{\n  \"b\": 1,\n  \"a\": [\n    null,\n    2.5\n  ]\n}\n");
        assert!(write_json(dir.path(), "../x", &v).is_err());
        Ok(())
    }
}
