//! Stage `indicators`: per QPV and comparison areas, for one quarter.
//!
//! Inputs: [`Inputs`] and [`Joined`]. Output: [`Indicators`]: the published table (one row per QPV,
//! then `HORS_QPV` and `TERRITOIRE` when the territory is known), the quarterly series of programme
//! reach, and [`Note`]s on what could not be computed and why (facts; the locale writes them).
//! Invariants: counts of people below the secrecy threshold are never published (see [`secrecy`]), a
//! rate derived from a hidden count is hidden, and an indicator whose source the dataset lacks is
//! absent, never invented.
//!
//! The columns, their order and how each is computed come from the indicator [`table`]; each entry is
//! computed by the module of its family:
//! - [`table`]: the indicator table (`table.toml`): ids, computations, units, labels, maps;
//! - `area`: codes, names and surface of the areas;
//! - `need`: population and social need (census interpolated to the areas, or INSEE per QPV);
//! - `connectivity`: broadband eligibility of the ARCEP premises;
//! - `fragility`: the composite index over the table's need variables;
//! - `reach`: mediation places and programme reach of the quarter, under secrecy;
//! - [`programme`]: programme indicators over the quarter, the previous quarter, the same quarter a
//!   year before and the year to date, under secrecy against differencing, with comparability flags;
//! - [`interval`]: Wilson confidence intervals of rates from counts;
//! - [`targets`]: funder targets per QPV and the progress against them, under the same secrecy;
//! - [`secrecy`]: suppression rules; [`aggregate`]: sums by area; [`notes`]: the facts reported.

pub mod aggregate;
mod area;
mod connectivity;
#[cfg(test)]
pub(crate) mod fixture;
mod fragility;
pub mod ifn;
pub mod interval;
mod need;
pub mod notes;
pub mod programme;
mod reach;
pub mod secrecy;
pub mod table;
pub mod targets;

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::*;

use crate::context::{Context, Quarter};
use crate::ingest::Inputs;
use crate::join::{Joined, OUTSIDE_QPV};
use crate::locale::{Arg, Locale};
pub use notes::Note;
use table::{ColumnType, Compute, Family, indicators};

/// Code of the whole-territory row.
pub const TERRITORY: &str = "TERRITOIRE";

#[derive(Debug, thiserror::Error)]
pub enum IndicatorError {
    #[error("{what}: {source}")]
    Table { what: &'static str, source: PolarsError },
    #[error("quarter {requested} has no attendance record (quarters present: {present})")]
    NoSuchQuarter { requested: Quarter, present: String },
    #[error("the attendance file has no record with a date")]
    NoQuarter,
    #[error("funder targets: {0}")]
    Targets(#[source] crate::ingest::error::IngestError),
}

pub(crate) fn terr(what: &'static str) -> impl Fn(PolarsError) -> IndicatorError {
    move |source| IndicatorError::Table { what, source }
}

/// What an area of the published table is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum AreaType {
    /// A priority neighbourhood.
    Qpv,
    /// The territory's communes outside any QPV.
    OutsideQpv,
    /// The whole territory.
    Territory,
}

impl AreaType {
    /// The code published in `area_type`.
    pub fn code(self) -> &'static str {
        match self {
            AreaType::Qpv => "qpv",
            AreaType::OutsideQpv => "hors_qpv",
            AreaType::Territory => "territoire",
        }
    }
}

/// One area of the published table.
#[derive(Debug, Clone)]
pub struct Area {
    pub area_type: AreaType,
    pub code: String,
    pub code_qp: Option<String>,
    pub name: String,
    pub commune: Option<String>,
    pub area_km2: Option<f64>,
}

