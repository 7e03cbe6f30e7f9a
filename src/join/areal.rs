//! IRIS → QPV interpolation weights: the pipeline's use of [`crate::spatial::overlay`].
//!
//! For every IRIS `i` and QPV `q`, by area `w(i, q) = area(i ∩ q) / area(i)` in Lambert-93, exactly as
//! the overlay computes it (no overlap dropped, however small); the remainder `1 − Σ_q w(i, q)` goes to
//! the territory outside QPV. By dwellings, `w(i, q)` = premises of `i` located in `q` / premises of `i`
//! (ARCEP buildings and their `imb_nbr_logloc`), an IRIS without located premises keeping its area
//! weights. A count `c_i` known per IRIS is then estimated per area as `Σ_i c_i · w(i, area)`.
//! Invariant: the weights of an IRIS sum to 1, so interpolation conserves totals (property tests).

use crate::ingest::{Iris, Qpv};
use crate::spatial::overlay::{
    Allocation, Overlay, OverlayOptions, WHOLE, area_allocation, overlay, point_allocation,
};

/// Weight of one IRIS in one area.
#[derive(Debug, Clone, PartialEq)]
pub struct Weight {
    pub iris: usize,
    /// `Some(q)` = QPV index; `None` = outside QPV.
    pub qpv: Option<usize>,
    pub weight: f64,
}

/// A remainder outside QPV smaller than this (in absolute value) is the rounding of an overlay whose
/// QPV cover the whole IRIS: it is given back to the last QPV so that the weights sum to exactly 1.
/// It is not a tolerance on overlaps: every overlap of positive area is kept.
pub const ROUNDING: f64 = 1e-12;

/// The overlap table of the IRIS (sources) and the QPV (targets).
pub fn iris_overlay(iris: &[Iris], qpv: &[Qpv]) -> Overlay {
    let sources: Vec<_> = iris.iter().map(|i| &i.geometry).collect();
    let targets: Vec<_> = qpv.iter().map(|q| &q.geometry).collect();
    overlay(&sources, &targets, OverlayOptions::default())
}

/// Area weights of every IRIS. Output order: by IRIS, then QPV, then outside. An IRIS without area gets
/// no weight.
///
/// # Examples
/// ```
/// use fracture::ingest::{Iris, Qpv};
/// use fracture::join::areal::{Weight, weights};
/// use geo::{Area, MultiPolygon, polygon};
/// let rect = |x0: f64, x1: f64| {
///     MultiPolygon(vec![polygon![(x: x0, y: 0.0), (x: x1, y: 0.0), (x: x1, y: 100.0), (x: x0, y: 100.0)]])
/// };
/// let g = rect(0.0, 100.0);
/// let iris = Iris { code: "990010101".into(), name: String::new(), commune: "99001".into(), kind: None,
///                   area_m2: g.unsigned_area(), geometry: g };
/// // The QPV covers the eastern quarter of the IRIS (and ground beyond it).
/// let g = rect(75.0, 300.0);
/// let qpv = Qpv::bare("QN99901M", g);
/// assert_eq!(weights(&[iris], &[qpv]), vec![
///     Weight { iris: 0, qpv: Some(0), weight: 0.25 },
///     Weight { iris: 0, qpv: None, weight: 0.75 },
/// ]);
/// ```
pub fn weights(iris: &[Iris], qpv: &[Qpv]) -> Vec<Weight> {
    area_weights(&iris_overlay(iris, qpv))
}

/// [`weights`] from an overlap table already computed.
pub fn area_weights(o: &Overlay) -> Vec<Weight> {
    to_weights(&area_allocation(o), &o.source_area)
}

