//! The floor every stage stands on: file plumbing that knows nothing of QPV, INSEE or reports.
//! Stages use it; it uses no stage.
//!
//! - [`atomic`]: atomic writes (a hidden temporary file in the destination folder, then a rename),
//!   for files and for whole folders
//! - [`hash`]: SHA-256 of bytes, of a stream as it is written, of a file (streamed)
//! - [`table`]: DataFrames to CSV and Parquet files, atomically
//! - [`read_options`]: how to read a file (separator, header line, decimal mark, encoding, compression,
//!   sheet, zip member), the one type the catalogue and the datasets deserialise into
//! - [`bounded`]: the one bounded reader for every input (regular files only, size and expansion caps,
//!   checked while streaming)
//! - [`confine`]: whether a path (links and `..` resolved) lies under given folders
//! - [`archive`]: zip safety (path traversal, absolute paths, links, size and expansion-ratio caps),
//!   safe extraction, bounded reads of one member or of a gzip stream
//!
//! Errors: [`IoError`] names the path; [`archive::ArchiveError`] says why an archive was refused.

pub mod archive;
pub mod atomic;
pub mod bounded;
pub mod confine;
pub mod hash;
pub mod read_options;
pub mod table;

use std::path::{Path, PathBuf};

/// A failed file operation, with the path it was about.
#[derive(Debug, thiserror::Error)]
#[error("{}: {source}", path.display())]
pub struct IoError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

impl IoError {
    pub fn new(path: impl Into<PathBuf>, source: std::io::Error) -> IoError {
        IoError { path: path.into(), source }
    }

    /// A `map_err` adapter: `file.read(..).map_err(IoError::at(path))`.
    pub fn at(path: &Path) -> impl Fn(std::io::Error) -> IoError + '_ {
        move |source| IoError { path: path.to_path_buf(), source }
    }
}
