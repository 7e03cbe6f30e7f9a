//! `datasets/datapackage.json`: the Frictionless Data Package of the published tables, its Table Schema
//! read from the indicator table (types, titles, units and descriptions in the report's language).

use polars::prelude::*;
use serde_json::json;

use crate::context::Context;
use crate::indicators::Indicators;
use crate::indicators::table::{Indicator, TextParams, indicator};
use crate::locale::{Arg, Locale};

/// One field of a Table Schema, from the indicator table, in the locale's words.
pub(super) fn schema_field(d: &Indicator, locale: &Locale, params: &TextParams) -> serde_json::Value {
    json!({
        "name": d.id,
        "type": d.column_type.as_str(),
        "title": d.label(locale.lang),
        "description": d.description(locale.lang, params),
        "unit": d.unit(locale.lang),
    })
}

pub(super) fn datapackage(
    ctx: &Context,
    ind: &Indicators,
    table: &DataFrame,
    locale: &Locale,
) -> serde_json::Value {
    let hours = super::completion_hours(ctx, locale);
    let params = super::text_params(ctx, &hours);
    let fields: Vec<serde_json::Value> = table
        .get_column_names()
        .iter()
        .filter_map(|c| indicator(c))
        .map(|d| schema_field(d, locale, &params))
        .collect();
    let title = locale.format(
        "package.title",
        &[("dataset", Arg::Text(ctx.dataset.name.clone())), ("period", Arg::Text(ind.period.clone()))],
    );
    json!({
        "profile": "tabular-data-package",
        "name": format!("fracture-{}-{}", ctx.dataset.id, ind.period.to_lowercase()),
        "title": title,
        "licenses": [{"name": "etalab-2.0", "title": "Licence Ouverte 2.0", "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"}],
        "synthetic": ctx.dataset.synthetic,
        "sources": [{"title": ctx.dataset.credit(locale.lang)}],
        "resources": [{
            "name": "indicators",
            "path": "../tables/indicators.csv",
            "format": "csv",
            "encoding": "utf-8",
            "dialect": {"delimiter": ",", "header": true},
            "schema": {"fields": fields, "primaryKey": ["area_code"], "missingValues": [""]}
        }]
    })
}
