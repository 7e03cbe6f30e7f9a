//! The calendar of the attendance: the eight quarters, working days and the conseillers' workshop days.

use chrono::{Datelike, NaiveDate, TimeDelta, Weekday};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::demo::DemoError;

/// One calendar quarter.
#[derive(Debug, Clone)]
pub struct Quarter {
    pub start: NaiveDate,
    /// Last day (inclusive).
    pub end: NaiveDate,
    /// `2025T1`, ...
    pub label: String,
}

/// The 8 quarters from 2024-10-01 to 2026-09-30.
pub fn quarters() -> Result<Vec<Quarter>, DemoError> {
    let mut out = Vec::new();
    let (mut year, mut month) = (2024, 10);
    for _ in 0..8 {
        let start = ymd(year, month, 1)?;
        let (ny, nm) = if month == 10 { (year + 1, 1) } else { (year, month + 3) };
        let end = ymd(ny, nm, 1)? - TimeDelta::days(1);
        out.push(Quarter { start, end, label: format!("{year}T{}", (month - 1) / 3 + 1) });
        (year, month) = (ny, nm);
    }
    Ok(out)
}

fn ymd(y: i32, m: u32, d: u32) -> Result<NaiveDate, DemoError> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| DemoError::Invariant(format!("bad date {y}-{m}-{d}")))
}

/// A random day of the quarter other than a Sunday.
pub(super) fn working_day(q: &Quarter, rng: &mut ChaCha8Rng) -> NaiveDate {
    let days = (q.end - q.start).num_days();
    loop {
        let d = q.start + TimeDelta::days(rng.random_range(0..=days));
        if d.weekday() != Weekday::Sun {
            return d;
        }
    }
}

/// Thursdays of weeks 1, 3, 5, ... of the quarter: the conseillers' workshop days.
pub(super) fn workshop_days(q: &Quarter) -> Vec<NaiveDate> {
    let mut d = q.start;
    while d.weekday() != Weekday::Thu {
        d += TimeDelta::days(1);
    }
    let mut out = Vec::new();
    while d <= q.end {
        out.push(d);
        d += TimeDelta::days(14);
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use super::*;

    #[test]
    fn quarters_cover_the_two_years() {
        let q = quarters().unwrap();
        assert_eq!(q.len(), 8);
        assert_eq!(q[0].start.to_string(), "2024-10-01");
        assert_eq!(q[7].end.to_string(), "2026-09-30");
        assert_eq!(q[7].label, "2026T3");
        assert!(q.windows(2).all(|w| w[0].end + TimeDelta::days(1) == w[1].start));
    }
}
