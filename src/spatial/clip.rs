//! The area of the intersection of two multipolygons, in plain float64 — no snapping to a grid.
//!
//! geo's `BooleanOps` (i_overlay) snaps every coordinate to an integer grid of 2⁻²⁹ of the pair's
//! extent: an overlap's area then differs from an exact float64 overlay (GEOS, shapely, geopandas) by
//! up to 1e-6 relative on slivers. Areal interpolation only needs the *area* of `A ∩ B`, which Green's
//! theorem gives from the boundary alone: `2·area(A ∩ B) = ∮ x dy − y dx` over
//! - the pieces of A's edges inside B,
//! - the pieces of B's edges inside A,
//! - the pieces of edges A and B share, once, when both interiors lie on the same side (same
//!   direction, rings being oriented exterior counter-clockwise, holes clockwise).
//!
//! Each edge is split where the other's edges cross or touch it; each piece is classified by its
//! midpoint (winding number with geo's robust predicates); collinear overlaps are found exactly
//! (robust orientation), never by a midpoint. Pieces are summed relative to a local origin, as GEOS
//! does, so large Lambert-93 coordinates lose no precision. Expects valid polygons (OGC): rings that do
//! not cross themselves, parts that do not overlap. R-trees over the edges keep the cost near
//! `(n + m) log(n + m)` for rings of `n` and `m` edges.

use geo::kernels::{Kernel, Orientation, RobustKernel};
use geo::{BoundingRect, Coord, MultiPolygon, Orient, orient::Direction};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

type Seg = GeomWithData<Rectangle<[f64; 2]>, (Coord<f64>, Coord<f64>)>;

/// The edges of a multipolygon, oriented (exterior counter-clockwise, holes clockwise) and indexed.
pub struct Edges {
    tree: RTree<Seg>,
    min: [f64; 2],
    max: [f64; 2],
}

impl Edges {
    /// Indexes the edges of `mp` (degenerate, zero-length edges left out).
    pub fn new(mp: &MultiPolygon<f64>) -> Edges {
        let oriented = mp.orient(Direction::Default);
        let mut segs = Vec::new();
        for p in &oriented.0 {
            for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
                for l in ring.lines() {
                    if l.start != l.end {
                        segs.push(GeomWithData::new(
                            Rectangle::from_corners(
                                [l.start.x.min(l.end.x), l.start.y.min(l.end.y)],
                                [l.start.x.max(l.end.x), l.start.y.max(l.end.y)],
                            ),
                            (l.start, l.end),
                        ));
                    }
                }
            }
        }
        let (min, max) = match mp.bounding_rect() {
            Some(r) => ([r.min().x, r.min().y], [r.max().x, r.max().y]),
            None => ([0.0, 0.0], [0.0, 0.0]),
        };
        Edges { tree: RTree::bulk_load(segs), min, max }
    }

    fn is_empty(&self) -> bool {
        self.tree.size() == 0
    }

    /// Winding number of `m` (non-zero inside), or `None` when `m` lies on an edge.
    fn winding(&self, m: Coord<f64>) -> Option<i32> {
        if m.x > self.max[0] || m.y < self.min[1] || m.y > self.max[1] || m.x < self.min[0] {
            return Some(0);
        }
        let ray = AABB::from_corners([m.x, m.y], [self.max[0], m.y]);
        let mut w = 0;
        for s in self.tree.locate_in_envelope_intersecting(&ray) {
            let (a, b) = s.data;
            let o = RobustKernel::orient2d(a, b, m);
            if o == Orientation::Collinear
                && m.x >= a.x.min(b.x)
                && m.x <= a.x.max(b.x)
                && m.y >= a.y.min(b.y)
                && m.y <= a.y.max(b.y)
            {
                return None;
            }
            if a.y <= m.y {
                if b.y > m.y && o == Orientation::CounterClockwise {
                    w += 1;
                }
            } else if b.y <= m.y && o == Orientation::Clockwise {
                w -= 1;
            }
        }
        Some(w)
    }
}

/// How a piece of an edge of one ring relates to the other multipolygon.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Inside,
    Outside,
    /// On a shared edge running the same way (both interiors on the same side).
    SharedSame,
    /// On a shared edge running the other way.
    SharedOpposite,
}

