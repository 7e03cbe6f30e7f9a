//! ARCEP "Ma connexion internet" tables of Démoville: buildings and their eligibility per technology.
//!
//! Inputs: the [`City`], the share of each IRIS inside QPV, the scenario's fibre and cable shares, and a
//! seeded RNG. Outputs: the buildings (Lambert-93, used as homes by the attendance generator) and two
//! `,`-separated files as text, with coordinates in **EPSG:3857** metres (2 decimals) as ARCEP ships them.
//!
//! Model: large `imm` buildings (20–200 premises) fill the QPV, with a few small blocks and houses;
//! `pav` houses (1–2 premises) and small blocks spread over the other habitat IRIS; business premises in
//! the activity IRIS. Copper (`CU`) everywhere but a few new buildings, its class falling with the
//! distance to the nearest exchange (`BHD8` within 1.5 km, `HD3` within 3 km, `HD05` beyond, `INEL` for
//! a limited line beyond 3.5 km: every downstream class of ARCEP appears); fibre (`FO`, `THD1G`) for most buildings, except in the laggard QPV
//! where buildings are drawn until the scenario's share of premises is reached; cable (`COAX`) in some
//! estates and the centre; fixed 4G (`4GF`) or satellite (`SAT`) for a few far, fibreless houses.
//!
//! Invariants: `imb_id` unique and sorted; every eligibility row names an existing building; rows are
//! ordered by building then technology (`CU, COAX, FO, 4GF, SAT`); every building has at least one row.

use std::fmt::Write;

use geo::{BoundingRect, Contains, Point};
use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::crs::{Crs, Reprojector};

use super::DemoError;
use super::city::{CENTRE, City, IrisType};
use super::story::COMMUNE;

/// ARCEP building type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuildingType {
    /// `imm`: block of flats or business building.
    Imm,
    /// `pav`: house.
    Pav,
}

impl BuildingType {
    fn code(self) -> &'static str {
        match self {
            BuildingType::Imm => "imm",
            BuildingType::Pav => "pav",
        }
    }
}

/// One building, positioned in Lambert-93.
#[derive(Debug, Clone)]
pub struct Building {
    pub id: String,
    pub x: f64,
    pub y: f64,
    /// Dwellings + business premises.
    pub logloc: u32,
    pub typ: BuildingType,
    /// Index of its IRIS.
    pub iris: usize,
    /// Index of its QPV, if any.
    pub qpv: Option<usize>,
    pub addr_code: String,
    pub imb_code: String,
}

/// One eligibility row: a building × a technology.
#[derive(Debug, Clone)]
pub struct Line {
    pub building: usize,
    pub techno: &'static str,
    pub down: &'static str,
    pub up: &'static str,
    pub limitation: bool,
    pub saturation: bool,
}

/// The buildings and their eligibility.
#[derive(Debug)]
pub struct Network {
    pub buildings: Vec<Building>,
    pub lines: Vec<Line>,
}

impl Network {
    /// Share of the premises of QPV `k` eligible to fibre.
    pub fn fibre_share(&self, k: usize) -> f64 {
        let mut fibre = vec![false; self.buildings.len()];
        for l in self.lines.iter().filter(|l| l.techno == "FO") {
            fibre[l.building] = true;
        }
        let (mut all, mut fo) = (0u64, 0u64);
        for (b, has) in self.buildings.iter().zip(fibre) {
            if b.qpv == Some(k) {
                all += u64::from(b.logloc);
                if has {
                    fo += u64::from(b.logloc);
                }
            }
        }
        if all == 0 { 0.0 } else { fo as f64 / all as f64 }
    }
}

/// Telephone exchanges (NRA), metres from the centre: copper rates fall with the distance to them.
const EXCHANGES: [(f64, f64); 2] = [(0.0, 0.0), (-3000.0, -1500.0)];

struct Draft {
    x: f64,
    y: f64,
    logloc: u32,
    typ: BuildingType,
}

