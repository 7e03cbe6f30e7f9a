//! Programme attendance of Démoville (fracture's own schema, FORMATS.md §6): eight quarters of Emmaüs
//! Connect courses, conseillers numériques' help and France Services démarches.
//!
//! Inputs: the [`City`], the buildings (homes), the places, the scenario's reach targets and a seeded RNG.
//! Outputs: participants and activity rows, and the CSV text.
//!
//! Model, quarter by quarter (2024 T4 … 2026 T3, programmes ramping up):
//! - each QPV (and the rest of the city) has a number of distinct participants, its latest-quarter target
//!   times a ramp; about 20 % of them are participants of earlier quarters coming back;
//! - a participant lives in a building of their zone (chosen by number of premises); 4 in 5 give a
//!   rounded point near home (4 decimals), 1 in 5 only their IRIS (a few give both);
//! - new Emmaüs Connect participants are grouped, at the nearest course place, into cohorts of 8–12
//!   (topped up with participants from outside the QPV when a pool cannot be split so); a cohort has 6
//!   sessions of 120 minutes over two weeks; people miss sessions, come late or drop out, each cohort
//!   having its own completion chance (55–85 %) of reaching (≥ 10 of the 12 hours); some completers receive a device (`don_materiel`);
//! - conseillers numériques give 1–3 `individuel`, `demarche_administrative` or `collectif` activities
//!   (30–120 minutes) at the nearest place with a conseiller; France Services handles démarches.
//!
//! Invariants (unit tests): in the latest quarter every QPV of the story has exactly its target of
//! participants, at least 11 of them located by coordinates, except the two small QPV whose count stays
//! below 11 whatever the assignment of IRIS-only rows; every residence point falls in its zone; rows are
//! sorted by date and their ids and participant references are assigned in that order.

use std::fmt::Write;

use chrono::{Datelike, NaiveDate, TimeDelta, Weekday};
use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::crs::{Crs, Reprojector};

use super::DemoError;
use super::city::{City, IrisType};
use super::network::Building;
use super::places::Place;
use super::story::{OUTSIDE_EMMAUS_SHARE, OUTSIDE_PARTICIPANTS_LATEST};
use super::write::csv_field;

/// Share of each zone's latest-quarter target active in each of the 8 quarters.
pub const RAMP: [f64; 8] = [0.40, 0.50, 0.55, 0.65, 0.75, 0.85, 0.92, 1.0];
/// Share of a quarter's participants who already came in an earlier quarter.
const RETURNING: f64 = 0.2;
/// Session days of a course, from its first Monday: Mon, Wed, Fri of two weeks.
const COURSE_DAYS: [i64; 6] = [0, 2, 4, 7, 9, 11];
/// Themes of the six course sessions.
const COURSE_THEMES: [&str; 6] = [
    "prendre_en_main_du_materiel",
    "prendre_en_main_du_materiel|navigation_sur_internet",
    "navigation_sur_internet|email",
    "email|securite_numerique",
    "demarche_en_ligne|navigation_sur_internet",
    "demarche_en_ligne|securite_numerique",
];
const INDIVIDUAL_THEMES: [&str; 6] = [
    "prendre_en_main_du_materiel",
    "prendre_en_main_du_materiel|navigation_sur_internet",
    "email|gestion_des_fichiers",
    "securite_numerique",
    "sante|navigation_sur_internet",
    "insertion_professionnelle|email",
];
const PROCEDURE_THEMES: [&str; 5] = [
    "demarche_en_ligne|social_sante",
    "demarche_en_ligne|argent_impots",
    "demarche_en_ligne|travail_formation",
    "demarche_en_ligne|logement",
    "demarche_en_ligne|papiers_elections_citoyennete",
];
const WORKSHOP_THEMES: [&str; 3] = [
    "securite_numerique|navigation_sur_internet",
    "sante|demarche_en_ligne",
    "parentalite|scolarite_et_numerique",
];
const DURATIONS: [u32; 5] = [30, 45, 60, 75, 90];
const AGE_BANDS: [&str; 7] = ["-18", "18-24", "25-39", "40-59", "60-69", "70+", ""];
const AGE_DEFAULT: [f64; 7] = [0.03, 0.10, 0.21, 0.28, 0.19, 0.16, 0.03];
const AGE_ELDERLY: [f64; 7] = [0.01, 0.05, 0.12, 0.21, 0.28, 0.30, 0.03];

