//! Point in polygon over a list of zones, queried one point at a time or a chunk of points at a time
//! (rayon).
//!
//! Each polygon part's bounding box goes into a uniform grid (point queries: one cell, whose parts are
//! listed by zone index, so the first part that holds the point is the answer) and an R-tree (rstar
//! 0.12, the version geo 0.33 uses: box queries for the overlay). A query tests only the parts whose
//! boxes contain the point, then that part's exact geometry — not the whole multipolygon, whose bounding
//! box geo would recompute on every call (measured in `benches/join.rs`). The grid's cell is about the
//! median part's size, coarsened until the cells and the part-cell entries stay within a few per part;
//! its answers are the R-tree's (tested), without the tree's traversal. Answers are zone indices (`u32`
//! in chunks), never codes: the caller attaches its codes once, at the end.
//!
//! # The boundary rule
//! Zones are **closed**: a point on a zone's outer edge or vertex, or on the edge of one of its holes,
//! belongs to it (`geo::Intersects`, robust predicates). A point in the closure of several zones — on an
//! edge or a vertex that two or more zones share, or in an overlap — goes to the **lowest zone index**
//! among them. The answer therefore never depends on iteration order, threads or chunking, and every
//! point of the union of the zones gets exactly one zone. (geopandas' `sjoin(predicate="intersects")`
//! followed by keeping the smallest zone index per point gives the same answer.) A point in a hole, or
//! outside every zone, gets `None`; so does a point with a NaN or infinite coordinate.

use geo::{BoundingRect, Intersects, MultiPolygon, Point};
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

/// (zone index, part index) per polygon part.
type Entry = GeomWithData<Rectangle<[f64; 2]>, (usize, usize)>;

/// Points per rayon task in [`ZoneIndex::locate_chunk`]: large enough to amortise scheduling, small
/// enough to balance two cores on a clustered input.
const TASK_POINTS: usize = 4096;

/// Point-in-polygon index over a list of zones.
///
/// # Examples
/// ```
/// use fracture::spatial::index::ZoneIndex;
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
    grid: Grid,
    zones: Vec<&'a MultiPolygon<f64>>,
}

/// One polygon part: its bounding box `[min x, min y, max x, max y]`, zone and part index.
#[derive(Debug, Clone, Copy)]
struct Part {
    bbox: [f64; 4],
    zone: u32,
    part: u32,
}

/// Cells at most (and per part), and entries per part on average, before the grid is coarsened.
const MAX_CELLS: usize = 1 << 22;
const CELLS_PER_PART: usize = 16;
const ENTRIES_PER_PART: usize = 16;

/// A uniform grid over the parts' boxes, cells in compressed rows: `entries[offsets[c]..offsets[c + 1]]`
/// are the parts whose boxes meet cell `c`, in (zone, part) order.
#[derive(Debug, Default)]
struct Grid {
    parts: Vec<Part>,
    x0: f64,
    y0: f64,
    inv: f64,
    nx: usize,
    ny: usize,
    offsets: Vec<u32>,
    entries: Vec<u32>,
}

impl Grid {
    fn new(parts: Vec<Part>) -> Grid {
        if parts.is_empty() {
            return Grid::default();
        }
        let fold =
            |f: fn(f64, f64) -> f64, k: usize, init: f64| parts.iter().map(|p| p.bbox[k]).fold(init, f);
        let (x0, y0) = (fold(f64::min, 0, f64::INFINITY), fold(f64::min, 1, f64::INFINITY));
        let (x1, y1) = (fold(f64::max, 2, f64::NEG_INFINITY), fold(f64::max, 3, f64::NEG_INFINITY));
        let mut sizes: Vec<f64> =
            parts.iter().map(|p| (p.bbox[2] - p.bbox[0]).max(p.bbox[3] - p.bbox[1])).collect();
        sizes.sort_unstable_by(f64::total_cmp);
        let extent = (x1 - x0).max(y1 - y0);
        let mut cell = sizes[sizes.len() / 2].max(extent / MAX_CELLS as f64).max(f64::MIN_POSITIVE);
        let cells_cap = MAX_CELLS.min(CELLS_PER_PART * parts.len()).max(1);
        loop {
            let inv = 1.0 / cell;
            let span = |a: f64, b: f64, o: f64| {
                ((b - o) * inv).floor() as usize - ((a - o) * inv).floor() as usize + 1
            };
            let (nx, ny) = (span(x0, x1, x0), span(y0, y1, y0));
            let entries: usize =
                parts.iter().map(|p| span(p.bbox[0], p.bbox[2], x0) * span(p.bbox[1], p.bbox[3], y0)).sum();
            let fits =
                nx.saturating_mul(ny) <= cells_cap && entries <= ENTRIES_PER_PART * parts.len() + nx * ny;
            if fits || !cell.is_finite() {
                return Grid::fill(parts, x0, y0, inv, nx, ny);
            }
            cell *= 2.0;
        }
    }

