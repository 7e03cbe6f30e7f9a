//! The report's sections on programme windows (issue 8), their partial templates and the files they
//! publish: `tables/programme.csv` and `datasets/programme.csv` (the same bytes), described in
//! `datapackage.json` with its Table Schema.
//!
//! Every sentence comes from the locale (`programme.*` keys); the data from
//! [`crate::indicators::programme`], already under secrecy.

use std::path::Path;

use polars::prelude::*;
use serde_json::{Value, json};

use super::{PublishError, files, markdown};
use crate::context::Context;
use crate::indicators::Indicators;
use crate::indicators::programme::WINDOWS;
use crate::indicators::table::indicator;
use crate::locale::{Arg, Locale};

/// The programme table's file name, in `tables/` and in the package.
pub(super) const PROGRAMME_CSV: &str = "programme.csv";

/// The partial templates the report includes.
/// Named without `.html`, as the report itself, so that minijinja escapes them alike.
const PARTIALS: [(&str, &str); 1] = [("report_programme", include_str!("report_programme.html"))];

/// Registers the partial templates with the report's environment.
pub(super) fn add_templates(env: &mut minijinja::Environment<'_>) -> Result<(), PublishError> {
    for (name, text) in PARTIALS {
        env.add_template(name, text).map_err(|e| PublishError::Template(e.to_string()))?;
    }
    Ok(())
}

/// The programme table as published (with the `synthetic` column of a synthetic dataset).
fn programme_table(ctx: &Context, ind: &Indicators) -> Option<DataFrame> {
    let mut df = ind.programme.clone()?;
    if ctx.dataset.synthetic {
        let n = df.height();
        df.with_column(Column::new("synthetic".into(), vec![true; n])).ok()?;
    }
    Some(df)
}

/// Writes `tables/programme.csv` when there is a programme table.
pub(super) fn write_tables(ctx: &Context, ind: &Indicators, dir: &Path) -> Result<(), PublishError> {
    if let Some(df) = programme_table(ctx, ind) {
        files::write_csv(&dir.join("tables").join(PROGRAMME_CSV), &df)?;
    }
    Ok(())
}

/// Writes the package's `programme.csv` and returns its Data Package resource (without its hash and
/// size, added with the others').
pub(super) fn package_files(
    ctx: &Context,
    ind: &Indicators,
    locale: &Locale,
    dir: &Path,
) -> Result<Vec<Value>, PublishError> {
    let Some(df) = programme_table(ctx, ind) else { return Ok(Vec::new()) };
    files::write_csv(&dir.join(PROGRAMME_CSV), &df)?;
    let hours = super::completion_hours(ctx, locale);
    let params = super::text_params(ctx, &hours);
    let fields: Vec<Value> = df
        .get_column_names()
        .iter()
        .map(|c| {
            let c = c.as_str();
            let own = |typ: &str| {
                json!({"name": c, "type": typ, "title": locale.text(&format!("programme.field.{c}")),
                       "description": locale.text(&format!("programme.field.{c}.description"))})
            };
            match c {
                "window" => {
                    let mut f = own("string");
                    f["constraints"] = json!({"required": true, "enum": WINDOWS});
                    f
                }
                "period" | "comparability" => own("string"),
                "start" | "end" => own("date"),
                "comparable" => own("boolean"),
                // An area appears once per window: its code is required, not unique.
                "area_code" => {
                    let mut f = indicator(c)
                        .map(|d| super::package::schema_field(d, locale, &params))
                        .unwrap_or_else(|| own("string"));
                    f["constraints"] = json!({"required": true});
                    f
                }
                _ => match indicator(c) {
                    Some(d) => super::package::schema_field(d, locale, &params),
                    None => json!({"name": c, "type": "string"}),
                },
            }
        })
        .collect();
    Ok(vec![json!({
        "name": "programme",
        "path": PROGRAMME_CSV,
        "profile": "tabular-data-resource",
        "title": locale.text("programme.file"),
        "description": locale.text("programme.file_description"),
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": {"delimiter": ",", "lineTerminator": "\n", "header": true},
        "schema": {"fields": fields, "primaryKey": ["window", "area_code"], "missingValues": [""]},
    })])
}

/// A period for people to read: `2025-T3`, `2025-T1 – 2025-T3` in French.
fn period_label(period: &str, locale: &Locale) -> String {
    period
        .split('/')
        .map(|q| q.parse().map(|q| locale.quarter(q)).unwrap_or_else(|_| q.to_string()))
        .collect::<Vec<_>>()
        .join(" – ")
}

/// A string column (empty for null).
fn strings(df: &DataFrame, c: &str) -> Vec<String> {
    markdown::text_column(df, c)
}

/// The data of the report's programme section: per area, the participants of each window, and the
/// comparability of each window with the quarter.
fn programme_section(ind: &Indicators, locale: &Locale) -> Option<Value> {
    let p = ind.programme.as_ref()?;
    let (window, codes, names) = (strings(p, "window"), strings(p, "area_code"), strings(p, "area_name"));
    let (secrecy, flags, periods) =
        (strings(p, "secrecy"), strings(p, "comparability"), strings(p, "period"));
    let participants = p.column("participants").ok()?;
    let order: Vec<&String> =
        codes.iter().zip(&window).filter(|(_, w)| *w == WINDOWS[0]).map(|(c, _)| c).collect();
    let cell = |w: &str, code: &str| -> String {
        let Some(i) = (0..p.height()).find(|&i| window[i] == w && codes[i] == code) else {
            return locale.text("programme.no_records").into();
        };
        if flags[i].split(';').any(|f| f == "no_records") {
            return locale.text("programme.no_records").into();
        }
        markdown::display_cell(participants, i, &secrecy[i], locale)
    };
    let rows: Vec<Value> = order
        .iter()
        .map(|code| {
            let name =
                (0..p.height()).find(|&i| codes[i] == **code).map(|i| names[i].clone()).unwrap_or_default();
            json!({"name": name, "cells": WINDOWS.iter().map(|w| cell(w, code)).collect::<Vec<_>>()})
        })
        .collect();
    let header: Vec<String> = WINDOWS
        .iter()
        .map(|w| {
            let period = (0..p.height())
                .find(|&i| window[i] == *w)
                .map(|i| period_label(&periods[i], locale))
                .unwrap_or_default();
            locale.format(&format!("programme.window.{w}"), &[("period", Arg::Text(period))])
        })
        .collect();
    let mut notes = Vec::new();
    for w in &WINDOWS[1..] {
        let Some(i) = (0..p.height()).find(|&i| window[i] == *w) else { continue };
        for f in flags[i].split(';').filter(|f| !f.is_empty()) {
            let period = Arg::Text(period_label(&periods[i], locale));
            let what = locale.format(&format!("programme.window.{w}"), &[("period", period)]);
            notes.push(locale.format(&format!("programme.flag.{f}"), &[("window", Arg::Text(what))]));
        }
    }
    Some(json!({
        "caption": locale.text("programme.caption"),
        "area": locale.text("programme.area"),
        "header": header,
        "rows": rows,
        "notes": notes,
        "download": format!("datasets/{PROGRAMME_CSV}"),
    }))
}

/// The sections' data, under `sections` in the report's context.
pub(super) fn context(ind: &Indicators, locale: &Locale) -> Value {
    json!({ "programme": programme_section(ind, locale) })
}
