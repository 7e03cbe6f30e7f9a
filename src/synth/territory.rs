//! The synthetic territory in Lambert-93: cities, their IRIS tiling, communes and QPV, with their codes.
//!
//! Inputs: the scale's [`Params`] and the territory RNG stream. Output: a [`Territory`].
//!
//! Invariants (unit tests below):
//! - city sizes follow a Zipf-like law (the largest first); their frames do not overlap and their
//!   centres lie in the scale's box;
//! - a city's IRIS are the cells of a jittered grid (`cols × rows`, the last row maybe partial) whose
//!   edges are built once and shared by both neighbours: the IRIS tile the city exactly;
//! - communes are blocks of [`BLOCK`] × [`BLOCK`] cells (a bigger central commune in large cities), so
//!   each is connected;
//! - QPV (1–3 parts, some with a hole, 30–300 vertices in all) have disjoint bounding circles and stay a
//!   full cell away from the city's outline, so they lie inside its IRIS;
//! - codes: commune `DDnnn` over the fictitious départements [`DEPARTEMENTS`], IRIS = commune + 4
//!   digits, QPV `QN0DDnnL` (2024 pattern), all unique.

use geo::{Area, BooleanOps, Contains, Coord, LineString, MultiPolygon, Point, Polygon, Rect};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::SynthError;
use super::grid::{append, grid_edges, grid_nodes};
use super::scale::{Params, apportion};
use super::shapes::{Part, Radial, bounds};

/// Fictitious départements (not used by INSEE's COG), 999 communes each.
pub const DEPARTEMENTS: [&str; 5] = ["99", "98", "96", "20", "00"];
/// The fictitious région of every commune.
pub const REGION: &str = "99";
/// Side of a commune block, in cells.
pub const BLOCK: usize = 5;
/// Smallest city, in IRIS.
pub const MIN_CITY_IRIS: usize = 9;

/// IGN IRIS type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IrisType {
    /// `H`: habitat.
    Habitat,
    /// `A`: activité.
    Activite,
    /// `D`: divers (parks, woods).
    Divers,
}

impl IrisType {
    /// The one-letter `TYP_IRIS` code.
    pub fn code(self) -> &'static str {
        match self {
            IrisType::Habitat => "H",
            IrisType::Activite => "A",
            IrisType::Divers => "D",
        }
    }
}

/// A city: a grid of IRIS cells around a centre.
#[derive(Debug, Clone)]
pub struct City {
    pub name: String,
    /// South-west corner of the (unjittered) grid.
    pub origin: (f64, f64),
    pub cell: f64,
    pub cols: usize,
    pub rows: usize,
    pub cells: usize,
    /// Index of its first IRIS in [`Territory::iris`] (its IRIS are contiguous, row by row).
    pub first_iris: usize,
    pub centre: (f64, f64),
    /// SIREN of its (fictitious) EPCI.
    pub epci: String,
    /// Unité urbaine code.
    pub uu: String,
    /// Share of premises with fibre outside its QPV.
    pub fibre: f64,
}

impl City {
    /// Grid cell `(col, row)` of a point (may be outside the grid).
    fn cell_of(&self, x: f64, y: f64) -> (i64, i64) {
        (((x - self.origin.0) / self.cell).floor() as i64, ((y - self.origin.1) / self.cell).floor() as i64)
    }

    /// Index within the city of the cell at `(col, row)`, if it exists.
    fn cell_index(&self, col: i64, row: i64) -> Option<usize> {
        if col < 0 || row < 0 || col as usize >= self.cols || row as usize >= self.rows {
            return None;
        }
        let i = row as usize * self.cols + col as usize;
        (i < self.cells).then_some(i)
    }
}

/// A commune.
#[derive(Debug, Clone)]
pub struct Commune {
    pub code: String,
    pub name: String,
    pub dep: &'static str,
}

/// One IRIS.
#[derive(Debug, Clone)]
pub struct Iris {
    pub code: String,
    pub name: String,
    pub commune: usize,
    pub city: usize,
    pub typ: IrisType,
    pub polygon: Polygon<f64>,
    pub bbox: Rect<f64>,
    pub area: f64,
    /// Relative density of premises outside QPV.
    pub density: f64,
    /// Grid row (TRIRIS codes).
    pub row: usize,
}

