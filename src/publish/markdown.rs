//! `tables/indicators.md`: the indicator table as a Markdown table, French labels, French number format.

use polars::prelude::*;

use crate::indicators::definitions::definition;

/// One displayed cell: `secret` for a hidden count, `–` for missing.
pub fn display_cell(c: &Column, i: usize, secrecy: &str) -> String {
    let name = c.name().as_str();
    let hidden = secrecy.split(';').any(|s| {
        let field = s.split(':').next().unwrap_or("");
        field == name
            || (field == "participants" && name == "participants_per_1000")
            || (field == "course_enrolled" && name == "completion_rate")
    });
    match c.get(i) {
        Ok(AnyValue::Null) | Err(_) if hidden => "secret".into(),
        Ok(AnyValue::Null) | Err(_) => "–".into(),
        Ok(AnyValue::String(s)) => s.to_string(),
        Ok(AnyValue::StringOwned(s)) => s.to_string(),
        Ok(AnyValue::Float64(f)) => {
            let decimals =
                if matches!(name, "population" | "fragility_index" | "median_income") { 0 } else { 1 };
            let decimals = if name == "area_km2" { 2 } else { decimals };
            crate::numbers::fr(f, decimals)
        }
        Ok(AnyValue::Int64(n)) => crate::numbers::fr(n as f64, 0),
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

/// Columns shown in human-readable tables (all but codes duplicated elsewhere).
pub fn shown_columns(df: &DataFrame) -> Vec<String> {
    df.get_column_names()
        .iter()
        .map(|c| c.to_string())
        .filter(|c| !matches!(c.as_str(), "area_type" | "code_qp" | "secrecy" | "commune" | "synthetic"))
        .collect()
}

/// French column headings, with the unit in brackets.
pub fn headings(cols: &[String]) -> Vec<String> {
    cols.iter()
        .map(|c| match definition(c) {
            Some(d) if !d.unit.is_empty() => format!("{} ({})", d.label_fr, d.unit),
            Some(d) => d.label_fr.to_string(),
            None => c.clone(),
        })
        .collect()
}

pub fn markdown_table(df: &DataFrame, title: &str, notes: &[String]) -> String {
    let cols = shown_columns(df);
    let secrecy = text_column(df, "secrecy");
    let mut out = format!("# {title}\n\n");
    let header = headings(&cols);
    out.push_str(&format!("| {} |\n", header.join(" | ")));
    out.push_str(&format!(
        "|{}\n",
        cols.iter().enumerate().map(|(i, _)| if i < 2 { "---|" } else { "---:|" }).collect::<String>()
    ));
    for (i, secret) in secrecy.iter().enumerate() {
        let cells: Vec<String> = cols
            .iter()
            .map(|c| {
                df.column(c).map(|col| display_cell(col, i, secret)).unwrap_or_default().replace('|', "\\|")
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
