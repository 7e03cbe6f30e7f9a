//! Who the participants are: their programme, age band, home (a building of their zone, chosen by
//! premises), the residence they give (a rounded point near home, or only their IRIS) and the place they go
//! to (the nearest one offering their programme).

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::crs::{Crs, Reprojector};
use crate::demo::DemoError;
use crate::demo::city::{City, IrisType};
use crate::demo::network::Building;
use crate::demo::places::Place;

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
    pub(super) fn prefix(self) -> &'static str {
        match self {
            Programme::Emmaus => "EC",
            Programme::Conseillers => "CN",
            Programme::FranceServices => "FS",
        }
    }
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

/// What a new participant is drawn from: the city, its homes and places, and the count per zone so far.
pub(super) struct Ctx<'a> {
    city: &'a City,
    buildings: &'a [Building],
    pub(super) places: &'a [Place],
    proj: &'a Reprojector,
    /// Per zone (QPV index, then "outside" last): candidate home buildings and cumulative premises.
    homes: Vec<(Vec<usize>, Vec<u64>)>,
    /// Per zone: participants created so far.
    created: Vec<usize>,
}

impl<'a> Ctx<'a> {
    /// Home buildings per zone (each QPV, then outside every QPV: homes of habitat IRIS), with their
    /// cumulative premises.
    pub(super) fn new(
        city: &'a City,
        buildings: &'a [Building],
        places: &'a [Place],
        proj: &'a Reprojector,
    ) -> Self {
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
        Ctx { city, buildings, places, proj, homes, created: vec![0; n_zones] }
    }
}

impl Ctx<'_> {
    /// The zone index of "outside every QPV".
    pub(super) fn outside(&self) -> usize {
        self.city.qpv.len()
    }

    /// The QPV index of zone `z`, `None` for outside.
    pub(super) fn zone_of(&self, z: usize) -> Option<usize> {
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
    pub(super) fn participant(
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

/// An index drawn with probabilities proportional to `weights`.
pub(super) fn pick_weighted(weights: &[f64], rng: &mut ChaCha8Rng) -> usize {
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
