//! Sums by area with polars: interpolated census counts, premises, places and attendance, and the
//! quarterly series of reach.

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::*;

use super::secrecy::suppress_counts;
use super::{Area, IndicatorError, TERRITORY, terr};
use crate::context::Quarter;
use crate::join::{OUTSIDE_QPV, OUTSIDE_TERRITORY, UNKNOWN};

/// Named sums per area: `area code → (name → value)`. The territory row is the sum of its partition.
pub type Sums = BTreeMap<String, BTreeMap<String, f64>>;

fn f64_col(df: &DataFrame, name: &str) -> PolarsResult<Vec<f64>> {
    Ok(df.column(name)?.cast(&DataType::Float64)?.f64()?.iter().map(|v| v.unwrap_or(0.0)).collect())
}

fn str_col(df: &DataFrame, name: &str) -> PolarsResult<Vec<String>> {
    Ok(df.column(name)?.str()?.iter().map(|v| v.unwrap_or_default().to_string()).collect())
}

fn u64_col(df: &DataFrame, name: &str) -> PolarsResult<Vec<u64>> {
    Ok(df.column(name)?.cast(&DataType::UInt64)?.u64()?.iter().map(|v| v.unwrap_or(0)).collect())
}

/// `when(cond).then(value).otherwise(0)`.
pub fn masked(cond: Expr, value: Expr) -> Expr {
    when(cond).then(value).otherwise(lit(0.0))
}

fn named_sums(df: &DataFrame, names: &[String]) -> PolarsResult<Sums> {
    let codes = str_col(df, "area_code")?;
    let cols: Vec<Vec<f64>> = names.iter().map(|c| f64_col(df, c)).collect::<PolarsResult<_>>()?;
    Ok(codes
        .into_iter()
        .enumerate()
        .map(|(i, c)| (c, names.iter().zip(&cols).map(|(n, v)| (n.clone(), v[i])).collect()))
        .collect())
}

/// Interpolated census sums per area: each named expression aggregated over the IRIS × area weights
/// (`weight` is the IRIS share going to the area; census columns are those of `stats`).
pub fn census_by_area(
    weights: &DataFrame,
    stats: &DataFrame,
    sums: &[(String, Expr)],
) -> Result<Sums, IndicatorError> {
    let e = terr("census by area");
    let df = weights
        .clone()
        .lazy()
        .join(stats.clone().lazy(), [col("iris")], [col("iris")], JoinArgs::new(JoinType::Left))
        .group_by([col("area_code")])
        .agg(sums.iter().map(|(name, expr)| expr.clone().alias(name.as_str())).collect::<Vec<_>>())
        .sort(["area_code"], SortMultipleOptions::default())
        .collect()
        .map_err(&e)?;
    let names: Vec<String> = sums.iter().map(|(n, _)| n.clone()).collect();
    named_sums(&df, &names).map_err(&e)
}

/// Premises per area (`premises`) and premises of the buildings carrying each flag (by flag name);
/// buildings outside the territory are left out.
pub fn buildings_by_area(b: &DataFrame, flags: &[String]) -> Result<Sums, IndicatorError> {
    let e = terr("buildings by area");
    let mut aggs = vec![col("logloc").sum().alias("premises")];
    aggs.extend(
        flags
            .iter()
            .map(|f| (col("logloc") * col(f.as_str()).cast(DataType::Float64)).sum().alias(f.as_str())),
    );
    let df = b
        .clone()
        .lazy()
        .filter(col("area_code").neq(lit(OUTSIDE_TERRITORY)))
        .group_by([col("area_code")])
        .agg(aggs)
        .sort(["area_code"], SortMultipleOptions::default())
        .collect()
        .map_err(&e)?;
    let mut names = vec!["premises".to_string()];
    names.extend(flags.iter().cloned());
    named_sums(&df, &names).map_err(&e)
}

/// Number of mediation places per area.
pub fn places_by_area(p: &DataFrame) -> Result<BTreeMap<String, u64>, IndicatorError> {
    let e = terr("places by area");
    let df = p
        .clone()
        .lazy()
        .filter(col("area_code").is_not_null())
        .group_by([col("area_code")])
        .agg([len().alias("n")])
        .collect()
        .map_err(&e)?;
    Ok(str_col(&df, "area_code").map_err(&e)?.into_iter().zip(u64_col(&df, "n").map_err(&e)?).collect())
}

