//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use polars::prelude::*;

/// The project root (where `Cargo.toml` is).
pub fn project_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh temporary folder for one test, removed when dropped.
pub fn workdir() -> tempfile::TempDir {
    tempfile::Builder::new().prefix("fracture-test-").tempdir().expect("temp dir")
}

/// Folder of the real extracts (`../shared/data/real`), from `FRACTURE_REAL_DATA`.
/// When it is unset the caller's test says so loudly on stderr and is skipped explicitly.
pub fn real_data_dir() -> Option<PathBuf> {
    match std::env::var_os("FRACTURE_REAL_DATA") {
        Some(p) => Some(PathBuf::from(p)),
        None => {
            eprintln!(
                "\n!!! FRACTURE_REAL_DATA is not set: tests on the REAL extracts are SKIPPED. \
                 .ci/run sets it to ../shared/data/real.\n"
            );
            None
        }
    }
}

/// The single sub-folder of `dir` (a report's period folder).
pub fn only_subdir(dir: &Path) -> PathBuf {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    assert_eq!(v.len(), 1, "{v:?}");
    v.remove(0)
}

/// A published CSV with every column read as text (codes keep their leading zeros).
pub fn read_csv(path: &Path) -> DataFrame {
    CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .try_into_reader_with_file_path(Some(path.to_path_buf()))
        .expect("open csv")
        .finish()
        .expect("parse csv")
}
