//! Statistical secrecy for counts of people (INSEE rules, `../shared/SOURCES.md` §6).
//!
//! - Primary: a count of natural persons between 1 and `min − 1` (default 11) is not published; zero is
//!   published (it discloses nobody).
//! - Secondary: within a partition whose total is published (the QPV + outside-QPV rows of a territory),
//!   a single hidden cell could be recovered by subtraction, so the smallest other published non-zero
//!   cell is hidden too.
//! - The 85 % dominance rule applies to magnitudes (turnover, income) summed over contributors; fracture
//!   publishes only counts of people and rates derived from them, so it does not arise.
//!
//! Every rate derived from a hidden count is hidden with it (see `indicators`).

use std::collections::BTreeMap;

use super::TERRITORY;

/// Why a cell is hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Suppression {
    /// Fewer than the minimum number of people.
    Primary,
    /// Hidden so that a primary cell cannot be recovered from the total.
    Secondary,
}

/// True when a count must be hidden by the primary rule.
///
/// # Examples
/// ```
/// use fracture::indicators::secrecy::is_primary;
/// assert!(!is_primary(0, 11), "zero discloses nobody");
/// assert!(is_primary(1, 11) && is_primary(10, 11));
/// assert!(!is_primary(11, 11));
/// ```
pub fn is_primary(count: u64, min: u32) -> bool {
    count > 0 && count < u64::from(min)
}

/// Applies primary then secondary suppression over a partition and its total.
/// Returns one decision per cell (`None` = published) and one for the total: the total is hidden when
/// it is itself below the threshold, or when one hidden cell has no published partner to hide with it.
///
/// # Examples
/// ```
/// use fracture::indicators::secrecy::{Suppression, suppress_partition};
/// // 7 people is a primary cell; 13, the smallest other non-zero cell, is hidden with it.
/// let (cells, total) = suppress_partition(&[40, 7, 0, 13, 25], 11);
/// assert_eq!(cells, [None, Some(Suppression::Primary), None, Some(Suppression::Secondary), None]);
/// assert_eq!(total, None);
/// // Alone with zeros, the hidden cell hides the total instead.
/// assert_eq!(suppress_partition(&[7, 0], 11).1, Some(Suppression::Secondary));
/// ```
pub fn suppress_partition(counts: &[u64], min: u32) -> (Vec<Option<Suppression>>, Option<Suppression>) {
    let mut out: Vec<Option<Suppression>> =
        counts.iter().map(|&c| is_primary(c, min).then_some(Suppression::Primary)).collect();
    let hidden = out.iter().filter(|s| s.is_some()).count();
    if hidden == 1 {
        // Smallest published non-zero cell, lowest index on ties (deterministic).
        let pick = counts
            .iter()
            .enumerate()
            .filter(|(i, c)| out[*i].is_none() && **c > 0)
            .min_by_key(|(i, c)| (**c, *i))
            .map(|(i, _)| i);
        match pick {
            Some(i) => out[i] = Some(Suppression::Secondary),
            None => return (out, Some(Suppression::Secondary)),
        }
    }
    let total: u64 = counts.iter().sum();
    (out, is_primary(total, min).then_some(Suppression::Primary))
}

/// The one entry point for publishing counts of persons: primary and secondary suppression over the
/// partition (QPV + outside QPV) and, when `with_total`, the territory total ([`TERRITORY`]).
/// Returns the decision for every partition code and the territory (`None` = published).
pub fn suppress_counts(
    partition: &[String],
    counts: &[u64],
    total: u64,
    min: u32,
    with_total: bool,
) -> BTreeMap<String, Option<Suppression>> {
    let (cells, total_decision) = if with_total {
        suppress_partition(counts, min)
    } else {
        (counts.iter().map(|&c| is_primary(c, min).then_some(Suppression::Primary)).collect(), None)
    };
    let mut m: BTreeMap<String, Option<Suppression>> = partition.iter().cloned().zip(cells).collect();
    if with_total {
        let t = total_decision.or(is_primary(total, min).then_some(Suppression::Primary));
        m.insert(TERRITORY.into(), t);
    }
    m
}

impl Suppression {
    /// The code written in the `secrecy` column (`participants:primary`).
    pub fn code(self) -> &'static str {
        match self {
            Suppression::Primary => "primary",
            Suppression::Secondary => "secondary",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primary_threshold() {
        assert!(!is_primary(0, 11));
        assert!(is_primary(1, 11));
        assert!(is_primary(10, 11));
        assert!(!is_primary(11, 11));
    }

    #[test]
    fn single_hidden_cell_gets_a_partner() {
        let (s, t) = suppress_partition(&[40, 7, 25, 0, 13], 11);
        assert_eq!(t, None);
        assert_eq!(s, vec![None, Some(Suppression::Primary), None, None, Some(Suppression::Secondary)]);
    }

    #[test]
    fn lone_hidden_cell_hides_the_total() {
        let (s, t) = suppress_partition(&[7, 0, 0], 11);
        assert_eq!(s[0], Some(Suppression::Primary));
        assert!(t.is_some());
    }

    #[test]
    fn two_hidden_cells_need_no_partner() {
        let (s, _) = suppress_partition(&[40, 7, 3, 13], 11);
        assert_eq!(s.iter().filter(|x| x.is_some()).count(), 2);
    }

    #[test]
    fn no_cell_can_be_recovered_by_subtraction() {
        // Property over many partitions: after suppression, either nothing is hidden or at least two
        // non-zero cells are, so the total minus the published cells never equals one hidden cell.
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        for _ in 0..2000 {
            let n = rng.random_range(1..12);
            let counts: Vec<u64> = (0..n).map(|_| rng.random_range(0..40)).collect();
            let (s, total) = suppress_partition(&counts, 11);
            let hidden_nonzero = counts.iter().zip(&s).filter(|(c, h)| h.is_some() && **c > 0).count();
            let any_primary = s.contains(&Some(Suppression::Primary));
            assert!(
                !any_primary || hidden_nonzero >= 2 || total.is_some(),
                "{counts:?} -> {s:?} / {total:?}"
            );
            for (c, h) in counts.iter().zip(&s) {
                if is_primary(*c, 11) {
                    assert!(h.is_some());
                }
            }
        }
    }
}
