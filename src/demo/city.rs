//! Geometry of Démoville in Lambert-93 metres: the commune, its IRIS tiling and the QPV shapes.
//!
//! Inputs: a seeded RNG and the scenario ([`super::story`]). Outputs: a [`City`] (commune polygon,
//! 48 IRIS, 11 QPV) in EPSG:2154, converted to WGS84 only when written.
//!
//! Invariants (unit tests below):
//! - the IRIS are the cells of an 8 × 6 jittered grid whose edges are built once and shared by both
//!   neighbouring cells, so the IRIS tile the commune exactly (no gap, no overlap);
//! - every ring is closed, exterior rings are counter-clockwise and holes clockwise (RFC 7946);
//! - a QPV part is a star-shaped blob (polar radius with smooth harmonic noise, 24–40 vertices), hence
//!   simple; QPV do not overlap, lie inside the commune and cover 0.2–1.2 km² each;
//! - points drawn inside a QPV ([`Qpv::sample_inside`]) keep a margin of tens of metres from its boundary.

use std::f64::consts::TAU;

use geo::{Area, BooleanOps, Contains, Coord, LineString, MultiPolygon, Point, Polygon};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::story::{ACTIVITY_CELLS, COMMUNE, IRIS_NAMES, PARK_CELLS, QPV_STORIES, QpvStory};

/// Centre of Démoville in Lambert-93 (middle of France; the city is fictitious).
pub const CENTRE: (f64, f64) = (720_000.0, 6_610_000.0);
/// Width (east-west) of the commune's grid, metres.
pub const WIDTH: f64 = 9_000.0;
/// Height (north-south) of the commune's grid, metres.
pub const HEIGHT: f64 = 7_000.0;
/// IRIS grid columns.
pub const COLS: usize = 8;
/// IRIS grid rows.
pub const ROWS: usize = 6;

const CELL_W: f64 = WIDTH / COLS as f64;
const CELL_H: f64 = HEIGHT / ROWS as f64;
/// Node jitter inside the grid, as a fraction of the cell size.
const INNER_JITTER: f64 = 0.18;
/// Node jitter across the commune outline, as a fraction of the cell size.
const OUTLINE_JITTER: f64 = 0.08;
/// Sideways wiggle of the two intermediate points of each grid edge, as a fraction of its length.
const EDGE_WIGGLE: f64 = 0.06;

/// IGN IRIS type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IrisType {
    /// `H`: habitat.
    Habitat,
    /// `A`: activité (activity zone, tiny population).
    Activite,
    /// `D`: divers (here a park).
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

/// One IRIS cell.
#[derive(Debug)]
pub struct Iris {
    /// 9-character `CODE_IRIS`.
    pub code: String,
    pub name: &'static str,
    pub typ: IrisType,
    /// Grid row, from the south (0-based).
    pub row: usize,
    /// Lambert-93 polygon (counter-clockwise, closed).
    pub polygon: Polygon<f64>,
}

impl Iris {
    /// The 4-character `IRIS` code (last 4 of `CODE_IRIS`).
    pub fn iris4(&self) -> &str {
        &self.code[5..]
    }
    /// The grand quartier code (first 7 of `CODE_IRIS`).
    pub fn grand_quartier(&self) -> &str {
        &self.code[..7]
    }
    /// The TRIRIS code (fictitious, one per row).
    pub fn triris(&self) -> String {
        format!("99{:04}", self.row + 1)
    }
}

/// A closed curve `r(θ) = r · (1 + Σ a_k cos(kθ + φ_k))` around a centre, for k = 2, 3, 5.
#[derive(Debug, Clone)]
pub struct Radial {
    pub cx: f64,
    pub cy: f64,
    pub r: f64,
    terms: [(f64, f64); 3],
    start: f64,
    n: usize,
}

const HARMONICS: [f64; 3] = [2.0, 3.0, 5.0];

