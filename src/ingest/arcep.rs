//! ARCEP "Ma connexion internet": buildings (EPSG:3857 points, premises per building) and
//! eligibility (one row per building × technology).
//!
//! Input: CSV, `,` or `;` (detected), plain or gzip-compressed (`.csv.gz`, through [`read_table`]); the
//! building coordinates are `imb_longitude`/`imb_latitude` or, in some releases, `imb_x`/`imb_y`
//! ([`COORDINATE_COLUMNS`]; the first pair wins when a file has both), EPSG:3857 metres either way.
//!
//! Output: `buildings` (`imb_id, x, y, logloc, commune`, x/y in Lambert-93) and `eligibility`
//! (`imb_id, thd30, ftth`: one row per building having any eligibility row, flags = any technology
//! reaching ≥ 30 Mbit/s down, any FTTH row). Buildings without eligibility rows count as not eligible.

use std::collections::BTreeSet;
use std::path::Path;

use polars::prelude::*;

use super::error::{IngestError, Location};
use super::read::{CodeKind, ReadOptions, read_table};
use crate::crs::{Crs, Reprojector, in_lambert93_bounds};

pub const TECHNOLOGIES: [&str; 7] = ["CU", "COAX", "FO", "4GF", "THDR", "WMX", "SAT"];
/// Rate classes, slowest first.
pub const RATE_CLASSES: [&str; 7] = ["INEL", "HD05", "HD3", "BHD8", "THD30", "THD100", "THD1G"];

/// True for classes at or above 30 Mbit/s.
pub fn is_thd30(class: &str) -> bool {
    matches!(class, "THD30" | "THD100" | "THD1G")
}

/// Coordinate columns of the buildings file, in order of preference: the names of the published CSV, then
/// `imb_x`/`imb_y` as third-party readers report in the gzip national files. Both pairs are EPSG:3857.
pub const COORDINATE_COLUMNS: [(&str, &str); 2] = [("imb_longitude", "imb_latitude"), ("imb_x", "imb_y")];

pub struct ArcepTables {
    pub buildings: DataFrame,
    pub eligibility: DataFrame,
}

fn polars_err(path: &Path, e: PolarsError) -> IngestError {
    IngestError::format(path, Location::File, format!("table operation failed: {e}"))
}

