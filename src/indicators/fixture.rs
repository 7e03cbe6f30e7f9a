//! A tiny hand-made world for the unit tests of the indicator families and of publish, built in code
//! (no files). Every number is chosen so that the expected values can be computed by hand; the test
//! of each family writes that computation out.
//!
//! Areas, in table order: `QA`, `QB`, `QC` (three QPV), `HORS_QPV`, `TERRITOIRE`.
//!
//! IRIS × area weights (the census is interpolated with them) and census counts:
//!
//! | IRIS | pop  | pop65 | pop75p | nscol15p | nodip | poverty_rate | weights                              |
//! |------|------|-------|--------|----------|-------|--------------|--------------------------------------|
//! | I1   | 1000 | 200   | 100    | 800      | 240   | 30           | QA 0.5, HORS_QPV 0.5                 |
//! | I2   | 400  | 40    | 20     | 300      | —     | —            | QB 1                                 |
//! | I3   | 2000 | 300   | 100    | 1600     | 320   | 20           | QB 0.125, QC 0.25, HORS_QPV 0.625    |
//! | I4   | 600  | 160   | 60     | 500      | 50    | —            | HORS_QPV 1                           |
//!
//! ARCEP buildings (`logloc`, bhd8, thd30, thd100, ftth): QA B1 (10, all four), B2 (30, bhd8 and thd30
//! only); QB B3 (20, none); HORS_QPV B4 (40, all four); HORS_TERRITOIRE B5 (100, all four, left out). QC
//! has none.
//!
//! Places: QA 2, HORS_QPV 1, one outside the territory, one not located.
//!
//! Attendance, quarter 2025-Q3 (the latest): participants QA 5 (`a1`–`a5`), QB 12 (`b1`–`b12`), QC 0,
//! HORS_QPV 31 (`h1`–`h31`), one outside the territory, one of unknown residence. Course `C1` (started
//! in 2025-Q3): QA `a1`–`a3` (`a1`, `a2` complete 600 min), HORS_QPV `h1`–`h12` (`h1`–`h8` complete).
//! Devices: two handed out in QB. Quarter 2025-Q2: `h1`, `h2` (individual sessions).

use std::path::PathBuf;

use geo::{MultiPolygon, polygon};
use polars::prelude::*;

use crate::context::{Context, DatasetConfig, Paths};
use crate::ingest::census::CensusTables;
use crate::ingest::{Inputs, Qpv, QpvList};
use crate::join::{JoinStats, Joined};
use crate::locale::{Lang, Locale};

use super::{Area, AreaType, Indicators, Scope, TERRITORY, comparison_areas, compute};

/// The dataset's configuration (minimal: the files are never read).
pub const DATASET_TOML: &str = r#"
id = "testville"
name = "Testville"
credit = "Données de test"
period = "2025"

[files]
qpv = "qpv.geojson"
attendance = "attendance.csv"
"#;

/// A context on [`DATASET_TOML`], with paths that are never touched.
pub fn context() -> Context {
    let dataset: DatasetConfig = toml::from_str(DATASET_TOML).expect("fixture dataset parses");
    let root = PathBuf::from("/nonexistent/fracture-fixture");
    Context {
        dataset,
        config_path: root.join("testville.toml"),
        paths: Paths {
            data_dir: root.join("data"),
            input_dir: root.join("input"),
            raw_dir: root.join("data/raw"),
            interim_dir: root.join("data/interim/testville"),
            reports_dir: root.join("reports"),
        },
        quarter: None,
        pseudo_key: Vec::new(),
        outside_paths: None,
    }
}

/// A rectangle in Lambert-93, lower-left corner `(x, y)`.
pub fn rectangle(x: f64, y: f64, w: f64, h: f64) -> MultiPolygon<f64> {
    MultiPolygon(vec![polygon![
        (x: x, y: y),
        (x: x + w, y: y),
        (x: x + w, y: y + h),
        (x: x, y: y + h),
        (x: x, y: y),
    ]])
}