    fn fill(parts: Vec<Part>, x0: f64, y0: f64, inv: f64, nx: usize, ny: usize) -> Grid {
        let mut g = Grid {
            parts: Vec::new(),
            x0,
            y0,
            inv,
            nx,
            ny,
            offsets: vec![0; nx * ny + 1],
            entries: Vec::new(),
        };
        let cells = |g: &Grid, p: &Part| {
            let (cx0, cy0) = g.cell_xy(p.bbox[0], p.bbox[1]);
            let (cx1, cy1) = g.cell_xy(p.bbox[2], p.bbox[3]);
            (cy0..=cy1).flat_map(move |cy| (cx0..=cx1).map(move |cx| cy * nx + cx))
        };
        for p in &parts {
            for c in cells(&g, p) {
                g.offsets[c + 1] += 1;
            }
        }
        for c in 0..nx * ny {
            g.offsets[c + 1] += g.offsets[c];
        }
        let mut next: Vec<u32> = g.offsets[..nx * ny].to_vec();
        g.entries = vec![0; g.offsets[nx * ny] as usize];
        for (k, p) in parts.iter().enumerate() {
            for c in cells(&g, p).collect::<Vec<_>>() {
                g.entries[next[c] as usize] = k as u32;
                next[c] += 1;
            }
        }
        g.parts = parts;
        g
    }

    /// The cell column and row of a point of the grid's extent (clamped to it).
    fn cell_xy(&self, x: f64, y: f64) -> (usize, usize) {
        let cx = (((x - self.x0) * self.inv).floor() as usize).min(self.nx - 1);
        let cy = (((y - self.y0) * self.inv).floor() as usize).min(self.ny - 1);
        (cx, cy)
    }

    /// The parts whose boxes may hold `(x, y)`, in (zone, part) order; empty outside the grid.
    fn cell(&self, x: f64, y: f64) -> &[u32] {
        if self.nx == 0 || !(x >= self.x0 && y >= self.y0) {
            return &[];
        }
        let (fx, fy) = ((x - self.x0) * self.inv, (y - self.y0) * self.inv);
        if fx >= self.nx as f64 || fy >= self.ny as f64 {
            return &[];
        }
        let c = fy as usize * self.nx + fx as usize;
        &self.entries[self.offsets[c] as usize..self.offsets[c + 1] as usize]
    }
}

impl<'a> ZoneIndex<'a> {
    /// Indexes the parts of `zones`; zone `i` of the queries is `zones[i]`.
    pub fn new(zones: Vec<&'a MultiPolygon<f64>>) -> Self {
        let parts: Vec<Part> = zones
            .iter()
            .enumerate()
            .flat_map(|(i, mp)| {
                mp.0.iter().enumerate().filter_map(move |(k, p)| {
                    let r = p.bounding_rect()?;
                    let bbox = [r.min().x, r.min().y, r.max().x, r.max().y];
                    bbox.iter().all(|v| v.is_finite()).then_some(Part {
                        bbox,
                        zone: zone_u32(i),
                        part: k as u32,
                    })
                })
            })
            .collect();
        let grid = Grid::new(parts);
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
        Self { tree: RTree::bulk_load(entries), grid, zones }
    }