impl Radial {
    fn random(rng: &mut ChaCha8Rng, cx: f64, cy: f64, r: f64, amps: [f64; 3], n: usize) -> Self {
        let mut terms = [(0.0, 0.0); 3];
        for (t, max) in terms.iter_mut().zip(amps) {
            let a = rng.random_range(max * 0.35..=max);
            let phase = rng.random_range(0.0..TAU);
            *t = (a, phase);
        }
        let start = rng.random_range(0.0..TAU);
        Self { cx, cy, r, terms, start, n }
    }

    /// Radius in direction `theta`.
    pub fn at(&self, theta: f64) -> f64 {
        let noise: f64 = self.terms.iter().zip(HARMONICS).map(|(&(a, p), k)| a * (k * theta + p).cos()).sum();
        self.r * (1.0 + noise)
    }

    /// Upper bound of the radius.
    pub fn max_radius(&self) -> f64 {
        self.r * (1.0 + self.terms.iter().map(|t| t.0).sum::<f64>())
    }

    /// The closed ring, counter-clockwise unless `clockwise`.
    fn ring(&self, clockwise: bool) -> LineString<f64> {
        let sign = if clockwise { -1.0 } else { 1.0 };
        let mut pts: Vec<Coord<f64>> = (0..self.n)
            .map(|i| {
                let theta = self.start + sign * TAU * i as f64 / self.n as f64;
                let rho = self.at(theta);
                Coord { x: self.cx + rho * theta.cos(), y: self.cy + rho * theta.sin() }
            })
            .collect();
        pts.push(pts[0]);
        LineString::new(pts)
    }
}

/// One connected part of a QPV: an outer blob and maybe a hole (a park).
#[derive(Debug, Clone)]
pub struct Part {
    pub outer: Radial,
    pub hole: Option<Radial>,
}

impl Part {
    fn polygon(&self) -> Polygon<f64> {
        let holes = self.hole.iter().map(|h| h.ring(true)).collect();
        Polygon::new(self.outer.ring(false), holes)
    }

    /// A point well inside the part (not in the hole), uniform in area.
    fn sample_inside(&self, rng: &mut ChaCha8Rng) -> (f64, f64) {
        let theta = rng.random_range(0.0..TAU);
        let hi = 0.86 * self.outer.at(theta) - 10.0;
        let lo = self.hole.as_ref().map_or(0.0, |h| h.max_radius() + 40.0);
        let u: f64 = rng.random();
        let rho = (lo * lo + u * (hi * hi - lo * lo)).sqrt();
        (self.outer.cx + rho * theta.cos(), self.outer.cy + rho * theta.sin())
    }
}

/// One QPV: its scenario and its Lambert-93 shape.
#[derive(Debug)]
pub struct Qpv {
    pub story: &'static QpvStory,
    pub parts: Vec<Part>,
    /// The shape in Lambert-93 (one polygon per part).
    pub shape: MultiPolygon<f64>,
}

impl Qpv {
    /// Area in m².
    pub fn area_m2(&self) -> f64 {
        self.shape.unsigned_area()
    }

    /// True when the Lambert-93 point lies inside.
    pub fn contains(&self, x: f64, y: f64) -> bool {
        self.shape.contains(&Point::new(x, y))
    }

    /// A point well inside the QPV, uniform in area across its parts.
    pub fn sample_inside(&self, rng: &mut ChaCha8Rng) -> (f64, f64) {
        let areas: Vec<f64> = self.shape.0.iter().map(Area::unsigned_area).collect();
        let total: f64 = areas.iter().sum();
        let mut pick = rng.random_range(0.0..total);
        for (part, a) in self.parts.iter().zip(&areas) {
            if pick < *a {
                return part.sample_inside(rng);
            }
            pick -= a;
        }
        // Rounding left `pick` past the last part: use the last part.
        self.parts.last().map_or(CENTRE, |p| p.sample_inside(rng))
    }
}

