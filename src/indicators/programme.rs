//! Programme indicators over four windows of quarters: the quarter, the previous quarter, the same
//! quarter a year before and the year to date, per area (`tables/programme.csv`).
//!
//! Inputs: the located attendance records, the areas and their population, the quarter of the report.
//! Output: one row per window and area: participants (distinct over the window), per 1,000 residents,
//! hours, course enrolments (courses started in the window) and completion, devices; the `secrecy`
//! codes of the row; and whether the window compares with the quarter (`comparable`, `comparability`).
//!
//! Secrecy: a window of one quarter takes exactly the decisions of that quarter's table and series
//! (the same function on the same counts), so that no file fills another's hole; the windows "year to
//! date" of the year are decided together by [`suppress_year_to_date`] over the whole year present in
//! the data, so that every report (whichever its quarter) publishes them alike and their differences
//! give back no small count.
//!
//! Comparability codes (empty: comparable with the quarter): `qpv_list` when the official QPV list in
//! force changed between the two periods (the 2024 list replaced the 2015 one on 1 January 2024; both
//! windows are computed on the dataset's contours), followed on a QPV's rows, when the dataset gives the
//! previous list's contours (`qpv_previous`), by `qpv_redrawn` or `qpv_new` from the crosswalk
//! ([`crate::join::crosswalk`]: its contour differs from its 2015 footprint by more than 5 %, or no 2015
//! QPV overlaps it); `no_records` when the window holds no attendance
//! record (its values are empty, not zero). The population denominator is the same census for every
//! window of a run, so it never breaks a comparison here.

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::*;

use super::aggregate::{QuarterCounts, attendance_by_area, attendance_in};
use super::secrecy::{Suppression, YearToDate, suppress_cells, suppress_counts, suppress_year_to_date};
use super::table::indicator;
use super::{Computed, IndicatorError, Scope, ratio, round, terr};
use crate::context::Quarter;

/// The windows, in publication order, as written in the `window` column.
pub const WINDOWS: [&str; 4] = ["quarter", "previous_quarter", "year_before", "year_to_date"];

/// The quarter `n` quarters after `q` (before when negative).
pub fn shift(q: Quarter, n: i32) -> Quarter {
    let i = q.year * 4 + i32::from(q.q) - 1 + n;
    Quarter { year: i.div_euclid(4), q: (i.rem_euclid(4) + 1) as u8 }
}

/// First and last day of a quarter (ISO 8601).
pub fn quarter_dates(q: Quarter) -> (String, String) {
    let (m, end) = match q.q {
        1 => (1, "03-31"),
        2 => (4, "06-30"),
        3 => (7, "09-30"),
        _ => (10, "12-31"),
    };
    (format!("{}-{m:02}-01", q.year), format!("{}-{end}", q.year))
}

/// The official QPV list in force during a quarter: the 2015 list until 2023, the 2024 list from 1
/// January 2024.
fn qpv_list_in_force(q: Quarter) -> u16 {
    if q.year >= 2024 { 2024 } else { 2015 }
}

/// The comparability codes of one area's row: the window's, and across the change of list the
/// crosswalk's word on the area (a QPV redrawn or new; nothing for the comparison rows).
fn area_flags(
    window: &[&'static str],
    crosswalk: Option<&crate::join::crosswalk::Crosswalk>,
    code: &str,
) -> Vec<&'static str> {
    let mut row = window.to_vec();
    if window.contains(&"qpv_list")
        && let Some(c) = crosswalk.and_then(|x| x.change.get(code)).and_then(|c| c.code())
    {
        row.push(c);
    }
    row
}

/// Counts of one window, one per row (the areas in table order, the territory last when known).
struct Counts {
    participants: Vec<u64>,
    enrolled: Vec<u64>,
    completed: Vec<u64>,
    devices: Vec<u64>,
    hours: Vec<f64>,
}

impl Counts {
    fn new(s: &Scope, c: &QuarterCounts) -> Counts {
        let cells = |m: &BTreeMap<String, u64>| -> Vec<u64> {
            let mut v: Vec<u64> = s.partition.iter().map(|a| m.get(a).copied().unwrap_or(0)).collect();
            if s.territory_known {
                v.push(v.iter().sum());
            }
            v
        };
        let mut participants = cells(&c.participants);
        if let Some(t) = participants.last_mut().filter(|_| s.territory_known) {
            *t = c.participants_territory;
        }
        let mut hours: Vec<f64> =
            s.partition.iter().map(|a| c.hours.get(a).copied().unwrap_or(0.0)).collect();
        if s.territory_known {
            hours.push(hours.iter().sum());
        }
        Counts {
            participants,
            enrolled: cells(&c.enrolled),
            completed: cells(&c.completed),
            devices: cells(&c.devices),
            hours,
        }
    }

