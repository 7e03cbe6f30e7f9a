//! Reads a GeoJSON FeatureCollection of polygons (QPV, IRIS) into Lambert-93 multipolygons.
//!
//! Input: RFC 7946 GeoJSON in WGS84 (an optional legacy `crs` member may name CRS84, EPSG:4326 or
//! EPSG:2154). Output: one [`PolygonFeature`] per feature, geometry in EPSG:2154.
//! Structural problems (syntax, non-polygon geometry, coordinates out of range for the CRS) are errors
//! naming the feature. Each feature's rings then go through [`crate::spatial::repair`]: orientation
//! normalised (counted), unclosed rings closed, repeated positions and spikes removed, empty parts
//! dropped, rings touching or crossing themselves split when that keeps the area — each repair an
//! [`Entry`] of the ingest summary and a warning; what cannot be repaired safely (a bow-tie, a hole
//! outside its shell, overlapping holes, a feature without a valid part) rejects the feature, naming it,
//! the field and the position (in the file's CRS).

use std::path::Path;

use geo::{Coord, MultiPolygon};
use serde_json::{Map, Value};

use super::encoding::unsupported_encoding;
use super::error::{IngestError, Location};
use super::summary::{Entry, Reason};
use crate::crs::{Crs, Reprojector, in_lambert93_bounds};
use crate::spatial::repair::{Style, repair};

/// One polygonal feature, reprojected to Lambert-93.
#[derive(Debug, Clone)]
pub struct PolygonFeature {
    /// 0-based index in the file's `features` array.
    pub index: usize,
    pub properties: Map<String, Value>,
    /// Geometry in Lambert-93 metres.
    pub geometry: MultiPolygon<f64>,
}

/// What was read: features plus non-fatal warnings.
#[derive(Debug, Default)]
pub struct PolygonLayer {
    pub features: Vec<PolygonFeature>,
    pub warnings: Vec<String>,
    /// Every repair of every feature ([`crate::spatial::repair`]), for the ingest summary.
    pub entries: Vec<Entry>,
    /// Rings turned over to the RFC 7946 orientation.
    pub reoriented: usize,
    pub source_crs: Option<Crs>,
}

/// Reads `path`; every structural problem of every feature is reported together.
pub fn read_polygon_layer(path: &Path, reproj: &Reprojector) -> Result<PolygonLayer, IngestError> {
    let bytes = crate::io::bounded::read_file(path, &crate::io::bounded::InputLimits::default())
        .map_err(super::read::compressed::refused)?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let found =
            unsupported_encoding(e.as_bytes()).map(|enc| format!(" (it is {enc})")).unwrap_or_default();
        IngestError::format(
            path,
            Location::File,
            format!("not valid UTF-8{found}: GeoJSON must be UTF-8 (RFC 7946 §11)"),
        )
    })?;
    parse_polygon_layer(path, &text, reproj)
}

/// Parses GeoJSON text (`path` is only used in messages).
pub fn parse_polygon_layer(
    path: &Path,
    text: &str,
    reproj: &Reprojector,
) -> Result<PolygonLayer, IngestError> {
    if text.trim().is_empty() {
        return Err(IngestError::format(
            path,
            Location::File,
            "empty file, expected a GeoJSON FeatureCollection",
        ));
    }
    let root: Value = serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| {
        IngestError::format(
            path,
            Location::Line(e.line()),
            format!("invalid JSON at column {}: {e} (truncated or malformed GeoJSON?)", e.column()),
        )
    })?;
    let obj = root.as_object().ok_or_else(|| {
        IngestError::format(path, Location::File, "expected a JSON object (GeoJSON FeatureCollection)")
    })?;
    match obj.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => {}
        other => {
            return Err(IngestError::Field {
                path: path.to_path_buf(),
                location: Location::File,
                field: "type".into(),
                expected: "\"FeatureCollection\"".into(),
                found: format!("{other:?}"),
            });
        }
    }
    let crs = declared_crs(path, obj)?;
    let labelled = obj.contains_key("crs");
    let swap = latitude_first(obj, features_first_position(obj));
    let features = obj.get("features").and_then(Value::as_array).ok_or_else(|| IngestError::Field {
        path: path.to_path_buf(),
        location: Location::File,
        field: "features".into(),
        expected: "an array of features".into(),
        found: "nothing".into(),
    })?;
    if features.is_empty() {
        return Err(IngestError::format(path, Location::File, "the FeatureCollection has no feature"));
    }

    let mut layer = PolygonLayer { source_crs: Some(crs), ..Default::default() };
    if swap {
        layer.warnings.push(format!(
            "{}: positions are (latitude, longitude), the axis order of urn:ogc:def:crs:EPSG::4326: read as such",
            path.display()
        ));
    }
    let mut errors = Vec::new();
    for (index, feature) in features.iter().enumerate() {
        match read_feature(path, index, feature, (crs, labelled), swap, reproj) {
            Ok(read) => {
                layer.reoriented += read.reoriented;
                layer.entries.extend(read.entries);
                layer.features.push(read.feature);
            }
            Err(e) => errors.push(e),
        }
    }
    IngestError::collect(path, errors)?;
    layer.warnings.extend(repair_warnings(path, &layer.entries));
    Ok(layer)
}

