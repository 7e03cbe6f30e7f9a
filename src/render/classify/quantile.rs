//! Quantiles: classes holding about as many values each, bounds rounded to "nice" numbers.
//!
//! Invariants (checked by a property test over many random vectors):
//! - the first bound is ≤ the minimum and the last bound is ≥ the maximum, so every value falls in
//!   exactly one class;
//! - bounds are multiples of a power of ten no finer than `10^-decimals` (two significant digits
//!   of the range, or three when two would merge classes), so the legend shows them exactly with
//!   `decimals` decimals;
//! - at most `k` classes, never more than the number of distinct values, and no empty class (an
//!   empty class is merged with its neighbour; [`Classes::requested`](super::Classes) keeps the
//!   number asked for, so the legend says so);
//! - all values equal → one class; no value → no class.

use super::nice::Step;
use super::{ClassBreaks, Classify, sorted_finite};

/// Quantile classes with nice bounds.
///
/// # Examples
/// ```
/// use fracture::render::classify::{Classify, Quantiles};
/// let b = Quantiles.breaks(&[12.0, 48.5, 73.2, 91.0, 99.4, 100.0], 5, 1);
/// assert_eq!(b.len(), 5);
/// assert!(b.bounds[0] <= 12.0 && b.bounds[5] >= 100.0);
/// assert_eq!((b.class_of(12.0), b.class_of(100.0)), (0, 4));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Quantiles;

impl Classify for Quantiles {
    fn breaks(&self, values: &[f64], k: usize, decimals: usize) -> ClassBreaks {
        ClassBreaks::quantiles(values, k, decimals)
    }
}

impl ClassBreaks {
    /// Quantile classes of the finite values in `values`: at most `max_classes` classes (fewer when
    /// there are fewer distinct values or when rounding merges two breaks), bounds rounded to
    /// multiples of a power of ten no finer than `10^-decimals` while covering the minimum and maximum.
    ///
    /// # Examples
    /// ```
    /// use fracture::render::ClassBreaks;
    /// let b = ClassBreaks::quantiles(&[3.27, 15.0, 22.4, 38.9, 47.5, 51.0, 66.6, 72.1, 88.8, 97.8], 5, 1);
    /// assert_eq!(b.len(), 5);
    /// assert_eq!((b.bounds[0], b.bounds[5]), (3.0, 98.0), "round bounds covering 3.27 and 97.8");
    /// // Two distinct values make two classes; NaN is left out; no value makes no class.
    /// assert_eq!(ClassBreaks::quantiles(&[10.0, 20.0, f64::NAN, 10.0, 20.0], 5, 0).len(), 2);
    /// assert!(ClassBreaks::quantiles(&[], 5, 1).is_empty());
    /// ```
    pub fn quantiles(values: &[f64], max_classes: usize, decimals: usize) -> ClassBreaks {
        let sorted = sorted_finite(values);
        if sorted.is_empty() || max_classes == 0 {
            return ClassBreaks::default();
        }
        let (min, max) = (sorted[0], sorted[sorted.len() - 1]);
        let mut distinct = sorted.clone();
        distinct.dedup();
        let n = max_classes.min(distinct.len());

        // The coarsest step (two, else three significant digits of the range) that keeps as many
        // classes as the finest one.
        let mut best: Option<Vec<f64>> = None;
        // Breaks are rounded down, so the value a quantile falls on opens the upper class.
        for step in Step::candidates(max - min, decimals) {
            let (lo, hi) = (step.floor_covering(min), step.ceil_covering(max));
            if !lo.is_finite() || !hi.is_finite() {
                continue;
            }
            let mut bounds = vec![lo];
            if n > 1 && lo < hi {
                for k in 1..n {
                    let b = step.floor(quantile(&sorted, k as f64 / n as f64));
                    if bounds.last().is_some_and(|last| b > *last) && b < hi {
                        bounds.push(b);
                    }
                }
            }
            bounds.push(hi);
            drop_empty_classes(&mut bounds, &sorted);
            if best.as_ref().is_none_or(|b| bounds.len() > b.len()) {
                best = Some(bounds);
            }
        }
        // Astronomical values cannot be rounded: one class, still covering.
        ClassBreaks { bounds: best.unwrap_or_else(|| vec![min, max]) }
    }
}

