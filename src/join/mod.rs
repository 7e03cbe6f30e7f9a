//! Stage `join`: puts every input on the QPV geography.
//!
//! Inputs: [`Inputs`] from `ingest` (Lambert-93). Outputs ([`Joined`]):
//! - `iris_weights` (`iris, area_code, weight, cut`): areal interpolation weights IRIS → QPV / outside
//!   QPV, and whether the area's boundary cuts the IRIS (1) or not (0) ([`areal`]);
//! - `buildings` (`area_code, logloc` and the eligibility flags, `bhd8, thd30, thd100, ftth`): ARCEP
//!   buildings by point in polygon, in the ingest's order (no id: [`buildings_with_ids`] adds them);
//! - `places` (`place_id, nom, area_code, programmes`);
//! - `attendance`: the pseudonymised records plus `area_code` and `assigned_by` (`coordinates`, `iris`,
//!   `unknown`). A residence given only as an IRIS goes to the QPV covering at least half of that IRIS,
//!   otherwise outside QPV.
//!
//! Area codes: a QPV code, [`OUTSIDE_QPV`] (the territory's communes outside any QPV),
//! [`OUTSIDE_TERRITORY`] (outside the territory's communes) or [`UNKNOWN`].

pub mod areal;
pub mod crosswalk;
mod locate;

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::*;

pub use crate::context::Weighting;
use crate::ingest::arcep::ArcepTables;
use crate::ingest::attendance::Attendance;
use crate::ingest::{Inputs, Iris, Qpv};
use crate::spatial::index::ZoneIndex;
use locate::{
    AreaCode, CODE_NONE, CODE_OUTSIDE_QPV, CODE_OUTSIDE_TERRITORY, Locator, mark_outside_territory,
    premises_by_iris,
};

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
    /// How IRIS counts were shared with the QPV (the dataset's `population_weighting`): `area`, or
    /// `dwellings` — by ARCEP premises in every IRIS where buildings are located, by area elsewhere.
    pub population_weighting: Weighting,
    /// IRIS of the territory whose counts were shared by their located premises.
    pub iris_weighted_by_premises: usize,
    /// IRIS of the territory whose counts were shared by area (no located premises, or `area`).
    pub iris_weighted_by_area: usize,
}

pub struct Joined {
    pub iris_weights: Option<DataFrame>,
    pub buildings: Option<DataFrame>,
    pub places: Option<DataFrame>,
    pub attendance: Option<DataFrame>,
    /// The previous QPV list against the current one, when the dataset gives `qpv_previous`.
    pub crosswalk: Option<crosswalk::Crosswalk>,
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

fn strs(df: &DataFrame, name: &str) -> PolarsResult<Vec<Option<String>>> {
    Ok(df.column(name)?.str()?.iter().map(|s| s.map(str::to_string)).collect())
}

/// The located buildings with their ARCEP ids (for the `--stage join` interim table): the join's
/// table is in the order of the ingest's buildings and carries no id when their flags came with them.
pub fn buildings_with_ids(located: &DataFrame, arcep: &ArcepTables) -> PolarsResult<DataFrame> {
    if located.schema().contains("imb_id") {
        return Ok(located.clone());
    }
    let mut out = located.clone();
    out.insert_column(0, arcep.buildings.column("imb_id")?.clone())?;
    Ok(out)
}

/// IRIS kept for the territory: those of the configured communes (all when none is configured).
fn territory_flags(iris: &[Iris], communes: &[String]) -> Vec<bool> {
    iris.iter().map(|i| communes.is_empty() || communes.contains(&i.commune)).collect()
}

/// The layers of [`Inputs`] that `join` reads.
struct Layers<'a> {
    qpv: &'a [Qpv],
    iris: Option<&'a [Iris]>,
    arcep: Option<&'a ArcepTables>,
    places: Option<&'a DataFrame>,
    attendance: Option<&'a Attendance>,
}

/// Puts the buildings, places and attendance of `inputs` on the QPV geography and computes the IRIS → QPV
/// weights; `communes` delimit the territory (all IRIS when empty).
pub fn join(inputs: &Inputs, communes: &[String], weighting: Weighting) -> Result<Joined, JoinError> {
    let layers = Layers {
        qpv: &inputs.qpv,
        iris: inputs.iris.as_deref(),
        arcep: inputs.arcep.as_ref(),
        places: inputs.places.as_ref(),
        attendance: inputs.attendance.as_ref(),
    };
    let mut joined = join_layers(&layers, communes, weighting)?;
    if let Some(previous) = &inputs.qpv_previous {
        joined.crosswalk = Some(crosswalk::crosswalk(previous, &inputs.qpv).map_err(terr("qpv_crosswalk"))?);
    }
    Ok(joined)
}

