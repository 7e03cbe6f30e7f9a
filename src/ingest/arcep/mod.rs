//! ARCEP "Ma connexion internet": buildings (EPSG:3857 points, premises per building) and
//! eligibility (one row per building × technology).
//!
//! Input: CSV, `,` or `;` (detected), plain or gzip-compressed (`.csv.gz` of any size, every member of a
//! multi-member file); the building coordinates are `imb_longitude`/`imb_latitude` or, in some releases,
//! `imb_x`/`imb_y` ([`COORDINATE_COLUMNS`]; the first pair wins when a file has both), EPSG:3857 metres
//! either way.
//!
//! Output: `buildings` (`imb_id, x, y, logloc, commune, bhd8, thd30, thd100, ftth`, x/y in Lambert-93,
//! `logloc` the premises as `u32`,
//! the flags ([`FLAGS`]) from the eligibility file, false for a building without eligibility rows) and
//! `eligibility` (`imb_id, bhd8, thd30, thd100, ftth`: one row per building having any eligibility row,
//! in the buildings' order, flags = any technology reaching ≥ 8, ≥ 30, ≥ 100 Mbit/s down, any FTTH row).
//! Buildings without eligibility rows count as not eligible.
//!
//! How (national files hold ~45 M buildings and ~100 M eligibility rows):
//! - [`stream`]: each file is read once, streamed in chunks of whole records (gzip inflated on the fly,
//!   SHA-256 computed on the way for the manifest), records split by the `csv` crate's `ByteRecord`s;
//! - [`buildings`], [`eligibility`]: chunks parsed and validated in parallel (rayon) straight from the
//!   bytes ([`cells`]), with the errors of `ingest::read` (file, line, field, expected, found), into typed
//!   columns: ids packed per chunk (bytes end to end and their ends: no `String` per cell, made polars
//!   strings once the eligibility file is read), x/y as `f64`, premises as `u32`, commune codes packed
//!   in a `u64` while parsing;
//! - [`ids`]: ids checked unique and eligibility rows matched to their building by hash, never by sorting
//!   or scanning; the eligibility table shares the buildings' id column (no copy when every building is
//!   listed).

pub mod buildings;
pub mod cells;
pub mod eligibility;
mod guard;
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
    at_least(class, "THD30")
}

/// True when `class` is at or above `floor` in [`RATE_CLASSES`] (false for a class not listed).
///
/// # Examples
/// ```
/// use fracture::ingest::arcep::at_least;
/// assert!(at_least("BHD8", "BHD8") && at_least("THD1G", "THD100"));
/// assert!(!at_least("HD3", "BHD8") && !at_least("THD30", "THD100"));
/// ```
pub fn at_least(class: &str, floor: &str) -> bool {
    let rank = |c: &str| RATE_CLASSES.iter().position(|x| *x == c);
    matches!((rank(class), rank(floor)), (Some(c), Some(f)) if c >= f)
}

/// The eligibility flags a building carries, in column order: any technology reaching ≥ 8 Mbit/s
/// (`BHD8` and above), ≥ 30 Mbit/s (`THD30` and above), ≥ 100 Mbit/s (`THD100` and above) down, and
/// an FTTH (`FO`) line not `INEL`.
pub const FLAGS: [&str; 4] = ["bhd8", "thd30", "thd100", "ftth"];

/// Coordinate columns of the buildings file, in order of preference: the names of the published CSV, then
/// `imb_x`/`imb_y` as third-party readers report in the gzip national files. Both pairs are EPSG:3857.
pub const COORDINATE_COLUMNS: [(&str, &str); 2] = [("imb_longitude", "imb_latitude"), ("imb_x", "imb_y")];

/// The two tables of the module header; without `imb_id` when read with [`Ids::Dropped`].
pub struct ArcepTables {
    pub buildings: DataFrame,
    pub eligibility: DataFrame,
}