/// Builds the buildings (QPV first, then IRIS by IRIS) and their eligibility rows.
pub fn build(city: &City, coverage: &[Vec<f64>], rng: &mut ChaCha8Rng) -> Result<Network, DemoError> {
    let mut drafts: Vec<Draft> = Vec::new();
    for q in &city.qpv {
        let km2 = q.area_m2() / 1e6;
        let n_large = (km2 * 55.0).round() as usize + 8;
        let n_small = (km2 * 10.0).round() as usize;
        let n_houses = (km2 * 15.0).round() as usize;
        for j in 0..n_large + n_small + n_houses {
            let (x, y) = q.sample_inside(rng);
            let (logloc, typ) = if j < n_large {
                let u: f64 = rng.random();
                (20 + (180.0 * u * u).round() as u32, BuildingType::Imm)
            } else if j < n_large + n_small {
                (rng.random_range(6..=19), BuildingType::Imm)
            } else {
                (rng.random_range(1..=2), BuildingType::Pav)
            };
            drafts.push(Draft { x, y, logloc, typ });
        }
    }
    for (i, iris) in city.iris.iter().enumerate() {
        let outside = (1.0 - coverage[i].iter().sum::<f64>()).max(0.0);
        let central = {
            let b = iris.polygon.bounding_rect();
            b.map(|r| r.center()).is_some_and(|c| (c.x - CENTRE.0).hypot(c.y - CENTRE.1) < 1800.0)
        };
        let mut kinds: Vec<(BuildingType, u32, u32)> = Vec::new();
        match iris.typ {
            IrisType::Habitat => {
                let n_houses = (f64::from(rng.random_range(45u32..=85)) * outside).round() as usize;
                kinds.extend(std::iter::repeat_n((BuildingType::Pav, 1, 2), n_houses));
                let n_blocks = rng.random_range(2..=6) + if central { rng.random_range(10..=20) } else { 0 };
                kinds.extend(std::iter::repeat_n((BuildingType::Imm, 3, 40), n_blocks));
            }
            IrisType::Activite => {
                let n = rng.random_range(12..=18);
                kinds.extend(std::iter::repeat_n((BuildingType::Imm, 0, 4), n));
            }
            IrisType::Divers => kinds.extend(std::iter::repeat_n((BuildingType::Pav, 1, 1), 2)),
        }
        for (typ, lo, hi) in kinds {
            let (x, y) = point_outside_qpv(city, i, rng)?;
            drafts.push(Draft { x, y, logloc: rng.random_range(lo..=hi), typ });
        }
    }

    let mut per_iris = vec![0usize; city.iris.len()];
    let mut buildings = Vec::with_capacity(drafts.len());
    for (n, d) in drafts.into_iter().enumerate() {
        let iris = city
            .iris_at(d.x, d.y)
            .ok_or_else(|| DemoError::Invariant(format!("building at ({}, {}) in no IRIS", d.x, d.y)))?;
        let k = per_iris[iris];
        per_iris[iris] += 1;
        buildings.push(Building {
            id: format!("IMB/{COMMUNE}/X/{:04X}", 0x0100 + n),
            x: d.x,
            y: d.y,
            logloc: d.logloc,
            typ: d.typ,
            iris,
            qpv: city.qpv_at(d.x, d.y),
            addr_code: format!("{COMMUNE}_{:04}_{:05}", 1000 + iris * 4 + k % 4, k / 4 + 1),
            imb_code: format!("{COMMUNE}-{:06}", n + 1),
        });
    }
    let lines = eligibility(city, &buildings, rng);
    Ok(Network { buildings, lines })
}

/// A uniform point of IRIS `i` outside every QPV.
fn point_outside_qpv(city: &City, i: usize, rng: &mut ChaCha8Rng) -> Result<(f64, f64), DemoError> {
    let poly = &city.iris[i].polygon;
    let rect = poly.bounding_rect().ok_or_else(|| DemoError::Invariant("empty IRIS".into()))?;
    for _ in 0..10_000 {
        let x = rng.random_range(rect.min().x..rect.max().x);
        let y = rng.random_range(rect.min().y..rect.max().y);
        if poly.contains(&Point::new(x, y)) && city.qpv_at(x, y).is_none() {
            return Ok((x, y));
        }
    }
    Err(DemoError::Invariant(format!("no room for a building in IRIS {}", city.iris[i].code)))
}

