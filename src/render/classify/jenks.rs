//! Fisher-Jenks natural breaks, exact: the `k` classes of consecutive sorted values that minimise the
//! sum of squared deviations from the class means (Fisher 1958; the "optimal" Jenks breaks, also
//! known as 1-D k-means, `Ckmeans.1d.dp`).
//!
//! Algorithm: the values are sorted and tied values merged into one weighted point, so that a class
//! never splits a tie (a tie split across two classes could not be told apart by a bound). With
//! prefix sums of the weights, of `w·x` and of `w·x²` (taken about the median, for precision), the
//! cost of any run of points is O(1). The dynamic programme
//! `D[j][i] = min over t < i of D[j-1][t] + cost(t, i)` (the best `j` classes of the first `i`
//! points) has a monotone argmin — the optimal start of the last class never moves left when a
//! point is added, since the within-class squared deviation satisfies the quadrangle inequality —
//! so each row is filled by divide and conquer: the middle point's argmin is found by a scan, and
//! it splits the candidate range of the two halves. Each of the `k` rows costs O(m log m) for `m`
//! distinct values: O(n log n) for the sort plus O(k·m·log m) in all, O(k·m) memory for the
//! back-pointers.
//!
//! Bounds: between the largest value of a class and the smallest of the next, the roundest number
//! (a common power-of-ten step, as coarse as lets every gap hold one, two significant digits of
//! the range at most), so the legend reads well and every value stays in its optimal class.
//!
//! Invariants (tests): the classes are optimal (checked against every possible split for up to 12
//! values and 4 classes); `min(k, distinct values)` classes, none empty; every value in exactly one
//! class.

use super::nice::{FINEST_EXP, Step};
use super::{ClassBreaks, Classify, sorted_finite};

/// Exact Fisher-Jenks natural breaks.
///
/// # Examples
/// ```
/// use fracture::render::classify::{Classify, FisherJenks};
/// let b = FisherJenks.breaks(&[18.3, 20.1, 26.2, 41.5, 46.0, 47.6], 3, 0);
/// assert_eq!(b.bounds, [18.0, 25.0, 30.0, 48.0], "26.2 stands alone");
/// // Ties never split, and two distinct values make two classes, not three.
/// assert_eq!(FisherJenks.breaks(&[5.0, 5.0, 5.0, 9.0, 9.0], 3, 0).len(), 2);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FisherJenks;

impl Classify for FisherJenks {
    fn breaks(&self, values: &[f64], k: usize, decimals: usize) -> ClassBreaks {
        let sorted = sorted_finite(values);
        let (Some(&min), Some(&max)) = (sorted.first(), sorted.last()) else {
            return ClassBreaks::default();
        };
        if k == 0 {
            return ClassBreaks::default();
        }
        if min == max {
            // One value: one class, rounded as quantiles round it.
            return ClassBreaks::quantiles(&sorted, 1, decimals);
        }
        let (points, weights) = weighted_distinct(&sorted);
        let k = k.min(points.len());
        let starts = optimal_starts(&points, &weights, k);
        let gaps: Vec<(f64, f64)> = starts[1..].iter().map(|&s| (points[s - 1], points[s])).collect();
        ClassBreaks { bounds: nice_bounds(min, max, &gaps, decimals) }
    }
}

/// The distinct values of `sorted` and how many times each occurs.
fn weighted_distinct(sorted: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let mut points: Vec<f64> = Vec::new();
    let mut weights: Vec<f64> = Vec::new();
    for &v in sorted {
        match (points.last(), weights.last_mut()) {
            (Some(&last), Some(w)) if last == v => *w += 1.0,
            _ => {
                points.push(v);
                weights.push(1.0);
            }
        }
    }
    (points, weights)
}

