//! Family `fragility`: the composite digital-fragility index. For each area, the mean over the
//! table's components (entries with `fragility = value | complement`) of
//! `component(area) / component(territory) × 100`, over the components known for both (the method of
//! MedNum/ANSA's IFN: base 100 = the territory); no index without the territory row.

use super::table::{Compute, FragilityPart, indicators};
use super::{Computed, Scope, TERRITORY, Values};

pub(crate) fn value(s: &Scope, c: &Compute, out: &Computed) -> Option<Values> {
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
