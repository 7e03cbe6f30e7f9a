//! GeoJSON text for the demo layers (QPV and IRIS), written by hand for a byte-stable output.
//!
//! Inputs: features as (ordered properties, Lambert-93 multipolygon) and the [`Reprojector`].
//! Outputs: an RFC 7946 `FeatureCollection` in WGS84 lon/lat, one feature per line.
//!
//! Invariants: keys in a fixed order; coordinates with 6 decimals (about 0.1 m); a single-part shape is a
//! `Polygon`, a multi-part one a `MultiPolygon`; rings keep the orientation they were built with
//! (exteriors counter-clockwise, holes clockwise) since the projection preserves it; shared vertices
//! (IRIS neighbours) are converted from the same numbers and so stay identical.

use std::fmt::Write;

use geo::{LineString, MultiPolygon, Polygon};

use crate::crs::{Crs, Reprojector};

use super::DemoError;

/// One feature to write: properties in output order, and its shape in Lambert-93.
pub struct Feature<'a> {
    pub properties: Vec<(&'static str, String)>,
    pub shape: &'a MultiPolygon<f64>,
}

/// Renders a `FeatureCollection` named `name`.
pub fn feature_collection(name: &str, features: &[Feature], proj: &Reprojector) -> Result<String, DemoError> {
    let mut out = String::new();
    out.push_str("{\"type\":\"FeatureCollection\",\"name\":");
    out.push_str(&json_string(name));
    out.push_str(",\"features\":[\n");
    for (i, f) in features.iter().enumerate() {
        let wgs = proj.convert_multipolygon(Crs::Lambert93, Crs::Wgs84, f.shape)?;
        out.push_str("{\"type\":\"Feature\",\"properties\":{");
        for (j, (k, v)) in f.properties.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            out.push_str(&json_string(k));
            out.push(':');
            out.push_str(&json_string(v));
        }
        out.push_str("},\"geometry\":");
        geometry(&mut out, &wgs);
        out.push('}');
        if i + 1 < features.len() {
            out.push(',');
        }
        out.push('\n');
    }
    out.push_str("]}\n");
    Ok(out)
}

fn json_string(s: &str) -> String {
    // serde_json escapes quotes, backslashes and control characters; UTF-8 stays as is.
    serde_json::Value::String(s.to_string()).to_string()
}

fn geometry(out: &mut String, mp: &MultiPolygon<f64>) {
    if let [single] = mp.0.as_slice() {
        out.push_str("{\"type\":\"Polygon\",\"coordinates\":");
        polygon(out, single);
    } else {
        out.push_str("{\"type\":\"MultiPolygon\",\"coordinates\":[");
        for (i, p) in mp.0.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            polygon(out, p);
        }
        out.push(']');
    }
    out.push('}');
}

fn polygon(out: &mut String, p: &Polygon<f64>) {
    out.push('[');
    ring(out, p.exterior());
    for hole in p.interiors() {
        out.push(',');
        ring(out, hole);
    }
    out.push(']');
}

fn ring(out: &mut String, ls: &LineString<f64>) {
    out.push('[');
    for (i, c) in ls.0.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        // Writing to a String cannot fail.
        let _ = write!(out, "[{:.6},{:.6}]", c.x, c.y);
    }
    out.push(']');
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use geo::polygon;

    use super::*;

    #[test]
    fn polygon_and_multipolygon_parse_back() {
        let proj = Reprojector::new();
        let a = polygon![(x: 720_000.0, y: 6_610_000.0), (x: 720_100.0, y: 6_610_000.0), (x: 720_100.0, y: 6_610_100.0)];
        let b = polygon![(x: 721_000.0, y: 6_610_000.0), (x: 721_100.0, y: 6_610_000.0), (x: 721_100.0, y: 6_610_100.0)];
        let one = MultiPolygon::new(vec![a.clone()]);
        let two = MultiPolygon::new(vec![a, b]);
        let text = feature_collection(
            "t",
            &[
                Feature { properties: vec![("code", "x\"y".into())], shape: &one },
                Feature { properties: vec![("code", "é".into())], shape: &two },
            ],
            &proj,
        )
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["features"][0]["geometry"]["type"], "Polygon");
        assert_eq!(v["features"][0]["properties"]["code"], "x\"y");
        assert_eq!(v["features"][1]["geometry"]["type"], "MultiPolygon");
        assert_eq!(v["features"][1]["properties"]["code"], "é");
        let lon = v["features"][0]["geometry"]["coordinates"][0][0][0].as_f64().unwrap();
        assert!((3.0..3.6).contains(&lon), "{lon}");
        assert_eq!(text.lines().count(), 4);
    }
}
