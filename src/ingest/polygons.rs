//! Reads a GeoJSON FeatureCollection of polygons (QPV, IRIS) into Lambert-93 multipolygons.
//!
//! Input: RFC 7946 GeoJSON in WGS84 (an optional legacy `crs` member may name CRS84, EPSG:4326 or
//! EPSG:2154). Output: one [`PolygonFeature`] per feature, geometry in EPSG:2154.
//! Structural problems (syntax, unclosed or too short rings, non-polygon geometry, coordinates out of
//! range for the CRS) are errors naming the feature; OGC validity problems (self-intersections produced
//! by coordinate rounding in real files) are kept as warnings: areas are still computed as given.

use std::path::Path;

use geo::{Coord, LineString, MultiPolygon, Polygon};
use rstar::primitives::{GeomWithData, Line};
use rstar::{AABB, RTree, RTreeObject};
use serde_json::{Map, Value};

use super::encoding::unsupported_encoding;
use super::error::{IngestError, Location};
use crate::crs::{Crs, Reprojector, in_lambert93_bounds};

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
            Ok((f, warnings)) => {
                layer.warnings.extend(warnings);
                layer.features.push(f);
            }
            Err(e) => errors.push(e),
        }
    }
    IngestError::collect(path, errors)?;
    Ok(layer)
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
) -> Result<(PolygonFeature, Vec<String>), IngestError> {
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
            .filter(|r| !r.is_empty())
            .ok_or_else(|| field_err("geometry.coordinates", "a non-empty array of rings", short(poly)))?;
        let mut out_rings = Vec::with_capacity(rings.len());
        for (r, ring) in rings.iter().enumerate() {
            let what = format!("geometry.coordinates (polygon {p}, ring {r})");
            out_rings.push(
                read_ring(ring, (crs, labelled), swap, reproj)
                    .map_err(|msg| field_err(&what, &msg.0, msg.1))?,
            );
        }
        let exterior = out_rings.remove(0);
        parts.push(Polygon::new(exterior, out_rings));
    }
    let geometry = MultiPolygon(parts);
    let mut warnings = Vec::new();
    if let Some(problem) = self_intersection(&geometry) {
        warnings.push(format!(
            "{}: {location}: geometry is not OGC-valid ({problem}); used as given",
            path.display()
        ));
    }
    Ok((PolygonFeature { index, properties, geometry }, warnings))
}

/// The first crossing of two edges of the same polygon (a ring crossing itself or another ring), found in
/// O(n log n) with an R-tree of the edges: a 1,000,000-vertex ring is checked in about a second (the
/// pairwise check it replaces was quadratic: hours). Edges that only share their common vertex (neighbours
/// along a ring) do not count.
pub fn self_intersection(geometry: &MultiPolygon<f64>) -> Option<String> {
    for (p, polygon) in geometry.0.iter().enumerate() {
        let rings: Vec<&LineString<f64>> =
            std::iter::once(polygon.exterior()).chain(polygon.interiors()).collect();
        let mut edges = Vec::new();
        for (r, ring) in rings.iter().enumerate() {
            let n = ring.0.len();
            for i in 0..n.saturating_sub(1) {
                let (a, b) = (ring.0[i], ring.0[i + 1]);
                if a != b {
                    edges.push(GeomWithData::new(Line::new([a.x, a.y], [b.x, b.y]), (r, i, n - 1)));
                }
            }
        }
        let tree = RTree::bulk_load(edges);
        for e in tree.iter() {
            let (r, i, m) = e.data;
            let env: AABB<[f64; 2]> = e.envelope();
            for o in tree.locate_in_envelope_intersecting(&env) {
                let (r2, j, _) = o.data;
                if (r2, j) <= (r, i) {
                    continue; // each pair once
                }
                let adjacent = r == r2 && (j == i + 1 || (i == 0 && j + 1 == m));
                if !adjacent && segments_cross(e.geom(), o.geom()) {
                    let what = if r == r2 {
                        format!("ring {r} crosses itself")
                    } else {
                        format!("rings {r} and {r2} cross")
                    };
                    return Some(format!("polygon {p}: {what} (edges {i} and {j})"));
                }
            }
        }
    }
    None
}

