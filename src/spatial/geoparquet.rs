//! Zones from a GeoParquet file (1.0 or 1.1), with an id per zone: the reader behind `--zones`,
//! `--source` and `--target` when the file is Parquet (it starts with the `PAR1` magic bytes).
//!
//! - The file's `geo` metadata (a JSON key of the Parquet footer) names the primary geometry column;
//!   its `encoding` must be `WKB`, its `geometry_types` (when listed) Polygon and MultiPolygon only, its
//!   `edges` planar. Its `crs` is PROJJSON naming EPSG:4326, 3857, 2154 or 3035 in its `id` (or
//!   OGC:CRS84); absent means OGC:CRS84, as the specification says; `null` (an undefined CRS) needs the
//!   caller's CRS (`--zones-crs`...), which overrides the file's in every case. Positions are x, y
//!   (longitude, latitude for a geographic CRS) whatever the CRS's axis order, as GeoParquet says.
//! - Each row is a zone: its WKB decoded by [`super::wkb`], every position checked against the CRS's
//!   range and converted like a GeoJSON zone's, the rings through [`super::repair`]; the id column holds
//!   text or whole numbers (written as their digits), non-empty and unique; numeric columns hold
//!   numbers, or text holding one. Problems name the row (1-based, as for Parquet points), the id and
//!   the column, and are all reported together.

use std::collections::HashSet;
use std::fs::File;
use std::path::Path;

use geo::Coord;
use polars::prelude::*;
use serde_json::Value;

use super::crs::{Crs, Reprojector, check_range};
use super::geojson::{FeatureProblem, GeoJsonError, Item, ZoneLayer, ZoneRead, checked};
use super::wkb;

/// True when `path` starts with Parquet's magic bytes.
pub fn is_parquet(path: &Path) -> bool {
    use std::io::Read;
    let mut magic = [0u8; 4];
    File::open(path).and_then(|mut f| f.read_exact(&mut magic)).is_ok() && &magic == b"PAR1"
}

/// The primary geometry column and the CRS the `geo` metadata declares (`None` for `"crs": null`).
fn geo_metadata(text: &str) -> Result<(String, Option<Crs>), String> {
    let geo: Value =
        serde_json::from_str(text).map_err(|e| format!("the `geo` metadata is not JSON: {e}"))?;
    let version = geo.get("version").and_then(Value::as_str).unwrap_or("");
    if !version.starts_with("1.") {
        return Err(format!("`geo` version {version:?}: GeoParquet 1.0 or 1.1 expected"));
    }
    let primary = geo
        .get("primary_column")
        .and_then(Value::as_str)
        .ok_or("the `geo` metadata names no `primary_column`")?
        .to_string();
    let column = geo
        .pointer(&format!("/columns/{}", primary.replace('~', "~0").replace('/', "~1")))
        .ok_or_else(|| format!("the `geo` metadata does not describe its primary column {primary:?}"))?;
    let encoding = column.get("encoding").and_then(Value::as_str).unwrap_or("");
    if !encoding.eq_ignore_ascii_case("WKB") {
        return Err(format!("column {primary:?}: encoding {encoding:?}, expected \"WKB\""));
    }
    if let Some(types) = column.get("geometry_types").and_then(Value::as_array) {
        for t in types {
            let name = t.as_str().unwrap_or("");
            if !matches!(name.trim_end_matches(" Z"), "Polygon" | "MultiPolygon") {
                return Err(format!(
                    "column {primary:?}: geometry_types lists {t}, expected Polygon or MultiPolygon only"
                ));
            }
        }
    }
    if column.get("edges").and_then(Value::as_str) == Some("spherical") {
        return Err(format!("column {primary:?}: spherical edges; zones need planar edges"));
    }
    let crs = match column.get("crs") {
        None => Some(Crs::Wgs84),
        Some(Value::Null) => None,
        Some(Value::String(s)) => Some(Crs::parse(s).map_err(|e| format!("column {primary:?}: crs: {e}"))?),
        Some(projjson) => {
            let id = projjson.get("id");
            let authority = id.and_then(|i| i.get("authority")).and_then(Value::as_str).unwrap_or("");
            let code = id.and_then(|i| i.get("code")).map(|c| c.to_string().trim_matches('"').to_string());
            let name = format!("{authority}:{}", code.as_deref().unwrap_or(""));
            let found = projjson.get("name").and_then(Value::as_str).unwrap_or("");
            Some(Crs::parse(&name).map_err(|_| {
                format!(
                    "column {primary:?}: crs {found:?} ({name}): expected PROJJSON whose id is EPSG:4326, \
                     EPSG:3857, EPSG:2154, EPSG:3035 or OGC:CRS84"
                )
            })?)
        }
    };
    Ok((primary, crs))
}

