//! Family `reach`: digital-mediation places in each area and the programme reach of the quarter
//! (participants, per 1,000 residents, courses and their completion, devices), every count of persons
//! through [`suppress_counts`] and every rate hidden with its count.

use std::collections::BTreeMap;

use polars::prelude::*;

use super::aggregate::{self, QuarterCounts, attendance_by_area, places_by_area};
use super::interval::{Z95, wilson};
use super::notes::Note;
use super::secrecy::{Suppression, suppress_cells, suppress_counts};
use super::table::{Bound, Compute, PersonCount};
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
            Compute::PlacesWithin { metres } => places_within(s, *metres),
            Compute::Hours => {
                let Some(a) = self.counts.as_ref() else { return Ok(None) };
                let total: f64 = s.partition.iter().filter_map(|c| a.hours.get(c)).sum();
                Some(Values::Num(
                    s.codes
                        .iter()
                        .map(|c| {
                            Some(if c == TERRITORY { total } else { a.hours.get(c).copied().unwrap_or(0.0) })
                        })
                        .collect(),
                ))
            }
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
                // The rate beside its enrolled count gives back the completed and the not-completed:
                // both are counts of persons under the same rules.
                let done: Vec<u64> =
                    s.partition.iter().map(|c| a.completed.get(c).copied().unwrap_or(0)).collect();
                let enrolled: Vec<u64> =
                    s.partition.iter().map(|c| a.enrolled.get(c).copied().unwrap_or(0)).collect();
                let not_done: Vec<u64> =
                    enrolled.iter().zip(&done).map(|(n, d)| n.saturating_sub(*d)).collect();
                let by_code: BTreeMap<&String, usize> =
                    s.partition.iter().enumerate().map(|(i, c)| (c, i)).collect();
                // Cells whose enrolled count is hidden publish no rate already.
                let pre: Vec<Option<Suppression>> = s
                    .partition
                    .iter()
                    .map(|c| cells[s.codes.iter().position(|x| x == c).unwrap_or(0)].1)
                    .collect();
                let pre: Vec<Option<Suppression>> =
                    pre.iter().map(|p| p.map(|_| Suppression::Secondary)).collect();
                let totals = [done.iter().sum(), not_done.iter().sum()];
                let min = s.ctx.dataset.parameters.secrecy_min_count;
                let hide =
                    suppress_cells(&s.partition, &[&done, &not_done], &totals, &pre, min, s.territory_known);
                let mut v = Vec::with_capacity(s.codes.len());
                for (i, (c, (n, enrolled_hidden))) in s.codes.iter().zip(cells).enumerate() {
                    let d = match by_code.get(c) {
                        Some(&j) => done[j],
                        None => totals[0],
                    };
                    if enrolled_hidden.is_some() {
                        v.push(None);
                    } else if let Some(why) = hide.get(c).copied().flatten() {
                        out.secrecy[i].insert(format!("completion_rate:{}", why.code()));
                        v.push(None);
                    } else {
                        v.push(ratio(d as f64 * 100.0, n as f64));
                    }
                }
                Some(Values::Num(v))
            }
            Compute::Wilson { rate, bound } => self.wilson(s, rate, *bound, out),
            Compute::ShareInQpv => self.share_in_qpv(s, out),
            _ => None,
        })
    }

    /// The share of the quarter's participants (known residence) living in a QPV, on the territory row.
    /// Beside it the attacker knows the published participant counts and the note's outside-territory
    /// count, so it is published only when neither the QPV residents `n` nor the others `d − n` are
    /// primary, the outside-territory count (in its denominator) is 0 or shown, and neither what `n`
    /// leaves beyond the published QPV cells nor what `d − n` leaves beyond the outside-territory and
    /// published outside-QPV counts is 1 to `min − 1`; the territory's count hidden hides it too.
    fn share_in_qpv(&mut self, s: &Scope, out: &mut Computed) -> Option<Values> {
        use super::secrecy::is_primary;
        let t = s.codes.iter().position(|c| c == TERRITORY)?;
        let cells = self.published(s, PersonCount::Participants)?;
        let a = self.counts.as_ref()?;
        let min = s.ctx.dataset.parameters.secrecy_min_count;
        let (n, d, o) = (a.participants_qpv, a.participants_known, a.outside_territory);
        let rest = d.saturating_sub(n);
        let published = |i: usize| cells[i].1.is_none().then_some(cells[i].0);
        let qpv_published: u64 = (0..s.areas.len())
            .filter(|&i| s.areas[i].area_type == super::AreaType::Qpv)
            .filter_map(published)
            .sum();
        let outside_qpv = s.codes.iter().position(|c| c == crate::join::OUTSIDE_QPV).and_then(published);
        let small = |x: i64| x > 0 && x < i64::from(min);
        let why = if is_primary(n, min) || is_primary(rest, min) {
            Some(Suppression::Primary)
        } else if cells[t].1.is_some()
            || is_primary(o, min)
            || small(n as i64 - qpv_published as i64)
            || small(rest as i64 - o as i64 - outside_qpv.unwrap_or(0) as i64)
        {
            Some(Suppression::Secondary)
        } else {
            None
        };
        let mut v = vec![None; s.codes.len()];
        match why {
            Some(why) => {
                out.secrecy[t].insert(format!("share_participants_in_qpv:{}", why.code()));
            }
            None => v[t] = ratio(n as f64 * 100.0, d as f64),
        }
        Some(Values::Num(v))
    }

    /// A bound of the Wilson interval of a published rate (`None` where the rate is not published).
    fn wilson(&self, s: &Scope, rate: &str, bound: Bound, out: &Computed) -> Option<Values> {
        let published = out.num(rate)?;
        let a = self.counts.as_ref()?;
        let d = super::table::indicator(rate)?;
        let population = out.num("population");
        // (successes, trials, scale) of each area.
        let trials: Vec<Option<(u64, u64, f64)>> = match d.compute.first()? {
            Compute::Completion => {
                let part = |m: &BTreeMap<String, u64>, c: &String| -> u64 {
                    if c == TERRITORY {
                        s.partition.iter().filter_map(|p| m.get(p)).sum()
                    } else {
                        m.get(c).copied().unwrap_or(0)
                    }
                };
                s.codes.iter().map(|c| Some((part(&a.completed, c), part(&a.enrolled, c), 100.0))).collect()
            }
            Compute::PerThousand { count } => {
                let (cells, total) = self.cells(s, *count)?;
                let by_code: BTreeMap<&String, u64> = s.partition.iter().zip(cells).collect();
                s.codes
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let k = if c == TERRITORY { total } else { by_code.get(c).copied().unwrap_or(0) };
                        let n = population.and_then(|p| p[i])?.round();
                        (n >= 1.0).then_some((k, n as u64, 1000.0))
                    })
                    .collect()
            }
            _ => return None,
        };
        Some(Values::Num(
            published
                .iter()
                .zip(trials)
                .map(|(r, t)| {
                    r.as_ref()?;
                    let (k, n, scale) = t?;
                    let (lo, hi) = wilson(k, n, Z95)?;
                    Some(scale * if bound == Bound::Low { lo } else { hi })
                })
                .collect(),
        ))
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
            // Counts of persons too: below the threshold they are only said to be small.
            let shown = |n: u64| (!super::secrecy::is_primary(n, min)).then_some(n);
            self.notes.push(Note::NotCounted {
                outside: shown(a.outside_territory),
                unknown: shown(a.unknown),
                min,
            });
        }
        Ok(Some(series))
    }
}

