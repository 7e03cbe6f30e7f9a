//! The open-data package `datasets/`: `datapackage.json` (Frictionless Data Package: a Table Schema per
//! CSV read from the indicator table, the geographic files with their format and media type, licence,
//! sources), `README.md` (data dictionary, method, sources, attribution), `LICENSE` and `SHA256SUMS`.
//! Every path is inside the folder, every text comes from the locale or the indicator table.

use std::collections::BTreeMap;
use std::path::Path;

use polars::prelude::*;
use serde_json::json;

use super::PublishError;
use crate::context::Context;
use crate::indicators::table::{ColumnType, Indicator, TextParams, indicator};
use crate::indicators::{AreaType, Indicators};
use crate::locale::{Arg, Locale};

/// Official page of the Licence Ouverte 2.0.
pub(super) const LICENCE_URL: &str = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/";

/// The files of the package, in the order the README lists them.
pub(super) mod file {
    pub const CSV: &str = "indicators.csv";
    pub const EXCEL: &str = "indicators_excel-fr.csv";
    pub const GEOJSON: &str = "qpv_indicators.geojson";
    pub const GEOPARQUET: &str = "qpv_indicators.parquet";
    pub const GPKG: &str = "qpv_indicators.gpkg";
    pub const DATAPACKAGE: &str = "datapackage.json";
    pub const README: &str = "README.md";
    pub const LICENSE: &str = "LICENSE";
    pub const SHA256SUMS: &str = "SHA256SUMS";
}

/// `(file, message key of what it holds)`, in order.
pub(super) const FILES: [(&str, &str); 9] = [
    (file::CSV, "package.file_csv"),
    (file::EXCEL, "package.file_excel"),
    (file::GEOJSON, "package.file_geojson"),
    (file::GEOPARQUET, "package.file_geoparquet"),
    (file::GPKG, "package.file_gpkg"),
    (file::DATAPACKAGE, "package.file_datapackage"),
    (file::README, "package.file_readme"),
    (file::LICENSE, "package.file_license"),
    (file::SHA256SUMS, "package.file_sha256sums"),
];

/// SHA-256 (hex) and size of a file of the package.
pub(super) type FileStats = BTreeMap<String, (String, u64)>;

/// The Frictionless type of a column the indicator table does not know (from its polars type).
fn dtype_type(dtype: &DataType) -> &'static str {
    match dtype {
        DataType::Boolean => "boolean",
        DataType::Float32 | DataType::Float64 => "number",
        d if d.is_integer() => "integer",
        _ => "string",
    }
}

/// The constraints a column's definition implies: identity columns are required, `area_code` unique,
/// `area_type` one of its codes, counts and sizes non-negative, percentages within 0–100.
fn constraints(d: &Indicator) -> Option<serde_json::Value> {
    let c = match d.id.as_str() {
        "area_code" => json!({"required": true, "unique": true}),
        "area_name" => json!({"required": true}),
        "area_type" => json!({
            "required": true,
            "enum": [AreaType::Qpv.code(), AreaType::OutsideQpv.code(), AreaType::Territory.code()],
        }),
        _ => match (d.column_type, d.unit.fr.as_str()) {
            (ColumnType::Number | ColumnType::Integer, "%") => json!({"minimum": 0, "maximum": 100}),
            (ColumnType::Integer, _) | (ColumnType::Number, "‰" | "km²") => json!({"minimum": 0}),
            _ => return None,
        },
    };
    Some(c)
}

/// One field of a Table Schema, from the indicator table, in the locale's words.
pub(super) fn schema_field(d: &Indicator, locale: &Locale, params: &TextParams) -> serde_json::Value {
    let mut f = json!({
        "name": d.id,
        "type": d.column_type.as_str(),
        "title": d.label(locale.lang),
        "description": d.description(locale.lang, params),
        "unit": d.unit(locale.lang),
    });
    if let Some(c) = constraints(d) {
        f["constraints"] = c;
    }
    f
}

