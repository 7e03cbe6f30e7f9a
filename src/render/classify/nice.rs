//! Nice numbers for class bounds: a rounding step `10^exp` computed so that decimal bounds are exact,
//! and the roundest number inside an interval. Shared by every classification method.

/// A rounding step `10^exp`, computed so that decimal bounds are exact: `k / 10^-exp` for negative
/// exponents (a division by an exact power of ten is correctly rounded), `k * 10^exp` otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Step {
    pub(super) exp: i32,
}

/// The finest step any method uses: beyond it, bounds are the values themselves.
pub(super) const FINEST_EXP: i32 = -12;

impl Step {
    /// Steps of about two then three significant digits of `range`, never finer than
    /// `10^-decimals`.
    pub(super) fn candidates(range: f64, decimals: usize) -> [Step; 2] {
        let finest = -(decimals.min(12) as i32);
        let order = Step::order(range).unwrap_or(finest);
        [Step { exp: (order - 1).max(finest) }, Step { exp: (order - 2).max(finest) }]
    }

    /// `floor(log10(range))` for a positive finite range.
    pub(super) fn order(range: f64) -> Option<i32> {
        (range > 0.0 && range.is_finite()).then(|| range.log10().floor() as i32)
    }

    pub(super) fn value(self, k: f64) -> f64 {
        if self.exp < 0 { k / 10f64.powi(-self.exp) } else { k * 10f64.powi(self.exp) }
    }

    pub(super) fn units(self, x: f64) -> f64 {
        if self.exp < 0 { x * 10f64.powi(-self.exp) } else { x / 10f64.powi(self.exp) }
    }

    /// The largest multiple of the step ≤ `x`, up to the floating-point noise of `x` (a quantile
    /// computed as 71.99999999 gives 72 with a step of 1).
    pub(super) fn floor(self, x: f64) -> f64 {
        let u = self.units(x);
        let k = if (u - u.round()).abs() < 1e-9 { u.round() } else { u.floor() };
        self.value(k)
    }

    /// The largest multiple of the step that is ≤ `x`.
    pub(super) fn floor_covering(self, x: f64) -> f64 {
        let k = self.units(x).floor();
        let r = self.value(k);
        if r > x { self.value(k - 1.0) } else { r }
    }

    /// The smallest multiple of the step that is ≥ `x`.
    pub(super) fn ceil_covering(self, x: f64) -> f64 {
        let k = self.units(x).ceil();
        let r = self.value(k);
        if r < x { self.value(k + 1.0) } else { r }
    }

    /// The roundest multiple of the step in `]a ; b]` (the one that is a multiple of the largest
    /// power of ten, then of five times a power of ten, the nearest the middle of the interval among
    /// those), or `None` when the interval holds no multiple.
    pub(super) fn roundest_in(self, a: f64, b: f64) -> Option<f64> {
        let (ua, ub) = (self.units(a), self.units(b));
        if !(ua.is_finite() && ub.is_finite()) || ub - ua > 1e15 {
            return None;
        }
        let inside = |v: f64| v > a && v <= b;
        let middle = (ua + ub) / 2.0;
        // Units of the candidate grids, coarsest first: 10^j, 5·10^(j-1), 10^(j-1), …, 1.
        let top =
            if ub.abs().max(ua.abs()) >= 1.0 { ub.abs().max(ua.abs()).log10().ceil() as i32 } else { 0 };
        for j in (0..=top.clamp(0, 15)).rev() {
            for unit in [10f64.powi(j), 5.0 * 10f64.powi(j - 1)] {
                if unit < 1.0 {
                    continue;
                }
                let k = (middle / unit).round();
                let mut best: Option<f64> = None;
                for kk in [k - 1.0, k, k + 1.0] {
                    let v = self.value(kk * unit);
                    if inside(v)
                        && best.is_none_or(|b| (kk * unit - middle).abs() < (self.units(b) - middle).abs())
                    {
                        best = Some(v);
                    }
                }
                if best.is_some() {
                    return best;
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundest_multiples() {
        let one = Step { exp: 0 };
        assert_eq!(one.roundest_in(23.4, 31.0), Some(30.0));
        assert_eq!(one.roundest_in(21.0, 29.0), Some(25.0));
        assert_eq!(one.roundest_in(46.0, 46.4), None);
        assert_eq!(Step { exp: -1 }.roundest_in(46.0, 46.4), Some(46.2));
        assert_eq!(one.roundest_in(46.0, 47.0), Some(47.0), "the upper end is inside");
        assert_eq!(one.roundest_in(-12.5, -3.2), Some(-10.0));
        assert_eq!(Step { exp: 2 }.roundest_in(12_100.0, 14_900.0), Some(13_000.0));
    }

    #[test]
    fn covering_bounds() {
        let s = Step { exp: -1 };
        assert_eq!(s.floor_covering(12.34), 12.3);
        assert_eq!(s.ceil_covering(12.34), 12.4);
    }
}
