//! `fracture join --points FILE --zones FILE --zone-id FIELD --out FILE.csv`: how many points fall in
//! each zone (and per value of a `--by` column), and optionally which zone each point falls in.
//!
//! Inputs: points as CSV or Parquet (coordinate columns `--x`/`--y`, default `x`,`y`, in
//! `--points-crs`, default EPSG:2154 — a geocoder's output is `--x longitude --y latitude
//! --points-crs EPSG:4326`); zones as GeoJSON ([`crate::spatial::geojson`]) or GeoParquet
//! ([`crate::spatial::geoparquet`]). Zones are converted to the
//! points' CRS, so points are never reprojected: the join costs one R-tree lookup per point, streamed
//! batch by batch (memory: one batch, plus the counts).
//!
//! Outputs (written atomically):
//! - `--out`: one row per zone (× each `--by` value seen), sorted by zone id (then value): the zone id
//!   column named as the zone field, the `--by` column, then `count`; zones without a point have 0.
//! - `--out-points`: every input row, its columns as read, plus the zone id (empty outside every zone
//!   and for rows without coordinates), in input order (CSV).
//!
//! A point on a boundary shared by zones goes to one of them by the engine's rule
//! ([`crate::spatial::index`]: zones are closed, the lowest zone index in the file wins).

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use polars::prelude::{Column, CsvWriter, SerWriter};
use tempfile::NamedTempFile;

use super::CommandError;
use super::points::{BATCH_ROWS, Batch, PointsSpec, Rows, for_each_batch};
use crate::cli::JoinPointsArgs;
use crate::io::IoError;
use crate::io::atomic::{create_dir, persist, temp_beside};
use crate::spatial::crs::{Crs, Reprojector};
use crate::spatial::geojson::{ZoneRead, read_zones};
use crate::spatial::index::ZoneIndex;

/// What a join counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JoinSummary {
    pub zones: usize,
    pub points: u64,
    pub in_zones: u64,
    pub outside: u64,
    pub without_coordinates: u64,
    /// The zones' geometry repairs, one line each (file and feature named).
    pub warnings: Vec<String>,
}

/// Runs the standalone join; `points` is `Some` (checked by the caller).
pub fn run(a: &JoinPointsArgs) -> Result<JoinSummary, CommandError> {
    let usage = |what: &str| CommandError::Usage { message: format!("fracture join --points needs {what}") };
    let points = a.points.as_deref().ok_or_else(|| usage("--points FILE"))?;
    let zones_path = a.zones.as_deref().ok_or_else(|| usage("--zones FILE"))?;
    let zone_id = a.zone_id.as_deref().ok_or_else(|| usage("--zone-id FIELD"))?;
    let out = a.out.as_deref().ok_or_else(|| usage("--out FILE.csv"))?;
    let points_crs = a.points_crs.unwrap_or(Crs::Lambert93);
    let reproj = Reprojector::new();
    let zones = read_zones(
        zones_path,
        ZoneRead { id_field: zone_id, numbers: &[], crs: a.zones_crs, to: Some(points_crs) },
        &reproj,
    )?;
    let index = ZoneIndex::new(zones.geometries.iter().collect());
    let by: Vec<String> = a.by.iter().cloned().collect();
    let spec = PointsSpec {
        path: points,
        x: &a.x,
        y: &a.y,
        crs: points_crs,
        extra: &by,
        keep_rows: a.out_points.is_some(),
        batch_rows: BATCH_ROWS,
    };
    // counts[zone][by value index]
    let mut values: HashMap<String, usize> = HashMap::new();
    let mut counts: Vec<Vec<u64>> = vec![Vec::new(); zones.ids.len()];
    let warnings = zones.warnings.iter().map(|w| format!("{}: {w}", zones_path.display())).collect();
    let mut summary = JoinSummary { zones: zones.ids.len(), warnings, ..Default::default() };
    let mut out_points = match &a.out_points {
        Some(p) => Some(PointsWriter::new(p, zone_id)?),
        None => None,
    };
    let mut located = Vec::new();
    let read = for_each_batch(&spec, |batch| {
        located.clear();
        located.resize(batch.xs.len(), None);
        index.locate_chunk_into(&batch.xs, &batch.ys, &mut located);
        for (k, z) in located.iter().enumerate() {
            let Some(z) = z else {
                if batch.xs[k].is_finite() {
                    summary.outside += 1;
                }
                continue;
            };
            summary.in_zones += 1;
            let v = match batch.extra.first() {
                Some(col) => {
                    let n = values.len();
                    *values.entry(col[k].clone()).or_insert(n)
                }
                None => 0,
            };
            let row = &mut counts[*z as usize];
            if row.len() <= v {
                row.resize(v + 1, 0);
            }
            row[v] += 1;
        }
        if let Some(w) = &mut out_points {
            w.write(batch, &located, &zones.ids)?;
        }
        Ok(())
    })?;
    summary.points = read.rows;
    summary.without_coordinates = read.without_coordinates;
    if let (Some(w), Some(p)) = (out_points, &a.out_points) {
        w.finish(p)?;
    }
    write_counts(out, zone_id, a.by.as_deref(), &zones.ids, &values, &counts)?;
    Ok(summary)
}

