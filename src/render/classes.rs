//! Class breaks for choropleth maps: quantiles of the non-null values, rounded to "nice" bounds.
//!
//! Input: the values of a map (nulls and non-finite values are left out by the caller or ignored
//! here), a maximum number of classes (5 on maps) and the number of decimals shown in the legend.
//! Output: [`ClassBreaks`], `n + 1` ascending bounds for `n` classes.
//!
//! Invariants (checked by a property test over many random vectors):
//! - the first bound is ≤ the minimum and the last bound is ≥ the maximum, so every value falls in
//!   exactly one class: `[b0 ; b1[`, `[b1 ; b2[`, …, and the last class is closed `[bn-1 ; bn]`;
//! - bounds are multiples of a power of ten no finer than `10^-decimals` (two significant digits
//!   of the range, or three when two would merge classes), so the legend shows them exactly with
//!   `decimals` decimals;
//! - at most `max_classes` classes, never more than the number of distinct values, and no empty
//!   class (an empty class is merged with its neighbour);
//! - all values equal → one class; no value → no class.
//!
//! # Examples
//! ```
//! use fracture::render::ClassBreaks;
//! let breaks = ClassBreaks::quantiles(&[12.0, 48.5, 73.2, 91.0, 99.4, 100.0], 5, 1);
//! assert_eq!(breaks.len(), 5);
//! assert!(breaks.bounds[0] <= 12.0 && breaks.bounds[5] >= 100.0);
//! assert_eq!(breaks.class_of(12.0), 0);
//! assert_eq!(breaks.class_of(100.0), 4);
//! assert_eq!(breaks.labels(1)[0], "[12,0 ; 48,0[");
//! ```

use crate::locale::{Arg, Locale};

/// Bounds of the classes of a map: `bounds.len() == n + 1` for `n` classes (empty when there is no
/// class). Bounds are ascending; they are strictly ascending except for the single degenerate class
/// `[v ; v]` when every value equals `v`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClassBreaks {
    /// `n + 1` ascending bounds.
    pub bounds: Vec<f64>,
}

impl ClassBreaks {
    /// Number of classes on a map.
    pub const MAP_CLASSES: usize = 5;

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
        let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        if sorted.is_empty() || max_classes == 0 {
            return ClassBreaks::default();
        }
        sorted.sort_by(f64::total_cmp);
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

    /// Number of classes.
    pub fn len(&self) -> usize {
        self.bounds.len().saturating_sub(1)
    }

    /// True when there is no class (no value to classify).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True when `v` lies within the first and last bounds.
    ///
    /// # Examples
    /// ```
    /// use fracture::render::ClassBreaks;
    /// let b = ClassBreaks { bounds: vec![0.0, 10.0, 20.0] };
    /// assert!(b.contains(0.0) && b.contains(20.0));
    /// assert!(!b.contains(20.5) && !ClassBreaks::default().contains(0.0));
    /// ```
    pub fn contains(&self, v: f64) -> bool {
        match (self.bounds.first(), self.bounds.last()) {
            (Some(lo), Some(hi)) if !self.is_empty() => v >= *lo && v <= *hi,
            _ => false,
        }
    }

    /// Index of the class of `v`: `i` such that `bounds[i] <= v < bounds[i + 1]`, the last class
    /// being closed on the right. Values outside the bounds are clamped to the first or last class;
    /// with no class (or for NaN) the answer is 0, so check [`ClassBreaks::is_empty`] first.
    ///
    /// # Examples
    /// ```
    /// use fracture::render::ClassBreaks;
    /// let b = ClassBreaks { bounds: vec![0.0, 10.0, 20.0, 30.0] };
    /// assert_eq!(b.class_of(9.99), 0);
    /// assert_eq!(b.class_of(10.0), 1, "a bound opens the upper class");
    /// assert_eq!(b.class_of(30.0), 2, "the last class is closed");
    /// assert_eq!((b.class_of(-5.0), b.class_of(99.0)), (0, 2), "clamped");
    /// ```
    pub fn class_of(&self, v: f64) -> usize {
        let n = self.len();
        (1..n).rev().find(|&i| v >= self.bounds[i]).unwrap_or(0)
    }

    /// Legend labels, one per class, French style: `[12,5 ; 20,0[`, the last one closed
    /// `[80,0 ; 100,0]`; the degenerate class of equal values is shown as the value alone.
    ///
    /// # Examples
    /// ```
    /// use fracture::render::ClassBreaks;
    /// let b = ClassBreaks { bounds: vec![12.5, 20.0, 100.0] };
    /// assert_eq!(b.labels(1), ["[12,5 ; 20,0[", "[20,0 ; 100,0]"]);
    /// assert_eq!(ClassBreaks { bounds: vec![42.0, 42.0] }.labels(0), ["42"]);
    /// ```
    pub fn labels(&self, decimals: usize) -> Vec<String> {
        self.labels_in(decimals, &Locale::default())
    }