/// Reads the zones of the GeoParquet file `path` as `what` says.
pub fn read_zones(path: &Path, what: ZoneRead<'_>, reproj: &Reprojector) -> Result<ZoneLayer, GeoJsonError> {
    let ZoneRead { id_field, numbers, crs, to } = what;
    let bad = |message: String| GeoJsonError::GeoParquet { path: path.into(), message };
    let polars_error = |e: PolarsError| bad(format!("not a readable Parquet file: {e}"));
    let open = || File::open(path).map_err(|source| GeoJsonError::Io { path: path.into(), source });
    let mut reader = ParquetReader::new(open()?);
    let metadata = reader.get_metadata().map_err(polars_error)?.clone();
    let geo = metadata.key_value_metadata.iter().flatten().find(|kv| kv.key == "geo").ok_or_else(|| {
        bad("no `geo` metadata: not a GeoParquet file (GeoParquet names its geometry column in the `geo` \
             key of the file's metadata)"
            .into())
    })?;
    let (geometry, declared) = geo_metadata(geo.value.as_deref().unwrap_or("")).map_err(bad)?;
    let from = crs.or(declared).ok_or_else(|| {
        bad(format!(
            "column {geometry:?}: crs null (undefined): give the CRS (--zones-crs, --source-crs, ...)"
        ))
    })?;
    let to = to.unwrap_or(from);
    let schema = reader.schema().map_err(polars_error)?;
    let columns: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
    let mut wanted = vec![geometry.clone(), id_field.to_string()];
    wanted.extend(numbers.iter().cloned());
    for name in &wanted {
        if !columns.contains(name) {
            return Err(bad(format!("no column {name:?} (the file has {})", columns.join(", "))));
        }
    }
    let mut read = wanted.clone();
    read.dedup();
    let df = ParquetReader::new(open()?).with_columns(Some(read)).finish().map_err(polars_error)?;
    let column = |name: &str| df.column(name).map_err(polars_error);
    let ids: Vec<Option<String>> = {
        let c = column(id_field)?;
        if !(c.dtype().is_string() || c.dtype().is_integer()) {
            return Err(bad(format!(
                "column {id_field:?}: expected text or whole numbers, found {}",
                c.dtype()
            )));
        }
        let c = c.cast(&DataType::String).map_err(polars_error)?;
        c.str().map_err(polars_error)?.iter().map(|v| v.map(str::to_string)).collect()
    };
    let mut values: Vec<Vec<Option<f64>>> = Vec::with_capacity(numbers.len());
    for name in numbers {
        let c = column(name)?;
        let v: Vec<Option<f64>> = if c.dtype().is_primitive_numeric() {
            let c = c.cast(&DataType::Float64).map_err(polars_error)?;
            c.f64().map_err(polars_error)?.iter().map(|x| x.filter(|x| x.is_finite())).collect()
        } else if c.dtype().is_string() {
            let parse = |s: &str| {
                let s = s.trim();
                s.parse::<f64>().ok().or_else(|| s.replace(',', ".").parse().ok()).filter(|x| x.is_finite())
            };
            c.str().map_err(polars_error)?.iter().map(|s| s.and_then(parse)).collect()
        } else {
            return Err(bad(format!("column {name:?}: expected numbers, found {}", c.dtype())));
        };
        values.push(v);
    }
    let g = column(&geometry)?;
    let shapes = g
        .binary()
        .map_err(|_| bad(format!("column {geometry:?}: expected WKB bytes, found {}", g.dtype())))?;
    let mut layer =
        ZoneLayer { source_crs: Some(from), values: vec![Vec::new(); numbers.len()], ..Default::default() };
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    for (i, wkb_bytes) in shapes.iter().enumerate() {
        let id = ids[i].clone().filter(|s| !s.trim().is_empty());
        let mut problem = |field: &str, expected: &str, found: String| {
            problems.push(FeatureProblem {
                item: Item::Row,
                feature: i,
                id: id.clone(),
                field: field.into(),
                expected: expected.into(),
                found,
            })
        };
        match &id {
            None => problem(&format!("column {id_field}"), "a zone id", "nothing".into()),
            Some(v) if !seen.insert(v.clone()) => {
                problem(&format!("column {id_field}"), "an id no other row has", format!("{v:?} again"))
            }
            Some(_) => {}
        }
        let field = format!("column {geometry}");
        let parts = match wkb_bytes.map(wkb::polygons) {
            None => {
                problem(&field, "a Polygon or MultiPolygon", "null".into());
                Err(())
            }
            Some(Err(e)) => {
                problem(&field, "a WKB Polygon or MultiPolygon", e.to_string());
                Err(())
            }
            Some(Ok(parts)) => {
                convert(parts, from, to, reproj).map_err(|(e, found)| problem(&field, &e, found))
            }
        };
        let label = match &id {
            Some(id) => format!("row {} ({id})", i + 1),
            None => format!("row {}", i + 1),
        };
        let geometry = parts.and_then(|parts| {
            checked(parts, to, reproj, from, &label, &mut layer)
                .map_err(|(f, expected, found)| problem(&format!("{field}: {f}"), &expected, found))
        });
        let mut row = Vec::with_capacity(numbers.len());
        for (name, v) in numbers.iter().zip(&values) {
            match v[i] {
                Some(x) => row.push(x),
                None => {
                    problem(&format!("column {name}"), "a finite number", "nothing or not a number".into())
                }
            }
        }
        if let (Some(id), Ok(g), true) = (id, geometry, row.len() == numbers.len()) {
            layer.ids.push(id);
            layer.geometries.push(g);
            for (c, x) in layer.values.iter_mut().zip(row) {
                c.push(x);
            }
        }
    }
    if shapes.is_empty() {
        return Err(bad("no row: a zone file needs at least one zone".into()));
    }
    if problems.is_empty() { Ok(layer) } else { Err(GeoJsonError::Features { path: path.into(), problems }) }
}