/// One QPV: a `w × h` m rectangle at `(x, y)` (Lambert-93), its area as given.
pub fn qpv(code: &str, name: &str, commune: &str, (x, y, w, h): (f64, f64, f64, f64)) -> Qpv {
    Qpv {
        code: code.into(),
        name: name.into(),
        commune: Some(commune.into()),
        commune_name: None,
        epci: None,
        list: QpvList::Y2024,
        geometry: rectangle(x, y, w, h),
        area_m2: w * h,
        parts: vec![],
    }
}

fn frame(cols: Vec<Column>) -> DataFrame {
    DataFrame::new_infer_height(cols).expect("fixture frame")
}

fn strs(name: &str, v: &[&str]) -> Column {
    Column::new(name.into(), v.iter().map(|s| s.to_string()).collect::<Vec<String>>())
}

fn opt_f64(name: &str, v: &[Option<f64>]) -> Column {
    Column::new(name.into(), v.to_vec())
}

/// The census IRIS table (`stats`).
pub fn census_stats() -> DataFrame {
    frame(vec![
        strs("iris", &["I1", "I2", "I3", "I4"]),
        opt_f64("pop", &[Some(1000.0), Some(400.0), Some(2000.0), Some(600.0)]),
        opt_f64("pop65", &[Some(200.0), Some(40.0), Some(300.0), Some(160.0)]),
        opt_f64("pop75p", &[Some(100.0), Some(20.0), Some(100.0), Some(60.0)]),
        opt_f64("nscol15p", &[Some(800.0), Some(300.0), Some(1600.0), Some(500.0)]),
        opt_f64("nodip", &[Some(240.0), None, Some(320.0), Some(50.0)]),
        opt_f64("poverty_rate", &[Some(30.0), None, Some(20.0), None]),
        opt_f64("median_income", &[Some(15000.0), None, Some(19000.0), None]),
    ])
}

/// The join's IRIS × area weights.
pub fn iris_weights() -> DataFrame {
    frame(vec![
        strs("iris", &["I1", "I1", "I2", "I3", "I3", "I3", "I4"]),
        strs("area_code", &["QA", "HORS_QPV", "QB", "QB", "QC", "HORS_QPV", "HORS_QPV"]),
        Column::new("weight".into(), vec![0.5, 0.5, 1.0, 0.125, 0.25, 0.625, 1.0]),
        // I2 lies wholly in QB, I4 wholly outside QPV; the other weights are of IRIS cut by the area.
        Column::new("cut".into(), vec![1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0]),
    ])
}

/// The ARCEP buildings located by the join.
pub fn buildings() -> DataFrame {
    frame(vec![
        strs("imb_id", &["B1", "B2", "B3", "B4", "B5"]),
        strs("area_code", &["QA", "QA", "QB", "HORS_QPV", "HORS_TERRITOIRE"]),
        Column::new("logloc".into(), vec![10i64, 30, 20, 40, 100]),
        Column::new("bhd8".into(), vec![true, true, false, true, true]),
        Column::new("thd30".into(), vec![true, true, false, true, true]),
        Column::new("thd100".into(), vec![true, false, false, true, true]),
        Column::new("ftth".into(), vec![true, false, false, true, true]),
    ])
}

/// The mediation places located by the join.
pub fn places() -> DataFrame {
    frame(vec![
        strs("place_id", &["P1", "P2", "P3", "P4", "P5"]),
        strs("nom", &["Lieu 1", "Lieu 2", "Lieu 3", "Lieu 4", "Lieu 5"]),
        Column::new(
            "area_code".into(),
            vec![Some("QA"), Some("QA"), Some("HORS_QPV"), Some("HORS_TERRITOIRE"), None],
        ),
        strs("programmes", &["p", "p", "p", "p", "p"]),
    ])
}

/// One attendance record, as the join leaves it.
struct Rec {
    date: &'static str,
    kind: &'static str,
    cohort: Option<&'static str>,
    minutes: i64,
    person: String,
    area: &'static str,
}

