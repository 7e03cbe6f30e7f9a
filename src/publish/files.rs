//! The report's file writers, on top of [`crate::io`]: every output is written to a temporary file in
//! its destination folder, then renamed, so a reader never sees a half-written file.

use std::path::{Path, PathBuf};

use polars::prelude::DataFrame;

use super::PublishError;
use crate::io::{IoError, atomic, table};

impl From<IoError> for PublishError {
    fn from(e: IoError) -> Self {
        PublishError::Io { path: e.path, source: e.source }
    }
}

pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<(), PublishError> {
    Ok(atomic::write(path, bytes)?)
}

/// CSV per Etalab conventions: UTF-8, comma, decimal point, header row, empty cell for null.
pub fn write_csv(path: &Path, df: &DataFrame) -> Result<(), PublishError> {
    Ok(table::write_csv(path, df)?)
}

/// The French-Excel twin: `;`, decimal comma, UTF-8 BOM (a convenience, labelled as such).
pub fn write_csv_excel_fr(path: &Path, df: &DataFrame) -> Result<(), PublishError> {
    let excel = table::CsvStyle { separator: b';', decimal_comma: true, line_end: "\r\n", bom: true };
    Ok(table::write_csv_styled(path, df, excel)?)
}

pub fn write_parquet(path: &Path, df: &DataFrame) -> Result<(), PublishError> {
    Ok(table::write_parquet(path, df)?)
}

pub fn write_json(path: &Path, value: &impl serde::Serialize) -> Result<(), PublishError> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| PublishError::Io { path: path.to_path_buf(), source: std::io::Error::other(e) })?;
    text.push('\n');
    write_bytes(path, text.as_bytes())
}

/// Every regular file under `dir`, relative, sorted (for the manifest).
pub fn list_files(dir: &Path) -> Result<Vec<PathBuf>, PublishError> {
    Ok(atomic::list_files(dir)?)
}
