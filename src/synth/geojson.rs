//! GeoJSON text for the synthetic zones, written by hand for a byte-stable output.
//!
//! Two flavours:
//! - [`Flavour::Lambert93`]: coordinates in EPSG:2154 metres with a legacy `crs` member
//!   (`urn:ogc:def:crs:EPSG::2154`), each written as the shortest decimal that reads back as the same
//!   `f64` (the generator's vertices are on a millimetre grid): the benchmark layers;
//! - [`Flavour::Wgs84`]: RFC 7946 lon/lat degrees with 7 decimals (about 1 cm), no `crs` member: the
//!   dataset's layers, as ANCT and IGN publish them.
//!
//! Invariants: keys in a fixed order; one feature per line; a single-part shape is a `Polygon`, a
//! multi-part one a `MultiPolygon`; ring orientation kept (exteriors counter-clockwise, holes clockwise).

use std::fmt::Write;

use geo::{LineString, MultiPolygon, Polygon};

use super::SynthError;
use crate::crs::{Crs, Reprojector};

/// Which CRS the coordinates are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    Lambert93,
    Wgs84,
}

/// A property value.
#[derive(Debug, Clone)]
pub enum Value {
    Text(String),
    /// A number printed with this many decimals.
    Number(f64, usize),
}

/// One feature: properties in output order, and its Lambert-93 shape.
pub struct Feature<'a> {
    pub properties: Vec<(&'static str, Value)>,
    pub shape: Shape<'a>,
}

/// A polygon or a multipolygon, borrowed.
#[derive(Clone, Copy)]
pub enum Shape<'a> {
    Polygon(&'a Polygon<f64>),
    Multi(&'a MultiPolygon<f64>),
}

/// Renders a `FeatureCollection` named `name`.
pub fn feature_collection(
    name: &str,
    features: &[Feature],
    flavour: Flavour,
    proj: &Reprojector,
) -> Result<String, SynthError> {
    let mut out = String::new();
    out.push_str("{\"type\":\"FeatureCollection\",\"name\":");
    out.push_str(&json_string(name));
    if flavour == Flavour::Lambert93 {
        out.push_str(",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::2154\"}}");
    }
    out.push_str(",\"features\":[\n");
    for (i, f) in features.iter().enumerate() {
        out.push_str("{\"type\":\"Feature\",\"properties\":{");
        for (j, (k, v)) in f.properties.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            out.push_str(&json_string(k));
            out.push(':');
            match v {
                Value::Text(s) => out.push_str(&json_string(s)),
                Value::Number(x, d) => {
                    let _ = write!(out, "{x:.d$}");
                }
            }
        }
        out.push_str("},\"geometry\":");
        match (f.shape, flavour) {
            (Shape::Polygon(p), Flavour::Lambert93) => geometry(&mut out, std::slice::from_ref(p), flavour),
            (Shape::Multi(m), Flavour::Lambert93) => geometry(&mut out, &m.0, flavour),
            (Shape::Polygon(p), Flavour::Wgs84) => {
                let m = MultiPolygon::new(vec![p.clone()]);
                let wgs = proj.convert_multipolygon(Crs::Lambert93, Crs::Wgs84, &m)?;
                geometry(&mut out, &wgs.0, flavour)
            }
            (Shape::Multi(m), Flavour::Wgs84) => {
                let wgs = proj.convert_multipolygon(Crs::Lambert93, Crs::Wgs84, m)?;
                geometry(&mut out, &wgs.0, flavour)
            }
        }
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
    serde_json::Value::String(s.to_string()).to_string()
}

fn geometry(out: &mut String, parts: &[Polygon<f64>], flavour: Flavour) {
    if let [single] = parts {
        out.push_str("{\"type\":\"Polygon\",\"coordinates\":");
        polygon(out, single, flavour);
    } else {
        out.push_str("{\"type\":\"MultiPolygon\",\"coordinates\":[");
        for (i, p) in parts.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            polygon(out, p, flavour);
        }
        out.push(']');
    }
    out.push('}');
}

fn polygon(out: &mut String, p: &Polygon<f64>, flavour: Flavour) {
    out.push('[');
    ring(out, p.exterior(), flavour);
    for hole in p.interiors() {
        out.push(',');
        ring(out, hole, flavour);
    }
    out.push(']');
}

fn ring(out: &mut String, ls: &LineString<f64>, flavour: Flavour) {
    out.push('[');
    for (i, c) in ls.0.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        // Writing to a String cannot fail.
        let _ = match flavour {
            Flavour::Lambert93 => write!(out, "[{},{}]", c.x, c.y),
            Flavour::Wgs84 => write!(out, "[{:.7},{:.7}]", c.x, c.y),
        };
    }
    out.push(']');
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use geo::polygon;

    use super::*;

    #[test]
    fn both_flavours_parse_back() {
        let proj = Reprojector::new();
        let a = polygon![(x: 700_000.125, y: 6_600_000.0), (x: 700_100.0, y: 6_600_000.0), (x: 700_100.0, y: 6_600_100.5)];
        let b = polygon![(x: 701_000.0, y: 6_600_000.0), (x: 701_100.0, y: 6_600_000.0), (x: 701_100.0, y: 6_600_100.0)];
        let two = MultiPolygon::new(vec![a.clone(), b]);
        let features = [
            Feature {
                properties: vec![("code_qp", Value::Text("Q\"1".into())), ("n", Value::Number(1.256, 2))],
                shape: Shape::Polygon(&a),
            },
            Feature { properties: vec![("code_qp", Value::Text("é".into()))], shape: Shape::Multi(&two) },
        ];
        let l93 = feature_collection("t", &features, Flavour::Lambert93, &proj).unwrap();
        let v: serde_json::Value = serde_json::from_str(&l93).unwrap();
        assert_eq!(v["crs"]["properties"]["name"], "urn:ogc:def:crs:EPSG::2154");
        assert_eq!(v["features"][0]["geometry"]["coordinates"][0][0][0].as_f64().unwrap(), 700_000.125);
        assert_eq!(v["features"][0]["properties"]["n"].as_f64().unwrap(), 1.26);
        assert_eq!(v["features"][1]["geometry"]["type"], "MultiPolygon");
        let wgs = feature_collection("t", &features, Flavour::Wgs84, &proj).unwrap();
        let v: serde_json::Value = serde_json::from_str(&wgs).unwrap();
        assert!(v.get("crs").is_none());
        let lon = v["features"][0]["geometry"]["coordinates"][0][0][0].as_f64().unwrap();
        assert!((2.9..3.1).contains(&lon), "{lon}");
        assert_eq!(wgs.lines().count(), 4);
    }
}
