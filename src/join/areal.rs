//! Areal interpolation weights from IRIS to QPV.
//!
//! For every IRIS `i` and QPV `q`, `w(i, q) = area(i ∩ q) / area(i)` in Lambert-93; the remainder
//! `1 − Σ_q w(i, q)` goes to the territory outside QPV. A count `c_i` known per IRIS is then estimated per
//! area as `Σ_i c_i · w(i, area)`. Invariant: the weights of an IRIS sum to 1, so interpolation conserves
//! totals (checked by a property test).

use geo::{Area, BooleanOps, BoundingRect};
use rayon::prelude::*;

use super::index::ZoneIndex;
use crate::ingest::{Iris, Qpv};

/// Weight of one IRIS in one area.
#[derive(Debug, Clone, PartialEq)]
pub struct Weight {
    pub iris: usize,
    /// `Some(q)` = QPV index; `None` = outside QPV.
    pub qpv: Option<usize>,
    pub weight: f64,
}

/// Weights below this are dropped as slivers from boundary digitising differences (0.01 %).
pub const MIN_WEIGHT: f64 = 1e-4;

/// Computes the weights of every IRIS (parallel over IRIS). Output order: by IRIS, then QPV, then outside.
/// An IRIS without area gets no weight.
///
/// # Examples
/// ```
/// use fracture::ingest::{Iris, Qpv, QpvList};
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
/// let qpv = Qpv { code: "QN99901M".into(), name: "Q".into(), commune: None, commune_name: None, epci: None,
///                 list: QpvList::Y2024, area_m2: g.unsigned_area(), geometry: g };
/// assert_eq!(weights(&[iris], &[qpv]), vec![
///     Weight { iris: 0, qpv: Some(0), weight: 0.25 },
///     Weight { iris: 0, qpv: None, weight: 0.75 },
/// ]);
/// ```
pub fn weights(iris: &[Iris], qpv: &[Qpv]) -> Vec<Weight> {
    let index = ZoneIndex::new(qpv.iter().map(|q| &q.geometry).collect());
    let per_iris: Vec<Vec<Weight>> = iris
        .par_iter()
        .enumerate()
        .map(|(i, z)| {
            let mut out = Vec::new();
            if z.area_m2 <= 0.0 {
                return out;
            }
            let Some(bb) = z.geometry.bounding_rect() else { return out };
            let mut inside = 0.0;
            for q in index.candidates([bb.min().x, bb.min().y], [bb.max().x, bb.max().y]) {
                let a = z.geometry.intersection(index.zone(q)).unsigned_area();
                let w = (a / z.area_m2).min(1.0);
                if w >= MIN_WEIGHT {
                    inside += w;
                    out.push(Weight { iris: i, qpv: Some(q), weight: w });
                }
            }
            let rest = 1.0 - inside;
            if rest >= MIN_WEIGHT {
                out.push(Weight { iris: i, qpv: None, weight: rest });
            } else if let Some(last) = out.last_mut() {
                // Give the sliver back so the weights sum to exactly 1.
                last.weight += rest;
            }
            out
        })
        .collect();
    per_iris.into_iter().flatten().collect()
}

/// Dwelling-weighted (dasymetric) weights: `w(i, a)` = premises of IRIS `i` located in area `a` /
/// premises of `i`, from geolocated buildings `(iris index, qpv index or None, premises)`. People live
/// where dwellings are, not evenly over an IRIS's area (parks, activity zones, railway land), so this is
/// the better estimate wherever a building base exists. An IRIS without any located premises keeps its
/// area weights. Invariant: every IRIS's weights still sum to 1.
///
/// # Examples
/// ```
/// use fracture::join::areal::{Weight, dwelling_weights};
/// // Two IRIS, each half covered by QPV 0 by area.
/// let area: Vec<Weight> = (0..2)
///     .flat_map(|i| [Weight { iris: i, qpv: Some(0), weight: 0.5 }, Weight { iris: i, qpv: None, weight: 0.5 }])
///     .collect();
/// // IRIS 0: 30 premises in the QPV, 10 outside; IRIS 1 has no located building.
/// let d = dwelling_weights(&area, 2, &[(0, Some(0), 20.0), (0, None, 10.0), (0, Some(0), 10.0)]);
/// assert_eq!(d[..2], [Weight { iris: 0, qpv: Some(0), weight: 0.75 }, Weight { iris: 0, qpv: None, weight: 0.25 }]);
/// assert_eq!(d[2..], area[2..], "IRIS 1 keeps its area weights");
/// ```
pub fn dwelling_weights(
    area: &[Weight],
    iris_count: usize,
    buildings: &[(usize, Option<usize>, f64)],
) -> Vec<Weight> {
    use std::collections::BTreeMap;
    let mut per_iris: Vec<BTreeMap<Option<usize>, f64>> = vec![BTreeMap::new(); iris_count];
    for &(i, q, n) in buildings {
        if i < iris_count && n > 0.0 {
            *per_iris[i].entry(q).or_insert(0.0) += n;
        }
    }
    let mut out = Vec::with_capacity(area.len());
    for (i, shares) in per_iris.iter().enumerate() {
        let total: f64 = shares.values().sum();
        if total <= 0.0 {
            out.extend(area.iter().filter(|w| w.iris == i).cloned());
            continue;
        }
        // QPV first in index order, outside QPV last, like `weights`.
        let mut ws: Vec<Weight> = shares
            .iter()
            .filter(|(q, _)| q.is_some())
            .map(|(q, n)| Weight { iris: i, qpv: *q, weight: n / total })
            .collect();
        if let Some(n) = shares.get(&None) {
            ws.push(Weight { iris: i, qpv: None, weight: n / total });
        }
        out.extend(ws);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::QpvList;
    use geo::{LineString, MultiPolygon, Polygon};
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
        Qpv {
            code: code.into(),
            name: code.into(),
            commune: None,
            commune_name: None,
            epci: None,
            list: QpvList::Y2024,
            area_m2: g.unsigned_area(),
            geometry: g,
        }
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
        let d = dwelling_weights(&area, 2, &[(0, Some(0), 90.0), (0, None, 10.0)]);
        assert_eq!(d[0], Weight { iris: 0, qpv: Some(0), weight: 0.9 });
        assert_eq!(d[1], Weight { iris: 0, qpv: None, weight: 0.1 });
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
                    zones.push(iris(
                        &code,
                        rect(
                            a as f64 * 100.0,
                            b as f64 * 100.0,
                            (a + 1) as f64 * 100.0,
                            (b + 1) as f64 * 100.0,
                        ),
                    ));
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
            assert!((total - interpolated).abs() < 1e-6 * total, "{total} vs {interpolated}");
            for i in 0..zones.len() {
                let s: f64 = w.iter().filter(|w| w.iris == i).map(|w| w.weight).sum();
                assert!((s - 1.0).abs() < 1e-9, "IRIS {i}: weights sum to {s}");
            }
        }
    }
}
