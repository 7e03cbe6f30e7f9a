//! Family `need`: population and social need. Census IRIS counts are interpolated to the areas with
//! the join's IRIS × area weights (`census_sum`, `census_share`, `census_weighted_mean`); without
//! them, INSEE's per-QPV table gives the QPV values (`qpv_value`).

use std::collections::BTreeMap;

use polars::prelude::*;

use super::aggregate::{Sums, census_by_area, masked, qpv_table_lookup};
use super::notes::Note;
use super::table::{Compute, Indicator, indicators};
use super::{IndicatorError, Scope, Values, ratio, terr};

pub(crate) struct Need {
    /// Interpolated census sums per area, when the dataset has census tables and IRIS weights.
    census: Option<Sums>,
    /// Columns of the census table.
    census_columns: Vec<String>,
    /// INSEE per-QPV values, when there is no census.
    qpv: Option<BTreeMap<String, BTreeMap<String, Option<f64>>>>,
    pub notes: Vec<Note>,
}

/// The named sums one computation needs, with their polars expressions (`w` = the IRIS weight).
fn sums_of(c: &Compute) -> Vec<(String, Expr)> {
    let w = || col("weight");
    let known = |a: &str, b: &str| col(a).is_not_null().and(col(b).is_not_null());
    match c {
        Compute::CensusSum { var } => vec![(format!("sum:{var}"), (col(var.as_str()) * w()).sum())],
        Compute::CensusShare { num, den } => vec![
            (format!("num:{num}/{den}"), masked(known(num, den), col(num.as_str()) * w()).sum()),
            (format!("den:{num}/{den}"), masked(known(num, den), col(den.as_str()) * w()).sum()),
        ],
        Compute::CensusWeightedMean { var, weight, .. } => vec![
            (format!("wnum:{var}/{weight}"), (col(var.as_str()) * (col(weight.as_str()) * w())).sum()),
            (
                format!("wden:{var}/{weight}"),
                masked(col(var.as_str()).is_not_null(), col(weight.as_str()) * w()).sum(),
            ),
            (format!("sum:{weight}"), (col(weight.as_str()) * w()).sum()),
        ],
        _ => Vec::new(),
    }
}

/// The census columns a computation reads.
fn census_vars(c: &Compute) -> Vec<&str> {
    match c {
        Compute::CensusSum { var } => vec![var],
        Compute::CensusShare { num, den } => vec![num, den],
        Compute::CensusWeightedMean { var, weight, .. } => vec![var, weight],
        _ => Vec::new(),
    }
}

impl Need {
    pub fn new(s: &Scope) -> Result<Self, IndicatorError> {
        let mut need = Need { census: None, census_columns: Vec::new(), qpv: None, notes: Vec::new() };
        match (&s.joined.iris_weights, &s.inputs.census) {
            (Some(w), Some(c)) => {
                need.census_columns = c.stats.get_column_names().iter().map(|n| n.to_string()).collect();
                let mut sums: Vec<(String, Expr)> = Vec::new();
                for comp in indicators().iter().flat_map(|d| &d.compute) {
                    if !census_vars(comp).iter().all(|v| need.census_columns.iter().any(|c| c == v)) {
                        continue;
                    }
                    for (name, expr) in sums_of(comp) {
                        if !sums.iter().any(|(n, _)| *n == name) {
                            sums.push((name, expr));
                        }
                    }
                }
                need.census = Some(s.with_total(census_by_area(w, &c.stats, &sums)?));
            }
            _ => match &s.inputs.qpv_indicators {
                Some(qi) => {
                    let lookup = qpv_table_lookup(qi).map_err(terr("qpv_indicators"))?;
                    let missing: Vec<String> =
                        s.codes.iter().filter(|c| !lookup.contains_key(*c)).cloned().collect();
                    if !missing.is_empty() {
                        need.notes.push(Note::QpvMissingFromTable { codes: missing });
                    }
                    need.notes.push(Note::InseeQpvTable);
                    need.qpv = Some(lookup);
                }
                None => need.notes.push(Note::NoInsee),
            },
        }
        Ok(need)
    }

    pub fn value(&mut self, s: &Scope, d: &Indicator, c: &Compute) -> Result<Option<Values>, IndicatorError> {
        if let Compute::QpvValue { column } = c {
            let Some(lookup) = &self.qpv else { return Ok(None) };
            return Ok(Some(Values::Num(
                s.codes
                    .iter()
                    .map(|code| lookup.get(code).and_then(|m| m.get(column).copied().flatten()))
                    .collect(),
            )));
        }
        let Some(sums) = &self.census else { return Ok(None) };
        if census_vars(c).is_empty()
            || !census_vars(c).iter().all(|v| self.census_columns.iter().any(|x| x == v))
        {
            return Ok(None);
        }
        let get = |code: &String, key: &str| sums.get(code).and_then(|m| m.get(key)).copied();
        let values: Vec<Option<f64>> = match c {
            Compute::CensusSum { var } => {
                s.codes.iter().map(|code| get(code, &format!("sum:{var}"))).collect()
            }
            Compute::CensusShare { num, den } => s
                .codes
                .iter()
                .map(|code| {
                    let n = get(code, &format!("num:{num}/{den}"))?;
                    ratio(n, get(code, &format!("den:{num}/{den}"))?).map(|r| r * 100.0)
                })
                .collect(),
            Compute::CensusWeightedMean { var, weight, min_coverage } => {
                let v: Vec<Option<f64>> = s
                    .codes
                    .iter()
                    .map(|code| {
                        let num = get(code, &format!("wnum:{var}/{weight}"))?;
                        let den = get(code, &format!("wden:{var}/{weight}"))?;
                        let total = get(code, &format!("sum:{weight}"))?;
                        if den >= min_coverage * total { ratio(num, den) } else { None }
                    })
                    .collect();
                let missing = v.iter().filter(|x| x.is_none()).count();
                if missing > 0 {
                    self.notes.push(Note::LowCoverage { indicator: d.id.clone(), zones: missing });
                }
                v
            }
            _ => return Ok(None),
        };
        Ok(Some(Values::Num(values)))
    }
}