/// The Table Schema fields of `table`'s columns, in order (a column the indicator table does not
/// define keeps its name and its polars type, so that the schema always matches the file).
fn fields(table: &DataFrame, locale: &Locale, params: &TextParams) -> Vec<serde_json::Value> {
    table
        .columns()
        .iter()
        .map(|c| match indicator(c.name()) {
            Some(d) => schema_field(d, locale, params),
            None => json!({"name": c.name().as_str(), "type": dtype_type(c.dtype())}),
        })
        .collect()
}

/// A source of the data: producer, title, vintage, page.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Source {
    pub title: String,
    pub producer: Option<String>,
    pub vintage: Option<String>,
    pub page: Option<String>,
}

/// The dataset's sources: its catalogue entries (producer, title, vintage, page) when it names them,
/// else its credit line (a synthetic dataset's producer is the generator).
pub(super) fn sources(ctx: &Context, ind: &Indicators, locale: &Locale) -> Vec<Source> {
    let d = &ctx.dataset;
    let catalogue = (!d.sources.is_empty())
        .then(|| crate::fetch::load_catalogue(&ctx.paths.data_dir.join("sources.toml")).ok())
        .flatten();
    let mut out: Vec<Source> = d
        .sources
        .iter()
        .map(|s| {
            let entry = catalogue.as_ref().and_then(|c| c.get(&s.id));
            Source {
                title: entry.and_then(|e| e.title.clone()).unwrap_or_else(|| s.id.clone()),
                producer: entry.map(|e| e.publisher.clone()),
                vintage: s.vintage.clone().or_else(|| entry.map(|e| e.vintage.clone())),
                page: entry.and_then(|e| e.page.clone()),
            }
        })
        .collect();
    if out.is_empty() {
        out.push(Source {
            title: d.credit(locale.lang).to_string(),
            producer: d.synthetic.then(|| locale.text("package.source_generator").to_string()),
            vintage: Some(ind.period.clone()),
            page: None,
        });
    }
    out
}

fn title(ctx: &Context, ind: &Indicators, locale: &Locale) -> String {
    locale.format(
        "package.title",
        &[("dataset", Arg::Text(ctx.dataset.name.clone())), ("period", Arg::Text(ind.period.clone()))],
    )
}

fn description(ctx: &Context, ind: &Indicators, locale: &Locale) -> String {
    let d = locale.format(
        "package.description",
        &[("dataset", Arg::Text(ctx.dataset.name.clone())), ("period", Arg::Text(ind.period.clone()))],
    );
    if ctx.dataset.synthetic { format!("{} {d}", locale.text("package.readme_synthetic")) } else { d }
}

/// The attribution line the licence asks for.
pub(super) fn attribution(ctx: &Context, ind: &Indicators, locale: &Locale, date: &str) -> String {
    locale.format(
        "package.attribution",
        &[
            ("credit", Arg::Text(ctx.dataset.credit(locale.lang).to_string())),
            ("version", Arg::Text(env!("CARGO_PKG_VERSION").into())),
            ("title", Arg::Text(title(ctx, ind, locale))),
            ("date", Arg::Text(date.to_string())),
        ],
    )
}

