//! `tables/indicators.md` and the cells of the report's table: the indicator table for people to read,
//! in the locale's labels and number format; `secret` for a hidden cell, `–` for a missing one.

use polars::prelude::*;

use crate::indicators::table::{Compute, Family, indicator};
use crate::locale::{Arg, Locale};

/// Whether the column `name` is hidden on a row whose `secrecy` value is `secrecy` (a hidden count
/// hides the rates the indicator table says go with it).
fn is_hidden(name: &str, secrecy: &str) -> bool {
    let hidden_with = indicator(name).and_then(|d| d.hidden_with.as_deref());
    secrecy.split(';').any(|s| {
        let field = s.split(':').next().unwrap_or("");
        !field.is_empty() && (field == name || hidden_with == Some(field))
    })
}

/// One displayed cell.
pub fn display_cell(c: &Column, i: usize, secrecy: &str, locale: &Locale) -> String {
    let name = c.name().as_str();
    let decimals = indicator(name).map(|d| d.shown_decimals()).unwrap_or(1);
    match c.get(i) {
        Ok(AnyValue::Null) | Err(_) if is_hidden(name, secrecy) => locale.text("table.secret").into(),
        Ok(AnyValue::Null) | Err(_) => locale.text("table.missing").into(),
        Ok(AnyValue::String(s)) => s.to_string(),
        Ok(AnyValue::StringOwned(s)) => s.to_string(),
        Ok(AnyValue::Float64(f)) => locale.number(f, decimals),
        Ok(AnyValue::Int64(n)) => locale.number(n as f64, 0),
        Ok(other) => other.to_string(),
    }
}

/// A string column as one `String` per row (`""` for null or when the column is absent).
pub fn text_column(df: &DataFrame, name: &str) -> Vec<String> {
    df.column(name)
        .ok()
        .and_then(|c| c.str().ok().map(|s| s.iter().map(|v| v.unwrap_or("").to_string()).collect()))
        .unwrap_or_else(|| vec![String::new(); df.height()])
}

/// Columns shown in human-readable tables: all but the codes repeated elsewhere and the meta columns.
pub fn shown_columns(df: &DataFrame) -> Vec<String> {
    df.get_column_names()
        .iter()
        .map(|c| c.to_string())
        .filter(|c| match indicator(c) {
            // Confidence bounds stay in the machine-readable files (the charts draw them).
            Some(d) => {
                d.family != Family::Meta
                    && !matches!(c.as_str(), "area_type" | "code_qp" | "commune")
                    && !d.compute.iter().any(|k| matches!(k, Compute::Wilson { .. }))
            }
            None => true,
        })
        .collect()
}

/// Column headings in the locale's words, with the unit in brackets.
pub fn headings(cols: &[String], locale: &Locale) -> Vec<String> {
    cols.iter()
        .map(|c| match indicator(c) {
            Some(d) if !d.unit(locale.lang).is_empty() => locale.format(
                "table.heading_unit",
                &[
                    ("label", Arg::Text(d.label(locale.lang).into())),
                    ("unit", Arg::Text(d.unit(locale.lang).into())),
                ],
            ),
            Some(d) => d.label(locale.lang).to_string(),
            None => c.clone(),
        })
        .collect()
}

pub fn markdown_table(df: &DataFrame, title: &str, notes: &[String], locale: &Locale) -> String {
    let cols = shown_columns(df);
    let secrecy = text_column(df, "secrecy");
    let mut out = format!("# {title}\n\n");
    let header = headings(&cols, locale);
    out.push_str(&format!("| {} |\n", header.join(" | ")));
    out.push_str(&format!(
        "|{}\n",
        cols.iter().enumerate().map(|(i, _)| if i < 2 { "---|" } else { "---:|" }).collect::<String>()
    ));
    for (i, secret) in secrecy.iter().enumerate() {
        let cells: Vec<String> = cols
            .iter()
            .map(|c| {
                df.column(c)
                    .map(|col| display_cell(col, i, secret, locale))
                    .unwrap_or_default()
                    .replace('|', "\\|")
            })
            .collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    if !notes.is_empty() {
        out.push('\n');
        for n in notes {
            out.push_str(&format!("- {n}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::locale::Lang;

    fn table() -> DataFrame {
        df!(
            "area_code" => ["Q1", "Q2"],
            "area_name" => ["Les Tilleuls", "Val|Fleuri"],
            "participants" => [Some(48i64), None],
            "participants_per_1000" => [Some(20.64), None],
            "share_thd30" => [Some(92.75), None],
            "secrecy" => [None, Some("participants:primary")],
        )
        .expect("a small frame")
    }

    #[test]
    fn hidden_counts_hide_their_rates_and_missing_is_not_secret() {
        let md = markdown_table(&table(), "T", &[], &Locale::new(Lang::Fr));
        let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| Q")).collect();
        assert_eq!(rows[0], "| Q1 | Les Tilleuls | 48 | 20,6 | 92,8 |");
        assert_eq!(rows[1], "| Q2 | Val\\|Fleuri | secret | secret | – |");
        assert!(!md.contains("secrecy"), "{md}");
    }

    #[test]
    fn headings_follow_the_locale() {
        let cols = vec!["share_thd30".to_string(), "area_name".to_string()];
        assert_eq!(headings(&cols, &Locale::new(Lang::En)), ["Eligible to ≥ 30 Mbit/s (%)", "Name"]);
        assert_eq!(headings(&cols, &Locale::new(Lang::Fr)), ["Éligibles ≥ 30 Mbit/s (%)", "Nom"]);
    }
}
