//! Emmaüs Connect courses: new participants grouped at their course place into cohorts of 8–12; six
//! sessions of 120 minutes over two weeks; absences, late arrivals and drop-outs with a completion chance
//! per cohort; a device for some of those who complete.

use chrono::{Datelike, NaiveDate, TimeDelta, Weekday};
use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::calendar::Quarter;
use super::generate::Activity;
use super::participants::{Ctx, Participant, Programme, pick_weighted};
use crate::demo::DemoError;

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

/// A pool of this size splits into cohorts of 8 to 12.
pub(super) fn splittable(n: usize) -> bool {
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

/// The courses of quarter `q`: at each course place, the new Emmaüs Connect participants who chose it
/// (`fresh`), topped up with new participants from outside the QPV (also recorded in `seen_outside`) until
/// the pool splits into cohorts of 8 to 12, the cohorts starting on Mondays spread over the quarter.
pub(super) fn courses_of_quarter(
    ctx: &mut Ctx<'_>,
    q: &Quarter,
    fresh: &[usize],
    participants: &mut Vec<Participant>,
    seen_outside: &mut Vec<usize>,
    rng: &mut ChaCha8Rng,
    activities: &mut Vec<Activity>,
) -> Result<(), DemoError> {
    let course_places: Vec<usize> =
        ctx.places.iter().enumerate().filter(|(_, p)| p.hosts.emmaus_courses).map(|(i, _)| i).collect();
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
            seen_outside.push(id);
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
            course(&cohort, pl, start, members, rng, activities);
        }
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
