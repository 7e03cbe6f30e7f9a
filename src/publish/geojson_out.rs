//! `datasets/qpv_indicators.geojson`: RFC 7946 FeatureCollection of the QPV with their indicators,
//! built with the `geojson` crate from the Lambert-93 geometries.
//! Geometry in WGS84 longitude/latitude with 6 decimals (about 0.1 m), exterior rings counter-clockwise
//! (RFC 7946 §3.1.6); properties = the QPV's row of the indicator table (nulls kept as JSON null).

use geo::orient::{Direction, Orient};
use geo::{Coord, MapCoords};
use geojson::{Feature, FeatureCollection, Geometry, GeometryValue, JsonObject};
use polars::prelude::*;
use serde_json::{Value, json};

use crate::crs::{Crs, Reprojector};
use crate::ingest::Qpv;

fn r6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

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
    let reproj = Reprojector::new();
    let codes =
        table.column("area_code").map_err(|e| e.to_string())?.str().map_err(|e| e.to_string())?.clone();
    let mut features = Vec::new();
    for q in qpv {
        let Some(row) = codes.iter().position(|c| c == Some(q.code.as_str())) else { continue };
        let mut props = JsonObject::new();
        for c in table.columns() {
            props.insert(c.name().to_string(), cell(c, row));
        }
        let wgs = q
            .geometry
            .try_map_coords(|c| {
                reproj
                    .convert(Crs::Lambert93, Crs::Wgs84, c.x, c.y)
                    .map(|(x, y)| Coord { x: r6(x), y: r6(y) })
            })
            .map_err(|e| format!("{}: {e}", q.code))?
            .orient(Direction::Default);
        let value = match wgs.0.as_slice() {
            [single] => GeometryValue::from(single),
            _ => GeometryValue::from(&wgs),
        };
        features.push(Feature {
            geometry: Some(Geometry::new(value)),
            properties: Some(props),
            ..Default::default()
        });
    }
    Ok(FeatureCollection { features, bbox: None, foreign_members: None })
}
