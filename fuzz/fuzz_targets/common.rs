//! Shared by the fuzz targets: the parsers take paths, so each input is written to a file of this
//! process first (one per target and process, rewritten at each input).

use std::path::PathBuf;

/// Writes `data` to this process's input file for `target` (named `name`, whose extension the reader
/// may look at) and returns its path.
pub fn input_file(target: &str, name: &str, data: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fracture-fuzz-{target}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, data).expect("write the input");
    path
}
