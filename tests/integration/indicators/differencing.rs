//! The differencing attacks on the programme tables (`tables/programme.csv`) of every quarter's
//! report: what the attacker knows of each quarter (its table, and the single-quarter windows of every
//! programme table), each year-to-date window, and what they give back by subtraction:
//! - a window "year to date" minus an earlier one of the same year (new participants, enrolments,
//!   completions, non-completions and devices added between them), less the quarters in between that
//!   are published (additive counts only: a person attending two quarters counts once in the year);
//! - the territory's difference between two windows less what each area is known to have added;
//! - in each window, the spatial attacks of the table (total minus parts, rates times denominators),
//!   with the population of the quarter's table;
//! - every file publishing a cell hides it alike (a programme window of one quarter against that
//!   quarter's table).

use std::collections::{BTreeMap, BTreeSet};

use fracture::indicators::{Indicators, TERRITORY};
use polars::prelude::*;

use super::attack::{Published, attack, disagreements, small};

/// Counts compared over time: `(column, additive)`; completions and non-completions are derived from
/// the completion rate and the enrolled count.
const COUNTS: [(&str, bool); 5] = [
    ("participants", false),
    ("course_enrolled", true),
    ("completed", true),
    ("not_completed", true),
    ("devices", true),
];

/// The rows of one window of a programme table, with the population of the quarter's table.
fn window(ind: &Indicators, name: &str) -> Published {
    let p = ind.programme.as_ref().expect("a programme table");
    let rows = p.clone().lazy().filter(col("window").eq(lit(name.to_string()))).collect().unwrap();
    let mut w = Published::from_frame(format!("programme {name} (in the {} report)", ind.period), &rows);
    let table = Published::from_frame(String::new(), &ind.table);
    if let Some(pop) = table.get("population") {
        let by: BTreeMap<&String, Option<f64>> = table.codes.iter().zip(pop.iter().copied()).collect();
        let v = w.codes.iter().map(|c| by.get(c).copied().flatten()).collect();
        w.cols.insert("population".into(), v);
    }
    w
}

/// Completed and not completed, from a completion rate and its enrolled count.
fn derive(p: &mut Published) {
    let (Some(rate), Some(n)) = (p.get("completion_rate").cloned(), p.get("course_enrolled").cloned()) else {
        return;
    };
    let done: Vec<Option<f64>> =
        rate.iter().zip(&n).map(|(r, n)| Some((r.as_ref()? * n.as_ref()? / 100.0).round())).collect();
    let not_done = done.iter().zip(&n).map(|(d, n)| Some(n.as_ref()? - d.as_ref()?)).collect();
    p.cols.insert("completed".into(), done);
    p.cols.insert("not_completed".into(), not_done);
}

fn value(p: &Published, col: &str, code: &str) -> Option<f64> {
    let i = p.codes.iter().position(|c| c == code)?;
    p.get(col)?[i]
}