/// `datapackage.json`. `stats` gives the SHA-256 and size of the files already written (the Parquet
/// has none: frictionless reads it as a table and cannot count its bytes).
pub(super) fn datapackage(
    ctx: &Context,
    ind: &Indicators,
    table: &DataFrame,
    locale: &Locale,
    stats: &FileStats,
) -> serde_json::Value {
    let hours = super::completion_hours(ctx, locale);
    let params = super::text_params(ctx, &hours);
    let csv_fields = fields(table, locale, &params);
    // The French-Excel twin: the same fields, numbers with a decimal comma.
    let excel_fields: Vec<serde_json::Value> = csv_fields
        .iter()
        .cloned()
        .map(|mut f| {
            if f["type"] == "number" {
                f["decimalChar"] = json!(",");
            }
            f
        })
        .collect();
    let schema = |fields: Vec<serde_json::Value>| json!({"fields": fields, "primaryKey": ["area_code"], "missingValues": [""]});
    let with_stats = |mut r: serde_json::Value, path: &str| {
        if let Some((sha, bytes)) = stats.get(path) {
            r["hash"] = json!(format!("sha256:{sha}"));
            r["bytes"] = json!(bytes);
        }
        r
    };
    let text = |key: &str| locale.text(key).to_string();
    let resources = vec![
        with_stats(
            json!({
                "name": "indicators",
                "path": file::CSV,
                "profile": "tabular-data-resource",
                "title": text("package.file_csv"),
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "lineTerminator": "\n", "header": true},
                "schema": schema(csv_fields),
            }),
            file::CSV,
        ),
        with_stats(
            json!({
                "name": "indicators-excel-fr",
                "path": file::EXCEL,
                "profile": "tabular-data-resource",
                "title": text("package.file_excel"),
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                "dialect": {"delimiter": ";", "lineTerminator": "\r\n", "header": true},
                "schema": schema(excel_fields),
            }),
            file::EXCEL,
        ),
        with_stats(
            json!({
                "name": "qpv-indicators-geojson",
                "path": file::GEOJSON,
                "profile": "data-resource",
                "title": text("package.file_geojson"),
                "format": "geojson",
                "mediatype": "application/geo+json",
                "encoding": "utf-8",
            }),
            file::GEOJSON,
        ),
        json!({
            "name": "qpv-indicators-geoparquet",
            "path": file::GEOPARQUET,
            "profile": "data-resource",
            "title": text("package.file_geoparquet"),
            "format": "parquet",
            "mediatype": "application/vnd.apache.parquet",
        }),
        with_stats(
            json!({
                "name": "qpv-indicators-gpkg",
                "path": file::GPKG,
                "profile": "data-resource",
                "title": text("package.file_gpkg"),
                "format": "gpkg",
                "mediatype": "application/geopackage+sqlite3",
            }),
            file::GPKG,
        ),
    ];
    let sources: Vec<serde_json::Value> = sources(ctx, ind, locale)
        .into_iter()
        .map(|s| {
            let mut v = json!({"title": s.title});
            if let Some(p) = s.producer {
                v["producer"] = json!(p);
            }
            if let Some(x) = s.vintage {
                v["vintage"] = json!(x);
            }
            if let Some(p) = s.page {
                v["path"] = json!(p);
            }
            v
        })
        .collect();
    json!({
        "profile": "data-package",
        "name": format!("fracture-{}-{}", ctx.dataset.id, ind.period.to_lowercase()),
        "title": title(ctx, ind, locale),
        "description": description(ctx, ind, locale),
        "language": locale.lang.code(),
        "licenses": [{"name": "etalab-2.0", "title": "Licence Ouverte / Open Licence 2.0", "path": LICENCE_URL}],
        "synthetic": ctx.dataset.synthetic,
        "sources": sources,
        "contributors": [{"title": format!("fracture {}", env!("CARGO_PKG_VERSION")), "role": "author"}],
        "resources": resources,
    })
}