    /// Number of zones (empty ones included).
    pub fn len(&self) -> usize {
        self.zones.len()
    }

    /// True when there is no zone.
    pub fn is_empty(&self) -> bool {
        self.zones.is_empty()
    }

    /// Index of the zone containing `(x, y)` under the boundary rule of the module header: zones are
    /// closed, and the lowest index wins among zones sharing the point.
    ///
    /// # Examples
    /// ```
    /// use fracture::spatial::index::ZoneIndex;
    /// use geo::{MultiPolygon, polygon};
    /// let west = MultiPolygon(vec![polygon![(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 0.0, y: 10.0)]]);
    /// let east = MultiPolygon(vec![polygon![(x: 10.0, y: 0.0), (x: 20.0, y: 0.0), (x: 20.0, y: 10.0), (x: 10.0, y: 10.0)]]);
    /// let index = ZoneIndex::new(vec![&east, &west]);
    /// assert_eq!(index.locate(5.0, 5.0), Some(1));
    /// assert_eq!(index.locate(10.0, 5.0), Some(0), "the shared edge goes to the lowest index");
    /// assert_eq!(index.locate(25.0, 5.0), None);
    /// assert_eq!(index.locate(f64::NAN, 5.0), None);
    /// ```
    pub fn locate(&self, x: f64, y: f64) -> Option<usize> {
        if !x.is_finite() || !y.is_finite() {
            return None;
        }
        let p = Point::new(x, y);
        // Parts in (zone, part) order: the first that holds the point has the lowest zone index.
        self.grid.cell(x, y).iter().map(|&k| &self.grid.parts[k as usize]).find_map(|part| {
            let [x0, y0, x1, y1] = part.bbox;
            let inside = x >= x0 && x <= x1 && y >= y0 && y <= y1;
            (inside && self.zones[part.zone as usize].0[part.part as usize].intersects(&p))
                .then_some(part.zone as usize)
        })
    }

    /// [`locate`](Self::locate) through the R-tree (the reference the grid is tested against).
    #[cfg(test)]
    fn locate_rtree(&self, x: f64, y: f64) -> Option<usize> {
        if !x.is_finite() || !y.is_finite() {
            return None;
        }
        let p = Point::new(x, y);
        self.tree
            .locate_all_at_point(&[x, y])
            .filter(|e| self.zones[e.data.0].0[e.data.1].intersects(&p))
            .map(|e| e.data.0)
            .min()
    }

    /// Locates a chunk of points given as two coordinate slices (the streaming entry point: callers
    /// read CSV or Parquet a batch at a time and pass each batch here), in parallel; one answer per
    /// point, in order. Panics if the slices differ in length.
    ///
    /// # Examples
    /// ```
    /// use fracture::spatial::index::ZoneIndex;
    /// use geo::{MultiPolygon, polygon};
    /// let a = MultiPolygon(vec![polygon![(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 0.0, y: 10.0)]]);
    /// let index = ZoneIndex::new(vec![&a]);
    /// assert_eq!(index.locate_chunk(&[5.0, 50.0, 10.0], &[5.0, 5.0, 10.0]), vec![Some(0), None, Some(0)]);
    /// ```
    pub fn locate_chunk(&self, xs: &[f64], ys: &[f64]) -> Vec<Option<u32>> {
        assert_eq!(xs.len(), ys.len(), "as many x as y");
        let mut out = vec![None; xs.len()];
        self.locate_chunk_into(xs, ys, &mut out);
        out
    }

    /// [`locate_chunk`](Self::locate_chunk) into a buffer the caller reuses from batch to batch.
    pub fn locate_chunk_into(&self, xs: &[f64], ys: &[f64], out: &mut [Option<u32>]) {
        assert!(xs.len() == ys.len() && ys.len() == out.len(), "as many x, y and answers");
        out.par_chunks_mut(TASK_POINTS).enumerate().for_each(|(c, chunk)| {
            let start = c * TASK_POINTS;
            for (k, slot) in chunk.iter_mut().enumerate() {
                *slot = self.locate(xs[start + k], ys[start + k]).map(zone_u32);
            }
        });
    }