/// The whole city in Lambert-93.
#[derive(Debug)]
pub struct City {
    /// The commune outline (the union of the IRIS), checked by the tests; not written out.
    #[allow(dead_code, reason = "read by the unit tests")]
    pub commune: Polygon<f64>,
    pub iris: Vec<Iris>,
    pub qpv: Vec<Qpv>,
}

impl City {
    /// Builds the commune, its IRIS and its QPV (fixed order of random draws).
    pub fn build(rng: &mut ChaCha8Rng) -> City {
        let nodes = grid_nodes(rng);
        let (h_edges, v_edges) = grid_edges(rng, &nodes);

        let mut iris = Vec::with_capacity(COLS * ROWS);
        for row in 0..ROWS {
            for col in 0..COLS {
                let mut ring: Vec<Coord<f64>> = Vec::new();
                append(&mut ring, &h_edges[row][col], false);
                append(&mut ring, &v_edges[col + 1][row], false);
                append(&mut ring, &h_edges[row + 1][col], true);
                append(&mut ring, &v_edges[col][row], true);
                ring.push(ring[0]);
                let typ = if ACTIVITY_CELLS.contains(&(col, row)) {
                    IrisType::Activite
                } else if PARK_CELLS.contains(&(col, row)) {
                    IrisType::Divers
                } else {
                    IrisType::Habitat
                };
                iris.push(Iris {
                    code: format!("{COMMUNE}{:02}{:02}", row + 1, col + 1),
                    name: IRIS_NAMES[row * COLS + col],
                    typ,
                    row,
                    polygon: Polygon::new(LineString::new(ring), vec![]),
                });
            }
        }

        let mut outline: Vec<Coord<f64>> = Vec::new();
        for edge in &h_edges[0] {
            append(&mut outline, edge, false);
        }
        for edge in &v_edges[COLS] {
            append(&mut outline, edge, false);
        }
        for edge in h_edges[ROWS].iter().rev() {
            append(&mut outline, edge, true);
        }
        for edge in v_edges[0].iter().rev() {
            append(&mut outline, edge, true);
        }
        outline.push(outline[0]);
        let commune = Polygon::new(LineString::new(outline), vec![]);

        let qpv = QPV_STORIES.iter().map(|story| build_qpv(rng, story)).collect();
        City { commune, iris, qpv }
    }

    /// Index of the IRIS containing a Lambert-93 point.
    pub fn iris_at(&self, x: f64, y: f64) -> Option<usize> {
        let p = Point::new(x, y);
        self.iris.iter().position(|i| i.polygon.contains(&p))
    }

    /// Index of the QPV containing a Lambert-93 point.
    pub fn qpv_at(&self, x: f64, y: f64) -> Option<usize> {
        self.qpv.iter().position(|q| q.contains(x, y))
    }

    /// `coverage[i][k]`: share of the area of IRIS `i` inside QPV `k`.
    pub fn coverage(&self) -> Vec<Vec<f64>> {
        self.iris
            .iter()
            .map(|iris| {
                let a = iris.polygon.unsigned_area();
                self.qpv.iter().map(|q| iris.polygon.intersection(&q.shape).unsigned_area() / a).collect()
            })
            .collect()
    }
}

/// Appends an edge's points except its last one (the next edge starts there), reversed if asked.
fn append(ring: &mut Vec<Coord<f64>>, edge: &[Coord<f64>], reversed: bool) {
    if reversed {
        ring.extend(edge.iter().rev().take(edge.len() - 1));
    } else {
        ring.extend(edge.iter().take(edge.len() - 1));
    }
}

/// Jittered grid nodes, `nodes[row][col]`, rows from the south.
fn grid_nodes(rng: &mut ChaCha8Rng) -> Vec<Vec<Coord<f64>>> {
    let x0 = CENTRE.0 - WIDTH / 2.0;
    let y0 = CENTRE.1 - HEIGHT / 2.0;
    (0..=ROWS)
        .map(|row| {
            (0..=COLS)
                .map(|col| {
                    let on_x_border = col == 0 || col == COLS;
                    let on_y_border = row == 0 || row == ROWS;
                    let jx = if on_x_border { OUTLINE_JITTER } else { INNER_JITTER };
                    let jy = if on_y_border { OUTLINE_JITTER } else { INNER_JITTER };
                    let dx = rng.random_range(-jx..=jx) * CELL_W;
                    let dy = rng.random_range(-jy..=jy) * CELL_H;
                    Coord { x: x0 + col as f64 * CELL_W + dx, y: y0 + row as f64 * CELL_H + dy }
                })
                .collect()
        })
        .collect()
}

