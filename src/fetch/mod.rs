//! Stage `fetch`: downloads the official sources named in the catalogue (`data/sources.toml`) into the
//! raw cache, `data/raw/<source>/<vintage>/<filename>`.
//!
//! - **Inputs**: the catalogue, the selected source ids (all downloadable ones by default), an optional
//!   vintage, template variables (e.g. `departement=67`), an optional mirror host.
//! - **Outputs**: cached files, each with a sidecar `<file>.meta.json` (URL, ETag, Last-Modified, sha256,
//!   bytes, dates, extracted members), zip members extracted beside the archive, and a [`FetchReport`].
//! - **Invariants**: a file under its final name is always complete and verified (Content-Length, pinned
//!   sha256, size cap, zip safety): downloads go to hidden temporary files renamed atomically. A file is
//!   never rewritten in place. A sha256 mismatch is kept aside as `<file>.sha256-mismatch`, a refused
//!   archive as `<file>.rejected`. Offline runs never touch the network.
//!
//! - [`catalogue`]: the source catalogue, `sources.toml` (schema, resolution, validation, templates)
//! - `http`: client, timeouts, retries, size cap, streamed hashing
//! - [`cache`]: the layout of the cache (owned here: [`cached_file`] tells others where a source is), sidecars
//! - `error`: [`FetchError`]
//!
//! Atomic writes, hashing and safe zip extraction come from [`crate::io`].

pub mod cache;
pub mod catalogue;
mod content;
mod error;
mod http;
mod mirror;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

pub use crate::io::archive::{ArchiveError, ExtractLimits, Extracted};
pub use cache::{CacheEntry, CacheMeta, ExtractedMeta, cached_file};
pub use catalogue::{
    Catalogue, Compression, Format, FormatKind, ResolvedSource, Source, TemplateError, UrlStatus,
    VintageOverride, load_catalogue, parse_catalogue, placeholders, render_template,
};
pub use content::ContentChecks;
pub use error::{BoxError, FetchError, MissingEntry, NetworkKind};
pub use http::NetSettings;
pub use mirror::{apply_mirror, parse_mirror};

use crate::io::IoError;
use crate::io::atomic::persist_synced;
use crate::io::hash::sha256_file;

/// What the caller (the CLI) asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FetchOptions {
    /// Source ids; empty = every source of the catalogue that has a `url`.
    pub sources: Vec<String>,
    /// Vintage for every selected source (default: each source's own `vintage`).
    pub vintage: Option<String>,
    /// Use the cache only; fail listing every missing source.
    pub offline: bool,
    /// Fetch the same path + query from this host instead (e.g. `http://127.0.0.1:8080`).
    pub mirror: Option<String>,
    /// Cache root, normally `data/raw`.
    pub raw_dir: PathBuf,
    /// Catalogue file, normally `data/sources.toml`.
    pub catalogue: PathBuf,
    /// Show a progress bar per download (only when stderr is a terminal).
    pub progress: bool,
    /// Template values, e.g. `departement=67`.
    pub vars: BTreeMap<String, String>,
}

/// Network and extraction tuning; [`fetch`] uses the defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FetchSettings {
    pub net: NetSettings,
    pub extract: ExtractLimits,
}

/// What happened to one source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FetchStatus {
    /// New content written to the cache.
    Downloaded,
    /// The server confirmed the cached copy (304, or an identical body).
    NotModified,
    /// Served from the cache without asking the server (offline, or pinned sha256 already matching).
    Cached,
    /// Local input (`path`) that does not exist.
    Missing,
    /// Local input (`path`) present; nothing to fetch.
    Local,
}

impl fmt::Display for FetchStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FetchStatus::Downloaded => "downloaded",
            FetchStatus::NotModified => "not-modified",
            FetchStatus::Cached => "cached",
            FetchStatus::Missing => "missing",
            FetchStatus::Local => "local",
        })
    }
}