/// The counts CSV: zones sorted by id, `--by` values sorted, every combination present.
fn write_counts(
    out: &Path,
    zone_field: &str,
    by: Option<&str>,
    ids: &[String],
    values: &HashMap<String, usize>,
    counts: &[Vec<u64>],
) -> Result<(), CommandError> {
    let mut order: Vec<usize> = (0..ids.len()).collect();
    order.sort_by(|&a, &b| ids[a].cmp(&ids[b]));
    let mut by_values: Vec<(&String, usize)> = values.iter().map(|(v, i)| (v, *i)).collect();
    by_values.sort();
    let mut w = csv::Writer::from_writer(Vec::new());
    let header: Vec<&str> = std::iter::once(zone_field).chain(by).chain(["count"]).collect();
    let csv_err = |e: csv::Error| IoError::new(out, std::io::Error::other(e));
    w.write_record(&header).map_err(csv_err)?;
    for &z in &order {
        let count = |v: usize| counts[z].get(v).copied().unwrap_or(0).to_string();
        match by {
            None => w.write_record([ids[z].as_str(), &count(0)]).map_err(csv_err)?,
            Some(_) => {
                for (value, v) in &by_values {
                    w.write_record([ids[z].as_str(), value.as_str(), &count(*v)]).map_err(csv_err)?;
                }
            }
        }
    }
    let bytes = w.into_inner().map_err(|e| IoError::new(out, std::io::Error::other(e.to_string())))?;
    crate::io::atomic::write(out, &bytes)?;
    Ok(())
}

/// `--out-points`: every input row plus its zone, streamed into a temporary file renamed at the end.
struct PointsWriter {
    temp: NamedTempFile,
    zone_column: String,
    header_written: bool,
    path: std::path::PathBuf,
}

impl PointsWriter {
    fn new(path: &Path, zone_field: &str) -> Result<PointsWriter, CommandError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_dir(dir)?;
        }
        Ok(PointsWriter {
            temp: temp_beside(path)?,
            zone_column: zone_field.to_string(),
            header_written: false,
            path: path.to_path_buf(),
        })
    }

    fn write(&mut self, batch: &Batch, zones: &[Option<u32>], ids: &[String]) -> Result<(), CommandError> {
        let io = |e: std::io::Error| CommandError::Write(IoError::new(&self.path, e));
        // The zone column's name, made distinct from the input's columns.
        let mut name = self.zone_column.clone();
        while batch.columns.contains(&name) {
            name.push_str("_zone");
        }
        let zone_of = |k: usize| zones[k].map(|z| ids[z as usize].as_str()).unwrap_or("");
        match &batch.rows {
            Rows::Csv(records) => {
                let mut w = csv::Writer::from_writer(Vec::new());
                let csv_err =
                    |e: csv::Error| CommandError::Write(IoError::new(&self.path, std::io::Error::other(e)));
                if !self.header_written {
                    let mut h: Vec<&str> = batch.columns.iter().map(String::as_str).collect();
                    h.push(&name);
                    w.write_record(&h).map_err(csv_err)?;
                }
                for (k, r) in records.iter().enumerate() {
                    let mut r = r.clone();
                    r.push_field(zone_of(k).as_bytes());
                    w.write_byte_record(&r).map_err(csv_err)?;
                }
                let bytes = w.into_inner().map_err(|e| io(std::io::Error::other(e.to_string())))?;
                self.temp.write_all(&bytes).map_err(io)?;
            }
            Rows::Frame(df) => {
                let mut df = df.clone();
                let col: Vec<&str> = (0..df.height()).map(zone_of).collect();
                df.with_column(Column::new(name.as_str().into(), col))
                    .map_err(|e| io(std::io::Error::other(e.to_string())))?;
                CsvWriter::new(&mut self.temp)
                    .include_header(!self.header_written)
                    .finish(&mut df)
                    .map_err(|e| io(std::io::Error::other(e.to_string())))?;
            }
            Rows::None => {}
        }
        self.header_written = true;
        Ok(())
    }

    fn finish(mut self, path: &Path) -> Result<(), CommandError> {
        self.temp.flush().map_err(|e| CommandError::Write(IoError::new(path, e)))?;
        persist(self.temp, path)?;
        Ok(())
    }
}

/// The summary printed on stderr: the zones' repairs (as warnings), then one line.
pub fn describe(s: &JoinSummary, out: &Path) -> String {
    let warnings: String = s.warnings.iter().map(|w| format!("warning: {w}\n")).collect();
    warnings
        + &format!(
            "join: {} points, {} in the {} zones, {} outside every zone, {} without coordinates; wrote {}",
            s.points,
            s.in_zones,
            s.zones,
            s.outside,
            s.without_coordinates,
            out.display()
        )
}
