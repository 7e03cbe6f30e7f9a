//! Files of `fracture ifn`: the input table and the thresholds row, read and validated through the
//! project's table reader ([`crate::ingest::read::read_table`]: UTF-8 or Latin-1, separator and decimal
//! comma detected, line of every row kept), and the output CSV, written atomically.
//!
//! Every problem is an [`IngestError`] naming the file, the line and the column (the pipeline maps it to
//! exit code 3); all the problems of a file are reported together.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::Context as _;

use super::method::{IfnScores, Thresholds, Transform, Unit, Values, Variable};
use crate::ingest::error::IngestError;
use crate::ingest::read::{RawTable, ReadOptions, read_table};

/// Output columns after the id, in order.
pub const OUTPUT_COLUMNS: [&str; 8] = [
    "ifn_acces_interfaces",
    "ifn_acces_information",
    "ifn_competences_administratives",
    "ifn_competences_numeriques",
    "ifn_global_acces",
    "ifn_global_competences",
    "ifn_score",
    "ifn_quintile",
];

/// Decimals written for the scores.
const DECIMALS: i32 = 6;

/// The input table: ids (text, as in the file), values, and which variables it has a column for.
#[derive(Debug, Clone)]
pub struct InputTable {
    pub ids: Vec<String>,
    pub rows: Vec<Values>,
    /// Variables with a column, in [`Variable::ALL`] order.
    pub present: Vec<Variable>,
}

impl InputTable {
    /// The variables with at least one value (an empty column counts for nothing).
    pub fn with_values(&self) -> Vec<Variable> {
        self.present.iter().copied().filter(|&v| self.rows.iter().any(|r| r.get(v).is_some())).collect()
    }
}

/// Reads the input table: the `id` column (required, non-empty, unique) and any of the 11 variables;
/// any other column is rejected.
pub fn read_input(path: &Path, id: &str) -> Result<InputTable, IngestError> {
    let t = read_table(path, &ReadOptions::default())?;
    t.require_columns(&[id])?;
    let mut errors = Vec::new();
    let present = variable_columns(&t, Some(id), &mut errors);
    if present.is_empty() && errors.is_empty() {
        errors.push(IngestError::format(
            &t.path,
            t.header_location(),
            format!("no variable column: expected at least one of {}", names()),
        ));
    }
    let ids = t.strings(id)?;
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut out_ids = Vec::with_capacity(ids.len());
    for (row, v) in ids.into_iter().enumerate() {
        let v = v.map(|s| s.trim().to_string()).unwrap_or_default();
        if v.is_empty() {
            errors.push(field(&t, row, id, "a non-empty id", ""));
        } else if let Some(first) = seen.get(&v) {
            let expected = format!("a unique id (already on {})", t.line_of(*first));
            errors.push(field(&t, row, id, &expected, &v));
        } else {
            seen.insert(v.clone(), row);
        }
        out_ids.push(v);
    }
    let rows = values(&t, &present, &mut errors);
    IngestError::collect(&t.path, errors)?;
    Ok(InputTable { ids: out_ids, rows, present })
}

/// Reads the thresholds file: exactly one data row with columns among the 11 variables (and, optionally,
/// the input's `id` column, ignored). Every variable in `needed` (those with a value in the input, see
/// [`InputTable::with_values`]) must have a usable value: positive, and below 1 for a coverage (its
/// non-coverage is the denominator).
pub fn read_thresholds(path: &Path, id: &str, needed: &[Variable]) -> Result<Thresholds, IngestError> {
    let t = read_table(path, &ReadOptions::default())?;
    let mut errors = Vec::new();
    let present = variable_columns(&t, Some(id), &mut errors);
    if t.height() != 1 {
        errors.push(IngestError::format(
            &t.path,
            t.line_of(1),
            format!("expected exactly one data row (the reference territory's values), found {}", t.height()),
        ));
    }
    let rows = values(&t, &present, &mut errors);
    let row = rows.first().copied().unwrap_or_default();
    for &v in needed {
        if !present.contains(&v) {
            errors.push(IngestError::format(
                &t.path,
                t.header_location(),
                format!(
                    "no column `{}`: the input has values of this variable, give the reference's (columns \
                     found: {})",
                    v.name(),
                    t.columns().join(", ")
                ),
            ));
            continue;
        }
        let text = t.strings(v.name()).ok().and_then(|s| s.first().cloned().flatten()).unwrap_or_default();
        let usable = row.get(v).is_some_and(|x| match v.transform() {
            Transform::Value => x > 0.0,
            Transform::NonCoverage => x < 1.0,
        });
        if !usable && !errors.iter().any(|e| is_field_error(e, v.name())) {
            let expected = match v.transform() {
                Transform::Value => "a positive reference value (the input has this variable)",
                Transform::NonCoverage => {
                    "a reference coverage below 1 (its non-coverage is the denominator; the input has this variable)"
                }
            };
            errors.push(field(&t, 0, v.name(), expected, &text));
        }
    }
    IngestError::collect(&t.path, errors)?;
    Ok(row)
}