/// One QPV.
#[derive(Debug, Clone)]
pub struct Qpv {
    pub code: String,
    pub name: String,
    pub commune: usize,
    pub city: usize,
    pub parts: Vec<Part>,
    pub shape: MultiPolygon<f64>,
    pub bbox: Rect<f64>,
    pub area: f64,
    /// Area of each part.
    pub part_areas: Vec<f64>,
    /// Share of its premises with fibre.
    pub fibre: f64,
}

impl Qpv {
    /// Vertices of all its rings (closing points not counted).
    pub fn vertices(&self) -> usize {
        self.parts.iter().map(Part::vertices).sum()
    }

    /// True when the point lies inside (not in a hole).
    pub fn contains(&self, x: f64, y: f64) -> bool {
        let (lo, hi) = (self.bbox.min(), self.bbox.max());
        x >= lo.x && x <= hi.x && y >= lo.y && y <= hi.y && self.shape.contains(&Point::new(x, y))
    }
}

/// The whole territory.
#[derive(Debug)]
pub struct Territory {
    pub cities: Vec<City>,
    pub communes: Vec<Commune>,
    pub iris: Vec<Iris>,
    pub qpv: Vec<Qpv>,
    /// For each IRIS, the QPV overlapping it and the area of the overlap (m²).
    pub overlaps: Vec<Vec<(usize, f64)>>,
}

impl Territory {
    /// Builds the territory of a scale (fixed order of random draws).
    pub fn build(p: &Params, rng: &mut ChaCha8Rng) -> Result<Territory, SynthError> {
        let weights: Vec<f64> = (1..=p.cities).map(|k| (k as f64).powf(-0.8)).collect();
        let extra_iris = p.iris.checked_sub(MIN_CITY_IRIS * p.cities).ok_or_else(|| {
            SynthError::Invariant(format!("{} IRIS cannot make {} cities", p.iris, p.cities))
        })?;
        let iris_per_city = apportion(extra_iris as u64, &weights);
        let extra_qpv = p.qpv.saturating_sub(p.cities);
        let qpv_per_city = apportion(extra_qpv as u64, &weights);

        let mut t = Territory {
            cities: Vec::new(),
            communes: Vec::new(),
            iris: Vec::new(),
            qpv: Vec::new(),
            overlaps: Vec::new(),
        };
        let mut frames: Vec<Rect<f64>> = Vec::new();
        let mut qpv_serial = vec![0usize; DEPARTEMENTS.len()];
        for c in 0..p.cities {
            let cells = MIN_CITY_IRIS + iris_per_city[c] as usize;
            let cell = rng.random_range(650.0..1_050.0);
            let cols = (cells as f64).sqrt().ceil() as usize;
            let rows = cells.div_ceil(cols);
            let (w, h) = (cols as f64 * cell, rows as f64 * cell);
            let centre = place_city(rng, p.bbox, w, h, &frames)
                .ok_or_else(|| SynthError::Invariant(format!("no room for city {c} ({cells} IRIS)")))?;
            let origin = (centre.0 - w / 2.0, centre.1 - h / 2.0);
            frames.push(Rect::new(
                Coord { x: origin.0, y: origin.1 },
                Coord { x: origin.0 + w, y: origin.1 + h },
            ));
            let city = City {
                name: format!("Synthéville {:03}", c + 1),
                origin,
                cell,
                cols,
                rows,
                cells,
                first_iris: t.iris.len(),
                centre,
                epci: format!("2999{:05}", c + 1),
                uu: format!("99{:03}", c % 1000),
                fibre: rng.random_range(0.65..0.95),
            };
            t.add_city_iris(rng, c, &city)?;
            t.cities.push(city);
            let n_qpv = if p.qpv >= p.cities { 1 + qpv_per_city[c] as usize } else { usize::from(c < p.qpv) };
            t.add_city_qpv(rng, c, n_qpv, &mut qpv_serial)?;
        }
        t.compute_overlaps();
        t.assign_types(rng);
        Ok(t)
    }