/// One grid edge from `a` to `b` with two intermediate points pushed sideways.
fn wiggly_edge(rng: &mut ChaCha8Rng, a: Coord<f64>, b: Coord<f64>) -> Vec<Coord<f64>> {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len = dx.hypot(dy);
    let (nx, ny) = (-dy / len, dx / len);
    let mut pts = vec![a];
    for t0 in [1.0 / 3.0, 2.0 / 3.0] {
        let t = t0 + rng.random_range(-0.05..=0.05);
        let off = rng.random_range(-EDGE_WIGGLE..=EDGE_WIGGLE) * len;
        pts.push(Coord { x: a.x + t * dx + off * nx, y: a.y + t * dy + off * ny });
    }
    pts.push(b);
    pts
}

type Edges = Vec<Vec<Vec<Coord<f64>>>>;

/// Horizontal edges `h[row][col]` (node (row, col) → (row, col + 1)) and vertical edges
/// `v[col][row]` (node (row, col) → (row + 1, col)); each edge is computed once and shared.
fn grid_edges(rng: &mut ChaCha8Rng, nodes: &[Vec<Coord<f64>>]) -> (Edges, Edges) {
    let h = (0..=ROWS)
        .map(|row| (0..COLS).map(|col| wiggly_edge(rng, nodes[row][col], nodes[row][col + 1])).collect())
        .collect();
    let v = (0..=COLS)
        .map(|col| (0..ROWS).map(|row| wiggly_edge(rng, nodes[row][col], nodes[row + 1][col])).collect())
        .collect();
    (h, v)
}