    fn not_completed(&self) -> Vec<u64> {
        self.enrolled.iter().zip(&self.completed).map(|(n, d)| n.saturating_sub(*d)).collect()
    }
}

/// Decisions of one window, one per row, per published count (`completion` is the rate's own: it is
/// also hidden, without a code of its own, wherever `enrolled` is).
#[derive(Clone)]
struct Decisions {
    participants: Vec<Option<Suppression>>,
    enrolled: Vec<Option<Suppression>>,
    completion: Vec<Option<Suppression>>,
    devices: Vec<Option<Suppression>>,
}

/// The counts of a window and what is published of them.
type Window = (Counts, Decisions);

/// The decisions of a quarter's table ([`super::reach`]): each count over the partition and its total,
/// the completion rate's completed and not-completed with the cells hidden with their enrolled.
fn quarter_decisions(s: &Scope, c: &Counts) -> Decisions {
    let min = s.ctx.dataset.parameters.secrecy_min_count;
    let n = s.partition.len();
    let rows = |m: BTreeMap<String, Option<Suppression>>| -> Vec<Option<Suppression>> {
        s.codes.iter().map(|c| m.get(c).copied().flatten()).collect()
    };
    let counts = |v: &[u64]| {
        let total = if s.territory_known { v[n] } else { v.iter().sum() };
        rows(suppress_counts(&s.partition, &v[..n], total, min, s.territory_known))
    };
    let enrolled = counts(&c.enrolled);
    let not_done = c.not_completed();
    let pre: Vec<Option<Suppression>> =
        enrolled[..n].iter().map(|e| e.map(|_| Suppression::Secondary)).collect();
    let totals = [c.completed[..n].iter().sum(), not_done[..n].iter().sum()];
    let completion = rows(suppress_cells(
        &s.partition,
        &[&c.completed[..n], &not_done[..n]],
        &totals,
        &pre,
        min,
        s.territory_known,
    ));
    Decisions { participants: counts(&c.participants), enrolled, completion, devices: counts(&c.devices) }
}