    /// The IRIS containing a point of city `c`, if any.
    pub fn iris_at(&self, c: usize, x: f64, y: f64) -> Option<usize> {
        let city = &self.cities[c];
        let (col, row) = city.cell_of(x, y);
        let p = Point::new(x, y);
        for dr in [0, -1, 1] {
            for dc in [0, -1, 1] {
                if let Some(i) = city.cell_index(col + dc, row + dr) {
                    let iris = city.first_iris + i;
                    if self.iris[iris].polygon.contains(&p) {
                        return Some(iris);
                    }
                }
            }
        }
        None
    }

    fn add_city_iris(&mut self, rng: &mut ChaCha8Rng, c: usize, city: &City) -> Result<(), SynthError> {
        let nodes = grid_nodes(rng, city);
        let (h_edges, v_edges) = grid_edges(rng, &nodes, city);
        // Communes: blocks of BLOCK × BLOCK cells, the central ones merged in large cities.
        let (bcols, brows) = (city.cols.div_ceil(BLOCK), city.rows.div_ceil(BLOCK));
        let k = (bcols.min(brows).saturating_sub(1)) / 4;
        let (bcx, bcy) = (bcols / 2, brows / 2);
        let block_of = |col: usize, row: usize| {
            let (bx, by) = (col / BLOCK, row / BLOCK);
            if bx.abs_diff(bcx) <= k && by.abs_diff(bcy) <= k { None } else { Some((by, bx)) }
        };
        let mut block_commune: std::collections::BTreeMap<Option<(usize, usize)>, usize> = Default::default();
        let mut serial: Vec<usize> = Vec::new();
        // The central commune first, then the others in row-major block order.
        let mut keys: Vec<Option<(usize, usize)>> =
            (0..city.cells).map(|i| block_of(i % city.cols, i / city.cols)).collect();
        keys.sort();
        keys.dedup();
        for (n, key) in keys.into_iter().enumerate() {
            let index = self.communes.len();
            let dep_index = index / 999;
            let dep = *DEPARTEMENTS.get(dep_index).ok_or_else(|| {
                SynthError::Invariant(format!("more than {} communes", 999 * DEPARTEMENTS.len()))
            })?;
            let name =
                if n == 0 { city.name.clone() } else { format!("{} – secteur {}", city.name, n + 1) };
            self.communes.push(Commune { code: format!("{dep}{:03}", index % 999 + 1), name, dep });
            block_commune.insert(key, index);
            serial.push(0);
        }
        let first_commune = self.communes.len() - serial.len();
        let (half_w, half_h) = (city.cols as f64 * city.cell / 2.0, city.rows as f64 * city.cell / 2.0);
        let reach = half_w.hypot(half_h) * 0.45;
        for i in 0..city.cells {
            let (row, col) = (i / city.cols, i % city.cols);
            let mut ring: Vec<Coord<f64>> = Vec::new();
            append(&mut ring, &h_edges[row][col], false);
            append(&mut ring, &v_edges[col + 1][row], false);
            append(&mut ring, &h_edges[row + 1][col], true);
            append(&mut ring, &v_edges[col][row], true);
            ring.push(ring[0]);
            let ring = LineString::new(ring);
            let bbox = bounds(&ring);
            let polygon = Polygon::new(ring, vec![]);
            let commune = block_commune.get(&block_of(col, row)).copied().unwrap_or(first_commune);
            serial[commune - first_commune] += 1;
            let n = serial[commune - first_commune];
            let code = format!("{}{n:04}", self.communes[commune].code);
            let centre = bbox.center();
            let d = (centre.x - city.centre.0).hypot(centre.y - city.centre.1);
            let density = (0.25 + (-d / reach).exp()) * rng.random_range(0.7..1.3);
            self.iris.push(Iris {
                name: format!("{} – IRIS {n:04}", self.communes[commune].name),
                code,
                commune,
                city: c,
                typ: IrisType::Habitat,
                area: polygon.unsigned_area(),
                polygon,
                bbox,
                density,
                row,
            });
        }
        Ok(())
    }