/// Quarters present in the attendance records, sorted.
pub fn quarters_present(att: &DataFrame) -> Result<Vec<Quarter>, IndicatorError> {
    let e = terr("quarters");
    let q: BTreeSet<Quarter> = att
        .column("quarter")
        .map_err(&e)?
        .str()
        .map_err(&e)?
        .iter()
        .flatten()
        .filter_map(|s| s.parse().ok())
        .collect();
    Ok(q.into_iter().collect())
}

/// Attendance counts of one quarter, by area of residence.
#[derive(Debug, Default)]
pub struct QuarterCounts {
    pub participants: BTreeMap<String, u64>,
    /// Distinct persons resident in the territory (not the sum: a person may be counted in two areas
    /// if their residence changed).
    pub participants_territory: u64,
    /// Distinct persons resident in any QPV of the territory.
    pub participants_qpv: u64,
    /// Distinct persons whose residence is known (in the territory or outside it).
    pub participants_known: u64,
    pub enrolled: BTreeMap<String, u64>,
    pub completed: BTreeMap<String, u64>,
    pub devices: BTreeMap<String, u64>,
    /// Hours of activity attended, by area of residence.
    pub hours: BTreeMap<String, f64>,
    pub outside_territory: u64,
    pub unknown: u64,
}

impl QuarterCounts {
    pub fn enrolled_territory(&self, partition: &[String]) -> u64 {
        partition.iter().filter_map(|c| self.enrolled.get(c)).sum()
    }
    pub fn completed_territory(&self, partition: &[String]) -> u64 {
        partition.iter().filter_map(|c| self.completed.get(c)).sum()
    }
}

fn counts_by_area(df: &DataFrame, value: &str) -> PolarsResult<BTreeMap<String, u64>> {
    Ok(str_col(df, "area_code")?.into_iter().zip(u64_col(df, value)?).collect())
}

fn in_partition(partition: &[String]) -> Expr {
    partition.iter().map(|c| col("area_code").eq(lit(c.clone()))).reduce(|a, b| a.or(b)).unwrap_or(lit(false))
}

pub fn attendance_by_area(
    att: &DataFrame,
    quarter: &str,
    partition: &[String],
    completion_min_hours: f64,
) -> Result<QuarterCounts, IndicatorError> {
    attendance_in(att, &[quarter.to_string()], partition, completion_min_hours)
}

/// `quarter` is one of `quarters`.
fn in_quarters(column: &str, quarters: &[String]) -> Expr {
    quarters.iter().map(|q| col(column).eq(lit(q.clone()))).reduce(|a, b| a.or(b)).unwrap_or(lit(false))
}

