//! `datasets/qpv_indicators.gpkg`: an OGC GeoPackage 1.4 (SQLite) with
//! - the feature table `qpv_indicators`: the QPV rows of the table and their contour (`geom`,
//!   MultiPolygon, EPSG:4326, GeoPackage binary = GP header + WKB), the layer QGIS opens;
//! - the attribute table `indicators`: every row of the table (QPV and comparison areas), no geometry;
//! - the required `gpkg_spatial_ref_sys`, `gpkg_contents` and `gpkg_geometry_columns`.
//!
//! Deterministic bytes: the database is built in memory and written with `VACUUM INTO` (pages in
//! order, no free page, no journal), `last_change` is derived from the data's period (never the clock),
//! and the SQLite library is the one compiled into fracture (`rusqlite`'s `bundled`), so the header's
//! version fields do not depend on the machine.

use std::collections::BTreeMap;
use std::path::Path;

use geo::MultiPolygon;
use polars::prelude::*;
use rusqlite::types::Value as Sql;
use rusqlite::{Connection, params};

use super::PublishError;
use super::geometry::{SRS_ID, bbox, gpkg_blob};

/// `PRAGMA application_id` of a GeoPackage ("GPKG").
const APPLICATION_ID: i32 = 0x4750_4B47;
/// `PRAGMA user_version` of GeoPackage 1.4.0.
const USER_VERSION: i32 = 10400;
/// The layer of QPV contours.
pub const FEATURE_TABLE: &str = "qpv_indicators";
/// The table of every area without geometry.
pub const ATTRIBUTE_TABLE: &str = "indicators";
/// Geometry column of the feature table.
pub const GEOMETRY_COLUMN: &str = "geom";

/// WKT of EPSG:4326 as given in the GeoPackage standard (Annex F / table 20).
const WGS84_WKT: &str = "GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\",SPHEROID[\"WGS 84\",6378137,298.257223563,\
AUTHORITY[\"EPSG\",\"7030\"]],AUTHORITY[\"EPSG\",\"6326\"]],PRIMEM[\"Greenwich\",0,AUTHORITY[\"EPSG\",\"8901\"]],\
UNIT[\"degree\",0.0174532925199433,AUTHORITY[\"EPSG\",\"9122\"]],AUTHORITY[\"EPSG\",\"4326\"]]";

/// Texts of `gpkg_contents`, in the report's language.
pub struct Contents<'a> {
    /// `identifier` of the QPV layer.
    pub features_title: &'a str,
    pub features_description: &'a str,
    pub attributes_title: &'a str,
    pub attributes_description: &'a str,
    /// `last_change`, `YYYY-MM-DDTHH:MM:SS.SSSZ`.
    pub last_change: &'a str,
}

fn sql_error(path: &Path) -> impl Fn(rusqlite::Error) -> PublishError + '_ {
    move |e| PublishError::Other(format!("{}: GeoPackage: {e}", path.display()))
}

/// `"name"` with inner quotes doubled (column names come from the indicator table).
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// SQLite column type of a polars column (GeoPackage 1.4 §1.1.1.1.3 data types).
fn sql_type(dtype: &DataType) -> &'static str {
    match dtype {
        DataType::Boolean => "BOOLEAN",
        DataType::Float32 | DataType::Float64 => "DOUBLE",
        d if d.is_integer() => "INTEGER",
        _ => "TEXT",
    }
}

fn sql_value(v: AnyValue) -> Sql {
    match v {
        AnyValue::Null => Sql::Null,
        AnyValue::Boolean(b) => Sql::Integer(i64::from(b)),
        AnyValue::String(s) => Sql::Text(s.to_string()),
        AnyValue::StringOwned(s) => Sql::Text(s.to_string()),
        AnyValue::Float64(f) => Sql::Real(f),
        AnyValue::Float32(f) => Sql::Real(f64::from(f)),
        AnyValue::Int64(n) => Sql::Integer(n),
        AnyValue::Int32(n) => Sql::Integer(i64::from(n)),
        AnyValue::UInt32(n) => Sql::Integer(i64::from(n)),
        AnyValue::UInt64(n) => i64::try_from(n).map(Sql::Integer).unwrap_or(Sql::Real(n as f64)),
        other => Sql::Text(other.to_string()),
    }
}

