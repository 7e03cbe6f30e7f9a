//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

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