/// Twice the signed area contributed by the pieces of `from`'s edges that bound `from ∩ other`,
/// relative to `origin`; shared pieces count only when `shared_counts`.
fn boundary_sum(from: &Edges, other: &Edges, origin: Coord<f64>, shared_counts: bool) -> f64 {
    let mut sum = 0.0;
    let mut cuts: Vec<f64> = Vec::new();
    let mut shared: Vec<(f64, f64, bool)> = Vec::new();
    let rel = |c: Coord<f64>| Coord { x: c.x - origin.x, y: c.y - origin.y };
    for s in from.tree.iter() {
        let (p, q) = s.data;
        let env = s.geom();
        let (lo, hi) = (env.lower(), env.upper());
        if hi[0] < other.min[0] || lo[0] > other.max[0] || hi[1] < other.min[1] || lo[1] > other.max[1] {
            continue; // outside the other's box: outside it
        }
        let d = q - p;
        let len2 = d.x * d.x + d.y * d.y;
        let param = |x: Coord<f64>| ((x.x - p.x) * d.x + (x.y - p.y) * d.y) / len2;
        cuts.clear();
        shared.clear();
        cuts.extend([0.0, 1.0]);
        for f in other.tree.locate_in_envelope_intersecting(&AABB::from_corners(lo, hi)) {
            let (c, e) = f.data;
            let o1 = RobustKernel::orient2d(p, q, c);
            let o2 = RobustKernel::orient2d(p, q, e);
            if o1 == Orientation::Collinear && o2 == Orientation::Collinear {
                let (tc, te) = (param(c), param(e));
                let (a, b) = (tc.min(te).max(0.0), tc.max(te).min(1.0));
                if a < b {
                    let same = d.x * (e.x - c.x) + d.y * (e.y - c.y) > 0.0;
                    shared.push((a, b, same));
                    cuts.extend([a, b]);
                }
                continue;
            }
            let o3 = RobustKernel::orient2d(c, e, p);
            let o4 = RobustKernel::orient2d(c, e, q);
            if o1 == o2 || (o3 == o4 && o3 != Orientation::Collinear) {
                continue; // both ends of one segment strictly on one side of the other
            }
            let t = if o1 == Orientation::Collinear {
                param(c)
            } else if o2 == Orientation::Collinear {
                param(e)
            } else {
                let g = e - c;
                let den = d.x * g.y - d.y * g.x;
                ((c.x - p.x) * g.y - (c.y - p.y) * g.x) / den
            };
            if t > 0.0 && t < 1.0 {
                cuts.push(t);
            }
        }
        cuts.sort_by(f64::total_cmp);
        cuts.dedup();
        let at = |t: f64| {
            if t <= 0.0 {
                p
            } else if t >= 1.0 {
                q
            } else {
                Coord { x: p.x + t * d.x, y: p.y + t * d.y }
            }
        };
        for w in cuts.windows(2) {
            let (t0, t1) = (w[0], w[1]);
            if t1 <= t0 {
                continue;
            }
            let mid = 0.5 * (t0 + t1);
            let side = match shared.iter().find(|(a, b, _)| *a <= mid && mid <= *b) {
                Some((_, _, true)) => Side::SharedSame,
                Some((_, _, false)) => Side::SharedOpposite,
                None => match other.winding(at(mid)) {
                    Some(0) | None => Side::Outside,
                    Some(_) => Side::Inside,
                },
            };
            let counts = match side {
                Side::Inside => true,
                Side::SharedSame => shared_counts,
                Side::Outside | Side::SharedOpposite => false,
            };
            if counts {
                let (a, b) = (rel(at(t0)), rel(at(t1)));
                sum += a.x * b.y - a.y * b.x;
            }
        }
    }
    sum
}

