//! INSEE IRIS tables: census population by age, diplomas, and Filosofi disposable income; optionally the
//! census activity of residents and couples-families-households tables.
//!
//! Input: three tables keyed by `IRIS` (see `data/FORMATS.md` §3), read through [`read_table`], and up
//! to two optional ones. Output: one polars DataFrame, one row per IRIS of the population table, columns
//! `iris, pop, pop65, nscol15p, nodip, poverty_rate, median_income` (f64, null = missing or
//! secrecy-suppressed: never zero), plus `act1564, chom1564` (activity) and `men, menpseul, fam,
//! fammono` (households) when those tables are given: without them the columns are absent, and so are
//! the indicators that need them. The census vintage prefix (`P21_`, `C21_`...) is detected from the
//! header.

use std::collections::BTreeSet;
use std::path::Path;

use polars::prelude::*;

use super::error::{IngestError, Location};
use super::read::{CodeKind, RawTable, ReadOptions, read_table};

/// Where the three INSEE tables are and how to read them.
pub struct CensusPaths<'a> {
    pub population: (&'a Path, &'a ReadOptions),
    pub diplomas: (&'a Path, &'a ReadOptions),
    pub filosofi: (&'a Path, &'a ReadOptions),
    /// `base-ic-activite-residents-YYYY` (`Pyy_ACT1564`, `Pyy_CHOM1564`), optional.
    pub activity: Option<(&'a Path, &'a ReadOptions)>,
    /// `base-ic-couples-familles-menages-YYYY` (`Cyy_MEN`, `Cyy_MENPSEUL`, `Cyy_FAM`, `Cyy_FAMMONO`),
    /// optional.
    pub households: Option<(&'a Path, &'a ReadOptions)>,
}

/// An optional census table: its variable prefix (`P`, `C`), its columns `(suffix, name)` (the first
/// gives the vintage), and the pairs `(part, whole)` where the part may not exceed the whole.
struct Optional {
    prefix: &'static str,
    columns: &'static [(&'static str, &'static str)],
    parts: &'static [(usize, usize)],
}

const ACTIVITY: Optional = Optional {
    prefix: "P",
    columns: &[("_ACT1564", "act1564"), ("_CHOM1564", "chom1564")],
    parts: &[(1, 0)],
};

const HOUSEHOLDS: Optional = Optional {
    prefix: "C",
    columns: &[("_MEN", "men"), ("_MENPSEUL", "menpseul"), ("_FAM", "fam"), ("_FAMMONO", "fammono")],
    parts: &[(1, 0), (3, 2)],
};

/// Reads an optional census table: `iris` and its columns' names, or the file's errors; a vintage
/// other than the population table's `yy` is a warning.
fn read_optional(
    (path, options): (&Path, &ReadOptions),
    spec: &Optional,
    yy: &str,
    warnings: &mut Vec<String>,
) -> Result<DataFrame, IngestError> {
    let t = read_table(path, options)?;
    let (suffix, _) = spec.columns[0];
    let example = format!("{}21{suffix}", spec.prefix);
    let (_, vy) = need_column(&t, spec.prefix, suffix, &example)?;
    let names: Vec<String> = spec.columns.iter().map(|(s, _)| format!("{}{vy}{s}", spec.prefix)).collect();
    t.require_columns(&names.iter().map(String::as_str).collect::<Vec<_>>())?;
    if vy != yy {
        warnings.push(format!(
            "{}: census vintage 20{vy} differs from the population table's 20{yy}",
            t.path.display()
        ));
    }
    let mut errors = Vec::new();
    let iris = iris_keys(&t, &mut errors)?;
    let values: Vec<Vec<Option<f64>>> = names.iter().map(|n| counts(&t, n, &mut errors)).collect();
    for &(part, whole) in spec.parts {
        for (row, (p, w)) in values[part].iter().zip(&values[whole]).enumerate() {
            if let (Some(p), Some(w)) = (p, w)
                && *p > *w + 0.5
            {
                errors.push(IngestError::Field {
                    path: t.path.clone(),
                    location: t.line_of(row),
                    field: names[part].clone(),
                    expected: format!("at most {} ({w})", names[whole]),
                    found: p.to_string(),
                });
            }
        }
    }
    finish(&t, errors)?;
    let mut columns = vec![Column::new("iris".into(), iris)];
    for ((_, name), v) in spec.columns.iter().zip(values) {
        columns.push(Column::new((*name).into(), v));
    }
    frame(columns).map_err(|e| polars_err(&t.path, e))
}

/// The IRIS statistics and what was detected while reading them.
pub struct CensusTables {
    pub stats: DataFrame,
    /// e.g. "2021" for `P21_` columns.
    pub census_vintage: String,
    pub filosofi_vintage: String,
    pub warnings: Vec<String>,
}