/// Metres to the nearest exchange beyond which a limited copper line is ineligible (`INEL`).
const INELIGIBLE_BEYOND: f64 = 3500.0;

fn eligibility(city: &City, buildings: &[Building], rng: &mut ChaCha8Rng) -> Vec<Line> {
    // Fibre: in each QPV, buildings in random order until the scenario's share of premises is reached.
    let mut fibre = vec![false; buildings.len()];
    for (k, q) in city.qpv.iter().enumerate() {
        let mut idx: Vec<usize> = (0..buildings.len()).filter(|&b| buildings[b].qpv == Some(k)).collect();
        idx.shuffle(rng);
        let total: u32 = idx.iter().map(|&b| buildings[b].logloc).sum();
        let target = (q.story.fibre * f64::from(total)).round() as u32;
        let mut done = 0;
        for b in idx {
            if done + buildings[b].logloc <= target {
                done += buildings[b].logloc;
                fibre[b] = true;
            }
        }
    }

    let mut lines = Vec::new();
    for (n, b) in buildings.iter().enumerate() {
        let iris = &city.iris[b.iris];
        let dist = EXCHANGES
            .iter()
            .map(|(dx, dy)| (b.x - CENTRE.0 - dx).hypot(b.y - CENTRE.1 - dy))
            .fold(f64::INFINITY, f64::min);
        let has_cu = rng.random_bool(0.985);
        let fo = match b.qpv {
            Some(_) => fibre[n],
            None => {
                let p = match iris.typ {
                    IrisType::Habitat => 0.93,
                    IrisType::Activite => 0.7,
                    IrisType::Divers => 0.5,
                };
                rng.random_bool(p)
            }
        } || !has_cu;
        let coax_p = match b.qpv {
            Some(k) if b.logloc >= 20 => city.qpv[k].story.coax,
            None if b.typ == BuildingType::Imm && dist < 1500.0 => 0.25,
            _ => 0.0,
        };
        let coax = rng.random_bool(coax_p);
        let (cu_down, cu_up) = if dist < 1500.0 {
            ("BHD8", "HD05")
        } else if dist < 3000.0 {
            ("HD3", "HD05")
        } else {
            ("HD05", "INEL")
        };
        let slow = !has_cu || cu_down != "BHD8";
        let fixed_4g = !fo && !coax && slow && rng.random_bool(0.4);
        let satellite = !fo && !coax && rng.random_bool(0.06);
        let mut push = |techno, down, up, limitation, saturation| {
            lines.push(Line { building: n, techno, down, up, limitation, saturation });
        };
        if has_cu {
            let limited = cu_down == "HD05" && rng.random_bool(0.3);
            // A limited line far from its exchange falls below 512 kbit/s (no draw: the stream of the
            // rest of the city is the same with or without it).
            let down = if limited && dist >= INELIGIBLE_BEYOND { "INEL" } else { cu_down };
            push("CU", down, cu_up, limited, false);
        }
        if coax {
            let saturated = rng.random_bool(0.1);
            push("COAX", "THD100", "BHD8", false, saturated);
        }
        if fo {
            push("FO", "THD1G", "THD100", false, false);
        }
        if fixed_4g {
            push("4GF", "THD30", "HD3", false, false);
        }
        if satellite {
            push("SAT", "THD30", "HD3", false, false);
        }
    }
    lines
}