/// A programme partner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Programme {
    Emmaus,
    Conseillers,
    FranceServices,
}

impl Programme {
    /// The `programme` code.
    pub fn code(self) -> &'static str {
        match self {
            Programme::Emmaus => "emmaus_connect",
            Programme::Conseillers => "conseillers_numeriques",
            Programme::FranceServices => "france_services",
        }
    }
    fn prefix(self) -> &'static str {
        match self {
            Programme::Emmaus => "EC",
            Programme::Conseillers => "CN",
            Programme::FranceServices => "FS",
        }
    }
}

/// One calendar quarter.
#[derive(Debug, Clone)]
pub struct Quarter {
    pub start: NaiveDate,
    /// Last day (inclusive).
    pub end: NaiveDate,
    /// `2025T1`, ...
    pub label: String,
}

/// The 8 quarters from 2024-10-01 to 2026-09-30.
pub fn quarters() -> Result<Vec<Quarter>, DemoError> {
    let mut out = Vec::new();
    let (mut year, mut month) = (2024, 10);
    for _ in 0..8 {
        let start = ymd(year, month, 1)?;
        let (ny, nm) = if month == 10 { (year + 1, 1) } else { (year, month + 3) };
        let end = ymd(ny, nm, 1)? - TimeDelta::days(1);
        out.push(Quarter { start, end, label: format!("{year}T{}", (month - 1) / 3 + 1) });
        (year, month) = (ny, nm);
    }
    Ok(out)
}

fn ymd(y: i32, m: u32, d: u32) -> Result<NaiveDate, DemoError> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| DemoError::Invariant(format!("bad date {y}-{m}-{d}")))
}

/// Where a participant says they live.
#[derive(Debug, Clone)]
pub struct Residence {
    /// (lat, lon) rounded to 4 decimals.
    pub coords: Option<(f64, f64)>,
    pub iris: Option<String>,
}

/// One participant.
#[derive(Debug, Clone)]
pub struct Participant {
    pub programme: Programme,
    /// Home building index.
    #[allow(dead_code, reason = "read by the unit tests")]
    pub home: usize,
    /// QPV index of the home, `None` outside every QPV.
    pub zone: Option<usize>,
    pub age: &'static str,
    pub residence: Residence,
    /// Index of the place they go to.
    pub place: usize,
    /// Partner's reference (`EC-2025-00123`), set once rows are sorted.
    pub reference: String,
}

/// One activity row.
#[derive(Debug, Clone)]
pub struct Activity {
    pub date: NaiveDate,
    pub kind: &'static str,
    pub programme: Programme,
    pub place: usize,
    pub cohort: String,
    pub seance: Option<usize>,
    pub minutes: u32,
    pub participant: usize,
    pub materiel: &'static str,
    pub themes: &'static str,
}

/// Participants and their activities (sorted).
#[derive(Debug)]
pub struct Attendance {
    pub quarters: Vec<Quarter>,
    pub participants: Vec<Participant>,
    pub activities: Vec<Activity>,
}

impl Attendance {
    /// Distinct participants living in `zone` (a QPV index, or `None` for outside) with at least one
    /// activity in quarter `qi`.
    pub fn participants_in_quarter(&self, qi: usize, zone: Option<usize>) -> usize {
        let Some(q) = self.quarters.get(qi) else { return 0 };
        let mut ids: Vec<usize> = self
            .activities
            .iter()
            .filter(|a| q.start <= a.date && a.date <= q.end && self.participants[a.participant].zone == zone)
            .map(|a| a.participant)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    }
}

struct Ctx<'a> {
    city: &'a City,
    buildings: &'a [Building],
    places: &'a [Place],
    proj: &'a Reprojector,
    /// Per zone (QPV index, then "outside" last): candidate home buildings and cumulative premises.
    homes: Vec<(Vec<usize>, Vec<u64>)>,
    /// Per zone: participants created so far.
    created: Vec<usize>,
}