/// Merges every class that holds no value with its neighbour (the next one, or the previous one for
/// the last class), so that the legend never shows an empty class. Coverage is unchanged.
fn drop_empty_classes(bounds: &mut Vec<f64>, sorted: &[f64]) {
    let mut i = 0;
    while bounds.len() > 2 && i + 1 < bounds.len() {
        let last = i + 2 == bounds.len();
        let (lo, hi) = (bounds[i], bounds[i + 1]);
        let first = sorted.partition_point(|v| *v < lo);
        let occupied = sorted.get(first).is_some_and(|&v| v < hi || (last && v <= hi));
        if occupied {
            i += 1;
        } else if last {
            bounds.remove(i);
        } else {
            bounds.remove(i + 1);
        }
    }
}

/// Quantile of type 7 (linear interpolation, R's default) of sorted, non-empty `sorted`.
fn quantile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let i = h.floor() as usize;
    match sorted.get(i + 1) {
        Some(next) => sorted[i] + (h - i as f64) * (next - sorted[i]),
        None => sorted[i],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::classify::tests::{assert_partition, random_values};
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn every_value_falls_in_exactly_one_class() {
        let mut rng = ChaCha8Rng::seed_from_u64(20_260_903);
        for case in 0..3000 {
            let (values, decimals) = random_values(&mut rng);
            let b = ClassBreaks::quantiles(&values, 5, decimals);
            let mut distinct = values.clone();
            distinct.sort_by(f64::total_cmp);
            distinct.dedup();
            assert!((1..=5).contains(&b.len()), "case {case}: {} classes for {values:?}", b.len());
            assert!(b.len() <= distinct.len(), "case {case}: more classes than distinct values");
            assert_partition(&b, &values, &format!("case {case}"));
            for c in 0..b.len() {
                assert!(values.iter().any(|&v| b.class_of(v) == c), "case {case}: class {c} empty in {b:?}");
            }
            // bounds are exact with `decimals` decimals
            for (bound, label) in b.bounds.iter().zip(b.labels(decimals)) {
                let shown = format!("{:.*}", decimals, bound).parse::<f64>().unwrap_or(f64::NAN);
                assert_eq!(shown, *bound, "case {case}: bound {bound} not exact ({label})");
            }
        }
    }

    #[test]
    fn equal_values_make_one_class() {
        let b = ClassBreaks::quantiles(&[42.0, 42.0, 42.0], 5, 1);
        assert_eq!(b.bounds, vec![42.0, 42.0]);
        assert_eq!(b.len(), 1);
        assert_eq!(b.class_of(42.0), 0);
        assert_eq!(b.labels(1), vec!["42,0"]);

        let b = ClassBreaks::quantiles(&[12.34, 12.34], 5, 1);
        assert_eq!(b.bounds, vec![12.3, 12.4]);
        assert_eq!(b.labels(1), vec!["[12,3 ; 12,4]"]);
    }

    #[test]
    fn no_value_makes_no_class() {
        let b = ClassBreaks::quantiles(&[], 5, 1);
        assert!(b.is_empty());
        assert!(b.labels(1).is_empty());
        assert!(!b.contains(1.0));
        assert_eq!(b.class_of(1.0), 0);
        let b = ClassBreaks::quantiles(&[f64::NAN, f64::INFINITY], 5, 1);
        assert!(b.is_empty());
    }

    #[test]
    fn few_distinct_values_make_few_classes() {
        let b = ClassBreaks::quantiles(&[10.0, 20.0, 10.0, 20.0], 5, 0);
        assert_eq!(b.len(), 2);
        assert_eq!(b.class_of(10.0), 0);
        assert_eq!(b.class_of(20.0), 1);
    }

    #[test]
    fn percentages_get_round_bounds() {
        let values = [3.27, 15.0, 22.4, 38.9, 47.5, 51.0, 66.6, 72.1, 88.8, 97.8];
        let b = ClassBreaks::quantiles(&values, 5, 1);
        assert_eq!(b.len(), 5);
        assert_eq!(b.bounds[0], 3.0);
        assert_eq!(b.bounds[5], 98.0);
        assert!(b.bounds.iter().all(|x| x.fract() == 0.0), "{b:?}");
        let labels = b.labels(1);
        assert!(labels[0].starts_with("[3,0 ; "), "{labels:?}");
        assert!(labels[4].ends_with(" ; 98,0]"), "{labels:?}");
    }

    #[test]
    fn out_of_range_values_are_clamped() {
        let b = ClassBreaks::quantiles(&[0.0, 1.0, 2.0, 3.0, 4.0, 5.0], 5, 0);
        assert_eq!(b.class_of(-10.0), 0);
        assert_eq!(b.class_of(1e9), b.len() - 1);
    }
}
