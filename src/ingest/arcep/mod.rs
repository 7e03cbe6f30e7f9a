//! ARCEP "Ma connexion internet": buildings (EPSG:3857 points, premises per building) and
//! eligibility (one row per building × technology).
//!
//! Input: CSV, `,` or `;` (detected), plain or gzip-compressed (`.csv.gz` of any size, every member of a
//! multi-member file); the building coordinates are `imb_longitude`/`imb_latitude` or, in some releases,
//! `imb_x`/`imb_y` ([`COORDINATE_COLUMNS`]; the first pair wins when a file has both), EPSG:3857 metres
//! either way.
//!
//! Output: `buildings` (`imb_id, x, y, logloc, commune, thd30, ftth`, x/y in Lambert-93, the flags from
//! the eligibility file, false for a building without eligibility rows) and `eligibility` (`imb_id, thd30,
//! ftth`: one row per building having any eligibility row, in the buildings' order, flags = any technology
//! reaching ≥ 30 Mbit/s down, any FTTH row). Buildings without eligibility rows count as not eligible.
//!
//! How (national files hold ~45 M buildings and ~100 M eligibility rows):
//! - [`stream`]: each file is read once, streamed in chunks of whole records (gzip inflated on the fly,
//!   SHA-256 computed on the way for the manifest), records split by the `csv` crate's `ByteRecord`s;
//! - [`buildings`], [`eligibility`]: chunks parsed and validated in parallel (rayon) straight from the
//!   bytes ([`cells`]), with the errors of `ingest::read` (file, line, field, expected, found), into typed
//!   columns: ids into polars string chunks (no `String` per cell), x/y/premises as `f64`, commune codes
//!   packed in a `u64`;
//! - [`ids`]: ids checked unique and eligibility rows matched to their building by hash, never by sorting
//!   or scanning; the eligibility table shares the buildings' id column (no copy when every building is
//!   listed).

pub mod buildings;
pub mod cells;
pub mod eligibility;
pub mod ids;
pub mod stream;

use std::path::Path;

use polars::prelude::*;

use super::error::{IngestError, Location};
use super::read::ReadOptions;
use crate::crs::Reprojector;

pub const TECHNOLOGIES: [&str; 7] = ["CU", "COAX", "FO", "4GF", "THDR", "WMX", "SAT"];
/// Rate classes, slowest first.
pub const RATE_CLASSES: [&str; 7] = ["INEL", "HD05", "HD3", "BHD8", "THD30", "THD100", "THD1G"];

/// True for classes at or above 30 Mbit/s.
pub fn is_thd30(class: &str) -> bool {
    matches!(class, "THD30" | "THD100" | "THD1G")
}

/// Coordinate columns of the buildings file, in order of preference: the names of the published CSV, then
/// `imb_x`/`imb_y` as third-party readers report in the gzip national files. Both pairs are EPSG:3857.
pub const COORDINATE_COLUMNS: [(&str, &str); 2] = [("imb_longitude", "imb_latitude"), ("imb_x", "imb_y")];

pub struct ArcepTables {
    pub buildings: DataFrame,
    pub eligibility: DataFrame,
}

/// SHA-256 (hex) and size of each file read, for the manifest: buildings, then eligibility.
pub type FileHashes = [(String, u64); 2];

fn polars_err(path: &Path, e: PolarsError) -> IngestError {
    IngestError::format(path, Location::File, format!("table operation failed: {e}"))
}

/// Problems found while streaming: kept in file order up to [`Errors::KEEP`], the rest counted; cells
/// written with a decimal comma held apart until the file's decimal mark is known.
#[derive(Default)]
pub struct Errors {
    list: Vec<IngestError>,
    more: usize,
    commas: Vec<IngestError>,
    more_commas: usize,
    comma_votes: usize,
    point_votes: usize,
}

impl Errors {
    pub const KEEP: usize = 1000;

    pub fn push(&mut self, e: IngestError) {
        if self.list.len() < Self::KEEP { self.list.push(e) } else { self.more += 1 }
    }

    /// A number read with a decimal comma: an error unless the file is decimal-comma.
    pub fn comma(&mut self, e: IngestError) {
        if self.commas.len() < Self::KEEP { self.commas.push(e) } else { self.more_commas += 1 }
    }

    /// Counts a cell for the decimal-mark vote (`ingest::read`'s rule: comma decimals must outnumber point
    /// ones).
    pub fn vote(&mut self, b: &[u8]) {
        match cells::decimal_shape(b) {
            Some(b',') => self.comma_votes += 1,
            Some(b'.') => self.point_votes += 1,
            _ => {}
        }
    }

    pub fn extend(&mut self, other: Errors) {
        self.more += other.more;
        for e in other.list {
            self.push(e);
        }
        self.more_commas += other.more_commas;
        for e in other.commas {
            self.comma(e);
        }
        self.comma_votes += other.comma_votes;
        self.point_votes += other.point_votes;
    }

