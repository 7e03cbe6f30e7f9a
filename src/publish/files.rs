//! Atomic file writers: every output is written to a temporary file in its destination folder, then
//! renamed, so a reader never sees a half-written file.

use std::io::Write;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::PublishError;

fn io(path: &Path) -> impl Fn(std::io::Error) -> PublishError + '_ {
    move |source| PublishError::Io { path: path.to_path_buf(), source }
}

/// Writes through `write` into a temp file next to `path`, then renames it over `path`.
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> Result<(), PublishError>,
) -> Result<(), PublishError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut tmp =
        tempfile::Builder::new().prefix(".fracture-").suffix(".tmp").tempfile_in(dir).map_err(io(dir))?;
    write(tmp.as_file_mut())?;
    tmp.as_file_mut().flush().map_err(io(path))?;
    // Temp files are created private (0600); a published file is world-readable like any other.
    set_mode(tmp.path(), 0o644)?;
    tmp.persist(path).map_err(|e| PublishError::Io { path: path.to_path_buf(), source: e.error })?;
    Ok(())
}

/// Sets Unix permission bits (no-op elsewhere).
pub fn set_mode(path: &Path, mode: u32) -> Result<(), PublishError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(io(path))?;
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<(), PublishError> {
    write_atomic(path, |f| f.write_all(bytes).map_err(io(path)))
}

/// CSV per Etalab conventions: UTF-8, comma, decimal point, header row, empty cell for null.
pub fn write_csv(path: &Path, df: &DataFrame) -> Result<(), PublishError> {
    let mut df = df.clone();
    write_atomic(path, |f| {
        CsvWriter::new(f)
            .include_header(true)
            .with_separator(b',')
            .with_line_terminator("\n".into())
            .finish(&mut df)
            .map_err(|source| PublishError::Table { path: path.to_path_buf(), source })
    })
}

/// The French-Excel twin: `;`, decimal comma, UTF-8 BOM (a convenience, labelled as such).
pub fn write_csv_excel_fr(path: &Path, df: &DataFrame) -> Result<(), PublishError> {
    let mut df = df.clone();
    write_atomic(path, |f| {
        f.write_all("\u{feff}".as_bytes()).map_err(io(path))?;
        CsvWriter::new(f)
            .include_header(true)
            .with_separator(b';')
            .with_decimal_comma(true)
            .with_line_terminator("\r\n".into())
            .finish(&mut df)
            .map_err(|source| PublishError::Table { path: path.to_path_buf(), source })
    })
}

pub fn write_parquet(path: &Path, df: &DataFrame) -> Result<(), PublishError> {
    let mut df = df.clone();
    write_atomic(path, |f| {
        ParquetWriter::new(f)
            .finish(&mut df)
            .map(|_| ())
            .map_err(|source| PublishError::Table { path: path.to_path_buf(), source })
    })
}

pub fn write_json(path: &Path, value: &impl serde::Serialize) -> Result<(), PublishError> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| PublishError::Io { path: path.to_path_buf(), source: std::io::Error::other(e) })?;
    text.push('\n');
    write_bytes(path, text.as_bytes())
}

/// Every regular file under `dir`, relative, sorted (for the manifest).
pub fn list_files(dir: &Path) -> Result<Vec<PathBuf>, PublishError> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), PublishError> {
        for entry in std::fs::read_dir(dir).map_err(io(dir))? {
            let entry = entry.map_err(io(dir))?;
            let p = entry.path();
            if p.is_dir() {
                walk(root, &p, out)?;
            } else if let Ok(rel) = p.strip_prefix(root) {
                out.push(rel.to_path_buf());
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out)?;
    out.sort();
    Ok(out)
}
