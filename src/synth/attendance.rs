//! Programme attendance (fracture's own schema, `data/FORMATS.md` §6), a few thousand rows.
//!
//! Inputs: the [`Territory`], the places and the attendance RNG stream. Output: the CSV text, rows sorted
//! by date then place, ids `SYN-000001`… in that order.
//!
//! Invariants: dates fall in the four quarters 2025-Q4 … 2026-Q3; Emmaüs Connect courses
//! (`parcours_initiation`, six 2-hour sessions over two weeks) run only in places inside a QPV; a
//! residence is given by coordinates (WGS84, 4 decimals), by IRIS code, or not at all; every
//! `structure_id` is a place of the places file.

use std::fmt::Write as _;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::SynthError;
use super::places::Place;
use super::shapes::sample_in;
use super::territory::Territory;
use crate::crs::{Crs, Reprojector};

const HEADER: &str = "id,date,type,programme,structure_id,cohorte,seance,duree,participant,tranche_age,\
residence_iris,residence_lat,residence_lon,materiel,thematiques\n";
const AGES: [&str; 6] = ["-18", "18-24", "25-39", "40-59", "60-69", "70+"];
const THEMES: [&str; 5] = [
    "demarche_en_ligne",
    "sante",
    "gestion_messagerie|navigation_internet",
    "papiers_elections_citoyennete",
    "prendre_en_main_du_materiel",
];
/// Session day offsets of a course: two weeks, three sessions a week.
const SESSIONS: [i64; 6] = [0, 2, 4, 7, 9, 11];

struct Row {
    date: NaiveDate,
    kind: &'static str,
    programme: &'static str,
    place: usize,
    cohort: String,
    seance: Option<usize>,
    minutes: u32,
    participant: usize,
    residence: String,
    materiel: &'static str,
    themes: &'static str,
}

/// A residence: `residence_iris,residence_lat,residence_lon`, for someone met at `place`.
fn residence(
    t: &Territory,
    place: &Place,
    rng: &mut ChaCha8Rng,
    proj: &Reprojector,
) -> Result<String, SynthError> {
    let city = &t.cities[place.city];
    let u: f64 = rng.random();
    if u >= 0.9 {
        return Ok(",,".into());
    }
    let iris = city.first_iris + rng.random_range(0..city.cells);
    if u >= 0.7 {
        return Ok(format!("{},,", t.iris[iris].code));
    }
    let point = match place.qpv {
        Some(k) if rng.random_bool(0.7) => t.qpv[k].parts[0].sample(rng),
        _ => sample_in(&t.iris[iris].polygon, &t.iris[iris].bbox, rng, |_, _| true),
    };
    let (x, y) = point.ok_or_else(|| SynthError::Invariant("no residence point found".into()))?;
    let (lon, lat) = proj.convert(Crs::Lambert93, Crs::Wgs84, x, y)?;
    Ok(format!(",{lat:.4},{lon:.4}"))
}

/// A working day of the year from 2025-10-01, at most `before_end` days before its end.
fn day(rng: &mut ChaCha8Rng, before_end: i64) -> NaiveDate {
    let start = NaiveDate::from_ymd_opt(2025, 10, 1).unwrap_or_default();
    let mut d = start + Duration::days(rng.random_range(0..365 - before_end));
    while matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
        d -= Duration::days(1);
    }
    d.max(start)
}