    /// All problems as one error, in line order.
    pub fn finish(mut self, m: &stream::Meta) -> Result<(), IngestError> {
        if self.comma_votes <= self.point_votes {
            self.more += self.more_commas;
            for e in std::mem::take(&mut self.commas) {
                self.push(e);
            }
        }
        let line = |e: &IngestError| match e {
            IngestError::Field { location: Location::Line(n), .. }
            | IngestError::Format { location: Location::Line(n), .. } => *n,
            _ => 0,
        };
        self.list.sort_by_key(line);
        if self.more > 0 {
            self.list.push(IngestError::format(
                &m.path,
                Location::File,
                format!("... and {} more problem(s) of the same kinds", self.more),
            ));
        }
        IngestError::collect(m.path.clone(), self.list)
    }
}

/// Reads and validates the ARCEP buildings and eligibility files (see the module header).
pub fn read_arcep(
    buildings: (&Path, &ReadOptions),
    eligibility: (&Path, &ReadOptions),
    reproj: &Reprojector,
) -> Result<ArcepTables, IngestError> {
    read_arcep_hashed(buildings, eligibility, reproj).map(|(t, _)| t)
}

/// [`read_arcep`], also giving each file's SHA-256 and size, computed while it was read.
pub fn read_arcep_hashed(
    buildings: (&Path, &ReadOptions),
    eligibility: (&Path, &ReadOptions),
    reproj: &Reprojector,
) -> Result<(ArcepTables, FileHashes), IngestError> {
    let bs = stream::open(buildings.0, buildings.1)?;
    let b = buildings::read(&bs, reproj)?;
    let b_path = bs.meta.path.clone();
    let b_hash = bs.finish()?;
    let es = stream::open(eligibility.0, eligibility.1)?;
    let flags = eligibility::read(&es, &b)?;
    let e_path = es.meta.path.clone();
    let e_hash = es.finish()?;
    let tables = assemble(b, &flags, &b_path, &e_path)?;
    Ok((tables, [b_hash, e_hash]))
}

/// The columns as DataFrames.
fn assemble(
    b: buildings::Buildings,
    flags: &[u8],
    b_path: &Path,
    e_path: &Path,
) -> Result<ArcepTables, IngestError> {
    let buildings::Buildings { ids, x, y, logloc, commune, table } = b;
    drop(table);
    let mut chunks = ids.chunks.into_iter();
    let mut id = chunks.next().unwrap_or_else(|| StringChunked::from_slice("imb_id".into(), &[] as &[&str]));
    for c in chunks {
        id.append_owned(c).map_err(|e| polars_err(b_path, e))?;
    }
    let floats = |name: &str, parts: Vec<Vec<f64>>| -> Result<Column, IngestError> {
        let mut parts = parts.into_iter().map(|v| Float64Chunked::from_vec(name.into(), v));
        let mut out = parts.next().unwrap_or_else(|| Float64Chunked::from_vec(name.into(), Vec::new()));
        for p in parts {
            out.append_owned(p).map_err(|e| polars_err(b_path, e))?;
        }
        Ok(out.into_column())
    };
    let mut communes = commune.into_iter();
    let mut commune =
        communes.next().unwrap_or_else(|| StringChunked::from_slice("commune".into(), &[] as &[&str]));
    for c in communes {
        commune.append_owned(c).map_err(|e| polars_err(b_path, e))?;
    }
    let flag = |name: &str, bit: u8| -> BooleanChunked {
        BooleanChunked::from_iter_values(name.into(), flags.iter().map(|f| f & bit != 0))
    };
    let (thd30, ftth) = (flag("thd30", eligibility::THD30), flag("ftth", eligibility::FTTH));
    let listed = flag("listed", eligibility::LISTED);
    let eligibility_df = if listed.all() {
        DataFrame::new_infer_height(vec![
            id.clone().into_column(),
            thd30.clone().into_column(),
            ftth.clone().into_column(),
        ])
    } else {
        DataFrame::new_infer_height(vec![
            id.filter(&listed).map_err(|e| polars_err(e_path, e))?.into_column(),
            thd30.filter(&listed).map_err(|e| polars_err(e_path, e))?.into_column(),
            ftth.filter(&listed).map_err(|e| polars_err(e_path, e))?.into_column(),
        ])
    }
    .map_err(|err| polars_err(e_path, err))?;
    let buildings_df = DataFrame::new_infer_height(vec![
        id.into_column(),
        floats("x", x)?,
        floats("y", y)?,
        floats("logloc", logloc)?,
        commune.into_column(),
        thd30.into_column(),
        ftth.into_column(),
    ])
    .map_err(|e| polars_err(b_path, e))?;
    Ok(ArcepTables { buildings: buildings_df, eligibility: eligibility_df })
}