/// Whether the tables keep the building ids (`imb_id`), or only what the indicators read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ids {
    /// `imb_id` in both tables (the interim files, `fracture ingest`, `--stage join`).
    Kept,
    /// No `imb_id` column: the buildings carry their flags, so nothing after the ingest matches by id,
    /// and the ids (a third of the tables' memory nationally, 1.6 GB as polars strings) are never made.
    Dropped,
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
    read_arcep_hashed(buildings, eligibility, reproj, Ids::Kept).map(|(t, _)| t)
}

/// [`read_arcep`], also giving each file's SHA-256 and size, computed while it was read; `ids` says
/// whether the tables keep `imb_id`.
pub fn read_arcep_hashed(
    buildings: (&Path, &ReadOptions),
    eligibility: (&Path, &ReadOptions),
    reproj: &Reprojector,
    ids: Ids,
) -> Result<(ArcepTables, FileHashes), IngestError> {
    let bs = stream::open(buildings.0, buildings.1)?;
    let b = buildings::read(&bs, reproj)?;
    let b_path = bs.meta.path.clone();
    let b_hash = bs.finish()?;
    let es = stream::open(eligibility.0, eligibility.1)?;
    let flags = eligibility::read(&es, &b)?;
    let e_path = es.meta.path.clone();
    let e_hash = es.finish()?;
    let tables = assemble(b, &flags, &b_path, &e_path, ids)?;
    Ok((tables, [b_hash, e_hash]))
}

