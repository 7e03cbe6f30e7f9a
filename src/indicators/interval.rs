//! Confidence intervals of rates computed from counts: the Wilson score interval at 95 %, which stays
//! inside [0, 1] and behaves for small counts and rates near 0 or 1 (unlike the normal approximation).

/// z for a two-sided 95 % interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// The Wilson score interval of `k` successes out of `n` trials at `z` standard errors, as
/// `(low, high)` proportions in [0, 1]; `None` when `n` is 0.
///
/// # Examples
///
/// ```
/// use fracture::indicators::interval::{Z95, wilson};
/// let (lo, hi) = wilson(10, 20, Z95).expect("n > 0");
/// assert!((lo - 0.2993).abs() < 1e-4 && (hi - 0.7007).abs() < 1e-4);
/// // All successes: the upper bound is 1, the lower one below it.
/// let (lo, hi) = wilson(12, 12, Z95).expect("n > 0");
/// assert!((hi - 1.0).abs() < 1e-12 && lo < 0.8);
/// assert_eq!(wilson(0, 0, Z95), None);
/// ```
pub fn wilson(k: u64, n: u64, z: f64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let (k, n) = (k.min(n) as f64, n as f64);
    let p = k / n;
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_values() {
        // Wilson (1927); values as given by R's prop.test(correct = FALSE) / statsmodels
        // proportion_confint(method = "wilson").
        let (lo, hi) = wilson(81, 263, Z95).unwrap_or((0.0, 0.0));
        assert!((lo - 0.2553).abs() < 1e-4 && (hi - 0.3662).abs() < 1e-4, "{lo} {hi}");
        let (lo, hi) = wilson(0, 10, Z95).unwrap_or((1.0, 1.0));
        assert_eq!(lo, 0.0);
        assert!((hi - 0.2775).abs() < 1e-4, "{hi}");
    }

    #[test]
    fn the_interval_holds_the_rate() {
        for n in 1..60u64 {
            for k in 0..=n {
                let (lo, hi) = wilson(k, n, Z95).unwrap_or((1.0, 0.0));
                let p = k as f64 / n as f64;
                assert!(lo <= p + 1e-12 && p <= hi + 1e-12 && (0.0..=1.0).contains(&lo) && hi <= 1.0);
            }
        }
    }
}
