//! Stage `join`: puts every input on the QPV geography.
//!
//! Inputs: [`Inputs`] from `ingest` (Lambert-93). Outputs ([`Joined`]):
//! - `iris_weights` (`iris, area_code, weight`): areal interpolation weights IRIS → QPV / outside QPV
//!   ([`areal`]);
//! - `buildings` (`imb_id, area_code, logloc, thd30, ftth`): ARCEP buildings by point in polygon;
//! - `places` (`place_id, nom, area_code, programmes`);
//! - `attendance`: the pseudonymised records plus `area_code` and `assigned_by` (`coordinates`, `iris`,
//!   `unknown`). A residence given only as an IRIS goes to the QPV covering at least half of that IRIS,
//!   otherwise outside QPV.
//!
//! Area codes: a QPV code, [`OUTSIDE_QPV`] (the territory's communes outside any QPV),
//! [`OUTSIDE_TERRITORY`] (outside the territory's communes) or [`UNKNOWN`].

pub mod areal;
pub mod index;

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::*;
use rayon::prelude::*;

pub use crate::context::Weighting;
use crate::ingest::{Inputs, Iris};
use index::ZoneIndex;

pub const OUTSIDE_QPV: &str = "HORS_QPV";
pub const OUTSIDE_TERRITORY: &str = "HORS_TERRITOIRE";
pub const UNKNOWN: &str = "INCONNU";
/// Share of an IRIS a QPV must cover to receive residents known only by that IRIS.
pub const IRIS_MAJORITY: f64 = 0.5;

/// Counts that tell how well the join went (reported in the manifest and the report).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct JoinStats {
    pub buildings_in_qpv: usize,
    pub buildings_outside_qpv: usize,
    pub buildings_outside_territory: usize,
    pub places_in_qpv: usize,
    pub attendance_by_coordinates: usize,
    pub attendance_by_iris: usize,
    pub attendance_unknown: usize,
}

pub struct Joined {
    pub iris_weights: Option<DataFrame>,
    pub buildings: Option<DataFrame>,
    pub places: Option<DataFrame>,
    pub attendance: Option<DataFrame>,
    pub stats: JoinStats,
}

#[derive(Debug, thiserror::Error)]
pub enum JoinError {
    #[error("join: table {table}: {source}")]
    Table { table: &'static str, source: PolarsError },
}

fn terr(table: &'static str) -> impl Fn(PolarsError) -> JoinError {
    move |source| JoinError::Table { table, source }
}

/// Locates points: QPV first, then the territory (IRIS of the configured communes) when known.
struct Locator<'a> {
    qpv: ZoneIndex<'a>,
    qpv_codes: Vec<&'a str>,
    iris: Option<(ZoneIndex<'a>, Vec<bool>)>,
}

impl Locator<'_> {
    fn area(&self, x: f64, y: f64) -> &str {
        if let Some(q) = self.qpv.locate(x, y) {
            return self.qpv_codes[q];
        }
        match &self.iris {
            Some((idx, in_territory)) => match idx.locate(x, y) {
                Some(i) if in_territory[i] => OUTSIDE_QPV,
                _ => OUTSIDE_TERRITORY,
            },
            None => OUTSIDE_QPV,
        }
    }

    fn areas(&self, xs: &[Option<f64>], ys: &[Option<f64>]) -> Vec<Option<String>> {
        xs.par_iter()
            .zip(ys.par_iter())
            .map(|(x, y)| match (x, y) {
                (Some(x), Some(y)) => Some(self.area(*x, *y).to_string()),
                _ => None,
            })
            .collect()
    }
}

fn f64s(df: &DataFrame, name: &str) -> PolarsResult<Vec<Option<f64>>> {
    Ok(df.column(name)?.f64()?.iter().collect())
}

fn strs(df: &DataFrame, name: &str) -> PolarsResult<Vec<Option<String>>> {
    Ok(df.column(name)?.str()?.iter().map(|s| s.map(str::to_string)).collect())
}

/// IRIS kept for the territory: those of the configured communes (all when none is configured).
fn territory_flags(iris: &[Iris], communes: &[String]) -> Vec<bool> {
    iris.iter().map(|i| communes.is_empty() || communes.contains(&i.commune)).collect()
}

