//! Cache layout under `data/raw/`: `<source>/<vintage>/<filename>` plus a sidecar
//! `<filename>.meta.json` (URL, validators for conditional requests, sha256, size, dates, extracted
//! members). Files are only ever replaced by an atomic rename of a complete temporary file written in the
//! same folder ([`crate::io::atomic`]): a reader never sees a partial file under a final name.
//!
//! This module owns the layout: the rest of the program asks [`cached_file`] where a source's file is
//! rather than building cache paths itself.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tempfile::NamedTempFile;

use super::catalogue::ResolvedSource;
use super::error::FetchError;
use crate::io::IoError;
use crate::io::atomic::{self, with_suffix};

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
    pub fn write_meta(&self, meta: &CacheMeta) -> Result<(), IoError> {
        let json = serde_json::to_vec_pretty(meta).map_err(|e| IoError::new(&self.meta, e.into()))?;
        atomic::create_dir(&self.dir)?;
        let mut temp = atomic::temp_beside(&self.meta)?;
        std::io::Write::write_all(&mut temp, &json).map_err(IoError::at(&self.meta))?;
        atomic::persist_synced(temp, &self.meta)
    }

    /// A temporary file in the entry's folder, hidden and named so that it never looks complete.
    /// Removes the temporary files (`.<name>.<random>.part`) that interrupted downloads and extractions
    /// left in the entry's folder, once no one can be writing them: unmodified for `stale_after`
    /// (a live download writes at least every read timeout). Returns how many were removed.
    pub fn remove_stale_parts(&self, stale_after: std::time::Duration) -> usize {
        let mut removed = 0;
        let mut stack = vec![self.dir.clone()];
        while let Some(dir) = stack.pop() {
            let Ok(list) = std::fs::read_dir(&dir) else { continue };
            for e in list.flatten() {
                let Ok(kind) = e.file_type() else { continue };
                let name = e.file_name().to_string_lossy().into_owned();
                if kind.is_dir() {
                    stack.push(e.path());
                } else if kind.is_file() && name.starts_with('.') && name.ends_with(atomic::TEMP_SUFFIX) {
                    let age =
                        e.metadata().ok().and_then(|m| m.modified().ok()).and_then(|t| t.elapsed().ok());
                    if age.is_some_and(|a| a >= stale_after) && std::fs::remove_file(e.path()).is_ok() {
                        removed += 1;
                    }
                }
            }
        }
        removed
    }

    pub fn temp_file(&self) -> Result<NamedTempFile, IoError> {
        atomic::create_dir(&self.dir)?;
        atomic::temp_beside(&self.file)
    }
}

/// Where the file a dataset reads for `source` is: the local input (`path` sources), the cached
/// download, or, when the catalogue names a zip member, that member as `fetch` extracted it (found
/// through the sidecar). Whether the file exists is for the caller to check.
pub fn cached_file(source: &ResolvedSource, raw_dir: &Path) -> Result<PathBuf, FetchError> {
    if let Some(local) = &source.path {
        return Ok(local.clone());
    }
    let members = source.members();
    let Some(member) = members.first() else { return Ok(source.cache_path(raw_dir)) };
    let entry = CacheEntry::new(raw_dir, &source.id, &source.vintage, &source.filename);
    let meta = entry
        .read_meta()
        .ok_or_else(|| FetchError::NotFetched { id: source.id.clone(), meta: entry.meta.clone() })?;
    let name = member.rsplit('/').next().unwrap_or(member);
    meta.extracted
        .iter()
        .map(|x| entry.dir.join(&x.path))
        .find(|p| p.file_name().and_then(|f| f.to_str()) == Some(name))
        .ok_or_else(|| FetchError::NotExtracted { id: source.id.clone(), member: member.clone() })
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
    /// `Content-Encoding` as sent, and what was done with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_encoding: Option<String>,
    /// What was checked of the content, and what could not be (no pinned sha256).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checks: Option<super::content::ContentChecks>,
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
            content_encoding: None,
            checks: None,
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