impl Ctx<'_> {
    fn outside(&self) -> usize {
        self.city.qpv.len()
    }

    fn zone_of(&self, z: usize) -> Option<usize> {
        (z < self.outside()).then_some(z)
    }

    fn pick_home(&self, z: usize, rng: &mut ChaCha8Rng) -> Result<usize, DemoError> {
        let (idx, cum) = &self.homes[z];
        let total = cum.last().copied().unwrap_or(0);
        if total == 0 {
            return Err(DemoError::Invariant(format!("no home in zone {z}")));
        }
        let r = rng.random_range(0..total);
        Ok(idx[cum.partition_point(|&c| c <= r)])
    }

    /// Nearest place (by straight distance) among those `ok` accepts, or the second nearest.
    fn nearest_place(
        &self,
        home: usize,
        ok: impl Fn(&Place) -> bool,
        second: bool,
    ) -> Result<usize, DemoError> {
        let b = &self.buildings[home];
        let mut cands: Vec<(f64, usize)> = self
            .places
            .iter()
            .enumerate()
            .filter(|(_, p)| ok(p))
            .map(|(i, p)| ((p.x - b.x).hypot(p.y - b.y), i))
            .collect();
        cands.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let pick = if second && cands.len() > 1 { cands.get(1) } else { cands.first() };
        pick.map(|c| c.1).ok_or_else(|| DemoError::Invariant("no place for a participant".into()))
    }

    /// A new participant of zone `z` following `programme`.
    fn participant(
        &mut self,
        z: usize,
        programme: Programme,
        rng: &mut ChaCha8Rng,
    ) -> Result<Participant, DemoError> {
        let home = self.pick_home(z, rng)?;
        let zone = self.zone_of(z);
        let elderly = zone.is_some_and(|k| self.city.qpv[k].story.elderly > 0.25);
        let weights = if elderly { AGE_ELDERLY } else { AGE_DEFAULT };
        let age = AGE_BANDS[pick_weighted(&weights, rng)];
        let n = self.created[z];
        self.created[z] += 1;
        let b = &self.buildings[home];
        let iris_code = self.city.iris[b.iris].code.clone();
        let residence = if n % 5 == 4 {
            Residence { coords: None, iris: Some(iris_code) }
        } else {
            let coords = self.point_near_home(home, zone, rng)?;
            Residence { coords: Some(coords), iris: (n % 20 == 7).then_some(iris_code) }
        };
        let second = rng.random_bool(0.1);
        let place = match programme {
            Programme::Emmaus => self.nearest_place(home, |p| p.hosts.emmaus_courses, false)?,
            Programme::Conseillers => self.nearest_place(home, |p| p.hosts.conseillers, second)?,
            Programme::FranceServices => self.nearest_place(home, |p| p.hosts.france_services, false)?,
        };
        Ok(Participant { programme, home, zone, age, residence, place, reference: String::new() })
    }

    /// A point within ~15 m of home, rounded to 4 decimals, still in the home's zone.
    fn point_near_home(
        &self,
        home: usize,
        zone: Option<usize>,
        rng: &mut ChaCha8Rng,
    ) -> Result<(f64, f64), DemoError> {
        let b = &self.buildings[home];
        for attempt in 0..8 {
            let j = if attempt < 7 { 15.0 } else { 0.0 };
            let (dx, dy) = (rng.random_range(-j..=j), rng.random_range(-j..=j));
            let (lon, lat) = self.proj.convert(Crs::Lambert93, Crs::Wgs84, b.x + dx, b.y + dy)?;
            let (lat, lon) = (round4(lat), round4(lon));
            let (x, y) = self.proj.to_lambert93(Crs::Wgs84, lon, lat)?;
            if self.city.qpv_at(x, y) == zone && self.city.iris_at(x, y).is_some() {
                return Ok((lat, lon));
            }
        }
        Err(DemoError::Invariant(format!("no residence point near building {}", b.id)))
    }
}

fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

fn pick_weighted(weights: &[f64], rng: &mut ChaCha8Rng) -> usize {
    let total: f64 = weights.iter().sum();
    let mut r = rng.random_range(0.0..total);
    for (i, w) in weights.iter().enumerate() {
        if r < *w {
            return i;
        }
        r -= w;
    }
    weights.len() - 1
}