/// Finds a column `<prefix><yy><suffix>` (e.g. `P` `21` `_POP`) and returns (name, yy).
fn vintage_column(table: &RawTable, prefix: &str, suffix: &str) -> Option<(String, String)> {
    table.columns().into_iter().find_map(|c| {
        let rest = c.strip_prefix(prefix)?;
        let yy = rest.get(..2)?;
        (yy.chars().all(|ch| ch.is_ascii_digit()) && &rest[2..] == suffix)
            .then(|| (c.clone(), yy.to_string()))
    })
}

fn need_column(
    table: &RawTable,
    prefix: &str,
    suffix: &str,
    example: &str,
) -> Result<(String, String), IngestError> {
    vintage_column(table, prefix, suffix).ok_or_else(|| IngestError::MissingColumn {
        path: table.path.clone(),
        location: table.header_location(),
        column: format!("{prefix}yy{suffix} (e.g. {example})"),
        found: table.columns().join(", "),
    })
}

/// Reads the `IRIS` key column: validated, unique.
fn iris_keys(table: &RawTable, errors: &mut Vec<IngestError>) -> Result<Vec<Option<String>>, IngestError> {
    table.require_columns(&["IRIS"])?;
    let codes = table.codes("IRIS", CodeKind::Iris, errors);
    let mut seen = BTreeSet::new();
    for (row, code) in codes.iter().enumerate() {
        match code {
            Some(c) if !seen.insert(c.clone()) => errors.push(IngestError::Field {
                path: table.path.clone(),
                location: table.line_of(row),
                field: "IRIS".into(),
                expected: "one row per IRIS".into(),
                found: format!("duplicate {c}"),
            }),
            None if errors.is_empty() => errors.push(IngestError::Field {
                path: table.path.clone(),
                location: table.line_of(row),
                field: "IRIS".into(),
                expected: "an IRIS code".into(),
                found: "empty".into(),
            }),
            _ => {}
        }
    }
    Ok(codes)
}

/// Numbers that must be ≥ 0 when present.
fn counts(table: &RawTable, col: &str, errors: &mut Vec<IngestError>) -> Vec<Option<f64>> {
    let values = table.f64s(col, errors);
    for (row, v) in values.iter().enumerate() {
        if let Some(x) = v
            && *x < 0.0
        {
            errors.push(IngestError::Field {
                path: table.path.clone(),
                location: table.line_of(row),
                field: col.into(),
                expected: "a count ≥ 0".into(),
                found: x.to_string(),
            });
        }
    }
    values
}

fn finish(table: &RawTable, errors: Vec<IngestError>) -> Result<(), IngestError> {
    IngestError::collect(table.path.clone(), errors)
}

fn frame(columns: Vec<Column>) -> PolarsResult<DataFrame> {
    DataFrame::new_infer_height(columns)
}

fn polars_err(path: &Path, e: PolarsError) -> IngestError {
    IngestError::format(path, Location::File, format!("table operation failed: {e}"))
}

/// Reads and joins the three INSEE IRIS tables.
pub fn read_census(paths: &CensusPaths) -> Result<CensusTables, IngestError> {
    read_census_counted(paths).map(|(t, _)| t)
}