    fn add_city_qpv(
        &mut self,
        rng: &mut ChaCha8Rng,
        c: usize,
        n: usize,
        serial: &mut [usize],
    ) -> Result<(), SynthError> {
        let city = self.cities[c].clone();
        let full_rows = if city.cells.is_multiple_of(city.cols) { city.rows } else { city.rows - 1 };
        let (x0, y0) = (city.origin.0 + city.cell, city.origin.1 + city.cell);
        let (x1, y1) = (
            city.origin.0 + (city.cols - 1) as f64 * city.cell,
            city.origin.1 + (full_rows - 1) as f64 * city.cell,
        );
        let mut circles: Vec<(f64, f64, f64)> = Vec::new();
        for _ in 0..n {
            let mut scale = 1.0;
            let mut placed = None;
            for attempt in 0..4_000 {
                if attempt > 0 && attempt % 200 == 0 {
                    scale *= 0.85;
                }
                let shape = QpvShape::random(rng, scale);
                let rad = shape.radius;
                if x1 - x0 < 2.0 * rad || y1 - y0 < 2.0 * rad {
                    continue;
                }
                // Drawn towards the centre: the mean of two uniform draws.
                let tri = |rng: &mut ChaCha8Rng, a: f64, b: f64| {
                    (rng.random_range(a..b) + rng.random_range(a..b)) / 2.0
                };
                let cx = tri(rng, x0 + rad, x1 - rad);
                let cy = tri(rng, y0 + rad, y1 - rad);
                if circles.iter().all(|&(ox, oy, or)| (cx - ox).hypot(cy - oy) > rad + or + 60.0) {
                    placed = Some((shape, cx, cy));
                    break;
                }
            }
            let (shape, cx, cy) =
                placed.ok_or_else(|| SynthError::Invariant(format!("no room for a QPV in {}", city.name)))?;
            circles.push((cx, cy, shape.radius));
            let parts = shape.parts(rng, cx, cy);
            let polygons: Vec<Polygon<f64>> = parts.iter().map(|p| p.polygon.clone()).collect();
            let shape = MultiPolygon::new(polygons);
            let bbox = parts.iter().skip(1).fold(parts[0].bbox, |b, p| {
                Rect::new(
                    Coord { x: b.min().x.min(p.bbox.min().x), y: b.min().y.min(p.bbox.min().y) },
                    Coord { x: b.max().x.max(p.bbox.max().x), y: b.max().y.max(p.bbox.max().y) },
                )
            });
            let commune = self
                .iris_at(c, cx, cy)
                .map(|i| self.iris[i].commune)
                .ok_or_else(|| SynthError::Invariant(format!("QPV centre outside {}", city.name)))?;
            let dep_index = DEPARTEMENTS.iter().position(|d| *d == self.communes[commune].dep).unwrap_or(0);
            let s = serial[dep_index];
            serial[dep_index] += 1;
            if s >= 100 * 26 {
                return Err(SynthError::Invariant("more than 2,600 QPV in a département".into()));
            }
            let letter = char::from(b'A' + (s % 26) as u8);
            let fibre = if rng.random_bool(0.2) {
                rng.random_range(0.2..0.5)
            } else {
                (city.fibre + rng.random_range(-0.1..0.05)).clamp(0.0, 1.0)
            };
            self.qpv.push(Qpv {
                code: format!("QN0{}{:02}{letter}", self.communes[commune].dep, s / 26),
                name: format!("Quartier synthétique {:04}", self.qpv.len() + 1),
                commune,
                city: c,
                area: shape.unsigned_area(),
                part_areas: shape.0.iter().map(Area::unsigned_area).collect(),
                parts,
                shape,
                bbox,
                fibre,
            });
        }
        Ok(())
    }

    fn compute_overlaps(&mut self) {
        let mut overlaps = vec![Vec::new(); self.iris.len()];
        for (k, q) in self.qpv.iter().enumerate() {
            let city = &self.cities[q.city];
            let (c0, r0) = city.cell_of(q.bbox.min().x, q.bbox.min().y);
            let (c1, r1) = city.cell_of(q.bbox.max().x, q.bbox.max().y);
            for row in r0 - 1..=r1 + 1 {
                for col in c0 - 1..=c1 + 1 {
                    let Some(i) = city.cell_index(col, row) else { continue };
                    let iris = city.first_iris + i;
                    let area = self.iris[iris].polygon.intersection(&q.shape).unsigned_area();
                    if area > 0.0 {
                        overlaps[iris].push((k, area));
                    }
                }
            }
        }
        self.overlaps = overlaps;
    }