/// The attendance file, about `target` rows.
pub fn attendance_csv(
    t: &Territory,
    places: &[Place],
    target: usize,
    rng: &mut ChaCha8Rng,
    proj: &Reprojector,
) -> Result<(String, usize), SynthError> {
    let mut rows: Vec<Row> = Vec::with_capacity(target + 64);
    let mut residences: Vec<String> = Vec::new();
    let mut cohorts = 0;
    while rows.len() < target && !places.is_empty() {
        let p = rng.random_range(0..places.len());
        let place = &places[p];
        if place.courses && rng.random_bool(0.5) {
            cohorts += 1;
            let cohort = format!("SYN-C-{cohorts:05}");
            let start = day(rng, 14);
            for _ in 0..rng.random_range(5..=8) {
                let who = residences.len();
                residences.push(residence(t, place, rng, proj)?);
                for (s, offset) in SESSIONS.iter().enumerate() {
                    if rng.random_bool(0.88) {
                        rows.push(Row {
                            date: start + Duration::days(*offset),
                            kind: "parcours_initiation",
                            programme: "emmaus_connect",
                            place: p,
                            cohort: cohort.clone(),
                            seance: Some(s + 1),
                            minutes: 120,
                            participant: who,
                            residence: String::new(),
                            materiel: "",
                            themes: "prendre_en_main_du_materiel|navigation_internet",
                        });
                    }
                }
                if rng.random_bool(0.3) {
                    let materiel = ["ordinateur", "tablette", "smartphone"][rng.random_range(0..3)];
                    rows.push(Row {
                        date: start + Duration::days(SESSIONS[5]),
                        kind: "don_materiel",
                        programme: "emmaus_connect",
                        place: p,
                        cohort: String::new(),
                        seance: None,
                        minutes: 0,
                        participant: who,
                        residence: String::new(),
                        materiel,
                        themes: "",
                    });
                }
            }
        } else {
            let who = residences.len();
            residences.push(residence(t, place, rng, proj)?);
            for _ in 0..rng.random_range(1..=3) {
                let (kind, programme, minutes) = match rng.random_range(0..3) {
                    0 => ("individuel", "conseillers_numeriques", 45),
                    1 => ("demarche_administrative", "france_services", 30),
                    _ => ("collectif", "conseillers_numeriques", 90),
                };
                rows.push(Row {
                    date: day(rng, 0),
                    kind,
                    programme,
                    place: p,
                    cohort: String::new(),
                    seance: None,
                    minutes,
                    participant: who,
                    residence: String::new(),
                    materiel: "",
                    themes: THEMES[rng.random_range(0..THEMES.len())],
                });
            }
        }
    }
    let ages: Vec<&str> = (0..residences.len())
        .map(|_| if rng.random_bool(0.05) { "" } else { AGES[rng.random_range(0..6)] })
        .collect();
    for r in &mut rows {
        r.residence.clone_from(&residences[r.participant]);
    }
    rows.sort_by(|a, b| {
        (a.date, a.place, &a.cohort, a.seance, a.participant, a.kind).cmp(&(
            b.date,
            b.place,
            &b.cohort,
            b.seance,
            b.participant,
            b.kind,
        ))
    });
    let mut out = String::from(HEADER);
    for (n, r) in rows.iter().enumerate() {
        let seance = r.seance.map(|s| s.to_string()).unwrap_or_default();
        let _ = writeln!(
            out,
            "SYN-{:06},{},{},{},{},{},{seance},{},SYN-P-{:06},{},{},{},{}",
            n + 1,
            r.date.format("%Y-%m-%d"),
            r.kind,
            r.programme,
            places[r.place].id,
            r.cohort,
            r.minutes,
            r.participant + 1,
            ages[r.participant],
            r.residence,
            r.materiel,
            r.themes
        );
    }
    Ok((out, rows.len()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use super::*;
    use crate::synth::scale::Scale;
    use crate::synth::{rng, stream};

    #[test]
    fn rows_have_the_schema_and_valid_values() {
        let t = Territory::build(&Scale::Tiny.params(), &mut rng(stream::TERRITORY)).unwrap();
        let places = super::super::places::build(&t, &mut rng(stream::PLACES)).unwrap();
        let proj = Reprojector::new();
        let (text, n) = attendance_csv(&t, &places, 300, &mut rng(stream::ATTENDANCE), &proj).unwrap();
        assert!(n >= 300);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), n + 1);
        assert!(lines.iter().all(|l| l.split(',').count() == 15), "{}", lines[1]);
        let dates: Vec<&str> = lines[1..].iter().map(|l| l.split(',').nth(1).unwrap()).collect();
        assert!(dates.windows(2).all(|w| w[0] <= w[1]));
        assert!(dates.iter().all(|d| ("2025-10-01"..="2026-09-30").contains(d)), "{dates:?}");
    }
}