pub fn read_arcep(
    buildings: (&Path, &ReadOptions),
    eligibility: (&Path, &ReadOptions),
    reproj: &Reprojector,
) -> Result<ArcepTables, IngestError> {
    // Buildings.
    let t = read_table(buildings.0, buildings.1)?;
    let present = t.columns();
    let has = |c: &str| present.iter().any(|p| p == c);
    let Some((x_col, y_col)) = COORDINATE_COLUMNS.into_iter().find(|(x, y)| has(x) && has(y)) else {
        let mut errors = vec![IngestError::MissingColumn {
            path: t.path.clone(),
            location: t.header_location(),
            column: "imb_longitude and imb_latitude (or imb_x and imb_y)".into(),
            found: present.join(", "),
        }];
        match t.require_columns(&["imb_id", "imb_code_insee", "imb_nbr_logloc"]) {
            Ok(()) => return Err(errors.remove(0)),
            Err(IngestError::Many { errors: more, .. }) => errors.extend(more),
            Err(e) => errors.push(e),
        }
        return Err(IngestError::Many { path: t.path.clone(), errors });
    };
    t.require_columns(&["imb_id", x_col, y_col, "imb_code_insee", "imb_nbr_logloc"])?;
    let coordinates = format!("{x_col}/{y_col}");
    let mut errors = Vec::new();
    let ids = t.strings("imb_id")?;
    let xs = t.f64s(x_col, &mut errors);
    let ys = t.f64s(y_col, &mut errors);
    let logloc = t.f64s("imb_nbr_logloc", &mut errors);
    let communes = t.codes("imb_code_insee", CodeKind::Commune, &mut errors);
    let mut seen = BTreeSet::new();
    let (mut out_id, mut out_x, mut out_y, mut out_n, mut out_c) = (vec![], vec![], vec![], vec![], vec![]);
    for row in 0..t.height() {
        let field = |field: &str, expected: &str, found: String| IngestError::Field {
            path: t.path.clone(),
            location: t.line_of(row),
            field: field.into(),
            expected: expected.into(),
            found,
        };
        let Some(id) = ids[row].clone() else {
            errors.push(field("imb_id", "a building id", "empty".into()));
            continue;
        };
        if !seen.insert(id.clone()) {
            errors.push(field("imb_id", "a unique building id", format!("duplicate {id}")));
            continue;
        }
        let (Some(x), Some(y)) = (xs[row], ys[row]) else {
            errors.push(field(&coordinates, "EPSG:3857 coordinates in metres", "empty".into()));
            continue;
        };
        let l93 =
            reproj.to_lambert93(Crs::WebMercator, x, y).ok().filter(|(a, b)| in_lambert93_bounds(*a, *b));
        let Some((lx, ly)) = l93 else {
            let hint = if x.abs() <= 180.0 && y.abs() <= 90.0 { " (these look like degrees)" } else { "" };
            errors.push(field(
                &coordinates,
                "EPSG:3857 (Web Mercator) metres in France, as ARCEP publishes them",
                format!("({x}, {y}){hint}"),
            ));
            continue;
        };
        let n = match logloc[row] {
            Some(n) if n >= 0.0 && n.fract() == 0.0 => n,
            other => {
                let found = other.map_or_else(|| "empty".to_string(), |n| n.to_string());
                errors.push(field("imb_nbr_logloc", "a whole number of premises ≥ 0", found));
                continue;
            }
        };
        out_id.push(id);
        out_x.push(lx);
        out_y.push(ly);
        out_n.push(n);
        out_c.push(communes[row].clone());
    }
    IngestError::collect(t.path.clone(), errors)?;
    let buildings_df = DataFrame::new_infer_height(vec![
        Column::new("imb_id".into(), out_id),
        Column::new("x".into(), out_x),
        Column::new("y".into(), out_y),
        Column::new("logloc".into(), out_n),
        Column::new("commune".into(), out_c),
    ])
    .map_err(|e| polars_err(&t.path, e))?;

    // Eligibility.
    let e = read_table(eligibility.0, eligibility.1)?;
    e.require_columns(&["imb_id", "code_techno", "classe_debit_descendant"])?;
    let mut errors = Vec::new();
    let eids = e.strings("imb_id")?;
    let techno = e.strings("code_techno")?;
    let classes = e.strings("classe_debit_descendant")?;
    let (mut el_id, mut el_thd, mut el_ftth) = (vec![], vec![], vec![]);
    for row in 0..e.height() {
        let field = |field: &str, expected: String, found: String| IngestError::Field {
            path: e.path.clone(),
            location: e.line_of(row),
            field: field.into(),
            expected,
            found,
        };
        let id = match &eids[row] {
            Some(id) if seen.contains(id) => id.clone(),
            Some(id) => {
                errors.push(field("imb_id", "a building listed in the buildings file".into(), id.clone()));
                continue;
            }
            None => {
                errors.push(field("imb_id", "a building id".into(), "empty".into()));
                continue;
            }
        };
        let t = techno[row].as_deref().unwrap_or("");
        if !TECHNOLOGIES.contains(&t) {
            errors.push(field("code_techno", format!("one of {}", TECHNOLOGIES.join(", ")), t.into()));
            continue;
        }
        let c = classes[row].as_deref().unwrap_or("");
        if !RATE_CLASSES.contains(&c) {
            errors.push(field(
                "classe_debit_descendant",
                format!("one of {}", RATE_CLASSES.join(", ")),
                c.into(),
            ));
            continue;
        }
        el_id.push(id);
        el_thd.push(is_thd30(c));
        el_ftth.push(t == "FO" && c != "INEL");
    }
    IngestError::collect(e.path.clone(), errors)?;
    let rows = DataFrame::new_infer_height(vec![
        Column::new("imb_id".into(), el_id),
        Column::new("thd30".into(), el_thd),
        Column::new("ftth".into(), el_ftth),
    ])
    .map_err(|err| polars_err(&e.path, err))?;
    let eligibility_df = rows
        .lazy()
        .group_by([col("imb_id")])
        .agg([col("thd30").max(), col("ftth").max()])
        .sort(["imb_id"], SortMultipleOptions::default())
        .collect()
        .map_err(|err| polars_err(&e.path, err))?;
    Ok(ArcepTables { buildings: buildings_df, eligibility: eligibility_df })
}