/// The decisions of the windows "year to date" of `year` (index `k`: quarters 1 to `k + 1`).
fn year_to_date(
    s: &Scope,
    att: &DataFrame,
    year: i32,
    present: &[Quarter],
) -> Result<Vec<Option<Window>>, IndicatorError> {
    let hours = s.ctx.dataset.parameters.completion_min_hours;
    let min = s.ctx.dataset.parameters.secrecy_min_count;
    let qs: Vec<Quarter> = (1..=4).map(|q| Quarter { year, q }).collect();
    let here: Vec<bool> = qs.iter().map(|q| present.contains(q)).collect();
    let Some(first) = here.iter().position(|&p| p) else { return Ok(vec![None, None, None, None]) };
    let mut windows = Vec::new();
    let mut quarters = Vec::new();
    for k in 0..4 {
        let names: Vec<String> = qs[..=k].iter().map(|q| q.to_string()).collect();
        windows.push(Counts::new(s, &attendance_in(att, &names, &s.partition, hours)?));
        let q = Counts::new(s, &attendance_by_area(att, &qs[k].to_string(), &s.partition, hours)?);
        let d = quarter_decisions(s, &q);
        quarters.push(d);
    }
    let rows = s.codes.len();
    // Windows before the first quarter with records, and those ending on a quarter without any, are
    // not published; the first published one is that quarter itself and keeps its decisions.
    let fixed: Vec<Vec<bool>> = (0..4).map(|k| vec![k <= first || !here[k]; rows]).collect();
    let start = |d: &dyn Fn(&Decisions) -> &Vec<Option<Suppression>>| -> Vec<Vec<Option<Suppression>>> {
        (0..4)
            .map(|k| {
                if k == first {
                    d(&quarters[k]).clone()
                } else if fixed[k][0] {
                    vec![Some(Suppression::Secondary); rows]
                } else {
                    vec![None; rows]
                }
            })
            .collect()
    };
    // An increment is known where its quarter is published (additive counts) or has no record.
    let known = |d: &dyn Fn(&Decisions) -> &Vec<Option<Suppression>>, additive: bool| -> Vec<Vec<bool>> {
        (0..4)
            .map(|k| {
                (0..rows)
                    .map(|r| !here[k] || ((additive || k == first) && d(&quarters[k])[r].is_none()))
                    .collect()
            })
            .collect()
    };
    let dim = |v: &dyn Fn(&Counts) -> Vec<u64>, known: Vec<Vec<bool>>| YearToDate {
        ytd: windows.iter().map(v).collect(),
        known,
    };
    let run = |dims: &[YearToDate], pre: &[Vec<Option<Suppression>>], fixed: &[Vec<bool>]| {
        suppress_year_to_date(dims, pre, fixed, min, s.territory_known)
    };
    let participants = run(
        &[dim(&|c| c.participants.clone(), known(&|d| &d.participants, false))],
        &start(&|d| &d.participants),
        &fixed,
    );
    let enrolled =
        run(&[dim(&|c| c.enrolled.clone(), known(&|d| &d.enrolled, true))], &start(&|d| &d.enrolled), &fixed);
    let devices =
        run(&[dim(&|c| c.devices.clone(), known(&|d| &d.devices, true))], &start(&|d| &d.devices), &fixed);
    // The rate is published where its enrolled count is: hidden with it otherwise (and kept so).
    let rate_known: Vec<Vec<bool>> = known(&|d| &d.completion, true)
        .into_iter()
        .enumerate()
        .map(|(k, row)| {
            row.into_iter().zip(&quarters[k].enrolled).map(|(a, e)| a && (e.is_none() || !here[k])).collect()
        })
        .collect();
    let mut pre = start(&|d| &d.completion);
    let mut rate_fixed = fixed.clone();
    for k in 0..4 {
        for r in 0..rows {
            if enrolled[k][r].is_some() && !fixed[k][r] {
                pre[k][r] = Some(Suppression::Secondary);
                rate_fixed[k][r] = true;
            }
        }
    }
    let completion = run(
        &[dim(&|c| c.completed.clone(), rate_known.clone()), dim(&|c| c.not_completed(), rate_known)],
        &pre,
        &rate_fixed,
    );
    Ok(windows
        .into_iter()
        .enumerate()
        .map(|(k, c)| {
            here[k].then(|| {
                let d = Decisions {
                    participants: participants[k].clone(),
                    enrolled: enrolled[k].clone(),
                    completion: completion[k].clone(),
                    devices: devices[k].clone(),
                };
                (c, d)
            })
        })
        .collect())
}

/// The published columns of one window, one value per row.
fn rows_of(
    s: &Scope,
    c: Option<&Window>,
    population: Option<&[Option<f64>]>,
    cols: &mut BTreeMap<&'static str, Vec<Option<f64>>>,
    secrecy: &mut Vec<Option<String>>,
) {
    let dec = |id: &str| indicator(id).and_then(|d| d.decimals).unwrap_or(1);
    for r in 0..s.codes.len() {
        let mut push = |k: &'static str, v: Option<f64>| cols.entry(k).or_default().push(v);
        let Some((c, d)) = c else {
            for k in [
                "participants",
                "participants_per_1000",
                "hours",
                "course_enrolled",
                "completion_rate",
                "devices",
            ] {
                push(k, None);
            }
            secrecy.push(None);
            continue;
        };
        let mut codes = BTreeSet::new();
        let mut count = |name: &str, h: Option<Suppression>, n: u64| -> Option<f64> {
            match h {
                Some(why) => {
                    codes.insert(format!("{name}:{}", why.code()));
                    None
                }
                None => Some(n as f64),
            }
        };
        let part = count("participants", d.participants[r], c.participants[r]);
        let enrolled = count("course_enrolled", d.enrolled[r], c.enrolled[r]);
        let devices = count("devices", d.devices[r], c.devices[r]);
        let rate = match (enrolled, d.completion[r]) {
            (None, _) => None,
            (Some(_), Some(why)) => {
                codes.insert(format!("completion_rate:{}", why.code()));
                None
            }
            (Some(n), None) => ratio(c.completed[r] as f64 * 100.0, n),
        };
        let per_1000 = part.and_then(|p| ratio(p * 1000.0, population.and_then(|v| v[r])?));
        push("participants", part);
        push("participants_per_1000", round(per_1000, dec("participants_per_1000")));
        push("hours", part.and(round(Some(c.hours[r]), dec("hours"))));
        push("course_enrolled", enrolled);
        push("completion_rate", round(rate, dec("completion_rate")));
        push("devices", devices);
        secrecy.push((!codes.is_empty()).then(|| codes.into_iter().collect::<Vec<_>>().join(";")));
    }
}

