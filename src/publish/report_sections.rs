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
/// The progress against the funder's targets, in `tables/` and in the package.
pub(super) const TARGETS_CSV: &str = "targets.csv";
/// The rank stability of the QPV's IFN score, in `tables/` and in the package.
pub(super) const IFN_RANKS_CSV: &str = "ifn_ranks.csv";
/// The QPV 2015 → 2024 crosswalk (the spatial engine's overlap table), in `tables/`.
pub(super) const CROSSWALK_CSV: &str = "qpv_crosswalk.csv";

/// The partial templates the report includes.
/// Named without `.html`, as the report itself, so that minijinja escapes them alike.
const PARTIALS: [(&str, &str); 3] = [
    ("report_programme.html", include_str!("report_programme.html")),
    ("report_targets.html", include_str!("report_targets.html")),
    ("report_ifn.html", include_str!("report_ifn.html")),
];

/// Registers the partial templates with the report's environment.
pub(super) fn add_templates(env: &mut minijinja::Environment<'_>) -> Result<(), PublishError> {
    for (name, text) in PARTIALS {
        env.add_template(name, text).map_err(|e| PublishError::Template(e.to_string()))?;
    }
    Ok(())
}

/// The programme table as published (with the `synthetic` column of a synthetic dataset).
fn programme_table(ctx: &Context, ind: &Indicators) -> Option<DataFrame> {
    marked(ctx, ind.programme.as_ref()?)
}

/// The targets table as published.
fn targets_table(ctx: &Context, ind: &Indicators) -> Option<DataFrame> {
    marked(ctx, ind.targets.as_ref()?)
}