fn segments_cross(a: &Line<[f64; 2]>, b: &Line<[f64; 2]>) -> bool {
    let orient =
        |p: [f64; 2], q: [f64; 2], r: [f64; 2]| (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]);
    let on = |p: [f64; 2], q: [f64; 2], r: [f64; 2]| {
        r[0] >= p[0].min(q[0]) && r[0] <= p[0].max(q[0]) && r[1] >= p[1].min(q[1]) && r[1] <= p[1].max(q[1])
    };
    let (p1, p2, q1, q2) = (a.from, a.to, b.from, b.to);
    let (d1, d2, d3, d4) = (orient(q1, q2, p1), orient(q1, q2, p2), orient(p1, p2, q1), orient(p1, p2, q2));
    if ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0))
        && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0))
    {
        return true;
    }
    (d1 == 0.0 && on(q1, q2, p1))
        || (d2 == 0.0 && on(q1, q2, p2))
        || (d3 == 0.0 && on(p1, p2, q1))
        || (d4 == 0.0 && on(p1, p2, q2))
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
) -> Result<LineString<f64>, (String, String)> {
    let positions = ring.as_array().ok_or_else(|| ("an array of positions".to_string(), short(ring)))?;
    if positions.len() < 4 {
        return Err((
            "a closed ring of at least 4 positions".into(),
            format!("{} position(s)", positions.len()),
        ));
    }
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
    if positions.first() != positions.last() {
        let (first, last) = (positions.first().map(short), positions.last().map(short));
        return Err((
            "a closed ring (first position = last position)".into(),
            format!(
                "an unclosed ring: first {} ≠ last {}",
                first.unwrap_or_default(),
                last.unwrap_or_default()
            ),
        ));
    }
    Ok(LineString(coords))
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
    fn unclosed_ring_names_the_feature_and_field() {
        let geom =
            r#"{"type":"Polygon","coordinates":[[[2.35,48.85],[2.36,48.85],[2.36,48.86],[2.35,48.86]]]}"#;
        let err = parse(&fc(geom)).unwrap_err().to_string();
        assert!(err.contains("feature 0 (QN07501M)") && err.contains("closed ring"), "{err}");
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
    fn validation_is_indexed_and_finds_crossings() {
        let ring = |pts: &[(f64, f64)]| LineString::from(pts.to_vec());
        let square =
            Polygon::new(ring(&[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)]), vec![]);
        assert_eq!(self_intersection(&MultiPolygon(vec![square])), None);
        let bowtie =
            Polygon::new(ring(&[(0.0, 0.0), (1.0, 1.0), (1.0, 0.0), (0.0, 1.0), (0.0, 0.0)]), vec![]);
        let p = self_intersection(&MultiPolygon(vec![bowtie])).unwrap();
        assert!(p.contains("ring 0 crosses itself"), "{p}");
        // 200,000 vertices on a circle: valid, checked fast even unoptimised.
        let n = 200_000;
        let mut pts: Vec<(f64, f64)> = (0..n)
            .map(|k| {
                let t = k as f64 / n as f64 * std::f64::consts::TAU;
                (700_000.0 + 5_000.0 * t.cos(), 6_600_000.0 + 5_000.0 * t.sin())
            })
            .collect();
        pts.push(pts[0]);
        let big = MultiPolygon(vec![Polygon::new(ring(&pts), vec![])]);
        let t = std::time::Instant::now();
        assert_eq!(self_intersection(&big), None);
        assert!(t.elapsed().as_secs() < 20, "{:?}", t.elapsed());
    }

    #[test]
    fn point_geometry_is_rejected() {
        let err = parse(&fc(r#"{"type":"Point","coordinates":[2.35,48.85]}"#)).unwrap_err().to_string();
        assert!(err.contains("Polygon or MultiPolygon"), "{err}");
    }
}