/// Every leak the attacker finds in the programme tables of `runs` (one run per quarter).
pub fn programme_leaks(runs: &[Indicators]) -> Vec<String> {
    let mut found = Vec::new();
    // What is known of each quarter, and each window "year to date" (year, quarter).
    let mut quarters: BTreeMap<String, Published> = BTreeMap::new();
    let mut ytd: BTreeMap<(i32, u8), Published> = BTreeMap::new();
    for ind in runs {
        let mut t = Published::from_frame(format!("table {}", ind.period), &ind.table);
        derive(&mut t);
        for name in fracture::indicators::programme::WINDOWS {
            let mut w = window(ind, name);
            derive(&mut w);
            found.extend(attack(&w));
            if name == "quarter" {
                for c in
                    ["participants", "participants_per_1000", "course_enrolled", "completion_rate", "devices"]
                {
                    found.extend(disagreements(&t, &w, c));
                }
            }
        }
        let q = ind.quarter.expect("a quarter");
        let mut w = window(ind, "year_to_date");
        derive(&mut w);
        ytd.insert((q.year, q.q), w);
        quarters.insert(ind.period.clone(), t);
    }
    // Single-quarter windows of other reports agree with that quarter's table.
    for ind in runs {
        let q = ind.quarter.expect("a quarter");
        for (name, back) in [("previous_quarter", -1), ("year_before", -4)] {
            let other = fracture::indicators::programme::shift(q, back).to_string();
            if let Some(t) = quarters.get(&other) {
                let w = window(ind, name);
                for c in ["participants", "course_enrolled", "completion_rate", "devices"] {
                    found.extend(disagreements(t, &w, c));
                }
            }
        }
    }
    let years: BTreeSet<i32> = ytd.keys().map(|(y, _)| *y).collect();
    for year in years {
        let windows: Vec<(u8, &Published)> =
            ytd.iter().filter(|((y, _), _)| *y == year).map(|((_, q), p)| (*q, p)).collect();
        let Some((_, first)) = windows.first() else { continue };
        let codes = first.codes.clone();
        let quarter = |q: u8| quarters.get(&format!("{year}-Q{q}"));
        for (col, additive) in COUNTS {
            // Anchors per area: (quarter k, value of the window up to k); the year's start at 0.
            let anchors = |code: &str| -> Vec<(u8, f64)> {
                let mut a = vec![(0, 0.0)];
                a.extend(windows.iter().filter_map(|(k, p)| Some((*k, value(p, col, code)?))));
                a
            };
            let known_quarters = |code: &str, from: u8, to: u8| -> f64 {
                if !additive {
                    return 0.0;
                }
                (from + 1..=to).filter_map(|q| quarter(q).and_then(|t| value(t, col, code))).sum()
            };
            for code in &codes {
                let a = anchors(code);
                for (i, &(j, yj)) in a.iter().enumerate() {
                    for &(k, yk) in &a[i + 1..] {
                        let d = yk - yj - known_quarters(code, j, k);
                        if small(d) {
                            found.push(format!(
                                "{year}: {col} of {code}: window to Q{k} − window to Q{j} − published quarters = {d}"
                            ));
                        }
                    }
                }
            }
            // The territory's difference less what the areas are known to have added.
            let t = anchors(TERRITORY);
            for (i, &(j, yj)) in t.iter().enumerate() {
                for &(k, yk) in &t[i + 1..] {
                    let mut rest = yk - yj;
                    for code in codes.iter().filter(|c| *c != TERRITORY) {
                        let a = anchors(code);
                        let at = |q: u8| a.iter().find(|(x, _)| *x == q).map(|(_, v)| *v);
                        rest -= match (at(j), at(k)) {
                            (Some(x), Some(y)) => y - x,
                            _ => known_quarters(code, j, k),
                        };
                    }
                    if small(rest) {
                        found.push(format!(
                            "{year}: {col}: territory's window to Q{k} − to Q{j} − the areas' known parts = {rest}"
                        ));
                    }
                }
            }
        }
    }
    found
}

#[test]
fn the_attacker_finds_differences_over_time() {
    use fracture::context::Quarter;
    // QA: 20 participants in 2025-Q1, 25 by Q2 (5 new); 30 devices in Q1, Q2's hidden, 38 by Q2 (8).
    let run = |q: u8, ytd_participants: i64, devices: Option<i64>, ytd_devices: i64| {
        let table = df!(
            "area_code" => ["QA", TERRITORY],
            "population" => [1000i64, 1000],
            "participants" => [Some(20i64), Some(20)],
            "devices" => [devices, devices],
        )
        .unwrap();
        let programme = df!(
            "window" => ["quarter", "quarter", "year_to_date", "year_to_date"],
            "area_code" => ["QA", TERRITORY, "QA", TERRITORY],
            "participants" => [Some(20i64), Some(20), Some(ytd_participants), Some(ytd_participants)],
            "devices" => [devices, devices, Some(ytd_devices), Some(ytd_devices)],
        )
        .unwrap();
        Indicators {
            table,
            series: None,
            programme: Some(programme),
            targets: None,
            funder: None,
            ifn_ranks: None,
            crosswalk: None,
            quarter: Some(Quarter { year: 2025, q }),
            quarters: Vec::new(),
            period: format!("2025-Q{q}"),
            notes: Vec::new(),
            areas: Vec::new(),
        }
    };
    let found = programme_leaks(&[run(1, 20, Some(30), 30), run(2, 25, None, 38)]);
    let has = |s: &str| found.iter().any(|f| f.contains(s));
    assert!(has("participants of QA: window to Q2 − window to Q1 − published quarters = 5"), "{found:#?}");
    assert!(has("devices of QA: window to Q2 − window to Q0 − published quarters = 8"), "{found:#?}");
}
