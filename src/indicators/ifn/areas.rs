//! The original IFN for the areas of the indicator table: each QPV (and the comparison rows) against
//! the territory of the dataset (commune/EPCI) as reference, its thresholds being the territory's own
//! values (the method's rule). And the stability of the QPV ranks when each variable's weight changes
//! by ±20 % (`tables/ifn_ranks.csv`).
//!
//! Variables, from the table's columns (percentages as fractions): `couv_hd_thd` ← `share_thd30`,
//! `tx_pauvrete` ← `poverty_rate`, `revenu_median` ← `median_income`, `part_familles_monoparentales`
//! ← `share_single_parent`, `part_menages_1p` ← `share_one_person`, `part_chomeurs_15_64` ←
//! `unemployment_rate`, `part_15_29` ← `share_15_29`, `part_65p` ← `share_65p`, `part_peu_diplomes` ←
//! `share_no_diploma`. A variable missing for an area (or for the territory, or the dataset: the
//! census activity and households tables are optional) is left out of its scores, never taken as zero;
//! the others of the method (2G coverage, public services) have no source here.

use super::method::{IfnScores, Thresholds, Values, Variable, compute, points};

/// The table columns feeding the index: `(variable, column, scale to a fraction)`.
pub const SOURCES: [(Variable, &str, f64); 9] = [
    (Variable::CouvHdThd, "share_thd30", 0.01),
    (Variable::TxPauvrete, "poverty_rate", 0.01),
    (Variable::RevenuMedian, "median_income", 1.0),
    (Variable::PartFamillesMonoparentales, "share_single_parent", 0.01),
    (Variable::PartMenages1p, "share_one_person", 0.01),
    (Variable::PartChomeurs1564, "unemployment_rate", 0.01),
    (Variable::Part1529, "share_15_29", 0.01),
    (Variable::Part65p, "share_65p", 0.01),
    (Variable::PartPeuDiplomes, "share_no_diploma", 0.01),
];

/// The scores of every row against the reference row `reference`; quintiles among the rows `ranked`
/// only (the QPV), `None` elsewhere.
pub fn scores(rows: &[Values], reference: usize, ranked: &[bool]) -> Vec<IfnScores> {
    let thresholds: Thresholds = rows[reference];
    let mut out = compute(rows, &thresholds);
    let qpv: Vec<Values> = rows.iter().zip(ranked).filter(|(_, r)| **r).map(|(v, _)| *v).collect();
    let mut q = compute(&qpv, &thresholds).into_iter().map(|s| s.quintile);
    for (s, r) in out.iter_mut().zip(ranked) {
        s.quintile = if *r { q.next().flatten() } else { None };
    }
    out
}

/// Ranks of `scores` (1 = most fragile, the highest score; ties share the best rank); `None` unscored.
pub fn ranks(scores: &[Option<f64>]) -> Vec<Option<usize>> {
    // Sorted once (highest first): a score's rank is 1 + the number of scores above it, O(n log n).
    let mut sorted: Vec<f64> = scores.iter().flatten().copied().collect();
    sorted.sort_by(|a, b| b.total_cmp(a));
    scores.iter().map(|s| s.map(|s| 1 + sorted.partition_point(|x| *x > s))).collect()
}

/// The rank of each row, and its lowest and highest rank over the perturbations: each variable the
/// rows use, its weight × 0.8 then × 1.2 (the others at 1), the score being the weighted mean of the
/// available variables' points.
pub fn rank_stability(rows: &[Values], thresholds: &Thresholds) -> Vec<Option<(usize, usize, usize)>> {
    let pts: Vec<Vec<(Variable, f64)>> = rows
        .iter()
        .map(|r| {
            Variable::ALL
                .into_iter()
                .filter_map(|v| Some((v, points(v, r.get(v)?, thresholds.get(v)?)?)))
                .collect()
        })
        .collect();
    let score = |weight: &dyn Fn(Variable) -> f64| -> Vec<Option<f64>> {
        pts.iter()
            .map(|p| {
                let w: f64 = p.iter().map(|(v, _)| weight(*v)).sum();
                (!p.is_empty()).then(|| p.iter().map(|(v, x)| weight(*v) * x).sum::<f64>() / w)
            })
            .collect()
    };
    let base = ranks(&score(&|_| 1.0));
    let used: Vec<Variable> =
        Variable::ALL.into_iter().filter(|v| pts.iter().any(|p| p.iter().any(|(x, _)| x == v))).collect();
    let mut bounds: Vec<Option<(usize, usize, usize)>> = base.iter().map(|r| r.map(|r| (r, r, r))).collect();
    for v in used {
        for f in [0.8, 1.2] {
            let r = ranks(&score(&|x| if x == v { f } else { 1.0 }));
            for (b, r) in bounds.iter_mut().zip(r) {
                if let (Some((_, lo, hi)), Some(r)) = (b.as_mut(), r) {
                    *lo = (*lo).min(r);
                    *hi = (*hi).max(r);
                }
            }
        }
    }
    bounds
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(p65: f64, dip: Option<f64>) -> Values {
        Values { part_65p: Some(p65), part_peu_diplomes: dip, ..Default::default() }
    }

    #[test]
    fn qpv_against_the_territory_with_quintiles_among_qpv_only() {
        // Three QPV then the territory (20 % aged 65+, 40 % with little or no diploma).
        let rows = [v(0.1, Some(0.4)), v(0.3, Some(0.6)), v(0.2, None), v(0.2, Some(0.4))];
        let s = scores(&rows, 3, &[true, true, true, false]);
        let r = |x: Option<f64>| x.map(|x| (x * 100.0).round() / 100.0);
        assert_eq!(r(s[0].score), Some(75.0)); // (50 + 100) / 2
        assert_eq!(r(s[1].score), Some(150.0));
        assert_eq!(r(s[2].score), Some(100.0), "diploma unknown: left out, not zero");
        assert_eq!(r(s[3].score), Some(100.0));
        assert_eq!(s.iter().map(|x| x.quintile).collect::<Vec<_>>(), [Some(1), Some(4), Some(2), None]);
    }

    #[test]
    fn ranks_move_within_bounds_when_weights_change() {
        // A: 65+ high, diploma low; B the reverse; C in between: with equal weights A and B tie.
        let t = v(0.2, Some(0.4));
        let rows = [v(0.4, Some(0.2)), v(0.1, Some(0.8)), v(0.25, Some(0.5))];
        let s = rank_stability(&rows, &t);
        // Scores: A (200 + 50) / 2 = 125, B (50 + 200) / 2 = 125, C (125 + 125) / 2 = 125: all tie.
        // Weighting 65+ down puts B first and A last, up the reverse; C stays second.
        assert_eq!(s, [Some((1, 1, 3)), Some((1, 1, 3)), Some((1, 1, 2))]);
        assert_eq!(ranks(&[Some(3.0), None, Some(5.0), Some(3.0)]), [Some(2), None, Some(1), Some(2)]);
    }
}
