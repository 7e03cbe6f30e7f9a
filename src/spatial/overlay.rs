//! Areal interpolation from source zones to target zones: the overlap table, area or point
//! (dasymetric) weights, and the estimates with their uncertainty.
//!
//! Inputs: two lists of plain geometries in one projected CRS (areas are planar). Outputs, all by
//! index (callers attach their codes):
//! - [`overlay`]: the [`Overlap`] table — for every source `s` and target `t` whose intersection has a
//!   positive area, `area(s ∩ t)` in float64 ([`super::clip`]: the boundary of the intersection, not
//!   geo's grid-snapped `BooleanOps`), its share of `area(s)` and of `area(t)`. Nothing
//!   is dropped unless a tolerance is asked for ([`OverlayOptions::min_share`], 0 by default); what a
//!   tolerance drops is counted ([`Overlay::dropped`]).
//! - [`area_allocation`] / [`point_allocation`]: how each source's value is shared among targets. By area,
//!   `w(s, t) = area(s ∩ t) / area(s)`; by points (premises with a count, cells of a population grid),
//!   `w(s, t) = weight of the points of s located in t / weight of the points of s`, a source without
//!   any point weight keeping its area shares.
//! - [`interpolate`]: extensive variables (counts) `Σ_s v_s · w(s, t)` — each source split in proportion
//!   to *its own* area (tobler's `allocate_total=False`), so that what falls outside every target is
//!   reported ([`Estimates::remainder`]) and **targets + remainder = source total** (property test);
//!   intensive variables (rates) as the mean over the sources weighted by the mass `s` puts in `t`
//!   (area, or point weight), like tobler; the **uncertainty** of a target, the share of its estimate
//!   (first extensive variable) coming from sources its boundary cuts (sources not wholly inside it).
//!
//! Invariants: every source's weights sum to at most 1 (targets are expected not to overlap), and the
//! remainder is what they leave, so that conservation holds to the rounding of a sum. Work is parallel
//! over sources (rayon); outputs are ordered by source, then target, whatever the threads.

use geo::{Area, BooleanOps, BoundingRect, MultiPolygon};
use rayon::prelude::*;

use super::clip::{Edges, intersection_area};
use super::index::ZoneIndex;

/// Share of a source's area above which it counts as wholly inside a target (the complement of a
/// floating-point rounding of the overlay, not a tolerance on what is kept).
pub const WHOLE: f64 = 1.0 - 1e-9;

/// One positive-area intersection of a source and a target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Overlap {
    pub source: u32,
    pub target: u32,
    /// `area(source ∩ target)`, in square units of the CRS.
    pub area: f64,
    /// `area(source ∩ target) / area(source)`.
    pub share_of_source: f64,
    /// `area(source ∩ target) / area(target)`.
    pub share_of_target: f64,
}

/// Options of [`overlay`].
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct OverlayOptions {
    /// Overlaps whose share of the source's area is below this are left out (and counted in
    /// [`Overlay::dropped`]). Default 0: every overlap of positive area is kept.
    pub min_share: f64,
}

/// The overlap table of a list of sources and a list of targets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overlay {
    /// Ordered by source, then target.
    pub overlaps: Vec<Overlap>,
    pub source_area: Vec<f64>,
    pub target_area: Vec<f64>,
    /// Overlaps left out by [`OverlayOptions::min_share`].
    pub dropped: usize,
}