/// The attendance records with their `area_code` (columns of `ingest::attendance` plus the join's).
pub fn attendance() -> DataFrame {
    let mut recs: Vec<Rec> = Vec::new();
    let mut rec = |date, kind, cohort, minutes, person: String, area| {
        recs.push(Rec { date, kind, cohort, minutes, person, area })
    };
    // Quarter 2025-Q3: individual sessions.
    for i in 1..=5 {
        rec("2025-07-10", "individuel", None, 60, format!("a{i}"), "QA");
    }
    for i in 1..=12 {
        rec("2025-07-11", "individuel", None, 60, format!("b{i}"), "QB");
    }
    for i in 1..=31 {
        rec("2025-08-01", "collectif", None, 90, format!("h{i}"), "HORS_QPV");
    }
    rec("2025-08-02", "individuel", None, 60, "x1".into(), "HORS_TERRITOIRE");
    rec("2025-08-02", "individuel", None, 60, "u1".into(), "INCONNU");
    // Devices: two in QB.
    rec("2025-09-01", "don_materiel", None, 0, "b1".into(), "QB");
    rec("2025-09-01", "don_materiel", None, 0, "b2".into(), "QB");
    // Course C1, started in 2025-Q3: two sessions of 300 min for those who complete it.
    for (person, area, sessions) in (1..=3)
        .map(|i| (format!("a{i}"), "QA", if i <= 2 { 2 } else { 1 }))
        .chain((1..=12).map(|i| (format!("h{i}"), "HORS_QPV", if i <= 8 { 2 } else { 1 })))
    {
        rec("2025-09-02", "parcours_initiation", Some("C1"), 300, person.clone(), area);
        if sessions == 2 {
            rec("2025-09-09", "parcours_initiation", Some("C1"), 300, person, area);
        }
    }
    // Quarter 2025-Q2.
    rec("2025-05-01", "individuel", None, 60, "h1".into(), "HORS_QPV");
    rec("2025-05-01", "individuel", None, 60, "h2".into(), "HORS_QPV");

    let n = recs.len();
    let quarter = |d: &str| {
        let m: u32 = d[5..7].parse().expect("month");
        format!("{}-Q{}", &d[..4], (m - 1) / 3 + 1)
    };
    frame(vec![
        Column::new("record_id".into(), (1..=n).map(|i| format!("R{i:03}")).collect::<Vec<_>>()),
        Column::new("date".into(), recs.iter().map(|r| r.date.to_string()).collect::<Vec<_>>()),
        Column::new("quarter".into(), recs.iter().map(|r| quarter(r.date)).collect::<Vec<_>>()),
        Column::new("type".into(), recs.iter().map(|r| r.kind.to_string()).collect::<Vec<_>>()),
        Column::new("programme".into(), vec!["prog".to_string(); n]),
        Column::new("structure_id".into(), vec![Some("S1".to_string()); n]),
        Column::new("cohort".into(), recs.iter().map(|r| r.cohort.map(str::to_string)).collect::<Vec<_>>()),
        Column::new(
            "session".into(),
            recs.iter().map(|r| r.cohort.map(|_| 1i64)).collect::<Vec<Option<i64>>>(),
        ),
        Column::new("minutes".into(), recs.iter().map(|r| r.minutes).collect::<Vec<_>>()),
        Column::new("person".into(), recs.iter().map(|r| r.person.clone()).collect::<Vec<_>>()),
        Column::new("res_x".into(), vec![None::<f64>; n]),
        Column::new("res_y".into(), vec![None::<f64>; n]),
        Column::new("res_iris".into(), vec![None::<String>; n]),
        Column::new("materiel".into(), vec![None::<String>; n]),
        Column::new("area_code".into(), recs.iter().map(|r| r.area.to_string()).collect::<Vec<_>>()),
        Column::new("assigned_by".into(), vec!["coordinates".to_string(); n]),
    ])
}

/// INSEE's per-QPV table (used when there is no census): QA and QB only.
pub fn qpv_indicators() -> DataFrame {
    frame(vec![
        strs("code_qp", &["QA", "QB"]),
        opt_f64("pop_mun", &[Some(1234.0), Some(567.0)]),
        opt_f64("tp60", &[Some(41.26), None]),
        opt_f64("disp_q2", &[Some(12345.6), Some(13000.0)]),
        opt_f64("tx_tot_empl", &[Some(48.04), Some(51.0)]),
    ])
}

