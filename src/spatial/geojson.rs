//! Zones from a GeoJSON FeatureCollection (the `geojson` crate), with an id per zone.
//!
//! - Positions are RFC 7946 CRS84 (longitude, latitude) unless the file has a legacy `crs` member
//!   (`urn:ogc:def:crs:EPSG::2154`, `EPSG:3857`...), which is honoured; a CRS given by the caller
//!   overrides both. Under the OGC URN of EPSG:4326, whose axis order is latitude first, a file whose
//!   first position reads as (latitude, longitude) in metropolitan France is read in that order.
//! - Every position is checked against its CRS's range ([`check_range`]): Lambert-93 metres under a
//!   CRS84 label are rejected with a message saying so. Geometries Polygon or MultiPolygon, each
//!   feature's rings validated and repaired by [`super::repair`] (each repair a warning naming the
//!   feature; what cannot be repaired safely, a problem); ids present (a string, or an integer written
//!   as its digits), unique.
//! - Every problem of every feature is collected, then reported together (feature index, field,
//!   expected, found).
//!
//! Output: [`ZoneLayer`], geometries converted to the CRS the caller works in.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use geo::{Coord, MultiPolygon};
use geojson::{GeoJson, GeometryValue, JsonObject, JsonValue};

use super::crs::{Crs, Reprojector, check_range};
use super::repair::{Style, repair};

/// Zones read from a file: `ids[i]` names `geometries[i]`.
#[derive(Debug, Clone, Default)]
pub struct ZoneLayer {
    pub ids: Vec<String>,
    pub geometries: Vec<MultiPolygon<f64>>,
    /// One vector per numeric property asked for, one value per zone.
    pub values: Vec<Vec<f64>>,
    /// The CRS the file's positions were read in (declared, overridden or CRS84).
    pub source_crs: Option<Crs>,
    /// One line per geometry repair ([`crate::spatial::repair`]), naming the feature.
    pub warnings: Vec<String>,
    /// Rings turned over to the RFC 7946 orientation.
    pub reoriented: usize,
}

/// What a zone file's items are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Item {
    /// A GeoJSON feature, shown 0-based (`feature 0` is the first of `features`).
    #[default]
    Feature,
    /// A GeoParquet row, shown 1-based (`row 1` is the first), as for Parquet points.
    Row,
}

/// One problem in one feature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureProblem {
    pub item: Item,
    /// 0-based index in `features` (a GeoParquet file: of its rows).
    pub feature: usize,
    /// The feature's id, when it has one.
    pub id: Option<String>,
    pub field: String,
    pub expected: String,
    pub found: String,
}

impl std::fmt::Display for FeatureProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.item {
            Item::Feature => write!(f, "feature {}", self.feature)?,
            Item::Row => write!(f, "row {}", self.feature + 1)?,
        }
        if let Some(id) = &self.id {
            write!(f, " ({id})")?;
        }
        write!(f, ": {}: expected {}, found {}", self.field, self.expected, self.found)
    }
}

/// Why a zone file was rejected.
#[derive(Debug, thiserror::Error)]
pub enum GeoJsonError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{}: not a GeoJSON FeatureCollection: {message}", path.display())]
    Syntax { path: PathBuf, message: String },
    #[error("{}: the `crs` member: {message}", path.display())]
    Crs { path: PathBuf, message: String },
    #[error("{}: not a GeoParquet file of zones: {message}", path.display())]
    GeoParquet { path: PathBuf, message: String },
    #[error("{}: {} problem(s): {}{}", path.display(), problems.len(),
        problems.iter().take(10).map(ToString::to_string).collect::<Vec<_>>().join("; "),
        if problems.len() > 10 { "; ..." } else { "" })]
    Features { path: PathBuf, problems: Vec<FeatureProblem> },
}

/// What to read from a zone file.
#[derive(Debug, Clone, Copy)]
pub struct ZoneRead<'a> {
    /// Property holding each zone's id.
    pub id_field: &'a str,
    /// Numeric properties to read (a number, or a string holding one; anything else is a problem).
    pub numbers: &'a [String],
    /// Overrides the CRS the file declares.
    pub crs: Option<Crs>,
    /// CRS to convert the geometries to (`None`: keep the file's).
    pub to: Option<Crs>,
}