/// One warning per repaired feature, except for repeated positions and spikes (one line for the file).
fn repair_warnings(path: &Path, entries: &[Entry]) -> Vec<String> {
    let mut out = Vec::new();
    let mut features: Vec<&Location> = Vec::new();
    for e in entries {
        if matches!(e.reason, Reason::RepeatedPoints | Reason::Spikes) {
            if features.last() != Some(&&e.location) {
                features.push(&e.location);
            }
        } else {
            out.push(format!("{}: {}: {}: {}; repaired", path.display(), e.location, e.field, e.value));
        }
    }
    if !features.is_empty() {
        out.push(format!(
            "{}: repeated positions or spike vertices removed in {} feature(s) (area unchanged; each \
             listed in the ingest summary)",
            path.display(),
            features.len()
        ));
    }
    out
}

fn declared_crs(path: &Path, obj: &Map<String, Value>) -> Result<Crs, IngestError> {
    let Some(crs) = obj.get("crs") else { return Ok(Crs::Wgs84) };
    let name = crs.pointer("/properties/name").and_then(Value::as_str).unwrap_or_default();
    let upper = name.to_ascii_uppercase();
    if upper.ends_with("CRS84") || upper.ends_with(":4326") {
        Ok(Crs::Wgs84)
    } else if upper.ends_with(":2154") {
        Ok(Crs::Lambert93)
    } else if upper.ends_with(":3857") {
        Ok(Crs::WebMercator)
    } else {
        Err(IngestError::Field {
            path: path.to_path_buf(),
            location: Location::File,
            field: "crs".into(),
            expected: "CRS84, EPSG:4326, EPSG:2154 or EPSG:3857".into(),
            found: name.to_string(),
        })
    }
}

fn feature_code(feature: &Value) -> Option<String> {
    let props = feature.get("properties")?.as_object()?;
    ["code_qp", "CODE_QP", "CODE_IRIS", "code_iris"]
        .iter()
        .find_map(|k| props.get(*k).and_then(Value::as_str))
        .map(str::to_string)
}