/// `area(a ∩ b)` from indexed edges (see the module header).
///
/// # Examples
/// ```
/// use fracture::spatial::clip::{Edges, intersection_area};
/// use geo::{MultiPolygon, polygon};
/// let rect = |x0: f64, y0: f64, x1: f64, y1: f64| {
///     MultiPolygon(vec![polygon![(x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1)]])
/// };
/// let (a, b) = (Edges::new(&rect(0.0, 0.0, 100.0, 100.0)), Edges::new(&rect(99.995, -10.0, 110.0, 110.0)));
/// // A 5 mm strip, to the last bits of float64 (BooleanOps gives 0.4999995).
/// assert!((intersection_area(&a, &b) - 0.5).abs() < 1e-12);
/// // Identical squares share every edge: counted once.
/// assert_eq!(intersection_area(&a, &a), 10_000.0);
/// // Touching squares: no area.
/// assert_eq!(intersection_area(&a, &Edges::new(&rect(100.0, 0.0, 200.0, 100.0))), 0.0);
/// ```
pub fn intersection_area(a: &Edges, b: &Edges) -> f64 {
    if a.is_empty()
        || b.is_empty()
        || a.max[0] < b.min[0]
        || b.max[0] < a.min[0]
        || a.max[1] < b.min[1]
        || b.max[1] < a.min[1]
    {
        return 0.0;
    }
    let origin = Coord { x: a.min[0], y: a.min[1] };
    let twice = boundary_sum(a, b, origin, true) + boundary_sum(b, a, origin, false);
    (0.5 * twice).max(0.0)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use super::*;
    use geo::{Area, BooleanOps, Contains, LineString, Polygon};
    use rand::{Rng, SeedableRng};

    fn ring(pts: &[(f64, f64)]) -> LineString<f64> {
        let mut v: Vec<Coord<f64>> = pts.iter().map(|&(x, y)| Coord { x, y }).collect();
        v.push(v[0]);
        LineString(v)
    }

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> LineString<f64> {
        ring(&[(x0, y0), (x1, y0), (x1, y1), (x0, y1)])
    }

    fn area(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> f64 {
        intersection_area(&Edges::new(a), &Edges::new(b))
    }

    #[test]
    fn holes_parts_vertices_and_shared_edges() {
        // A: 100 × 100 with a 20 × 20 hole (area 9 600) plus a second part far east.
        let a = MultiPolygon(vec![
            Polygon::new(rect(0.0, 0.0, 100.0, 100.0), vec![rect(40.0, 40.0, 60.0, 60.0)]),
            Polygon::new(rect(500.0, 0.0, 510.0, 10.0), vec![]),
        ]);
        let left = MultiPolygon(vec![Polygon::new(rect(-5.0, -5.0, 50.0, 105.0), vec![])]);
        assert_eq!(area(&a, &left), 4_800.0);
        assert_eq!(area(&left, &a), 4_800.0, "symmetric");
        // The hole exactly: no area; the hole's edges shared in the opposite direction.
        let hole = MultiPolygon(vec![Polygon::new(rect(40.0, 40.0, 60.0, 60.0), vec![])]);
        assert_eq!(area(&a, &hole), 0.0);
        // Same ring, clockwise (orientation is normalised), covering the second part and half the first.
        let cw = MultiPolygon(vec![Polygon::new(
            ring(&[(50.0, -1.0), (50.0, 101.0), (600.0, 101.0), (600.0, -1.0)]),
            vec![],
        )]);
        assert_eq!(area(&a, &cw), 100.0 + 4_800.0);
        // A diamond touching the square at a vertex only, and one sharing half an edge.
        let diamond = MultiPolygon(vec![Polygon::new(
            ring(&[(100.0, 100.0), (110.0, 110.0), (100.0, 120.0), (90.0, 110.0)]),
            vec![],
        )]);
        assert_eq!(area(&a, &diamond), 0.0);
        let half_edge = MultiPolygon(vec![Polygon::new(rect(50.0, 90.0, 150.0, 100.0), vec![])]);
        assert_eq!(area(&a, &half_edge), 500.0);
    }

    /// Property: random star polygons with holes, on Lambert-93-sized coordinates, against BooleanOps
    /// within its grid's error (2⁻²⁹ of the extent per coordinate).
    #[test]
    fn agrees_with_boolean_ops_on_random_polygons() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(31);
        let star = |rng: &mut rand_chacha::ChaCha8Rng, cx: f64, cy: f64, r: f64| {
            let n = rng.random_range(3..40);
            let mut angles: Vec<f64> = (0..n).map(|_| rng.random_range(0.0..std::f64::consts::TAU)).collect();
            angles.sort_by(f64::total_cmp);
            angles.dedup();
            let pts: Vec<(f64, f64)> = angles
                .iter()
                .map(|t| {
                    let k = rng.random_range(0.5..1.0) * r;
                    (cx + k * t.cos(), cy + k * t.sin())
                })
                .collect();
            ring(&pts)
        };
        let (x0, y0) = (1_050_000.0, 6_840_000.0);
        for round in 0..300 {
            // A star with, sometimes, a square hole around its centre (when the star holds it: a star
            // of few points may leave its centre outside).
            let zone = |rng: &mut rand_chacha::ChaCha8Rng| {
                let (cx, cy) = (x0 + rng.random_range(0.0..100.0), y0 + rng.random_range(0.0..100.0));
                let outer = star(rng, cx, cy, 100.0);
                let hole = Polygon::new(rect(cx - 10.0, cy - 10.0, cx + 10.0, cy + 10.0), vec![]);
                let holes = if rng.random_bool(0.4) && Polygon::new(outer.clone(), vec![]).contains(&hole) {
                    vec![hole.exterior().clone()]
                } else {
                    vec![]
                };
                MultiPolygon(vec![Polygon::new(outer, holes)])
            };
            let (a, b) = (zone(&mut rng), zone(&mut rng));
            let exact = area(&a, &b);
            let reference = a.intersection(&b).unsigned_area();
            let tol = 1e-6 * a.unsigned_area().max(1.0);
            assert!((exact - reference).abs() < tol, "round {round}: {exact} vs BooleanOps {reference}");
            assert!((area(&b, &a) - exact).abs() < 1e-9 * exact.max(1.0), "round {round}: not symmetric");
            let whole = area(&a, &a);
            assert!((whole - a.unsigned_area()).abs() < 1e-9 * whole, "round {round}: A ∩ A = {whole}");
        }
    }
}
