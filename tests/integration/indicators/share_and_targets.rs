//! Two more things the attacker reads (see `attack`): the share of participants living in a QPV on the
//! territory row, and the funder targets (`tables/targets.csv`).
//! - The share times its denominator (the territory's participants plus those the note says live outside
//!   it) gives back the QPV residents and the others; beside the published participant counts, what the
//!   QPV residents leave beyond the published QPV cells, and what the others leave beyond the published
//!   outside-QPV and outside-territory counts.
//! - A target's actual value, or its progress times the target, is the programme table's cell of the
//!   same window: it must be hidden where that cell is, and never be 1 to 10 persons.

use std::collections::BTreeMap;

use fracture::indicators::{Indicators, Note, TERRITORY};
use fracture::join::OUTSIDE_QPV;
use polars::prelude::*;

use super::attack::{Published, small};

/// The integer `share × total / 100` when the share's 1 decimal pins it down.
fn times(share: f64, total: f64) -> Option<f64> {
    (total * 0.05 / 100.0 < 0.5).then(|| (share * total / 100.0).round())
}

/// What the share living in a QPV gives back in one table, with the notes of its report.
pub(super) fn share_leaks(p: &Published, notes: &[Note]) -> Vec<String> {
    let mut found = Vec::new();
    let (Some(share), Some(part)) = (p.get("share_participants_in_qpv"), p.get("participants")) else {
        return found;
    };
    let Some(t) = p.codes.iter().position(|c| c == TERRITORY) else { return found };
    for (code, s) in p.codes.iter().zip(share) {
        if s.is_some() && code != TERRITORY {
            found.push(format!("{}: share living in a QPV published for {code}", p.label));
        }
    }
    let Some(s) = share[t] else { return found };
    // The note gives those outside the territory; "fewer than 11" leaves the denominator unknown.
    let outside = notes.iter().find_map(|n| match n {
        Note::NotCounted { outside, .. } => Some(*outside),
        _ => None,
    });
    let outside = match outside {
        None => 0.0,
        Some(Some(n)) => n as f64,
        Some(None) => {
            found.push(format!("{}: share living in a QPV beside a hidden outside-territory count", p.label));
            return found;
        }
    };
    let Some(total) = part[t] else {
        found.push(format!("{}: share living in a QPV beside a hidden territory count", p.label));
        return found;
    };
    let known = total + outside;
    let Some(in_qpv) = times(s, known) else { return found };
    let others = known - in_qpv;
    let qpv_published: f64 = p
        .codes
        .iter()
        .zip(part)
        .filter(|(c, _)| *c != TERRITORY && *c != OUTSIDE_QPV)
        .filter_map(|(_, x)| *x)
        .sum();
    let outside_qpv = p.codes.iter().position(|c| c == OUTSIDE_QPV).and_then(|i| part[i]).unwrap_or(0.0);
    for (what, x) in [
        ("participants living in a QPV (share × known)", in_qpv),
        ("participants living outside QPV (known − share × known)", others),
        ("hidden QPV participants (share × known − published QPV)", in_qpv - qpv_published),
        (
            "hidden outside-QPV participants (others − outside territory − published)",
            others - outside - outside_qpv,
        ),
    ] {
        if small(x) {
            found.push(format!("{}: {what} = {x}", p.label));
        }
    }
    found
}

fn strs(df: &DataFrame, c: &str) -> Vec<Option<String>> {
    df.column(c).unwrap().str().unwrap().iter().map(|x| x.map(String::from)).collect()
}

fn f64s(df: &DataFrame, c: &str) -> Vec<Option<f64>> {
    df.column(c).unwrap().cast(&DataType::Float64).unwrap().f64().unwrap().iter().collect()
}

/// What the targets table gives back beside the programme table of the same report.
pub(super) fn target_leaks(ind: &Indicators) -> Vec<String> {
    let mut found = Vec::new();
    let (Some(t), Some(p)) = (&ind.targets, &ind.programme) else { return found };
    let (pw, pc) = (strs(p, "window"), strs(p, "area_code"));
    let cell = |window: &str, code: &str, measure: &str| -> Option<f64> {
        let i = pw
            .iter()
            .zip(&pc)
            .position(|(w, c)| w.as_deref() == Some(window) && c.as_deref() == Some(code))?;
        f64s(p, measure)[i]
    };
    let (code, window, measure) = (strs(t, "area_code"), strs(t, "window"), strs(t, "measure"));
    let (target, actual, progress) = (f64s(t, "target"), f64s(t, "actual"), f64s(t, "progress_pct"));
    let persons: BTreeMap<&str, bool> =
        [("participants", true), ("course_enrolled", true), ("devices", true), ("hours", false)].into();
    for i in 0..t.height() {
        let (Some(c), Some(w), Some(m)) = (&code[i], &window[i], &measure[i]) else { continue };
        let label = format!("targets {} ({c}, {w}, {m})", ind.period);
        let from_progress = progress[i].zip(target[i]).and_then(|(pr, tg)| times(pr, tg));
        let programme = cell(w, c, m);
        for (how, x) in [("actual", actual[i]), ("progress × target", from_progress)] {
            let Some(x) = x else { continue };
            if programme.is_none() {
                found.push(format!("{label}: {how} = {x} where the programme table hides it"));
            }
            if persons.get(m.as_str()).copied().unwrap_or(true) && small(x) {
                found.push(format!("{label}: {how} = {x}"));
            }
        }
    }
    found
}