/// Computes the overlap table (parallel over sources; targets found through an R-tree).
///
/// # Examples
/// ```
/// use fracture::spatial::overlay::{OverlayOptions, overlay};
/// use geo::{MultiPolygon, polygon};
/// let rect = |x0: f64, x1: f64| {
///     MultiPolygon(vec![polygon![(x: x0, y: 0.0), (x: x1, y: 0.0), (x: x1, y: 100.0), (x: x0, y: 100.0)]])
/// };
/// // One source; a target covering its eastern quarter and ground beyond it, one only touching it.
/// let (s, t, touching) = (rect(0.0, 100.0), rect(75.0, 300.0), rect(-50.0, 0.0));
/// let o = overlay(&[&s], &[&t, &touching], OverlayOptions::default());
/// assert_eq!(o.overlaps.len(), 1, "a shared edge is no overlap");
/// assert_eq!((o.overlaps[0].target, o.overlaps[0].area), (0, 2_500.0));
/// assert_eq!((o.overlaps[0].share_of_source, o.overlaps[0].share_of_target), (0.25, 0.5 / 4.5));
/// ```
pub fn overlay(
    sources: &[&MultiPolygon<f64>],
    targets: &[&MultiPolygon<f64>],
    options: OverlayOptions,
) -> Overlay {
    let index = ZoneIndex::new(targets.to_vec());
    let target_area: Vec<f64> = targets.par_iter().map(|t| t.unsigned_area()).collect();
    let target_edges: Vec<Edges> = targets.par_iter().map(|t| Edges::new(t)).collect();
    let per_source: Vec<(f64, Vec<Overlap>, usize)> = sources
        .par_iter()
        .enumerate()
        .map(|(s, geom)| {
            let area = geom.unsigned_area();
            let mut out = Vec::new();
            let mut dropped = 0;
            let Some(bb) = geom.bounding_rect() else { return (area, out, dropped) };
            if area <= 0.0 {
                return (area, out, dropped);
            }
            let edges = Edges::new(geom);
            for t in index.candidates([bb.min().x, bb.min().y], [bb.max().x, bb.max().y]) {
                let mut a = intersection_area(&edges, &target_edges[t]);
                if a > area.min(target_area[t]) * (1.0 + 1e-9) {
                    // Only an invalid geometry (a ring crossing itself, overlapping parts) gets here:
                    // the boundary integral assumes validity; the grid overlay does not.
                    a = geom.intersection(index.zone(t)).unsigned_area();
                }
                if a <= 0.0 {
                    continue;
                }
                let share_of_source = a / area;
                if share_of_source < options.min_share {
                    dropped += 1;
                    continue;
                }
                let share_of_target = if target_area[t] > 0.0 { a / target_area[t] } else { 0.0 };
                out.push(Overlap {
                    source: index_u32(s),
                    target: index_u32(t),
                    area: a,
                    share_of_source,
                    share_of_target,
                });
            }
            (area, out, dropped)
        })
        .collect();
    let mut o = Overlay { target_area, ..Default::default() };
    for (area, overlaps, dropped) in per_source {
        o.source_area.push(area);
        o.overlaps.extend(overlaps);
        o.dropped += dropped;
    }
    o
}

/// How much of a source's value goes to a target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Allocation {
    pub source: u32,
    pub target: u32,
    /// Share of the source's value (extensive variables) given to the target.
    pub weight: f64,
    /// What the source puts in the target, for intensive means: the overlap's area, or the weight of
    /// the source's points located in the target.
    pub mass: f64,
    /// True when the target's boundary cuts the source (the source is not wholly inside the target).
    pub cut: bool,
}

/// Area weights: `w(s, t) = area(s ∩ t) / area(s)`, mass = overlap area.
///
/// # Examples
/// ```
/// use fracture::spatial::overlay::{Overlap, Overlay, area_allocation};
/// let o = Overlay {
///     overlaps: vec![Overlap { source: 0, target: 0, area: 25.0, share_of_source: 0.25, share_of_target: 1.0 }],
///     source_area: vec![100.0], target_area: vec![25.0], dropped: 0,
/// };
/// let a = area_allocation(&o);
/// assert_eq!((a[0].weight, a[0].mass, a[0].cut), (0.25, 25.0, true));
/// ```
pub fn area_allocation(o: &Overlay) -> Vec<Allocation> {
    o.overlaps
        .iter()
        .map(|x| Allocation {
            source: x.source,
            target: x.target,
            weight: x.share_of_source,
            mass: x.area,
            cut: x.share_of_source < WHOLE,
        })
        .collect()
}

/// One weighted point located in a source and (maybe) a target: `(source, target, weight)`.
pub type LocatedPoint = (u32, Option<u32>, f64);