pub fn join(inputs: &Inputs, communes: &[String], weighting: Weighting) -> Result<Joined, JoinError> {
    let qpv_codes: Vec<&str> = inputs.qpv.iter().map(|q| q.code.as_str()).collect();
    let in_territory = inputs.iris.as_ref().map(|i| territory_flags(i, communes));
    let locator = Locator {
        qpv: ZoneIndex::new(inputs.qpv.iter().map(|q| &q.geometry).collect()),
        qpv_codes: qpv_codes.clone(),
        iris: inputs
            .iris
            .as_ref()
            .zip(in_territory.clone())
            .map(|(i, t)| (ZoneIndex::new(i.iter().map(|z| &z.geometry).collect()), t)),
    };
    let mut stats = JoinStats::default();

    // IRIS → QPV weights, restricted to the territory's IRIS.
    let mut majority: BTreeMap<String, String> = BTreeMap::new();
    let iris_weights = match (&inputs.iris, &in_territory) {
        (Some(iris), Some(flags)) => {
            let kept: Vec<Iris> =
                iris.iter().zip(flags).filter(|(_, k)| **k).map(|(i, _)| i.clone()).collect();
            let mut w = areal::weights(&kept, &inputs.qpv);
            if let (Weighting::Dwellings, Some(a)) = (weighting, &inputs.arcep) {
                let b = &a.buildings;
                let (xs, ys) =
                    (f64s(b, "x").map_err(terr("buildings"))?, f64s(b, "y").map_err(terr("buildings"))?);
                let n = f64s(b, "logloc").map_err(terr("buildings"))?;
                let iris_index = ZoneIndex::new(kept.iter().map(|z| &z.geometry).collect());
                let located: Vec<(usize, Option<usize>, f64)> = xs
                    .par_iter()
                    .zip(ys.par_iter())
                    .zip(n.par_iter())
                    .filter_map(|((x, y), n)| {
                        let (x, y) = ((*x)?, (*y)?);
                        Some((iris_index.locate(x, y)?, locator.qpv.locate(x, y), n.unwrap_or(0.0)))
                    })
                    .collect();
                w = areal::dwelling_weights(&w, kept.len(), &located);
            }
            let (mut codes, mut areas, mut ws) = (vec![], vec![], vec![]);
            for x in &w {
                let area = x.qpv.map(|q| qpv_codes[q]).unwrap_or(OUTSIDE_QPV);
                codes.push(kept[x.iris].code.clone());
                areas.push(area.to_string());
                ws.push(x.weight);
                if x.weight >= IRIS_MAJORITY {
                    majority.insert(kept[x.iris].code.clone(), area.to_string());
                }
            }
            for i in &kept {
                majority.entry(i.code.clone()).or_insert_with(|| OUTSIDE_QPV.to_string());
            }
            Some(
                DataFrame::new_infer_height(vec![
                    Column::new("iris".into(), codes),
                    Column::new("area_code".into(), areas),
                    Column::new("weight".into(), ws),
                ])
                .map_err(terr("iris_weights"))?,
            )
        }
        _ => None,
    };

    // Buildings: the territory is given by their commune code when communes are configured.
    let buildings = match &inputs.arcep {
        Some(a) => {
            let b = &a.buildings;
            let mut area = locator
                .areas(&f64s(b, "x").map_err(terr("buildings"))?, &f64s(b, "y").map_err(terr("buildings"))?);
            if !communes.is_empty() {
                let com = strs(b, "commune").map_err(terr("buildings"))?;
                for (a, c) in area.iter_mut().zip(com) {
                    if !c.is_some_and(|c| communes.contains(&c)) && a.as_deref() == Some(OUTSIDE_QPV) {
                        *a = Some(OUTSIDE_TERRITORY.to_string());
                    }
                }
            }
            for a in area.iter().flatten() {
                match a.as_str() {
                    OUTSIDE_QPV => stats.buildings_outside_qpv += 1,
                    OUTSIDE_TERRITORY => stats.buildings_outside_territory += 1,
                    _ => stats.buildings_in_qpv += 1,
                }
            }
            let located = b
                .select(["imb_id", "logloc"])
                .map_err(terr("buildings"))?
                .with_column(Column::new("area_code".into(), area))
                .map_err(terr("buildings"))?
                .clone();
            let joined = located
                .lazy()
                .join(
                    a.eligibility.clone().lazy(),
                    [col("imb_id")],
                    [col("imb_id")],
                    JoinArgs::new(JoinType::Left),
                )
                .with_columns([col("thd30").fill_null(lit(false)), col("ftth").fill_null(lit(false))])
                .select([col("imb_id"), col("area_code"), col("logloc"), col("thd30"), col("ftth")])
                .collect()
                .map_err(terr("buildings"))?;
            Some(joined)
        }
        None => None,
    };

    let places = match &inputs.places {
        Some(p) => {
            let area =
                locator.areas(&f64s(p, "x").map_err(terr("places"))?, &f64s(p, "y").map_err(terr("places"))?);
            stats.places_in_qpv = area.iter().flatten().filter(|a| qpv_codes.contains(&a.as_str())).count();
            let mut out = p.select(["place_id", "nom", "programmes"]).map_err(terr("places"))?;
            out.with_column(Column::new("area_code".into(), area)).map_err(terr("places"))?;
            Some(out)
        }
        None => None,
    };

    let attendance = match &inputs.attendance {
        Some(att) => {
            let r = &att.records;
            let by_xy = locator.areas(
                &f64s(r, "res_x").map_err(terr("attendance"))?,
                &f64s(r, "res_y").map_err(terr("attendance"))?,
            );
            let iris = strs(r, "res_iris").map_err(terr("attendance"))?;
            let known_iris: BTreeSet<&String> = inputs.iris.iter().flatten().map(|i| &i.code).collect();
            let mut area = Vec::with_capacity(r.height());
            let mut how = Vec::with_capacity(r.height());
            for (xy, iris) in by_xy.into_iter().zip(iris) {
                let (a, h) = match (xy, iris) {
                    (Some(a), _) => {
                        stats.attendance_by_coordinates += 1;
                        (a, "coordinates")
                    }
                    (None, Some(code)) => {
                        stats.attendance_by_iris += 1;
                        let a = majority.get(&code).cloned().unwrap_or_else(|| {
                            let in_communes =
                                communes.is_empty() || communes.iter().any(|c| code.starts_with(c.as_str()));
                            // Known IRIS without a majority entry lie outside the territory.
                            if known_iris.contains(&code) || !in_communes {
                                OUTSIDE_TERRITORY.to_string()
                            } else {
                                UNKNOWN.to_string()
                            }
                        });
                        (a, "iris")
                    }
                    (None, None) => {
                        stats.attendance_unknown += 1;
                        (UNKNOWN.to_string(), "unknown")
                    }
                };
                area.push(a);
                how.push(h);
            }
            let mut out = r.clone();
            out.with_column(Column::new("area_code".into(), area)).map_err(terr("attendance"))?;
            out.with_column(Column::new("assigned_by".into(), how)).map_err(terr("attendance"))?;
            Some(out)
        }
        None => None,
    };

    Ok(Joined { iris_weights, buildings, places, attendance, stats })
}