/// Reads the zones of `path` as `what` says: GeoJSON, or GeoParquet when the file starts with
/// Parquet's magic bytes ([`super::geoparquet`]).
pub fn read_zones(path: &Path, what: ZoneRead<'_>, reproj: &Reprojector) -> Result<ZoneLayer, GeoJsonError> {
    if super::geoparquet::is_parquet(path) {
        return super::geoparquet::read_zones(path, what, reproj);
    }
    let text =
        std::fs::read_to_string(path).map_err(|source| GeoJsonError::Io { path: path.into(), source })?;
    parse_zones_with(path, &text, what, reproj)
}

/// [`read_zones`] on text (`path` names it in messages).
///
/// # Examples
/// ```
/// use fracture::spatial::crs::{Crs, Reprojector};
/// use fracture::spatial::geojson::parse_zones;
/// use std::path::Path;
/// let text = r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::2154"}},
///   "features":[{"type":"Feature","properties":{"code":"QN06701M"},"geometry":{"type":"Polygon",
///   "coordinates":[[[1050000,6840000],[1051000,6840000],[1051000,6841000],[1050000,6840000]]]}}]}"#;
/// let z = parse_zones(Path::new("z.geojson"), text, "code", None, Crs::Lambert93, &Reprojector::new()).unwrap();
/// assert_eq!(z.ids, ["QN06701M"]);
/// assert_eq!(z.source_crs, Some(Crs::Lambert93));
/// // The same metres under no `crs` member (so CRS84) are refused, saying what they look like.
/// let bad = text.replace("urn:ogc:def:crs:EPSG::2154", "urn:ogc:def:crs:OGC:1.3:CRS84");
/// let e = parse_zones(Path::new("z.geojson"), &bad, "code", None, Crs::Lambert93, &Reprojector::new()).unwrap_err();
/// assert!(e.to_string().contains("look like Lambert-93 metres"), "{e}");
/// ```
pub fn parse_zones(
    path: &Path,
    text: &str,
    id_field: &str,
    crs: Option<Crs>,
    to: Crs,
    reproj: &Reprojector,
) -> Result<ZoneLayer, GeoJsonError> {
    parse_zones_with(path, text, ZoneRead { id_field, numbers: &[], crs, to: Some(to) }, reproj)
}

