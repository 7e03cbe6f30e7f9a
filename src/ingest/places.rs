//! Digital-mediation places in the national standard v1.0.2 (La MedNum / ANCT).
//!
//! Output: DataFrame `place_id, nom, commune, x, y, programmes` (x/y in Lambert-93, null when the place
//! has no coordinates; `programmes` = `dispositif_programmes_nationaux`, `|`-separated as published).

use std::collections::BTreeSet;
use std::path::Path;

use polars::prelude::*;

use super::error::{IngestError, Location};
use super::read::{ReadOptions, read_table};
use crate::crs::Reprojector;

/// Required by the standard's Table Schema.
pub const REQUIRED: [&str; 7] = ["id", "pivot", "nom", "commune", "code_postal", "adresse", "date_maj"];

pub fn read_places(path: &Path, opts: &ReadOptions, reproj: &Reprojector) -> Result<DataFrame, IngestError> {
    let t = read_table(path, opts)?;
    t.require_columns(&REQUIRED)?;
    t.require_columns(&["latitude", "longitude", "dispositif_programmes_nationaux"])?;
    let mut errors = Vec::new();
    let required: Vec<Vec<Option<String>>> =
        REQUIRED.iter().map(|c| t.strings(c)).collect::<Result<_, _>>()?;
    let lat = t.f64s("latitude", &mut errors);
    let lon = t.f64s("longitude", &mut errors);
    let programmes = t.strings("dispositif_programmes_nationaux")?;
    let mut seen = BTreeSet::new();
    let (mut ids, mut noms, mut communes, mut xs, mut ys, mut progs) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    'rows: for row in 0..t.height() {
        let field = |field: &str, expected: &str, found: String| IngestError::Field {
            path: t.path.clone(),
            location: t.line_of(row),
            field: field.into(),
            expected: expected.into(),
            found,
        };
        for (c, values) in REQUIRED.iter().zip(&required) {
            if values[row].is_none() {
                errors.push(field(c, "a value (required by the standard v1.0.2)", "empty".into()));
                continue 'rows;
            }
        }
        let id = required[0][row].clone().unwrap_or_default();
        if !seen.insert(id.clone()) {
            errors.push(field("id", "a unique id", format!("duplicate {id}")));
            continue;
        }
        if let Some(d) = &required[6][row]
            && chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err()
        {
            errors.push(field("date_maj", "an ISO date YYYY-MM-DD", d.clone()));
            continue;
        }
        let (x, y) = match (lat[row], lon[row]) {
            (Some(la), Some(lo)) => match reproj.wgs84_in_france(la, lo) {
                Some((x, y)) => (Some(x), Some(y)),
                None => {
                    errors.push(field(
                        "latitude/longitude",
                        "WGS84 degrees in France",
                        format!("({la}, {lo})"),
                    ));
                    continue;
                }
            },
            (None, None) => (None, None),
            (la, lo) => {
                let found = match (la, lo) {
                    (Some(la), _) => format!("latitude {la} without longitude"),
                    (_, lo) => format!("longitude {} without latitude", lo.unwrap_or_default()),
                };
                errors.push(field("latitude/longitude", "both coordinates or neither", found));
                continue;
            }
        };
        ids.push(id);
        noms.push(required[2][row].clone());
        communes.push(required[3][row].clone());
        xs.push(x);
        ys.push(y);
        progs.push(programmes[row].clone());
    }
    IngestError::collect(t.path.clone(), errors)?;
    DataFrame::new_infer_height(vec![
        Column::new("place_id".into(), ids),
        Column::new("nom".into(), noms),
        Column::new("commune".into(), communes),
        Column::new("x".into(), xs),
        Column::new("y".into(), ys),
        Column::new("programmes".into(), progs),
    ])
    .map_err(|e| IngestError::format(path, Location::File, format!("table operation failed: {e}")))
}