/// The stage's product.
pub struct Indicators {
    /// Published table, columns in the indicator table's order.
    pub table: DataFrame,
    /// Quarterly reach per area (long format): `quarter, area_code, area_name, participants,
    /// participants_per_1000`, with secrecy applied per quarter.
    pub series: Option<DataFrame>,
    /// Programme indicators per window (`window, period, start, end, area_type, area_code, area_name`,
    /// the counts and rates, `secrecy`, `comparable`, `comparability`; see [`programme`]).
    pub programme: Option<DataFrame>,
    /// Progress against the funder's targets of the quarter and its year (`area_code, area_name,
    /// period, window, measure, target, actual, progress_pct, secrecy`; see [`targets`]), and who set them.
    pub targets: Option<DataFrame>,
    pub funder: Option<String>,
    /// Rank stability of the QPV's IFN score (`area_code, area_name, ifn_score, ifn_rank, ifn_rank_min,
    /// ifn_rank_max`: each variable's weight × 0.8 and × 1.2); see `ifn::areas`.
    pub ifn_ranks: Option<DataFrame>,
    /// The QPV 2015 → 2024 crosswalk (`code_2015, code_2024, share_of_2015_area, share_of_2024_area`),
    /// when the dataset gives the previous list's contours; see `join::crosswalk`.
    pub crosswalk: Option<DataFrame>,
    pub quarter: Option<Quarter>,
    pub quarters: Vec<Quarter>,
    /// Folder/period label: the quarter (`2025-Q3`) or the dataset's `period`.
    pub period: String,
    /// What is absent and why.
    pub notes: Vec<Note>,
    pub areas: Vec<Area>,
}

/// Rounds to `decimals`; non-finite values become null.
pub(crate) fn round(v: Option<f64>, decimals: usize) -> Option<f64> {
    let f = 10f64.powi(decimals as i32);
    v.filter(|x| x.is_finite()).map(|x| (x * f).round() / f)
}

/// `num / den`, or `None` when `den` is not positive.
pub(crate) fn ratio(num: f64, den: f64) -> Option<f64> {
    (den > 0.0).then(|| num / den)
}

/// The values of one column, one per area, before rounding.
#[derive(Debug, Clone)]
pub(crate) enum Values {
    Num(Vec<Option<f64>>),
    Text(Vec<Option<String>>),
}

/// What every family reads: the stage's inputs and the areas of the table.
pub(crate) struct Scope<'a> {
    pub ctx: &'a Context,
    pub inputs: &'a Inputs,
    pub joined: &'a Joined,
    pub areas: &'a [Area],
    /// Area codes, in table order.
    pub codes: Vec<String>,
    /// The codes that partition the territory (all but [`TERRITORY`]).
    pub partition: Vec<String>,
    /// Whether the comparison rows exist (IRIS contours give the territory).
    pub territory_known: bool,
}

impl Scope<'_> {
    /// Adds the territory row to per-area sums: the sum over the partition, in partition order.
    pub fn with_total(&self, mut m: aggregate::Sums) -> aggregate::Sums {
        if self.territory_known {
            let mut t: BTreeMap<String, f64> = BTreeMap::new();
            for c in &self.partition {
                for (k, v) in m.get(c).into_iter().flatten() {
                    *t.entry(k.clone()).or_insert(0.0) += v;
                }
            }
            m.insert(TERRITORY.into(), t);
        }
        m
    }
}

/// Values computed so far, by indicator id, and which cells are hidden.
#[derive(Default)]
pub(crate) struct Computed {
    pub values: BTreeMap<&'static str, Values>,
    /// Per area: `column:reason` of each hidden count.
    pub secrecy: Vec<BTreeSet<String>>,
}

impl Computed {
    /// A numeric column computed earlier in table order.
    pub fn num(&self, id: &str) -> Option<&[Option<f64>]> {
        match self.values.get(id) {
            Some(Values::Num(v)) => Some(v),
            _ => None,
        }
    }
}

/// Names of the comparison rows, in the locale's words (the dataset's name is kept as is).
fn comparison_areas(ctx: &Context, locale: &Locale) -> [Area; 2] {
    let name = Arg::Text(ctx.dataset.name.clone());
    let area = |area_type, code: &str, key: &str| Area {
        area_type,
        code: code.into(),
        code_qp: None,
        name: locale.format(key, &[("name", name.clone())]),
        commune: None,
        area_km2: None,
    };
    [
        area(AreaType::OutsideQpv, OUTSIDE_QPV, "area.outside_qpv"),
        area(AreaType::Territory, TERRITORY, "area.territory"),
    ]
}

