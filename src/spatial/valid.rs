//! Where the rings of a polygon meet: the contacts between non-adjacent edges, found with an R-tree of
//! the edges in O(n log n) (a 1,000,000-vertex ring is checked in about a second), with exact
//! predicates (geo's robust `orient2d`).
//!
//! OGC validity as fracture checks it ([`check_polygon`]): every ring is simple (no two non-adjacent
//! edges of a ring meet, not even at a point); two rings of a polygon never cross nor share a stretch
//! of boundary (they may touch at points: a hole touching its shell at one vertex is valid); every hole
//! lies inside its shell and outside the other holes. [`super::repair`] uses the contacts to split a
//! ring where it touches or crosses itself.

use geo::kernels::{Kernel, Orientation, RobustKernel};
use geo::{Coord, Polygon};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, RTreeObject};

/// How two edges meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// They cross at a point inside both.
    Cross,
    /// They meet at a point that is an end of at least one of them.
    Touch,
    /// They are collinear and share a stretch.
    Overlap,
}

/// Two edges meeting: ring and edge index of each (edge `i` runs from vertex `i` to `i + 1`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Contact {
    pub ring_a: usize,
    pub edge_a: usize,
    pub ring_b: usize,
    pub edge_b: usize,
    pub kind: Kind,
    /// The crossing point, the touching point, or one end of the shared stretch.
    pub at: Coord<f64>,
    /// The other end of the shared stretch (`Overlap` only; else `at`).
    pub to: Coord<f64>,
}

/// Why a polygon is not valid.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Violation {
    /// Rings `ring_a` and `ring_b` (the same ring when equal) meet where they may not.
    Contact(Contact),
    /// Hole `ring` (1-based among the rings: the exterior is ring 0) is not inside the exterior.
    HoleOutside { ring: usize, at: Coord<f64> },
    /// Hole `ring` lies inside hole `other`.
    HolesOverlap { ring: usize, other: usize, at: Coord<f64> },
}

fn orient(a: Coord<f64>, b: Coord<f64>, c: Coord<f64>) -> i8 {
    match RobustKernel::orient2d(a, b, c) {
        Orientation::CounterClockwise => 1,
        Orientation::Clockwise => -1,
        Orientation::Collinear => 0,
    }
}

fn within_box(a: Coord<f64>, b: Coord<f64>, p: Coord<f64>) -> bool {
    p.x >= a.x.min(b.x) && p.x <= a.x.max(b.x) && p.y >= a.y.min(b.y) && p.y <= a.y.max(b.y)
}

/// How segments `a0a1` and `b0b1` meet, if they do (both of non-zero length).
pub fn segment_contact(
    a0: Coord<f64>,
    a1: Coord<f64>,
    b0: Coord<f64>,
    b1: Coord<f64>,
) -> Option<(Kind, Coord<f64>, Coord<f64>)> {
    let (d1, d2) = (orient(b0, b1, a0), orient(b0, b1, a1));
    let (d3, d4) = (orient(a0, a1, b0), orient(a0, a1, b1));
    if d1 == 0 && d2 == 0 {
        // Collinear: the shared stretch, if any.
        let mut on: Vec<Coord<f64>> = Vec::with_capacity(4);
        for (p, s0, s1) in [(a0, b0, b1), (a1, b0, b1), (b0, a0, a1), (b1, a0, a1)] {
            if within_box(s0, s1, p) && !on.contains(&p) {
                on.push(p);
            }
        }
        return match on.len() {
            0 => None,
            1 => Some((Kind::Touch, on[0], on[0])),
            _ => Some((Kind::Overlap, on[0], on[1])),
        };
    }
    if d1 * d2 < 0 && d3 * d4 < 0 {
        let p = crossing_point(a0, a1, b0, b1);
        return Some((Kind::Cross, p, p));
    }
    for (d, p, s0, s1) in [(d1, a0, b0, b1), (d2, a1, b0, b1), (d3, b0, a0, a1), (d4, b1, a0, a1)] {
        if d == 0 && within_box(s0, s1, p) {
            return Some((Kind::Touch, p, p));
        }
    }
    None
}

/// The point where two properly crossing segments cross (float64, relative to `a0` for precision).
fn crossing_point(a0: Coord<f64>, a1: Coord<f64>, b0: Coord<f64>, b1: Coord<f64>) -> Coord<f64> {
    let (r, s) = (a1 - a0, b1 - b0);
    let denom = r.x * s.y - r.y * s.x;
    let q = b0 - a0;
    let t = ((q.x * s.y - q.y * s.x) / denom).clamp(0.0, 1.0);
    Coord { x: a0.x + t * r.x, y: a0.y + t * r.y }
}

