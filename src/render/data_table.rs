//! The data table of each figure: the text alternative that the report shows beside a map or a
//! chart (in a `<details>`), for a reader who cannot see the colours or wants the exact numbers.
//!
//! Input: what the figure draws (a map's features and classes, a chart's series or points) and the
//! locale. Output: a [`FigureTable`], a header and rows of cells already written in the locale's
//! words; a missing value is `table.missing` ("–"), a secret one `table.secret`.
//!
//! Invariant: the table holds exactly what the figure draws, one row per feature, series or point,
//! in the figure's order, with the values as published (statistical secrecy was applied before).

use super::choropleth::{MapFeature, MapValue, RenderedMap};
use super::sidecar::Point;
use crate::locale::{Arg, Locale};

/// A figure's data as a table for people.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FigureTable {
    pub header: Vec<String>,
    /// Each row: the area's name first (a row header), then its cells.
    pub rows: Vec<Vec<String>>,
}

/// `label (unit)`, or the label alone when the unit is empty.
pub(crate) fn heading(label: &str, unit: &str, l: &Locale) -> String {
    if unit.is_empty() {
        label.to_string()
    } else {
        l.format(
            "table.heading_unit",
            &[("label", Arg::Text(label.into())), ("unit", Arg::Text(unit.into()))],
        )
    }
}

fn value(v: Option<f64>, decimals: usize, l: &Locale) -> String {
    match v.filter(|v| v.is_finite()) {
        Some(v) => l.number(v, decimals),
        None => l.text("table.missing").to_string(),
    }
}

/// A map's table: area, value, class (its legend label, or why it has no value).
pub(crate) fn map_table(
    value_heading: &str,
    map: &RenderedMap,
    features: &[MapFeature],
    decimals: usize,
    l: &Locale,
) -> FigureTable {
    let header = vec![
        l.text("figure.area").to_string(),
        value_heading.to_string(),
        l.text("figure.class").to_string(),
    ];
    let rows = features
        .iter()
        .map(|f| {
            let (v, class) = match f.value {
                MapValue::Secret => {
                    (l.text("table.secret").to_string(), l.text("map.state_secret").to_string())
                }
                v => match v.known().and_then(|x| Some((x, map.classes.class_of(x)?))) {
                    Some((x, c)) => (l.number(x, decimals), map.classes.full_label(c, l)),
                    None => (value(None, decimals, l), l.text("map.state_no_data").to_string()),
                },
            };
            vec![f.label.clone(), v, class]
        })
        .collect();
    FigureTable { header, rows }
}

/// A scatter plot's table: one row per point, its x then its y.
pub(crate) fn scatter_table(x: &str, y: &str, points: &[Point], decimals: usize, l: &Locale) -> FigureTable {
    let header = vec![l.text("figure.area").to_string(), x.to_string(), y.to_string()];
    let rows = points
        .iter()
        .map(|(name, px, py)| vec![name.clone(), value(*px, decimals, l), value(*py, decimals, l)])
        .collect();
    FigureTable { header, rows }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::locale::Lang;

    #[test]
    fn scatter_tables_have_dashes_for_missing_coordinates() {
        let points = [("P".to_string(), Some(40.0), None)];
        let t = scatter_table("x", "y", &points, 1, &Locale::new(Lang::En));
        assert_eq!(t.header, ["Area", "x", "y"]);
        assert_eq!(t.rows, [vec!["P", "40.0", "–"]]);
    }
}