/// Computes the indicators of the context's quarter (or the latest present).
pub fn compute(
    ctx: &Context,
    inputs: &Inputs,
    joined: &Joined,
    locale: &Locale,
) -> Result<Indicators, IndicatorError> {
    let mut notes = Vec::new();
    let mut areas: Vec<Area> = inputs
        .qpv
        .iter()
        .map(|q| Area {
            area_type: AreaType::Qpv,
            code: q.code.clone(),
            code_qp: Some(q.code.clone()),
            name: q.name.clone(),
            commune: q.commune.clone(),
            area_km2: Some(q.area_m2 / 1e6),
        })
        .collect();
    let territory_known = joined.iris_weights.is_some();
    if territory_known {
        areas.extend(comparison_areas(ctx, locale));
    } else {
        notes.push(Note::NoComparisonAreas);
    }
    let codes: Vec<String> = areas.iter().map(|a| a.code.clone()).collect();
    let partition: Vec<String> = codes.iter().filter(|c| *c != TERRITORY).cloned().collect();
    let scope = Scope { ctx, inputs, joined, areas: &areas, codes, partition, territory_known };

    let mut need = need::Need::new(&scope)?;
    let connectivity = connectivity::Connectivity::new(&scope)?;
    let mut reach = reach::Reach::new(&scope)?;
    let mut out = Computed { secrecy: vec![BTreeSet::new(); areas.len()], ..Default::default() };
    for d in indicators() {
        for c in &d.compute {
            let v = match d.family {
                Family::Area => area::value(&scope, c),
                Family::Need => need.value(&scope, d, c)?,
                Family::Connectivity => connectivity.value(&scope, c),
                Family::Fragility => fragility::value(&scope, c, &out),
                Family::Reach => reach.value(&scope, c, &mut out)?,
                Family::Meta => meta(c, &out),
            };
            if let Some(v) = v {
                out.values.insert(d.id.as_str(), v);
                break;
            }
        }
    }
    // A column hidden with a count is empty wherever that count is hidden (whatever computed it).
    for d in indicators() {
        let Some(count) = &d.hidden_with else { continue };
        if let Some(Values::Num(v)) = out.values.get_mut(d.id.as_str()) {
            let prefix = format!("{count}:");
            for (cell, hidden) in v.iter_mut().zip(&out.secrecy) {
                if hidden.iter().any(|h| h.starts_with(&prefix)) {
                    *cell = None;
                }
            }
        }
    }
    notes.extend(need.source_missing(&out));
    notes.extend(need.notes);
    notes.extend(connectivity.notes);
    let series = reach.series(&scope, &out)?;
    let programme = match reach.quarter {
        Some(q) => programme::programme(&scope, &reach.quarters, q, &out)?,
        None => None,
    };
    let (funder, targets) = match reach.quarter {
        Some(q) => match targets::progress(&scope, &reach.quarters, q, programme.as_ref())? {
            Some((t, df)) => (t.funder, Some(df)),
            None => (None, None),
        },
        None => (None, None),
    };
    notes.extend(reach.notes);

    let table = frame(&out).map_err(terr("table"))?;
    let period = match (&reach.quarter, &ctx.dataset.period) {
        (Some(q), _) => q.to_string(),
        (None, Some(p)) => p.clone(),
        (None, None) => "all".into(),
    };
    let (quarter, quarters) = (reach.quarter, reach.quarters);
    let ifn_ranks = ifn_ranks(&scope, &out).map_err(terr("ifn ranks"))?;
    Ok(Indicators {
        table,
        series,
        programme,
        targets,
        funder,
        ifn_ranks,
        crosswalk: joined.crosswalk.as_ref().map(|c| c.table.clone()),
        quarter,
        quarters,
        period,
        notes,
        areas,
    })
}

/// How the QPV's IFN ranks move when each variable's weight changes by ±20 %; `None` without scores.
fn ifn_ranks(s: &Scope, out: &Computed) -> PolarsResult<Option<DataFrame>> {
    let (Some(t), Some(score)) = (s.codes.iter().position(|c| c == TERRITORY), out.num("ifn_score")) else {
        return Ok(None);
    };
    let rows = fragility::ifn_values(out, s.codes.len());
    let qpv: Vec<usize> = (0..s.areas.len()).filter(|&i| s.areas[i].area_type == AreaType::Qpv).collect();
    let picked: Vec<ifn::Values> = qpv.iter().map(|&i| rows[i]).collect();
    let bounds = ifn::areas::rank_stability(&picked, &rows[t]);
    let pick = |f: fn(&(usize, usize, usize)) -> usize| -> Vec<Option<i64>> {
        bounds.iter().map(|b| b.as_ref().map(|b| f(b) as i64)).collect()
    };
    DataFrame::new_infer_height(vec![
        Column::new("area_code".into(), qpv.iter().map(|&i| s.codes[i].clone()).collect::<Vec<_>>()),
        Column::new("area_name".into(), qpv.iter().map(|&i| s.areas[i].name.clone()).collect::<Vec<_>>()),
        Column::new("ifn_score".into(), qpv.iter().map(|&i| round(score[i], 1)).collect::<Vec<_>>()),
        Column::new("ifn_rank".into(), pick(|b| b.0)),
        Column::new("ifn_rank_min".into(), pick(|b| b.1)),
        Column::new("ifn_rank_max".into(), pick(|b| b.2)),
    ])
    .map(Some)
}

