//! Programme attendance (fracture's own schema, `data/FORMATS.md` §6): personal data.
//!
//! The participant reference is replaced on ingest by a keyed pseudonym ([`Pseudonymiser`]); nothing in
//! the output DataFrame identifies a person directly, and the DataFrame itself is never written out (only
//! aggregates that pass statistical secrecy are). Output columns:
//! `record_id, date, quarter, type, programme, structure_id, cohort, session, minutes, person,
//! res_x, res_y, res_iris, materiel` (res_x/res_y in Lambert-93).

use std::collections::BTreeSet;
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use polars::prelude::*;

use super::error::{IngestError, Location};
use super::pseudonym::Pseudonymiser;
use super::read::{CodeKind, ReadOptions, read_table};
use super::summary::{Entry, Reason};
use crate::crs::Reprojector;

pub const COLUMNS: [&str; 15] = [
    "id",
    "date",
    "type",
    "programme",
    "structure_id",
    "cohorte",
    "seance",
    "duree",
    "participant",
    "tranche_age",
    "residence_iris",
    "residence_lat",
    "residence_lon",
    "materiel",
    "thematiques",
];

pub const TYPES: [&str; 5] =
    ["parcours_initiation", "individuel", "demarche_administrative", "collectif", "don_materiel"];
pub const AGE_BANDS: [&str; 6] = ["-18", "18-24", "25-39", "40-59", "60-69", "70+"];
pub const DEVICES: [&str; 3] = ["ordinateur", "tablette", "smartphone"];

/// The quarter of a date, written `2025-Q3`.
pub fn quarter_of(d: NaiveDate) -> String {
    format!("{}-Q{}", d.year(), (d.month() - 1) / 3 + 1)
}

/// Attendance after ingest, plus counts a quality report needs.
pub struct Attendance {
    pub records: DataFrame,
    pub rows_without_residence: usize,
}

pub fn read_attendance(
    path: &Path,
    opts: &ReadOptions,
    pseudo: &Pseudonymiser,
    reproj: &Reprojector,
) -> Result<Attendance, IngestError> {
    read_attendance_until(path, opts, pseudo, reproj, chrono::Local::now().date_naive()).map(|(a, _)| a)
}

/// [`read_attendance`], setting aside (with a warning, never as an error) the records dated after
/// `horizon` (the run's date unless the dataset says otherwise): a record from the future is a typing
/// error, and must never become the latest quarter.
pub fn read_attendance_until(
    path: &Path,
    opts: &ReadOptions,
    pseudo: &Pseudonymiser,
    reproj: &Reprojector,
    horizon: NaiveDate,
) -> Result<(Attendance, Vec<String>), IngestError> {
    read_attendance_detailed(path, opts, pseudo, reproj, horizon).map(|r| (r.attendance, r.warnings))
}

/// What [`read_attendance_detailed`] read.
pub struct AttendanceRead {
    pub attendance: Attendance,
    pub warnings: Vec<String>,
    /// Records set aside: their line and the date that did it (nothing personal).
    pub set_aside: Vec<Entry>,
}