/// A random day of the quarter other than a Sunday.
fn working_day(q: &Quarter, rng: &mut ChaCha8Rng) -> NaiveDate {
    let days = (q.end - q.start).num_days();
    loop {
        let d = q.start + TimeDelta::days(rng.random_range(0..=days));
        if d.weekday() != Weekday::Sun {
            return d;
        }
    }
}

/// Thursdays of weeks 1, 3, 5, ... of the quarter: the conseillers' workshop days.
fn workshop_days(q: &Quarter) -> Vec<NaiveDate> {
    let mut d = q.start;
    while d.weekday() != Weekday::Thu {
        d += TimeDelta::days(1);
    }
    let mut out = Vec::new();
    while d <= q.end {
        out.push(d);
        d += TimeDelta::days(14);
    }
    out
}

/// A pool of this size splits into cohorts of 8 to 12.
fn splittable(n: usize) -> bool {
    n == 0 || (8..=12).contains(&n) || n >= 16
}

/// Sizes of the cohorts for a splittable pool: as even as possible, at most 12 each.
fn cohort_sizes(n: usize) -> Vec<usize> {
    if n == 0 {
        return vec![];
    }
    let k = n.div_ceil(12);
    (0..k).map(|i| n / k + usize::from(i < n % k)).collect()
}

