//! Atomic file writing (through [`crate::io::atomic`]) and the small text formatters shared by the demo
//! writers.
//!
//! Inputs: file contents already rendered in memory. Outputs: files on disk.
//!
//! Invariants:
//! - a file is written to a temporary name in its own folder, flushed, then renamed over the target, so a
//!   reader never sees a half-written file;
//! - numbers are formatted with a fixed number of decimals, so the same values give the same bytes.

use std::path::Path;

use super::DemoError;
use crate::io::IoError;

fn io_error(e: IoError) -> DemoError {
    DemoError::Io { path: e.path, source: e.source }
}

/// Creates `dir` and its parents.
pub fn create_dir(dir: &Path) -> Result<(), DemoError> {
    crate::io::atomic::create_dir(dir).map_err(io_error)
}

/// Writes `bytes` to `path` atomically (temporary file in the same folder, then rename).
pub fn atomic(path: &Path, bytes: &[u8]) -> Result<(), DemoError> {
    crate::io::atomic::write(path, bytes).map_err(io_error)
}

/// Hundredths as a decimal with 2 decimals and a point: `123456` → `1234.56`.
pub fn cents(c: i64) -> String {
    let sign = if c < 0 { "-" } else { "" };
    let a = c.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

/// A float with `decimals` decimals and a decimal comma: `38.24` → `38,2` for 1 decimal.
pub fn comma(x: f64, decimals: usize) -> String {
    format!("{x:.decimals$}").replace('.', ",")
}

/// One CSV field for a comma-separated file: quoted only when it must be (RFC 4180).
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { quoted(s) } else { s.to_string() }
}

/// One field always quoted, inner quotes doubled.
pub fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use super::*;

    #[test]
    fn formatters() {
        assert_eq!(cents(123_456), "1234.56");
        assert_eq!(cents(5), "0.05");
        assert_eq!(cents(-250), "-2.50");
        assert_eq!(comma(38.24, 1), "38,2");
        assert_eq!(comma(0.2871, 3), "0,287");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(quoted("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn atomic_write_replaces_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/file.txt");
        atomic(&p, b"one").unwrap();
        atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        let names: Vec<_> =
            std::fs::read_dir(dir.path().join("sub")).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("file.txt")]);
    }
}