/// One source in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FetchedSource {
    pub id: String,
    pub vintage: String,
    /// URL requested (after mirroring); `None` for local inputs.
    pub url: Option<String>,
    /// Cached file (or the local input).
    pub path: PathBuf,
    pub sha256: Option<String>,
    pub bytes: Option<u64>,
    pub status: FetchStatus,
    /// Members extracted from a zip, absolute paths.
    pub extracted: Vec<PathBuf>,
}

/// Every selected source, in the order asked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FetchReport {
    pub sources: Vec<FetchedSource>,
}

impl FetchReport {
    pub fn get(&self, id: &str) -> Option<&FetchedSource> {
        self.sources.iter().find(|s| s.id == id)
    }
}

/// Fetches with the default network settings (timeouts 10 s connect / 60 s read, 4 attempts).
pub fn fetch(opts: &FetchOptions) -> Result<FetchReport, FetchError> {
    fetch_with(opts, &FetchSettings::default())
}

/// Fetches with explicit settings. Every selected source is tried even when one fails; the errors are
/// returned together ([`FetchError::Several`] when more than one).
pub fn fetch_with(opts: &FetchOptions, settings: &FetchSettings) -> Result<FetchReport, FetchError> {
    let catalogue = load_catalogue(&opts.catalogue)?;
    let resolved = resolve(&catalogue, opts)?;
    let mirror = opts.mirror.as_deref().map(parse_mirror).transpose()?;

    let mut report = FetchReport::default();
    let mut errors = Vec::new();
    let mut missing = Vec::new();
    let mut downloader = None;
    for r in &resolved {
        let outcome = if r.url.is_none() {
            Ok(local_source(r))
        } else if opts.offline {
            match offline_source(r, opts, settings) {
                Ok(Some(done)) => Ok(done),
                Ok(None) => {
                    let path = r.cache_path(&opts.raw_dir);
                    missing.push(MissingEntry { id: r.id.clone(), vintage: r.vintage.clone(), path });
                    continue;
                }
                Err(e) => Err(e),
            }
        } else {
            let d = match &mut downloader {
                Some(d) => d,
                None => downloader.insert(http::Downloader::new(&settings.net, opts.progress)?),
            };
            online_source(r, opts, settings, d, mirror.as_ref())
        };
        match outcome {
            Ok(done) => report.sources.push(done),
            Err(e) => errors.push(e),
        }
    }
    if !missing.is_empty() {
        errors.insert(0, FetchError::Offline { missing });
    }
    match FetchError::from_many(errors) {
        Some(e) => Err(e),
        None => Ok(report),
    }
}

/// Validates variables, selects and resolves every source before any network access.
fn resolve(catalogue: &Catalogue, opts: &FetchOptions) -> Result<Vec<ResolvedSource>, FetchError> {
    let mut errors = Vec::new();
    for (name, value) in &opts.vars {
        if !catalogue::is_safe_value(value) {
            errors.push(FetchError::BadVar { name: name.clone(), value: value.clone() });
        }
    }
    let selected: Vec<&Source> = if opts.sources.is_empty() {
        catalogue.sources.iter().filter(|s| s.url.is_some()).collect()
    } else {
        let mut picked = Vec::new();
        for id in &opts.sources {
            match catalogue.get(id) {
                Some(s) if !picked.iter().any(|p: &&Source| p.id == s.id) => picked.push(s),
                Some(_) => {}
                None => errors.push(FetchError::UnknownSource { id: id.clone(), known: catalogue.ids() }),
            }
        }
        picked
    };
    let mut resolved = Vec::with_capacity(selected.len());
    if errors.is_empty() {
        for s in selected {
            match s.resolve(opts.vintage.as_deref(), &opts.vars, catalogue.base_dir()) {
                Ok(r) => resolved.push(r),
                Err(e) => errors.push(e),
            }
        }
    }
    match FetchError::from_many(errors) {
        Some(e) => Err(e),
        None => Ok(resolved),
    }
}

