//! Cache layout under `data/raw/`: `<source>/<vintage>/<filename>` plus a sidecar
//! `<filename>.meta.json` (URL, validators for conditional requests, sha256, size, dates, extracted
//! members). Files are only ever replaced by an atomic rename of a complete temporary file written in the
//! same folder: a reader never sees a partial file under a final name.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tempfile::NamedTempFile;

/// Where one resolved source lives in the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheEntry {
    /// `raw_dir/<source>/<vintage>`.
    pub dir: PathBuf,
    /// The downloaded file.
    pub file: PathBuf,
    /// Its sidecar `<file>.meta.json`.
    pub meta: PathBuf,
}

impl CacheEntry {
    pub fn new(raw_dir: &Path, id: &str, vintage: &str, filename: &str) -> CacheEntry {
        let dir = raw_dir.join(id).join(vintage);
        let file = dir.join(filename);
        let meta = with_suffix(&file, ".meta.json");
        CacheEntry { dir, file, meta }
    }

    /// Where a download whose sha256 disagrees with the catalogue is kept aside.
    pub fn mismatch_path(&self) -> PathBuf {
        with_suffix(&self.file, ".sha256-mismatch")
    }

    /// Where an archive refused at extraction (traversal, bomb) is kept aside.
    pub fn rejected_path(&self) -> PathBuf {
        with_suffix(&self.file, ".rejected")
    }

    /// The sidecar, if present and readable (a damaged sidecar counts as absent: the next online run
    /// downloads again without validators).
    pub fn read_meta(&self) -> Option<CacheMeta> {
        let text = std::fs::read_to_string(&self.meta).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Writes the sidecar atomically.
    pub fn write_meta(&self, meta: &CacheMeta) -> io::Result<()> {
        let json = serde_json::to_vec_pretty(meta).map_err(io::Error::other)?;
        write_atomic(&self.meta, &json)
    }

    /// A temporary file in the entry's folder, hidden and named so that it never looks complete.
    pub fn temp_file(&self) -> io::Result<NamedTempFile> {
        std::fs::create_dir_all(&self.dir)?;
        temp_beside(&self.file)
    }
}

/// Sidecar of a cached file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheMeta {
    pub source: String,
    pub vintage: String,
    /// URL requested (after `--mirror` rewriting).
    pub url: String,
    /// URL that answered, after redirects.
    pub final_url: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub content_type: Option<String>,
    pub sha256: String,
    pub bytes: u64,
    /// When the content was downloaded (RFC 3339, UTC).
    pub fetched_at: String,
    /// Last time the server confirmed the content (304 or identical body), RFC 3339.
    #[serde(default)]
    pub checked_at: Option<String>,
    /// Members extracted from the archive, relative to the entry's folder.
    #[serde(default)]
    pub extracted: Vec<ExtractedMeta>,
}

/// One extracted archive member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtractedMeta {
    pub member: String,
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

/// Now, RFC 3339 UTC to the second.
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// `path` with `suffix` appended to its file name.
pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(suffix);
    path.with_file_name(name)
}

/// A hidden temporary file next to `dest` (same folder, so the final rename is atomic).
pub fn temp_beside(dest: &Path) -> io::Result<NamedTempFile> {
    let dir = dest.parent().unwrap_or_else(|| Path::new("."));
    let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    tempfile::Builder::new().prefix(&format!(".{name}.")).suffix(".part").tempfile_in(dir)
}

/// Flushes `temp` to disk and renames it to `dest`, replacing any previous file atomically.
pub fn persist(temp: NamedTempFile, dest: &Path) -> io::Result<()> {
    temp.as_file().sync_all()?;
    temp.persist(dest).map_err(|e| e.error)?;
    if let Some(dir) = dest.parent() {
        // Make the rename itself durable; not all platforms allow opening a folder, hence best effort.
        let _ = File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(())
}

/// Writes `bytes` to `dest` through a temporary file and an atomic rename.
pub fn write_atomic(dest: &Path, bytes: &[u8]) -> io::Result<()> {
    if let Some(dir) = dest.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut temp = temp_beside(dest)?;
    temp.write_all(bytes)?;
    persist(temp, dest)
}

/// SHA-256 (lower-case hex) and size of a file.
pub fn hash_file(path: &Path) -> io::Result<(String, u64)> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        total += n as u64;
    }
    Ok((hex::encode(hasher.finalize()), total))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> CacheMeta {
        CacheMeta {
            source: "s".into(),
            vintage: "2024".into(),
            url: "https://h/f.zip".into(),
            final_url: "https://static.h/f.zip".into(),
            etag: Some("\"v1\"".into()),
            last_modified: None,
            content_type: None,
            sha256: "00".repeat(32),
            bytes: 3,
            fetched_at: now_rfc3339(),
            checked_at: None,
            extracted: vec![],
        }
    }

    #[test]
    fn layout_is_source_vintage_filename() {
        let e = CacheEntry::new(Path::new("data/raw"), "qpv2024", "2024", "QP.zip");
        assert_eq!(e.file, Path::new("data/raw/qpv2024/2024/QP.zip"));
        assert_eq!(e.meta, Path::new("data/raw/qpv2024/2024/QP.zip.meta.json"));
        assert_eq!(e.mismatch_path(), Path::new("data/raw/qpv2024/2024/QP.zip.sha256-mismatch"));
    }

    #[test]
    fn atomic_write_leaves_only_the_final_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let dest = dir.path().join("sub/file.txt");
        write_atomic(&dest, b"abc").expect("write");
        write_atomic(&dest, b"abcd").expect("rewrite");
        assert_eq!(std::fs::read(&dest).expect("read"), b"abcd");
        let names: Vec<_> = std::fs::read_dir(dest.parent().expect("parent"))
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("file.txt")]);
        let (sha, bytes) = hash_file(&dest).expect("hash");
        assert_eq!(bytes, 4);
        assert_eq!(sha, "88d4266fd4e6338d13b845fcf289579d209c897823b9217da3e161936f031589");
    }

    #[test]
    fn meta_round_trips_and_damaged_meta_reads_as_absent() {
        let dir = tempfile::tempdir().expect("tempdir");
        let e = CacheEntry::new(dir.path(), "s", "2024", "f.zip");
        std::fs::create_dir_all(&e.dir).expect("mkdir");
        assert_eq!(e.read_meta(), None);
        let m = meta();
        e.write_meta(&m).expect("write meta");
        assert_eq!(e.read_meta(), Some(m));
        std::fs::write(&e.meta, b"{ not json").expect("damage");
        assert_eq!(e.read_meta(), None);
    }

    #[test]
    fn temp_files_are_hidden_and_never_look_complete() {
        let dir = tempfile::tempdir().expect("tempdir");
        let e = CacheEntry::new(dir.path(), "s", "v", "data.csv");
        let t = e.temp_file().expect("temp");
        let name = t.path().file_name().expect("name").to_string_lossy().into_owned();
        assert!(name.starts_with(".data.csv.") && name.ends_with(".part"), "{name}");
        drop(t);
        assert_eq!(std::fs::read_dir(&e.dir).expect("list").count(), 0, "temp removed on drop");
    }
}