/// The three QPV: QA 1 km², QB 0.25 km², QC 1.2346 km².
pub fn qpvs() -> Vec<Qpv> {
    vec![
        qpv("QA", "Les Tilleuls", "75101", (650_000.0, 6_860_000.0, 1000.0, 1000.0)),
        qpv("QB", "La Butte", "75101", (652_000.0, 6_860_000.0, 500.0, 500.0)),
        qpv("QC", "Le Canal", "75102", (654_000.0, 6_860_000.0, 1000.0, 1234.6)),
    ]
}

/// Everything `compute` reads; tests change a part and compute again.
pub struct World {
    pub ctx: Context,
    pub inputs: Inputs,
    pub joined: Joined,
}

impl Default for World {
    fn default() -> Self {
        World::new()
    }
}

impl World {
    /// The whole world: census, ARCEP, places and attendance; no INSEE per-QPV table.
    pub fn new() -> Self {
        let inputs = Inputs {
            qpv: qpvs(),
            qpv_previous: None,
            iris: None,
            census: Some(CensusTables {
                stats: census_stats(),
                census_vintage: "2021".into(),
                filosofi_vintage: "2021".into(),
                warnings: Vec::new(),
            }),
            arcep: None,
            places: None,
            attendance: None,
            qpv_indicators: None,
            files: Vec::new(),
            warnings: Vec::new(),
        };
        let joined = Joined {
            iris_weights: Some(iris_weights()),
            buildings: Some(buildings()),
            places: Some(places()),
            attendance: Some(attendance()),
            crosswalk: None,
            stats: JoinStats::default(),
        };
        World { ctx: context(), inputs, joined }
    }

    /// Without census or IRIS (hence no comparison rows), with INSEE's per-QPV table.
    pub fn insee_only() -> Self {
        let mut w = World::new();
        w.inputs.census = None;
        w.inputs.qpv_indicators = Some(qpv_indicators());
        w.joined.iris_weights = None;
        w
    }

    pub fn compute(&self, lang: Lang) -> Result<Indicators, super::IndicatorError> {
        compute(&self.ctx, &self.inputs, &self.joined, &Locale::new(lang))
    }

    /// Calls `f` with the [`Scope`] `compute` builds (same areas, in the same order), for the tests that
    /// call a family directly.
    pub fn with_scope<R>(&self, f: impl FnOnce(&Scope) -> R) -> R {
        let mut areas: Vec<Area> = self
            .inputs
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
        let territory_known = self.joined.iris_weights.is_some();
        if territory_known {
            areas.extend(comparison_areas(&self.ctx, &Locale::new(Lang::Fr)));
        }
        let codes: Vec<String> = areas.iter().map(|a| a.code.clone()).collect();
        let partition = codes.iter().filter(|c| *c != TERRITORY).cloned().collect();
        let scope = Scope {
            ctx: &self.ctx,
            inputs: &self.inputs,
            joined: &self.joined,
            areas: &areas,
            codes,
            partition,
            territory_known,
        };
        f(&scope)
    }

    /// [`World::compute`] in French, which must succeed.
    pub fn indicators(&self) -> Indicators {
        self.compute(Lang::Fr).expect("the fixture computes")
    }
}

/// A numeric column of the published table as `f64` (integers cast), `None` when absent.
pub fn num(ind: &Indicators, column: &str) -> Option<Vec<Option<f64>>> {
    let c = ind.table.column(column).ok()?.cast(&DataType::Float64).ok()?;
    Some(c.f64().ok()?.iter().collect())
}

/// A text column of the published table, `None` when absent.
pub fn text(ind: &Indicators, column: &str) -> Option<Vec<Option<String>>> {
    let c = ind.table.column(column).ok()?;
    Some(c.str().ok()?.iter().map(|s| s.map(str::to_string)).collect())
}

/// Whether the published table has `column`.
pub fn has(ind: &Indicators, column: &str) -> bool {
    ind.table.column(column).is_ok()
}

/// Asserts two unrounded values agree to 1e-9 (both null, or both close).
pub fn assert_close(got: &[Option<f64>], want: &[Option<f64>], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: {got:?} vs {want:?}");
    for (g, w) in got.iter().zip(want) {
        match (g, w) {
            (Some(g), Some(w)) => assert!((g - w).abs() < 1e-9, "{what}: {got:?} vs {want:?}"),
            (None, None) => {}
            _ => panic!("{what}: {got:?} vs {want:?}"),
        }
    }
}
