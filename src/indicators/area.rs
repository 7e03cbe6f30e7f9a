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