/// [`read_attendance_until`], with the records set aside for the summary.
pub fn read_attendance_detailed(
    path: &Path,
    opts: &ReadOptions,
    pseudo: &Pseudonymiser,
    reproj: &Reprojector,
    horizon: NaiveDate,
) -> Result<AttendanceRead, IngestError> {
    let mut future: Vec<(Location, String)> = Vec::new();
    let t = read_table(path, opts)?;
    t.require_columns(&COLUMNS)?;
    let mut errors = Vec::new();
    let s = |c: &str| t.strings(c);
    let (ids, dates, types, programmes, structures, cohorts, sessions_raw) =
        (s("id")?, s("date")?, s("type")?, s("programme")?, s("structure_id")?, s("cohorte")?, s("seance")?);
    let (durations, participants, ages, materiel) =
        (s("duree")?, s("participant")?, s("tranche_age")?, s("materiel")?);
    let res_iris = t.codes("residence_iris", CodeKind::Iris, &mut errors);
    let lat = t.f64s("residence_lat", &mut errors);
    let lon = t.f64s("residence_lon", &mut errors);

    let mut seen = BTreeSet::new();
    let mut no_residence = 0;
    let mut out = Out::default();
    for row in 0..t.height() {
        let field = |field: &str, expected: String, found: Option<&String>| IngestError::Field {
            path: t.path.clone(),
            location: t.line_of(row),
            field: field.into(),
            expected,
            found: found.cloned().unwrap_or_else(|| "empty".into()),
        };
        let Some(id) = ids[row].clone().filter(|id| seen.insert(id.clone())) else {
            let found = ids[row].as_ref().map(|id| format!("duplicate {id}"));
            errors.push(field("id", "a unique record id".into(), found.as_ref()));
            continue;
        };
        let Some(date) = dates[row].as_deref().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        else {
            errors.push(field("date", "an ISO date YYYY-MM-DD".into(), dates[row].as_ref()));
            continue;
        };
        if date > horizon {
            future.push((t.line_of(row), date.to_string()));
            continue;
        }
        let Some(kind) = types[row].clone().filter(|k| TYPES.contains(&k.as_str())) else {
            errors.push(field("type", format!("one of {}", TYPES.join(", ")), types[row].as_ref()));
            continue;
        };
        let Some(programme) = programmes[row].clone() else {
            errors.push(field("programme", "a programme name".into(), None));
            continue;
        };
        let Some(minutes) =
            durations[row].as_deref().and_then(|d| d.parse::<i64>().ok()).filter(|m| (0..=1440).contains(m))
        else {
            errors.push(field("duree", "whole minutes between 0 and 1440".into(), durations[row].as_ref()));
            continue;
        };
        let Some(participant) = participants[row].as_deref() else {
            errors.push(field("participant", "the partner's participant reference".into(), None));
            continue;
        };
        let session = match sessions_raw[row].as_deref() {
            None => None,
            Some(v) => match v.parse::<i64>() {
                Ok(n) if n >= 1 => Some(n),
                _ => {
                    errors.push(field("seance", "a session number ≥ 1".into(), sessions_raw[row].as_ref()));
                    continue;
                }
            },
        };
        if kind == "parcours_initiation" && (cohorts[row].is_none() || session.is_none()) {
            let which = if cohorts[row].is_none() { "cohorte" } else { "seance" };
            errors.push(field(which, "a value for a parcours_initiation row".into(), None));
            continue;
        }
        if let Some(a) = &ages[row]
            && !AGE_BANDS.contains(&a.as_str())
        {
            errors.push(field("tranche_age", format!("one of {} or empty", AGE_BANDS.join(", ")), Some(a)));
            continue;
        }
        if let Some(m) = &materiel[row]
            && !DEVICES.contains(&m.as_str())
        {
            errors.push(field("materiel", format!("one of {} or empty", DEVICES.join(", ")), Some(m)));
            continue;
        }
        let (res_x, res_y) = match (lat[row], lon[row]) {
            (Some(la), Some(lo)) => match reproj.wgs84_in_france(la, lo) {
                Some((x, y)) => (Some(x), Some(y)),
                None => {
                    let found = format!("({la}, {lo})");
                    errors.push(field(
                        "residence_lat/residence_lon",
                        "WGS84 degrees in France".into(),
                        Some(&found),
                    ));
                    continue;
                }
            },
            (None, None) => (None, None),
            (la, _) => {
                let found = if la.is_some() {
                    "residence_lat without residence_lon".to_string()
                } else {
                    "residence_lon without residence_lat".to_string()
                };
                errors.push(field(
                    "residence_lat/residence_lon",
                    "both coordinates or neither".into(),
                    Some(&found),
                ));
                continue;
            }
        };
        if res_x.is_none() && res_iris[row].is_none() {
            no_residence += 1;
        }
        out.record_id.push(id);
        out.date.push(date.format("%Y-%m-%d").to_string());
        out.quarter.push(quarter_of(date));
        out.kind.push(kind);
        out.programme.push(programme);
        out.structure.push(structures[row].clone());
        out.cohort.push(cohorts[row].clone());
        out.session.push(session);
        out.minutes.push(minutes);
        out.person.push(pseudo.pseudonym(participant));
        out.res_x.push(res_x);
        out.res_y.push(res_y);
        out.res_iris.push(res_iris[row].clone());
        out.materiel.push(materiel[row].clone());
    }
    IngestError::collect(t.path.clone(), errors)?;
    let records = out
        .into_frame()
        .map_err(|e| IngestError::format(path, Location::File, format!("table operation failed: {e}")))?;
    let mut warnings = Vec::new();
    if !future.is_empty() {
        let shown: Vec<String> = future.iter().take(10).map(|(l, d)| format!("{l} ({d})")).collect();
        let more =
            if future.len() > 10 { format!(", ... and {} more", future.len() - 10) } else { String::new() };
        warnings.push(format!(
            "{}: {} record(s) dated after {horizon} set aside (a date in the future is a typing error): {}{more}",
            path.display(),
            future.len(),
            shown.join(", ")
        ));
    }
    let set_aside =
        future.into_iter().map(|(at, date)| Entry::new(at, "date", Reason::FutureDate, date)).collect();
    Ok(AttendanceRead {
        attendance: Attendance { records, rows_without_residence: no_residence },
        warnings,
        set_aside,
    })
}

#[derive(Default)]
struct Out {
    record_id: Vec<String>,
    date: Vec<String>,
    quarter: Vec<String>,
    kind: Vec<String>,
    programme: Vec<String>,
    structure: Vec<Option<String>>,
    cohort: Vec<Option<String>>,
    session: Vec<Option<i64>>,
    minutes: Vec<i64>,
    person: Vec<String>,
    res_x: Vec<Option<f64>>,
    res_y: Vec<Option<f64>>,
    res_iris: Vec<Option<String>>,
    materiel: Vec<Option<String>>,
}

impl Out {
    fn into_frame(self) -> PolarsResult<DataFrame> {
        DataFrame::new_infer_height(vec![
            Column::new("record_id".into(), self.record_id),
            Column::new("date".into(), self.date),
            Column::new("quarter".into(), self.quarter),
            Column::new("type".into(), self.kind),
            Column::new("programme".into(), self.programme),
            Column::new("structure_id".into(), self.structure),
            Column::new("cohort".into(), self.cohort),
            Column::new("session".into(), self.session),
            Column::new("minutes".into(), self.minutes),
            Column::new("person".into(), self.person),
            Column::new("res_x".into(), self.res_x),
            Column::new("res_y".into(), self.res_y),
            Column::new("res_iris".into(), self.res_iris),
            Column::new("materiel".into(), self.materiel),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(quarter_of(d("2025-07-01")), "2025-Q3");
        assert_eq!(quarter_of(d("2025-12-31")), "2025-Q4");
        assert_eq!(quarter_of(d("2026-01-01")), "2026-Q1");
        assert_eq!(quarter_of(d("2026-06-30")), "2026-Q2");
    }
}