fn local_source(r: &ResolvedSource) -> FetchedSource {
    let path = r.path.clone().unwrap_or_default();
    let status = if path.is_file() { FetchStatus::Local } else { FetchStatus::Missing };
    FetchedSource {
        id: r.id.clone(),
        vintage: r.vintage.clone(),
        url: None,
        path,
        sha256: None,
        bytes: None,
        status,
        extracted: Vec::new(),
    }
}

fn io_error(id: &str, path: &Path, what: &'static str) -> impl FnOnce(IoError) -> FetchError {
    let (id, path) = (id.to_string(), path.to_path_buf());
    move |e| FetchError::Io { id, path, what, source: e.source }
}

/// Offline: the cached file if present (extracting members when needed), `None` when missing.
fn offline_source(
    r: &ResolvedSource,
    opts: &FetchOptions,
    settings: &FetchSettings,
) -> Result<Option<FetchedSource>, FetchError> {
    let entry = CacheEntry::new(&opts.raw_dir, &r.id, &r.vintage, &r.filename);
    if !entry.file.is_file() {
        return Ok(None);
    }
    let mut meta = entry.read_meta();
    let (sha256, bytes) = match &meta {
        // Trust the sidecar when the size agrees (files are only renamed into place once verified).
        Some(m) if r.sha256.is_none() && file_len(&entry.file) == Some(m.bytes) => {
            (m.sha256.clone(), m.bytes)
        }
        _ => sha256_file(&entry.file).map_err(io_error(&r.id, &entry.file, "cannot read the cached file"))?,
    };
    if let Some(expected) = &r.sha256
        && *expected != sha256
    {
        // Pinned after this file was cached: it no longer counts as the source.
        let kept = entry.mismatch_path();
        std::fs::rename(&entry.file, &kept).map_err(IoError::at(&entry.file)).map_err(io_error(
            &r.id,
            &entry.file,
            "cannot set the file aside",
        ))?;
        let _ = std::fs::remove_file(&entry.meta);
        return Err(FetchError::Sha256Mismatch {
            id: r.id.clone(),
            url: r.url.clone().unwrap_or_default(),
            expected: expected.clone(),
            got: sha256,
            kept,
        });
    }
    let extracted = ensure_extracted(r, &entry, meta.as_mut(), settings)?;
    Ok(Some(FetchedSource {
        id: r.id.clone(),
        vintage: r.vintage.clone(),
        url: meta.map(|m| m.url).or_else(|| r.url.clone()),
        path: entry.file,
        sha256: Some(sha256),
        bytes: Some(bytes),
        status: FetchStatus::Cached,
        extracted,
    }))
}

fn file_len(path: &Path) -> Option<u64> {
    std::fs::metadata(path).ok().map(|m| m.len())
}