/// Generates the eight quarters of attendance.
pub fn build(
    city: &City,
    buildings: &[Building],
    places: &[Place],
    proj: &Reprojector,
    rng: &mut ChaCha8Rng,
) -> Result<Attendance, DemoError> {
    let n_zones = city.qpv.len() + 1;
    let mut homes: Vec<(Vec<usize>, Vec<u64>)> = vec![(vec![], vec![]); n_zones];
    for (i, b) in buildings.iter().enumerate() {
        let z = match b.qpv {
            Some(k) => k,
            None if city.iris[b.iris].typ == IrisType::Habitat && b.logloc > 0 => city.qpv.len(),
            None => continue,
        };
        let (idx, cum) = &mut homes[z];
        let prev = cum.last().copied().unwrap_or(0);
        idx.push(i);
        cum.push(prev + u64::from(b.logloc));
    }
    let mut ctx = Ctx { city, buildings, places, proj, homes, created: vec![0; n_zones] };
    let quarters = quarters()?;
    let mut participants: Vec<Participant> = Vec::new();
    let mut activities: Vec<Activity> = Vec::new();
    let mut seen: Vec<Vec<usize>> = vec![vec![]; n_zones];

    for (qi, q) in quarters.iter().enumerate() {
        let mut returning: Vec<usize> = Vec::new();
        let mut fresh: Vec<usize> = Vec::new();
        for (z, seen_z) in seen.iter_mut().enumerate() {
            let (latest, ec_share) = match ctx.zone_of(z) {
                Some(k) => (city.qpv[k].story.participants_latest, city.qpv[k].story.emmaus_share),
                None => (OUTSIDE_PARTICIPANTS_LATEST, OUTSIDE_EMMAUS_SHARE),
            };
            let target = (latest as f64 * RAMP[qi]).round() as usize;
            let mut back = seen_z.clone();
            back.shuffle(rng);
            back.truncate((RETURNING * target as f64).floor() as usize);
            back.sort_unstable();
            returning.extend(&back);
            for _ in back.len()..target {
                let programme = if rng.random_bool(ec_share) {
                    Programme::Emmaus
                } else if rng.random_bool(0.15) {
                    Programme::FranceServices
                } else {
                    Programme::Conseillers
                };
                let p = ctx.participant(z, programme, rng)?;
                participants.push(p);
                let id = participants.len() - 1;
                seen_z.push(id);
                fresh.push(id);
            }
        }

        // Emmaüs Connect courses: pools per course place, topped up from outside, split into cohorts.
        let course_places: Vec<usize> =
            places.iter().enumerate().filter(|(_, p)| p.hosts.emmaus_courses).map(|(i, _)| i).collect();
        for &pl in &course_places {
            let mut pool: Vec<usize> = fresh
                .iter()
                .copied()
                .filter(|&p| participants[p].programme == Programme::Emmaus && participants[p].place == pl)
                .collect();
            while !splittable(pool.len()) {
                let mut p = ctx.participant(ctx.outside(), Programme::Emmaus, rng)?;
                p.place = pl;
                participants.push(p);
                let id = participants.len() - 1;
                seen[ctx.outside()].push(id);
                pool.push(id);
            }
            pool.shuffle(rng);
            let sizes = cohort_sizes(pool.len());
            let mut first_monday = q.start;
            while first_monday.weekday() != Weekday::Mon {
                first_monday += TimeDelta::days(1);
            }
            let slots = ((q.end - first_monday).num_days() - COURSE_DAYS[5]) / 7 + 1;
            let mut rest = pool.as_slice();
            for (c, &size) in sizes.iter().enumerate() {
                let (members, tail) = rest.split_at(size);
                rest = tail;
                let week = ((c as f64 + 0.5) * slots as f64 / sizes.len() as f64).floor() as i64;
                let start = first_monday + TimeDelta::days(7 * week.min(slots - 1));
                let cohort = format!("EC-L{:02}-{}-{:02}", pl + 1, q.label, c + 1);
                course(&cohort, pl, start, members, rng, &mut activities);
            }
        }

        // Everybody else: conseillers, France Services, and returning Emmaüs Connect participants.
        let workshops: Vec<Vec<NaiveDate>> = places.iter().map(|_| workshop_days(q)).collect();
        let mut others: Vec<usize> = returning;
        others.extend(fresh.iter().copied().filter(|&p| participants[p].programme != Programme::Emmaus));
        others.sort_unstable();
        for p in others {
            let part = &participants[p];
            let (programme, place) = (part.programme, part.place);
            let act = |date, kind, minutes, materiel, themes| Activity {
                date,
                kind,
                programme,
                place,
                cohort: String::new(),
                seance: None,
                minutes,
                participant: p,
                materiel,
                themes,
            };
            match programme {
                Programme::Emmaus => {
                    let date = working_day(q, rng);
                    if rng.random_bool(0.6) {
                        let minutes = DURATIONS[rng.random_range(1..DURATIONS.len())];
                        let themes = INDIVIDUAL_THEMES[rng.random_range(0..INDIVIDUAL_THEMES.len())];
                        activities.push(act(date, "individuel", minutes, "", themes));
                    } else {
                        let materiel =
                            ["smartphone", "tablette", "ordinateur"][pick_weighted(&[0.4, 0.35, 0.25], rng)];
                        activities.push(act(
                            date,
                            "don_materiel",
                            0,
                            materiel,
                            "prendre_en_main_du_materiel",
                        ));
                    }
                }
                Programme::Conseillers => {
                    let n = 1 + pick_weighted(&[0.55, 0.30, 0.15], rng);
                    for _ in 0..n {
                        match pick_weighted(&[0.5, 0.35, 0.15], rng) {
                            0 => {
                                let minutes = DURATIONS[rng.random_range(0..DURATIONS.len())];
                                let themes = INDIVIDUAL_THEMES[rng.random_range(0..INDIVIDUAL_THEMES.len())];
                                activities.push(act(working_day(q, rng), "individuel", minutes, "", themes));
                            }
                            1 => {
                                let minutes = DURATIONS[rng.random_range(0..DURATIONS.len())];
                                let themes = PROCEDURE_THEMES[rng.random_range(0..PROCEDURE_THEMES.len())];
                                let date = working_day(q, rng);
                                activities.push(act(date, "demarche_administrative", minutes, "", themes));
                            }
                            _ => {
                                let days = &workshops[place];
                                let date = days[rng.random_range(0..days.len())];
                                // One theme per workshop day, so that a workshop's rows agree.
                                let themes =
                                    WORKSHOP_THEMES[(date.ordinal() as usize / 14) % WORKSHOP_THEMES.len()];
                                let minutes = [120, 90][(date.ordinal() % 2) as usize];
                                activities.push(act(date, "collectif", minutes, "", themes));
                            }
                        }
                    }
                }
                Programme::FranceServices => {
                    let n = 1 + pick_weighted(&[0.7, 0.3], rng);
                    for _ in 0..n {
                        let minutes = [20, 30, 40, 45, 60][rng.random_range(0..5)];
                        let themes = PROCEDURE_THEMES[rng.random_range(0..PROCEDURE_THEMES.len())];
                        activities.push(act(
                            working_day(q, rng),
                            "demarche_administrative",
                            minutes,
                            "",
                            themes,
                        ));
                    }
                }
            }
        }
    }

    activities.sort_by(|a, b| {
        (a.date, a.place, a.programme, &a.cohort, a.seance, a.kind, a.participant, a.minutes).cmp(&(
            b.date,
            b.place,
            b.programme,
            &b.cohort,
            b.seance,
            b.kind,
            b.participant,
            b.minutes,
        ))
    });
    // Partner references, numbered per partner in order of first appearance.
    let mut serial = [0usize; 3];
    for a in &activities {
        let p = &mut participants[a.participant];
        if p.reference.is_empty() {
            let s = &mut serial[p.programme as usize];
            *s += 1;
            p.reference = format!("{}-{}-{:05}", p.programme.prefix(), a.date.year(), *s);
        }
    }
    Ok(Attendance { quarters, participants, activities })
}

