//! The quarter-by-quarter model: each zone's participants (new ones, and about a fifth coming back), their
//! courses and other help, then the rows sorted and the partners' references numbered in that order.

use chrono::{Datelike, NaiveDate};
use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::calendar::{Quarter, quarters};
use super::participants::{Ctx, Participant, Programme};
use super::{courses, help};
use crate::crs::Reprojector;
use crate::demo::DemoError;
use crate::demo::city::City;
use crate::demo::network::Building;
use crate::demo::places::Place;
use crate::demo::story::{OUTSIDE_EMMAUS_SHARE, OUTSIDE_PARTICIPANTS_LATEST};

/// Share of each zone's latest-quarter target active in each of the 8 quarters.
pub const RAMP: [f64; 8] = [0.40, 0.50, 0.55, 0.65, 0.75, 0.85, 0.92, 1.0];
/// Share of a quarter's participants who already came in an earlier quarter.
const RETURNING: f64 = 0.2;

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

/// Generates the eight quarters of attendance.
pub fn build(
    city: &City,
    buildings: &[Building],
    places: &[Place],
    proj: &Reprojector,
    rng: &mut ChaCha8Rng,
) -> Result<Attendance, DemoError> {
    let n_zones = city.qpv.len() + 1;
    let mut ctx = Ctx::new(city, buildings, places, proj);
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
        let outside = ctx.outside();
        courses::courses_of_quarter(
            &mut ctx,
            q,
            &fresh,
            &mut participants,
            &mut seen[outside],
            rng,
            &mut activities,
        )?;

        // Everybody else: conseillers, France Services, and returning Emmaüs Connect participants.
        let mut others: Vec<usize> = returning;
        others.extend(fresh.iter().copied().filter(|&p| participants[p].programme != Programme::Emmaus));
        others.sort_unstable();
        help::help_of_quarter(q, places, &participants, &others, rng, &mut activities);
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

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
pub(super) mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;
    use crate::crs::Crs;
    use crate::demo::{network, places, rng, stream};

    pub(in crate::demo::attendance) struct World {
        pub(in crate::demo::attendance) city: City,
        pub(in crate::demo::attendance) net: network::Network,
        pub(in crate::demo::attendance) places: Vec<Place>,
        pub(in crate::demo::attendance) att: Attendance,
        pub(in crate::demo::attendance) proj: Reprojector,
    }

    pub(in crate::demo::attendance) fn world() -> World {
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
}