    /// A few activity and park IRIS, never where a QPV lies.
    fn assign_types(&mut self, rng: &mut ChaCha8Rng) {
        for (iris, overlaps) in self.iris.iter_mut().zip(&self.overlaps) {
            let u: f64 = rng.random();
            if overlaps.is_empty() && u < 0.04 {
                iris.typ = IrisType::Activite;
                iris.density *= 0.05;
            } else if overlaps.is_empty() && u < 0.06 {
                iris.typ = IrisType::Divers;
                iris.density *= 0.01;
            }
        }
    }
}

/// A QPV's outline before it is placed: main radius, parts, hole.
struct QpvShape {
    r: f64,
    n: usize,
    hole: bool,
    /// Extra parts: (radius, vertices, direction, gap).
    extra: Vec<(f64, usize, f64, f64)>,
    /// Radius of the circle around every part.
    radius: f64,
}

const MAIN_AMPS: [f64; 3] = [0.18, 0.12, 0.06];

impl QpvShape {
    fn random(rng: &mut ChaCha8Rng, scale: f64) -> Self {
        let r = rng.random_range(250.0..700.0) * scale;
        let n = rng.random_range(30..=240);
        let hole = rng.random_bool(0.12);
        let parts = match rng.random_range(0..100) {
            0..=2 => 3,
            3..=13 => 2,
            _ => 1,
        };
        let mut extra = Vec::new();
        let mut radius = r * 1.36;
        for _ in 1..parts {
            let er = r * rng.random_range(0.3..0.6);
            let en = rng.random_range(12..=24);
            let dir = rng.random_range(0.0..std::f64::consts::TAU);
            let gap = rng.random_range(40.0..200.0) * scale;
            radius = radius.max(r * 1.36 + gap + 2.0 * er * 1.36);
            extra.push((er, en, dir, gap));
        }
        Self { r, n, hole, extra, radius }
    }

    fn parts(&self, rng: &mut ChaCha8Rng, cx: f64, cy: f64) -> Vec<Part> {
        let outer = Radial::random(rng, cx, cy, self.r, MAIN_AMPS, self.n);
        let hole = self.hole.then(|| {
            let hr = outer.min_radius() * rng.random_range(0.25..0.45);
            let n = rng.random_range(12..=24);
            Radial::random(rng, cx, cy, hr, [0.08, 0.05, 0.0], n)
        });
        let main_max = outer.max_radius();
        let mut parts = vec![Part::new(outer, hole)];
        for &(er, en, dir, gap) in &self.extra {
            let d = main_max + gap + er * 1.36;
            let (ex, ey) = (cx + d * dir.cos(), cy + d * dir.sin());
            let r = Radial::random(rng, ex, ey, er, MAIN_AMPS, en);
            // Two extra parts may point the same way: keep the second only if it stays clear.
            let clear = parts.iter().all(|p: &Part| {
                (p.outer.cx - ex).hypot(p.outer.cy - ey) > p.outer.max_radius() + r.max_radius() + 40.0
            });
            if clear {
                parts.push(Part::new(r, None));
            }
        }
        parts
    }
}

