//! Family `connectivity`: premises of the ARCEP buildings located in each area, and the share of
//! them eligible to each service the table names (`premises_share` flags such as `thd30`, `ftth`).

use super::aggregate::{Sums, buildings_by_area};
use super::notes::Note;
use super::table::{Compute, indicators};
use super::{IndicatorError, Scope, Values, ratio};

pub(crate) struct Connectivity {
    /// Per area: `premises` and the premises of each flag; `None` without ARCEP data.
    sums: Option<Sums>,
    /// The flags the buildings table carries.
    flags: Vec<String>,
    pub notes: Vec<Note>,
}

impl Connectivity {
    pub fn new(s: &Scope) -> Result<Self, IndicatorError> {
        let Some(b) = &s.joined.buildings else {
            return Ok(Connectivity { sums: None, flags: Vec::new(), notes: vec![Note::NoArcep] });
        };
        let mut flags: Vec<String> = indicators()
            .iter()
            .flat_map(|d| &d.compute)
            .filter_map(|c| match c {
                Compute::PremisesShare { flag } if b.column(flag).is_ok() => Some(flag.clone()),
                _ => None,
            })
            .collect();
        flags.dedup();
        let sums = Some(s.with_total(buildings_by_area(b, &flags)?));
        Ok(Connectivity { sums, flags, notes: Vec::new() })
    }

    pub fn value(&self, s: &Scope, c: &Compute) -> Option<Values> {
        let sums = self.sums.as_ref()?;
        let get = |code: &String, key: &str| sums.get(code).and_then(|m| m.get(key)).copied().unwrap_or(0.0);
        match c {
            Compute::Premises => {
                Some(Values::Num(s.codes.iter().map(|c| Some(get(c, "premises"))).collect()))
            }
            Compute::PremisesShare { flag } => {
                if !self.flags.contains(flag) {
                    return None;
                }
                Some(Values::Num(
                    s.codes
                        .iter()
                        .map(|c| ratio(get(c, flag), get(c, "premises")).map(|r| r * 100.0))
                        .collect(),
                ))
            }
            _ => None,
        }
    }
}