/// Dasymetric weights from points (e.g. premises with their number of dwellings): `w(s, t)` = weight
/// of the points of `s` located in `t` / weight of all the points of `s` (those outside every target
/// included); mass = that weight. A source whose points weigh nothing (or that has none) keeps its area
/// weights. Points with a non-positive or non-finite weight are ignored. `cut` comes from the areas:
/// a target that holds points of a source but no area of it cuts it.
///
/// # Examples
/// ```
/// use fracture::spatial::overlay::{Overlap, Overlay, point_allocation};
/// // Source 0 is half in target 0 by area, source 1 too; source 0 has 30 dwellings in the target,
/// // 10 outside; source 1 has no point and keeps its area weight.
/// let half = |s| Overlap { source: s, target: 0, area: 50.0, share_of_source: 0.5, share_of_target: 0.5 };
/// let o = Overlay { overlaps: vec![half(0), half(1)], source_area: vec![100.0; 2], target_area: vec![100.0], dropped: 0 };
/// let a = point_allocation(&o, &[(0, Some(0), 20.0), (0, None, 10.0), (0, Some(0), 10.0)]);
/// assert_eq!((a[0].source, a[0].weight, a[0].mass), (0, 0.75, 30.0));
/// assert_eq!((a[1].source, a[1].weight, a[1].mass), (1, 0.5, 50.0));
/// ```
pub fn point_allocation(o: &Overlay, points: &[LocatedPoint]) -> Vec<Allocation> {
    use std::collections::BTreeMap;
    let n = o.source_area.len();
    let mut total = vec![0.0; n];
    let mut per_pair: BTreeMap<(u32, u32), f64> = BTreeMap::new();
    for &(s, t, w) in points {
        let si = s as usize;
        if si >= n || !(w.is_finite() && w > 0.0) {
            continue;
        }
        total[si] += w;
        if let Some(t) = t {
            *per_pair.entry((s, t)).or_insert(0.0) += w;
        }
    }
    let cut_by_area: BTreeMap<(u32, u32), bool> =
        o.overlaps.iter().map(|x| ((x.source, x.target), x.share_of_source < WHOLE)).collect();
    let mut out = Vec::with_capacity(o.overlaps.len());
    let mut by_area = area_allocation(o).into_iter().peekable();
    let mut by_points = per_pair.into_iter().peekable();
    for s in 0..index_u32(n) {
        let area_rows = std::iter::from_fn(|| by_area.next_if(|a| a.source == s));
        let point_rows: Vec<((u32, u32), f64)> =
            std::iter::from_fn(|| by_points.next_if(|((ps, _), _)| *ps == s)).collect();
        if total[s as usize] > 0.0 {
            area_rows.for_each(drop);
            out.extend(point_rows.into_iter().map(|((s, t), w)| Allocation {
                source: s,
                target: t,
                weight: w / total[s as usize],
                mass: w,
                cut: cut_by_area.get(&(s, t)).copied().unwrap_or(true),
            }));
        } else {
            out.extend(area_rows);
        }
    }
    out
}

/// Interpolated values per target.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Estimates {
    /// One vector per extensive variable, one value per target.
    pub extensive: Vec<Vec<f64>>,
    /// One vector per intensive variable, one value per target (NaN for a target no source reaches).
    pub intensive: Vec<Vec<f64>>,
    /// Per extensive variable: the part of the sources' total that falls outside every target.
    pub remainder: Vec<f64>,
    /// Per target: share of its estimate of the first extensive variable coming from sources its
    /// boundary cuts (0 for a target with a zero estimate, or when there is no extensive variable).
    pub uncertainty: Vec<f64>,
}

/// Interpolates per-source values to `n_targets` targets with `allocation` (from [`area_allocation`]
/// or [`point_allocation`]). Each variable is a slice of one value per source; a NaN source value
/// leaves its targets' estimate NaN (as it should: unknown in, unknown out).
///
/// # Examples
/// ```
/// use fracture::spatial::overlay::{Allocation, interpolate};
/// // Source 0 (value 100, rate 0.2) is shared 30 % / 50 % between two targets, 20 % outside both;
/// // source 1 (value 10, rate 0.6) lies wholly in target 1.
/// let a = |source, target, weight, mass, cut| Allocation { source, target, weight, mass, cut };
/// let alloc = [a(0, 0, 0.3, 30.0, true), a(0, 1, 0.5, 50.0, true), a(1, 1, 1.0, 50.0, false)];
/// let e = interpolate(&alloc, 2, 2, &[&[100.0, 10.0]], &[&[0.2, 0.6]]);
/// assert_eq!(e.extensive[0], vec![30.0, 60.0]);
/// assert_eq!(e.remainder[0], 20.0, "30 + 60 + 20 = 110, the sources' total");
/// assert_eq!(e.intensive[0], vec![0.2, 0.4]);
/// assert_eq!(e.uncertainty, vec![1.0, 50.0 / 60.0]);
/// ```
pub fn interpolate(
    allocation: &[Allocation],
    n_sources: usize,
    n_targets: usize,
    extensive: &[&[f64]],
    intensive: &[&[f64]],
) -> Estimates {
    let mut e = Estimates {
        extensive: vec![vec![0.0; n_targets]; extensive.len()],
        intensive: vec![vec![0.0; n_targets]; intensive.len()],
        remainder: vec![0.0; extensive.len()],
        uncertainty: vec![0.0; n_targets],
    };
    let mut mass = vec![0.0; n_targets];
    let mut cut_part = vec![0.0; n_targets];
    let mut allocated = vec![vec![0.0; n_sources]; extensive.len()];
    for a in allocation {
        let (s, t) = (a.source as usize, a.target as usize);
        if s >= n_sources || t >= n_targets {
            continue;
        }
        for (k, values) in extensive.iter().enumerate() {
            let part = values[s] * a.weight;
            e.extensive[k][t] += part;
            allocated[k][s] += part;
            if k == 0 && a.cut {
                cut_part[t] += part;
            }
        }
        for (k, values) in intensive.iter().enumerate() {
            e.intensive[k][t] += values[s] * a.mass;
        }
        mass[t] += a.mass;
    }
    for (k, values) in extensive.iter().enumerate() {
        e.remainder[k] = values.iter().zip(&allocated[k]).map(|(v, a)| v - a).sum();
    }
    for column in &mut e.intensive {
        for (v, m) in column.iter_mut().zip(&mass) {
            *v = if *m > 0.0 { *v / m } else { f64::NAN };
        }
    }
    if let Some(first) = e.extensive.first() {
        for (u, (c, total)) in e.uncertainty.iter_mut().zip(cut_part.iter().zip(first)) {
            *u = if *total != 0.0 { c / total } else { 0.0 };
        }
    }
    e
}

