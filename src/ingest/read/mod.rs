//! The one reader every tabular input goes through (`data/FORMATS.md` §3–6), by concept:
//!
//! - [`csv`]: CSV text to a table: records and quoted fields, header names, ragged rows, polars parsing
//! - [`detect`]: what the file does not say: the separator and the decimal mark
//! - [`sheet`]: spreadsheet sheets (xlsx, xls, ods, via calamine): cells as text, the header row
//! - [`compressed`]: the bytes of a gzip file or of one zip member, under a size cap
//! - [`typed`]: typed access to the text cells: numbers, validated codes, columns, error locations
//! - `honoured` (tests): one test per read option, each showing the option changes what is read
//!
//! How to read a file is said by one type, [`ReadOptions`] (from `crate::io::read_options`: the source
//! catalogue and a dataset's `[formats]` deserialise into it); every field is honoured here.
//!
//! Input: a CSV file (UTF-8 with or without BOM, or Latin-1: detected unless `encoding` is set; separator
//! `;` `,` tab or `|`, detected unless set; decimal point or comma, detected per file unless `decimal` is
//! set; header on line `header_line`) or a spreadsheet sheet, either one possibly inside a zip archive
//! (`zip_member`), or gzip-compressed (`compression = "gzip"`, or a path ending in `.gz` such as ARCEP's
//! `immeubles.csv.gz`; the format is then told by the name without `.gz`).
//! Output: a [`RawTable`] whose DataFrame has **only String columns**
//! (codes such as `01001` or `2A004` keep their text), with empty cells and secrecy tokens
//! ([`is_secrecy_token`]) as null, plus the source line (or sheet row) of every row for error messages.
//!
//! Invariants checked on read, all problems of one kind reported together:
//! - every data row has as many fields as the header (quotes respected, multi-line quoted fields allowed);
//! - header names are trimmed, non-empty (an empty one is named `column_<n>`, 1-based) and unique;
//! - there is at least one data row.
//!
//! Typed access goes through [`RawTable::f64s`] and [`RawTable::codes`], which collect one
//! [`IngestError::Field`] per bad cell, naming the line.
//!
//! Paths in errors: for a zip member, `RawTable::path` and every error name `<zip>/<member>`; a `.gz` file is
//! named as given.
#![allow(
    clippy::result_large_err,
    reason = "the API returns `IngestError` by value (its variants carry path, location and field for the user); \
              errors are cold, a large `Err` costs nothing on the read path"
)]

pub mod compressed;
pub mod csv;
pub mod detect;
pub mod sheet;
pub mod typed;

use std::path::{Path, PathBuf};

use polars::prelude::DataFrame;

pub use super::encoding::Encoding;
use super::error::{IngestError, Location};
pub use crate::io::read_options::{Compression, Decimal, ReadOptions, TextEncoding};
pub use typed::{CodeKind, is_secrecy_token};

/// File extensions read as spreadsheets.
const SPREADSHEET_EXTENSIONS: [&str; 4] = ["xlsx", "xlsm", "xls", "ods"];

/// Where the rows of a table came from, to name them in errors.
#[derive(Debug, Clone)]
enum Origin {
    /// 1-based source line where each row starts.
    Lines(Vec<usize>),
    /// Sheet name and 1-based sheet row of each row.
    Sheet { name: String, rows: Vec<usize> },
}

/// A table as read from a file: every column a String column, null = empty cell or secrecy token.
#[derive(Debug, Clone)]
pub struct RawTable {
    /// The file (for a zip member: `<zip>/<member>`), as named in errors.
    pub path: PathBuf,
    /// The cells; every column has dtype String.
    pub df: DataFrame,
    /// 1-based header line (sheet row).
    pub header_line: usize,
    /// Encoding found (`Utf8` for a spreadsheet).
    pub encoding: Encoding,
    /// Field separator used (`0` for a spreadsheet).
    pub separator: u8,
    /// Whether numbers are read with a decimal comma.
    pub decimal_comma: bool,
    origin: Origin,
}

