//! Shapes in Lambert-93 metres: radial blobs (QPV parts and their holes) and the millimetre grid every
//! vertex is put on.
//!
//! Invariants (unit tests below): a blob `r(θ) = r · (1 + Σ a_k cos(kθ + φ_k))` with `Σ a_k < 1` is
//! star-shaped around its centre, hence its ring is simple; exterior rings are counter-clockwise and holes
//! clockwise (RFC 7946); a hole's largest radius is under half its part's smallest, so it lies inside.

use std::f64::consts::TAU;

use geo::{Contains, Coord, LineString, Point, Polygon, Rect};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// A value on the millimetre grid: written as a shortest round-trip decimal, it reads back as itself.
pub fn mm(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// A coordinate on the millimetre grid.
pub fn coord(x: f64, y: f64) -> Coord<f64> {
    Coord { x: mm(x), y: mm(y) }
}

const HARMONICS: [f64; 3] = [2.0, 3.0, 5.0];

/// A closed curve around a centre, drawn with `n` vertices.
#[derive(Debug, Clone)]
pub struct Radial {
    pub cx: f64,
    pub cy: f64,
    pub r: f64,
    terms: [(f64, f64); 3],
    start: f64,
    pub n: usize,
}

impl Radial {
    /// A blob of mean radius `r` whose harmonic amplitudes are drawn in `[0.35, 1] × amps`.
    pub fn random(rng: &mut ChaCha8Rng, cx: f64, cy: f64, r: f64, amps: [f64; 3], n: usize) -> Self {
        let mut terms = [(0.0, 0.0); 3];
        for (t, max) in terms.iter_mut().zip(amps) {
            let a = if max > 0.0 { rng.random_range(max * 0.35..=max) } else { 0.0 };
            *t = (a, rng.random_range(0.0..TAU));
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

    /// Lower bound of the radius.
    pub fn min_radius(&self) -> f64 {
        self.r * (1.0 - self.terms.iter().map(|t| t.0).sum::<f64>())
    }

    /// The closed ring on the millimetre grid, counter-clockwise unless `clockwise`.
    pub fn ring(&self, clockwise: bool) -> LineString<f64> {
        let sign = if clockwise { -1.0 } else { 1.0 };
        let mut pts: Vec<Coord<f64>> = (0..self.n)
            .map(|i| {
                let theta = self.start + sign * TAU * i as f64 / self.n as f64;
                let rho = self.at(theta);
                coord(self.cx + rho * theta.cos(), self.cy + rho * theta.sin())
            })
            .collect();
        pts.push(pts[0]);
        LineString::new(pts)
    }
}

/// One connected part of a QPV: an outer blob, maybe a hole, and the polygon drawn from them.
#[derive(Debug, Clone)]
pub struct Part {
    pub outer: Radial,
    pub hole: Option<Radial>,
    pub polygon: Polygon<f64>,
    pub bbox: Rect<f64>,
}

impl Part {
    pub fn new(outer: Radial, hole: Option<Radial>) -> Self {
        let holes = hole.iter().map(|h| h.ring(true)).collect();
        let polygon = Polygon::new(outer.ring(false), holes);
        let bbox = bounds(polygon.exterior());
        Self { outer, hole, polygon, bbox }
    }

    /// Vertices of its rings, closing points not counted.
    pub fn vertices(&self) -> usize {
        self.outer.n + self.hole.as_ref().map_or(0, |h| h.n)
    }

    /// A point of the part (outside its hole), uniform in area: rejection in the bounding box.
    pub fn sample(&self, rng: &mut ChaCha8Rng) -> Option<(f64, f64)> {
        sample_in(&self.polygon, &self.bbox, rng, |_, _| true)
    }
}

/// The bounding box of a ring.
pub fn bounds(ls: &LineString<f64>) -> Rect<f64> {
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for c in &ls.0 {
        x0 = x0.min(c.x);
        y0 = y0.min(c.y);
        x1 = x1.max(c.x);
        y1 = y1.max(c.y);
    }
    Rect::new(Coord { x: x0, y: y0 }, Coord { x: x1, y: y1 })
}

/// Draws points uniformly in `bbox` until one lies in `polygon` and passes `accept`; `None` after
/// 100,000 tries (the caller treats it as a broken invariant).
pub fn sample_in(
    polygon: &Polygon<f64>,
    bbox: &Rect<f64>,
    rng: &mut ChaCha8Rng,
    accept: impl Fn(f64, f64) -> bool,
) -> Option<(f64, f64)> {
    let (lo, hi) = (bbox.min(), bbox.max());
    for _ in 0..100_000 {
        let x = rng.random_range(lo.x..hi.x);
        let y = rng.random_range(lo.y..hi.y);
        if polygon.contains(&Point::new(x, y)) && accept(x, y) {
            return Some((x, y));
        }
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use geo::{Area, Validation};
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn mm_round_trips_through_text() {
        for v in [712_345.123_456_7, 6_543_210.000_4, -0.0015] {
            let m = mm(v);
            let back: f64 = format!("{m}").parse().unwrap();
            assert_eq!(back, m);
            assert!((m - v).abs() <= 0.000_5 + 1e-9);
        }
    }

    #[test]
    fn blobs_with_holes_are_valid_and_oriented() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for n in [30, 120, 240] {
            let outer = Radial::random(&mut rng, 700_000.0, 6_600_000.0, 500.0, [0.18, 0.12, 0.06], n);
            let hr = outer.min_radius() * 0.3;
            let hole = Radial::random(&mut rng, 700_000.0, 6_600_000.0, hr, [0.1, 0.05, 0.0], 16);
            assert!(hole.max_radius() < 0.5 * outer.min_radius());
            let p = Part::new(outer, Some(hole));
            assert!(p.polygon.is_valid(), "{n} vertices: invalid");
            assert!(LineString::is_closed(p.polygon.exterior()));
            assert!(Polygon::new(p.polygon.exterior().clone(), vec![]).signed_area() > 0.0);
            assert!(Polygon::new(p.polygon.interiors()[0].clone(), vec![]).signed_area() < 0.0);
            assert_eq!(p.vertices(), n + 16);
            for _ in 0..100 {
                let (x, y) = p.sample(&mut rng).unwrap();
                assert!(p.polygon.contains(&Point::new(x, y)));
                assert!(((x - 700_000.0).hypot(y - 6_600_000.0)) > hr * 0.5, "in the hole");
            }
        }
    }
}