fn index_u32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use super::*;
    use geo::{LineString, Polygon};
    use rand::{Rng, SeedableRng};

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![Polygon::new(
            LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]),
            vec![],
        )])
    }

    #[test]
    fn a_tiny_overlap_is_kept_unless_a_tolerance_is_asked_for() {
        // The target misses a 5 mm strip of a 100 m square: a 5e-5 share outside.
        let s = rect(0.0, 0.0, 100.0, 100.0);
        let (inside, sliver) = (rect(0.005, -10.0, 110.0, 110.0), rect(-1.0, -10.0, 0.005, 110.0));
        let o = overlay(&[&s], &[&inside, &sliver], OverlayOptions::default());
        assert_eq!(o.overlaps.len(), 2);
        assert!((o.overlaps[1].share_of_source - 5e-5).abs() < 1e-12, "{:?}", o.overlaps[1]);
        let o = overlay(&[&s], &[&inside, &sliver], OverlayOptions { min_share: 1e-4 });
        assert_eq!((o.overlaps.len(), o.dropped), (1, 1));
    }

    /// Property: random sources and non-overlapping random targets; every source's weights sum to at
    /// most 1, and targets + remainder equal the sources' total for random values, by area and by points.
    #[test]
    fn interpolation_conserves_totals() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for round in 0..40 {
            let n = rng.random_range(2..6);
            let mut sources = Vec::new();
            for a in 0..n {
                for b in 0..n {
                    let (x, y) = (a as f64 * 100.0, b as f64 * 100.0);
                    sources.push(rect(x, y, x + 100.0, y + 100.0));
                }
            }
            let bands = rng.random_range(1..4);
            let band = n as f64 * 100.0 / bands as f64;
            let targets: Vec<MultiPolygon<f64>> = (0..bands)
                .map(|k| {
                    let y = k as f64 * band + rng.random_range(0.0..band / 3.0);
                    let x = rng.random_range(-30.0..n as f64 * 60.0);
                    rect(x, y, x + rng.random_range(5.0..300.0), y + rng.random_range(1.0..band / 2.0))
                })
                .collect();
            let o = overlay(
                &sources.iter().collect::<Vec<_>>(),
                &targets.iter().collect::<Vec<_>>(),
                OverlayOptions::default(),
            );
            let values: Vec<f64> = (0..sources.len()).map(|_| rng.random_range(0.0..5000.0)).collect();
            let total: f64 = values.iter().sum();
            let points: Vec<LocatedPoint> = (0..200)
                .map(|_| {
                    let s = rng.random_range(0..sources.len()) as u32;
                    let t = rng.random_bool(0.5).then(|| rng.random_range(0..targets.len()) as u32);
                    (s, t, rng.random_range(0.0..20.0))
                })
                .collect();
            for alloc in [area_allocation(&o), point_allocation(&o, &points)] {
                for s in 0..sources.len() as u32 {
                    let w: f64 = alloc.iter().filter(|a| a.source == s).map(|a| a.weight).sum();
                    assert!(w <= 1.0 + 1e-12, "round {round}: source {s} weights sum to {w}");
                }
                let e = interpolate(&alloc, sources.len(), targets.len(), &[&values], &[]);
                let back: f64 = e.extensive[0].iter().sum::<f64>() + e.remainder[0];
                assert!((back - total).abs() <= 1e-9 * total, "round {round}: {back} vs {total}");
                assert!(e.remainder[0] >= -1e-9 * total);
            }
        }
    }
}