/// Creates `name` with an `fid` key, the table's columns and, for a feature table, `geom`; fills it.
fn create_table(
    conn: &Connection,
    name: &str,
    table: &DataFrame,
    geometry: Option<&[Option<Vec<u8>>]>,
) -> rusqlite::Result<()> {
    let mut cols = vec!["fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL".to_string()];
    if geometry.is_some() {
        cols.push(format!("{} MULTIPOLYGON", quoted(GEOMETRY_COLUMN)));
    }
    cols.extend(table.columns().iter().map(|c| format!("{} {}", quoted(c.name()), sql_type(c.dtype()))));
    conn.execute(&format!("CREATE TABLE {} ({})", quoted(name), cols.join(", ")), [])?;
    let mut names: Vec<String> = Vec::new();
    if geometry.is_some() {
        names.push(quoted(GEOMETRY_COLUMN));
    }
    names.extend(table.columns().iter().map(|c| quoted(c.name())));
    let marks = vec!["?"; names.len()].join(", ");
    let mut insert =
        conn.prepare(&format!("INSERT INTO {} ({}) VALUES ({marks})", quoted(name), names.join(", ")))?;
    for i in 0..table.height() {
        let mut row: Vec<Sql> = Vec::with_capacity(names.len());
        if let Some(g) = geometry {
            row.push(g[i].clone().map(Sql::Blob).unwrap_or(Sql::Null));
        }
        for c in table.columns() {
            row.push(c.get(i).map(sql_value).unwrap_or(Sql::Null));
        }
        insert.execute(rusqlite::params_from_iter(row))?;
    }
    Ok(())
}

fn build(
    conn: &Connection,
    table: &DataFrame,
    qpv_rows: &DataFrame,
    shapes: &BTreeMap<String, MultiPolygon<f64>>,
    texts: &Contents,
) -> rusqlite::Result<()> {
    conn.execute_batch(&format!(
        "PRAGMA page_size = 4096; PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {USER_VERSION};
        CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY,
            organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL,
            description TEXT);
        CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
            identifier TEXT UNIQUE, description TEXT DEFAULT '',
            last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
            min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
            CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
        CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
            geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
            CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
            CONSTRAINT uk_gc_table_name UNIQUE (table_name),
            CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
            CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));"
    ))?;
    let mut srs = conn.prepare(
        "INSERT INTO gpkg_spatial_ref_sys (srs_name, srs_id, organization, organization_coordsys_id,
         definition, description) VALUES (?, ?, ?, ?, ?, ?)",
    )?;
    srs.execute(params![
        "WGS 84 geodetic",
        SRS_ID,
        "EPSG",
        SRS_ID,
        WGS84_WKT,
        "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid"
    ])?;
    srs.execute(params![
        "Undefined cartesian SRS",
        -1,
        "NONE",
        -1,
        "undefined",
        "undefined cartesian coordinate reference system"
    ])?;
    srs.execute(params![
        "Undefined geographic SRS",
        0,
        "NONE",
        0,
        "undefined",
        "undefined geographic coordinate reference system"
    ])?;

    let codes = qpv_rows
        .column("area_code")
        .and_then(|c| Ok(c.str()?.clone()))
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(e.into()))?;
    let own: Vec<Option<&MultiPolygon<f64>>> = codes.iter().map(|c| c.and_then(|c| shapes.get(c))).collect();
    let blobs: Vec<Option<Vec<u8>>> = own.iter().map(|g| g.map(gpkg_blob)).collect();
    let b = bbox(own.iter().flatten().copied());
    create_table(conn, FEATURE_TABLE, qpv_rows, Some(&blobs))?;
    create_table(conn, ATTRIBUTE_TABLE, table, None)?;
    let mut contents = conn.prepare(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change,
         min_x, min_y, max_x, max_y, srs_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )?;
    contents.execute(params![
        FEATURE_TABLE,
        "features",
        texts.features_title,
        texts.features_description,
        texts.last_change,
        b.map(|b| b[0]),
        b.map(|b| b[1]),
        b.map(|b| b[2]),
        b.map(|b| b[3]),
        SRS_ID
    ])?;
    contents.execute(params![
        ATTRIBUTE_TABLE,
        "attributes",
        texts.attributes_title,
        texts.attributes_description,
        texts.last_change,
        None::<f64>,
        None::<f64>,
        None::<f64>,
        None::<f64>,
        None::<i32>
    ])?;
    conn.execute(
        "INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m)
         VALUES (?, ?, 'MULTIPOLYGON', ?, 0, 0)",
        params![FEATURE_TABLE, GEOMETRY_COLUMN, SRS_ID],
    )?;
    Ok(())
}

/// The GeoPackage's bytes.
pub fn gpkg_bytes(
    table: &DataFrame,
    qpv_rows: &DataFrame,
    shapes: &BTreeMap<String, MultiPolygon<f64>>,
    texts: &Contents,
    path: &Path,
) -> Result<Vec<u8>, PublishError> {
    let err = sql_error(path);
    let conn = Connection::open_in_memory().map_err(&err)?;
    build(&conn, table, qpv_rows, shapes, texts).map_err(&err)?;
    let scratch =
        tempfile::tempdir().map_err(|source| PublishError::Io { path: path.to_path_buf(), source })?;
    let out = scratch.path().join("out.gpkg");
    conn.execute("VACUUM INTO ?", params![out.to_string_lossy()]).map_err(&err)?;
    std::fs::read(&out).map_err(|source| PublishError::Io { path: out.clone(), source })
}

