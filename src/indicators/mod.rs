//! Stage `indicators`: per QPV and comparison areas, for one quarter.
//!
//! Inputs: [`Inputs`] and [`Joined`]. Output: [`Indicators`]: the published table (one row per QPV,
//! then `HORS_QPV` and `TERRITOIRE` when the territory is known), the quarterly series of programme
//! reach, and notes on what could not be computed and why. Invariants: counts of people below the
//! secrecy threshold are never published (see [`secrecy`]), a rate derived from a hidden count is hidden,
//! and an indicator whose source the dataset lacks is absent, never invented.
//!
//! - [`definitions`]: the published columns; [`secrecy`]: suppression rules; [`aggregate`]: sums by area.

pub mod aggregate;
pub mod definitions;
pub mod secrecy;

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::*;

use crate::context::{Context, Quarter};
use crate::ingest::Inputs;
use crate::join::{Joined, OUTSIDE_QPV};
use aggregate::{AreaSums, attendance_by_area, buildings_by_area, census_by_area, places_by_area};
use secrecy::{Suppression, suppress_partition};

/// Code of the whole-territory row.
pub const TERRITORY: &str = "TERRITOIRE";

#[derive(Debug, thiserror::Error)]
pub enum IndicatorError {
    #[error("indicators: {what}: {source}")]
    Table { what: &'static str, source: PolarsError },
    #[error("indicators: quarter {requested} has no attendance record (quarters present: {present})")]
    NoSuchQuarter { requested: Quarter, present: String },
}

pub(crate) fn terr(what: &'static str) -> impl Fn(PolarsError) -> IndicatorError {
    move |source| IndicatorError::Table { what, source }
}

/// One area of the published table.
#[derive(Debug, Clone)]
pub struct Area {
    pub area_type: &'static str,
    pub code: String,
    pub code_qp: Option<String>,
    pub name: String,
    pub commune: Option<String>,
    pub area_km2: Option<f64>,
}

/// The stage's product.
pub struct Indicators {
    /// Published table, columns in [`definitions::DEFINITIONS`] order.
    pub table: DataFrame,
    /// Quarterly reach per area (long format): `quarter, area_code, area_name, participants,
    /// participants_per_1000`, with secrecy applied per quarter.
    pub series: Option<DataFrame>,
    pub quarter: Option<Quarter>,
    pub quarters: Vec<Quarter>,
    /// Folder/period label: the quarter (`2025-Q3`) or the dataset's `period`.
    pub period: String,
    /// What is absent and why, what was hidden.
    pub notes: Vec<String>,
    pub areas: Vec<Area>,
}

fn round(v: Option<f64>, decimals: i32) -> Option<f64> {
    let f = 10f64.powi(decimals);
    v.filter(|x| x.is_finite()).map(|x| (x * f).round() / f)
}

fn ratio(num: f64, den: f64) -> Option<f64> {
    (den > 0.0).then(|| num / den)
}

/// Column builder keeping [`definitions::DEFINITIONS`] order.
#[derive(Default)]
struct Columns(BTreeMap<&'static str, Column>);

impl Columns {
    fn put<T>(&mut self, name: &'static str, values: T)
    where
        Series: NamedFrom<T, [Option<f64>]>,
    {
        self.0.insert(name, Column::from(Series::new(name.into(), values)));
    }
    fn put_str(&mut self, name: &'static str, values: Vec<Option<String>>) {
        self.0.insert(name, Column::new(name.into(), values));
    }
    fn put_int(&mut self, name: &'static str, values: Vec<Option<i64>>) {
        self.0.insert(name, Column::new(name.into(), values));
    }
    fn into_frame(mut self) -> PolarsResult<DataFrame> {
        let cols: Vec<Column> =
            definitions::DEFINITIONS.iter().filter_map(|d| self.0.remove(d.column)).collect();
        DataFrame::new_infer_height(cols)
    }
}

/// Computes the indicators of the context's quarter (or the latest present).
pub fn compute(ctx: &Context, inputs: &Inputs, joined: &Joined) -> Result<Indicators, IndicatorError> {
    let params = &ctx.dataset.parameters;
    let min = params.secrecy_min_count;
    let mut notes = Vec::new();

    // Areas: QPV, then the comparison rows when the territory is known (IRIS contours).
    let mut areas: Vec<Area> = inputs
        .qpv
        .iter()
        .map(|q| Area {
            area_type: "qpv",
            code: q.code.clone(),
            code_qp: Some(q.code.clone()),
            name: q.name.clone(),
            commune: q.commune.clone(),
            area_km2: round(Some(q.area_m2 / 1e6), 3),
        })
        .collect();
    let territory_known = joined.iris_weights.is_some();
    if territory_known {
        let name = ctx.dataset.name.clone();
        areas.push(Area {
            area_type: "hors_qpv",
            code: OUTSIDE_QPV.into(),
            code_qp: None,
            name: format!("{name} hors QPV"),
            commune: None,
            area_km2: None,
        });
        areas.push(Area {
            area_type: "territoire",
            code: TERRITORY.into(),
            code_qp: None,
            name: format!("{name} (ensemble)"),
            commune: None,
            area_km2: None,
        });
    } else {
        notes
            .push("Pas de contours IRIS: pas de ligne « hors QPV » ni « territoire » de comparaison.".into());
    }
    let codes: Vec<String> = areas.iter().map(|a| a.code.clone()).collect();
    let partition: Vec<String> = codes.iter().filter(|c| *c != TERRITORY).cloned().collect();
    let with_total = |mut m: BTreeMap<String, AreaSums>| {
        if territory_known {
            let mut t = AreaSums::default();
            for c in &partition {
                if let Some(s) = m.get(c) {
                    t.add(s);
                }
            }
            m.insert(TERRITORY.into(), t);
        }
        m
    };

    let mut cols = Columns::default();
    cols.put_str("area_type", areas.iter().map(|a| Some(a.area_type.to_string())).collect());
    cols.put_str("area_code", codes.iter().cloned().map(Some).collect());
    cols.put_str("code_qp", areas.iter().map(|a| a.code_qp.clone()).collect());
    cols.put_str("area_name", areas.iter().map(|a| Some(a.name.clone())).collect());
    cols.put_str("commune", areas.iter().map(|a| a.commune.clone()).collect());
    cols.put("area_km2", areas.iter().map(|a| a.area_km2).collect::<Vec<_>>());

    // Population and social need.
    let mut population: BTreeMap<String, f64> = BTreeMap::new();
    let mut need: BTreeMap<&'static str, Vec<Option<f64>>> = BTreeMap::new();
    match (&joined.iris_weights, &inputs.census) {
        (Some(w), Some(c)) => {
            let sums = with_total(census_by_area(w, &c.stats)?);
            let get = |code: &String, f: &dyn Fn(&AreaSums) -> Option<f64>| sums.get(code).and_then(f);
            let pop: Vec<Option<f64>> = codes.iter().map(|c| get(c, &|s| Some(s.pop))).collect();
            for (c, p) in codes.iter().zip(&pop) {
                if let Some(p) = p {
                    population.insert(c.clone(), *p);
                }
            }
            cols.put_int("population", pop.iter().map(|p| round(*p, 0).map(|x| x as i64)).collect());
            let s65: Vec<_> =
                codes.iter().map(|c| get(c, &|s| ratio(s.pop65, s.pop_for65).map(|r| r * 100.0))).collect();
            let nodip: Vec<_> = codes
                .iter()
                .map(|c| get(c, &|s| ratio(s.nodip, s.nscol_for_nodip).map(|r| r * 100.0)))
                .collect();
            let pov: Vec<_> = codes
                .iter()
                .map(|c| {
                    get(c, &|s| if s.pov_den >= 0.5 * s.pop { ratio(s.pov_num, s.pov_den) } else { None })
                })
                .collect();
            cols.put("share_65p", s65.iter().map(|v| round(*v, 1)).collect::<Vec<_>>());
            cols.put("share_no_diploma", nodip.iter().map(|v| round(*v, 1)).collect::<Vec<_>>());
            cols.put("poverty_rate", pov.iter().map(|v| round(*v, 1)).collect::<Vec<_>>());
            let missing_pov = pov.iter().zip(&areas).filter(|(v, _)| v.is_none()).count();
            if missing_pov > 0 {
                notes.push(format!(
                    "Taux de pauvreté non calculé pour {missing_pov} zone(s): moins de la moitié de la population couverte par Filosofi (secret statistique INSEE)."
                ));
            }
            need.insert("poverty_rate", pov);
            need.insert("share_65p", s65);
            need.insert("share_no_diploma", nodip);
        }
        _ => match &inputs.qpv_indicators {
            Some(qi) => {
                let lookup = aggregate::qpv_table_lookup(qi).map_err(terr("qpv_indicators"))?;
                let col_of = |name: &str| -> Vec<Option<f64>> {
                    codes.iter().map(|c| lookup.get(c).and_then(|m| m.get(name).copied().flatten())).collect()
                };
                let pop = col_of("pop_mun");
                for (c, p) in codes.iter().zip(&pop) {
                    if let Some(p) = p {
                        population.insert(c.clone(), *p);
                    }
                }
                let missing: Vec<&String> = codes.iter().filter(|c| !lookup.contains_key(*c)).collect();
                if !missing.is_empty() {
                    notes.push(format!(
                        "{} QPV sans ligne dans le tableau d'indicateurs INSEE: {}",
                        missing.len(),
                        missing.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                    ));
                }
                cols.put_int("population", pop.iter().map(|p| round(*p, 0).map(|x| x as i64)).collect());
                let pov = col_of("tp60");
                cols.put("poverty_rate", pov.clone());
                need.insert("poverty_rate", pov);
                cols.put_int(
                    "median_income",
                    col_of("disp_q2").iter().map(|p| round(*p, 0).map(|x| x as i64)).collect(),
                );
                cols.put("employment_rate", col_of("tx_tot_empl"));
                cols.put("precarious_jobs", col_of("tx_tot_eprec"));
                notes.push(
                    "Population, pauvreté, revenu et emploi: indicateurs INSEE publiés par QPV (valeurs vides = secret statistique INSEE, laissées vides). \
                     Part des 65 ans et plus et part sans diplôme absentes: le jeu de données ne fournit pas les tableaux IRIS du recensement."
                        .into(),
                );
            }
            None => notes.push("Pas de données INSEE: population et indicateurs sociaux absents.".into()),
        },
    }

    // Connectivity.
    match &joined.buildings {
        Some(b) => {
            let sums = with_total(buildings_by_area(b)?);
            let get = |c: &String| sums.get(c).cloned().unwrap_or_default();
            cols.put_int("premises", codes.iter().map(|c| Some(get(c).premises.round() as i64)).collect());
            let thd: Vec<_> = codes.iter().map(|c| ratio(get(c).thd30, get(c).premises).map(|r| r * 100.0)).collect();
            cols.put("share_thd30", thd.iter().map(|v| round(*v, 1)).collect::<Vec<_>>());
            cols.put(
                "share_ftth",
                codes.iter().map(|c| round(ratio(get(c).ftth, get(c).premises).map(|r| r * 100.0), 1)).collect::<Vec<_>>(),
            );
            need.insert("share_not_thd30", thd.iter().map(|v| v.map(|x| 100.0 - x)).collect());
        }
        None => notes.push(
            "Pas de données ARCEP (immeubles et éligibilité): éligibilité au très haut débit et à la fibre absentes.".into(),
        ),
    }

    // Composite fragility index (IFN method: ratio to the territory × 100, mean over available variables).
    if territory_known && !need.is_empty() {
        let t = codes.iter().position(|c| c == TERRITORY);
        let index: Vec<Option<f64>> = (0..codes.len())
            .map(|i| {
                let parts: Vec<f64> = need
                    .values()
                    .filter_map(|v| {
                        let reference = v[t?]?;
                        (reference > 0.0).then_some(v[i]? / reference * 100.0)
                    })
                    .collect();
                (!parts.is_empty()).then(|| parts.iter().sum::<f64>() / parts.len() as f64)
            })
            .collect();
        cols.put("fragility_index", index.iter().map(|v| round(*v, 0)).collect::<Vec<_>>());
    }

    // Places.
    if let Some(p) = &joined.places {
        let counts = places_by_area(p)?;
        let total: u64 = partition.iter().filter_map(|c| counts.get(c)).sum();
        cols.put_int(
            "places",
            codes
                .iter()
                .map(
                    |c| Some(if c == TERRITORY { total } else { counts.get(c).copied().unwrap_or(0) } as i64),
                )
                .collect(),
        );
    }

    // Programme reach for the quarter.
    let mut quarters = Vec::new();
    let mut quarter = None;
    let mut series = None;
    let mut secrecy_flags: Vec<BTreeSet<String>> = vec![BTreeSet::new(); codes.len()];
    if let Some(att) = &joined.attendance {
        quarters = aggregate::quarters_present(att)?;
        let q = match ctx.quarter {
            Some(q) if quarters.contains(&q) => q,
            Some(q) => {
                return Err(IndicatorError::NoSuchQuarter {
                    requested: q,
                    present: quarters.iter().map(|q| q.to_string()).collect::<Vec<_>>().join(", "),
                });
            }
            None => match quarters.last() {
                Some(q) => *q,
                None => {
                    return Err(IndicatorError::NoSuchQuarter {
                        requested: Quarter { year: 0, q: 1 },
                        present: "none".into(),
                    });
                }
            },
        };
        quarter = Some(q);
        let a = attendance_by_area(att, &q.to_string(), &partition, params.completion_min_hours)?;
        let count_of = |m: &BTreeMap<String, u64>, c: &String| m.get(c).copied().unwrap_or(0);

        // Participants, with primary and secondary suppression over the partition.
        let part_counts: Vec<u64> = partition.iter().map(|c| count_of(&a.participants, c)).collect();
        let hide = hide_map(&partition, &part_counts, a.participants_territory, min, territory_known);
        let mut participants = Vec::new();
        let mut per_1000 = Vec::new();
        for (i, c) in codes.iter().enumerate() {
            let n = if c == TERRITORY { a.participants_territory } else { count_of(&a.participants, c) };
            match hide.get(c).copied().flatten() {
                Some(s) => {
                    secrecy_flags[i].insert(format!("participants:{}", label(s)));
                    participants.push(None);
                    per_1000.push(None);
                }
                None => {
                    participants.push(Some(n as i64));
                    per_1000.push(round(population.get(c).and_then(|p| ratio(n as f64 * 1000.0, *p)), 1));
                }
            }
        }
        cols.put_int("participants", participants);
        cols.put("participants_per_1000", per_1000);

        // Courses started in the quarter.
        let enrolled_counts: Vec<u64> = partition.iter().map(|c| count_of(&a.enrolled, c)).collect();
        let hide =
            hide_map(&partition, &enrolled_counts, a.enrolled_territory(&partition), min, territory_known);
        let mut enrolled = Vec::new();
        let mut completion = Vec::new();
        for (i, c) in codes.iter().enumerate() {
            let (n, done) = if c == TERRITORY {
                (a.enrolled_territory(&partition), a.completed_territory(&partition))
            } else {
                (count_of(&a.enrolled, c), count_of(&a.completed, c))
            };
            match hide.get(c).copied().flatten() {
                Some(s) => {
                    secrecy_flags[i].insert(format!("course_enrolled:{}", label(s)));
                    enrolled.push(None);
                    completion.push(None);
                }
                None => {
                    enrolled.push(Some(n as i64));
                    completion.push(round(ratio(done as f64 * 100.0, n as f64), 1));
                }
            }
        }
        cols.put_int("course_enrolled", enrolled);
        cols.put("completion_rate", completion);

        // Devices handed out.
        let dev_counts: Vec<u64> = partition.iter().map(|c| count_of(&a.devices, c)).collect();
        let dev_total: u64 = dev_counts.iter().sum();
        let hide = hide_map(&partition, &dev_counts, dev_total, min, territory_known);
        let mut devices = Vec::new();
        for (i, c) in codes.iter().enumerate() {
            let n = if c == TERRITORY { dev_total } else { count_of(&a.devices, c) };
            match hide.get(c).copied().flatten() {
                Some(s) => {
                    secrecy_flags[i].insert(format!("devices:{}", label(s)));
                    devices.push(None);
                }
                None => devices.push(Some(n as i64)),
            }
        }
        cols.put_int("devices", devices);

        series = Some(aggregate::reach_series(
            att,
            &quarters,
            &areas,
            &partition,
            &population,
            min,
            territory_known,
        )?);
        if a.outside_territory > 0 || a.unknown > 0 {
            notes.push(format!(
                "Participants du trimestre non comptés dans les zones: {} résidant hors du territoire, {} de résidence inconnue.",
                a.outside_territory, a.unknown
            ));
        }
    } else {
        notes.push("Pas de données de fréquentation des programmes: indicateurs de portée absents.".into());
    }
    cols.put_str(
        "secrecy",
        secrecy_flags
            .iter()
            .map(|s| (!s.is_empty()).then(|| s.iter().cloned().collect::<Vec<_>>().join(";")))
            .collect(),
    );

    let table = cols.into_frame().map_err(terr("table"))?;
    let period = match (&quarter, &ctx.dataset.period) {
        (Some(q), _) => q.to_string(),
        (None, Some(p)) => p.clone(),
        (None, None) => "all".into(),
    };
    Ok(Indicators { table, series, quarter, quarters, period, notes, areas })
}

fn label(s: Suppression) -> &'static str {
    match s {
        Suppression::Primary => "primary",
        Suppression::Secondary => "secondary",
    }
}

/// Suppression decisions for the partition and the territory total, by area code.
pub(crate) fn hide_map(
    partition: &[String],
    counts: &[u64],
    total: u64,
    min: u32,
    with_total: bool,
) -> BTreeMap<String, Option<Suppression>> {
    let (cells, total_decision) = if with_total {
        suppress_partition(counts, min)
    } else {
        (counts.iter().map(|&c| secrecy::is_primary(c, min).then_some(Suppression::Primary)).collect(), None)
    };
    let mut m: BTreeMap<String, Option<Suppression>> = partition.iter().cloned().zip(cells).collect();
    if with_total {
        let t = total_decision.or(secrecy::is_primary(total, min).then_some(Suppression::Primary));
        m.insert(TERRITORY.into(), t);
    }
    m
}