/// Dwelling-weighted (dasymetric) weights from geolocated buildings `(iris index, qpv index or None,
/// premises)`: people live where dwellings are, not evenly over an IRIS's area (parks, activity zones,
/// railway land). An IRIS without any located premises keeps its area weights. Returns the weights and
/// the number of IRIS weighted by premises. Invariant: every IRIS's weights still sum to 1.
///
/// # Examples
/// ```
/// use fracture::join::areal::{Weight, dwelling_weights};
/// use fracture::spatial::overlay::{Overlap, Overlay};
/// // Two IRIS of 100 m², each half covered by QPV 0.
/// let half = |s| Overlap { source: s, target: 0, area: 50.0, share_of_source: 0.5, share_of_target: 0.5 };
/// let o = Overlay { overlaps: vec![half(0), half(1)], source_area: vec![100.0; 2], target_area: vec![100.0], dropped: 0 };
/// // IRIS 0: 30 premises in the QPV, 10 outside; IRIS 1 has no located building.
/// let (d, by_premises) = dwelling_weights(&o, &[(0, Some(0), 20.0), (0, None, 10.0), (0, Some(0), 10.0)]);
/// assert_eq!(d[..2], [Weight { iris: 0, qpv: Some(0), weight: 0.75 }, Weight { iris: 0, qpv: None, weight: 0.25 }]);
/// assert_eq!(d[2..], [Weight { iris: 1, qpv: Some(0), weight: 0.5 }, Weight { iris: 1, qpv: None, weight: 0.5 }]);
/// assert_eq!(by_premises, 1);
/// ```
pub fn dwelling_weights(o: &Overlay, buildings: &[(usize, Option<usize>, f64)]) -> (Vec<Weight>, usize) {
    let located: Vec<(u32, Option<u32>, f64)> = buildings
        .iter()
        .filter_map(|&(i, q, n)| Some((u32::try_from(i).ok()?, q.and_then(|q| u32::try_from(q).ok()), n)))
        .collect();
    let mut with_premises = vec![false; o.source_area.len()];
    for &(i, _, n) in &located {
        if let Some(f) = with_premises.get_mut(i as usize) {
            *f |= n.is_finite() && n > 0.0;
        }
    }
    let alloc = point_allocation(o, &located);
    (to_weights(&alloc, &o.source_area), with_premises.iter().filter(|f| **f).count())
}

/// For each weight, whether the area's boundary cuts its IRIS (the IRIS is not wholly inside the area:
/// its share of the IRIS's *area* is below [`WHOLE`], whatever the weighting), as the spatial engine's
/// [`Allocation::cut`]: the estimate's part coming from cut IRIS is its uncertainty. Outside QPV, the
/// share is what the QPV leave of the IRIS.
///
/// # Examples
/// ```
/// use fracture::join::areal::{Weight, cut_flags};
/// use fracture::spatial::overlay::{Overlap, Overlay};
/// // IRIS 0 is half in QPV 0; IRIS 1 lies wholly in QPV 0; IRIS 2 touches no QPV.
/// let ov = |s, share| Overlap { source: s, target: 0, area: 100.0 * share, share_of_source: share, share_of_target: 0.5 };
/// let o = Overlay { overlaps: vec![ov(0, 0.5), ov(1, 1.0)], source_area: vec![100.0; 3], target_area: vec![150.0], dropped: 0 };
/// let w = |iris, qpv, weight| Weight { iris, qpv, weight };
/// let weights = [w(0, Some(0), 0.5), w(0, None, 0.5), w(1, Some(0), 1.0), w(2, None, 1.0)];
/// assert_eq!(cut_flags(&o, &weights), [true, true, false, false]);
/// ```
pub fn cut_flags(o: &Overlay, weights: &[Weight]) -> Vec<bool> {
    let mut share: std::collections::HashMap<(usize, usize), f64> = std::collections::HashMap::new();
    let mut inside = vec![0.0; o.source_area.len()];
    for x in &o.overlaps {
        *share.entry((x.source as usize, x.target as usize)).or_insert(0.0) += x.share_of_source;
        if let Some(v) = inside.get_mut(x.source as usize) {
            *v += x.share_of_source;
        }
    }
    weights
        .iter()
        .map(|w| {
            let s = match w.qpv {
                Some(q) => share.get(&(w.iris, q)).copied().unwrap_or(0.0),
                None => 1.0 - inside.get(w.iris).copied().unwrap_or(0.0),
            };
            s < WHOLE
        })
        .collect()
}