fn join_layers(l: &Layers<'_>, communes: &[String], weighting: Weighting) -> Result<Joined, JoinError> {
    let qpv_codes: Vec<&str> = l.qpv.iter().map(|q| q.code.as_str()).collect();
    let in_territory = l.iris.map(|i| territory_flags(i, communes));
    let locator = Locator {
        qpv: ZoneIndex::new(l.qpv.iter().map(|q| &q.geometry).collect()),
        qpv_codes: qpv_codes.clone(),
        iris: l
            .iris
            .zip(in_territory.clone())
            .map(|(i, t)| (ZoneIndex::new(i.iter().map(|z| &z.geometry).collect()), t)),
    };
    let mut stats = JoinStats::default();
    let nq = qpv_codes.len() as AreaCode;
    // Each building's area, computed once (the dwelling weights reuse its QPV).
    let building_codes = match l.arcep {
        Some(a) => {
            let b = &a.buildings;
            let mut codes = locator.codes(b, "x", "y").map_err(terr("buildings"))?;
            if !communes.is_empty() {
                let com = b.column("commune").and_then(|c| c.str()).map_err(terr("buildings"))?;
                mark_outside_territory(&mut codes, com, communes);
            }
            Some(codes)
        }
        None => None,
    };

    // IRIS → QPV weights, restricted to the territory's IRIS.
    let mut majority: BTreeMap<String, String> = BTreeMap::new();
    let iris_weights = match (l.iris, &in_territory) {
        (Some(iris), Some(flags)) => {
            let kept: Vec<Iris> =
                iris.iter().zip(flags).filter(|(_, k)| **k).map(|(i, _)| i.clone()).collect();
            let iris_overlay = areal::iris_overlay(&kept, l.qpv);
            stats.population_weighting = weighting;
            let mut w = areal::area_weights(&iris_overlay);
            if let (Weighting::Dwellings, Some(a), Some(codes)) = (weighting, l.arcep, &building_codes) {
                let iris_index = ZoneIndex::new(kept.iter().map(|z| &z.geometry).collect());
                let located =
                    premises_by_iris(&a.buildings, codes, nq, &iris_index).map_err(terr("buildings"))?;
                (w, stats.iris_weighted_by_premises) = areal::dwelling_weights(&iris_overlay, &located);
            }
            stats.iris_weighted_by_area = kept.len() - stats.iris_weighted_by_premises;
            let cut: Vec<f64> =
                areal::cut_flags(&iris_overlay, &w).into_iter().map(|c| f64::from(u8::from(c))).collect();
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
                    Column::new("cut".into(), cut),
                ])
                .map_err(terr("iris_weights"))?,
            )
        }
        _ => None,
    };

    // Buildings: the territory is given by their commune code when communes are configured.
    let buildings = match (l.arcep, building_codes) {
        (Some(a), Some(codes)) => {
            let b = &a.buildings;
            for &c in &codes {
                match c {
                    CODE_NONE => {}
                    CODE_OUTSIDE_QPV => stats.buildings_outside_qpv += 1,
                    CODE_OUTSIDE_TERRITORY => stats.buildings_outside_territory += 1,
                    _ => stats.buildings_in_qpv += 1,
                }
            }
            let area = locator.column(&codes);
            drop(codes);
            // The ingest puts each building's eligibility flags on it (matched by id hash): no join by id
            // then, and no id kept (the table is in the buildings' order: `buildings_table` puts the ids
            // back for the interim file). A buildings table without them is joined to the eligibility
            // table by `imb_id`. Either way the flags are those of `arcep::FLAGS` the tables carry.
            let flagged = b.schema().contains("thd30") && b.schema().contains("ftth");
            let source = if flagged { b } else { &a.eligibility };
            let flags: Vec<&str> =
                crate::ingest::arcep::FLAGS.iter().copied().filter(|f| source.schema().contains(f)).collect();
            let mut keep = vec!["area_code", "logloc"];
            keep.extend(&flags);
            let joined = if flagged {
                let mut cols = vec![area, b.column("logloc").map_err(terr("buildings"))?.clone()];
                for c in &flags {
                    cols.push(b.column(c).map_err(terr("buildings"))?.clone());
                }
                DataFrame::new_infer_height(cols).map_err(terr("buildings"))?
            } else {
                let located = b
                    .select(["imb_id", "logloc"])
                    .map_err(terr("buildings"))?
                    .with_column(area)
                    .map_err(terr("buildings"))?
                    .clone();
                located
                    .lazy()
                    .join(
                        a.eligibility.clone().lazy(),
                        [col("imb_id")],
                        [col("imb_id")],
                        JoinArgs::new(JoinType::Left),
                    )
                    .with_columns(flags.iter().map(|f| col(*f).fill_null(lit(false))).collect::<Vec<_>>())
                    .select(
                        std::iter::once("imb_id").chain(keep.iter().copied()).map(col).collect::<Vec<_>>(),
                    )
                    .collect()
                    .map_err(terr("buildings"))?
            };
            Some(joined)
        }
        _ => None,
    };

    let places = match l.places {
        Some(p) => {
            let area = locator.areas(p, "x", "y").map_err(terr("places"))?;
            stats.places_in_qpv = area.iter().flatten().filter(|a| qpv_codes.contains(&a.as_str())).count();
            let mut out = p.select(["place_id", "nom", "programmes"]).map_err(terr("places"))?;
            out.with_column(Column::new("area_code".into(), area)).map_err(terr("places"))?;
            Some(out)
        }
        None => None,
    };

    let attendance = match l.attendance {
        Some(att) => {
            let r = &att.records;
            let by_xy = locator.areas(r, "res_x", "res_y").map_err(terr("attendance"))?;
            let iris = strs(r, "res_iris").map_err(terr("attendance"))?;
            let known_iris: BTreeSet<&String> = l.iris.into_iter().flatten().map(|i| &i.code).collect();
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

    Ok(Joined { iris_weights, buildings, places, attendance, crosswalk: None, stats })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use super::*;
    use geo::{Area, LineString, MultiPolygon, Polygon};

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![Polygon::new(
            LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]),
            vec![],
        )])
    }

    /// IRIS `990010101` and `990010102` of commune 99001 side by side, `990020101` of commune 99002 next.
    fn iris() -> Vec<Iris> {
        [("990010101", 0.0), ("990010102", 100.0), ("990020101", 200.0)]
            .iter()
            .map(|&(code, x)| {
                let g = rect(x, 0.0, x + 100.0, 100.0);
                Iris {
                    code: code.into(),
                    name: String::new(),
                    commune: code[..5].into(),
                    kind: None,
                    area_m2: g.unsigned_area(),
                    geometry: g,
                }
            })
            .collect()
    }

    /// One QPV covering 60 % of the first IRIS.
    fn qpv() -> Vec<Qpv> {
        let g = rect(0.0, 0.0, 60.0, 100.0);
        vec![Qpv { name: "Q".into(), commune: Some("99001".into()), ..Qpv::bare("QN99901M", g) }]
    }

    /// Buildings: in the QPV, outside it in each IRIS of 99001, in the IRIS of 99002, outside every IRIS,
    /// and one whose commune code is not the territory's. Only the first two are in the eligibility file.
    fn arcep() -> ArcepTables {
        let b = [
            ("B1", 30.0, 50.0, 10.0, "99001"),
            ("B2", 150.0, 50.0, 5.0, "99001"),
            ("B3", 250.0, 50.0, 5.0, "99002"),
            ("B4", 1000.0, 1000.0, 5.0, "99001"),
            ("B5", 150.0, 60.0, 5.0, "99003"),
            ("B6", 80.0, 50.0, 30.0, "99001"),
        ];
        let f64s = |f: fn(&(&str, f64, f64, f64, &str)) -> f64| b.iter().map(f).collect::<Vec<f64>>();
        let buildings = DataFrame::new_infer_height(vec![
            Column::new("imb_id".into(), b.iter().map(|r| r.0).collect::<Vec<_>>()),
            Column::new("x".into(), f64s(|r| r.1)),
            Column::new("y".into(), f64s(|r| r.2)),
            Column::new("logloc".into(), f64s(|r| r.3)),
            Column::new("commune".into(), b.iter().map(|r| r.4).collect::<Vec<_>>()),
        ])
        .unwrap();
        let eligibility = DataFrame::new_infer_height(vec![
            Column::new("imb_id".into(), ["B1", "B2"]),
            Column::new("thd30".into(), [true, true]),
            Column::new("ftth".into(), [true, false]),
        ])
        .unwrap();
        ArcepTables { buildings, eligibility }
    }

    fn places() -> DataFrame {
        DataFrame::new_infer_height(vec![
            Column::new("place_id".into(), ["P1", "P2"]),
            Column::new("nom".into(), ["Dans le QPV", "Hors QPV"]),
            Column::new("programmes".into(), ["", ""]),
            Column::new("x".into(), [30.0, 150.0]),
            Column::new("y".into(), [50.0, 50.0]),
        ])
        .unwrap()
    }

    /// Residences: by coordinates, by the IRIS of each kind, unknown, and coordinates beside an IRIS.
    fn attendance() -> Attendance {
        let xy: [Option<(f64, f64)>; 8] =
            [Some((30.0, 50.0)), None, None, None, None, None, None, Some((30.0, 50.0))];
        let iris: [Option<&str>; 8] = [
            None,
            Some("990010101"),
            Some("990010102"),
            Some("990020101"),
            Some("990019999"),
            Some("990039999"),
            None,
            Some("990010102"),
        ];
        let records = DataFrame::new_infer_height(vec![
            Column::new("person".into(), (1..=8).map(|i| format!("p{i}")).collect::<Vec<_>>()),
            Column::new("res_x".into(), xy.iter().map(|p| p.map(|p| p.0)).collect::<Vec<_>>()),
            Column::new("res_y".into(), xy.iter().map(|p| p.map(|p| p.1)).collect::<Vec<_>>()),
            Column::new("res_iris".into(), iris.to_vec()),
        ])
        .unwrap();
        Attendance { records, rows_without_residence: 1 }
    }

    fn run(iris: Option<&[Iris]>, communes: &[&str], weighting: Weighting) -> Joined {
        let (qpv, arcep, places, attendance) = (qpv(), arcep(), places(), attendance());
        let layers = Layers {
            qpv: &qpv,
            iris,
            arcep: Some(&arcep),
            places: Some(&places),
            attendance: Some(&attendance),
        };
        let communes: Vec<String> = communes.iter().map(|c| c.to_string()).collect();
        join_layers(&layers, &communes, weighting).unwrap()
    }

    fn texts(df: &DataFrame, col: &str) -> Vec<String> {
        df.column(col).unwrap().str().unwrap().iter().map(|s| s.unwrap_or("").to_string()).collect()
    }

    fn weights_of(j: &Joined) -> Vec<(String, String, f64)> {
        let w = j.iris_weights.as_ref().unwrap();
        let ws: Vec<f64> = w.column("weight").unwrap().f64().unwrap().iter().flatten().collect();
        texts(w, "iris")
            .into_iter()
            .zip(texts(w, "area_code"))
            .zip(ws)
            .map(|((i, a), w)| (i, a, (w * 1e9).round() / 1e9))
            .collect()
    }

    #[test]
    fn buildings_go_to_their_qpv_the_rest_of_the_territory_or_outside_it() {
        let iris = iris();
        let j = run(Some(&iris), &["99001"], Weighting::Area);
        let b = j.buildings.as_ref().unwrap();
        assert_eq!(texts(b, "imb_id"), ["B1", "B2", "B3", "B4", "B5", "B6"]);
        assert_eq!(
            texts(b, "area_code"),
            // B3: IRIS of another commune; B4: outside every IRIS; B5: commune code not the territory's.
            ["QN99901M", OUTSIDE_QPV, OUTSIDE_TERRITORY, OUTSIDE_TERRITORY, OUTSIDE_TERRITORY, OUTSIDE_QPV]
        );
        let flags = |c: &str| -> Vec<bool> {
            b.column(c).unwrap().bool().unwrap().iter().map(|v| v.unwrap()).collect()
        };
        assert_eq!(
            flags("thd30"),
            [true, true, false, false, false, false],
            "missing eligibility = not eligible"
        );
        assert_eq!(flags("ftth"), [true, false, false, false, false, false]);
        let s = &j.stats;
        assert_eq!((s.buildings_in_qpv, s.buildings_outside_qpv, s.buildings_outside_territory), (1, 2, 3));
    }

    #[test]
    fn area_weights_cover_only_the_territory_and_sum_to_one() {
        let iris = iris();
        let j = run(Some(&iris), &["99001"], Weighting::Area);
        assert_eq!(
            weights_of(&j),
            [
                ("990010101", "QN99901M", 0.6),
                ("990010101", OUTSIDE_QPV, 0.4),
                ("990010102", OUTSIDE_QPV, 1.0)
            ]
            .map(|(i, a, w)| (i.to_string(), a.to_string(), w))
        );
        // No commune configured: every IRIS is in the territory.
        let all = run(Some(&iris), &[], Weighting::Area);
        assert_eq!(
            weights_of(&all).last().unwrap(),
            &("990020101".to_string(), OUTSIDE_QPV.to_string(), 1.0)
        );
    }

    #[test]
    fn dwelling_weights_follow_the_premises() {
        let iris = iris();
        let j = run(Some(&iris), &["99001"], Weighting::Dwellings);
        // IRIS 990010101: 10 premises in the QPV (B1), 30 outside (B6).
        assert_eq!(
            weights_of(&j)[..2],
            [("990010101", "QN99901M", 0.25), ("990010101", OUTSIDE_QPV, 0.75)].map(|(i, a, w)| (
                i.to_string(),
                a.to_string(),
                w
            ))
        );
        // The QPV no longer holds the majority of that IRIS: its IRIS-only residents stay outside.
        let att = j.attendance.as_ref().unwrap();
        assert_eq!(texts(att, "area_code")[1], OUTSIDE_QPV);
        // Both IRIS of the territory hold located premises; the stats say so.
        let s = &j.stats;
        assert_eq!(
            (s.population_weighting, s.iris_weighted_by_premises, s.iris_weighted_by_area),
            (Weighting::Dwellings, 2, 0)
        );
        let by_area = run(Some(&iris), &["99001"], Weighting::Area).stats;
        assert_eq!(
            (by_area.population_weighting, by_area.iris_weighted_by_premises, by_area.iris_weighted_by_area),
            (Weighting::Area, 0, 2)
        );
    }

    #[test]
    fn residences_by_coordinates_then_by_iris_majority_else_unknown() {
        let iris = iris();
        let j = run(Some(&iris), &["99001"], Weighting::Area);
        let att = j.attendance.as_ref().unwrap();
        assert_eq!(
            texts(att, "area_code"),
            [
                "QN99901M",        // coordinates in the QPV
                "QN99901M",        // IRIS 60 % covered by the QPV
                OUTSIDE_QPV,       // IRIS outside every QPV
                OUTSIDE_TERRITORY, // known IRIS of another commune
                UNKNOWN,           // IRIS code of the territory's commune that the contours lack
                OUTSIDE_TERRITORY, // IRIS code of another commune
                UNKNOWN,           // no residence
                "QN99901M",        // coordinates win over the IRIS
            ]
        );
        assert_eq!(
            texts(att, "assigned_by"),
            ["coordinates", "iris", "iris", "iris", "iris", "iris", "unknown", "coordinates"]
        );
        assert_eq!(
            texts(att, "person"),
            (1..=8).map(|i| format!("p{i}")).collect::<Vec<_>>(),
            "rows kept in order"
        );
        let s = &j.stats;
        assert_eq!((s.attendance_by_coordinates, s.attendance_by_iris, s.attendance_unknown), (2, 5, 1));
    }

    #[test]
    fn places_are_located_and_counted_in_qpv() {
        let iris = iris();
        let j = run(Some(&iris), &["99001"], Weighting::Area);
        let p = j.places.as_ref().unwrap();
        assert_eq!(texts(p, "area_code"), ["QN99901M", OUTSIDE_QPV]);
        assert_eq!(p.get_column_names(), ["place_id", "nom", "programmes", "area_code"]);
        assert_eq!(j.stats.places_in_qpv, 1);
    }

    #[test]
    fn without_iris_contours_everything_outside_the_qpv_is_outside_qpv() {
        let j = run(None, &["99001"], Weighting::Area);
        assert!(j.iris_weights.is_none());
        let b = j.buildings.as_ref().unwrap();
        // Only the commune code can still place a building outside the territory.
        assert_eq!(
            texts(b, "area_code"),
            ["QN99901M", OUTSIDE_QPV, OUTSIDE_TERRITORY, OUTSIDE_QPV, OUTSIDE_TERRITORY, OUTSIDE_QPV]
        );
        let att = j.attendance.as_ref().unwrap();
        assert_eq!(
            texts(att, "area_code")[1..6],
            [UNKNOWN, UNKNOWN, OUTSIDE_TERRITORY, UNKNOWN, OUTSIDE_TERRITORY]
        );
    }

    #[test]
    fn territory_flags_keep_the_configured_communes_or_all() {
        let iris = iris();
        assert_eq!(territory_flags(&iris, &["99002".to_string()]), [false, false, true]);
        assert_eq!(territory_flags(&iris, &[]), [true, true, true]);
    }
}