/// Attendance counts of a window of quarters (a quarter, or a year to date), by area of residence:
/// distinct participants over the window, devices and hours of its records, the courses started in it.
pub fn attendance_in(
    att: &DataFrame,
    quarters: &[String],
    partition: &[String],
    completion_min_hours: f64,
) -> Result<QuarterCounts, IndicatorError> {
    let e = terr("attendance by area");
    let q = att.clone().lazy().filter(in_quarters("quarter", quarters));
    let participants = q
        .clone()
        .group_by([col("area_code")])
        .agg([col("person").n_unique().alias("n")])
        .collect()
        .map_err(&e)?;
    let participants = counts_by_area(&participants, "n").map_err(&e)?;
    let territory = q
        .clone()
        .filter(in_partition(partition))
        .select([col("person").n_unique().alias("n")])
        .collect()
        .map_err(&e)?;
    let participants_territory = u64_col(&territory, "n").map_err(&e)?.first().copied().unwrap_or(0);
    let distinct = |filter: Expr| -> Result<u64, IndicatorError> {
        let df =
            q.clone().filter(filter).select([col("person").n_unique().alias("n")]).collect().map_err(&e)?;
        Ok(u64_col(&df, "n").map_err(&e)?.first().copied().unwrap_or(0))
    };
    let qpv: Vec<String> = partition.iter().filter(|c| *c != OUTSIDE_QPV).cloned().collect();
    let participants_qpv = distinct(in_partition(&qpv))?;
    let participants_known = distinct(col("area_code").neq(lit(UNKNOWN)))?;
    let devices = q
        .clone()
        .filter(col("type").eq(lit("don_materiel")))
        .group_by([col("area_code")])
        .agg([len().alias("n")])
        .collect()
        .map_err(&e)?;
    let devices = counts_by_area(&devices, "n").map_err(&e)?;
    let hours = q
        .clone()
        .group_by([col("area_code")])
        .agg([(col("minutes").cast(DataType::Float64).sum() / lit(60.0)).alias("h")])
        .collect()
        .map_err(&e)?;
    let hours: BTreeMap<String, f64> = str_col(&hours, "area_code")
        .map_err(&e)?
        .into_iter()
        .zip(f64_col(&hours, "h").map_err(&e)?)
        .collect();

    // Courses: a cohort belongs to the quarter it started in; a participant's area is that of their
    // first attended session.
    let threshold = completion_min_hours * 60.0;
    let cohort_quarter = col("quarter").min().over([col("cohort")]).map_err(&e)?.alias("cohort_quarter");
    let courses = att
        .clone()
        .lazy()
        .filter(col("type").eq(lit("parcours_initiation")))
        .with_column(cohort_quarter)
        .filter(in_quarters("cohort_quarter", quarters))
        .sort(["date", "record_id"], SortMultipleOptions::default())
        .group_by([col("cohort"), col("person")])
        .agg([col("minutes").sum().alias("minutes"), col("area_code").first().alias("area_code")])
        .group_by([col("area_code")])
        .agg([
            len().alias("enrolled"),
            col("minutes")
                .cast(DataType::Float64)
                .gt_eq(lit(threshold))
                .cast(DataType::UInt64)
                .sum()
                .alias("completed"),
        ])
        .collect()
        .map_err(&e)?;
    let enrolled = counts_by_area(&courses, "enrolled").map_err(&e)?;
    let completed = counts_by_area(&courses, "completed").map_err(&e)?;
    let outside_territory = participants.get(OUTSIDE_TERRITORY).copied().unwrap_or(0);
    let unknown = participants.get(UNKNOWN).copied().unwrap_or(0);
    Ok(QuarterCounts {
        participants,
        participants_territory,
        participants_qpv,
        participants_known,
        enrolled,
        completed,
        devices,
        hours,
        outside_territory,
        unknown,
    })
}

/// Participants and participants per 1,000 residents for every quarter and area, secrecy applied.
pub fn reach_series(
    att: &DataFrame,
    quarters: &[Quarter],
    areas: &[Area],
    partition: &[String],
    population: &BTreeMap<String, f64>,
    min: u32,
    with_total: bool,
) -> Result<DataFrame, IndicatorError> {
    let (mut qs, mut codes, mut names, mut counts, mut rates) = (vec![], vec![], vec![], vec![], vec![]);
    for q in quarters {
        let c = attendance_by_area(att, &q.to_string(), partition, 10.0)?;
        let cells: Vec<u64> = partition.iter().map(|a| c.participants.get(a).copied().unwrap_or(0)).collect();
        let hide = suppress_counts(partition, &cells, c.participants_territory, min, with_total);
        for a in areas {
            let n = if a.code == TERRITORY {
                c.participants_territory
            } else {
                c.participants.get(&a.code).copied().unwrap_or(0)
            };
            let hidden = hide.get(&a.code).copied().flatten().is_some();
            qs.push(q.to_string());
            codes.push(a.code.clone());
            names.push(a.name.clone());
            counts.push((!hidden).then_some(n as i64));
            rates.push(if hidden {
                None
            } else {
                population
                    .get(&a.code)
                    .filter(|p| **p > 0.0)
                    .map(|p| (n as f64 * 1000.0 / p * 10.0).round() / 10.0)
            });
        }
    }
    DataFrame::new_infer_height(vec![
        Column::new("quarter".into(), qs),
        Column::new("area_code".into(), codes),
        Column::new("area_name".into(), names),
        Column::new("participants".into(), counts),
        Column::new("participants_per_1000".into(), rates),
    ])
    .map_err(terr("series"))
}

/// `code_qp → (indicator → value)` from the INSEE per-QPV table.
pub fn qpv_table_lookup(df: &DataFrame) -> PolarsResult<BTreeMap<String, BTreeMap<String, Option<f64>>>> {
    let codes = str_col(df, "code_qp")?;
    let mut out: BTreeMap<String, BTreeMap<String, Option<f64>>> = BTreeMap::new();
    for c in df.columns() {
        if c.name() == "code_qp" {
            continue;
        }
        let values: Vec<Option<f64>> = c.cast(&DataType::Float64)?.f64()?.iter().collect();
        for (code, v) in codes.iter().zip(values) {
            out.entry(code.clone()).or_default().insert(c.name().to_string(), v);
        }
    }
    Ok(out)
}