fn read_feature(
    path: &Path,
    index: usize,
    feature: &Value,
    (crs, labelled): (Crs, bool),
    swap: bool,
    reproj: &Reprojector,
) -> Result<FeatureRead, IngestError> {
    let location = Location::Feature { index, code: feature_code(feature) };
    let field_err = |field: &str, expected: &str, found: String| IngestError::Field {
        path: path.to_path_buf(),
        location: location.clone(),
        field: field.into(),
        expected: expected.into(),
        found,
    };
    if feature.get("type").and_then(Value::as_str) != Some("Feature") {
        return Err(field_err("type", "\"Feature\"", format!("{:?}", feature.get("type"))));
    }
    let properties = match feature.get("properties") {
        Some(Value::Object(m)) => m.clone(),
        other => return Err(field_err("properties", "an object", format!("{other:?}"))),
    };
    let geometry = feature
        .get("geometry")
        .filter(|g| !g.is_null())
        .ok_or_else(|| field_err("geometry", "a Polygon or MultiPolygon", "null or missing".into()))?;
    let gtype = geometry.get("type").and_then(Value::as_str).unwrap_or("");
    let coords = geometry
        .get("coordinates")
        .ok_or_else(|| field_err("geometry.coordinates", "an array of rings", "nothing".into()))?;
    let polygons: Vec<&Value> = match gtype {
        "Polygon" => vec![coords],
        "MultiPolygon" => coords
            .as_array()
            .ok_or_else(|| field_err("geometry.coordinates", "an array of polygons", short(coords)))?
            .iter()
            .collect(),
        other => return Err(field_err("geometry.type", "Polygon or MultiPolygon", other.to_string())),
    };
    let mut parts = Vec::with_capacity(polygons.len());
    for (p, poly) in polygons.iter().enumerate() {
        let rings = poly
            .as_array()
            .ok_or_else(|| field_err("geometry.coordinates", "an array of rings", short(poly)))?;
        let mut out_rings = Vec::with_capacity(rings.len());
        for (r, ring) in rings.iter().enumerate() {
            let what = format!("geometry.coordinates (polygon {p}, ring {r})");
            out_rings.push(
                read_ring(ring, (crs, labelled), swap, reproj)
                    .map_err(|msg| field_err(&what, &msg.0, msg.1))?,
            );
        }
        parts.push(out_rings);
    }
    // Positions in messages are shown back in the file's CRS.
    let position = |c: Coord<f64>| match reproj.convert(Crs::Lambert93, crs, c.x, c.y) {
        Ok((x, y)) if crs.is_geographic() => format!("[{x:.7},{y:.7}]"),
        Ok((x, y)) => format!("[{x:.2},{y:.2}]"),
        Err(_) => format!("[{:.2},{:.2}] (EPSG:2154)", c.x, c.y),
    };
    let style = Style { position: &position, area_unit: "m²" };
    let repaired = repair(parts).map_err(|invalid| {
        let (expected, found) = invalid.describe(&style);
        field_err(&invalid.field(), &expected, found)
    })?;
    let entries = repaired
        .fixes
        .iter()
        .map(|fix| Entry::new(location.clone(), &fix.field(), Reason::of_fix(fix), fix.describe(&style)))
        .collect();
    Ok(FeatureRead {
        feature: PolygonFeature { index, properties, geometry: repaired.geometry },
        entries,
        reoriented: repaired.reoriented,
    })
}

/// One feature as read, with its repairs.
struct FeatureRead {
    feature: PolygonFeature,
    entries: Vec<Entry>,
    reoriented: usize,
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 60 { format!("{}…", &s[..s.floor_char_boundary(60)]) } else { s }
}

/// (expected, found) on failure.
/// First position of the first feature, if any.
fn features_first_position(obj: &Map<String, Value>) -> Option<(f64, f64)> {
    let mut v = obj.get("features")?.get(0)?.get("geometry")?.get("coordinates")?;
    while let Some(first) = v.get(0) {
        if first.is_number() {
            return Some((v.get(0)?.as_f64()?, v.get(1)?.as_f64()?));
        }
        v = first;
    }
    None
}

/// True when the file names the OGC URN of EPSG:4326 (whose axis order is latitude, longitude, as
/// WFS 2.0 servers may write it) and its first position reads as (latitude, longitude) in metropolitan
/// France. The two ranges cannot be confused there: longitudes are below 10°, latitudes above 41°.
fn latitude_first(obj: &Map<String, Value>, first: Option<(f64, f64)>) -> bool {
    let urn = obj
        .get("crs")
        .and_then(|c| c.pointer("/properties/name"))
        .and_then(Value::as_str)
        .is_some_and(|n| n.to_ascii_uppercase().contains("EPSG::4326"));
    urn && first.is_some_and(|(a, b)| (41.0..=52.0).contains(&a) && (-6.0..=10.0).contains(&b))
}

