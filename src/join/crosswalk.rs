//! The crosswalk from the previous official QPV list (2015) to the current one (2024): the overlap
//! table of the spatial engine ([`crate::spatial::overlay::overlay`], the one `fracture interpolate
//! --weights-out` writes), and what each current QPV is against its previous footprint.
//!
//! Input: both lists' contours in Lambert-93 (the dataset's `qpv_previous` and `qpv`). Output
//! ([`Crosswalk`]): `code_2015, code_2024, share_of_2015_area, share_of_2024_area`, one row per pair of
//! QPV whose intersection has a positive area (ordered by 2015 QPV, then 2024 QPV; shares with 6
//! decimals), and per 2024 QPV a [`QpvChange`]: `new` when no 2015 QPV overlaps it, `redrawn` when its
//! contour and its 2015 footprint (the 2015 QPV it overlaps) differ by more than [`REDRAWN_TOLERANCE`]
//! of either's area, else unchanged.

use std::collections::BTreeMap;

use polars::prelude::*;

use crate::ingest::Qpv;
use crate::spatial::overlay::{OverlayOptions, overlay};

/// Share of a QPV's area (or of its 2015 footprint's) that may lie outside the other before the QPV
/// counts as redrawn: 5 %, above the slivers left by re-digitised boundaries.
pub const REDRAWN_TOLERANCE: f64 = 0.05;

/// What a current QPV is against the previous list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QpvChange {
    /// Its contour matches its previous footprint within the tolerance.
    Unchanged,
    /// Its contour differs from its previous footprint by more than the tolerance.
    Redrawn,
    /// No QPV of the previous list overlaps it.
    New,
}

impl QpvChange {
    /// The comparability code, `None` when unchanged.
    pub fn code(self) -> Option<&'static str> {
        match self {
            QpvChange::Unchanged => None,
            QpvChange::Redrawn => Some("qpv_redrawn"),
            QpvChange::New => Some("qpv_new"),
        }
    }
}

/// The crosswalk table and each current QPV's change, by code.
#[derive(Debug, Clone)]
pub struct Crosswalk {
    pub table: DataFrame,
    pub change: BTreeMap<String, QpvChange>,
}

fn six(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// Overlays the previous list's QPV (sources) and the current ones (targets).
pub fn crosswalk(previous: &[Qpv], current: &[Qpv]) -> PolarsResult<Crosswalk> {
    let sources: Vec<_> = previous.iter().map(|q| &q.geometry).collect();
    let targets: Vec<_> = current.iter().map(|q| &q.geometry).collect();
    let o = overlay(&sources, &targets, OverlayOptions::default());
    let (mut from, mut to, mut share_from, mut share_to) = (vec![], vec![], vec![], vec![]);
    // Per current QPV: the share of its area inside 2015 QPV, the overlap and the footprint's areas.
    let mut covered = vec![0.0; current.len()];
    let mut overlap = vec![0.0; current.len()];
    let mut footprint = vec![0.0; current.len()];
    for x in &o.overlaps {
        let (s, t) = (x.source as usize, x.target as usize);
        from.push(previous[s].code.clone());
        to.push(current[t].code.clone());
        share_from.push(six(x.share_of_source));
        share_to.push(six(x.share_of_target));
        covered[t] += x.share_of_target;
        overlap[t] += x.area;
        footprint[t] += o.source_area[s];
    }
    let change = current
        .iter()
        .enumerate()
        .map(|(t, q)| {
            let c = if footprint[t] <= 0.0 {
                QpvChange::New
            } else if covered[t] < 1.0 - REDRAWN_TOLERANCE
                || overlap[t] / footprint[t] < 1.0 - REDRAWN_TOLERANCE
            {
                QpvChange::Redrawn
            } else {
                QpvChange::Unchanged
            };
            (q.code.clone(), c)
        })
        .collect();
    let table = DataFrame::new_infer_height(vec![
        Column::new("code_2015".into(), from),
        Column::new("code_2024".into(), to),
        Column::new("share_of_2015_area".into(), share_from),
        Column::new("share_of_2024_area".into(), share_to),
    ])?;
    Ok(Crosswalk { table, change })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use super::*;
    use geo::{MultiPolygon, polygon};

    fn qpv(code: &str, x0: f64, x1: f64) -> Qpv {
        let g = MultiPolygon(vec![
            polygon![(x: x0, y: 0.0), (x: x1, y: 0.0), (x: x1, y: 100.0), (x: x0, y: 100.0)],
        ]);
        Qpv::bare(code, g)
    }

    #[test]
    fn shares_of_both_areas_and_what_each_current_qpv_is() {
        // A is the same (a 1 % sliver more); B was half of a 2015 QPV twice its size; C is new.
        let previous = [qpv("QP1", 0.0, 100.0), qpv("QP2", 200.0, 400.0)];
        let current = [qpv("QNA", 0.0, 101.0), qpv("QNB", 200.0, 300.0), qpv("QNC", 500.0, 600.0)];
        let c = crosswalk(&previous, &current).unwrap();
        let s = |k: &str| -> Vec<String> {
            c.table.column(k).unwrap().str().unwrap().iter().map(|x| x.unwrap().to_string()).collect()
        };
        let f =
            |k: &str| -> Vec<f64> { c.table.column(k).unwrap().f64().unwrap().iter().flatten().collect() };
        assert_eq!(s("code_2015"), ["QP1", "QP2"]);
        assert_eq!(s("code_2024"), ["QNA", "QNB"]);
        assert_eq!(f("share_of_2015_area"), [1.0, 0.5]);
        assert_eq!(f("share_of_2024_area"), [six(100.0 / 101.0), 1.0]);
        assert_eq!(c.change["QNA"], QpvChange::Unchanged);
        assert_eq!(c.change["QNB"], QpvChange::Redrawn);
        assert_eq!(c.change["QNC"], QpvChange::New);
        assert_eq!(QpvChange::New.code(), Some("qpv_new"));
    }
}