/// Online: conditional download, verification, atomic rename, sidecar, extraction.
fn online_source(
    r: &ResolvedSource,
    opts: &FetchOptions,
    settings: &FetchSettings,
    downloader: &mut http::Downloader,
    mirror: Option<&reqwest::Url>,
) -> Result<FetchedSource, FetchError> {
    let original = r.url.clone().unwrap_or_default();
    let url = match mirror {
        Some(m) => apply_mirror(m, &original).map_err(|reason| FetchError::BadUrl {
            id: r.id.clone(),
            url: original.clone(),
            reason,
        })?,
        None => original,
    };
    let entry = CacheEntry::new(&opts.raw_dir, &r.id, &r.vintage, &r.filename);
    let exists = entry.file.is_file();
    let meta = if exists { entry.read_meta() } else { None };
    let done = |status, sha256: String, bytes: u64, extracted: Vec<PathBuf>| FetchedSource {
        id: r.id.clone(),
        vintage: r.vintage.clone(),
        url: Some(url.clone()),
        path: entry.file.clone(),
        sha256: Some(sha256),
        bytes: Some(bytes),
        status,
        extracted,
    };

    // A pinned file already in the cache cannot have changed: no request at all.
    if exists && let Some(pinned) = &r.sha256 {
        let (sha, bytes) =
            sha256_file(&entry.file).map_err(io_error(&r.id, &entry.file, "cannot read the cached file"))?;
        if sha == *pinned {
            let mut meta = meta;
            let extracted = ensure_extracted(r, &entry, meta.as_mut(), settings)?;
            return Ok(done(FetchStatus::Cached, sha, bytes, extracted));
        }
    }

    // Validators only for a cached file that is what its sidecar describes (and not pinned to other
    // content): otherwise a 304 would keep a file we do not trust.
    // Partial files of interrupted downloads: never complete, never reused.
    let stale_after = settings.net.read_timeout.saturating_mul(2).max(std::time::Duration::from_secs(600));
    entry.remove_stale_parts(stale_after);
    let validators = meta.as_ref().filter(|m| r.sha256.is_none() && file_len(&entry.file) == Some(m.bytes));
    let request = http::Request {
        id: &r.id,
        url: &url,
        dest: &entry.file,
        etag: validators.and_then(|m| m.etag.as_deref()),
        last_modified: validators.and_then(|m| m.last_modified.as_deref()),
        max_bytes: r.max_bytes,
        gzip_file: r.format.read.compression == Some(crate::io::read_options::Compression::Gzip)
            || r.filename.to_ascii_lowercase().ends_with(".gz"),
    };
    match downloader.download(&request)? {
        http::Outcome::NotModified { final_url } => {
            let Some(mut meta) = meta else {
                return Err(FetchError::HttpStatus { id: r.id.clone(), url, status: 304, attempts: 1 });
            };
            meta.final_url = final_url;
            meta.checked_at = Some(cache::now_rfc3339());
            let extracted = ensure_extracted(r, &entry, Some(&mut meta), settings)?;
            entry.write_meta(&meta).map_err(io_error(&r.id, &entry.meta, "cannot write the sidecar"))?;
            Ok(done(FetchStatus::NotModified, meta.sha256.clone(), meta.bytes, extracted))
        }
        http::Outcome::Body(body) => {
            if let Some(expected) = &r.sha256
                && *expected != body.sha256
            {
                let kept = entry.mismatch_path();
                persist_synced(body.temp, &kept).map_err(io_error(
                    &r.id,
                    &kept,
                    "cannot keep the download aside",
                ))?;
                return Err(FetchError::Sha256Mismatch {
                    id: r.id.clone(),
                    url,
                    expected: expected.clone(),
                    got: body.sha256,
                    kept,
                });
            }
            let checks = match &r.sha256 {
                Some(pinned) => content::ContentChecks {
                    checked: vec![format!("sha256 pinned in the catalogue: {pinned}")],
                    not_checked: Vec::new(),
                },
                None => {
                    let transfer = content::Transfer {
                        content_type: body.content_type.as_deref(),
                        content_encoding: body.content_encoding.as_deref(),
                        length_checked: body.length_checked,
                    };
                    match content::check(body.temp.path(), r, &transfer) {
                        Ok(c) => c,
                        Err(reason) => {
                            let aside = entry.rejected_path();
                            let _ = persist_synced(body.temp, &aside);
                            return Err(FetchError::NotTheFile {
                                id: r.id.clone(),
                                url,
                                reason: format!("{reason} (kept aside as {})", aside.display()),
                            });
                        }
                    }
                }
            };
            let now = cache::now_rfc3339();
            let same = exists
                && match &meta {
                    Some(m) if file_len(&entry.file) == Some(m.bytes) => m.sha256 == body.sha256,
                    _ => sha256_file(&entry.file).is_ok_and(|(sha, _)| sha == body.sha256),
                };
            let mut new_meta = CacheMeta {
                source: r.id.clone(),
                vintage: r.vintage.clone(),
                url: url.clone(),
                final_url: body.final_url.clone(),
                etag: body.etag.clone(),
                last_modified: body.last_modified.clone(),
                content_type: body.content_type.clone(),
                sha256: body.sha256.clone(),
                bytes: body.bytes,
                fetched_at: now.clone(),
                checked_at: Some(now),
                extracted: Vec::new(),
                content_encoding: body.content_encoding.clone(),
                checks: Some(checks),
            };
            if same {
                // Identical content: keep the cached file untouched, refresh the validators only.
                if let Some(old) = &meta {
                    new_meta.fetched_at = old.fetched_at.clone();
                    new_meta.extracted = old.extracted.clone();
                }
                drop(body.temp);
                let extracted = ensure_extracted(r, &entry, Some(&mut new_meta), settings)?;
                entry.write_meta(&new_meta).map_err(io_error(
                    &r.id,
                    &entry.meta,
                    "cannot write the sidecar",
                ))?;
                return Ok(done(FetchStatus::NotModified, body.sha256, body.bytes, extracted));
            }
            // Zip members are extracted from the temporary file first: a refused archive never
            // reaches its final name.
            let extracted = if is_zip(r) {
                match extract_members(r, &entry, body.temp.path(), settings) {
                    Ok(x) => x,
                    Err(e) => {
                        let aside = entry.rejected_path();
                        // Best effort: if even that fails, the temporary file is deleted on drop.
                        let _ = persist_synced(body.temp, &aside);
                        return Err(e);
                    }
                }
            } else {
                Vec::new()
            };
            persist_synced(body.temp, &entry.file).map_err(io_error(
                &r.id,
                &entry.file,
                "cannot move the download into place",
            ))?;
            new_meta.extracted = extracted_meta(&extracted);
            entry.write_meta(&new_meta).map_err(io_error(&r.id, &entry.meta, "cannot write the sidecar"))?;
            let paths = extracted.into_iter().map(|x| x.path).collect();
            Ok(done(FetchStatus::Downloaded, body.sha256, body.bytes, paths))
        }
    }
}

