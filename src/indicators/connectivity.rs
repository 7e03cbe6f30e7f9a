//! Family `connectivity`: premises of the ARCEP buildings located in each area, and the share of
//! them eligible to each service the table names (`premises_share` flags: `bhd8`, `thd30`, `thd100`,
//! `ftth`), or to none of a flag's services (`premises_share_without`: nothing reaching 8 Mbit/s).

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
                Compute::PremisesShare { flag } | Compute::PremisesShareWithout { flag }
                    if b.column(flag).is_ok() =>
                {
                    Some(flag.clone())
                }
                _ => None,
            })
            .collect();
        flags.sort();
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
            Compute::PremisesShareWithout { flag } => {
                if !self.flags.contains(flag) {
                    return None;
                }
                Some(Values::Num(
                    s.codes
                        .iter()
                        .map(|c| {
                            let n = get(c, "premises");
                            ratio(n - get(c, flag), n).map(|r| r * 100.0)
                        })
                        .collect(),
                ))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::fixture::{World, has, num};

    #[test]
    fn premises_and_shares_by_area() {
        // QA: B1 (10, thd30, ftth) + B2 (30, thd30); QB: B3 (20, neither); QC: none;
        // HORS_QPV: B4 (40, both); B5 lies outside the territory and counts nowhere.
        let ind = World::new().indicators();
        assert_eq!(
            ind.table.column("premises").unwrap().i64().unwrap().iter().collect::<Vec<_>>(),
            vec![Some(40), Some(20), Some(0), Some(40), Some(100)]
        );
        // No premises: no share (0 / 0), not 0 %.
        assert_eq!(
            num(&ind, "share_thd30").unwrap(),
            vec![Some(100.0), Some(0.0), None, Some(100.0), Some(80.0)]
        );
        assert_eq!(
            num(&ind, "share_ftth").unwrap(),
            vec![Some(25.0), Some(0.0), None, Some(100.0), Some(50.0)]
        );
        // ≥ 8 Mbit/s: B1, B2, B4 (80 of the territory's 100); ≥ 100 Mbit/s: B1, B4; nothing reaching
        // 8 Mbit/s: B3, all of QB, 20 of the territory's 100.
        assert_eq!(
            num(&ind, "share_bhd8").unwrap(),
            vec![Some(100.0), Some(0.0), None, Some(100.0), Some(80.0)]
        );
        assert_eq!(
            num(&ind, "share_thd100").unwrap(),
            vec![Some(25.0), Some(0.0), None, Some(100.0), Some(50.0)]
        );
        assert_eq!(
            num(&ind, "share_below8").unwrap(),
            vec![Some(0.0), Some(100.0), None, Some(0.0), Some(20.0)]
        );
        assert!(!ind.notes.contains(&Note::NoArcep));
    }

    #[test]
    fn a_flag_missing_from_the_buildings_gives_no_column() {
        let mut w = World::new();
        let b = w.joined.buildings.as_mut().unwrap();
        *b = b.drop("ftth").unwrap();
        w.with_scope(|s| {
            let c = Connectivity::new(s).unwrap();
            assert_eq!(c.flags, ["bhd8", "thd100", "thd30"].map(String::from));
            assert!(c.value(s, &Compute::PremisesShare { flag: "ftth".into() }).is_none());
            assert!(c.value(s, &Compute::PremisesShare { flag: "thd30".into() }).is_some());
        });
        let ind = w.indicators();
        assert!(!has(&ind, "share_ftth"));
        assert!(has(&ind, "share_thd30") && has(&ind, "premises"));
    }

    #[test]
    fn without_arcep_a_note_and_no_column() {
        let mut w = World::new();
        w.joined.buildings = None;
        w.with_scope(|s| {
            let c = Connectivity::new(s).unwrap();
            assert_eq!(c.notes, vec![Note::NoArcep]);
            assert!(c.value(s, &Compute::Premises).is_none());
        });
        let ind = w.indicators();
        assert!(ind.notes.contains(&Note::NoArcep));
        for id in ["premises", "share_bhd8", "share_thd30", "share_thd100", "share_ftth", "share_below8"] {
            assert!(!has(&ind, id), "{id}");
        }
        // The fragility index goes on with the need components.
        assert!(has(&ind, "fragility_index"));
    }
}
