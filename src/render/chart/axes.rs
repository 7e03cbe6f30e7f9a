//! Axes shared by line charts and scatter plots: the value range with a margin, the decimals of the
//! tick labels and the colour of the grid.

use plotters::style::RGBColor;

pub(super) const GRID: RGBColor = RGBColor(0xdd, 0xdd, 0xdd);

/// Axis range of `values` with a margin; starts at zero for non-negative values when zero is not
/// far (`zero_baseline`) or when the margin would cross it.
pub(super) fn value_range(values: &[f64], zero_baseline: bool) -> (f64, f64) {
    let (min, max) =
        values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    if !(min.is_finite() && max.is_finite()) {
        return (0.0, 1.0);
    }
    let span = if max > min { max - min } else { min.abs().max(1.0) };
    let pad = 0.08 * span;
    let mut lo = if max > min { min - pad } else { min - span / 2.0 };
    let hi = if max > min { max + pad } else { max + span / 2.0 };
    if min >= 0.0 && (lo < 0.0 || (zero_baseline && min <= 0.5 * max)) {
        lo = 0.0;
    }
    (lo, hi)
}

/// Ticks from 0 to a round value at or above `max`, about `n` intervals of 1, 2 or 5 × 10^k
/// (`[0, 1]` when `max` is not positive).
pub(super) fn nice_ticks(max: f64, n: usize) -> Vec<f64> {
    if !(max.is_finite() && max > 0.0) || n == 0 {
        return vec![0.0, 1.0];
    }
    let raw = max / n as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    let count = (max / step - 1e-9).ceil().max(1.0) as usize;
    (0..=count).map(|i| i as f64 * step).collect()
}

/// Decimals of tick labels for an axis spanning `span`.
pub(super) fn tick_decimals(span: f64) -> usize {
    if span < 2.0 {
        2
    } else if span < 20.0 {
        1
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_have_margins() {
        assert_eq!(value_range(&[], true), (0.0, 1.0));
        let (lo, hi) = value_range(&[20.0, 80.0], true);
        assert_eq!(lo, 0.0);
        assert!(hi > 80.0);
        let (lo, hi) = value_range(&[90.0, 95.0], true);
        assert!(lo > 80.0 && lo < 90.0 && hi > 95.0);
        let (lo, hi) = value_range(&[5.0, 5.0], false);
        assert!(lo < 5.0 && hi > 5.0 && lo >= 0.0);
        let (lo, _) = value_range(&[-3.0, 4.0], false);
        assert!(lo < -3.0);
    }

    #[test]
    fn nice_ticks_cover_the_maximum_with_round_steps() {
        assert_eq!(nice_ticks(11.9, 4), [0.0, 5.0, 10.0, 15.0]);
        assert_eq!(nice_ticks(8.0, 4), [0.0, 2.0, 4.0, 6.0, 8.0]);
        assert_eq!(nice_ticks(0.7, 4), [0.0, 0.2, 0.4, 0.6000000000000001, 0.8]);
        assert_eq!(nice_ticks(0.0, 4), [0.0, 1.0]);
        assert_eq!(nice_ticks(f64::NAN, 4), [0.0, 1.0]);
    }
}