/// `immeubles` file: EPSG:3857 coordinates with 2 decimals.
pub fn buildings_csv(net: &Network, proj: &Reprojector) -> Result<String, DemoError> {
    let mut out = String::from(
        "imb_id,imb_longitude,imb_latitude,imb_code,imb_code_insee,imb_nbr_logloc,imb_type,addr_code\n",
    );
    for b in &net.buildings {
        let (mx, my) = proj.convert(Crs::Lambert93, Crs::WebMercator, b.x, b.y)?;
        // Writing to a String cannot fail.
        let _ = writeln!(
            out,
            "{},{mx:.2},{my:.2},{},{COMMUNE},{},{},{}",
            b.id,
            b.imb_code,
            b.logloc,
            b.typ.code(),
            b.addr_code
        );
    }
    Ok(out)
}

/// `eligibilite` file: one row per building × technology.
pub fn eligibility_csv(net: &Network) -> String {
    let mut out = String::from(
        "imb_id,addr_code,imb_code,code_techno,classe_debit_descendant,classe_debit_montant,limitation,saturation\n",
    );
    let flag = |b: bool| if b { "1" } else { "0" };
    for l in &net.lines {
        let b = &net.buildings[l.building];
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{}",
            b.id,
            b.addr_code,
            b.imb_code,
            l.techno,
            l.down,
            l.up,
            flag(l.limitation),
            flag(l.saturation)
        );
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use super::*;
    use crate::demo::{rng, stream};

    fn world() -> (City, Network) {
        let city = City::build(&mut rng(stream::CITY));
        let cov = city.coverage();
        let net = build(&city, &cov, &mut rng(stream::NETWORK)).unwrap();
        (city, net)
    }

    #[test]
    fn buildings_are_plausible_and_unique() {
        let (city, net) = world();
        let n = net.buildings.len();
        assert!((3000..=4000).contains(&n), "{n} buildings");
        let mut ids: Vec<&str> = net.buildings.iter().map(|b| b.id.as_str()).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids sorted");
        ids.dedup();
        assert_eq!(ids.len(), n);
        for (k, q) in city.qpv.iter().enumerate() {
            let large = net.buildings.iter().filter(|b| b.qpv == Some(k) && b.logloc >= 20).count();
            assert!(large >= 15, "{} has {large} large buildings", q.story.code);
        }
        assert!(net.buildings.iter().filter(|b| b.qpv.is_none()).all(|b| b.logloc <= 40));
        // Every building has at least one row and every row a building.
        let mut seen = vec![false; n];
        for l in &net.lines {
            seen[l.building] = true;
        }
        assert!(seen.iter().all(|&s| s));
    }

    #[test]
    fn fibre_laggards_lag() {
        let (city, net) = world();
        for (k, q) in city.qpv.iter().enumerate() {
            let share = net.fibre_share(k);
            if q.story.fibre < 0.6 {
                assert!((0.25..=0.55).contains(&share), "{} fibre {share}", q.story.code);
            } else {
                assert!(share >= 0.8, "{} fibre {share}", q.story.code);
            }
        }
        for techno in ["CU", "COAX", "FO", "4GF", "SAT"] {
            assert!(net.lines.iter().any(|l| l.techno == techno), "no {techno}");
        }
        // Every downstream class of ARCEP, so that every eligibility indicator has something to count.
        for class in ["INEL", "HD05", "HD3", "BHD8", "THD30", "THD100", "THD1G"] {
            assert!(net.lines.iter().any(|l| l.down == class), "no {class}");
        }
        let cu = net.lines.iter().filter(|l| l.techno == "CU").count();
        assert!(cu as f64 > 0.97 * net.buildings.len() as f64);
    }

    #[test]
    fn csv_round_trips_to_lambert93() {
        let (_, net) = world();
        let proj = Reprojector::new();
        let text = buildings_csv(&net, &proj).unwrap();
        let line = text.lines().nth(1).unwrap();
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f.len(), 8);
        let (mx, my): (f64, f64) = (f[1].parse().unwrap(), f[2].parse().unwrap());
        let (x, y) = proj.to_lambert93(Crs::WebMercator, mx, my).unwrap();
        assert!((x - net.buildings[0].x).abs() < 0.05 && (y - net.buildings[0].y).abs() < 0.05);
        assert_eq!(eligibility_csv(&net).lines().count(), net.lines.len() + 1);
    }
}