/// `last_change` for a period: the last day of its quarter, else 31 December of the last year it
/// names (`2015-2017` → 2017), else the Unix epoch.
pub fn last_change(quarter: Option<crate::context::Quarter>, period: &str) -> String {
    if let Some(q) = quarter {
        let (month, day) = match q.q {
            1 => (3, 31),
            2 => (6, 30),
            3 => (9, 30),
            _ => (12, 31),
        };
        return format!("{:04}-{month:02}-{day:02}T00:00:00.000Z", q.year);
    }
    let digits: Vec<&str> = period.split(|c: char| !c.is_ascii_digit()).filter(|s| s.len() == 4).collect();
    match digits.last() {
        Some(y) => format!("{y}-12-31T00:00:00.000Z"),
        None => "1970-01-01T00:00:00.000Z".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Quarter;
    use geo::polygon;

    fn texts() -> Contents<'static> {
        Contents {
            features_title: "QPV",
            features_description: "d",
            attributes_title: "Indicateurs",
            attributes_description: "a",
            last_change: "2025-09-30T00:00:00.000Z",
        }
    }

    fn case() -> (DataFrame, DataFrame, BTreeMap<String, MultiPolygon<f64>>) {
        let table = df!(
            "area_type" => ["qpv", "territoire"],
            "area_code" => ["Q1", "TERRITOIRE"],
            "population" => [Some(12i64), None],
            "share" => [Some(9.5), Some(10.25)],
            "synthetic" => [true, true],
        )
        .unwrap();
        let qpv = table.head(Some(1));
        let shape = MultiPolygon(vec![polygon![(x: 2.0, y: 48.0), (x: 2.5, y: 48.0), (x: 2.5, y: 48.5)]]);
        (table, qpv, BTreeMap::from([("Q1".to_string(), shape)]))
    }

    #[test]
    fn the_same_data_give_the_same_bytes_with_the_geopackage_header() {
        let (t, q, s) = case();
        let a = gpkg_bytes(&t, &q, &s, &texts(), Path::new("x.gpkg")).unwrap();
        let b = gpkg_bytes(&t, &q, &s, &texts(), Path::new("x.gpkg")).unwrap();
        assert!(a == b, "two builds differ");
        assert!(a.starts_with(b"SQLite format 3\0"));
        assert_eq!(&a[68..72], b"GPKG", "application_id");
        assert_eq!(i32::from_be_bytes(a[60..64].try_into().unwrap()), 10400, "user_version");
    }

    #[test]
    fn tables_hold_the_rows_geometry_and_contents() {
        let (t, q, s) = case();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.gpkg");
        std::fs::write(&path, gpkg_bytes(&t, &q, &s, &texts(), &path).unwrap()).unwrap();
        let c = Connection::open(&path).unwrap();
        let n = |sql: &str| c.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
        assert_eq!(n("SELECT count(*) FROM qpv_indicators"), 1);
        assert_eq!(n("SELECT count(*) FROM indicators"), 2);
        assert_eq!(n("SELECT count(*) FROM gpkg_spatial_ref_sys"), 3);
        assert_eq!(n("SELECT population FROM qpv_indicators"), 12);
        assert_eq!(n("SELECT synthetic FROM indicators WHERE area_code = 'TERRITOIRE'"), 1);
        let (kind, srs): (String, i64) = c
            .query_row("SELECT geometry_type_name, srs_id FROM gpkg_geometry_columns", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((kind.as_str(), srs), ("MULTIPOLYGON", 4326));
        let (change, min_x, max_y): (String, f64, f64) = c
            .query_row(
                "SELECT last_change, min_x, max_y FROM gpkg_contents WHERE table_name = 'qpv_indicators'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!((change.as_str(), min_x, max_y), ("2025-09-30T00:00:00.000Z", 2.0, 48.5));
        let blob: Vec<u8> = c.query_row("SELECT geom FROM qpv_indicators", [], |r| r.get(0)).unwrap();
        assert_eq!(blob, gpkg_blob(&s["Q1"]));
        let types: Vec<String> = c
            .prepare("SELECT type FROM pragma_table_info('qpv_indicators')")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(types, ["INTEGER", "MULTIPOLYGON", "TEXT", "TEXT", "INTEGER", "DOUBLE", "BOOLEAN"]);
    }

    #[test]
    fn last_change_comes_from_the_period() {
        assert_eq!(last_change(Some(Quarter { year: 2026, q: 3 }), "2026-Q3"), "2026-09-30T00:00:00.000Z");
        assert_eq!(last_change(Some(Quarter { year: 2025, q: 4 }), "x"), "2025-12-31T00:00:00.000Z");
        assert_eq!(last_change(None, "2015-2017"), "2017-12-31T00:00:00.000Z");
        assert_eq!(last_change(None, "hackaviz2021"), "2021-12-31T00:00:00.000Z");
        assert_eq!(last_change(None, "latest"), "1970-01-01T00:00:00.000Z");
    }
}
