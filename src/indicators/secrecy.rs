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
//! - Differencing over time: the windows "year to date" beside each other, beside the published
//!   quarters and beside the territory's give back what was added between them; what they give back
//!   obeys the same rules ([`suppress_year_to_date`]). A window equal to a quarter keeps the quarter's
//!   decision, so that every file publishing a cell hides it alike.
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

/// One count followed over the windows "year to date" of a year (see [`suppress_year_to_date`]).
#[derive(Debug, Clone)]
pub struct YearToDate {
    /// `ytd[k][r]`: the count of the window from the year's first quarter to its quarter `k + 1`, for
    /// each row `r` (the partition's areas in order, then the territory when it is published).
    pub ytd: Vec<Vec<u64>>,
    /// `known[k][r]`: the increment `ytd[k] − ytd[k − 1]` is published elsewhere (an additive count
    /// whose quarter is published, a quarter without records), so differencing gives nothing new there.
    pub known: Vec<Vec<bool>>,
}

impl YearToDate {
    fn inc(&self, i: usize, r: usize) -> i64 {
        let prev = if i == 0 { 0 } else { self.ytd[i - 1][r] as i64 };
        self.ytd[i][r] as i64 - prev
    }
}

/// Does a difference an attacker can compute give back a small count?
fn small(x: i64, min: u32) -> bool {
    x > 0 && x < i64::from(min)
}

/// The published windows of row `r`, with the empty window before the year (`None`) first.
fn anchors(h: &[Vec<Option<Suppression>>], r: usize) -> Vec<Option<usize>> {
    let mut a = vec![None];
    a.extend((0..h.len()).filter(|&k| h[k][r].is_none()).map(Some));
    a
}

fn after(a: Option<usize>) -> usize {
    a.map_or(0, |a| a + 1)
}

/// The first cell of `c` that may still be hidden.
fn hideable(
    c: Vec<(usize, usize)>,
    h: &[Vec<Option<Suppression>>],
    fixed: &[Vec<bool>],
) -> Option<(usize, usize)> {
    c.into_iter().find(|&(k, r)| !fixed[k][r] && h[k][r].is_none())
}

/// The cell to hide next: the first of those that would mend a broken rule (a rule no cell can mend
/// any more is passed over).
fn violation(
    dims: &[YearToDate],
    h: &[Vec<Option<Suppression>>],
    fixed: &[Vec<bool>],
    min: u32,
    t: Option<usize>,
) -> Option<(usize, usize)> {
    let rows = h.first().map_or(0, Vec::len);
    let parts = t.unwrap_or(rows);
    for d in dims {
        // Over time, in each row: two published windows give back what was added between them, less
        // what is published quarter by quarter.
        for r in 0..rows {
            for w in anchors(h, r).windows(2) {
                let (a, Some(b)) = (w[0], w[1]) else { continue };
                let hidden: i64 = (after(a)..=b).filter(|&i| !d.known[i][r]).map(|i| d.inc(i, r)).sum();
                if small(hidden, min)
                    && let Some(c) = hideable(vec![(b, r)], h, fixed)
                {
                    return Some(c);
                }
            }
        }
        let Some(t) = t else { continue };
        // In space, in each window: the territory minus the published areas.
        for k in 0..h.len() {
            if h[k][t].is_some() {
                continue;
            }
            let published: i64 = (0..parts).filter(|&r| h[k][r].is_none()).map(|r| d.ytd[k][r] as i64).sum();
            if small(d.ytd[k][t] as i64 - published, min) {
                let mut c: Vec<(usize, usize)> =
                    (0..parts).filter(|&r| h[k][r].is_none()).map(|r| (k, r)).collect();
                c.sort_by_key(|&(k, r)| (d.ytd[k][r] == 0, d.ytd[k][r], r));
                c.push((k, t));
                if let Some(c) = hideable(c, h, fixed) {
                    return Some(c);
                }
            }
        }
        // In space and time: what the territory added between two of its published windows, less what
        // each area is known to have added between them.
        for w in anchors(h, t).windows(2) {
            let (a, Some(b)) = (w[0], w[1]) else { continue };
            let total: i64 = (after(a)..=b).map(|i| d.inc(i, t)).sum();
            let mut known_parts = Vec::with_capacity(parts);
            for r in 0..parts {
                let mut derivable = vec![false; h.len()];
                for x in anchors(h, r).windows(2) {
                    let (p, Some(q)) = (x[0], x[1]) else { continue };
                    if after(p) >= after(a) && q <= b {
                        (after(p)..=q).for_each(|i| derivable[i] = true);
                    }
                }
                let part: i64 =
                    (after(a)..=b).filter(|&i| derivable[i] || d.known[i][r]).map(|i| d.inc(i, r)).sum();
                known_parts.push(part);
            }
            if small(total - known_parts.iter().sum::<i64>(), min) {
                let mut c: Vec<(usize, usize)> =
                    (0..parts).filter(|&r| h[b][r].is_none()).map(|r| (b, r)).collect();
                c.sort_by_key(|&(_, r)| (known_parts[r] == 0, known_parts[r], r));
                c.push((b, t));
                if let Some(c) = hideable(c, h, fixed) {
                    return Some(c);
                }
            }
        }
    }
    None
}

