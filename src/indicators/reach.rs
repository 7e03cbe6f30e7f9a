//! Family `reach`: digital-mediation places in each area and the programme reach of the quarter
//! (participants, per 1,000 residents, courses and their completion, devices), every count of persons
//! through [`suppress_counts`] and every rate hidden with its count.

use std::collections::BTreeMap;

use polars::prelude::*;

use super::aggregate::{self, QuarterCounts, attendance_by_area, places_by_area};
use super::notes::Note;
use super::secrecy::{Suppression, suppress_counts};
use super::table::{Compute, PersonCount};
use super::{Computed, IndicatorError, Scope, TERRITORY, Values, ratio};
use crate::context::Quarter;

pub(crate) struct Reach {
    pub quarter: Option<Quarter>,
    pub quarters: Vec<Quarter>,
    /// Counts of the quarter by area of residence.
    counts: Option<QuarterCounts>,
    /// Suppression decisions per count, by area code.
    hidden: BTreeMap<PersonCount, BTreeMap<String, Option<Suppression>>>,
    pub notes: Vec<Note>,
}

/// The quarter asked for, or the latest present.
fn choose_quarter(asked: Option<Quarter>, present: &[Quarter]) -> Result<Quarter, IndicatorError> {
    match asked {
        Some(q) if present.contains(&q) => Ok(q),
        Some(q) => Err(IndicatorError::NoSuchQuarter {
            requested: q,
            present: present.iter().map(|q| q.to_string()).collect::<Vec<_>>().join(", "),
        }),
        None => present.last().copied().ok_or(IndicatorError::NoQuarter),
    }
}

impl Reach {
    pub fn new(s: &Scope) -> Result<Self, IndicatorError> {
        let mut r = Reach {
            quarter: None,
            quarters: Vec::new(),
            counts: None,
            hidden: BTreeMap::new(),
            notes: Vec::new(),
        };
        let Some(att) = &s.joined.attendance else {
            r.notes.push(Note::NoAttendance);
            return Ok(r);
        };
        r.quarters = aggregate::quarters_present(att)?;
        let q = choose_quarter(s.ctx.quarter, &r.quarters)?;
        r.quarter = Some(q);
        let params = &s.ctx.dataset.parameters;
        r.counts = Some(attendance_by_area(att, &q.to_string(), &s.partition, params.completion_min_hours)?);
        Ok(r)
    }

    /// Count of `what` per partition area, and the territory's.
    fn cells(&self, s: &Scope, what: PersonCount) -> Option<(Vec<u64>, u64)> {
        let a = self.counts.as_ref()?;
        let m = match what {
            PersonCount::Participants => &a.participants,
            PersonCount::CourseEnrolled => &a.enrolled,
            PersonCount::Devices => &a.devices,
        };
        let cells: Vec<u64> = s.partition.iter().map(|c| m.get(c).copied().unwrap_or(0)).collect();
        let total = match what {
            // Distinct persons: someone who moved is counted once in the territory.
            PersonCount::Participants => a.participants_territory,
            _ => cells.iter().sum(),
        };
        Some((cells, total))
    }

    /// The count of each area (territory included) and its suppression decision.
    fn published(&mut self, s: &Scope, what: PersonCount) -> Option<Vec<(u64, Option<Suppression>)>> {
        let (cells, total) = self.cells(s, what)?;
        let min = s.ctx.dataset.parameters.secrecy_min_count;
        let hide = self
            .hidden
            .entry(what)
            .or_insert_with(|| suppress_counts(&s.partition, &cells, total, min, s.territory_known));
        let by_code: BTreeMap<&String, u64> = s.partition.iter().zip(cells.iter().copied()).collect();
        Some(
            s.codes
                .iter()
                .map(|c| {
                    let n = if c == TERRITORY { total } else { by_code.get(c).copied().unwrap_or(0) };
                    (n, hide.get(c).copied().flatten())
                })
                .collect(),
        )
    }

    pub fn value(
        &mut self,
        s: &Scope,
        c: &Compute,
        out: &mut Computed,
    ) -> Result<Option<Values>, IndicatorError> {
        Ok(match c {
            Compute::Places => self.places(s)?,
            Compute::Persons { count } => {
                let Some(cells) = self.published(s, *count) else { return Ok(None) };
                let mut v = Vec::with_capacity(cells.len());
                for (i, (n, hidden)) in cells.into_iter().enumerate() {
                    match hidden {
                        Some(why) => {
                            out.secrecy[i].insert(format!("{}:{}", count.column(), why.code()));
                            v.push(None);
                        }
                        None => v.push(Some(n as f64)),
                    }
                }
                Some(Values::Num(v))
            }
            Compute::PerThousand { count } => {
                let Some(cells) = self.published(s, *count) else { return Ok(None) };
                let population = out.num("population");
                Some(Values::Num(
                    cells
                        .into_iter()
                        .enumerate()
                        .map(|(i, (n, hidden))| {
                            let p = population.and_then(|p| p[i])?;
                            if hidden.is_some() { None } else { ratio(n as f64 * 1000.0, p) }
                        })
                        .collect(),
                ))
            }
            Compute::Completion => {
                let Some(cells) = self.published(s, PersonCount::CourseEnrolled) else { return Ok(None) };
                let Some(a) = &self.counts else { return Ok(None) };
                let done: u64 = s.partition.iter().filter_map(|c| a.completed.get(c)).sum();
                Some(Values::Num(
                    s.codes
                        .iter()
                        .zip(cells)
                        .map(|(c, (n, hidden))| {
                            let d =
                                if c == TERRITORY { done } else { a.completed.get(c).copied().unwrap_or(0) };
                            if hidden.is_some() { None } else { ratio(d as f64 * 100.0, n as f64) }
                        })
                        .collect(),
                ))
            }
            _ => None,
        })
    }

    fn places(&self, s: &Scope) -> Result<Option<Values>, IndicatorError> {
        let Some(p) = &s.joined.places else { return Ok(None) };
        let counts = places_by_area(p)?;
        let total: u64 = s.partition.iter().filter_map(|c| counts.get(c)).sum();
        Ok(Some(Values::Num(
            s.codes
                .iter()
                .map(
                    |c| Some(if c == TERRITORY { total } else { counts.get(c).copied().unwrap_or(0) } as f64),
                )
                .collect(),
        )))
    }

    /// The quarterly series of reach (every quarter present), and the note on participants counted in no
    /// area.
    pub fn series(&mut self, s: &Scope, out: &Computed) -> Result<Option<DataFrame>, IndicatorError> {
        let (Some(att), Some(a)) = (&s.joined.attendance, &self.counts) else { return Ok(None) };
        let population: BTreeMap<String, f64> = out
            .num("population")
            .map(|p| s.codes.iter().zip(p).filter_map(|(c, v)| Some((c.clone(), (*v)?))).collect())
            .unwrap_or_default();
        let min = s.ctx.dataset.parameters.secrecy_min_count;
        let series = aggregate::reach_series(
            att,
            &self.quarters,
            s.areas,
            &s.partition,
            &population,
            min,
            s.territory_known,
        )?;
        if a.outside_territory > 0 || a.unknown > 0 {
            self.notes.push(Note::NotCounted { outside: a.outside_territory, unknown: a.unknown });
        }
        Ok(Some(series))
    }
}
