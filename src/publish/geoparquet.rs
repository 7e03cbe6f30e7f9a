//! `datasets/qpv_indicators.parquet` as GeoParquet 1.1: the QPV rows of the table, a `geometry`
//! column in WKB (MultiPolygon, WGS84 longitude/latitude: OGC:CRS84, the default when `crs` is
//! omitted) and the `geo` file metadata, so that geopandas, GDAL and QGIS open it as a layer.
//!
//! polars would write its Arrow schema with view types (`Utf8View`, `BinaryView`) that older Arrow
//! readers (GDAL's Parquet driver among them) do not take for a WKB column; the `ARROW:schema` written
//! here is the same schema with the classic `Utf8` / `Binary` types, which describe the same Parquet
//! columns (BYTE_ARRAY, with or without the String logical type).

use std::collections::BTreeMap;
use std::path::Path;

use geo::MultiPolygon;
use polars::prelude::*;
use serde_json::json;

use super::PublishError;
use super::geometry::{bbox, wkb_multipolygon};

/// Name of the geometry column (GeoParquet's `primary_column`).
pub const GEOMETRY: &str = "geometry";

/// The `geo` metadata of a GeoParquet file whose one geometry column holds MultiPolygons.
pub fn geo_metadata<'a>(shapes: impl IntoIterator<Item = &'a MultiPolygon<f64>>) -> serde_json::Value {
    let mut column = json!({
        "encoding": "WKB",
        "geometry_types": ["MultiPolygon"],
        "orientation": "counterclockwise",
    });
    if let Some(b) = bbox(shapes) {
        column["bbox"] = json!(b);
    }
    json!({"version": "1.1.0", "primary_column": GEOMETRY, "columns": {GEOMETRY: column}})
}

/// `schema` in Arrow with the classic (non-view, 32-bit offset) string and binary types.
fn classic_arrow_schema(schema: &Schema) -> ArrowSchema {
    schema
        .to_arrow(CompatLevel::oldest())
        .iter_values()
        .map(|f| {
            let dtype = match &f.dtype {
                ArrowDataType::LargeUtf8 | ArrowDataType::Utf8View => ArrowDataType::Utf8,
                ArrowDataType::LargeBinary | ArrowDataType::BinaryView => ArrowDataType::Binary,
                other => other.clone(),
            };
            let field = ArrowField::new(f.name.clone(), dtype, f.is_nullable);
            (f.name.clone(), field)
        })
        .collect()
}

/// The `ARROW:schema` value: the IPC schema message, length-prefixed as Arrow's Parquet writer does,
/// in base64, with `geo` also in the schema's own metadata (where pyarrow puts it, and where Arrow
/// readers look once they use the stored schema).
fn arrow_schema_value(schema: &ArrowSchema, geo: &str) -> String {
    use base64::Engine;
    use polars_arrow::io::ipc::write::{default_ipc_fields, schema_to_bytes};
    let metadata = polars_arrow::datatypes::Metadata::from([("geo".into(), geo.into())]);
    let message = schema_to_bytes(schema, &default_ipc_fields(schema.iter_values()), Some(&metadata));
    let mut bytes = Vec::with_capacity(message.len() + 8);
    bytes.extend([255u8; 4]);
    bytes.extend((message.len() as u32).to_le_bytes());
    bytes.extend(message);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// `rows` (matched to `shapes` by `area_code`) with their WKB geometry column (null where a row has no
/// contour).
pub fn with_geometry(
    rows: &DataFrame,
    shapes: &BTreeMap<String, MultiPolygon<f64>>,
) -> PolarsResult<DataFrame> {
    let codes = rows.column("area_code")?.str()?.clone();
    let wkb: Vec<Option<Vec<u8>>> =
        codes.iter().map(|c| c.and_then(|c| shapes.get(c)).map(wkb_multipolygon)).collect();
    let geometry = BinaryChunked::from_iter_options(GEOMETRY.into(), wkb.into_iter());
    let mut df = rows.clone();
    df.with_column(geometry.into_column())?;
    Ok(df)
}

pub fn write_geoparquet(
    path: &Path,
    rows: &DataFrame,
    shapes: &BTreeMap<String, MultiPolygon<f64>>,
) -> Result<(), PublishError> {
    let table_error = |source| PublishError::Table { path: path.to_path_buf(), source };
    let mut df = with_geometry(rows, shapes).map_err(table_error)?;
    let codes = rows.column("area_code").and_then(|c| Ok(c.str()?.clone())).map_err(table_error)?;
    let present: Vec<&MultiPolygon<f64>> = codes.iter().flatten().filter_map(|c| shapes.get(c)).collect();
    let geo = geo_metadata(present);
    let geo = geo.to_string();
    let kv = KeyValueMetadata::from_static(vec![
        ("ARROW:schema".into(), arrow_schema_value(&classic_arrow_schema(df.schema()), &geo)),
        ("geo".into(), geo),
    ]);
    crate::io::atomic::write_with(path, |f| {
        ParquetWriter::new(f)
            .with_key_value_metadata(Some(kv))
            .finish(&mut df)
            .map(|_| ())
            .map_err(|source| PublishError::Table { path: path.to_path_buf(), source })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn geo_metadata_names_the_column_encoding_types_and_bbox() {
        let a = MultiPolygon(vec![polygon![(x: 2.0, y: 48.0), (x: 2.5, y: 48.0), (x: 2.5, y: 48.5)]]);
        let m = geo_metadata([&a]);
        assert_eq!(m["version"], "1.1.0");
        assert_eq!(m["primary_column"], "geometry");
        let g = &m["columns"]["geometry"];
        assert_eq!(g["encoding"], "WKB");
        assert_eq!(g["geometry_types"], json!(["MultiPolygon"]));
        assert_eq!(g["bbox"], json!([2.0, 48.0, 2.5, 48.5]));
        assert!(g.get("crs").is_none(), "omitted: OGC:CRS84, longitude then latitude");
        assert!(geo_metadata([]).pointer("/columns/geometry/bbox").is_none());
    }

    #[test]
    fn the_arrow_schema_uses_classic_string_and_binary_types() {
        let df = df!("a" => ["x"], "n" => [1.5]).unwrap();
        let shapes = BTreeMap::new();
        let df = df.lazy().with_column(lit("Q1").alias("area_code")).collect().unwrap();
        let df = with_geometry(&df, &shapes).unwrap();
        let s = classic_arrow_schema(df.schema());
        let types: Vec<ArrowDataType> = s.iter_values().map(|f| f.dtype.clone()).collect();
        assert_eq!(
            types,
            [ArrowDataType::Utf8, ArrowDataType::Float64, ArrowDataType::Utf8, ArrowDataType::Binary]
        );
        assert_eq!(df.column("geometry").unwrap().null_count(), 1, "no contour: null geometry");
    }
}
