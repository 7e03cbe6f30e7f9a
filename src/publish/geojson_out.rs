//! `datasets/qpv_indicators.geojson`: RFC 7946 FeatureCollection of the QPV with their indicators,
//! built with the `geojson` crate from the contours of [`super::geometry`].
//! Geometry in WGS84 longitude/latitude with 6 decimals (about 0.1 m), exterior rings counter-clockwise
//! (RFC 7946 §3.1.6); properties = the QPV's row of the indicator table (nulls kept as JSON null).

use std::collections::BTreeMap;

use geo::MultiPolygon;
use geojson::{Feature, FeatureCollection, Geometry, GeometryValue, JsonObject};
use polars::prelude::*;
use serde_json::{Value, json};

use super::geometry::qpv_shapes_wgs84;
use crate::ingest::Qpv;

fn cell(c: &Column, i: usize) -> Value {
    match c.get(i) {
        Ok(AnyValue::Null) | Err(_) => Value::Null,
        Ok(AnyValue::String(s)) => Value::String(s.to_string()),
        Ok(AnyValue::StringOwned(s)) => Value::String(s.to_string()),
        Ok(AnyValue::Float64(f)) => json!(f),
        Ok(AnyValue::Int64(n)) => json!(n),
        Ok(AnyValue::UInt32(n)) => json!(n),
        Ok(AnyValue::UInt64(n)) => json!(n),
        Ok(AnyValue::Boolean(b)) => json!(b),
        Ok(other) => Value::String(other.to_string()),
    }
}

/// Builds the FeatureCollection (QPV rows of `table` only, matched by `area_code`).
pub fn qpv_feature_collection(qpv: &[Qpv], table: &DataFrame) -> Result<FeatureCollection, String> {
    feature_collection(qpv, &qpv_shapes_wgs84(qpv)?, table)
}

/// The FeatureCollection from contours already in WGS84 ([`qpv_shapes_wgs84`]), in the order of `qpv`.
pub fn feature_collection(
    qpv: &[Qpv],
    shapes: &BTreeMap<String, MultiPolygon<f64>>,
    table: &DataFrame,
) -> Result<FeatureCollection, String> {
    let codes =
        table.column("area_code").map_err(|e| e.to_string())?.str().map_err(|e| e.to_string())?.clone();
    let mut features = Vec::new();
    for q in qpv {
        let Some(row) = codes.iter().position(|c| c == Some(q.code.as_str())) else { continue };
        let Some(wgs) = shapes.get(&q.code) else { continue };
        let mut props = JsonObject::new();
        for c in table.columns() {
            props.insert(c.name().to_string(), cell(c, row));
        }
        let value = match wgs.0.as_slice() {
            [single] => GeometryValue::from(single),
            _ => GeometryValue::from(wgs),
        };
        features.push(Feature {
            geometry: Some(Geometry::new(value)),
            properties: Some(props),
            ..Default::default()
        });
    }
    Ok(FeatureCollection { features, bbox: None, foreign_members: None })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::fixture;

    /// A 1 km square whose lower-left corner is Lambert-93's origin (3° E, 46.5° N), ring clockwise.
    fn square() -> Qpv {
        let mut q =
            fixture::qpv("QN01234A", "Les Tilleuls", "75101", (700_000.0, 6_600_000.0, 1000.0, 1000.0));
        for p in q.geometry.0.iter_mut() {
            *p = geo::Polygon::new(p.exterior().0.iter().rev().copied().collect(), vec![]);
        }
        q
    }

    fn table() -> DataFrame {
        df!(
            "area_type" => ["qpv", "hors_qpv"],
            "area_code" => ["QN01234A", "HORS_QPV"],
            "area_name" => ["Les Tilleuls", "Testville hors QPV"],
            "population" => [Some(1234i64), Some(5000)],
            "participants" => [None, Some(40i64)],
            "share_thd30" => [Some(92.5), Some(97.0)],
            "secrecy" => [Some("participants:primary"), None],
        )
        .unwrap()
    }

    fn collection(qpv: &[Qpv]) -> Value {
        serde_json::to_value(qpv_feature_collection(qpv, &table()).unwrap()).unwrap()
    }

    #[test]
    fn one_feature_per_qpv_with_its_row_as_properties() {
        let mut other = fixture::qpv("QN99999Z", "Ailleurs", "75102", (701_000.0, 6_600_000.0, 10.0, 10.0));
        other.code = "QN99999Z".into();
        let fc = collection(&[square(), other]);
        assert_eq!(fc["type"], "FeatureCollection");
        let features = fc["features"].as_array().unwrap();
        assert_eq!(features.len(), 1, "a QPV without a row is left out; the comparison rows are not QPV");
        let p = &features[0]["properties"];
        assert_eq!(
            p,
            &json!({
                "area_type": "qpv",
                "area_code": "QN01234A",
                "area_name": "Les Tilleuls",
                "population": 1234,
                "participants": null,
                "share_thd30": 92.5,
                "secrecy": "participants:primary",
            })
        );
        // Column order kept, integers stay integers.
        let keys: Vec<&String> = p.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            table()
                .get_column_names()
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .iter()
                .collect::<Vec<_>>()
        );
        assert!(p["population"].is_i64());
    }

    #[test]
    fn geometry_in_wgs84_with_six_decimals_counter_clockwise() {
        let fc = collection(&[square()]);
        let g = &fc["features"][0]["geometry"];
        assert_eq!(g["type"], "Polygon");
        let rings = g["coordinates"].as_array().unwrap();
        assert_eq!(rings.len(), 1);
        let ring: Vec<(f64, f64)> = rings[0]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c[0].as_f64().unwrap(), c[1].as_f64().unwrap()))
            .collect();
        assert_eq!(ring.len(), 5);
        assert_eq!(ring.first(), ring.last(), "closed ring");
        // Lambert-93's origin is exactly 3° E, 46.5° N.
        assert!(ring.contains(&(3.0, 46.5)), "{ring:?}");
        for (x, y) in &ring {
            // (The south-east corner is a hair south of 46.5°: meridians converge.)
            assert!((3.0..3.02).contains(x) && (46.4999..46.51).contains(y), "{ring:?}");
            for v in [x, y] {
                assert!(((v * 1e6).round() - v * 1e6).abs() < 1e-6, "{v} has more than 6 decimals");
            }
        }
        // 1 km east is about 0.013° of longitude at 46.5° N, 1 km north about 0.009° of latitude.
        let (max_x, max_y) = ring.iter().fold((0f64, 0f64), |(a, b), (x, y)| (a.max(*x), b.max(*y)));
        assert!((max_x - 3.0 - 0.01305).abs() < 2e-4, "{max_x}");
        assert!((max_y - 46.5 - 0.00900).abs() < 2e-4, "{max_y}");
        // Shoelace: positive area = counter-clockwise exterior (RFC 7946 §3.1.6), though given clockwise.
        let twice_area: f64 = ring.windows(2).map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1).sum();
        assert!(twice_area > 0.0, "{ring:?}");
    }

    #[test]
    fn a_table_without_area_code_is_an_error() {
        let t = table().drop("area_code").unwrap();
        assert!(qpv_feature_collection(&[square()], &t).is_err());
    }
}