    /// Legend labels in a locale's number format and interval notation (`[12.5, 20.0)` in English).
    pub fn labels_in(&self, decimals: usize, l: &Locale) -> Vec<String> {
        let n = self.len();
        (0..n)
            .map(|i| {
                let (a, b) = (self.bounds[i], self.bounds[i + 1]);
                if i + 1 == n {
                    if a == b {
                        l.number(a, decimals)
                    } else {
                        l.format(
                            "class.closed",
                            &[("a", Arg::Number(a, decimals)), ("b", Arg::Number(b, decimals))],
                        )
                    }
                } else {
                    l.format(
                        "class.half_open",
                        &[("a", Arg::Number(a, decimals)), ("b", Arg::Number(b, decimals))],
                    )
                }
            })
            .collect()
    }
}

/// Merges every class that holds no value with its neighbour (the next one, or the previous one for
/// the last class), so that the legend never shows an empty class. Coverage is unchanged.
fn drop_empty_classes(bounds: &mut Vec<f64>, sorted: &[f64]) {
    let mut i = 0;
    while bounds.len() > 2 && i + 1 < bounds.len() {
        let last = i + 2 == bounds.len();
        let (lo, hi) = (bounds[i], bounds[i + 1]);
        let occupied = sorted.iter().any(|&v| v >= lo && (v < hi || (last && v <= hi)));
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

/// A rounding step `10^exp`, computed so that decimal bounds are exact: `k / 10^-exp` for negative
/// exponents (a division by an exact power of ten is correctly rounded), `k * 10^exp` otherwise.
#[derive(Debug, Clone, Copy)]
struct Step {
    exp: i32,
}

impl Step {
    /// Steps of about two then three significant digits of `range`, never finer than
    /// `10^-decimals`.
    fn candidates(range: f64, decimals: usize) -> [Step; 2] {
        let finest = -(decimals.min(12) as i32);
        let order = if range > 0.0 && range.is_finite() { range.log10().floor() as i32 } else { finest };
        [Step { exp: (order - 1).max(finest) }, Step { exp: (order - 2).max(finest) }]
    }

    fn value(self, k: f64) -> f64 {
        if self.exp < 0 { k / 10f64.powi(-self.exp) } else { k * 10f64.powi(self.exp) }
    }

    fn units(self, x: f64) -> f64 {
        if self.exp < 0 { x * 10f64.powi(-self.exp) } else { x / 10f64.powi(self.exp) }
    }

    /// The largest multiple of the step ≤ `x`, up to the floating-point noise of `x` (a quantile
    /// computed as 71.99999999 gives 72 with a step of 1).
    fn floor(self, x: f64) -> f64 {
        let u = self.units(x);
        let k = if (u - u.round()).abs() < 1e-9 { u.round() } else { u.floor() };
        self.value(k)
    }

    /// The largest multiple of the step that is ≤ `x`.
    fn floor_covering(self, x: f64) -> f64 {
        let k = self.units(x).floor();
        let r = self.value(k);
        if r > x { self.value(k - 1.0) } else { r }
    }

    /// The smallest multiple of the step that is ≥ `x`.
    fn ceil_covering(self, x: f64) -> f64 {
        let k = self.units(x).ceil();
        let r = self.value(k);
        if r < x { self.value(k + 1.0) } else { r }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Number of classes whose interval holds `v` (the last one closed).
    fn classes_holding(b: &ClassBreaks, v: f64) -> usize {
        let n = b.len();
        (0..n)
            .filter(|&i| {
                let (lo, hi) = (b.bounds[i], b.bounds[i + 1]);
                v >= lo && (v < hi || (i + 1 == n && v <= hi))
            })
            .count()
    }

    #[test]
    fn every_value_falls_in_exactly_one_class() {
        let mut rng = ChaCha8Rng::seed_from_u64(20_260_903);
        for case in 0..3000 {
            let len = rng.random_range(1..60);
            let decimals = rng.random_range(0..4);
            let scale = [0.01, 1.0, 100.0, 1000.0, 1e6][rng.random_range(0..5)];
            let offset = if rng.random_bool(0.3) { -scale / 2.0 } else { 0.0 };
            let distinct_pool = rng.random_range(1..12);
            let values: Vec<f64> = (0..len)
                .map(|_| {
                    if rng.random_bool(0.3) {
                        // ties: a few repeated values, including round ones
                        offset + scale * (rng.random_range(0..distinct_pool) as f64) / 10.0
                    } else {
                        offset + scale * rng.random::<f64>()
                    }
                })
                .collect();
            let b = ClassBreaks::quantiles(&values, 5, decimals);
            let mut distinct = values.clone();
            distinct.sort_by(f64::total_cmp);
            distinct.dedup();
            assert!((1..=5).contains(&b.len()), "case {case}: {} classes for {values:?}", b.len());
            assert!(b.len() <= distinct.len(), "case {case}: more classes than distinct values");
            assert!(b.bounds.windows(2).all(|w| w[0] < w[1]) || b.len() == 1, "case {case}: {b:?}");
            for c in 0..b.len() {
                assert!(values.iter().any(|&v| b.class_of(v) == c), "case {case}: class {c} empty in {b:?}");
            }
            for &v in &values {
                assert_eq!(classes_holding(&b, v), 1, "case {case}: {v} in {b:?}");
                let c = b.class_of(v);
                assert!(
                    v >= b.bounds[c] && v <= b.bounds[c + 1],
                    "case {case}: class_of({v}) = {c} in {b:?}"
                );
                assert!(b.contains(v));
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
