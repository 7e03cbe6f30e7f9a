//! Sums by area with polars: interpolated census counts, premises, places and attendance, and the
//! quarterly series of reach.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use polars::prelude::*;
use rayon::prelude::*;

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
///
/// One pass over the columns as they are (tens of millions of rows nationally: no filtered, cast or
/// multiplied copy of them), in parallel over row ranges; the sums are of whole numbers of premises, so
/// exact whatever the order.
pub fn buildings_by_area(b: &DataFrame, flags: &[String]) -> Result<Sums, IndicatorError> {
    const RANGE: usize = 1 << 20;
    let e = terr("buildings by area");
    let area = b.column("area_code").map_err(&e)?.str().map_err(&e)?;
    let logloc = b.column("logloc").map_err(&e)?.cast(&DataType::Float64).map_err(&e)?;
    let logloc = logloc.f64().map_err(&e)?;
    let flag_cols: Vec<&BooleanChunked> =
        flags.iter().map(|f| b.column(f).and_then(|c| c.bool())).collect::<PolarsResult<_>>().map_err(&e)?;
    let n = b.height();
    let ranges: Vec<usize> = (0..n.div_ceil(RANGE)).collect();
    let partial: Vec<BTreeMap<String, Vec<f64>>> = ranges
        .into_par_iter()
        .map(|r| {
            let (offset, len) = (r * RANGE, RANGE.min(n - r * RANGE));
            let mut sums: HashMap<String, Vec<f64>> = HashMap::new();
            let area = area.slice(offset as i64, len);
            let logloc = logloc.slice(offset as i64, len);
            let flag_cols: Vec<BooleanChunked> =
                flag_cols.iter().map(|f| f.slice(offset as i64, len)).collect();
            let mut flag_iters: Vec<_> = flag_cols.iter().map(|f| f.iter()).collect();
            for (a, l) in area.iter().zip(logloc.iter()) {
                let a = a.unwrap_or_default();
                let acc = if a == OUTSIDE_TERRITORY {
                    None
                } else if sums.contains_key(a) {
                    sums.get_mut(a)
                } else {
                    Some(sums.entry(a.to_string()).or_insert_with(|| vec![0.0; 1 + flags.len()]))
                };
                let l = l.unwrap_or(0.0);
                // every flag iterator moves on, whether the row counts or not
                match acc {
                    Some(acc) => {
                        acc[0] += l;
                        for (k, it) in flag_iters.iter_mut().enumerate() {
                            if it.next().flatten().unwrap_or(false) {
                                acc[1 + k] += l;
                            }
                        }
                    }
                    None => flag_iters.iter_mut().for_each(|it| {
                        it.next();
                    }),
                }
            }
            sums.into_iter().collect()
        })
        .collect();
    let mut total: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for part in partial {
        for (a, v) in part {
            let acc = total.entry(a).or_insert_with(|| vec![0.0; 1 + flags.len()]);
            acc.iter_mut().zip(v).for_each(|(t, x)| *t += x);
        }
    }
    let names: Vec<&str> = std::iter::once("premises").chain(flags.iter().map(String::as_str)).collect();
    Ok(total
        .into_iter()
        .map(|(a, v)| (a, names.iter().zip(v).map(|(n, x)| (n.to_string(), x)).collect()))
        .collect())
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

/// Distinct persons of the records whose area is one of `partition` (the territory's areas). Checked by
/// hash here rather than as a polars expression: an `or` of one equality per area is as deep as there
/// are QPV, and planning it costs more than the records (seconds per window at 1,600 QPV).
fn distinct_in<'a>(records: &DataFrame, areas: impl Iterator<Item = &'a str>) -> PolarsResult<u64> {
    let areas: std::collections::HashSet<&str> = areas.collect();
    // as polars' `n_unique`, a missing person counts as one value
    let persons: std::collections::HashSet<Option<&str>> = records
        .column("area_code")?
        .str()?
        .iter()
        .zip(records.column("person")?.str()?.iter())
        .filter(|(a, _)| a.is_some_and(|a| areas.contains(a)))
        .map(|(_, p)| p)
        .collect();
    Ok(persons.len() as u64)
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
    let records = q.clone().collect().map_err(&e)?;
    let participants_territory = distinct_in(&records, partition.iter().map(String::as_str)).map_err(&e)?;
    let participants_qpv =
        distinct_in(&records, partition.iter().map(String::as_str).filter(|c| *c != OUTSIDE_QPV))
            .map_err(&e)?;
    let participants_known = {
        let df = q
            .clone()
            .filter(col("area_code").neq(lit(UNKNOWN)))
            .select([col("person").n_unique().alias("n")]);
        u64_col(&df.collect().map_err(&e)?, "n").map_err(&e)?.first().copied().unwrap_or(0)
    };
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
