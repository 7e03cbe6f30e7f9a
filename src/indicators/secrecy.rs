//! Statistical secrecy for counts of people (INSEE rules, `../shared/SOURCES.md` §6).
//!
//! - Primary: a count of natural persons between 1 and `min − 1` (default 11) is not published; zero is
//!   published (it discloses nobody).
//! - Secondary: within a partition whose total is published (the QPV + outside-QPV rows of a territory),
//!   the total minus the published cells gives back the sum of the hidden ones: that sum must be 0 or
//!   at least the threshold, so the smallest other published non-zero cells are hidden until it is
//!   (one hidden cell always gets a partner). A cell can carry several counts at once (a completion
//!   rate beside its enrolled count discloses both the completed and the not-completed): every one of
//!   them obeys both rules ([`suppress_linked`]).
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
/// Returns one decision per cell (`None` = published) and one for the total (see [`suppress_linked`]:
/// this is the case of one count per cell and nothing hidden beforehand).
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
    suppress_linked(&[counts], &vec![None; counts.len()], min)
}

/// Suppression over a partition whose total is published, for cells that carry several counts of
/// persons at once (a completion rate beside its enrolled count gives back both the completed and the
/// not-completed: each is a dimension) and cells already hidden for another reason (`pre`).
///
/// Rules, for every dimension:
/// - primary: a cell whose count is between 1 and `min − 1` is hidden;
/// - secondary: the published total minus the published cells gives back the sum of the hidden
///   ones, so that sum must be 0 or at least `min`: while it is not, the published cell with the
///   smallest non-zero count in that dimension (lowest index on ties) is hidden too; when no cell is
///   left, the total is hidden.
///
/// # Examples
/// ```
/// use fracture::indicators::secrecy::{Suppression, suppress_linked};
/// // 3 and 5 are primary, and so is their sum (8) that the total would give back: 13 goes too.
/// let (cells, total) = suppress_linked(&[&[40, 3, 5, 13]], &[None; 4], 11);
/// assert_eq!(cells.iter().filter(|c| c.is_some()).count(), 3);
/// assert_eq!(cells[3], Some(Suppression::Secondary));
/// assert_eq!(total, None);
/// ```
pub fn suppress_linked(
    dims: &[&[u64]],
    pre: &[Option<Suppression>],
    min: u32,
) -> (Vec<Option<Suppression>>, Option<Suppression>) {
    let n = pre.len();
    let mut out: Vec<Option<Suppression>> = (0..n)
        .map(|i| if dims.iter().any(|d| is_primary(d[i], min)) { Some(Suppression::Primary) } else { pre[i] })
        .collect();
    let mut total = None;
    loop {
        let recoverable = |d: &[u64], out: &[Option<Suppression>]| -> u64 {
            (0..n).filter(|&i| out[i].is_some()).map(|i| d[i]).sum()
        };
        let Some(bad) = dims.iter().find(|d| is_primary(recoverable(d, &out), min)) else { break };
        let pick = (0..n).filter(|&i| out[i].is_none() && bad[i] > 0).min_by_key(|&i| (bad[i], i));
        match pick {
            Some(i) => out[i] = Some(Suppression::Secondary),
            None => {
                total = Some(Suppression::Secondary);
                break;
            }
        }
    }
    let small_total = dims.iter().any(|d| is_primary(d.iter().sum(), min));
    (out, total.or(small_total.then_some(Suppression::Primary)))
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
    let pre = vec![None; counts.len()];
    suppress_cells(partition, &[counts], &[total], &pre, min, with_total)
}

/// [`suppress_linked`] by area code: cells carrying the counts `dims` (one slice per dimension, in
/// partition order), the territory's counts `totals`, cells hidden beforehand `pre`.
pub fn suppress_cells(
    partition: &[String],
    dims: &[&[u64]],
    totals: &[u64],
    pre: &[Option<Suppression>],
    min: u32,
    with_total: bool,
) -> BTreeMap<String, Option<Suppression>> {
    let (cells, total_decision) = if with_total {
        suppress_linked(dims, pre, min)
    } else {
        let cells =
            (0..pre.len())
                .map(|i| {
                    if dims.iter().any(|d| is_primary(d[i], min)) {
                        Some(Suppression::Primary)
                    } else {
                        pre[i]
                    }
                })
                .collect();
        (cells, None)
    };
    let mut m: BTreeMap<String, Option<Suppression>> = partition.iter().cloned().zip(cells).collect();
    if with_total {
        let small = totals.iter().any(|t| is_primary(*t, min));
        m.insert(TERRITORY.into(), total_decision.or(small.then_some(Suppression::Primary)));
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
    fn two_hidden_cells_whose_sum_is_small_get_a_partner() {
        // 7 + 3 = 10 would be given back by the total: 13 is hidden too.
        let (s, _) = suppress_partition(&[40, 7, 3, 13], 11);
        assert_eq!(
            s,
            vec![None, Some(Suppression::Primary), Some(Suppression::Primary), Some(Suppression::Secondary)]
        );
        // 7 + 6 = 13 discloses no cell and no small group.
        let (s, _) = suppress_partition(&[40, 7, 6, 13], 11);
        assert_eq!(s.iter().filter(|x| x.is_some()).count(), 2);
    }

    #[test]
    fn a_rate_beside_its_count_hides_what_it_gives_back() {
        // Completion: enrolled 12, 30, 25 with 11, 30, 14 completed. The first cell publishes 12
        // enrolled; its rate (91.7 %) would give back 1 person who did not complete.
        let completed = [11, 30, 14];
        let not_completed = [1, 0, 11];
        let (s, total) = suppress_linked(&[&completed, &not_completed], &[None; 3], 11);
        assert_eq!(s[0], Some(Suppression::Primary));
        // The total's not-completed (12) minus the published ones would give back the 1: hide a partner.
        assert_eq!(s[2], Some(Suppression::Secondary));
        assert_eq!(s[1], None);
        assert_eq!(total, None);
    }

    #[test]
    fn cells_hidden_beforehand_count_in_what_the_total_gives_back() {
        // The second cell is hidden with its denominator (12 completions); with the 3 of the third
        // cell the total gives back 15: no small count, no partner needed.
        let pre = [None, Some(Suppression::Secondary), None, None];
        let (s, _) = suppress_linked(&[&[20, 12, 3, 30]], &pre, 11);
        assert_eq!(s, vec![None, Some(Suppression::Secondary), Some(Suppression::Primary), None]);
        // With 5 completions instead of 12 the total would give back 8: the smallest other cell goes.
        let (s, _) = suppress_linked(&[&[20, 5, 3, 30]], &pre, 11);
        assert_eq!(s[0], Some(Suppression::Secondary));
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
            // What the total gives back (the sum of the hidden cells) is never a small count.
            let given_back: u64 = counts.iter().zip(&s).filter(|(_, h)| h.is_some()).map(|(c, _)| c).sum();
            assert!(total.is_some() || !is_primary(given_back, 11), "{counts:?} -> {s:?}: {given_back}");
            for (c, h) in counts.iter().zip(&s) {
                if is_primary(*c, 11) {
                    assert!(h.is_some());
                }
            }
        }
    }
}
