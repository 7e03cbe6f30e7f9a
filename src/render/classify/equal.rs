//! Equal intervals: `k` classes of the same width covering the values, the width a "nice" number
//! (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten: the smallest that covers the values) and the
//! lower bound a round number (a multiple of the width if that leaves no empty class above the
//! values, else of the coarsest power of ten that does).
//!
//! Invariants (property test): every value falls in exactly one class; all classes have the same
//! width; exactly `k` classes whenever two values differ (a class may be empty: that is what equal
//! intervals show, and the legend gives its count, 0); all values equal → one class.

use super::nice::Step;
use super::{ClassBreaks, Classify, sorted_finite};

/// Classes of equal width with nice bounds.
///
/// # Examples
/// ```
/// use fracture::render::classify::{Classify, EqualIntervals};
/// let b = EqualIntervals.breaks(&[6.0, 7.4, 8.5, 9.3, 14.3], 4, 0);
/// assert_eq!(b.bounds, [5.0, 7.5, 10.0, 12.5, 15.0]);
/// assert!(b.bounds.windows(3).all(|w| w[1] - w[0] == w[2] - w[1]), "equal widths");
/// assert_eq!(b.len(), 4);
/// assert_eq!((b.class_of(6.0), b.class_of(10.0), b.class_of(14.3)), (0, 2, 3));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EqualIntervals;

/// Width multipliers, in tenths of a power of ten: 1, 1.5, 2, 2.5, 3, 4, 5, 6 and 8 (never more
/// than a third apart, so the classes overshoot the values by little).
const NICE_TENTHS: [i64; 9] = [10, 15, 20, 25, 30, 40, 50, 60, 80];

impl Classify for EqualIntervals {
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
        let raw = (max - min) / k as f64;
        let Some(order) = Step::order(raw) else {
            return ClassBreaks { bounds: vec![min, max] };
        };
        // Widths in units of 10^(e-1): W·10^(e-1) for W in NICE_TENTHS, from just below the raw
        // width upwards; the first one whose k classes, starting at a round lower bound, cover the max.
        for e in order..order + 3 {
            let unit = Step { exp: e - 1 };
            let (lo_u, hi_u) = (unit.units(min), unit.units(max));
            if !(lo_u.is_finite() && hi_u.is_finite()) || hi_u.abs().max(lo_u.abs()) > 1e15 {
                break;
            }
            for w in NICE_TENTHS {
                if (w as f64) < unit.units(raw) * (1.0 - 1e-12) {
                    continue;
                }
                // The lower bound: a multiple of the width, else of 10^e, 5·10^(e-1), 10^(e-1); the
                // coarsest that covers the max without a class wholly above it, else the finest.
                let mut covering = None;
                for grid in [w, 10, 5, 1] {
                    let lo = (lo_u / grid as f64).floor() as i64 * grid;
                    let lo = if unit.value(lo as f64) > min { lo - grid } else { lo };
                    let top = unit.value((lo + k as i64 * w) as f64);
                    let last_lower = unit.value((lo + (k as i64 - 1) * w) as f64);
                    if top >= max {
                        covering = Some(lo);
                        if last_lower <= max {
                            break;
                        }
                    }
                }
                if let Some(lo) = covering {
                    let bounds = (0..=k as i64).map(|i| unit.value((lo + i * w) as f64)).collect();
                    return ClassBreaks { bounds };
                }
            }
        }
        // Astronomical values: exact equal intervals.
        ClassBreaks { bounds: (0..=k).map(|i| min + (max - min) * i as f64 / k as f64).collect() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::classify::tests::{assert_partition, random_values};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn every_value_in_one_class_and_widths_equal() {
        let mut rng = ChaCha8Rng::seed_from_u64(20_261_201);
        for case in 0..3000 {
            let (values, decimals) = random_values(&mut rng);
            let k = rng.random_range(1..8);
            let b = EqualIntervals.breaks(&values, k, decimals);
            let ctx = format!("case {case}, k {k}");
            assert_partition(&b, &values, &ctx);
            let distinct = values.iter().any(|v| *v != values[0]);
            assert_eq!(b.len(), if distinct { k } else { 1 }, "{ctx}: {b:?}");
            let widths: Vec<f64> = b.bounds.windows(2).map(|w| w[1] - w[0]).collect();
            let scale = b.bounds.iter().fold(0f64, |m, v| m.max(v.abs())).max(1e-300);
            for w in &widths {
                assert!((w - widths[0]).abs() <= 1e-9 * scale, "{ctx}: unequal widths {widths:?}");
            }
            // The width is a nice number just above the raw width (at most twice it), with
            // less than one class's width of slack below the minimum.
            if distinct {
                let (min, max) = values.iter().fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(*v), b.max(*v)));
                let raw = (max - min) / k as f64;
                assert!(widths[0] <= 2.0 * raw * (1.0 + 1e-9), "{ctx}: width {} for {raw}", widths[0]);
                assert!(b.bounds[0] > min - widths[0] - 1e-9 * scale, "{ctx}: {b:?}");
            }
        }
    }

    #[test]
    fn percentages() {
        let b = EqualIntervals.breaks(&[12.3, 40.0, 55.5, 97.8], 5, 0);
        assert_eq!(b.bounds, [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        let b = EqualIntervals.breaks(&[0.5, 0.62, 0.7], 2, 2);
        assert_eq!(b.bounds, [0.5, 0.6, 0.7]);
        assert!(EqualIntervals.breaks(&[], 5, 0).is_empty());
        assert_eq!(EqualIntervals.breaks(&[3.0, 3.0], 5, 0).bounds, [3.0, 3.0]);
    }
}