/// The index of the first point of each of the `k` optimal classes of the ascending `points`
/// (`1 <= k <= points.len()`), weighted by `weights`; the first index is 0.
pub(super) fn optimal_starts(points: &[f64], weights: &[f64], k: usize) -> Vec<usize> {
    let m = points.len();
    let shift = points[m / 2];
    let (mut p0, mut p1, mut p2) = (vec![0.0; m + 1], vec![0.0; m + 1], vec![0.0; m + 1]);
    for i in 0..m {
        let (w, d) = (weights[i], points[i] - shift);
        p0[i + 1] = p0[i] + w;
        p1[i + 1] = p1[i] + w * d;
        p2[i + 1] = p2[i] + w * d * d;
    }
    // Squared deviation of points a..b (b > a) about their mean.
    let cost = |a: usize, b: usize| -> f64 {
        let (w, s, s2) = (p0[b] - p0[a], p1[b] - p1[a], p2[b] - p2[a]);
        (s2 - s * s / w).max(0.0)
    };

    // One class: the first i points.
    let mut prev: Vec<f64> = (0..=m).map(|i| if i == 0 { 0.0 } else { cost(0, i) }).collect();
    let mut back: Vec<Vec<u32>> = Vec::with_capacity(k.saturating_sub(1));
    for j in 2..=k {
        let mut cur = vec![f64::INFINITY; m + 1];
        let mut arg = vec![0u32; m + 1];
        // (first i, last i, first candidate t, last candidate t): the last class is points t..i.
        let mut stack = vec![(j, m, j - 1, m - 1)];
        while let Some((lo, hi, t_lo, t_hi)) = stack.pop() {
            let mid = lo + (hi - lo) / 2;
            let (mut best, mut best_t) = (f64::INFINITY, t_lo);
            for (t, before) in prev.iter().enumerate().take(t_hi.min(mid - 1) + 1).skip(t_lo) {
                let c = before + cost(t, mid);
                if c < best {
                    best = c;
                    best_t = t;
                }
            }
            cur[mid] = best;
            arg[mid] = best_t as u32;
            if mid > lo {
                stack.push((lo, mid - 1, t_lo, best_t));
            }
            if mid < hi {
                stack.push((mid + 1, hi, best_t, t_hi));
            }
        }
        prev = cur;
        back.push(arg);
    }
    let mut starts = vec![0usize; k];
    let mut i = m;
    for j in (2..=k).rev() {
        let t = back[j - 2][i] as usize;
        starts[j - 1] = t;
        i = t;
    }
    starts
}