/// A table with the `synthetic` column of a synthetic dataset.
fn marked(ctx: &Context, df: &DataFrame) -> Option<DataFrame> {
    let mut df = df.clone();
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
    if let Some(df) = targets_table(ctx, ind) {
        files::write_csv(&dir.join("tables").join(TARGETS_CSV), &df)?;
    }
    if let Some(df) = ind.ifn_ranks.as_ref().and_then(|t| marked(ctx, t)) {
        files::write_csv(&dir.join("tables").join(IFN_RANKS_CSV), &df)?;
    }
    if let Some(df) = ind.crosswalk.as_ref().and_then(|t| marked(ctx, t)) {
        files::write_csv(&dir.join("tables").join(CROSSWALK_CSV), &df)?;
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
    let mut out = Vec::new();
    if let Some(t) = ind.ifn_ranks.as_ref().and_then(|t| marked(ctx, t)) {
        files::write_csv(&dir.join(IFN_RANKS_CSV), &t)?;
        out.push(simple_resource(&t, "ifn-ranks", IFN_RANKS_CSV, "ifn_ranks", locale));
    }
    if let Some(t) = targets_table(ctx, ind) {
        files::write_csv(&dir.join(TARGETS_CSV), &t)?;
        out.push(targets_resource(&t, locale));
    }
    let Some(df) = programme_table(ctx, ind) else { return Ok(out) };
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
    out.insert(
        0,
        json!({
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
        }),
    );
    Ok(out)
}

/// The Data Package resource of a small table whose fields are described under `<key>.field.<column>`.
fn simple_resource(t: &DataFrame, name: &str, path: &str, key: &str, locale: &Locale) -> Value {
    let fields: Vec<Value> = t
        .get_column_names()
        .iter()
        .map(|c| {
            let c = c.as_str();
            let typ = match t.column(c).map(|x| x.dtype().clone()) {
                Ok(DataType::Float64) => "number",
                Ok(DataType::Boolean) => "boolean",
                Ok(d) if d.is_integer() => "integer",
                _ => "string",
            };
            json!({"name": c, "type": typ, "title": locale.text(&format!("{key}.field.{c}")),
                   "description": locale.text(&format!("{key}.field.{c}.description"))})
        })
        .collect();
    json!({
        "name": name,
        "path": path,
        "profile": "tabular-data-resource",
        "title": locale.text(&format!("{key}.file")),
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": {"delimiter": ",", "lineTerminator": "\n", "header": true},
        "schema": {"fields": fields, "primaryKey": ["area_code"], "missingValues": [""]},
    })
}

/// The data of the report's IFN section: per QPV, its score and quintile, its rank and the range of
/// ranks over the weight changes.
fn ifn_section(ind: &Indicators, locale: &Locale) -> Option<Value> {
    let r = ind.ifn_ranks.as_ref()?;
    let names = strings(r, "area_name");
    let codes = strings(r, "area_code");
    let quintile: std::collections::BTreeMap<String, String> = strings(&ind.table, "area_code")
        .into_iter()
        .zip(ind.table.column("ifn_quintile").ok().map(|c| {
            (0..ind.table.height()).map(|i| markdown::display_cell(c, i, "", locale)).collect::<Vec<_>>()
        })?)
        .collect();
    let cols: Vec<&Column> = ["ifn_score", "ifn_rank", "ifn_rank_min", "ifn_rank_max"]
        .iter()
        .filter_map(|c| r.column(c).ok())
        .collect();
    let rows: Vec<Value> = (0..r.height())
        .map(|i| {
            let mut cells = vec![names[i].clone()];
            cells.push(markdown::display_cell(cols[0], i, "", locale));
            cells.push(quintile.get(&codes[i]).cloned().unwrap_or_default());
            cells.extend(cols[1..].iter().map(|c| markdown::display_cell(c, i, "", locale)));
            json!({"cells": cells})
        })
        .collect();
    let header: Vec<String> = ["area", "score", "quintile", "rank", "rank_min", "rank_max"]
        .iter()
        .map(|h| locale.text(&format!("ifn_ranks.header.{h}")).to_string())
        .collect();
    Some(json!({"header": header, "rows": rows, "download": format!("datasets/{IFN_RANKS_CSV}")}))
}

/// The Data Package resource of `targets.csv`.
fn targets_resource(t: &DataFrame, locale: &Locale) -> Value {
    let fields: Vec<Value> = t
        .get_column_names()
        .iter()
        .map(|c| {
            let c = c.as_str();
            let typ = match c {
                "target" | "actual" | "progress_pct" => "number",
                "synthetic" => "boolean",
                _ => "string",
            };
            let mut f = json!({"name": c, "type": typ, "title": locale.text(&format!("targets.field.{c}")),
                               "description": locale.text(&format!("targets.field.{c}.description"))});
            if matches!(c, "target" | "actual" | "progress_pct") {
                f["constraints"] = json!({"minimum": 0});
            }
            f
        })
        .collect();
    json!({
        "name": "targets",
        "path": TARGETS_CSV,
        "profile": "tabular-data-resource",
        "title": locale.text("targets.file"),
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": {"delimiter": ",", "lineTerminator": "\n", "header": true},
        "schema": {"fields": fields, "missingValues": [""]},
    })
}

/// The data of the report's targets section: per target, the actual value and the progress.
fn targets_section(ind: &Indicators, locale: &Locale) -> Option<Value> {
    let t = ind.targets.as_ref()?;
    let s = |c: &str| strings(t, c);
    let (names, periods, measures, secrecy) = (s("area_name"), s("period"), s("measure"), s("secrecy"));
    let num = |c: &str| -> Vec<Option<f64>> {
        t.column(c).ok().and_then(|c| c.f64().ok().map(|v| v.iter().collect())).unwrap_or_default()
    };
    let (target, actual, pct) = (num("target"), num("actual"), num("progress_pct"));
    let shown = |v: Option<f64>, i: usize, d: usize| match v {
        Some(v) => locale.number(v, d),
        None if secrecy[i] == "no_records" => locale.text("programme.no_records").into(),
        None => locale.text("table.secret").into(),
    };
    let rows: Vec<Value> = (0..t.height())
        .map(|i| {
            json!({"cells": [
                names[i].clone(),
                period_label(&periods[i], locale),
                locale.text(&format!("targets.measure.{}", measures[i])).to_string(),
                shown(target.get(i).copied().flatten(), i, 0),
                shown(actual.get(i).copied().flatten(), i, if measures[i] == "hours" { 1 } else { 0 }),
                shown(pct.get(i).copied().flatten(), i, 1),
            ]})
        })
        .collect();
    let header: Vec<String> = ["area", "period", "measure", "target", "actual", "progress"]
        .iter()
        .map(|h| locale.text(&format!("targets.header.{h}")).to_string())
        .collect();
    let funder = ind.funder.clone().unwrap_or_default();
    Some(json!({
        "intro": locale.format("targets.intro", &[("funder", Arg::Text(funder))]),
        "header": header,
        "rows": rows,
        "download": format!("datasets/{TARGETS_CSV}"),
    }))
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
    json!({
        "programme": programme_section(ind, locale),
        "targets": targets_section(ind, locale),
        "ifn": ifn_section(ind, locale),
    })
}
