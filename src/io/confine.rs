//! Path confinement: whether a path, symbolic links and `..` resolved, lies under one of some folders
//! (a dataset's `[files]` are confined to the dataset folder and the data folder).

use std::path::{Path, PathBuf};

/// Whether `path` (symbolic links resolved where it exists) lies under one of `roots`.
pub fn within(path: &Path, roots: &[&Path]) -> bool {
    let real = resolved(path);
    roots.iter().any(|r| real.starts_with(resolved(r)))
}

/// `path` made absolute, with its existing part canonicalised (links followed) and the rest normalised
/// lexically (`.` dropped, `..` popping).
pub fn resolved(path: &Path) -> PathBuf {
    use std::path::Component;
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    // The longest existing ancestor, canonicalised; the remaining components applied lexically.
    let mut existing = absolute.clone();
    let mut rest = Vec::new();
    let base = loop {
        if let Ok(c) = existing.canonicalize() {
            break c;
        }
        match (existing.file_name().map(|n| n.to_os_string()), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                existing = parent.to_path_buf();
            }
            _ => break PathBuf::from("/"),
        }
    };
    let mut out = base;
    for c in Path::new(&rest.into_iter().rev().collect::<PathBuf>()).components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(n) => out.push(n),
            _ => {}
        }
    }
    out
}
