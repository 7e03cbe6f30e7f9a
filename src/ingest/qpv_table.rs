//! INSEE indicators published per QPV (2015 geography), keyed by `code_qp`.
//!
//! Output: DataFrame `code_qp` + the numeric indicators fracture uses, as f64 (null = suppressed or
//! missing, never zero): `pop_mun` (municipal population), `tp60` (poverty rate, %), `disp_q2` (median
//! disposable income per consumption unit, €), `tx_tot_empl` (employment rate of the 15-64, %),
//! `tx_tot_eprec` (share of precarious jobs, %), `ind_jeune` (youth index), `abcde` (jobseekers).
//! `pop_mun` and `code_qp` are required; the other columns are read when present.

use std::collections::BTreeSet;
use std::path::Path;

use polars::prelude::*;

use super::error::{IngestError, Location};
use super::read::{CodeKind, ReadOptions, read_table};

/// Indicator columns read (besides `code_qp`), with whether they are percentages.
pub const INDICATORS: [(&str, bool); 7] = [
    ("pop_mun", false),
    ("tp60", true),
    ("disp_q2", false),
    ("tx_tot_empl", true),
    ("tx_tot_eprec", true),
    ("ind_jeune", false),
    ("abcde", false),
];

/// INSEE's per-QPV population file for the 2024 list names its columns in camelCase (`codeQPV`,
/// `libQPV`, `popMuniQPV`, `listeDepCom` comma-joined): read under the names above.
const CAMEL_CASE: [(&str, &str); 4] = [
    ("codeQPV", "code_qp"),
    ("libQPV", "lib_qp"),
    ("popMuniQPV", "pop_mun"),
    ("listeDepCom", "liste_dep_com"),
];

pub fn read_qpv_indicators(path: &Path, opts: &ReadOptions) -> Result<DataFrame, IngestError> {
    let mut t = read_table(path, opts)?;
    for (camel, snake) in CAMEL_CASE {
        let names = t.columns();
        if names.iter().any(|n| n == camel) && !names.iter().any(|n| n == snake) {
            t.df.rename(camel, snake.into()).map_err(|e| {
                IngestError::format(&t.path, Location::File, format!("renaming column {camel}: {e}"))
            })?;
        }
    }
    t.require_columns(&["code_qp", "pop_mun"])?;
    let mut errors = Vec::new();
    let raw = t.strings("code_qp")?;
    let mut seen = BTreeSet::new();
    for (row, c) in raw.iter().enumerate() {
        let bad = |expected: &str, found: String| IngestError::Field {
            path: t.path.clone(),
            location: t.line_of(row),
            field: "code_qp".into(),
            expected: expected.into(),
            found,
        };
        match c {
            None => errors.push(bad("a QPV code", "empty".into())),
            Some(c) if !(CodeKind::Qpv2015.matches(c) || CodeKind::Qpv2024.matches(c)) => {
                errors.push(bad("a QPV code (QP + 6 digits or QN + 5 digits + letter)", c.clone()))
            }
            Some(c) if !seen.insert(c.clone()) => {
                errors.push(bad("one row per QPV", format!("duplicate {c}")))
            }
            _ => {}
        }
    }
    let mut columns = vec![Column::new("code_qp".into(), raw)];
    for (name, pct) in INDICATORS {
        if !t.columns().iter().any(|c| c == name) {
            continue;
        }
        let values = t.f64s(name, &mut errors);
        for (row, v) in values.iter().enumerate() {
            if let Some(x) = v
                && (*x < 0.0 || (pct && *x > 100.0))
            {
                errors.push(IngestError::Field {
                    path: t.path.clone(),
                    location: t.line_of(row),
                    field: name.into(),
                    expected: if pct {
                        "a percentage between 0 and 100".into()
                    } else {
                        "a value ≥ 0".into()
                    },
                    found: x.to_string(),
                });
            }
        }
        columns.push(Column::new(name.into(), values));
    }
    IngestError::collect(t.path.clone(), errors)?;
    DataFrame::new_infer_height(columns)
        .map_err(|e| IngestError::format(path, Location::File, format!("table operation failed: {e}")))
}