/// The rows of one 12-hour course cohort.
fn course(
    cohort: &str,
    place: usize,
    start: NaiveDate,
    members: &[usize],
    rng: &mut ChaCha8Rng,
    out: &mut Vec<Activity>,
) {
    let completion = rng.random_range(0.55..0.85);
    for &p in members {
        // Minutes attended at each of the 6 sessions (0 = absent).
        let mut minutes = [120u32; 6];
        let completes = rng.random_bool(completion);
        let r: f64 = rng.random();
        if completes {
            if r < 0.55 {
                // all six sessions
            } else if r < 0.8 {
                minutes[rng.random_range(0..6)] = 90; // came late once: 11.5 h
            } else {
                minutes[rng.random_range(1..6)] = 0; // missed one: exactly 10 h
            }
        } else if r < 0.5 {
            let last = rng.random_range(1..=4); // dropped out after `last` sessions
            for m in &mut minutes[last..] {
                *m = 0;
            }
        } else if r < 0.8 {
            let a = rng.random_range(1..6);
            let b = 1 + (a + rng.random_range(0..4)) % 5; // a different session in 1..6
            minutes[a] = 0;
            minutes[b] = 0; // missed two: 8 h
        } else {
            let a = rng.random_range(1..6);
            let b = 1 + (a + rng.random_range(0..4)) % 5;
            minutes[a] = 0;
            minutes[b] = 60; // missed one, left early once: 9 h
        }
        let mut last_day = start;
        for (s, &m) in minutes.iter().enumerate().filter(|(_, m)| **m > 0) {
            let date = start + TimeDelta::days(COURSE_DAYS[s]);
            last_day = date;
            out.push(Activity {
                date,
                kind: "parcours_initiation",
                programme: Programme::Emmaus,
                place,
                cohort: cohort.to_string(),
                seance: Some(s + 1),
                minutes: m,
                participant: p,
                materiel: "",
                themes: COURSE_THEMES[s],
            });
        }
        let total: u32 = minutes.iter().sum();
        if total >= 600 && rng.random_bool(0.45) {
            let materiel = ["smartphone", "tablette", "ordinateur"][pick_weighted(&[0.4, 0.35, 0.25], rng)];
            out.push(Activity {
                date: last_day,
                kind: "don_materiel",
                programme: Programme::Emmaus,
                place,
                cohort: String::new(),
                seance: None,
                minutes: 0,
                participant: p,
                materiel,
                themes: "prendre_en_main_du_materiel",
            });
        }
    }
}

