//! Family `area`: the identity columns of each row (type, codes, name, commune, surface).

use super::table::{AreaField, Compute};
use super::{Scope, Values};

/// The column of one area field.
pub(crate) fn value(s: &Scope, c: &Compute) -> Option<Values> {
    let Compute::Area { field } = c else { return None };
    let text =
        |f: &dyn Fn(&super::Area) -> Option<String>| Some(Values::Text(s.areas.iter().map(f).collect()));
    match field {
        AreaField::Type => text(&|a| Some(a.area_type.code().to_string())),
        AreaField::Code => text(&|a| Some(a.code.clone())),
        AreaField::CodeQp => text(&|a| a.code_qp.clone()),
        AreaField::Name => text(&|a| Some(a.name.clone())),
        AreaField::Commune => text(&|a| a.commune.clone()),
        AreaField::Km2 => Some(Values::Num(s.areas.iter().map(|a| a.area_km2).collect())),
    }
}

#[cfg(test)]
mod tests {
    use crate::indicators::fixture::{World, num, text};
    use crate::locale::Lang;

    fn some(v: &[&str]) -> Vec<Option<String>> {
        v.iter().map(|s| Some(s.to_string())).collect()
    }

    #[test]
    fn codes_types_and_surfaces() {
        let ind = World::new().indicators();
        assert_eq!(text(&ind, "area_code").unwrap(), some(&["QA", "QB", "QC", "HORS_QPV", "TERRITOIRE"]));
        assert_eq!(text(&ind, "area_type").unwrap(), some(&["qpv", "qpv", "qpv", "hors_qpv", "territoire"]));
        let code_qp = text(&ind, "code_qp").unwrap();
        assert_eq!(code_qp, vec![Some("QA".into()), Some("QB".into()), Some("QC".into()), None, None]);
        let commune = text(&ind, "commune").unwrap();
        assert_eq!(
            commune,
            vec![Some("75101".into()), Some("75101".into()), Some("75102".into()), None, None]
        );
        // 1000 m × 1000 m, 500 m × 500 m, 1000 m × 1234.6 m; no surface for the comparison rows.
        assert_eq!(num(&ind, "area_km2").unwrap(), vec![Some(1.0), Some(0.25), Some(1.235), None, None]);
    }

    #[test]
    fn comparison_rows_are_named_in_the_locale_qpv_keep_their_names() {
        let w = World::new();
        let fr = text(&w.compute(Lang::Fr).unwrap(), "area_name").unwrap();
        let en = text(&w.compute(Lang::En).unwrap(), "area_name").unwrap();
        assert_eq!(fr[..3], en[..3]);
        assert_eq!(fr[..3], some(&["Les Tilleuls", "La Butte", "Le Canal"]));
        assert_eq!(fr[3].as_deref(), Some("Testville hors QPV"));
        assert_eq!(en[3].as_deref(), Some("Testville outside QPV"));
        assert_eq!(fr[4].as_deref(), Some("Testville (ensemble)"));
        assert_eq!(en[4].as_deref(), Some("Testville (whole territory)"));
    }

    #[test]
    fn without_iris_only_the_qpv_rows() {
        let ind = World::insee_only().indicators();
        assert_eq!(text(&ind, "area_code").unwrap(), some(&["QA", "QB", "QC"]));
        assert!(ind.areas.iter().all(|a| a.area_type == crate::indicators::AreaType::Qpv));
    }
}