/// Every position range-checked in `from` and converted to `to`.
fn convert(
    parts: Vec<wkb::Rings>,
    from: Crs,
    to: Crs,
    reproj: &Reprojector,
) -> Result<Vec<wkb::Rings>, (String, String)> {
    parts
        .into_iter()
        .enumerate()
        .map(|(p, rings)| {
            rings
                .into_iter()
                .enumerate()
                .map(|(r, ring)| {
                    ring.into_iter()
                        .enumerate()
                        .map(|(k, c)| {
                            let at = format!("polygon {p}, ring {r}, position {k}");
                            check_range(from, c.x, c.y)
                                .map_err(|e| (format!("{at} in {from}"), e.to_string()))?;
                            let (x, y) = reproj
                                .convert(from, to, c.x, c.y)
                                .map_err(|e| (format!("{at} convertible to {to}"), e.to_string()))?;
                            Ok(Coord { x, y })
                        })
                        .collect()
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use super::*;

    #[test]
    fn geo_metadata_primary_column_and_crs() {
        let m = |crs: &str| {
            format!(
                r#"{{"version":"1.1.0","primary_column":"geom","columns":{{"geom":{{"encoding":"WKB","geometry_types":["Polygon","MultiPolygon Z"]{crs}}}}}}}"#
            )
        };
        assert_eq!(geo_metadata(&m("")).unwrap(), ("geom".into(), Some(Crs::Wgs84)), "no crs: OGC:CRS84");
        assert_eq!(geo_metadata(&m(r#","crs":null"#)).unwrap().1, None);
        let l93 = r#","crs":{"type":"ProjectedCRS","name":"RGF93 v1 / Lambert-93","id":{"authority":"EPSG","code":2154}}"#;
        assert_eq!(geo_metadata(&m(l93)).unwrap().1, Some(Crs::Lambert93));
        let laea =
            r#","crs":{"name":"ETRS89-extended / LAEA Europe","id":{"authority":"EPSG","code":"3035"}}"#;
        assert_eq!(geo_metadata(&m(laea)).unwrap().1, Some(Crs::Laea));
        let crs84 = r#","crs":{"name":"WGS 84 (CRS84)","id":{"authority":"OGC","code":"CRS84"}}"#;
        assert_eq!(geo_metadata(&m(crs84)).unwrap().1, Some(Crs::Wgs84));
        let lambert2 =
            r#","crs":{"name":"NTF (Paris) / Lambert zone II","id":{"authority":"EPSG","code":27572}}"#;
        let e = geo_metadata(&m(lambert2)).unwrap_err();
        assert!(e.contains("Lambert zone II") && e.contains("EPSG:27572"), "{e}");
        let points = m("").replace(r#"["Polygon","MultiPolygon Z"]"#, r#"["Point"]"#);
        assert!(geo_metadata(&points).unwrap_err().contains("geometry_types lists \"Point\""));
        let wkt = m("").replace("WKB", "WKT");
        assert!(geo_metadata(&wkt).unwrap_err().contains("expected \"WKB\""));
        assert!(geo_metadata(r#"{"version":"2.0.0"}"#).is_err());
    }
}