/// The attendance CSV (FORMATS.md §6 columns, in that order).
pub fn attendance_csv(att: &Attendance, places: &[Place]) -> String {
    let mut out = String::from(
        "id,date,type,programme,structure_id,cohorte,seance,duree,participant,tranche_age,residence_iris,\
         residence_lat,residence_lon,materiel,thematiques\n",
    );
    for (i, a) in att.activities.iter().enumerate() {
        let p = &att.participants[a.participant];
        let (lat, lon) = match p.residence.coords {
            Some((lat, lon)) => (format!("{lat:.4}"), format!("{lon:.4}")),
            None => (String::new(), String::new()),
        };
        let fields = [
            format!("DEMO-{:06}", i + 1),
            a.date.format("%Y-%m-%d").to_string(),
            a.kind.to_string(),
            a.programme.code().to_string(),
            places[a.place].id.clone(),
            a.cohort.clone(),
            a.seance.map(|s| s.to_string()).unwrap_or_default(),
            a.minutes.to_string(),
            p.reference.clone(),
            p.age.to_string(),
            p.residence.iris.clone().unwrap_or_default(),
            lat,
            lon,
            a.materiel.to_string(),
            a.themes.to_string(),
        ];
        let row: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        // Writing to a String cannot fail.
        let _ = writeln!(out, "{}", row.join(","));
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;
    use crate::demo::{network, places, rng, stream};

    struct World {
        city: City,
        net: network::Network,
        places: Vec<Place>,
        att: Attendance,
        proj: Reprojector,
    }

    fn world() -> World {
        let city = City::build(&mut rng(stream::CITY));
        let net = network::build(&city, &city.coverage(), &mut rng(stream::NETWORK)).unwrap();
        let places = places::build(&city);
        let proj = Reprojector::new();
        let att = build(&city, &net.buildings, &places, &proj, &mut rng(stream::ATTENDANCE)).unwrap();
        World { city, net, places, att, proj }
    }

    fn quarter_of(att: &Attendance, d: NaiveDate) -> usize {
        att.quarters.iter().position(|q| q.start <= d && d <= q.end).unwrap()
    }

    #[test]
    fn cohort_sizes_split_every_splittable_pool() {
        for n in 0..200 {
            if splittable(n) {
                let s = cohort_sizes(n);
                assert_eq!(s.iter().sum::<usize>(), n);
                assert!(s.iter().all(|&k| (8..=12).contains(&k)), "{n}: {s:?}");
            }
        }
    }

    #[test]
    fn quarters_cover_the_two_years() {
        let q = quarters().unwrap();
        assert_eq!(q.len(), 8);
        assert_eq!(q[0].start.to_string(), "2024-10-01");
        assert_eq!(q[7].end.to_string(), "2026-09-30");
        assert_eq!(q[7].label, "2026T3");
        assert!(q.windows(2).all(|w| w[0].end + TimeDelta::days(1) == w[1].start));
    }

    #[test]
    fn latest_quarter_reach_and_secrecy() {
        let w = world();
        let latest = w.att.quarters.len() - 1;
        let cov = w.city.coverage();
        let mut active: BTreeSet<usize> = BTreeSet::new();
        for a in &w.att.activities {
            if quarter_of(&w.att, a.date) == latest {
                active.insert(a.participant);
            }
        }
        for (k, q) in w.city.qpv.iter().enumerate() {
            let members: Vec<&Participant> =
                active.iter().map(|&p| &w.att.participants[p]).filter(|p| p.zone == Some(k)).collect();
            let located = members.iter().filter(|p| p.residence.coords.is_some()).count();
            // Upper bound: every IRIS-only participant whose IRIS meets the QPV.
            let iris_only_near = active
                .iter()
                .map(|&p| &w.att.participants[p])
                .filter(|p| p.residence.coords.is_none())
                .filter(|p| {
                    let code = p.residence.iris.as_deref().unwrap_or("");
                    w.city.iris.iter().position(|i| i.code == code).is_some_and(|i| cov[i][k] > 0.0)
                })
                .count();
            assert_eq!(members.len(), q.story.participants_latest, "{}", q.story.code);
            if q.story.participants_latest >= 11 {
                assert!(located >= 11, "{}: only {located} located participants", q.story.code);
            } else {
                assert!(located + iris_only_near < 11, "{} escapes secrecy", q.story.code);
            }
        }
        assert!(active.iter().any(|&p| w.att.participants[p].zone.is_none()));
    }

    #[test]
    fn residences_fall_in_their_zone() {
        let w = world();
        let mut with_coords = 0;
        for p in &w.att.participants {
            if let Some((lat, lon)) = p.residence.coords {
                with_coords += 1;
                let (x, y) = w.proj.to_lambert93(Crs::Wgs84, lon, lat).unwrap();
                assert_eq!(w.city.qpv_at(x, y), p.zone);
            } else {
                let b = &w.net.buildings[p.home];
                assert_eq!(p.residence.iris.as_deref(), Some(w.city.iris[b.iris].code.as_str()));
            }
        }
        let share = with_coords as f64 / w.att.participants.len() as f64;
        assert!((0.75..=0.85).contains(&share), "{share}");
    }

    #[test]
    fn courses_are_well_formed_and_completion_varies() {
        let w = world();
        let mut cohorts: BTreeMap<&str, BTreeMap<usize, u32>> = BTreeMap::new();
        let mut dates: BTreeMap<&str, (NaiveDate, NaiveDate)> = BTreeMap::new();
        for a in w.att.activities.iter().filter(|a| a.kind == "parcours_initiation") {
            *cohorts.entry(&a.cohort).or_default().entry(a.participant).or_default() += a.minutes;
            let e = dates.entry(&a.cohort).or_insert((a.date, a.date));
            e.0 = e.0.min(a.date);
            e.1 = e.1.max(a.date);
            assert!(w.places[a.place].hosts.emmaus_courses);
        }
        assert!(cohorts.len() >= 20, "{} cohorts", cohorts.len());
        let (mut done, mut all) = (0, 0);
        let mut rates = Vec::new();
        for (c, members) in &cohorts {
            assert!((8..=12).contains(&members.len()), "{c} has {} members", members.len());
            let (d0, d1) = dates[c];
            assert!((d1 - d0).num_days() <= 11);
            assert_eq!(quarter_of(&w.att, d0), quarter_of(&w.att, d1));
            let k = members.values().filter(|&&m| m >= 600).count();
            rates.push(k as f64 / members.len() as f64);
            done += k;
            all += members.len();
        }
        let overall = done as f64 / all as f64;
        assert!((0.55..=0.85).contains(&overall), "completion {overall}");
        let (lo, hi) = rates.iter().fold((1.0f64, 0.0f64), |(l, h), &r| (l.min(r), h.max(r)));
        assert!(hi - lo > 0.25, "completion barely varies: {lo}..{hi}");
    }

    #[test]
    fn reach_is_uneven_and_people_come_back() {
        let w = world();
        let premises = |k: usize| -> f64 {
            w.net.buildings.iter().filter(|b| b.qpv == Some(k)).map(|b| f64::from(b.logloc)).sum()
        };
        let rate = |k: usize| w.city.qpv[k].story.participants_latest as f64 / premises(k);
        // Grand-Champ (index 2) far behind Les Tilleuls (0) and Bellevue (6).
        assert!(rate(2) < 0.5 * rate(0) && rate(2) < 0.5 * rate(6), "{} {} {}", rate(2), rate(0), rate(6));
        let mut quarters_of: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
        for a in &w.att.activities {
            quarters_of.entry(a.participant).or_default().insert(quarter_of(&w.att, a.date));
        }
        let back = quarters_of.values().filter(|q| q.len() > 1).count();
        assert!(back >= 50, "{back} returning participants");
        let refs: BTreeSet<&str> = w.att.participants.iter().map(|p| p.reference.as_str()).collect();
        assert_eq!(refs.len(), w.att.participants.len(), "references unique");
        assert!(w.att.participants.iter().all(|p| p.reference.len() == 13));
    }

    #[test]
    fn csv_rows_are_complete() {
        let w = world();
        let text = attendance_csv(&w.att, &w.places);
        let mut lines = text.lines();
        let header = lines.next().unwrap();
        assert_eq!(header.split(',').count(), 15);
        let mut kinds = BTreeSet::new();
        for l in lines {
            let f: Vec<&str> = l.split(',').collect();
            assert_eq!(f.len(), 15, "{l}");
            kinds.insert(f[2].to_string());
            assert!(!f[11].is_empty() || f[10].len() == 9, "{l}");
            if f[2] == "parcours_initiation" {
                assert!(!f[5].is_empty() && !f[6].is_empty());
            } else {
                assert!(f[5].is_empty() && f[6].is_empty());
            }
            if f[2] == "don_materiel" {
                assert_eq!(f[7], "0");
                assert!(!f[13].is_empty());
            }
        }
        assert_eq!(kinds.len(), 5, "{kinds:?}");
    }
}
