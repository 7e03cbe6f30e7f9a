//! Tables to files, atomically: CSV (UTF-8, `,`, decimal point, header row, empty cell for null, `\n`)
//! and Parquet, for the interim outputs of every stage and the published tables.

use std::fs::File;
use std::path::Path;

use polars::prelude::{CsvWriter, DataFrame, ParquetWriter, PolarsError, SerWriter};

use super::IoError;
use super::atomic::write_with;

fn table_error(path: &Path) -> impl Fn(PolarsError) -> IoError + '_ {
    move |e| IoError::new(path, std::io::Error::other(format!("cannot write table: {e}")))
}

/// How a CSV file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvStyle {
    pub separator: u8,
    pub decimal_comma: bool,
    pub line_end: &'static str,
    /// Starts the file with a UTF-8 byte-order mark (what French Excel needs to read UTF-8).
    pub bom: bool,
}

impl CsvStyle {
    /// Etalab conventions: UTF-8, `,`, decimal point, `\n`.
    pub const ETALAB: CsvStyle =
        CsvStyle { separator: b',', decimal_comma: false, line_end: "\n", bom: false };
}

/// Writes `df` as CSV with a header row and an empty cell for null, in `style`.
pub fn write_csv_styled(path: &Path, df: &DataFrame, style: CsvStyle) -> Result<(), IoError> {
    let mut df = df.clone();
    write_with(path, |f: &mut File| {
        if style.bom {
            std::io::Write::write_all(f, "\u{feff}".as_bytes()).map_err(IoError::at(path))?;
        }
        CsvWriter::new(f)
            .include_header(true)
            .with_separator(style.separator)
            .with_decimal_comma(style.decimal_comma)
            .with_line_terminator(style.line_end.into())
            .finish(&mut df)
            .map_err(table_error(path))
    })
}

/// CSV per Etalab conventions: UTF-8, comma, decimal point, header row, empty cell for null.
pub fn write_csv(path: &Path, df: &DataFrame) -> Result<(), IoError> {
    write_csv_styled(path, df, CsvStyle::ETALAB)
}

/// Parquet (polars' defaults).
pub fn write_parquet(path: &Path, df: &DataFrame) -> Result<(), IoError> {
    let mut df = df.clone();
    write_with(path, |f| ParquetWriter::new(f).finish(&mut df).map(|_| ()).map_err(table_error(path)))
}