type Edge = GeomWithData<Rectangle<[f64; 2]>, (usize, usize)>;

/// Every contact between non-adjacent edges of `rings` (each closed: last position = first), in a
/// deterministic order; with `first_only`, stops at the first one `keep` accepts.
pub fn contacts(rings: &[&[Coord<f64>]], first_only: bool, keep: impl Fn(&Contact) -> bool) -> Vec<Contact> {
    let mut edges = Vec::new();
    for (r, ring) in rings.iter().enumerate() {
        for i in 0..ring.len().saturating_sub(1) {
            let (a, b) = (ring[i], ring[i + 1]);
            if a != b {
                let env = Rectangle::from_corners([a.x.min(b.x), a.y.min(b.y)], [a.x.max(b.x), a.y.max(b.y)]);
                edges.push(GeomWithData::new(env, (r, i)));
            }
        }
    }
    let tree: RTree<Edge> = RTree::bulk_load(edges.clone());
    let mut out = Vec::new();
    for e in &edges {
        let (r, i) = e.data;
        let ring = rings[r];
        let m = ring.len() - 1;
        let mut found: Vec<&Edge> = tree
            .locate_in_envelope_intersecting(&e.envelope())
            .filter(|o| o.data > (r, i)) // each pair once
            .collect();
        found.sort_by_key(|o| o.data);
        for o in found {
            let (r2, j) = o.data;
            let adjacent = r == r2 && (j == i + 1 || (i == 0 && j + 1 == m));
            if adjacent {
                continue;
            }
            let other = rings[r2];
            if let Some((kind, at, to)) = segment_contact(ring[i], ring[i + 1], other[j], other[j + 1]) {
                let c = Contact { ring_a: r, edge_a: i, ring_b: r2, edge_b: j, kind, at, to };
                if keep(&c) {
                    out.push(c);
                    if first_only {
                        return out;
                    }
                }
            }
        }
    }
    out
}

/// Where `p` is with respect to a closed ring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Inside,
    Outside,
    Boundary,
}

/// The position of `p` with respect to the closed `ring` (winding number, exact predicates).
pub fn side_of(p: Coord<f64>, ring: &[Coord<f64>]) -> Side {
    let mut winding = 0i64;
    for w in ring.windows(2) {
        let (a, b) = (w[0], w[1]);
        let o = orient(a, b, p);
        if o == 0 && within_box(a, b, p) {
            return Side::Boundary;
        }
        if a.y <= p.y && b.y > p.y && o > 0 {
            winding += 1;
        } else if a.y > p.y && b.y <= p.y && o < 0 {
            winding -= 1;
        }
    }
    if winding != 0 { Side::Inside } else { Side::Outside }
}

/// Inside or outside of `ring`, judged at the first vertex of `of` not on its boundary (`None`
/// when every vertex is on it).
pub fn ring_inside(of: &[Coord<f64>], ring: &[Coord<f64>]) -> Option<(bool, Coord<f64>)> {
    of.iter().find_map(|&p| match side_of(p, ring) {
        Side::Boundary => None,
        s => Some((s == Side::Inside, p)),
    })
}