/// [`read_census`], also giving the rows read in each table: population, diplomas, Filosofi, then
/// activity and households (`None` when not given).
pub fn read_census_counted(paths: &CensusPaths) -> Result<(CensusTables, [Option<usize>; 5]), IngestError> {
    let mut warnings = Vec::new();

    // Population by age.
    let pop_t = read_table(paths.population.0, paths.population.1)?;
    let (pop_col, yy) = need_column(&pop_t, "P", "_POP", "P21_POP")?;
    let pop65_col = format!("P{yy}_POP65P");
    pop_t.require_columns(&[pop65_col.as_str()])?;
    let mut errors = Vec::new();
    let iris = iris_keys(&pop_t, &mut errors)?;
    let pop = counts(&pop_t, &pop_col, &mut errors);
    let pop65 = counts(&pop_t, &pop65_col, &mut errors);
    for (row, (p, p65)) in pop.iter().zip(&pop65).enumerate() {
        if let (Some(p), Some(p65)) = (p, p65)
            && *p65 > *p + 0.5
        {
            errors.push(IngestError::Field {
                path: pop_t.path.clone(),
                location: pop_t.line_of(row),
                field: pop65_col.clone(),
                expected: format!("at most {pop_col} ({p})"),
                found: p65.to_string(),
            });
        }
    }
    // Every other age band of the table (`P21_POP75P` → `pop75p`, `P21_POP1529` → `pop1529`…), so that
    // the indicator table can use any of them.
    let band_prefix = format!("P{yy}_POP");
    let mut columns = vec![
        Column::new("iris".into(), iris),
        Column::new("pop".into(), pop),
        Column::new("pop65".into(), pop65),
    ];
    for name in pop_t.columns() {
        if let Some(band) = name.strip_prefix(&band_prefix)
            && band.starts_with(|c: char| c.is_ascii_digit())
            && name != pop65_col
        {
            columns.push(Column::new(
                format!("pop{}", band.to_lowercase()).into(),
                counts(&pop_t, &name, &mut errors),
            ));
        }
    }
    finish(&pop_t, errors)?;
    let population = frame(columns).map_err(|e| polars_err(&pop_t.path, e))?;

    // Diplomas.
    let dip_t = read_table(paths.diplomas.0, paths.diplomas.1)?;
    let (nscol_col, dyy) = need_column(&dip_t, "P", "_NSCOL15P", "P21_NSCOL15P")?;
    let nodip_col = dip_t
        .find_column(&[&format!("P{dyy}_NSCOL15P_DIPLMIN"), &format!("P{dyy}_NSCOL15P_DIPL0")])
        .ok_or_else(|| IngestError::MissingColumn {
            path: dip_t.path.clone(),
            location: dip_t.header_location(),
            column: format!("P{dyy}_NSCOL15P_DIPLMIN (or P{dyy}_NSCOL15P_DIPL0)"),
            found: dip_t.columns().join(", "),
        })?;
    if dyy != yy {
        warnings.push(format!(
            "{}: census vintage 20{dyy} differs from the population table's 20{yy}",
            dip_t.path.display()
        ));
    }
    let mut errors = Vec::new();
    let dip_iris = iris_keys(&dip_t, &mut errors)?;
    let nscol = counts(&dip_t, &nscol_col, &mut errors);
    let nodip = counts(&dip_t, &nodip_col, &mut errors);
    finish(&dip_t, errors)?;
    let diplomas = frame(vec![
        Column::new("iris".into(), dip_iris),
        Column::new("nscol15p".into(), nscol),
        Column::new("nodip".into(), nodip),
    ])
    .map_err(|e| polars_err(&dip_t.path, e))?;

    // Filosofi.
    let filo_t = read_table(paths.filosofi.0, paths.filosofi.1)?;
    let (tp60_col, fyy) = need_column(&filo_t, "DISP_TP60", "", "DISP_TP6021")?;
    let med_col = format!("DISP_MED{fyy}");
    filo_t.require_columns(&[med_col.as_str()])?;
    let mut errors = Vec::new();
    let filo_iris = iris_keys(&filo_t, &mut errors)?;
    let tp60 = filo_t.f64s(&tp60_col, &mut errors);
    for (row, v) in tp60.iter().enumerate() {
        if let Some(x) = v
            && !(0.0..=100.0).contains(x)
        {
            errors.push(IngestError::Field {
                path: filo_t.path.clone(),
                location: filo_t.line_of(row),
                field: tp60_col.clone(),
                expected: "a poverty rate in % between 0 and 100".into(),
                found: x.to_string(),
            });
        }
    }
    let med = counts(&filo_t, &med_col, &mut errors);
    finish(&filo_t, errors)?;
    let filosofi = frame(vec![
        Column::new("iris".into(), filo_iris),
        Column::new("poverty_rate".into(), tp60),
        Column::new("median_income".into(), med),
    ])
    .map_err(|e| polars_err(&filo_t.path, e))?;

    let activity = paths.activity.map(|p| read_optional(p, &ACTIVITY, &yy, &mut warnings)).transpose()?;
    let households =
        paths.households.map(|p| read_optional(p, &HOUSEHOLDS, &yy, &mut warnings)).transpose()?;

    let rows = [
        Some(population.height()),
        Some(diplomas.height()),
        Some(filosofi.height()),
        activity.as_ref().map(DataFrame::height),
        households.as_ref().map(DataFrame::height),
    ];
    // Join by IRIS code (left: the population table defines the IRIS universe).
    let left = JoinArgs::new(JoinType::Left);
    let mut joined = population
        .lazy()
        .join(diplomas.lazy(), [col("iris")], [col("iris")], left.clone())
        .join(filosofi.lazy(), [col("iris")], [col("iris")], left.clone());
    for t in [activity, households].into_iter().flatten() {
        joined = joined.join(t.lazy(), [col("iris")], [col("iris")], left.clone());
    }
    let stats = joined
        .sort(["iris"], SortMultipleOptions::default())
        .collect()
        .map_err(|e| polars_err(paths.population.0, e))?;

    let tables = CensusTables {
        stats,
        census_vintage: format!("20{yy}"),
        filosofi_vintage: format!("20{fyy}"),
        warnings,
    };
    Ok((tables, rows))
}
