//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use polars::prelude::*;

/// The project root (where `Cargo.toml` is).
pub fn project_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The command-line arguments of a run on the embedded demo (French), at `quarter` (latest: `None`),
/// writing nowhere the tests look.
pub fn demo_args(quarter: Option<fracture::context::Quarter>) -> fracture::cli::DatasetArgs {
    fracture::cli::DatasetArgs {
        dataset: "demo".into(),
        input_dir: None,
        quarter,
        data_dir: project_root().join("data"),
        reports_dir: Path::new("unused").into(),
        pseudo_key_file: None,
        allow_outside_paths: false,
        lang: fracture::locale::Lang::Fr,
    }
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

/// Every file under `dir`, recursively (folders left out).
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("read dir") {
        let p = e.expect("dir entry").path();
        if p.is_dir() { out.extend(walk(&p)) } else { out.push(p) }
    }
    out
}

/// Copies the demo dataset into `dir` so a test can break one file.
pub fn demo_copy(dir: &Path) -> PathBuf {
    let src = project_root().join("data/demo");
    let dst = dir.join("demo-input");
    for entry in walk(&src) {
        let rel = entry.strip_prefix(&src).expect("under the demo folder");
        let to = dst.join(rel);
        std::fs::create_dir_all(to.parent().expect("a parent")).expect("create dir");
        std::fs::copy(&entry, &to).expect("copy");
    }
    dst
}

/// The binary under test.
pub fn fracture() -> Command {
    Command::new(env!("CARGO_BIN_EXE_fracture"))
}

/// Runs `fracture run` on the demo into `reports`, returns (exit code, stderr).
pub fn run_demo(reports: &Path, extra: &[&str]) -> (i32, String) {
    let out = fracture()
        .args(["run", "--data-dir"])
        .arg(project_root().join("data"))
        .arg("--reports-dir")
        .arg(reports)
        .args(extra)
        .output()
        .expect("run fracture");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// The demo report of a plain `fracture run`, shared by the tests that only read it.
pub struct DemoReport {
    /// The period folder (`<reports>/demo/<YYYY-Qn>`).
    pub dir: PathBuf,
    /// What the run printed on stderr.
    pub stderr: String,
}

impl DemoReport {
    /// A file of the report, by its path relative to the period folder.
    pub fn file(&self, rel: &str) -> PathBuf {
        self.dir.join(rel)
    }
}

/// Runs the demo once per test binary, into `target/tmp/shared-demo-report` (emptied first), so that
/// the `e2e`, `indicators` and `publish` tests read one report instead of running the pipeline each.
pub fn demo_report() -> &'static DemoReport {
    static REPORT: OnceLock<DemoReport> = OnceLock::new();
    REPORT.get_or_init(|| {
        let reports = Path::new(env!("CARGO_TARGET_TMPDIR")).join("shared-demo-report");
        if reports.exists() {
            std::fs::remove_dir_all(&reports).expect("clear the shared demo report");
        }
        let (code, stderr) = run_demo(&reports, &[]);
        assert_eq!(code, 0, "fracture run on the demo failed:\n{stderr}");
        DemoReport { dir: only_subdir(&reports.join("demo")), stderr }
    })
}