/// The `secrecy` column (the `synthetic` one is added at publication).
fn meta(c: &Compute, out: &Computed) -> Option<Values> {
    match c {
        Compute::Secrecy => Some(Values::Text(
            out.secrecy
                .iter()
                .map(|s| (!s.is_empty()).then(|| s.iter().cloned().collect::<Vec<_>>().join(";")))
                .collect(),
        )),
        _ => None,
    }
}

/// The published table: the computed columns in table order, rounded and typed as the table says.
fn frame(out: &Computed) -> PolarsResult<DataFrame> {
    let mut cols = Vec::new();
    for d in indicators() {
        let Some(v) = out.values.get(d.id.as_str()) else { continue };
        let name = d.id.as_str().into();
        cols.push(match (v, d.column_type) {
            (Values::Text(t), _) => Column::new(name, t),
            (Values::Num(n), ColumnType::Integer) => Column::new(
                name,
                n.iter().map(|x| round(*x, 0).map(|x| x as i64)).collect::<Vec<Option<i64>>>(),
            ),
            (Values::Num(n), _) => {
                let decimals = d.decimals.unwrap_or(1);
                Column::new(name, n.iter().map(|x| round(*x, decimals)).collect::<Vec<Option<f64>>>())
            }
        });
    }
    DataFrame::new_infer_height(cols)
}

#[cfg(test)]
mod tests {
    use super::fixture::{self, World, num, text};
    use super::*;
    use crate::locale::Lang;

    #[test]
    fn columns_follow_the_table_order_and_only_what_the_sources_allow() {
        let ind = World::new().indicators();
        let got: Vec<String> = ind.table.get_column_names().iter().map(|c| c.to_string()).collect();
        let want = [
            "area_type",
            "area_code",
            "code_qp",
            "area_name",
            "commune",
            "area_km2",
            "population",
            "population_uncertainty",
            "share_65p",
            "share_75p",
            "share_no_diploma",
            "poverty_rate",
            "premises",
            "share_bhd8",
            "share_thd30",
            "share_thd100",
            "share_ftth",
            "share_below8",
            "fragility_index",
            "ifn_acces_interfaces",
            "ifn_acces_information",
            "ifn_competences_administratives",
            "ifn_competences_numeriques",
            "ifn_global_acces",
            "ifn_global_competences",
            "ifn_score",
            "ifn_quintile",
            "places",
            "participants",
            "participants_per_1000",
            "participants_per_1000_low",
            "participants_per_1000_high",
            "share_participants_in_qpv",
            "hours",
            "course_enrolled",
            "completion_rate",
            "completion_rate_low",
            "completion_rate_high",
            "devices",
            "secrecy",
        ];
        assert_eq!(got, want);
        // The same order as the indicator table, whatever the subset.
        let order: Vec<&str> =
            indicators().iter().map(|d| d.id.as_str()).filter(|id| got.iter().any(|c| c == id)).collect();
        assert_eq!(got, order);
        assert_eq!(ind.table.height(), 5);
        assert_eq!(ind.areas.len(), 5);
    }

    #[test]
    fn integer_columns_are_int64_and_numbers_are_rounded_to_their_decimals() {
        let ind = World::new().indicators();
        for d in indicators() {
            let Ok(c) = ind.table.column(&d.id) else { continue };
            let want = match d.column_type {
                ColumnType::Integer => DataType::Int64,
                ColumnType::Number => DataType::Float64,
                ColumnType::String => DataType::String,
                ColumnType::Boolean => DataType::Boolean,
            };
            assert_eq!(c.dtype(), &want, "{}", d.id);
            if d.column_type == ColumnType::Number {
                let f = 10f64.powi(d.decimals.unwrap_or(1) as i32);
                for v in c.f64().unwrap().iter().flatten() {
                    assert!(((v * f).round() - v * f).abs() < 1e-6, "{}: {v} has more decimals", d.id);
                }
            }
        }
        // By hand: QC is 1000 m × 1234.6 m = 1.2346 km², published with 3 decimals; its share aged
        // 65+ is 75 / 500 (1 decimal); QB's 11.923… % becomes 11.9; the fragility index has none.
        assert_eq!(num(&ind, "area_km2").unwrap()[2], Some(1.235));
        assert_eq!(num(&ind, "share_65p").unwrap()[1], Some(11.9));
        let fragility = num(&ind, "fragility_index").unwrap();
        assert!(fragility.iter().flatten().all(|v| v.fract() == 0.0), "{fragility:?}");
        assert_eq!(fragility[4], Some(100.0));
    }