/// Suppression of the windows "year to date" of a year against differencing: a window published
/// beside the previous one gives back what was added between them (new participants, devices of the
/// quarter), beside the published quarters what was added in the hidden ones, and the territory's
/// windows beside the areas' what the hidden areas added.
///
/// `pre[k][r]` are the decisions taken beforehand (a window not published, a rate hidden with its
/// count); `fixed[k][r]` the cells that must keep them (a window equal to a quarter published in the
/// quarter's tables keeps the quarter's decision). Rows: the partition, then the territory when
/// `with_total`. Rules, for every dimension, until none is broken (each step hides one more cell):
/// - primary: a window whose count is between 1 and `min − 1` is hidden;
/// - over time: between two consecutive published windows of a row (the year's start counts as one,
///   at zero), what was added in the quarters not published otherwise is 0 or at least `min`, else
///   the later window is hidden;
/// - in space: the territory's window minus the published areas' is 0 or at least `min`, else the
///   published area with the smallest non-zero count is hidden (the territory when none is left);
/// - in space and time: what the territory added between two published windows, less what the areas
///   are known to have added, is 0 or at least `min`, else the later window of an area is hidden.
///
/// # Examples
/// ```
/// use fracture::indicators::secrecy::{YearToDate, suppress_year_to_date};
/// // One area: 20 participants in Q1, 25 by Q2 (5 new ones), 40 by Q3.
/// let d = YearToDate { ytd: vec![vec![20], vec![25], vec![40]], known: vec![vec![true], vec![false], vec![false]] };
/// let h = suppress_year_to_date(&[d], &vec![vec![None]; 3], &[vec![true], vec![false], vec![false]], 11, false);
/// // Q2's window would give back the 5: hidden, and Q3's gives back 20 new ones since Q1.
/// assert!(h[0][0].is_none() && h[1][0].is_some() && h[2][0].is_none());
/// ```
pub fn suppress_year_to_date(
    dims: &[YearToDate],
    pre: &[Vec<Option<Suppression>>],
    fixed: &[Vec<bool>],
    min: u32,
    with_total: bool,
) -> Vec<Vec<Option<Suppression>>> {
    let mut h = pre.to_vec();
    let rows = h.first().map_or(0, Vec::len);
    for (k, row) in h.iter_mut().enumerate() {
        for (r, cell) in row.iter_mut().enumerate() {
            if !fixed[k][r] && dims.iter().any(|d| is_primary(d.ytd[k][r], min)) {
                *cell = Some(Suppression::Primary);
            }
        }
    }
    let t = (with_total && rows > 0).then(|| rows - 1);
    while let Some((k, r)) = violation(dims, &h, fixed, min, t) {
        h[k][r] = Some(Suppression::Secondary);
    }
    h
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

    #[test]
    fn windows_year_to_date_give_back_no_small_difference() {
        // Two areas and the territory over three quarters; additive counts, quarters not published.
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(8);
        for _ in 0..300 {
            let q: Vec<[u64; 2]> =
                (0..3).map(|_| [rng.random_range(0..25), rng.random_range(0..25)]).collect();
            let mut ytd = Vec::new();
            let mut acc = [0u64; 2];
            for x in &q {
                acc = [acc[0] + x[0], acc[1] + x[1]];
                ytd.push(vec![acc[0], acc[1], acc[0] + acc[1]]);
            }
            let d = YearToDate { ytd: ytd.clone(), known: vec![vec![false; 3]; 3] };
            let h = suppress_year_to_date(&[d], &vec![vec![None; 3]; 3], &vec![vec![false; 3]; 3], 11, true);
            for r in 0..3 {
                let mut last = 0u64;
                for k in 0..3 {
                    if h[k][r].is_none() {
                        let diff = ytd[k][r] - last;
                        assert!(!is_primary(diff, 11), "{q:?}: row {r} window {k} gives back {diff}");
                        last = ytd[k][r];
                    }
                }
            }
            for k in 0..3 {
                if h[k][2].is_none() {
                    let hidden: u64 = (0..2).filter(|&r| h[k][r].is_some()).map(|r| ytd[k][r]).sum();
                    assert!(!is_primary(hidden, 11), "{q:?}: window {k} gives back {hidden}");
                }
            }
        }
    }
}
