//! Standalone commands on any files, built on the spatial engine (not on the pipeline's stages):
//!
//! - [`join`]: `fracture join --points FILE --zones FILE --zone-id FIELD ...` — points per zone (the
//!   "is this address in a QPV?" batch check), streamed batch by batch;
//! - [`interpolate`]: `fracture interpolate --source FILE --target FILE ...` — areal (or dasymetric)
//!   interpolation of source zones' values to target zones, with the overlap table;
//! - [`ingest`]: `fracture ingest` — the ingest stage on its own: a one-page summary per file and the
//!   rejects file (it stands on the stage, not on the spatial engine);
//! - [`points`]: the streaming point reader both use (CSV through the `csv` crate's byte records,
//!   Parquet row group by row group through polars), validating as it goes.
//!
//! Errors: [`CommandError`]; every input problem names the file, the line (CSV) or row (Parquet) or
//! feature (GeoJSON) or row (GeoParquet), the field and what was expected, and exits with code 3. Outputs are written
//! atomically (`io::atomic`): a failed run leaves no partial file under a final name.

pub mod ingest;
pub mod interpolate;
pub mod join;
pub mod points;

use std::path::PathBuf;

use crate::io::IoError;
use crate::spatial::geojson::GeoJsonError;

/// One problem in one row of a points file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    /// "line 12" (CSV, 1-based, header = line 1) or "row 12" (Parquet, 1-based).
    pub at: String,
    pub field: String,
    pub expected: String,
    pub found: String,
}

impl std::fmt::Display for RowProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}: expected {}, found {}", self.at, self.field, self.expected, self.found)
    }
}

/// Problems listed in a message (all are counted).
pub const LISTED: usize = 10;

/// Why a standalone command failed.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error("{}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{}: {message}", path.display())]
    Format { path: PathBuf, message: String },
    #[error("{}: {total} row problem(s): {}{}", path.display(),
        problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "),
        if *total > problems.len() { "; ..." } else { "" })]
    Rows { path: PathBuf, problems: Vec<RowProblem>, total: usize },
    #[error(transparent)]
    Zones(#[from] GeoJsonError),
    #[error("{message}")]
    Usage { message: String },
    #[error(transparent)]
    Write(#[from] IoError),
}

impl CommandError {
    /// True when the input was rejected (exit code 3); false for a failed write or a usage error.
    pub fn is_input(&self) -> bool {
        !matches!(self, CommandError::Write(_) | CommandError::Usage { .. })
    }
}

/// Collects row problems: keeps the first [`LISTED`], counts them all.
#[derive(Debug, Default)]
pub struct Problems {
    pub listed: Vec<RowProblem>,
    pub total: usize,
}

impl Problems {
    pub fn push(&mut self, p: RowProblem) {
        self.total += 1;
        if self.listed.len() < LISTED {
            self.listed.push(p);
        }
    }

    /// `Ok` when there was none, else the error naming `path`.
    pub fn into_result(self, path: &std::path::Path) -> Result<(), CommandError> {
        if self.total == 0 {
            Ok(())
        } else {
            Err(CommandError::Rows { path: path.to_path_buf(), problems: self.listed, total: self.total })
        }
    }
}

/// Formats a number for an output CSV: the shortest text that reads back as the same float64; empty
/// for NaN.
pub fn number_cell(x: f64) -> String {
    if x.is_nan() { String::new() } else { format!("{x}") }
}
