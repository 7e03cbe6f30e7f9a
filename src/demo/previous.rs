//! The previous official QPV list of Démoville (the 2015 list), **synthetic**: the contours a
//! re-publication of the 2015 QPV would give (`code_qp` `QP999001`…, the fictitious département 999, `nom_qp`, `code_commune`,
//! `code_departement`, as in `data/FORMATS.md` §1), for the 2015 → 2024 crosswalk.
//!
//! Story: nine of the eleven 2024 QPV had the same contour in 2015; QN99902M was drawn smaller (its
//! 2015 contour is its 2024 one scaled by 0.8 about its centre, so 36 % of it is new ground: redrawn);
//! QN99911M did not exist (new). Deterministic: no random draw.

use geo::{MultiPolygon, Scale};

use super::city::City;
use super::geojson::{Feature, feature_collection};
use super::story::{COMMUNE, DEP};
use super::{DemoError, Reprojector};

/// The 2024 QPV drawn smaller in 2015.
pub const REDRAWN: &str = "QN99902M";
/// The 2024 QPV without a 2015 predecessor.
pub const NEW: &str = "QN99911M";

/// The 2015 contours as GeoJSON text.
pub fn qpv2015_geojson(city: &City, proj: &Reprojector) -> Result<String, DemoError> {
    let shapes: Vec<(usize, MultiPolygon<f64>)> = city
        .qpv
        .iter()
        .enumerate()
        .filter(|(_, q)| q.story.code != NEW)
        .map(|(k, q)| (k, if q.story.code == REDRAWN { q.shape.scale(0.8) } else { q.shape.clone() }))
        .collect();
    let features: Vec<Feature> = shapes
        .iter()
        .map(|(k, shape)| Feature {
            properties: vec![
                ("code_qp", format!("QP999{:03}", k + 1)),
                ("nom_qp", city.qpv[*k].story.name.to_string()),
                ("code_commune", COMMUNE.to_string()),
                ("code_departement", DEP.to_string()),
            ],
            shape,
        })
        .collect();
    feature_collection("QP2015_Demoville_WGS84", &features, proj)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use super::*;
    use crate::demo::{rng, stream};

    #[test]
    fn ten_qpv_of_the_2015_list_one_drawn_smaller() {
        let city = City::build(&mut rng(stream::CITY));
        let text = qpv2015_geojson(&city, &Reprojector::new()).unwrap();
        assert_eq!(text.matches("\"code_qp\"").count(), 10);
        assert!(text.contains("\"code_qp\":\"QP999001\"") && !text.contains("QP999011"));
        assert!(text.contains("\"nom_qp\"") && !text.contains("\"lib_qp\""));
    }
}
