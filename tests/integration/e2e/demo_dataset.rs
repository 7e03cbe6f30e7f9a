//! `fracture demo`: the synthetic Démoville dataset is deterministic and matches the committed copy.

use std::path::{Path, PathBuf};

use crate::support;

/// Paths relative to `root`, as `/`-separated strings.
fn relative(root: &Path, files: &[PathBuf]) -> Vec<String> {
    files
        .iter()
        .map(|f| {
            let rel = f.strip_prefix(root).expect("written under the output folder");
            rel.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/")
        })
        .collect()
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

#[test]
fn demo_is_byte_identical_run_to_run() {
    let a = support::workdir();
    let b = support::workdir();
    let fa = fracture::demo::generate(a.path()).expect("first run");
    let fb = fracture::demo::generate(b.path()).expect("second run");
    let ra = relative(a.path(), &fa);
    assert_eq!(ra, relative(b.path(), &fb));
    assert_eq!(ra.len(), 14, "{ra:?}");
    let mut sorted = ra.clone();
    sorted.sort();
    assert_eq!(ra, sorted, "returned paths are sorted");
    for (x, y) in fa.iter().zip(&fb) {
        assert!(read(x) == read(y), "{} differs between two runs", x.display());
    }
    // Writing again over an existing folder gives the same bytes and leaves no temporary file.
    let again = fracture::demo::generate(a.path()).expect("third run");
    for (x, y) in again.iter().zip(&fb) {
        assert!(read(x) == read(y));
    }
    let mut stray = Vec::new();
    let mut dirs = vec![a.path().to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).expect("read dir") {
            let p = e.expect("dir entry").path();
            if p.is_dir() {
                dirs.push(p);
            } else if !fa.contains(&p) {
                stray.push(p);
            }
        }
    }
    assert!(stray.is_empty(), "unexpected files: {stray:?}");
}

#[test]
fn demo_lists_every_dataset_file() {
    let dir = support::workdir();
    let files = relative(dir.path(), &fracture::demo::generate(dir.path()).expect("generate"));
    let toml_text = std::fs::read_to_string(dir.path().join("dataset.toml")).expect("dataset.toml");
    let doc: toml::Table = toml_text.parse().expect("dataset.toml parses");
    assert_eq!(doc["synthetic"].as_bool(), Some(true));
    let listed = doc["files"].as_table().expect("[files]");
    for (key, path) in listed {
        let path = path.as_str().expect("a path");
        assert!(files.iter().any(|f| f == path), "{key} = {path} was not written");
    }
    assert!(files.iter().any(|f| f == "README.md"));
}

#[test]
fn demo_matches_the_committed_copy() {
    let dir = support::workdir();
    let files = fracture::demo::generate(dir.path()).expect("generate");
    let committed = support::project_root().join("data/demo");
    for (fresh, rel) in files.iter().zip(relative(dir.path(), &files)) {
        let old = committed.join(&rel);
        assert!(old.exists(), "data/demo/{rel} is missing: regenerate the committed demo copy");
        assert!(
            read(fresh) == read(&old),
            "data/demo/{rel} differs from the generator's output: regenerate the committed demo copy"
        );
    }
}

#[test]
fn demo_places_header_is_the_official_one() {
    let Some(real) = support::real_data_dir() else { return };
    let example =
        std::fs::read_to_string(real.join("mednum_standard_lieux_mediation_v1.0.2_exemple-valide.csv"))
            .expect("official example");
    let dir = support::workdir();
    fracture::demo::generate(dir.path()).expect("generate");
    let ours = std::fs::read_to_string(dir.path().join("places/lieux-mediation-numerique_Demoville.csv"))
        .expect("places");
    assert_eq!(ours.lines().next(), example.lines().next());
}
