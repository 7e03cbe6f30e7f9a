//! The tables of the report's sections besides the full indicator table: for analysts the change of
//! reach since the previous quarter, for funders reach against need, for journalists the downloads
//! with their size and SHA-256.
//!
//! Input: the indicator table and series as published (statistical secrecy already applied: a
//! hidden value is shown as `secret`, never recomputed), the report folder being written. Output:
//! [`Table`]s of cells written in the locale's words, ready for the template.
//!
//! Invariant: a change is computed only between two published values; nothing here derives a count
//! the indicators did not publish.

use std::path::Path;

use polars::prelude::*;
use serde::Serialize;

use super::PublishError;
use super::markdown::{display_cell, headings, text_column};
use super::report::Download;
use crate::indicators::table::indicator;
use crate::indicators::{AreaType, Indicators};
use crate::locale::{Arg, Locale};

/// A table for the template: header, then rows whose first cell is the row header.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Row>,
}

/// A row; `comparison` marks the rows of the comparison areas (outside QPV, territory).
#[derive(Debug, Clone, Serialize)]
pub(super) struct Row {
    pub cells: Vec<String>,
    pub comparison: bool,
}

/// The columns of the funders' table, those of them the dataset has: need, then reach.
pub(super) const FUNDERS_COLUMNS: &[&str] = &[
    "population",
    "poverty_rate",
    "fragility_index",
    "participants",
    "participants_per_1000",
    "participants_per_1000_low",
    "participants_per_1000_high",
    "completion_rate",
    "devices",
];

/// One row per area of the table, the name first, then `cols` (those the table has) as displayed.
pub(super) fn area_table(t: &DataFrame, cols: &[&str], locale: &Locale) -> Table {
    let cols: Vec<String> = cols.iter().filter(|c| t.column(c).is_ok()).map(|c| c.to_string()).collect();
    let mut header =
        vec![indicator("area_name").map(|d| d.label(locale.lang).to_string()).unwrap_or_default()];
    header.extend(headings(&cols, locale));
    let secrecy = text_column(t, "secrecy");
    let types = text_column(t, "area_type");
    let names = text_column(t, "area_name");
    let rows = (0..t.height())
        .map(|i| {
            let mut cells = vec![names.get(i).cloned().unwrap_or_default()];
            let secret = secrecy.get(i).map_or("", String::as_str);
            for c in &cols {
                if let Ok(col) = t.column(c) {
                    cells.push(display_cell(col, i, secret, locale));
                }
            }
            Row { cells, comparison: types.get(i).is_some_and(|x| x != AreaType::Qpv.code()) }
        })
        .collect();
    Table { header, rows }
}

/// Participants per 1,000 residents in the previous and the report's quarter, per area, and the
/// change in points; `None` without a series or without a previous quarter.
pub(super) fn changes(ind: &Indicators, locale: &Locale) -> Option<(String, String, Table)> {
    let series = ind.series.as_ref()?;
    let current = ind.quarter?;
    let quarters = text_column(series, "quarter");
    let codes = text_column(series, "area_code");
    let values = series.column("participants_per_1000").ok()?.cast(&DataType::Float64).ok()?;
    let values = values.f64().ok()?.clone();
    let mut known: Vec<crate::context::Quarter> = quarters.iter().filter_map(|q| q.parse().ok()).collect();
    known.sort();
    known.dedup();
    let previous = *known.iter().rev().find(|q| **q < current)?;
    let value = |code: &str, q: crate::context::Quarter| -> Option<f64> {
        let q = q.to_string();
        let i = (0..quarters.len()).find(|&i| quarters[i] == q && codes[i] == code)?;
        values.get(i)
    };
    let shown =
        |v: Option<f64>| v.map_or_else(|| locale.text("table.missing").to_string(), |v| locale.number(v, 1));
    let (prev_label, cur_label) = (locale.quarter(previous), locale.quarter(current));
    let header = vec![
        indicator("area_name").map(|d| d.label(locale.lang).to_string()).unwrap_or_default(),
        prev_label.clone(),
        cur_label.clone(),
        locale.text("report.change_points").to_string(),
    ];
    let rows = ind
        .areas
        .iter()
        .map(|a| {
            let (p, c) = (value(&a.code, previous), value(&a.code, current));
            let change = match (p, c) {
                (Some(p), Some(c)) => {
                    let d = ((c - p) * 10.0).round() / 10.0;
                    let n = locale.number(d.abs(), 1);
                    if d > 0.0 {
                        format!("+{n}")
                    } else if d < 0.0 {
                        format!("−{n}")
                    } else {
                        n
                    }
                }
                _ => locale.text("table.missing").to_string(),
            };
            Row {
                cells: vec![a.name.clone(), shown(p), shown(c), change],
                comparison: a.area_type != AreaType::Qpv,
            }
        })
        .collect();
    Some((prev_label, cur_label, Table { header, rows }))
}

/// A download as the report lists it: path, description, size and SHA-256.
#[derive(Debug, Clone, Serialize)]
pub(super) struct ListedDownload {
    pub path: String,
    pub what: String,
    pub size: String,
    pub sha256: String,
}

/// The downloads with their size and SHA-256, read from the files already written in `dir`.
pub(super) fn listed_downloads(
    downloads: &[Download],
    dir: &Path,
    locale: &Locale,
) -> Result<Vec<ListedDownload>, PublishError> {
    downloads
        .iter()
        .map(|d| {
            let (sha256, bytes) = crate::io::hash::sha256_file(&dir.join(d.path))
                .map_err(|e| PublishError::Io { path: e.path, source: e.source })?;
            Ok(ListedDownload {
                path: d.path.to_string(),
                what: locale.text(d.what).to_string(),
                size: size(bytes, locale),
                sha256,
            })
        })
        .collect()
}

/// A file size for people: bytes below 1 kB, else kB or MB with one decimal (SI units).
fn size(bytes: u64, locale: &Locale) -> String {
    let (key, n) = match bytes {
        0..1_000 => ("report.size_bytes", bytes.to_string()),
        1_000..1_000_000 => ("report.size_kb", locale.number(bytes as f64 / 1e3, 1)),
        _ => ("report.size_mb", locale.number(bytes as f64 / 1e6, 1)),
    };
    locale.format(key, &[("n", Arg::Text(n))])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::locale::Lang;

    #[test]
    fn sizes_read_in_si_units() {
        let fr = Locale::new(Lang::Fr);
        assert_eq!(size(999, &fr), "999 octets");
        assert_eq!(size(12_345, &fr), "12,3 ko");
        assert_eq!(size(2_500_000, &Locale::new(Lang::En)), "2.5 MB");
    }
}
