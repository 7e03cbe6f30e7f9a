//! Atomic writes: a file is written under a hidden temporary name in its destination folder
//! (`.<name>.<random>.part`), flushed to disk, then renamed over its final name, so that a reader never
//! sees a partial file under a final name. A temporary file not persisted is deleted on drop.
//! Derived outputs (reports, figures, demo data: rebuilt from code and raw data) are renamed without
//! waiting for the disk; downloads, which cannot be rebuilt offline, are flushed first ([`persist_synced`]).
//! Written files are world-readable (`0644` on Unix) like any other file, folders `0755`.
//!
//! A whole folder is replaced the same way: built under a hidden sibling ([`temp_dir_beside`]), then
//! swapped into place ([`replace_dir`]); [`list_files`] lists what a folder holds (for manifests).

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use tempfile::{NamedTempFile, TempDir};

use super::IoError;

/// Suffix of every temporary file: a name ending in it never is a complete file.
pub const TEMP_SUFFIX: &str = ".part";

/// A hidden temporary file next to `dest` (same folder, so the final rename is atomic), named
/// `.<dest name>.<random><suffix>`; `suffix` is [`TEMP_SUFFIX`] unless a writer needs an extension
/// (an image encoder that picks the format from it).
pub fn temp_beside_with(dest: &Path, suffix: &str) -> Result<NamedTempFile, IoError> {
    let dir = parent(dest);
    let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(suffix)
        .tempfile_in(dir)
        .map_err(IoError::at(dir))
}

/// [`temp_beside_with`] with the [`TEMP_SUFFIX`].
pub fn temp_beside(dest: &Path) -> Result<NamedTempFile, IoError> {
    temp_beside_with(dest, TEMP_SUFFIX)
}

/// Makes `temp` readable and renames it to `dest`, replacing any previous file.
pub fn persist(temp: NamedTempFile, dest: &Path) -> Result<(), IoError> {
    set_mode(temp.path(), 0o644)?;
    temp.persist(dest).map_err(|e| IoError::new(dest, e.error))?;
    Ok(())
}

/// [`persist`], with the content flushed to disk before the rename and the rename itself after.
pub fn persist_synced(temp: NamedTempFile, dest: &Path) -> Result<(), IoError> {
    temp.as_file().sync_all().map_err(IoError::at(dest))?;
    persist(temp, dest)?;
    sync_dir(parent(dest));
    Ok(())
}

/// Writes through `write` into a temporary file beside `dest` (creating its folder), then renames it
/// over `dest`. The writer's own errors pass through unchanged.
pub fn write_with<E: From<IoError>>(
    dest: &Path,
    write: impl FnOnce(&mut File) -> Result<(), E>,
) -> Result<(), E> {
    create_dir(parent(dest))?;
    let mut temp = temp_beside(dest)?;
    write(temp.as_file_mut())?;
    temp.as_file_mut().flush().map_err(IoError::at(dest))?;
    persist(temp, dest)?;
    Ok(())
}

/// Writes `bytes` to `dest` atomically.
///
/// # Examples
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let dest = dir.path().join("sub/notes.txt");
/// fracture::io::atomic::write(&dest, b"done").unwrap();
/// assert_eq!(std::fs::read(&dest).unwrap(), b"done");
/// ```
pub fn write(dest: &Path, bytes: &[u8]) -> Result<(), IoError> {
    write_with(dest, |f| f.write_all(bytes).map_err(IoError::at(dest)))
}

/// Creates `dir` and its parents.
pub fn create_dir(dir: &Path) -> Result<(), IoError> {
    std::fs::create_dir_all(dir).map_err(IoError::at(dir))
}

/// A hidden temporary folder beside `dest` (`.<dest name>.partial-<random>`), deleted on drop unless kept.
pub fn temp_dir_beside(dest: &Path) -> Result<TempDir, IoError> {
    let dir = parent(dest);
    create_dir(dir)?;
    let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    tempfile::Builder::new().prefix(&format!(".{name}.partial-")).tempdir_in(dir).map_err(IoError::at(dir))
}

/// Puts the complete folder `staged` (a sibling of `dest`) in place of `dest`: the old folder is
/// renamed aside, the new one renamed in, then the old one removed.
pub fn replace_dir(staged: TempDir, dest: &Path) -> Result<(), IoError> {
    let staged = staged.keep();
    set_mode(&staged, 0o755)?;
    let io = IoError::at(dest);
    if dest.exists() {
        let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let old = parent(dest).join(format!(".{name}.old-{}", std::process::id()));
        std::fs::rename(dest, &old).map_err(&io)?;
        std::fs::rename(&staged, dest).map_err(&io)?;
        std::fs::remove_dir_all(&old).map_err(IoError::at(&old))?;
    } else {
        std::fs::rename(&staged, dest).map_err(&io)?;
    }
    Ok(())
}

/// Every regular file under `dir`, relative to it, sorted.
pub fn list_files(dir: &Path) -> Result<Vec<PathBuf>, IoError> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), IoError> {
        for entry in std::fs::read_dir(dir).map_err(IoError::at(dir))? {
            let p = entry.map_err(IoError::at(dir))?.path();
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

/// `path` with `suffix` appended to its file name.
pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(suffix);
    path.with_file_name(name)
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Sets Unix permission bits (no-op elsewhere).
fn set_mode(path: &Path, mode: u32) -> Result<(), IoError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(IoError::at(path))?;
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

/// Makes a rename durable; not all platforms allow opening a folder, hence best effort.
fn sync_dir(dir: &Path) {
    let _ = File::open(dir).and_then(|d| d.sync_all());
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn write_replaces_and_leaves_only_the_final_file() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("sub/file.txt");
        write(&dest, b"abc").unwrap();
        write(&dest, b"abcd").unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"abcd");
        assert_eq!(names(&dir.path().join("sub")), vec!["file.txt"]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&dest).unwrap().permissions().mode() & 0o777, 0o644);
        }
    }

    #[test]
    fn a_failed_writer_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("f.csv");
        let r: Result<(), IoError> =
            write_with(&dest, |_| Err(IoError::new("x", std::io::Error::other("boom"))));
        assert!(r.is_err());
        assert!(names(dir.path()).is_empty());
    }

    #[test]
    fn temp_files_are_hidden_and_never_look_complete() {
        let dir = tempfile::tempdir().unwrap();
        let t = temp_beside(&dir.path().join("data.csv")).unwrap();
        let name = t.path().file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with(".data.csv.") && name.ends_with(".part"), "{name}");
        let png = temp_beside_with(&dir.path().join("map.png"), ".png").unwrap();
        assert!(png.path().to_string_lossy().ends_with(".png"));
        drop((t, png));
        assert!(names(dir.path()).is_empty(), "removed on drop");
    }

    #[test]
    fn folders_are_swapped_whole() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("2026-Q3");
        for content in ["old", "new"] {
            let staged = temp_dir_beside(&dest).unwrap();
            write(&staged.path().join("a/index.html"), content.as_bytes()).unwrap();
            replace_dir(staged, &dest).unwrap();
        }
        assert_eq!(std::fs::read(dest.join("a/index.html")).unwrap(), b"new");
        assert_eq!(names(dir.path()), vec!["2026-Q3"]);
        assert_eq!(list_files(&dest).unwrap(), vec![PathBuf::from("a/index.html")]);
        assert_eq!(with_suffix(Path::new("r/f.zip"), ".meta.json"), Path::new("r/f.zip.meta.json"));
    }
}