fn build_qpv(rng: &mut ChaCha8Rng, story: &'static QpvStory) -> Qpv {
    let parts: Vec<Part> = story
        .parts
        .iter()
        .enumerate()
        .map(|(i, &(dx, dy, r))| {
            let (cx, cy) = (CENTRE.0 + dx, CENTRE.1 + dy);
            let n = rng.random_range(24..=40);
            let outer = Radial::random(rng, cx, cy, r, [0.14, 0.10, 0.05], n);
            let hole = match story.hole {
                Some(frac) if i == 0 => {
                    let n = rng.random_range(16..=20);
                    Some(Radial::random(rng, cx, cy, r * frac, [0.08, 0.05, 0.0], n))
                }
                _ => None,
            };
            Part { outer, hole }
        })
        .collect();
    let shape = MultiPolygon::new(parts.iter().map(Part::polygon).collect());
    Qpv { story, parts, shape }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use geo::{Intersects, Validation};
    use rand::SeedableRng;

    use super::*;

    fn city() -> City {
        City::build(&mut super::super::rng(super::super::stream::CITY))
    }

    fn ring_is_closed(ls: &LineString<f64>) -> bool {
        ls.0.first() == ls.0.last() && ls.0.len() >= 4
    }

    #[test]
    fn iris_tile_the_commune_exactly() {
        let c = city();
        assert_eq!(c.iris.len(), 48);
        let sum: f64 = c.iris.iter().map(|i| i.polygon.unsigned_area()).sum();
        let commune = c.commune.unsigned_area();
        assert!(((sum - commune) / commune).abs() < 1e-6, "sum {sum} vs commune {commune}");
        assert!(c.commune.is_valid());
        assert!((commune / 1e6 - 63.0).abs() < 3.0, "commune area {} km²", commune / 1e6);
        for i in &c.iris {
            assert!(i.polygon.is_valid(), "{} invalid", i.code);
            assert!(i.polygon.signed_area() > 0.0, "{} not counter-clockwise", i.code);
            assert!(ring_is_closed(i.polygon.exterior()));
        }
        // No overlap: the pairwise intersections have no area.
        for (a, ia) in c.iris.iter().enumerate() {
            for ib in &c.iris[a + 1..] {
                let inter = ia.polygon.intersection(&ib.polygon).unsigned_area();
                assert!(inter < 1e-3, "{} and {} overlap by {inter} m²", ia.code, ib.code);
            }
        }
    }

    #[test]
    fn iris_codes_and_types() {
        let c = city();
        assert_eq!(c.iris[0].code, "990010101");
        assert_eq!(c.iris[47].code, "990010608");
        assert_eq!(c.iris.iter().filter(|i| i.typ == IrisType::Activite).count(), 2);
        assert_eq!(c.iris.iter().filter(|i| i.typ == IrisType::Divers).count(), 1);
        let mut codes: Vec<&str> = c.iris.iter().map(|i| i.code.as_str()).collect();
        codes.dedup();
        assert_eq!(codes.len(), 48);
    }

    #[test]
    fn qpv_are_valid_disjoint_and_inside_the_commune() {
        let c = city();
        assert_eq!(c.qpv.len(), 11);
        for q in &c.qpv {
            assert!(q.shape.is_valid(), "{} invalid", q.story.code);
            let km2 = q.area_m2() / 1e6;
            assert!((0.2..=1.2).contains(&km2), "{} covers {km2} km²", q.story.code);
            assert!(c.commune.contains(&q.shape), "{} leaves the commune", q.story.code);
            for p in &q.shape.0 {
                assert!(p.signed_area() > 0.0);
                assert!(ring_is_closed(p.exterior()));
                let n = p.exterior().0.len() - 1;
                assert!((24..=40).contains(&n), "{} has {n} vertices", q.story.code);
                for hole in p.interiors() {
                    assert!(ring_is_closed(hole));
                    assert!(Polygon::new(hole.clone(), vec![]).signed_area() < 0.0, "hole not clockwise");
                }
            }
            // Away from the activity and park IRIS.
            for i in c.iris.iter().filter(|i| i.typ != IrisType::Habitat) {
                assert!(!i.polygon.intersects(&q.shape), "{} touches {}", q.story.code, i.code);
            }
        }
        for (a, qa) in c.qpv.iter().enumerate() {
            for qb in &c.qpv[a + 1..] {
                assert!(!qa.shape.intersects(&qb.shape), "{} and {} meet", qa.story.code, qb.story.code);
            }
        }
        assert!(c.qpv.iter().any(|q| q.shape.0.len() == 2));
        assert!(c.qpv.iter().any(|q| q.shape.0.iter().any(|p| !p.interiors().is_empty())));
    }

    #[test]
    fn qpv_cross_iris_boundaries() {
        let c = city();
        let cov = c.coverage();
        for (k, q) in c.qpv.iter().enumerate() {
            let n = cov.iter().filter(|row| row[k] > 1e-4).count();
            assert!(n >= 2, "{} lies in a single IRIS", q.story.code);
            // Coverage shares add back to the QPV's area.
            let back: f64 = cov.iter().zip(&c.iris).map(|(row, i)| row[k] * i.polygon.unsigned_area()).sum();
            assert!((back - q.area_m2()).abs() / q.area_m2() < 1e-6);
        }
    }

    #[test]
    fn samples_fall_well_inside() {
        let c = city();
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for q in &c.qpv {
            for _ in 0..200 {
                let (x, y) = q.sample_inside(&mut rng);
                assert!(q.contains(x, y), "{} sample outside", q.story.code);
                // A 20 m step in any direction stays inside.
                for (dx, dy) in [(20.0, 0.0), (-20.0, 0.0), (0.0, 20.0), (0.0, -20.0)] {
                    assert!(q.contains(x + dx, y + dy), "{} sample too close to the edge", q.story.code);
                }
            }
        }
    }
}