fn is_field_error(e: &IngestError, col: &str) -> bool {
    matches!(e, IngestError::Field { field, .. } if field == col)
}

fn names() -> String {
    Variable::ALL.map(Variable::name).join(", ")
}

/// The variables among the columns; every other column (but `id`) is an error at the header.
fn variable_columns(t: &RawTable, id: Option<&str>, errors: &mut Vec<IngestError>) -> Vec<Variable> {
    let mut present = Vec::new();
    for c in t.columns() {
        if Some(c.as_str()) == id {
            continue;
        }
        match Variable::from_name(&c) {
            Some(v) => present.push(v),
            None => errors.push(IngestError::format(
                &t.path,
                t.header_location(),
                format!(
                    "unknown column `{c}`: expected the id column{} and any of {}",
                    id.map(|i| format!(" `{i}`")).unwrap_or_default(),
                    names()
                ),
            )),
        }
    }
    present.sort();
    present
}

/// The values of the variable columns, checked against their unit.
fn values(t: &RawTable, present: &[Variable], errors: &mut Vec<IngestError>) -> Vec<Values> {
    let mut rows = vec![Values::default(); t.height()];
    for &v in present {
        let col = v.name();
        let nums = t.f64s(col, errors);
        let texts = t.strings(col).unwrap_or_default();
        for (row, x) in nums.into_iter().enumerate() {
            let Some(x) = x else { continue };
            let (ok, expected) = match v.unit() {
                Unit::Share => {
                    ((0.0..=1.0).contains(&x), "a share between 0 and 1 (a fraction, not a percentage)")
                }
                Unit::Euros => (x >= 0.0, "an amount in euros, 0 or more"),
                Unit::PerResident => (x >= 0.0, "a number per resident, 0 or more"),
            };
            if ok {
                rows[row].set(v, Some(x));
            } else {
                let found = texts.get(row).cloned().flatten().unwrap_or_default();
                errors.push(field(t, row, col, expected, &found));
            }
        }
    }
    rows
}

fn field(t: &RawTable, row: usize, col: &str, expected: &str, found: &str) -> IngestError {
    IngestError::Field {
        path: t.path.clone(),
        location: t.line_of(row),
        field: col.to_string(),
        expected: expected.to_string(),
        found: found.to_string(),
    }
}

/// The output CSV as text: UTF-8, `,`, decimal point, `\n`; the id column then [`OUTPUT_COLUMNS`];
/// scores with up to 6 decimals, an empty cell where a score cannot be computed.
pub fn output_csv(id: &str, ids: &[String], scores: &[IfnScores]) -> String {
    let mut s = String::new();
    s.push_str(&quote(id));
    for c in OUTPUT_COLUMNS {
        s.push(',');
        s.push_str(c);
    }
    s.push('\n');
    for (id, sc) in ids.iter().zip(scores) {
        s.push_str(&quote(id));
        for x in [
            sc.acces_interfaces,
            sc.acces_information,
            sc.competences_administratives,
            sc.competences_numeriques,
            sc.global_acces,
            sc.global_competences,
            sc.score,
        ] {
            s.push(',');
            s.push_str(&x.map(number).unwrap_or_default());
        }
        s.push(',');
        s.push_str(&sc.quintile.map(|q| q.to_string()).unwrap_or_default());
        s.push('\n');
    }
    s
}

fn number(x: f64) -> String {
    let f = 10f64.powi(DECIMALS);
    let r = (x * f).round() / f;
    // `Display` for f64 never uses an exponent; `+ 0.0` turns -0 into 0.
    format!("{}", r + 0.0)
}

