//! Family `fragility`: the composite digital-fragility index. For each area, the mean over the
//! table's components (entries with `fragility = value | complement`) of
//! `component(area) / component(territory) × 100`, over the components known for both (the method of
//! MedNum/ANSA's IFN: base 100 = the territory); no index without the territory row. And the scores
//! of the original IFN (`ifn::areas`), the territory as reference territory.

use super::ifn::Values as IfnValues;
use super::ifn::areas::{SOURCES, scores};
use super::table::{Compute, FragilityPart, IfnPart, indicators};
use super::{Computed, Scope, TERRITORY, Values};

/// The values of the original IFN's variables for every area (see `ifn::areas::SOURCES`).
pub(crate) fn ifn_values(out: &Computed, n: usize) -> Vec<IfnValues> {
    let mut rows = vec![IfnValues::default(); n];
    for (v, col, scale) in SOURCES {
        if let Some(x) = out.num(col) {
            for (r, x) in rows.iter_mut().zip(x) {
                r.set(v, x.map(|x| x * scale));
            }
        }
    }
    rows
}

/// A score of the original IFN per area, the territory as reference; none without the territory.
fn ifn(s: &Scope, part: IfnPart, out: &Computed) -> Option<Values> {
    let t = s.codes.iter().position(|c| c == TERRITORY)?;
    let rows = ifn_values(out, s.codes.len());
    if rows.iter().all(|r| SOURCES.iter().all(|(v, _, _)| r.get(*v).is_none())) {
        return None;
    }
    let qpv: Vec<bool> = s.areas.iter().map(|a| a.area_type == super::AreaType::Qpv).collect();
    let sc = scores(&rows, t, &qpv);
    Some(Values::Num(
        sc.iter()
            .map(|x| match part {
                IfnPart::AccesInterfaces => x.acces_interfaces,
                IfnPart::AccesInformation => x.acces_information,
                IfnPart::CompetencesAdministratives => x.competences_administratives,
                IfnPart::CompetencesNumeriques => x.competences_numeriques,
                IfnPart::GlobalAcces => x.global_acces,
                IfnPart::GlobalCompetences => x.global_competences,
                IfnPart::Score => x.score,
                IfnPart::Quintile => x.quintile.map(f64::from),
            })
            .collect(),
    ))
}

pub(crate) fn value(s: &Scope, c: &Compute, out: &Computed) -> Option<Values> {
    if let Compute::Ifn { part } = c {
        return s.territory_known.then(|| ifn(s, *part, out)).flatten();
    }
    if !matches!(c, Compute::FragilityIndex) || !s.territory_known {
        return None;
    }
    let components: Vec<Vec<Option<f64>>> = indicators()
        .iter()
        .filter_map(|d| {
            let part = d.fragility?;
            let v = out.num(&d.id)?;
            Some(match part {
                FragilityPart::Value => v.to_vec(),
                FragilityPart::Complement => v.iter().map(|x| x.map(|x| 100.0 - x)).collect(),
            })
        })
        .collect();
    if components.is_empty() {
        return None;
    }
    let t = s.codes.iter().position(|c| c == TERRITORY);
    Some(Values::Num(
        (0..s.codes.len())
            .map(|i| {
                let parts: Vec<f64> = components
                    .iter()
                    .filter_map(|v| {
                        let reference = v[t?]?;
                        (reference > 0.0).then_some(v[i]? / reference * 100.0)
                    })
                    .collect();
                (!parts.is_empty()).then(|| parts.iter().sum::<f64>() / parts.len() as f64)
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::fixture::{World, assert_close, num};

    fn computed(cols: &[(&'static str, [Option<f64>; 5])]) -> Computed {
        let mut out = Computed { secrecy: vec![Default::default(); 5], ..Default::default() };
        for (id, v) in cols {
            out.values.insert(id, Values::Num(v.to_vec()));
        }
        out
    }

    fn index(out: &Computed) -> Option<Vec<Option<f64>>> {
        World::new().with_scope(|s| match value(s, &Compute::FragilityIndex, out) {
            Some(Values::Num(v)) => Some(v),
            Some(Values::Text(_)) => panic!("text"),
            None => None,
        })
    }

    #[test]
    fn mean_of_the_ratios_to_the_territory_with_the_complement_of_coverage() {
        // Areas QA, QB, QC, HORS_QPV, TERRITOIRE. The territory: 10 % aged 65+, 80 % eligible (20 % not).
        let out = computed(&[
            ("share_65p", [Some(20.0), Some(10.0), None, Some(5.0), Some(10.0)]),
            ("share_thd30", [Some(90.0), Some(60.0), Some(80.0), None, Some(80.0)]),
            // Not a component: ignored.
            ("share_75p", [Some(99.0), Some(99.0), Some(99.0), Some(99.0), Some(1.0)]),
        ]);
        // QA: (200 + 10/20·100) / 2; QB: (100 + 40/20·100) / 2; QC: thd30 only; HORS_QPV: share_65p only.
        assert_close(
            &index(&out).unwrap(),
            &[Some(125.0), Some(150.0), Some(100.0), Some(50.0), Some(100.0)],
            "index",
        );
    }

    #[test]
    fn a_component_whose_territory_value_is_zero_or_missing_is_left_out() {
        let out = computed(&[
            ("share_65p", [Some(20.0), Some(10.0), None, Some(5.0), Some(0.0)]),
            ("poverty_rate", [Some(30.0), None, Some(10.0), Some(20.0), None]),
            ("share_thd30", [Some(90.0), Some(60.0), None, Some(70.0), Some(80.0)]),
        ]);
        assert_close(
            &index(&out).unwrap(),
            &[Some(50.0), Some(200.0), None, Some(150.0), Some(100.0)],
            "index",
        );
        // No component at all: no index.
        assert!(index(&computed(&[("share_75p", [Some(1.0); 5])])).is_none());
    }

    #[test]
    fn no_index_without_a_territory_row() {
        let w = World::insee_only();
        let out = computed(&[("poverty_rate", [Some(30.0), Some(20.0), Some(10.0), None, None])]);
        assert!(w.with_scope(|s| value(s, &Compute::FragilityIndex, &out)).is_none());
        // INSEE's table gives a poverty rate, a component, yet the index needs the territory.
        let ind = w.indicators();
        assert!(num(&ind, "poverty_rate").is_some());
        assert!(num(&ind, "fragility_index").is_none());
    }

    #[test]
    fn the_worlds_index_from_its_unrounded_components() {
        // Territory: 17.5 % aged 65+, 610/2900 without diploma, 70000/3000 % poor, 20 % not eligible.
        let t = [17.5, 61000.0 / 2900.0, 70000.0 / 3000.0, 20.0];
        let mean = |parts: &[(usize, f64)]| {
            Some(parts.iter().map(|(i, v)| v / t[*i] * 100.0).sum::<f64>() / parts.len() as f64)
        };
        let want = [
            mean(&[(0, 20.0), (1, 30.0), (2, 30.0), (3, 0.0)]),
            mean(&[(0, 7750.0 / 650.0), (1, 20.0), (3, 100.0)]),
            mean(&[(0, 15.0), (1, 20.0), (2, 20.0)]),
            mean(&[(0, 44750.0 / 2350.0), (1, 37000.0 / 1900.0), (2, 40000.0 / 1750.0), (3, 0.0)]),
            Some(100.0),
        ];
        let got = num(&World::new().indicators(), "fragility_index").unwrap();
        let rounded: Vec<Option<f64>> = want.iter().map(|v| v.map(f64::round)).collect();
        assert_eq!(got, rounded, "unrounded: {want:?}");
    }
}