/// Bounds for classes separated by `gaps` (largest value of a class, smallest of the next): the
/// roundest number of each gap on a common step, the outer bounds that step's multiples covering
/// `min` and `max`; the values themselves when no step separates them.
fn nice_bounds(min: f64, max: f64, gaps: &[(f64, f64)], decimals: usize) -> Vec<f64> {
    let order = Step::order(max - min).unwrap_or(0);
    let coarsest = (order - 1).max(-(decimals.min(12) as i32));
    for exp in (FINEST_EXP..=coarsest).rev() {
        let step = Step { exp };
        let inner: Option<Vec<f64>> = gaps.iter().map(|&(a, b)| step.roundest_in(a, b)).collect();
        let (lo, mut hi) = (step.floor_covering(min), step.ceil_covering(max));
        if let Some(inner) = inner.filter(|_| lo.is_finite() && hi.is_finite()) {
            // A last class of the maximum alone, on a multiple of the step: one step wide, not [v ; v].
            if inner.last().is_some_and(|b| *b >= hi) {
                hi = step.value(step.units(hi).round() + 1.0);
            }
            let mut bounds = Vec::with_capacity(gaps.len() + 2);
            bounds.push(lo);
            bounds.extend(inner);
            bounds.push(hi);
            return bounds;
        }
    }
    let mut bounds = vec![min];
    bounds.extend(gaps.iter().map(|g| g.1));
    bounds.push(max);
    bounds
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::classify::tests::{assert_partition, random_values};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Sum of squared deviations from the class means, classes given by `class`.
    fn sse(values: &[f64], class: impl Fn(f64) -> usize) -> f64 {
        let mut groups: std::collections::BTreeMap<usize, Vec<f64>> = Default::default();
        for &v in values {
            groups.entry(class(v)).or_default().push(v);
        }
        groups
            .values()
            .map(|g| {
                let mean = g.iter().sum::<f64>() / g.len() as f64;
                g.iter().map(|v| (v - mean).powi(2)).sum::<f64>()
            })
            .sum()
    }

    /// The least SSE over every split of the sorted values into `k` runs that never splits a tie.
    fn brute_force(sorted: &[f64], k: usize) -> f64 {
        let cuts: Vec<usize> = (1..sorted.len()).filter(|&i| sorted[i] > sorted[i - 1]).collect();
        let mut best = f64::INFINITY;
        let mut chosen = Vec::new();
        fn rec(
            sorted: &[f64],
            cuts: &[usize],
            from: usize,
            left: usize,
            chosen: &mut Vec<usize>,
            best: &mut f64,
        ) {
            if left == 0 {
                let mut edges = vec![0];
                edges.extend(chosen.iter().copied());
                edges.push(sorted.len());
                let total = edges
                    .windows(2)
                    .map(|w| {
                        let g = &sorted[w[0]..w[1]];
                        let mean = g.iter().sum::<f64>() / g.len() as f64;
                        g.iter().map(|v| (v - mean).powi(2)).sum::<f64>()
                    })
                    .sum::<f64>();
                *best = best.min(total);
                return;
            }
            for c in from..cuts.len() {
                chosen.push(cuts[c]);
                rec(sorted, cuts, c + 1, left - 1, chosen, best);
                chosen.pop();
            }
        }
        rec(sorted, &cuts, 0, k - 1, &mut chosen, &mut best);
        best
    }

    #[test]
    fn optimal_against_every_split() {
        let mut rng = ChaCha8Rng::seed_from_u64(1958);
        for case in 0..4000 {
            let n = rng.random_range(1..=12);
            let k = rng.random_range(1..=4);
            let ties = rng.random_bool(0.4);
            let values: Vec<f64> = (0..n)
                .map(|_| {
                    if ties {
                        f64::from(rng.random_range(0..5)) * 2.5
                    } else {
                        (rng.random::<f64>() * 1000.0).round() / 10.0
                    }
                })
                .collect();
            let b = FisherJenks.breaks(&values, k, 1);
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            let mut distinct = sorted.clone();
            distinct.dedup();
            let ctx = format!("case {case}: k {k}, {values:?} → {b:?}");
            assert_eq!(b.len(), k.min(distinct.len()), "{ctx}");
            assert_partition(&b, &values, &ctx);
            for c in 0..b.len() {
                assert!(values.iter().any(|&v| b.class_of(v) == c), "{ctx}: class {c} empty");
            }
            let best = brute_force(&sorted, b.len());
            let got = sse(&values, |v| b.class_of(v));
            assert!(got <= best + 1e-9 * (1.0 + best), "{ctx}: SSE {got} > optimum {best}");
        }
    }

    #[test]
    fn random_inputs_partition_and_round() {
        let mut rng = ChaCha8Rng::seed_from_u64(20_261_202);
        for case in 0..2000 {
            let (values, decimals) = random_values(&mut rng);
            let k = rng.random_range(1..9);
            let b = FisherJenks.breaks(&values, k, decimals);
            assert_partition(&b, &values, &format!("case {case}"));
        }
    }

    #[test]
    fn large_inputs_match_a_quadratic_programme() {
        // The plain O(k·m²) programme, for a few hundred values.
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for _ in 0..20 {
            let m = rng.random_range(50..300);
            let mut points: Vec<f64> = (0..m).map(|_| rng.random::<f64>().powi(3) * 1e4).collect();
            points.sort_by(f64::total_cmp);
            points.dedup();
            let weights = vec![1.0; points.len()];
            let k = rng.random_range(2..8);
            let starts = optimal_starts(&points, &weights, k);
            let run = |a: usize, b: usize| {
                let g = &points[a..b];
                let mean = g.iter().sum::<f64>() / g.len() as f64;
                g.iter().map(|v| (v - mean).powi(2)).sum::<f64>()
            };
            let mut edges = starts.clone();
            edges.push(points.len());
            let got: f64 = edges.windows(2).map(|w| run(w[0], w[1])).sum();
            let n = points.len();
            let mut d = vec![vec![f64::INFINITY; n + 1]; k + 1];
            d[0][0] = 0.0;
            for j in 1..=k {
                for i in j..=n {
                    d[j][i] = (j - 1..i).map(|t| d[j - 1][t] + run(t, i)).fold(f64::INFINITY, f64::min);
                }
            }
            assert!(got <= d[k][n] * (1.0 + 1e-9) + 1e-9, "{got} > {}", d[k][n]);
        }
    }

    #[test]
    fn narrow_gaps_get_finer_bounds() {
        let b = FisherJenks.breaks(&[10.0, 10.0, 46.0, 46.4, 46.4], 3, 0);
        assert_eq!(b.len(), 3);
        assert_eq!((b.class_of(10.0), b.class_of(46.0), b.class_of(46.4)), (0, 1, 2));
        assert!(b.bounds.iter().any(|x| x.fract() != 0.0), "{b:?}");
    }
}