/// Per IRIS (ordered as the allocation is: by source, then target): its QPV weights, then the
/// remainder outside QPV.
fn to_weights(alloc: &[Allocation], source_area: &[f64]) -> Vec<Weight> {
    let mut out = Vec::with_capacity(alloc.len() + source_area.len());
    let mut rows = alloc.iter().peekable();
    for (i, area) in source_area.iter().enumerate() {
        let start = out.len();
        let mut inside = 0.0;
        while let Some(a) = rows.next_if(|a| a.source as usize == i) {
            inside += a.weight;
            out.push(Weight { iris: i, qpv: Some(a.target as usize), weight: a.weight });
        }
        if *area <= 0.0 && out.len() == start {
            continue;
        }
        let rest = 1.0 - inside;
        if rest.abs() <= ROUNDING && out.len() > start {
            if let Some(last) = out.last_mut() {
                last.weight += rest;
            }
        } else if rest > 0.0 {
            out.push(Weight { iris: i, qpv: None, weight: rest });
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use super::*;
    use geo::{Area, LineString, MultiPolygon, Polygon};
    use rand::{Rng, SeedableRng};

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![Polygon::new(
            LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]),
            vec![],
        )])
    }
    fn iris(code: &str, g: MultiPolygon<f64>) -> Iris {
        Iris {
            code: code.into(),
            name: String::new(),
            commune: code[..5].into(),
            kind: None,
            area_m2: g.unsigned_area(),
            geometry: g,
        }
    }
    fn qpv(code: &str, g: MultiPolygon<f64>) -> Qpv {
        Qpv::bare(code, g)
    }

    #[test]
    fn dwellings_move_the_population_to_where_people_live() {
        let i = vec![
            iris("990010101", rect(0.0, 0.0, 100.0, 100.0)),
            iris("990010102", rect(100.0, 0.0, 200.0, 100.0)),
        ];
        let q = vec![qpv("QN99901M", rect(50.0, -10.0, 150.0, 110.0))];
        let area = weights(&i, &q);
        // IRIS 0: 90 premises in the QPV half, 10 outside; IRIS 1: no building, keeps area weights.
        let (d, n) = dwelling_weights(&iris_overlay(&i, &q), &[(0, Some(0), 90.0), (0, None, 10.0)]);
        assert_eq!(n, 1);
        assert_eq!(d[0], Weight { iris: 0, qpv: Some(0), weight: 0.9 });
        assert!((d[1].weight - 0.1).abs() < 1e-15 && d[1].qpv.is_none());
        assert_eq!(
            d.iter().filter(|w| w.iris == 1).cloned().collect::<Vec<_>>(),
            area.iter().filter(|w| w.iris == 1).cloned().collect::<Vec<_>>()
        );
    }

    #[test]
    fn half_covered_iris() {
        let i = vec![iris("990010101", rect(0.0, 0.0, 100.0, 100.0))];
        let q = vec![qpv("QN99901M", rect(50.0, -10.0, 150.0, 110.0))];
        let w = weights(&i, &q);
        assert_eq!(w.len(), 2);
        assert!((w[0].weight - 0.5).abs() < 1e-12 && w[0].qpv == Some(0));
        assert!((w[1].weight - 0.5).abs() < 1e-12 && w[1].qpv.is_none());
    }

    /// Property: for random grids of IRIS and random QPV rectangles, every IRIS's weights sum to 1,
    /// so interpolating any count conserves its total.
    #[test]
    fn interpolation_conserves_totals() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for _ in 0..40 {
            let n = rng.random_range(2..6);
            let mut zones = Vec::new();
            for a in 0..n {
                for b in 0..n {
                    let code = format!("99001{:02}{:02}", a, b);
                    let (x, y) = (a as f64 * 100.0, b as f64 * 100.0);
                    zones.push(iris(&code, rect(x, y, x + 100.0, y + 100.0)));
                }
            }
            let mut qs = Vec::new();
            for k in 0..rng.random_range(1..4) {
                let x: f64 = rng.random_range(0.0..(n as f64 * 100.0 - 60.0));
                let y: f64 = rng.random_range(0.0..(n as f64 * 100.0 - 60.0));
                // Non-overlapping: stack them on distinct bands.
                let y = (y / 3.0) + k as f64 * n as f64 * 100.0 / 3.0;
                qs.push(qpv(&format!("QN999{:02}M", k), rect(x, y, x + 55.0, y + 15.0)));
            }
            let w = weights(&zones, &qs);
            let counts: Vec<f64> = (0..zones.len()).map(|_| rng.random_range(0.0..5000.0)).collect();
            let total: f64 = counts.iter().sum();
            let interpolated: f64 = w.iter().map(|w| counts[w.iris] * w.weight).sum();
            assert!((total - interpolated).abs() < 1e-9 * total, "{total} vs {interpolated}");
            for i in 0..zones.len() {
                let s: f64 = w.iter().filter(|w| w.iris == i).map(|w| w.weight).sum();
                assert!((s - 1.0).abs() < 1e-12, "IRIS {i}: weights sum to {s}");
            }
        }
    }
}