/// Reads a table (see the module header).
///
/// # Examples
/// ```
/// use fracture::ingest::read::{read_table, ReadOptions};
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("filo.csv");
/// std::fs::write(&path, "IRIS;DISP_TP6019\n674820101;38,2\n674820102;s\n").unwrap();
/// let t = read_table(&path, &ReadOptions::default()).unwrap();
/// let mut errors = Vec::new();
/// assert_eq!(t.f64s("DISP_TP6019", &mut errors), vec![Some(38.2), None]);
/// assert!(errors.is_empty());
/// ```
pub fn read_table(path: &Path, opts: &ReadOptions) -> Result<RawTable, IngestError> {
    if opts.header_line == Some(0) {
        return Err(IngestError::format(path, Location::File, "header_line is 1-based: 0 is not a line"));
    }
    let named_gz = has_extension(path, "gz");
    let gzip = opts.zip_member.is_none() && (opts.compression == Some(Compression::Gzip) || named_gz);
    let limits = opts.limits();
    let (shown_path, bytes) = match &opts.zip_member {
        Some(member) => (path.join(member), compressed::read_zip_member(path, member, &limits)?),
        None if gzip => (path.to_path_buf(), compressed::read_gzip(path, &limits)?),
        None => (path.to_path_buf(), compressed::read_plain(path, &limits)?),
    };
    // The name that tells the format: the zip member, or the file without its `.gz`.
    let name: &Path = match (&opts.zip_member, gzip && named_gz) {
        (Some(member), _) => Path::new(member),
        (None, true) => path.file_stem().map_or(path, Path::new),
        (None, false) => path,
    };
    let spreadsheet = opts.sheet.is_some()
        || name
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| SPREADSHEET_EXTENSIONS.iter().any(|x| e.eq_ignore_ascii_case(x)));
    if spreadsheet {
        sheet::read_sheet(shown_path, &bytes, opts, &limits)
    } else {
        csv::read_csv(shown_path, bytes, opts)
    }
}

#[cfg(test)]
fn io_error(path: &Path, source: std::io::Error) -> IngestError {
    IngestError::Io { path: path.to_path_buf(), source }
}

fn has_extension(path: &Path, ext: &str) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case(ext))
}

/// Header names must be unique: all duplicates are reported together.
fn check_unique(path: &Path, names: &[String], location: Location) -> Result<(), IngestError> {
    let mut errors = Vec::new();
    for (i, name) in names.iter().enumerate() {
        if names[..i].contains(name) {
            continue; // reported at its first occurrence
        }
        let positions: Vec<String> =
            names.iter().enumerate().filter(|(_, n)| *n == name).map(|(j, _)| (j + 1).to_string()).collect();
        if positions.len() > 1 {
            errors.push(IngestError::format(
                path,
                location.clone(),
                format!("column name `{name}` appears more than once (columns {})", positions.join(", ")),
            ));
        }
    }
    IngestError::collect(path, errors)
}

/// Helpers for the unit tests of the submodules: a table read from CSV text.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    pub fn table(text: &str, opts: &ReadOptions) -> Result<RawTable, IngestError> {
        let dir = tempfile::tempdir().map_err(|e| io_error(Path::new("tmp"), e))?;
        let path = dir.path().join("t.csv");
        std::fs::write(&path, text).map_err(|e| io_error(&path, e))?;
        read_table(&path, opts)
    }

    pub fn ok(text: &str) -> RawTable {
        match table(text, &ReadOptions::default()) {
            Ok(t) => t,
            Err(e) => panic!("{e}"),
        }
    }

    pub fn err(text: &str) -> String {
        match table(text, &ReadOptions::default()) {
            Ok(_) => panic!("expected an error for {text:?}"),
            Err(e) => e.to_string(),
        }
    }
}

/// One test per read option, each showing the option changing what is read.
#[cfg(test)]
mod honoured;