/// The programme table of quarter `q` (see the module header).
pub(crate) fn programme(
    s: &Scope,
    present: &[Quarter],
    q: Quarter,
    out: &Computed,
) -> Result<Option<DataFrame>, IndicatorError> {
    let Some(att) = &s.joined.attendance else { return Ok(None) };
    let hours = s.ctx.dataset.parameters.completion_min_hours;
    let single = |w: Quarter| -> Result<Option<Window>, IndicatorError> {
        if !present.contains(&w) {
            return Ok(None);
        }
        let c = Counts::new(s, &attendance_by_area(att, &w.to_string(), &s.partition, hours)?);
        let d = quarter_decisions(s, &c);
        Ok(Some((c, d)))
    };
    let mut ytd = year_to_date(s, att, q.year, present)?;
    let year_start = Quarter { year: q.year, q: 1 };
    let windows: [(Quarter, Quarter, Option<Window>); 4] = [
        (q, q, single(q)?),
        (shift(q, -1), shift(q, -1), single(shift(q, -1))?),
        (shift(q, -4), shift(q, -4), single(shift(q, -4))?),
        (year_start, q, ytd.swap_remove(usize::from(q.q) - 1)),
    ];
    let population = out.num("population");
    let kind: BTreeMap<&str, &str> = s.areas.iter().map(|a| (a.code.as_str(), a.area_type.code())).collect();
    let (mut window, mut period, mut start, mut end, mut types, mut codes, mut names) =
        (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    let (mut comparable, mut comparability) = (vec![], vec![]);
    let mut cols: BTreeMap<&'static str, Vec<Option<f64>>> = BTreeMap::new();
    let mut secrecy = Vec::new();
    for (w, (from, to, c)) in WINDOWS.iter().zip(&windows) {
        rows_of(s, c.as_ref(), population, &mut cols, &mut secrecy);
        let mut flags = Vec::new();
        if qpv_list_in_force(*from) != qpv_list_in_force(q) || qpv_list_in_force(*to) != qpv_list_in_force(q)
        {
            flags.push("qpv_list");
        }
        if c.is_none() {
            flags.push("no_records");
        }
        for a in s.areas {
            window.push(w.to_string());
            period.push(if from == to { from.to_string() } else { format!("{from}/{to}") });
            start.push(quarter_dates(*from).0);
            end.push(quarter_dates(*to).1);
            types.push(kind.get(a.code.as_str()).copied().unwrap_or_default().to_string());
            codes.push(a.code.clone());
            names.push(a.name.clone());
            let row = area_flags(&flags, s.joined.crosswalk.as_ref(), &a.code);
            comparable.push(row.is_empty());
            comparability.push((!row.is_empty()).then(|| row.join(";")));
        }
    }
    let int = |v: &[Option<f64>]| v.iter().map(|x| x.map(|x| x as i64)).collect::<Vec<Option<i64>>>();
    let col = |k: &str| cols.get(k).cloned().unwrap_or_default();
    DataFrame::new_infer_height(vec![
        Column::new("window".into(), window),
        Column::new("period".into(), period),
        Column::new("start".into(), start),
        Column::new("end".into(), end),
        Column::new("area_type".into(), types),
        Column::new("area_code".into(), codes),
        Column::new("area_name".into(), names),
        Column::new("participants".into(), int(&col("participants"))),
        Column::new("participants_per_1000".into(), col("participants_per_1000")),
        Column::new("hours".into(), col("hours")),
        Column::new("course_enrolled".into(), int(&col("course_enrolled"))),
        Column::new("completion_rate".into(), col("completion_rate")),
        Column::new("devices".into(), int(&col("devices"))),
        Column::new("secrecy".into(), secrecy),
        Column::new("comparable".into(), comparable),
        Column::new("comparability".into(), comparability),
    ])
    .map(Some)
    .map_err(terr("programme"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_shift_across_years_and_have_their_dates() {
        let q = Quarter { year: 2026, q: 1 };
        assert_eq!(shift(q, -1), Quarter { year: 2025, q: 4 });
        assert_eq!(shift(q, -4), Quarter { year: 2025, q: 1 });
        assert_eq!(shift(q, 7), Quarter { year: 2027, q: 4 });
        assert_eq!(quarter_dates(Quarter { year: 2025, q: 2 }), ("2025-04-01".into(), "2025-06-30".into()));
        assert_eq!(quarter_dates(Quarter { year: 2025, q: 4 }).1, "2025-12-31");
        assert_eq!(qpv_list_in_force(Quarter { year: 2023, q: 4 }), 2015);
        assert_eq!(qpv_list_in_force(shift(Quarter { year: 2023, q: 4 }, 1)), 2024);
    }

    #[test]
    fn across_the_change_of_list_a_qpv_redrawn_or_new_says_so() {
        use crate::join::crosswalk::{Crosswalk, QpvChange};
        let change = [("QA", QpvChange::Unchanged), ("QB", QpvChange::Redrawn), ("QC", QpvChange::New)]
            .map(|(c, x)| (c.to_string(), x))
            .into();
        let x = Crosswalk { table: DataFrame::empty(), change };
        assert_eq!(area_flags(&["qpv_list"], Some(&x), "QA"), ["qpv_list"]);
        assert_eq!(
            area_flags(&["qpv_list", "no_records"], Some(&x), "QB"),
            ["qpv_list", "no_records", "qpv_redrawn"]
        );
        assert_eq!(area_flags(&["qpv_list"], Some(&x), "QC"), ["qpv_list", "qpv_new"]);
        assert_eq!(area_flags(&["qpv_list"], Some(&x), "HORS_QPV"), ["qpv_list"]);
        // Within one list, or without the previous contours, nothing more.
        assert!(area_flags(&[], Some(&x), "QB").is_empty());
        assert_eq!(area_flags(&["qpv_list"], None, "QB"), ["qpv_list"]);
    }

    #[test]
    fn a_window_without_records_is_empty_and_flagged_and_the_quarter_is_the_tables() {
        use crate::indicators::fixture::{World, num};
        let ind = World::new().indicators();
        let p = ind.programme.as_ref().unwrap();
        let n = ind.table.height();
        assert_eq!(p.height(), 4 * n);
        let strs = |c: &str| -> Vec<Option<String>> {
            p.column(c).unwrap().str().unwrap().iter().map(|x| x.map(String::from)).collect()
        };
        let ints = |c: &str| -> Vec<Option<i64>> { p.column(c).unwrap().i64().unwrap().iter().collect() };
        // 2025-Q3: the previous quarter 2025-Q2 has records, 2024-Q3 none.
        assert_eq!(strs("period")[n].as_deref(), Some("2025-Q2"));
        assert!(strs("comparability")[n].is_none());
        assert_eq!(strs("comparability")[2 * n].as_deref(), Some("no_records"));
        assert!(ints("participants")[2 * n..3 * n].iter().all(Option::is_none));
        // The quarter's window is the table's, hidden alike, with the same codes.
        let counts: Vec<Option<i64>> =
            ind.table.column("participants").unwrap().i64().unwrap().iter().collect();
        assert_eq!(ints("participants")[..n], counts[..]);
        // (The share of participants living in a QPV is the table's only: not a programme column.)
        let own = |s: Option<String>| -> Option<String> {
            let kept: Vec<&str> =
                s.as_deref()?.split(';').filter(|c| !c.starts_with("share_participants_in_qpv:")).collect();
            (!kept.is_empty()).then(|| kept.join(";"))
        };
        let table: Vec<Option<String>> =
            crate::indicators::fixture::text(&ind, "secrecy").unwrap().into_iter().map(own).collect();
        assert_eq!(strs("secrecy")[..n], table[..]);
        let rate: Vec<Option<f64>> =
            p.column("participants_per_1000").unwrap().f64().unwrap().iter().collect();
        assert_eq!(rate[..n], num(&ind, "participants_per_1000").unwrap()[..]);
        // The year to date (Q2 and Q3) holds at least the quarter's participants where both are published.
        let part = ints("participants");
        for i in 0..n {
            if let (Some(q), Some(y)) = (part[i], part[3 * n + i]) {
                assert!(y >= q);
            }
        }
        assert_eq!(strs("period")[3 * n].as_deref(), Some("2025-Q1/2025-Q3"));
    }
}