/// For each QPV, the places within `metres` of it (inside, or outside at most that far from its
/// boundary, in Lambert-93 metres); `None` for the comparison rows, where a distance to "the QPV" has no
/// meaning.
fn places_within(s: &Scope, metres: f64) -> Option<Values> {
    use geo::{BoundingRect, Distance, Euclidean, Point};
    use rayon::prelude::*;
    let places = s.inputs.places.as_ref()?;
    let xs = places.column("x").ok()?.f64().ok()?.clone();
    let ys = places.column("y").ok()?.f64().ok()?.clone();
    // Sorted by x, so that each QPV measures only the places in its bounding box widened by `metres`
    // (a superset of those within `metres`: the count is exact, at a fraction of the distances).
    let mut points: Vec<Point<f64>> =
        xs.iter().zip(ys.iter()).filter_map(|(x, y)| Some(Point::new(x?, y?))).collect();
    points.sort_by(|a, b| a.x().total_cmp(&b.x()));
    let by_code: BTreeMap<&str, &geo::MultiPolygon<f64>> =
        s.inputs.qpv.iter().map(|q| (q.code.as_str(), &q.geometry)).collect();
    let count = |g: &geo::MultiPolygon<f64>| -> usize {
        let Some(r) = g.bounding_rect() else { return 0 };
        let (x0, x1) = (r.min().x - metres, r.max().x + metres);
        let (y0, y1) = (r.min().y - metres, r.max().y + metres);
        let from = points.partition_point(|p| p.x() < x0);
        let to = points.partition_point(|p| p.x() <= x1);
        points[from..to]
            .iter()
            .filter(|p| (y0..=y1).contains(&p.y()) && Euclidean.distance(*p, g) <= metres)
            .count()
    };
    Some(Values::Num(
        s.areas
            .par_iter()
            .map(|a| {
                let g = by_code.get(a.code.as_str()).filter(|_| a.area_type == super::AreaType::Qpv)?;
                Some(count(g) as f64)
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::fixture::{World, has, num, text};

    fn ints(ind: &crate::indicators::Indicators, column: &str) -> Vec<Option<i64>> {
        ind.table.column(column).unwrap().i64().unwrap().iter().collect()
    }

    #[test]
    fn places_within_count_every_place_at_most_that_far_from_each_qpv() {
        // QA is [650000, 651000] × [6860000, 6861000], QB [652000, 652500] × [6860000, 6860500], QC
        // [654000, 655000] × [6860000, 6861234.6]. One place inside QA; one 400 m east of QA (600 m west
        // of QB); one 566 m from QC's corner (1,118 m from QB); one far from all.
        let mut w = World::new();
        w.inputs.places = Some(
            df!(
                "x" => [650_500.0, 651_400.0, 653_500.0, 640_000.0],
                "y" => [6_860_500.0, 6_860_500.0, 6_861_500.0, 6_860_000.0],
            )
            .unwrap(),
        );
        let ind = w.indicators();
        assert_eq!(ints(&ind, "places_500m"), vec![Some(2), Some(0), Some(0), None, None]);
        assert_eq!(ints(&ind, "places_1km"), vec![Some(2), Some(1), Some(1), None, None]);
    }

    #[test]
    fn places_by_area_and_in_the_territory() {
        // P1, P2 in QA, P3 outside QPV; P4 outside the territory and P5 unlocated count nowhere.
        let ind = World::new().indicators();
        assert_eq!(ints(&ind, "places"), vec![Some(2), Some(0), Some(0), Some(1), Some(3)]);
        let mut w = World::new();
        w.joined.places = None;
        assert!(!has(&w.indicators(), "places"));
    }

    #[test]
    fn a_count_below_the_threshold_is_hidden_with_a_partner_and_zero_is_published() {
        // Participants QA 5 (primary), QB 12 (the smallest other non-zero: secondary), QC 0, outside
        // QPV 31; the territory counts 48 distinct persons (not the one outside it nor the unknown one).
        let ind = World::new().indicators();
        assert_eq!(ints(&ind, "participants"), vec![None, None, Some(0), Some(31), Some(48)]);
        // Enrolled QA 3 (primary), outside QPV 12 (secondary); the territory's 15 is published.
        assert_eq!(ints(&ind, "course_enrolled"), vec![None, Some(0), Some(0), None, Some(15)]);
        // Devices: QB's 2 have no published partner, so the territory total is hidden instead.
        assert_eq!(ints(&ind, "devices"), vec![Some(0), None, Some(0), Some(0), None]);
    }

    #[test]
    fn the_secrecy_column_names_every_hidden_count_and_why() {
        let ind = World::new().indicators();
        let want = [
            Some("course_enrolled:primary;participants:primary"),
            Some("devices:primary;participants:secondary"),
            None,
            Some("course_enrolled:secondary"),
            // 10 of the territory's 15 completed: its rate would give back the 5 who did not. The share
            // living in a QPV has the one person outside the territory (1, hidden in the note) in its
            // denominator.
            Some("completion_rate:secondary;devices:secondary;share_participants_in_qpv:secondary"),
        ];
        assert_eq!(text(&ind, "secrecy").unwrap(), want.map(|s| s.map(str::to_string)).to_vec());
    }

    #[test]
    fn a_rate_beside_a_hidden_count_is_hidden() {
        let ind = World::new().indicators();
        // QA's 5 / 500 residents would be 10 ‰: hidden with its count, as QB's. QC's zero is published;
        // 31 / 2350 × 1000 and 48 / 4000 × 1000.
        assert_eq!(
            num(&ind, "participants_per_1000").unwrap(),
            vec![None, None, Some(0.0), Some(13.2), Some(12.0)]
        );
        // Completion: QA (2 of 3) and outside QPV (8 of 12) hidden with their enrolled; QB and QC have no
        // course (0 / 0); the territory's 10 of 15 would give back 5 persons who did not complete, so its
        // rate is hidden too.
        assert_eq!(num(&ind, "completion_rate").unwrap(), vec![None, None, None, None, None]);
        for d in crate::indicators::table::indicators() {
            let Some(count) = &d.hidden_with else { continue };
            let (rate, count) = (num(&ind, &d.id).unwrap(), num(&ind, count).unwrap());
            for (r, c) in rate.iter().zip(&count) {
                assert!(c.is_some() || r.is_none(), "{}: {rate:?} beside {count:?}", d.id);
            }
        }
    }

    #[test]
    fn without_population_no_rate_but_the_counts() {
        let mut w = World::insee_only();
        w.inputs.qpv_indicators = None;
        let ind = w.indicators();
        assert_eq!(num(&ind, "participants_per_1000").unwrap(), vec![None, None, None]);
        // No territory row: primary suppression only, no partner hidden.
        assert_eq!(ints(&ind, "participants"), vec![None, Some(12), Some(0)]);
    }

    #[test]
    fn completion_follows_the_datasets_hours() {
        // Every enrolled person attended at least 300 min: at 5 h, all 15 complete.
        let mut w = World::new();
        w.ctx.dataset.parameters.completion_min_hours = 5.0;
        assert_eq!(num(&w.indicators(), "completion_rate").unwrap()[4], Some(100.0));
        w.ctx.dataset.parameters.completion_min_hours = 10.5;
        assert_eq!(num(&w.indicators(), "completion_rate").unwrap()[4], Some(0.0));
    }

    #[test]
    fn the_secrecy_threshold_is_the_datasets() {
        let mut w = World::new();
        w.ctx.dataset.parameters.secrecy_min_count = 3;
        let ind = w.indicators();
        assert_eq!(ints(&ind, "participants"), vec![Some(5), Some(12), Some(0), Some(31), Some(48)]);
        // Devices 2 < 3: hidden, and with no partner the territory's total too.
        assert_eq!(ints(&ind, "devices"), vec![Some(0), None, Some(0), Some(0), None]);
        assert_eq!(ints(&ind, "course_enrolled"), vec![Some(3), Some(0), Some(0), Some(12), Some(15)]);
    }

    #[test]
    fn a_person_is_counted_once_in_the_territory() {
        // a1 also attends outside QPV: counted in QA and outside QPV, once in the territory.
        let mut w = World::new();
        let att = w.joined.attendance.as_mut().unwrap();
        let mut extra = att.head(Some(1));
        extra.with_column(Column::new("record_id".into(), ["R999"])).unwrap();
        extra.with_column(Column::new("area_code".into(), ["HORS_QPV"])).unwrap();
        att.vstack_mut(&extra).unwrap();
        let ind = w.indicators();
        assert_eq!(ints(&ind, "participants")[3..], [Some(32), Some(48)]);
    }

    #[test]
    fn the_requested_quarter_or_the_latest() {
        let mut w = World::new();
        w.ctx.quarter = Some(Quarter { year: 2024, q: 1 });
        match w.compute(crate::locale::Lang::Fr) {
            Err(IndicatorError::NoSuchQuarter { requested, present }) => {
                assert_eq!(requested, Quarter { year: 2024, q: 1 });
                assert_eq!(present, "2025-Q2, 2025-Q3");
            }
            Err(e) => panic!("{e}"),
            Ok(_) => panic!("a quarter without records was computed"),
        }
        // 2025-Q2: h1 and h2 outside QPV (primary), no partner: the territory's total hidden too.
        w.ctx.quarter = Some(Quarter { year: 2025, q: 2 });
        let ind = w.indicators();
        assert_eq!(ind.period, "2025-Q2");
        assert_eq!(ints(&ind, "participants"), vec![Some(0), Some(0), Some(0), None, None]);
        assert_eq!(ints(&ind, "course_enrolled"), vec![Some(0); 5]);
        assert_eq!(
            text(&ind, "secrecy").unwrap()[3..],
            [
                Some("participants:primary".into()),
                Some("participants:secondary;share_participants_in_qpv:primary".into())
            ]
        );
    }

    #[test]
    fn the_share_living_in_a_qpv_is_the_territorys_under_secrecy() {
        // 2025-Q3: 17 distinct participants live in QA or QB, 49 have a known residence (the territory's
        // 48 and one outside it): 34.7 %, on the territory row only (not applicable elsewhere).
        let mut w = World::new();
        w.ctx.dataset.parameters.secrecy_min_count = 1;
        let ind = w.indicators();
        assert_eq!(num(&ind, "share_participants_in_qpv").unwrap(), vec![None, None, None, None, Some(34.7)]);
        // With 11: the one person outside the territory, hidden in the note, is in the denominator.
        let ind = World::new().indicators();
        assert_eq!(num(&ind, "share_participants_in_qpv").unwrap(), vec![None; 5]);
        assert!(
            text(&ind, "secrecy").unwrap()[4]
                .as_ref()
                .unwrap()
                .contains("share_participants_in_qpv:secondary")
        );
        // Even at 2, that single person would be given back by the denominator.
        let mut w = World::new();
        w.ctx.dataset.parameters.secrecy_min_count = 2;
        let ind = w.indicators();
        assert_eq!(num(&ind, "share_participants_in_qpv").unwrap()[4], None, "1 outside the territory < 2");
    }

    #[test]
    fn the_series_has_every_quarter_under_secrecy() {
        let ind = World::new().indicators();
        let s = ind.series.unwrap();
        assert_eq!(s.height(), 10);
        let col = |c: &str| -> Vec<Option<String>> {
            s.column(c)
                .unwrap()
                .cast(&DataType::String)
                .unwrap()
                .str()
                .unwrap()
                .iter()
                .map(|x| x.map(Into::into))
                .collect()
        };
        let q3: Vec<Option<String>> =
            ["", "", "0", "31", "48"].iter().map(|v| (!v.is_empty()).then(|| v.to_string())).collect();
        assert_eq!(col("quarter")[5..].iter().flatten().collect::<Vec<_>>(), vec!["2025-Q3"; 5]);
        assert_eq!(col("participants")[5..], q3[..]);
        assert_eq!(
            col("participants")[..5],
            [Some("0".into()), Some("0".into()), Some("0".into()), None, None]
        );
        assert_eq!(
            col("participants_per_1000")[5..],
            [None, None, Some("0.0".into()), Some("13.2".into()), Some("12.0".into())]
        );
    }

    #[test]
    fn confidence_bounds_bracket_each_published_rate_and_hide_with_it() {
        let ind = World::new().indicators();
        for rate in ["participants_per_1000", "completion_rate"] {
            let r = num(&ind, rate).unwrap();
            let lo = num(&ind, &format!("{rate}_low")).unwrap();
            let hi = num(&ind, &format!("{rate}_high")).unwrap();
            for ((r, lo), hi) in r.iter().zip(&lo).zip(&hi) {
                match (r, lo, hi) {
                    (Some(r), Some(lo), Some(hi)) => assert!(lo <= r && r <= hi, "{rate}: {lo} {r} {hi}"),
                    (None, None, None) => {}
                    other => panic!("{rate}: a bound without its rate or the reverse: {other:?}"),
                }
            }
        }
        // QC publishes 0 participants for its residents: the interval is [0, something above 0].
        let hi = num(&ind, "participants_per_1000_high").unwrap();
        assert_eq!(num(&ind, "participants_per_1000_low").unwrap()[2], Some(0.0));
        assert!(hi[2].is_some_and(|h| h > 0.0));
    }
}