/// A Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// `README.md` of the package.
pub(super) fn readme(
    ctx: &Context,
    ind: &Indicators,
    table: &DataFrame,
    locale: &Locale,
    method: &[String],
    secrecy: &str,
    date: &str,
) -> String {
    let hours = super::completion_hours(ctx, locale);
    let params = super::text_params(ctx, &hours);
    let title = title(ctx, ind, locale);
    let mut out = format!("# {title}\n\n");
    if ctx.dataset.synthetic {
        out.push_str(&format!("> **{}**\n\n", locale.text("package.readme_synthetic")));
    }
    out.push_str(&locale.format("package.readme_intro", &[("title", Arg::Text(title.clone()))]));
    out.push_str("\n\n");

    out.push_str(&format!(
        "## {}\n\n{}\n|---|---|\n",
        locale.text("package.readme_files"),
        locale.text("package.readme_files_header")
    ));
    for (f, what) in FILES {
        out.push_str(&format!("| `{f}` | {} |\n", cell(locale.text(what))));
    }
    if ind.programme.is_some() {
        let f = super::report_sections::PROGRAMME_CSV;
        out.push_str(&format!("| `{f}` | {} |\n", cell(locale.text("programme.file_description"))));
    }
    if ind.ifn_ranks.is_some() {
        let f = super::report_sections::IFN_RANKS_CSV;
        out.push_str(&format!("| `{f}` | {} |\n", cell(locale.text("ifn_ranks.file_description"))));
    }
    if ind.targets.is_some() {
        let f = super::report_sections::TARGETS_CSV;
        out.push_str(&format!("| `{f}` | {} |\n", cell(locale.text("targets.file_description"))));
    }

    out.push_str(&format!(
        "\n## {}\n\n{}\n\n",
        locale.text("package.readme_dictionary"),
        locale.text("package.readme_rows")
    ));
    out.push_str(&format!("{}\n|---|---|---|---|---|\n", locale.text("package.readme_dictionary_header")));
    for c in table.columns() {
        let (label, kind, unit, descr) = match indicator(c.name()) {
            Some(d) => (
                d.label(locale.lang).to_string(),
                d.column_type.as_str(),
                d.unit(locale.lang).to_string(),
                d.description(locale.lang, &params),
            ),
            None => (String::new(), dtype_type(c.dtype()), String::new(), String::new()),
        };
        out.push_str(&format!(
            "| `{}` | {} | {kind} | {} | {} |\n",
            c.name(),
            cell(&label),
            cell(&unit),
            cell(&descr)
        ));
    }
    out.push_str(&format!("\n{}\n", locale.text("package.readme_geometry")));

    out.push_str(&format!("\n## {}\n\n", locale.text("package.readme_method")));
    for m in method {
        out.push_str(&format!("- {m}\n"));
    }
    out.push_str(&format!("\n## {}\n\n{secrecy}\n", locale.text("package.readme_secrecy")));

    out.push_str(&format!("\n## {}\n\n", locale.text("package.readme_sources")));
    for s in sources(ctx, ind, locale) {
        let mut line = String::from("- ");
        if let Some(p) = &s.producer {
            line.push_str(&format!("{p} — "));
        }
        line.push_str(&s.title);
        if let Some(v) = &s.vintage {
            line.push_str(&format!(
                ", {}",
                locale.format("package.readme_source_vintage", &[("vintage", Arg::Text(v.clone()))])
            ));
        }
        if let Some(p) = &s.page {
            line.push_str(&format!(" (<{p}>)"));
        }
        out.push_str(&line);
        out.push('\n');
    }

    out.push_str(&format!(
        "\n## {}\n\n{}\n\n> {}\n",
        locale.text("package.readme_licence"),
        locale.format("package.readme_licence_text", &[("url", Arg::Text(LICENCE_URL.into()))]),
        attribution(ctx, ind, locale, date)
    ));
    out.push_str(&format!(
        "\n## {}\n\n{}\n",
        locale.text("package.readme_integrity"),
        locale.text("package.readme_integrity_text")
    ));
    out
}

/// `LICENSE`: the Licence Ouverte 2.0 summarised faithfully, its official link and this dataset's
/// attribution.
pub(super) fn license(ctx: &Context, ind: &Indicators, locale: &Locale, date: &str) -> String {
    let text = locale.format(
        "package.license_text",
        &[
            ("url", Arg::Text(LICENCE_URL.into())),
            ("attribution", Arg::Text(attribution(ctx, ind, locale, date))),
        ],
    );
    format!("{}\n", text.trim())
}

/// `SHA256SUMS` in `sha256sum`'s format (`<hex>  <name>`), every other file of `dir`, sorted by name.
pub(super) fn sha256sums(dir: &Path) -> Result<String, PublishError> {
    let mut out = String::new();
    for rel in super::files::list_files(dir)? {
        let name = rel.to_string_lossy().replace('\\', "/");
        if name == file::SHA256SUMS {
            continue;
        }
        let (sha, _) =
            crate::io::hash::sha256_file(&dir.join(&rel)).map_err(|e| PublishError::Other(e.to_string()))?;
        out.push_str(&format!("{sha}  {name}\n"));
    }
    Ok(out)
}