/// The columns as DataFrames.
fn assemble(
    b: buildings::Buildings,
    flags: &[u8],
    b_path: &Path,
    e_path: &Path,
    keep: Ids,
) -> Result<ArcepTables, IngestError> {
    let buildings::Buildings { ids, x, y, logloc, commune, table } = b;
    drop(table);
    // The packed ids become polars chunks part by part, each part freed once converted.
    let id = match keep {
        Ids::Kept => {
            let mut id = StringChunked::from_slice("imb_id".into(), &[] as &[&str]);
            for part in ids.parts {
                id.append_owned(part.to_chunk("imb_id")).map_err(|e| polars_err(b_path, e))?;
            }
            Some(id)
        }
        Ids::Dropped => None,
    };
    // Each part becomes a chunk as it is (no copy; the join reads the columns chunk by chunk).
    fn chunked<T: PolarsNumericType>(name: &str, parts: Vec<Vec<T::Native>>) -> PolarsResult<Column> {
        let mut parts = parts.into_iter().map(|v| ChunkedArray::<T>::from_vec(name.into(), v));
        let mut out = parts.next().unwrap_or_else(|| ChunkedArray::<T>::from_vec(name.into(), Vec::new()));
        for p in parts {
            out.append_owned(p)?;
        }
        Ok(out.into_column())
    }
    let err = |e| polars_err(b_path, e);
    let mut communes = commune.into_iter();
    let mut commune =
        communes.next().unwrap_or_else(|| StringChunked::from_slice("commune".into(), &[] as &[&str]));
    for c in communes {
        commune.append_owned(c).map_err(|e| polars_err(b_path, e))?;
    }
    let flag = |name: &str, bit: u8| -> BooleanChunked {
        BooleanChunked::from_iter_values(name.into(), flags.iter().map(|f| f & bit != 0))
    };
    let flag_columns: Vec<BooleanChunked> =
        FLAGS.iter().zip(eligibility::FLAG_BITS).map(|(name, bit)| flag(name, bit)).collect();
    let listed = flag("listed", eligibility::LISTED);
    let mut e_cols = Vec::with_capacity(FLAGS.len() + 1);
    if listed.all() {
        e_cols.extend(id.iter().map(|id| id.clone().into_column()));
        e_cols.extend(flag_columns.iter().map(|f| f.clone().into_column()));
    } else {
        if let Some(id) = &id {
            e_cols.push(id.filter(&listed).map_err(|e| polars_err(e_path, e))?.into_column());
        }
        for f in &flag_columns {
            e_cols.push(f.filter(&listed).map_err(|e| polars_err(e_path, e))?.into_column());
        }
    }
    let eligibility_df = DataFrame::new_infer_height(e_cols).map_err(|err| polars_err(e_path, err))?;
    let mut b_cols: Vec<Column> = id.into_iter().map(|id| id.into_column()).collect();
    b_cols.extend([
        chunked::<Float64Type>("x", x).map_err(err)?,
        chunked::<Float64Type>("y", y).map_err(err)?,
        chunked::<UInt32Type>("logloc", logloc).map_err(err)?,
        commune.into_column(),
    ]);
    b_cols.extend(flag_columns.into_iter().map(|f| f.into_column()));
    let buildings_df = DataFrame::new_infer_height(b_cols).map_err(|e| polars_err(b_path, e))?;
    Ok(ArcepTables { buildings: buildings_df, eligibility: eligibility_df })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One building per downstream class (and one without eligibility rows), each with a copper line of
    /// that class; building 8 also has an FTTH line, building 9 an `INEL` fibre line.
    fn tables() -> ArcepTables {
        let dir = tempfile::tempdir().unwrap();
        let (b, e) = (dir.path().join("imb.csv"), dir.path().join("elig.csv"));
        let mut bs = String::from("imb_id,imb_longitude,imb_latitude,imb_code_insee,imb_nbr_logloc\n");
        let mut es = String::from("imb_id,code_techno,classe_debit_descendant\n");
        for i in 0..10 {
            bs.push_str(&format!("B{i},862959.82,6202783.87,67482,{}\n", i + 1));
        }
        for (i, class) in RATE_CLASSES.iter().enumerate() {
            es.push_str(&format!("B{i},CU,{class}\n"));
        }
        es.push_str("B8,CU,HD3\nB8,FO,THD1G\nB9,FO,INEL\n");
        std::fs::write(&b, bs).unwrap();
        std::fs::write(&e, es).unwrap();
        let o = ReadOptions::default();
        read_arcep((&b, &o), (&e, &o), &Reprojector::new()).unwrap_or_else(|e| panic!("{e}"))
    }

    fn flags(df: &DataFrame, c: &str) -> Vec<bool> {
        df.column(c).unwrap().bool().unwrap().iter().map(|x| x.unwrap()).collect()
    }

    #[test]
    fn every_rate_class_sets_the_flags_at_or_below_it() {
        let t = tables();
        let names: Vec<&str> = t.buildings.get_column_names().iter().map(|c| c.as_str()).collect();
        assert_eq!(names, ["imb_id", "x", "y", "logloc", "commune", "bhd8", "thd30", "thd100", "ftth"]);
        // B0..B6: INEL, HD05, HD3, BHD8, THD30, THD100, THD1G; B7 unlisted; B8 HD3 + FTTH; B9 INEL fibre.
        let f = |c| flags(&t.buildings, c);
        assert_eq!(f("bhd8"), [false, false, false, true, true, true, true, false, true, false]);
        assert_eq!(f("thd30"), [false, false, false, false, true, true, true, false, true, false]);
        assert_eq!(f("thd100"), [false, false, false, false, false, true, true, false, true, false]);
        assert_eq!(f("ftth"), [false, false, false, false, false, false, false, false, true, false]);
        // The eligibility table lists the 9 buildings having rows, with the same flags.
        assert_eq!(t.eligibility.height(), 9);
        assert_eq!(flags(&t.eligibility, "bhd8"), [false, false, false, true, true, true, true, true, false]);
        assert_eq!(flags(&t.eligibility, "thd100")[5..], [true, true, true, false]);
    }

    #[test]
    fn classes_are_ordered() {
        for (i, a) in RATE_CLASSES.iter().enumerate() {
            for (j, b) in RATE_CLASSES.iter().enumerate() {
                assert_eq!(at_least(a, b), i >= j, "{a} vs {b}");
            }
        }
        assert!(!at_least("THD10G", "INEL") && !at_least("THD1G", "FAST"));
    }
}
