//! A spatial index of polygonal zones for point-in-polygon queries.
//!
//! Each polygon part's bounding box goes into an R-tree (rstar 0.12, the version geo 0.33 uses);
//! a query tests only the parts whose boxes contain the point, then that part's exact geometry
//! (boundary inclusive) — not the whole multipolygon, whose bounding box geo would recompute on every
//! call (measured in `benches/join.rs`). Zones are expected not to overlap; if they do, the lowest zone index wins, so the result
//! never depends on iteration order.

use geo::{BoundingRect, Intersects, MultiPolygon, Point};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

/// (zone index, part index) per polygon part.
type Entry = GeomWithData<Rectangle<[f64; 2]>, (usize, usize)>;

/// Point-in-polygon index over a list of zones.
///
/// # Examples
/// ```
/// use fracture::join::index::ZoneIndex;
/// use geo::{LineString, MultiPolygon, Polygon};
/// let square = |x: f64, s: f64| LineString::from(vec![(x, 0.0), (x + s, 0.0), (x + s, s), (x, s), (x, 0.0)]);
/// // Zone 0: a 100 m square with a hole in the middle; zone 1: a square 200 m to the east.
/// let a = MultiPolygon(vec![Polygon::new(square(0.0, 100.0), vec![square(40.0, 20.0)])]);
/// let b = MultiPolygon(vec![Polygon::new(square(200.0, 100.0), vec![])]);
/// let index = ZoneIndex::new(vec![&a, &b]);
/// assert_eq!(index.locate(10.0, 10.0), Some(0));
/// assert_eq!(index.locate(50.0, 10.0), None, "in the hole");
/// assert_eq!(index.locate(200.0, 50.0), Some(1), "on the edge: inside");
/// assert_eq!(index.locate(150.0, 50.0), None);
/// ```
pub struct ZoneIndex<'a> {
    tree: RTree<Entry>,
    zones: Vec<&'a MultiPolygon<f64>>,
}

impl<'a> ZoneIndex<'a> {
    /// Indexes the parts of `zones`; zone `i` of the queries is `zones[i]`.
    pub fn new(zones: Vec<&'a MultiPolygon<f64>>) -> Self {
        let entries = zones
            .iter()
            .enumerate()
            .flat_map(|(i, mp)| {
                mp.0.iter().enumerate().filter_map(move |(k, p)| {
                    let r = p.bounding_rect()?;
                    Some(GeomWithData::new(
                        Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                        (i, k),
                    ))
                })
            })
            .collect();
        Self { tree: RTree::bulk_load(entries), zones }
    }

    /// Index of the zone containing `(x, y)`, boundary included, if any; the lowest index when zones
    /// share the point.
    ///
    /// # Examples
    /// ```
    /// use fracture::join::index::ZoneIndex;
    /// use geo::{MultiPolygon, polygon};
    /// let west = MultiPolygon(vec![polygon![(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 0.0, y: 10.0)]]);
    /// let east = MultiPolygon(vec![polygon![(x: 10.0, y: 0.0), (x: 20.0, y: 0.0), (x: 20.0, y: 10.0), (x: 10.0, y: 10.0)]]);
    /// let index = ZoneIndex::new(vec![&east, &west]);
    /// assert_eq!(index.locate(5.0, 5.0), Some(1));
    /// assert_eq!(index.locate(10.0, 5.0), Some(0), "the shared edge goes to the lowest index");
    /// assert_eq!(index.locate(25.0, 5.0), None);
    /// ```
    pub fn locate(&self, x: f64, y: f64) -> Option<usize> {
        let p = Point::new(x, y);
        self.tree
            .locate_all_at_point(&[x, y])
            .filter(|e| self.zones[e.data.0].0[e.data.1].intersects(&p))
            .map(|e| e.data.0)
            .min()
    }

    /// Indices of zones whose bounding boxes intersect the given box (candidates for overlay), sorted,
    /// each once.
    ///
    /// # Examples
    /// ```
    /// use fracture::join::index::ZoneIndex;
    /// use geo::{MultiPolygon, polygon};
    /// let square = |x: f64| MultiPolygon(vec![polygon![(x: x, y: 0.0), (x: x + 10.0, y: 0.0), (x: x + 10.0, y: 10.0), (x: x, y: 10.0)]]);
    /// let (a, b, c) = (square(0.0), square(20.0), square(40.0));
    /// let index = ZoneIndex::new(vec![&a, &b, &c]);
    /// assert_eq!(index.candidates([5.0, 5.0], [25.0, 6.0]), vec![0, 1]);
    /// assert!(index.candidates([11.0, 0.0], [19.0, 10.0]).is_empty(), "between two squares");
    /// ```
    pub fn candidates(&self, min: [f64; 2], max: [f64; 2]) -> Vec<usize> {
        let mut v: Vec<usize> = self
            .tree
            .locate_in_envelope_intersecting(&AABB::from_corners(min, max))
            .map(|e| e.data.0)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// The geometry of zone `i` (panics when `i` is not a zone index).
    pub fn zone(&self, i: usize) -> &MultiPolygon<f64> {
        self.zones[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{LineString, Polygon};

    fn square(x0: f64, y0: f64, s: f64, hole: bool) -> MultiPolygon<f64> {
        let ring = |a: f64, b: f64, s: f64| {
            LineString::from(vec![(a, b), (a + s, b), (a + s, b + s), (a, b + s), (a, b)])
        };
        let holes = if hole { vec![ring(x0 + s / 4.0, y0 + s / 4.0, s / 2.0)] } else { vec![] };
        MultiPolygon(vec![Polygon::new(ring(x0, y0, s), holes)])
    }

    #[test]
    fn locates_points_holes_and_boundaries() {
        let a = square(0.0, 0.0, 100.0, true);
        let b = square(200.0, 0.0, 100.0, false);
        let idx = ZoneIndex::new(vec![&a, &b]);
        assert_eq!(idx.locate(10.0, 10.0), Some(0));
        assert_eq!(idx.locate(50.0, 50.0), None, "inside the hole");
        assert_eq!(idx.locate(250.0, 50.0), Some(1));
        assert_eq!(idx.locate(150.0, 50.0), None);
        assert_eq!(idx.locate(200.0, 50.0), Some(1), "boundary counts as inside");
        assert_eq!(idx.candidates([90.0, 0.0], [210.0, 10.0]), vec![0, 1]);
    }

    #[test]
    fn a_zone_of_two_parts_is_one_candidate_and_an_empty_zone_keeps_the_numbering() {
        let mut two = square(0.0, 0.0, 10.0, false);
        two.0.extend(square(20.0, 0.0, 10.0, false).0);
        let empty = MultiPolygon(vec![]);
        let last = square(40.0, 0.0, 10.0, false);
        let idx = ZoneIndex::new(vec![&two, &empty, &last]);
        assert_eq!(idx.candidates([0.0, 0.0], [50.0, 10.0]), vec![0, 2]);
        assert_eq!(idx.locate(25.0, 5.0), Some(0), "second part");
        assert_eq!(idx.locate(45.0, 5.0), Some(2));
        assert_eq!(idx.zone(1).0.len(), 0);
    }
}