/// [`read_zones`] on text.
pub fn parse_zones_with(
    path: &Path,
    text: &str,
    what: ZoneRead<'_>,
    reproj: &Reprojector,
) -> Result<ZoneLayer, GeoJsonError> {
    let ZoneRead { id_field, numbers, crs, to } = what;
    let syntax = |message: String| GeoJsonError::Syntax { path: path.into(), message };
    let fc = match text.parse::<GeoJson>().map_err(|e| syntax(e.to_string()))? {
        GeoJson::FeatureCollection(fc) => fc,
        GeoJson::Feature(_) => return Err(syntax("a single Feature".into())),
        GeoJson::Geometry(_) => return Err(syntax("a bare Geometry".into())),
    };
    let declared = declared_crs(fc.foreign_members.as_ref())
        .map_err(|message| GeoJsonError::Crs { path: path.into(), message })?;
    let from = crs.or(declared.map(|d| d.0)).unwrap_or(Crs::Wgs84);
    let urn_4326 = crs.is_none() && declared.is_some_and(|d| d.1);
    let swap = urn_4326 && first_position(&fc.features).is_some_and(latitude_first_in_france);
    let to = to.unwrap_or(from);
    let mut layer =
        ZoneLayer { source_crs: Some(from), values: vec![Vec::new(); numbers.len()], ..Default::default() };
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    for (i, f) in fc.features.iter().enumerate() {
        let id = match f.properties.as_ref().and_then(|p| p.get(id_field)) {
            Some(JsonValue::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
            Some(JsonValue::Number(n)) if n.is_i64() || n.is_u64() => Ok(n.to_string()),
            other => Err(other.map(|v| v.to_string()).unwrap_or_else(|| "nothing".into())),
        };
        let named = id.as_ref().ok().cloned();
        let mut problem = |field: &str, expected: &str, found: String| {
            problems.push(FeatureProblem {
                item: Item::Feature,
                feature: i,
                id: named.clone(),
                field: field.into(),
                expected: expected.into(),
                found,
            })
        };
        let id = match id {
            Ok(id) => Some(id),
            Err(found) => {
                problem(&format!("properties.{id_field}"), "a zone id (a string)", found);
                None
            }
        };
        if let Some(id) = &id
            && !seen.insert(id.clone())
        {
            problem(&format!("properties.{id_field}"), "an id no other feature has", format!("{id:?} again"));
        }
        let parts = match f.geometry.as_ref().map(|g| &g.value) {
            Some(GeometryValue::Polygon { coordinates }) => {
                polygon(coordinates, from, to, swap, reproj).map(|p| vec![p])
            }
            Some(GeometryValue::MultiPolygon { coordinates }) => coordinates
                .iter()
                .enumerate()
                .map(|(k, p)| {
                    polygon(p, from, to, swap, reproj)
                        .map_err(|(field, e, found)| (format!("part {k}: {field}"), e, found))
                })
                .collect::<Result<Vec<_>, _>>(),
            Some(other) => {
                Err(("geometry.type".into(), "Polygon or MultiPolygon".into(), other.type_name().to_string()))
            }
            None => Err(("geometry".into(), "a Polygon or MultiPolygon".into(), "null".into())),
        };
        let geometry =
            parts.map_err(|(field, expected, found)| problem(&field, &expected, found)).and_then(|parts| {
                let feature = match &id {
                    Some(id) => format!("feature {i} ({id})"),
                    None => format!("feature {i}"),
                };
                checked(parts, to, reproj, from, &feature, &mut layer)
                    .map_err(|(field, expected, found)| problem(&field, &expected, found))
            });
        let mut row = Vec::with_capacity(numbers.len());
        for name in numbers {
            let v = f.properties.as_ref().and_then(|p| p.get(name));
            match v.and_then(number) {
                Some(x) => row.push(x),
                None => {
                    let found = v.map(|v| v.to_string()).unwrap_or_else(|| "nothing".into());
                    problem(&format!("properties.{name}"), "a finite number", found);
                }
            }
        }
        if let (Some(id), Ok(g), true) = (id, geometry, row.len() == numbers.len()) {
            layer.ids.push(id);
            layer.geometries.push(g);
            for (column, x) in layer.values.iter_mut().zip(row) {
                column.push(x);
            }
        }
    }
    if fc.features.is_empty() {
        problems.push(FeatureProblem {
            item: Item::Feature,
            feature: 0,
            id: None,
            field: "features".into(),
            expected: "at least one feature".into(),
            found: "none".into(),
        });
    }
    if problems.is_empty() { Ok(layer) } else { Err(GeoJsonError::Features { path: path.into(), problems }) }
}

/// A finite number from a JSON number or a string holding one (decimal point or comma).
fn number(v: &JsonValue) -> Option<f64> {
    let x = match v {
        JsonValue::Number(n) => n.as_f64()?,
        JsonValue::String(s) => {
            let s = s.trim();
            s.parse::<f64>().ok().or_else(|| s.replace(',', ".").parse().ok())?
        }
        _ => return None,
    };
    x.is_finite().then_some(x)
}

/// The CRS a legacy `crs` member names, and whether it is the OGC URN of EPSG:4326.
fn declared_crs(members: Option<&JsonObject>) -> Result<Option<(Crs, bool)>, String> {
    let Some(crs) = members.and_then(|m| m.get("crs")) else { return Ok(None) };
    if crs.is_null() {
        return Ok(None);
    }
    let name = crs.pointer("/properties/name").and_then(JsonValue::as_str).ok_or_else(|| {
        format!("expected {{\"type\":\"name\",\"properties\":{{\"name\":...}}}}, found {crs}")
    })?;
    let c = Crs::parse(name).map_err(|e| e.to_string())?;
    Ok(Some((c, name.to_ascii_uppercase().contains("EPSG::4326"))))
}

fn first_position(features: &[geojson::Feature]) -> Option<(f64, f64)> {
    let g = features.first()?.geometry.as_ref()?;
    let p = match &g.value {
        GeometryValue::Polygon { coordinates } => coordinates.first()?.first()?,
        GeometryValue::MultiPolygon { coordinates } => coordinates.first()?.first()?.first()?,
        _ => return None,
    };
    Some((*p.as_slice().first()?, *p.as_slice().get(1)?))
}

/// (latitude, longitude) of metropolitan France cannot be read as (longitude, latitude) there:
/// longitudes are below 10°, latitudes above 41°.
fn latitude_first_in_france((a, b): (f64, f64)) -> bool {
    (41.0..=52.0).contains(&a) && (-6.0..=10.0).contains(&b)
}

/// (field, expected, found).
pub type Problem = (String, String, String);

/// A feature's parts through [`repair`]: the geometry, its repairs added to `layer`'s warnings; or the
/// problem that rejects it. Positions in messages are shown in the file's CRS `from` (`feature` names
/// the feature in them).
pub fn checked(
    parts: Vec<Vec<Vec<Coord<f64>>>>,
    to: Crs,
    reproj: &Reprojector,
    from: Crs,
    feature: &str,
    layer: &mut ZoneLayer,
) -> Result<MultiPolygon<f64>, Problem> {
    let position = |c: Coord<f64>| match reproj.convert(to, from, c.x, c.y) {
        Ok((x, y)) if from.is_geographic() => format!("[{x:.7},{y:.7}]"),
        Ok((x, y)) => format!("[{x:.2},{y:.2}]"),
        Err(_) => format!("[{},{}] ({to})", c.x, c.y),
    };
    let area_unit = if to.is_geographic() { "deg²" } else { "m²" };
    let style = Style { position: &position, area_unit };
    match repair(parts) {
        Ok(r) => {
            layer.reoriented += r.reoriented;
            for fix in &r.fixes {
                layer.warnings.push(format!(
                    "{feature}: {}: {}; repaired",
                    fix.field(),
                    fix.describe(&style)
                ));
            }
            Ok(r.geometry)
        }
        Err(invalid) => {
            let (expected, found) = invalid.describe(&style);
            Err((invalid.field(), expected, found))
        }
    }
}

fn polygon(
    rings: &[Vec<geojson::Position>],
    from: Crs,
    to: Crs,
    swap: bool,
    reproj: &Reprojector,
) -> Result<Vec<Vec<Coord<f64>>>, Problem> {
    let mut out = Vec::with_capacity(rings.len());
    for (r, ring) in rings.iter().enumerate() {
        let field = if r == 0 { "exterior ring".to_string() } else { format!("hole {r}") };
        out.push(ring_of(ring, from, to, swap, reproj).map_err(|(e, found)| (field, e, found))?);
    }
    Ok(out)
}

fn ring_of(
    ring: &[geojson::Position],
    from: Crs,
    to: Crs,
    swap: bool,
    reproj: &Reprojector,
) -> Result<Vec<Coord<f64>>, (String, String)> {
    let mut coords = Vec::with_capacity(ring.len());
    for (i, p) in ring.iter().enumerate() {
        let s = p.as_slice();
        let (a, b) = match (s.first(), s.get(1)) {
            (Some(a), Some(b)) => (*a, *b),
            _ => return Err((format!("position {i} as [x, y]"), format!("{s:?}"))),
        };
        let (x, y) = if swap { (b, a) } else { (a, b) };
        check_range(from, x, y).map_err(|e| (format!("position {i} in {from}"), e.to_string()))?;
        let (x, y) = reproj
            .convert(from, to, x, y)
            .map_err(|e| (format!("position {i} convertible to {to}"), e.to_string()))?;
        coords.push(Coord { x, y });
    }
    Ok(coords)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use super::*;

    fn parse(text: &str, to: Crs) -> Result<ZoneLayer, GeoJsonError> {
        parse_zones(Path::new("z.geojson"), text, "code", None, to, &Reprojector::new())
    }

    fn fc(crs: &str, features: &str) -> String {
        format!(r#"{{"type":"FeatureCollection",{crs}"features":[{features}]}}"#)
    }

    const PARIS: &str = r#"{"type":"Feature","properties":{"code":"A"},"geometry":{"type":"Polygon","coordinates":[[[2.35,48.85],[2.36,48.85],[2.36,48.86],[2.35,48.85]]]}}"#;

    #[test]
    fn crs84_by_default_converted_to_the_working_crs() {
        let z = parse(&fc("", PARIS), Crs::Lambert93).unwrap();
        let c = z.geometries[0].0[0].exterior().0[0];
        assert!((c.x - 652_301.6).abs() < 0.1 && (c.y - 6_861_302.7).abs() < 0.1, "{c:?}");
        let z = parse(&fc("", PARIS), Crs::Wgs84).unwrap();
        assert_eq!(z.geometries[0].0[0].exterior().0[0], Coord { x: 2.35, y: 48.85 }, "no conversion");
    }

    #[test]
    fn latitude_first_under_the_epsg_4326_urn() {
        let swapped = PARIS
            .replace("[2.35,48.85]", "[48.85,2.35]")
            .replace("[2.36,48.85]", "[48.85,2.36]")
            .replace("[2.36,48.86]", "[48.86,2.36]");
        let crs = r#""crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4326"}},"#;
        let z = parse(&fc(crs, &swapped), Crs::Wgs84).unwrap();
        assert_eq!(z.geometries[0].0[0].exterior().0[0], Coord { x: 2.35, y: 48.85 });
    }

    #[test]
    fn every_problem_of_every_feature_is_reported() {
        let features = [
            PARIS.to_string(),
            PARIS.to_string(),
            PARIS.replace(r#""code":"A""#, r#""code":1.5"#),
            PARIS.replace(
                r#"{"type":"Polygon","coordinates":[[[2.35,48.85],[2.36,48.85],[2.36,48.86],[2.35,48.85]]]}"#,
                r#"{"type":"Point","coordinates":[2.35,48.85]}"#,
            )
            .replace("\"A\"", "\"D\""),
            PARIS.replace("[[[2.35,48.85],[2.36,48.85],[2.36,48.86],[2.35,48.85]]]", "[[[2.35,48.85],[2.36,48.86],[2.36,48.85],[2.35,48.86],[2.35,48.85]]]").replace("\"A\"", "\"E\""),
        ]
        .join(",");
        let problems = match parse(&fc("", &features), Crs::Wgs84) {
            Err(GeoJsonError::Features { problems, .. }) => problems,
            other => panic!("expected feature problems, got {other:?}"),
        };
        let at: Vec<(usize, &str)> = problems.iter().map(|p| (p.feature, p.field.as_str())).collect();
        assert_eq!(
            at,
            [
                (1, "properties.code"),
                (2, "properties.code"),
                (3, "geometry.type"),
                (4, "geometry.coordinates (polygon 0, ring 0)")
            ],
            "{problems:?}"
        );
        assert!(problems[0].found.contains("again"));
        assert_eq!(problems[3].id.as_deref(), Some("E"));
        assert!(problems[3].to_string().starts_with("feature 4 (E): "), "{}", problems[3]);
        assert!(problems[3].found.contains("crosses itself at [2.3550000,48.8550000]"), "{}", problems[3]);
    }

    #[test]
    fn an_unclosed_ring_is_closed_with_a_warning_naming_the_feature() {
        let open = PARIS.replace("[2.36,48.86],[2.35,48.85]]]", "[2.36,48.86]]]");
        let z = parse(&fc("", &open), Crs::Wgs84).unwrap();
        assert_eq!(z.geometries, parse(&fc("", PARIS), Crs::Wgs84).unwrap().geometries);
        assert_eq!(z.warnings.len(), 1);
        assert!(
            z.warnings[0].starts_with("feature 0 (A): ") && z.warnings[0].contains("closed"),
            "{:?}",
            z.warnings
        );
    }

    #[test]
    fn integer_ids_are_read_as_their_digits_and_an_unknown_crs_is_an_error() {
        let z = parse(&fc("", &PARIS.replace(r#""code":"A""#, r#""code":67482"#)), Crs::Wgs84).unwrap();
        assert_eq!(z.ids, ["67482"]);
        let crs = r#""crs":{"type":"name","properties":{"name":"EPSG:27572"}},"#;
        assert!(matches!(parse(&fc(crs, PARIS), Crs::Wgs84), Err(GeoJsonError::Crs { .. })));
    }
}