fn is_zip(r: &ResolvedSource) -> bool {
    r.format.kind == FormatKind::Zip
}

fn extract_members(
    r: &ResolvedSource,
    entry: &CacheEntry,
    archive: &Path,
    settings: &FetchSettings,
) -> Result<Vec<Extracted>, FetchError> {
    let protect = [entry.file.clone(), entry.meta.clone()];
    crate::io::archive::extract(archive, &entry.dir, &r.members(), &settings.extract, &protect)
        .map_err(|source| FetchError::Unzip { id: r.id.clone(), archive: entry.file.clone(), source })
}

fn extracted_meta(extracted: &[Extracted]) -> Vec<ExtractedMeta> {
    extracted
        .iter()
        .map(|x| ExtractedMeta {
            member: x.member.clone(),
            path: x.relative.to_string_lossy().replace('\\', "/"),
            sha256: x.sha256.clone(),
            bytes: x.bytes,
        })
        .collect()
}

/// Makes sure the members of a cached zip are present (re-extracting from the cached archive when one
/// is missing), updating `meta` when extraction happened. Returns their absolute paths.
fn ensure_extracted(
    r: &ResolvedSource,
    entry: &CacheEntry,
    meta: Option<&mut CacheMeta>,
    settings: &FetchSettings,
) -> Result<Vec<PathBuf>, FetchError> {
    if !is_zip(r) {
        return Ok(Vec::new());
    }
    let wanted = r.members();
    if let Some(m) = meta.as_deref()
        && !m.extracted.is_empty()
        && m.extracted.iter().all(|x| entry.dir.join(&x.path).is_file())
        && (wanted.is_empty() || wanted.len() == m.extracted.len())
    {
        return Ok(m.extracted.iter().map(|x| entry.dir.join(&x.path)).collect());
    }
    let extracted = match extract_members(r, entry, &entry.file, settings) {
        Ok(x) => x,
        Err(e) => {
            // A cached archive that is now refused must not keep looking usable.
            let _ = std::fs::rename(&entry.file, entry.rejected_path());
            let _ = std::fs::remove_file(&entry.meta);
            return Err(e);
        }
    };
    if let Some(m) = meta {
        m.extracted = extracted_meta(&extracted);
        entry.write_meta(m).map_err(io_error(&r.id, &entry.meta, "cannot write the sidecar"))?;
    }
    Ok(extracted.into_iter().map(|x| x.path).collect())
}