fn read_ring(
    ring: &Value,
    (crs, labelled): (Crs, bool),
    swap: bool,
    reproj: &Reprojector,
) -> Result<Vec<Coord<f64>>, (String, String)> {
    let positions = ring.as_array().ok_or_else(|| ("an array of positions".to_string(), short(ring)))?;
    let mut coords = Vec::with_capacity(positions.len());
    for (i, pos) in positions.iter().enumerate() {
        let xy = pos
            .as_array()
            .filter(|a| a.len() >= 2)
            .and_then(|a| Some((a[0].as_f64()?, a[1].as_f64()?)))
            .map(|(a, b)| if swap { (b, a) } else { (a, b) })
            .ok_or_else(|| (format!("position {i} as [x, y] numbers"), short(pos)))?;
        let (x, y) = match crs {
            Crs::Wgs84 => {
                if !(-180.0..=180.0).contains(&xy.0) || !(-90.0..=90.0).contains(&xy.1) {
                    // Metres (Lambert-93 is ~100 000..1 300 000) versus a degree value out of range.
                    let expected = if labelled && (xy.0.abs() > 1_000.0 || xy.1.abs() > 1_000.0) {
                        format!(
                            "position {i} as longitude/latitude in degrees, as the file's `crs` member (CRS84 / \
                             EPSG:4326) declares: these look like projected metres (Lambert-93?), so the `crs` \
                             member contradicts the coordinates; fix the `crs` member (e.g. EPSG:2154)"
                        )
                    } else if xy.0.abs() > 1_000.0 || xy.1.abs() > 1_000.0 {
                        format!(
                            "position {i} as longitude/latitude in degrees (WGS84): these look like projected \
                             metres; a projected file needs a `crs` member naming its CRS (e.g. EPSG:2154)"
                        )
                    } else {
                        format!(
                            "position {i} as longitude in -180..180 and latitude in -90..90 degrees (WGS84)"
                        )
                    };
                    return Err((expected, short(pos)));
                }
                reproj
                    .to_lambert93(Crs::Wgs84, xy.0, xy.1)
                    .map_err(|e| ("a convertible position".into(), e.to_string()))?
            }
            other => reproj
                .to_lambert93(other, xy.0, xy.1)
                .map_err(|e| ("a convertible position".into(), e.to_string()))?,
        };
        if !in_lambert93_bounds(x, y) {
            return Err((format!("position {i} in metropolitan France (declared CRS {crs})"), short(pos)));
        }
        coords.push(Coord { x, y });
    }
    Ok(coords)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<PolygonLayer, IngestError> {
        parse_polygon_layer(Path::new("t.geojson"), text, &Reprojector::new())
    }

    const SQUARE: &str = r#"[[[2.35,48.85],[2.36,48.85],[2.36,48.86],[2.35,48.86],[2.35,48.85]]]"#;

    fn fc(geom: &str) -> String {
        format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"code_qp":"QN07501M"}},"geometry":{geom}}}]}}"#
        )
    }

    #[test]
    fn reads_a_polygon_in_lambert93() {
        let layer = parse(&fc(&format!(r#"{{"type":"Polygon","coordinates":{SQUARE}}}"#))).unwrap();
        assert_eq!(layer.features.len(), 1);
        let c = layer.features[0].geometry.0[0].exterior().0[0];
        assert!((c.x - 651_000.0).abs() < 2_000.0 && (c.y - 6_861_000.0).abs() < 2_000.0, "{c:?}");
        assert!(layer.warnings.is_empty());
    }

    #[test]
    fn an_unclosed_ring_is_closed_and_reported_with_the_feature() {
        let geom =
            r#"{"type":"Polygon","coordinates":[[[2.35,48.85],[2.36,48.85],[2.36,48.86],[2.35,48.86]]]}"#;
        let layer = parse(&fc(geom)).unwrap();
        let closed = parse(&fc(&format!(r#"{{"type":"Polygon","coordinates":{SQUARE}}}"#))).unwrap();
        assert_eq!(layer.features[0].geometry, closed.features[0].geometry);
        assert_eq!(layer.entries.len(), 1);
        let e = &layer.entries[0];
        assert_eq!(
            (e.reason, e.field.as_str()),
            (Reason::RingClosed, "geometry.coordinates (polygon 0, ring 0)")
        );
        assert_eq!(e.location.to_string(), "feature 0 (QN07501M)");
        assert_eq!(layer.warnings.len(), 1);
        assert!(layer.warnings[0].contains("feature 0 (QN07501M)") && layer.warnings[0].contains("closed"));
    }

    #[test]
    fn a_bowtie_is_rejected_with_the_feature_and_the_crossing_in_degrees() {
        let geom = r#"{"type":"Polygon","coordinates":[[[2.35,48.85],[2.36,48.86],[2.36,48.85],[2.35,48.86],[2.35,48.85]]]}"#;
        let err = parse(&fc(geom)).unwrap_err().to_string();
        assert!(err.contains("feature 0 (QN07501M)"), "{err}");
        assert!(
            err.contains("geometry.coordinates (polygon 0, ring 0)")
                && err.contains("crosses itself at [2.355"),
            "{err}"
        );
    }

    #[test]
    fn repeated_positions_are_removed_counted_and_warned_once_per_file() {
        let geom = r#"{"type":"Polygon","coordinates":[[[2.35,48.85],[2.36,48.85],[2.36,48.85],[2.36,48.86],[2.35,48.86],[2.35,48.85]]]}"#;
        let layer = parse(&fc(geom)).unwrap();
        assert_eq!(layer.features[0].geometry.0[0].exterior().0.len(), 5);
        assert_eq!(layer.entries[0].reason, Reason::RepeatedPoints);
        assert_eq!(layer.entries[0].value, "1 consecutive repeated position(s) removed");
        assert!(layer.warnings[0].contains("in 1 feature(s)"), "{:?}", layer.warnings);
        // Clockwise in the file: turned over, counted, not warned.
        let cw = r#"[[[2.35,48.85],[2.35,48.86],[2.36,48.86],[2.36,48.85],[2.35,48.85]]]"#;
        let layer = parse(&fc(&format!(r#"{{"type":"Polygon","coordinates":{cw}}}"#))).unwrap();
        assert_eq!((layer.reoriented, layer.entries.len(), layer.warnings.len()), (1, 0, 0));
    }

    #[test]
    fn projected_coordinates_without_crs_are_rejected() {
        let geom = r#"{"type":"Polygon","coordinates":[[[1050000,6840000],[1050100,6840000],[1050100,6840100],[1050000,6840000]]]}"#;
        let err = parse(&fc(geom)).unwrap_err().to_string();
        assert!(err.contains("WGS84"), "{err}");
    }

    #[test]
    fn a_crs84_label_on_lambert93_metres_is_called_a_contradiction() {
        let geom = r#"{"type":"Polygon","coordinates":[[[1050000,6840000],[1050100,6840000],[1050100,6840100],[1050000,6840000]]]}"#;
        let text = fc(geom).replacen(
            r#"{"type":"FeatureCollection","#,
            r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"#,
            1,
        );
        let err = parse(&text).unwrap_err().to_string();
        assert!(err.contains("contradicts the coordinates") && err.contains("feature 0"), "{err}");
    }

    #[test]
    fn truncated_json_gives_a_line() {
        let err = parse(r#"{"type":"FeatureCollection","features":[{"#).unwrap_err().to_string();
        assert!(err.contains("line 1") && err.contains("invalid JSON"), "{err}");
    }

    #[test]
    fn latitude_first_positions_under_the_ogc_urn_are_swapped() {
        let lon_lat = parse(&fc(&format!(r#"{{"type":"Polygon","coordinates":{SQUARE}}}"#))).unwrap();
        let swapped = r#"[[[48.85,2.35],[48.85,2.36],[48.86,2.36],[48.86,2.35],[48.85,2.35]]]"#;
        let text = fc(&format!(r#"{{"type":"Polygon","coordinates":{swapped}}}"#)).replacen(
            r#"{"type":"FeatureCollection","#,
            r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4326"}},"#,
            1,
        );
        let lat_lon = parse(&text).unwrap();
        assert_eq!(lat_lon.features[0].geometry, lon_lat.features[0].geometry);
        assert_eq!(lat_lon.warnings.len(), 1);
    }

    #[test]
    fn point_geometry_is_rejected() {
        let err = parse(&fc(r#"{"type":"Point","coordinates":[2.35,48.85]}"#)).unwrap_err().to_string();
        assert!(err.contains("Polygon or MultiPolygon"), "{err}");
    }
}