/// The first reason `polygon` is not valid (see the module header), or `Ok`.
pub fn check_polygon(polygon: &Polygon<f64>) -> Result<(), Violation> {
    let rings: Vec<&[Coord<f64>]> =
        std::iter::once(polygon.exterior()).chain(polygon.interiors()).map(|r| r.0.as_slice()).collect();
    let bad = contacts(&rings, true, |c| c.ring_a == c.ring_b || c.kind != Kind::Touch);
    if let Some(c) = bad.first() {
        return Err(Violation::Contact(*c));
    }
    let exterior = rings[0];
    for (h, hole) in rings.iter().enumerate().skip(1) {
        match ring_inside(hole, exterior) {
            Some((false, at)) => return Err(Violation::HoleOutside { ring: h, at }),
            None => return Err(Violation::HoleOutside { ring: h, at: hole[0] }),
            Some((true, _)) => {}
        }
        for (g, other) in rings.iter().enumerate().skip(1) {
            if g != h
                && let Some((true, at)) = ring_inside(hole, other)
            {
                return Err(Violation::HolesOverlap { ring: h, other: g, at });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use super::*;
    use geo::LineString;

    fn ring(pts: &[(f64, f64)]) -> LineString<f64> {
        LineString::from(pts.to_vec())
    }

    const SQUARE: [(f64, f64); 5] = [(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0), (0.0, 0.0)];

    #[test]
    fn segments_cross_touch_and_overlap() {
        let c = |x: f64, y: f64| Coord { x, y };
        let cross = segment_contact(c(0.0, 0.0), c(2.0, 2.0), c(0.0, 2.0), c(2.0, 0.0)).unwrap();
        assert_eq!((cross.0, cross.1), (Kind::Cross, c(1.0, 1.0)));
        let touch = segment_contact(c(0.0, 0.0), c(2.0, 0.0), c(1.0, 0.0), c(1.0, 3.0)).unwrap();
        assert_eq!((touch.0, touch.1), (Kind::Touch, c(1.0, 0.0)));
        let overlap = segment_contact(c(0.0, 0.0), c(2.0, 0.0), c(1.0, 0.0), c(3.0, 0.0)).unwrap();
        assert_eq!(overlap, (Kind::Overlap, c(2.0, 0.0), c(1.0, 0.0)));
        assert_eq!(segment_contact(c(0.0, 0.0), c(1.0, 0.0), c(2.0, 0.0), c(3.0, 0.0)), None);
        assert_eq!(segment_contact(c(0.0, 0.0), c(1.0, 1.0), c(0.0, 1.0), c(0.2, 0.9)), None);
    }

    #[test]
    fn a_square_with_a_hole_is_valid_and_a_bowtie_is_not() {
        let hole = ring(&[(1.0, 1.0), (1.0, 2.0), (2.0, 2.0), (2.0, 1.0), (1.0, 1.0)]);
        assert_eq!(check_polygon(&Polygon::new(ring(&SQUARE), vec![hole])), Ok(()));
        let bowtie = ring(&[(0.0, 0.0), (2.0, 2.0), (2.0, 0.0), (0.0, 2.0), (0.0, 0.0)]);
        match check_polygon(&Polygon::new(bowtie, vec![])) {
            Err(Violation::Contact(c)) => {
                assert_eq!((c.ring_a, c.ring_b, c.kind), (0, 0, Kind::Cross));
                assert_eq!(c.at, Coord { x: 1.0, y: 1.0 });
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_hole_may_touch_its_shell_at_a_point_but_not_lie_outside_or_in_another_hole() {
        let touching = ring(&[(0.0, 2.0), (1.0, 3.0), (1.0, 1.0), (0.0, 2.0)]);
        assert_eq!(check_polygon(&Polygon::new(ring(&SQUARE), vec![touching])), Ok(()));
        let outside = ring(&[(5.0, 5.0), (5.0, 6.0), (6.0, 6.0), (5.0, 5.0)]);
        assert!(matches!(
            check_polygon(&Polygon::new(ring(&SQUARE), vec![outside])),
            Err(Violation::HoleOutside { ring: 1, .. })
        ));
        let big = ring(&[(1.0, 1.0), (1.0, 3.0), (3.0, 3.0), (3.0, 1.0), (1.0, 1.0)]);
        let small = ring(&[(1.5, 1.5), (1.5, 2.0), (2.0, 2.0), (1.5, 1.5)]);
        assert!(matches!(
            check_polygon(&Polygon::new(ring(&SQUARE), vec![big, small])),
            Err(Violation::HolesOverlap { ring: 2, other: 1, .. })
        ));
        let crossing = ring(&[(3.0, 1.0), (5.0, 1.0), (5.0, 2.0), (3.0, 2.0), (3.0, 1.0)]);
        assert!(matches!(
            check_polygon(&Polygon::new(ring(&SQUARE), vec![crossing])),
            Err(Violation::Contact(Contact { ring_a: 0, ring_b: 1, kind: Kind::Cross, .. }))
        ));
    }

    #[test]
    fn a_ring_touching_itself_at_a_vertex_is_not_simple() {
        // Two squares sharing the corner (2, 2), drawn as one ring.
        let eight = ring(&[
            (0.0, 0.0),
            (2.0, 0.0),
            (2.0, 2.0),
            (4.0, 2.0),
            (4.0, 4.0),
            (2.0, 4.0),
            (2.0, 2.0),
            (0.0, 2.0),
            (0.0, 0.0),
        ]);
        match check_polygon(&Polygon::new(eight, vec![])) {
            Err(Violation::Contact(c)) => assert_eq!((c.kind, c.at), (Kind::Touch, Coord { x: 2.0, y: 2.0 })),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_large_ring_is_checked_fast() {
        let n = 200_000;
        let mut pts: Vec<(f64, f64)> = (0..n)
            .map(|k| {
                let t = k as f64 / n as f64 * std::f64::consts::TAU;
                (700_000.0 + 5_000.0 * t.cos(), 6_600_000.0 + 5_000.0 * t.sin())
            })
            .collect();
        pts.push(pts[0]);
        let t = std::time::Instant::now();
        assert_eq!(check_polygon(&Polygon::new(ring(&pts), vec![])), Ok(()));
        assert!(t.elapsed().as_secs() < 20, "{:?}", t.elapsed());
    }
}