/// A city centre in `bbox` whose frame (`w × h` plus 2 km) meets no other frame.
fn place_city(
    rng: &mut ChaCha8Rng,
    bbox: (f64, f64, f64, f64),
    w: f64,
    h: f64,
    frames: &[Rect<f64>],
) -> Option<(f64, f64)> {
    const MARGIN: f64 = 2_000.0;
    for _ in 0..20_000 {
        let x = rng.random_range(bbox.0..bbox.2);
        let y = rng.random_range(bbox.1..bbox.3);
        let (x0, y0, x1, y1) = (x - w / 2.0, y - h / 2.0, x + w / 2.0, y + h / 2.0);
        let clear = frames.iter().all(|f| {
            x1 + MARGIN < f.min().x
                || f.max().x + MARGIN < x0
                || y1 + MARGIN < f.min().y
                || f.max().y + MARGIN < y0
        });
        if clear {
            return Some((x, y));
        }
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use std::collections::BTreeSet;

    use geo::{Intersects, Validation};

    use super::*;
    use crate::synth::scale::Scale;

    fn digits(s: &str) -> bool {
        s.bytes().all(|b| b.is_ascii_digit())
    }
    /// FORMATS.md: commune = 2 digits + 3 digits here (no Corsica), IRIS = commune + 4 digits,
    /// QPV 2024 = `QN` + 5 digits + a capital letter.
    fn commune(s: &str) -> bool {
        s.len() == 5 && digits(s)
    }
    fn iris(s: &str) -> bool {
        s.len() == 9 && digits(s)
    }
    fn qpv(s: &str) -> bool {
        s.len() == 8 && s.starts_with("QN") && digits(&s[2..7]) && s.as_bytes()[7].is_ascii_uppercase()
    }

    fn territory(s: Scale) -> Territory {
        Territory::build(&s.params(), &mut crate::synth::rng(crate::synth::stream::TERRITORY)).unwrap()
    }

    #[test]
    fn counts_and_codes() {
        for s in [Scale::Tiny, Scale::City] {
            let t = territory(s);
            let p = s.params();
            assert_eq!((t.cities.len(), t.iris.len(), t.qpv.len()), (p.cities, p.iris, p.qpv));
            let codes: BTreeSet<&str> = t.iris.iter().map(|i| i.code.as_str()).collect();
            assert_eq!(codes.len(), t.iris.len());
            assert!(t.iris.iter().all(|i| iris(&i.code)));
            assert!(t.iris.iter().all(|i| i.code.starts_with(&t.communes[i.commune].code)));
            let q: BTreeSet<&str> = t.qpv.iter().map(|q| q.code.as_str()).collect();
            assert_eq!(q.len(), t.qpv.len());
            assert!(t.qpv.iter().all(|q| qpv(&q.code)), "{:?}", q);
            assert!(t.communes.iter().all(|c| commune(&c.code)));
        }
    }

    #[test]
    fn iris_tile_each_city_and_qpv_lie_inside() {
        let t = territory(Scale::City);
        for i in &t.iris {
            assert!(i.polygon.is_valid(), "{} invalid", i.code);
            assert!(i.polygon.signed_area() > 0.0);
        }
        // Neighbouring cells meet along their edge only.
        let city = &t.cities[0];
        for i in 0..city.cells {
            for j in [i + 1, i + city.cols] {
                if j < city.cells {
                    let a = t.iris[i].polygon.intersection(&t.iris[j].polygon).unsigned_area();
                    assert!(a < 1e-3, "{i} and {j} overlap by {a} m²");
                }
            }
        }
        for (k, q) in t.qpv.iter().enumerate() {
            assert!(q.shape.is_valid(), "{} invalid", q.code);
            assert!((30..=300).contains(&q.vertices()), "{} has {} vertices", q.code, q.vertices());
            let covered: f64 = t.overlaps.iter().flatten().filter(|(j, _)| *j == k).map(|(_, a)| a).sum();
            assert!((covered - q.area).abs() / q.area < 1e-6, "{} not inside its city", q.code);
            for other in &t.qpv[k + 1..] {
                assert!(!q.shape.intersects(&other.shape), "{} meets {}", q.code, other.code);
            }
        }
    }

    #[test]
    fn region_has_holes_multipolygons_and_disjoint_cities() {
        let t = territory(Scale::Region);
        assert_eq!((t.iris.len(), t.qpv.len()), (5_800, 190));
        assert!(t.qpv.iter().any(|q| q.shape.0.len() >= 2));
        assert!(t.qpv.iter().any(|q| q.shape.0.iter().any(|p| !p.interiors().is_empty())));
        for (a, ca) in t.cities.iter().enumerate() {
            for cb in &t.cities[a + 1..] {
                let (wa, wb) = (ca.cols as f64 * ca.cell, cb.cols as f64 * cb.cell);
                let dx = (ca.centre.0 - cb.centre.0).abs();
                let dy = (ca.centre.1 - cb.centre.1).abs();
                let (ha, hb) = (ca.rows as f64 * ca.cell, cb.rows as f64 * cb.cell);
                assert!(dx > (wa + wb) / 2.0 || dy > (ha + hb) / 2.0, "{} meets {}", ca.name, cb.name);
            }
        }
        for i in [0, 100, 5_799] {
            let c = t.iris[i].bbox.center();
            assert_eq!(t.iris_at(t.iris[i].city, c.x, c.y), Some(i));
        }
    }
}
