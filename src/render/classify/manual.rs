//! User breaks: thresholds fixed in the indicator table (`classification = { breaks = [50, 70, 85] }`),
//! the same for every quarter and every place, so colours compare across maps.
//!
//! `t` thresholds make `t + 1` classes: "under t₁", `[t₁ ; t₂[`, …, "t_last or more". The end classes
//! are open (bounds `-∞` and `+∞`), so every value falls in exactly one class whatever its range; no
//! class is ever dropped, an empty one shows its count, 0.

use super::{ClassBreaks, Classify, sorted_finite};

/// Thresholds that are not strictly ascending finite numbers.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("class breaks must be strictly ascending finite numbers, at least one: {breaks:?}")]
pub struct BreaksError {
    pub breaks: Vec<f64>,
}

/// Classes cut at fixed thresholds.
///
/// # Examples
/// ```
/// use fracture::render::classify::{Classify, UserBreaks};
/// let user = UserBreaks::new(vec![50.0, 70.0, 85.0])?;
/// let b = user.breaks(&[12.0, 55.0, 81.0, 91.7, 100.0], 5, 0);
/// assert_eq!(b.len(), 4, "three thresholds, four classes, whatever k");
/// assert_eq!(b.labels(0), ["moins de 50", "[50 ; 70[", "[70 ; 85[", "85 ou plus"]);
/// assert_eq!((b.class_of(12.0), b.class_of(70.0), b.class_of(100.0)), (0, 2, 3));
/// assert!(UserBreaks::new(vec![70.0, 50.0]).is_err());
/// # Ok::<(), fracture::render::classify::BreaksError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct UserBreaks {
    thresholds: Vec<f64>,
}

impl UserBreaks {
    /// Checks that `thresholds` are finite and strictly ascending (and not empty).
    pub fn new(thresholds: Vec<f64>) -> Result<UserBreaks, BreaksError> {
        let ok = !thresholds.is_empty()
            && thresholds.iter().all(|t| t.is_finite())
            && thresholds.windows(2).all(|w| w[0] < w[1]);
        if ok { Ok(UserBreaks { thresholds }) } else { Err(BreaksError { breaks: thresholds }) }
    }

    /// The thresholds, ascending.
    pub fn thresholds(&self) -> &[f64] {
        &self.thresholds
    }
}

impl Classify for UserBreaks {
    /// `k` is ignored: the thresholds set the number of classes. No value makes no class.
    fn breaks(&self, values: &[f64], _k: usize, _decimals: usize) -> ClassBreaks {
        if sorted_finite(values).is_empty() {
            return ClassBreaks::default();
        }
        let mut bounds = Vec::with_capacity(self.thresholds.len() + 2);
        bounds.push(f64::NEG_INFINITY);
        bounds.extend_from_slice(&self.thresholds);
        bounds.push(f64::INFINITY);
        ClassBreaks { bounds }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::classify::tests::{assert_partition, random_values};
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn every_value_in_one_class_and_no_class_dropped() -> Result<(), BreaksError> {
        let user = UserBreaks::new(vec![-0.5, 0.0, 10.0, 1e4])?;
        let mut rng = ChaCha8Rng::seed_from_u64(85);
        for case in 0..1000 {
            let (values, decimals) = random_values(&mut rng);
            let b = user.breaks(&values, 3, decimals);
            assert_eq!(b.len(), 5, "case {case}");
            assert_partition(&b, &values, &format!("case {case}"));
        }
        assert!(user.breaks(&[f64::NAN], 5, 0).is_empty());
        Ok(())
    }

    #[test]
    fn invalid_thresholds_are_refused() {
        for bad in [vec![], vec![1.0, 1.0], vec![f64::NAN], vec![2.0, f64::INFINITY]] {
            assert!(UserBreaks::new(bad).is_err());
        }
    }
}
