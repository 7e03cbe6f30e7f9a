//! Family `need`: population and social need. Census IRIS counts are interpolated to the areas with
//! the join's IRIS × area weights (`census_sum`, `census_share`, `census_weighted_mean`); without
//! them, INSEE's per-QPV table gives the QPV values (`qpv_value`).

use std::collections::BTreeMap;

use polars::prelude::*;

use super::aggregate::{Sums, census_by_area, masked, qpv_table_lookup};
use super::notes::Note;
use super::table::{Compute, Family, Indicator, indicators};
use super::{AreaType, Computed, IndicatorError, Scope, TERRITORY, Values, ratio, terr};

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
        Compute::CensusCutShare { var } => vec![
            (format!("cut:{var}"), (col(var.as_str()) * w() * col("cut")).sum()),
            (format!("sum:{var}"), (col(var.as_str()) * w()).sum()),
        ],
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
        Compute::CensusSum { var } | Compute::CensusCutShare { var } => vec![var],
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
                let has_cut = w.column("cut").is_ok();
                for comp in indicators().iter().flat_map(|d| &d.compute) {
                    if !census_vars(comp).iter().all(|v| need.census_columns.iter().any(|c| c == v))
                        || (matches!(comp, Compute::CensusCutShare { .. }) && !has_cut)
                    {
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
                    let missing: Vec<String> = s
                        .areas
                        .iter()
                        .filter(|a| a.area_type == AreaType::Qpv && !lookup.contains_key(&a.code))
                        .map(|a| a.code.clone())
                        .collect();
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

    /// The census indicators that could not be computed for want of their table or column (only with a
    /// census: without one, `NoInsee` or the per-QPV table says it).
    pub fn source_missing(&self, out: &Computed) -> Option<Note> {
        self.census.as_ref()?;
        let ids: Vec<String> = indicators()
            .iter()
            .filter(|d| d.family == Family::Need && !out.values.contains_key(d.id.as_str()))
            .filter(|d| d.compute.iter().any(|c| !census_vars(c).is_empty()))
            .map(|d| d.id.clone())
            .collect();
        (!ids.is_empty()).then_some(Note::SourceMissing { indicators: ids })
    }

    pub fn value(&mut self, s: &Scope, d: &Indicator, c: &Compute) -> Result<Option<Values>, IndicatorError> {
        if let Compute::QpvValue { column } = c {
            let Some(lookup) = &self.qpv else { return Ok(None) };
            // A column the table does not have gives no indicator (absent, never a column of nulls).
            if !lookup.values().any(|m| m.contains_key(column)) {
                return Ok(None);
            }
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
            Compute::CensusCutShare { var } => {
                if !sums.values().any(|m| m.contains_key(&format!("cut:{var}"))) {
                    return Ok(None);
                }
                s.codes
                    .iter()
                    .map(|code| {
                        let total = get(code, &format!("sum:{var}"))?;
                        // The territory is a union of whole IRIS: its boundary cuts none.
                        let cut = if code == TERRITORY { 0.0 } else { get(code, &format!("cut:{var}"))? };
                        ratio(cut, total).map(|r| r * 100.0)
                    })
                    .collect()
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::fixture::{World, assert_close, has, num};
    use crate::indicators::table::indicator;

    /// The unrounded values of one computation, through the family itself.
    fn values(w: &World, id: &str, c: &Compute) -> (Option<Vec<Option<f64>>>, Vec<Note>) {
        let d = indicator(id).unwrap();
        w.with_scope(|s| {
            let mut need = Need::new(s).unwrap();
            let v = match need.value(s, d, c).unwrap() {
                Some(Values::Num(v)) => Some(v),
                Some(Values::Text(_)) => panic!("{id}: text"),
                None => None,
            };
            (v, need.notes)
        })
    }

    fn first(id: &str) -> &'static Compute {
        &indicator(id).unwrap().compute[0]
    }

    #[test]
    fn population_is_the_sum_of_census_counts_times_weights() {
        // QA = 1000·0.5; QB = 400·1 + 2000·0.125; QC = 2000·0.25;
        // HORS_QPV = 1000·0.5 + 2000·0.625 + 600·1; the territory = the four IRIS.
        let (v, notes) = values(&World::new(), "population", first("population"));
        assert_close(
            &v.unwrap(),
            &[Some(500.0), Some(650.0), Some(500.0), Some(2350.0), Some(4000.0)],
            "population",
        );
        assert!(notes.is_empty(), "{notes:?}");
        let ind = World::new().indicators();
        assert_eq!(
            ind.table.column("population").unwrap().i64().unwrap().iter().collect::<Vec<_>>(),
            vec![Some(500), Some(650), Some(500), Some(2350), Some(4000)]
        );
    }

    #[test]
    fn population_uncertainty_is_the_share_coming_from_iris_cut_by_the_area() {
        // QA: all from I1 (cut); QB: 250 of 650 from I3 (cut), 400 from I2 (whole); QC: I3 only;
        // HORS_QPV: 500 (I1) + 1250 (I3) of 2350 from cut IRIS; the territory cuts none.
        let (v, _) = values(&World::new(), "population_uncertainty", first("population_uncertainty"));
        assert_close(
            &v.unwrap(),
            &[Some(100.0), Some(25000.0 / 650.0), Some(100.0), Some(175000.0 / 2350.0), Some(0.0)],
            "population_uncertainty",
        );
        // Weights without the `cut` flag: no column, never zeros.
        let mut w = World::new();
        let weights = w.joined.iris_weights.as_mut().unwrap();
        *weights = weights.drop("cut").unwrap();
        let (v, _) = values(&w, "population_uncertainty", first("population_uncertainty"));
        assert!(v.is_none());
        assert!(!has(&w.indicators(), "population_uncertainty"));
    }

    #[test]
    fn census_shares_are_ratios_of_interpolated_sums() {
        // pop65 / pop: QB = (40 + 300·0.125) / 650; HORS_QPV = (100 + 187.5 + 160) / 2350.
        let (v, _) = values(&World::new(), "share_65p", first("share_65p"));
        assert_close(
            &v.unwrap(),
            &[Some(20.0), Some(7750.0 / 650.0), Some(15.0), Some(44750.0 / 2350.0), Some(17.5)],
            "share_65p",
        );
        let ind = World::new().indicators();
        assert_eq!(
            num(&ind, "share_75p").unwrap(),
            vec![Some(10.0), Some(5.0), Some(5.0), Some(7.3), Some(7.0)]
        );
    }

    #[test]
    fn census_share_leaves_out_the_iris_whose_numerator_is_missing() {
        // I2 has no `nodip`: its 300 people aged 15+ leave the denominator too. QB keeps only I3's
        // eighth (40 / 200 = 20 %, not 40 / 500 = 8 %); the territory is 610 / 2900, not 610 / 3200.
        let (v, _) = values(&World::new(), "share_no_diploma", first("share_no_diploma"));
        assert_close(
            &v.unwrap(),
            &[Some(30.0), Some(20.0), Some(20.0), Some(37000.0 / 1900.0), Some(61000.0 / 2900.0)],
            "share_no_diploma",
        );
        // An area where no IRIS knows the numerator has no value (0 / 0), not zero.
        let mut w = World::new();
        let stats = &mut w.inputs.census.as_mut().unwrap().stats;
        let nodip = Column::new("nodip".into(), [Some(240.0), None, None, Some(50.0)]);
        stats.with_column(nodip).unwrap();
        let (v, _) = values(&w, "share_no_diploma", first("share_no_diploma"));
        assert_eq!(v.unwrap()[2], None, "QC lies only on I3");
    }

    #[test]
    fn unemployment_and_households_are_census_shares_fed_to_the_ifn_when_given() {
        // Without the optional tables: absent (never zero), with a note "source missing".
        let ind = World::new().indicators();
        for c in ["unemployment_rate", "share_single_parent", "share_one_person"] {
            assert!(!has(&ind, c), "{c}");
        }
        let Some(Note::SourceMissing { indicators }) =
            ind.notes.iter().find(|n| matches!(n, Note::SourceMissing { .. }))
        else {
            panic!("{:?}", ind.notes)
        };
        assert!(indicators.iter().any(|i| i == "unemployment_rate"), "{indicators:?}");
        let before = num(&ind, "ifn_competences_administratives");
        // I2's unemployed are secret: its labour force leaves the denominator too.
        let mut w = World::new();
        let stats = &mut w.inputs.census.as_mut().unwrap().stats;
        for (name, v) in [
            ("act1564", [Some(100.0), Some(200.0), Some(400.0), Some(50.0)]),
            ("chom1564", [Some(10.0), None, Some(80.0), Some(5.0)]),
            ("men", [Some(400.0), Some(200.0), Some(800.0), Some(300.0)]),
            ("menpseul", [Some(100.0), Some(100.0), Some(400.0), Some(60.0)]),
            ("fam", [Some(200.0), Some(100.0), Some(400.0), Some(200.0)]),
            ("fammono", [Some(20.0), Some(50.0), Some(40.0), Some(20.0)]),
        ] {
            stats.with_column(Column::new(name.into(), v)).unwrap();
        }
        // QA = I1 × 0.5; QB = I2 + I3 × 0.125; QC = I3 × 0.25; HORS_QPV = I1 × 0.5 + I3 × 0.625 + I4.
        let (v, _) = values(&w, "unemployment_rate", first("unemployment_rate"));
        assert_close(
            &v.unwrap(),
            &[Some(10.0), Some(20.0), Some(20.0), Some(6000.0 / 350.0), Some(9500.0 / 550.0)],
            "unemployment_rate",
        );
        let (v, _) = values(&w, "share_one_person", first("share_one_person"));
        assert_close(
            &v.unwrap(),
            &[Some(25.0), Some(15000.0 / 300.0), Some(50.0), Some(36000.0 / 1000.0), Some(66000.0 / 1700.0)],
            "share_one_person",
        );
        let (v, _) = values(&w, "share_single_parent", first("share_single_parent"));
        assert_close(
            &v.unwrap(),
            &[Some(10.0), Some(5500.0 / 150.0), Some(10.0), Some(5500.0 / 550.0), Some(13000.0 / 900.0)],
            "share_single_parent",
        );
        let ind = w.indicators();
        assert!(!ind.notes.iter().any(|n| matches!(n, Note::SourceMissing { indicators } if indicators.iter().any(|i| i == "unemployment_rate"))));
        // The IFN's information and administrative axes now read them.
        assert!(num(&ind, "ifn_acces_information").unwrap().iter().all(Option::is_some));
        assert_ne!(num(&ind, "ifn_competences_administratives"), before);
    }

    #[test]
    fn poverty_is_a_population_weighted_mean_over_the_covered_iris() {
        // QA: I1 alone (30 %). QB: 250 of its 650 residents are covered (38 %) → null, and a note.
        // HORS_QPV: (30·500 + 20·1250) / 1750 (74 % covered); the territory: (30·1000 + 20·2000) / 3000.
        let (v, notes) = values(&World::new(), "poverty_rate", first("poverty_rate"));
        assert_close(
            &v.unwrap(),
            &[Some(30.0), None, Some(20.0), Some(40000.0 / 1750.0), Some(70000.0 / 3000.0)],
            "poverty_rate",
        );
        assert_eq!(notes, vec![Note::LowCoverage { indicator: "poverty_rate".into(), zones: 1 }]);
        let ind = World::new().indicators();
        assert_eq!(
            num(&ind, "poverty_rate").unwrap(),
            vec![Some(30.0), None, Some(20.0), Some(22.9), Some(23.3)]
        );
        assert!(ind.notes.contains(&Note::LowCoverage { indicator: "poverty_rate".into(), zones: 1 }));
    }

    #[test]
    fn min_coverage_is_a_share_of_the_areas_weight_reached_inclusive() {
        let mean = |min_coverage| Compute::CensusWeightedMean {
            var: "poverty_rate".into(),
            weight: "pop".into(),
            min_coverage,
        };
        // QB's coverage is 250 / 650 = 0.3846…
        let (v, notes) = values(&World::new(), "poverty_rate", &mean(0.38));
        assert_eq!(v.unwrap()[1], Some(20.0));
        assert!(notes.is_empty(), "{notes:?}");
        let (v, _) = values(&World::new(), "poverty_rate", &mean(0.39));
        assert_eq!(v.unwrap()[1], None);
        // Exactly reached is enough: the territory is 3000 / 4000 covered, HORS_QPV 1750 / 2350.
        let (v, notes) = values(&World::new(), "poverty_rate", &mean(0.75));
        let v = v.unwrap();
        assert!(v[4].is_some() && v[3].is_none(), "{v:?}");
        assert_eq!(notes, vec![Note::LowCoverage { indicator: "poverty_rate".into(), zones: 2 }]);
    }

    #[test]
    fn the_territory_row_is_the_sum_over_the_partition() {
        let (v, _) = values(&World::new(), "population", first("population"));
        let v: Vec<f64> = v.unwrap().into_iter().map(Option::unwrap).collect();
        assert_eq!(v[4], v[..4].iter().sum::<f64>());
    }

    #[test]
    fn a_census_variable_the_table_lacks_gives_no_column() {
        let mut w = World::new();
        let stats = &mut w.inputs.census.as_mut().unwrap().stats;
        *stats = stats.drop("pop75p").unwrap();
        let (v, _) = values(&w, "share_75p", first("share_75p"));
        assert!(v.is_none());
        let ind = w.indicators();
        assert!(!has(&ind, "share_75p"));
        assert!(has(&ind, "share_65p") && has(&ind, "population"));
        // With a census, INSEE's per-QPV columns are not used.
        for c in ["median_income", "employment_rate", "precarious_jobs"] {
            assert!(!has(&ind, c), "{c}");
        }
    }

    #[test]
    fn without_census_the_qpv_values_come_from_inseees_table() {
        let w = World::insee_only();
        let ind = w.indicators();
        assert_eq!(ind.table.height(), 3, "no comparison rows without IRIS");
        assert_eq!(
            ind.table.column("population").unwrap().i64().unwrap().iter().collect::<Vec<_>>(),
            vec![Some(1234), Some(567), None]
        );
        assert_eq!(num(&ind, "poverty_rate").unwrap(), vec![Some(41.3), None, None]);
        assert_eq!(
            ind.table.column("median_income").unwrap().i64().unwrap().iter().collect::<Vec<_>>(),
            vec![Some(12346), Some(13000), None]
        );
        assert_eq!(num(&ind, "employment_rate").unwrap(), vec![Some(48.0), Some(51.0), None]);
        for c in ["share_65p", "share_75p", "share_no_diploma"] {
            assert!(!has(&ind, c), "{c} needs the census");
        }
        let (_, notes) = values(&w, "population", &Compute::QpvValue { column: "pop_mun".into() });
        assert_eq!(notes, vec![Note::QpvMissingFromTable { codes: vec!["QC".into()] }, Note::InseeQpvTable]);
        assert!(ind.notes.contains(&Note::QpvMissingFromTable { codes: vec!["QC".into()] }));
        assert!(ind.notes.contains(&Note::InseeQpvTable));
        assert!(ind.notes.contains(&Note::NoComparisonAreas));
    }

    #[test]
    fn without_any_insee_source_there_is_no_need_column() {
        let mut w = World::insee_only();
        w.inputs.qpv_indicators = None;
        let ind = w.indicators();
        assert!(ind.notes.contains(&Note::NoInsee));
        for d in indicators().iter().filter(|d| d.family == crate::indicators::table::Family::Need) {
            assert!(!has(&ind, &d.id), "{}", d.id);
        }
    }

    #[test]
    fn the_missing_qpv_note_names_only_qpv() {
        let mut w = World::insee_only();
        w.joined.iris_weights = Some(crate::indicators::fixture::iris_weights());
        let (_, notes) = values(&w, "population", &Compute::QpvValue { column: "pop_mun".into() });
        assert_eq!(notes[0], Note::QpvMissingFromTable { codes: vec!["QC".into()] });
    }
}