/// RFC 4180 quoting when needed.
fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// Writes `text` to a temporary file in `path`'s folder, then renames it over `path`.
pub fn write_atomic(path: &Path, text: &str) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".fracture-ifn-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
    tmp.write_all(text.as_bytes())
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("writing {}", tmp.path().display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // temp files are private (0600); the output is an ordinary file
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644))
            .with_context(|| format!("setting the mode of {}", tmp.path().display()))?;
    }
    tmp.persist(path).map_err(|e| e.error).with_context(|| format!("renaming into {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn message(e: IngestError) -> String {
        e.to_string()
    }

    #[test]
    fn reads_semicolons_decimal_commas_and_keeps_ids_as_text() {
        let d = tempfile::tempdir().unwrap();
        let p = file(d.path(), "in.csv", "code;part_65p;revenu_median\n01001;0,25;18000\n2A004;;19500,5\n");
        let t = read_input(&p, "code").unwrap();
        assert_eq!(t.ids, ["01001", "2A004"]);
        assert_eq!(t.present, [Variable::RevenuMedian, Variable::Part65p]);
        assert_eq!(t.rows[0].part_65p, Some(0.25));
        assert_eq!(t.rows[1].part_65p, None);
        assert_eq!(t.rows[1].revenu_median, Some(19500.5));
    }

    #[test]
    fn rejects_unknown_columns_bad_numbers_shares_and_ids_naming_line_and_column() {
        let d = tempfile::tempdir().unwrap();
        let p = file(d.path(), "bad.csv", "code,part_65p,pop\nA,0.2,10\nB,abc,1\nC,25,1\n,0.1,1\nA,0.1,1\n");
        let m = message(read_input(&p, "code").unwrap_err());
        assert!(m.contains("bad.csv"), "{m}");
        assert!(m.contains("line 1") && m.contains("unknown column `pop`"), "{m}");
        assert!(m.contains("line 3: field `part_65p`") && m.contains("\"abc\""), "{m}");
        assert!(m.contains("line 4: field `part_65p`: expected a share between 0 and 1"), "{m}");
        assert!(m.contains("line 5: field `code`: expected a non-empty id"), "{m}");
        assert!(m.contains("line 6: field `code`: expected a unique id (already on line 2)"), "{m}");
        let m = message(read_input(&p, "iris").unwrap_err());
        assert!(m.contains("missing required column `iris`"), "{m}");
        let none = file(d.path(), "none.csv", "code\nA\n");
        assert!(message(read_input(&none, "code").unwrap_err()).contains("no variable column"));
    }

    #[test]
    fn thresholds_need_one_row_and_a_usable_value_for_each_input_variable() {
        let d = tempfile::tempdir().unwrap();
        let ok = file(d.path(), "t.csv", "code,part_65p,couv_hd_thd\nREF,0.2,0.8\n");
        let t = read_thresholds(&ok, "code", &[Variable::Part65p, Variable::CouvHdThd]).unwrap();
        assert_eq!((t.part_65p, t.couv_hd_thd), (Some(0.2), Some(0.8)));
        let m = message(read_thresholds(&ok, "code", &[Variable::Part1529]).unwrap_err());
        assert!(m.contains("line 1: no column `part_15_29`: the input has values"), "{m}");
        let two = file(d.path(), "two.csv", "part_65p\n0.2\n0.3\n");
        assert!(message(read_thresholds(&two, "code", &[]).unwrap_err()).contains("exactly one data row"));
        let zero = file(d.path(), "zero.csv", "part_65p,couv_hd_thd\n0,1\n");
        let m =
            message(read_thresholds(&zero, "code", &[Variable::Part65p, Variable::CouvHdThd]).unwrap_err());
        assert!(m.contains("line 2: field `part_65p`: expected a positive reference value"), "{m}");
        assert!(m.contains("line 2: field `couv_hd_thd`: expected a reference coverage below 1"), "{m}");
    }

    #[test]
    fn output_is_etalab_csv_with_empty_cells_for_missing_scores() {
        let s = IfnScores {
            score: Some(100.0 / 3.0),
            acces_interfaces: Some(-0.0),
            quintile: Some(3),
            ..Default::default()
        };
        let text = output_csv("code iris", &["a,b".to_string()], &[s]);
        assert_eq!(
            text,
            "code iris,ifn_acces_interfaces,ifn_acces_information,ifn_competences_administratives,\
             ifn_competences_numeriques,ifn_global_acces,ifn_global_competences,ifn_score,ifn_quintile\n\
             \"a,b\",0,,,,,,33.333333,3\n"
        );
    }

    #[test]
    fn atomic_write_leaves_no_temporary_file() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("sub").join("out.csv");
        write_atomic(&out, "x\n").unwrap();
        write_atomic(&out, "y\n").unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "y\n");
        assert_eq!(std::fs::read_dir(d.path().join("sub")).unwrap().count(), 1);
    }
}