    #[test]
    fn the_notes_are_the_facts_of_the_world() {
        let ind = World::new().indicators();
        assert_eq!(
            ind.notes,
            vec![
                // The world's census has no 15-29 band and no activity or households table.
                Note::SourceMissing {
                    indicators: [
                        "share_15_29",
                        "unemployment_rate",
                        "share_single_parent",
                        "share_one_person"
                    ]
                    .map(String::from)
                    .to_vec()
                },
                Note::LowCoverage { indicator: "poverty_rate".into(), zones: 1 },
                // One person outside the territory and one of unknown residence: only said to be fewer than 11.
                Note::NotCounted { outside: None, unknown: None, min: 11 },
            ]
        );
        assert_eq!(ind.quarter, Some(Quarter { year: 2025, q: 3 }));
        assert_eq!(ind.quarters, vec![Quarter { year: 2025, q: 2 }, Quarter { year: 2025, q: 3 }]);
        assert_eq!(ind.period, "2025-Q3");
    }

    #[test]
    fn without_attendance_the_period_is_the_datasets() {
        let mut w = World::new();
        w.joined.attendance = None;
        let ind = w.indicators();
        assert_eq!(ind.period, "2025");
        assert_eq!(ind.quarter, None);
        assert!(ind.series.is_none());
        assert!(ind.notes.contains(&Note::NoAttendance));
        for c in ["participants", "participants_per_1000", "course_enrolled", "completion_rate", "devices"] {
            assert!(!fixture::has(&ind, c), "{c} without attendance");
        }
        // Nothing is hidden: the secrecy column is empty on every row.
        assert_eq!(text(&ind, "secrecy").unwrap(), vec![None; 5]);
    }

    #[test]
    fn the_territory_row_is_the_sum_over_the_partition() {
        World::new().with_scope(|s| {
            let mut m = aggregate::Sums::new();
            for (code, v) in [("QA", 1.5), ("QB", 2.0), ("HORS_QPV", 4.0)] {
                m.insert(code.into(), [("x".to_string(), v)].into_iter().collect());
            }
            // A sum only some areas carry is summed over those.
            m.get_mut("QA").unwrap().insert("y".into(), 10.0);
            let t = &s.with_total(m)[TERRITORY];
            assert_eq!(t["x"], 7.5);
            assert_eq!(t["y"], 10.0);
        });
        World::insee_only().with_scope(|s| {
            assert!(!s.territory_known);
            assert!(!s.with_total(aggregate::Sums::new()).contains_key(TERRITORY));
        });
    }

    #[test]
    fn round_and_ratio() {
        assert_eq!(round(Some(1.23456), 3), Some(1.235));
        assert_eq!(round(Some(2.5), 0), Some(3.0));
        assert_eq!(round(Some(f64::NAN), 1), None);
        assert_eq!(round(Some(f64::INFINITY), 1), None);
        assert_eq!(round(None, 1), None);
        assert_eq!(ratio(1.0, 4.0), Some(0.25));
        assert_eq!(ratio(1.0, 0.0), None);
        assert_eq!(ratio(1.0, -2.0), None);
    }

    #[test]
    fn english_and_french_differ_only_in_the_comparison_names() {
        let w = World::new();
        let (fr, en) = (w.compute(Lang::Fr).unwrap(), w.compute(Lang::En).unwrap());
        assert_eq!(fr.table.get_column_names(), en.table.get_column_names());
        for c in fr.table.get_column_names() {
            if c.as_str() != "area_name" {
                assert!(fr.table.column(c).unwrap().equals_missing(en.table.column(c).unwrap()), "{c}");
            }
        }
    }
}