    /// Indices of zones whose bounding boxes intersect the given box (candidates for overlay), sorted,
    /// each once.
    ///
    /// # Examples
    /// ```
    /// use fracture::spatial::index::ZoneIndex;
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

/// A zone index as `u32` (zone lists hold far fewer than 4 billion zones; saturates otherwise).
fn zone_u32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use super::*;
    use geo::{LineString, Polygon};
    use rand::{Rng, SeedableRng};

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
        assert_eq!(idx.locate(25.0, 50.0), Some(0), "on the hole's edge: the zone is closed");
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
        assert_eq!(idx.len(), 3);
    }

    /// A corner shared by four squares goes to the lowest of the four, whatever the order given.
    #[test]
    fn a_vertex_shared_by_four_zones_goes_to_the_lowest_index() {
        let tiles = [
            square(0.0, 0.0, 10.0, false),
            square(10.0, 0.0, 10.0, false),
            square(0.0, 10.0, 10.0, false),
            square(10.0, 10.0, 10.0, false),
        ];
        for order in [[0, 1, 2, 3], [3, 2, 1, 0], [2, 0, 3, 1]] {
            let idx = ZoneIndex::new(order.iter().map(|&k| &tiles[k]).collect());
            assert_eq!(idx.locate(10.0, 10.0), Some(0));
        }
    }

    /// The grid gives the R-tree's answer on overlapping zones of very different sizes (a few big ones,
    /// many small ones), on their vertices and edges, and outside them.
    #[test]
    fn the_grid_equals_the_rtree() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut zones: Vec<MultiPolygon<f64>> = (0..300)
            .map(|k| {
                let s = if k % 50 == 0 { 400.0 } else { rng.random_range(1.0..20.0) };
                let (x, y) = (rng.random_range(0.0..1000.0), rng.random_range(0.0..1000.0));
                square(x, y, s, k % 3 == 0)
            })
            .collect();
        zones.push(MultiPolygon(vec![]));
        let idx = ZoneIndex::new(zones.iter().collect());
        for i in 0..200_000 {
            let (x, y) = if i % 4 == 0 {
                // a corner of some zone
                let z = &zones[i % 300].0[0].exterior().0;
                let c = z[i % 4];
                (c.x, c.y)
            } else {
                (rng.random_range(-50.0..1450.0), rng.random_range(-50.0..1450.0))
            };
            assert_eq!(idx.locate(x, y), idx.locate_rtree(x, y), "point ({x}, {y})");
        }
        let one = [square(0.0, 0.0, 10.0, false)];
        let single = ZoneIndex::new(one.iter().collect());
        assert_eq!((single.locate(10.0, 10.0), single.locate(10.000001, 5.0)), (Some(0), None));
        let none: Vec<&MultiPolygon<f64>> = vec![];
        assert_eq!(ZoneIndex::new(none).locate(0.0, 0.0), None);
    }

    /// Chunked, parallel answers equal one-at-a-time answers, whatever the chunk boundaries.
    #[test]
    fn locate_chunk_equals_locate() {
        let zones: Vec<MultiPolygon<f64>> =
            (0..5).map(|k| square(k as f64 * 10.0, 0.0, 10.0, k % 2 == 0)).collect();
        let idx = ZoneIndex::new(zones.iter().collect());
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let n = 3 * TASK_POINTS + 17;
        // Half on the grid lines (shared edges and vertices), half anywhere.
        let xs: Vec<f64> =
            (0..n)
                .map(|i| {
                    if i % 2 == 0 {
                        rng.random_range(0..6) as f64 * 10.0
                    } else {
                        rng.random_range(-5.0..55.0)
                    }
                })
                .collect();
        let ys: Vec<f64> = (0..n).map(|_| rng.random_range(-2.0..12.0)).collect();
        let chunked = idx.locate_chunk(&xs, &ys);
        for i in 0..n {
            assert_eq!(chunked[i], idx.locate(xs[i], ys[i]).map(|z| z as u32), "point {i}");
        }
    }
}
