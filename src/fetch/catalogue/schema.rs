//! The catalogue file as written on disk (`deny_unknown_fields` everywhere: a typo is an error), and the
//! loaded [`Catalogue`].

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use crate::io::read_options::{Compression, ReadOptions};

/// The catalogue file as written on disk.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CatalogueFile {
    /// Format version of the catalogue itself (1).
    #[serde(default)]
    pub version: Option<u32>,
    #[serde(default, rename = "source")]
    pub sources: Vec<Source>,
}

/// A loaded and validated catalogue.
#[derive(Debug, Clone)]
pub struct Catalogue {
    /// Where it was read from; relative `path`s of local sources are relative to its folder.
    pub path: PathBuf,
    pub sources: Vec<Source>,
}

impl Catalogue {
    /// The source with this id.
    pub fn get(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }

    /// Every id, in catalogue order.
    pub fn ids(&self) -> Vec<String> {
        self.sources.iter().map(|s| s.id.clone()).collect()
    }

    /// Folder that relative local `path`s are resolved against.
    pub fn base_dir(&self) -> &Path {
        self.path.parent().unwrap_or_else(|| Path::new("."))
    }
}

/// One `[[source]]` table.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Stable identifier, `[a-z0-9_]+`; also the cache folder name.
    pub id: String,
    #[serde(default)]
    pub title: Option<String>,
    pub publisher: String,
    /// Human landing page (dataset page), required for downloadable sources.
    #[serde(default)]
    pub page: Option<String>,
    /// Download URL template (exclusive with `path`).
    #[serde(default)]
    pub url: Option<String>,
    /// Local input (exclusive with `url`), relative to the catalogue's folder.
    #[serde(default)]
    pub path: Option<PathBuf>,
    /// Cache file name template; defaults to the last segment of the URL path.
    #[serde(default)]
    pub filename: Option<String>,
    pub format: Format,
    #[serde(default)]
    pub crs: Option<String>,
    /// SPDX-ish licence id, e.g. `etalab-2.0`.
    pub licence: String,
    /// Default vintage (cache sub-folder and `{vintage}` value).
    pub vintage: String,
    /// Pinned SHA-256 (lower-case hex) of the downloaded file.
    #[serde(default)]
    pub sha256: Option<String>,
    /// Size cap of the download in bytes (required for downloadable sources).
    #[serde(default)]
    pub max_bytes: Option<u64>,
    /// How sure we are of the URL (required for downloadable sources).
    #[serde(default)]
    pub url_status: Option<UrlStatus>,
    /// Provenance of the URL and caveats; required when `url_status = "inferred"`.
    #[serde(default)]
    pub note: Option<String>,
    /// Vintages whose URL or format differs from the default entry.
    #[serde(default)]
    pub vintages: BTreeMap<String, VintageOverride>,
}

/// Per-vintage replacement of some fields of a source.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct VintageOverride {
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub page: Option<String>,
    #[serde(default)]
    pub filename: Option<String>,
    /// Replaces the whole `format` table when present.
    #[serde(default)]
    pub format: Option<Format>,
    #[serde(default)]
    pub sha256: Option<String>,
    #[serde(default)]
    pub max_bytes: Option<u64>,
    #[serde(default)]
    pub url_status: Option<UrlStatus>,
    #[serde(default)]
    pub note: Option<String>,
}

/// What the file is (for `fetch`) and how to read it (for `ingest`, through [`ReadOptions`]).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Format {
    /// Kind of the downloaded file (`zip` for an archive).
    pub kind: FormatKind,
    /// File inside the archive that holds the data (only for `zip`); extracted alone when named.
    #[serde(default)]
    pub member: Option<String>,
    /// Companion files extracted with `member` (e.g. a shapefile's `.dbf`, `.shx`, `.prj`).
    #[serde(default)]
    pub extra_members: Vec<String>,
    /// Kind of `member`.
    #[serde(default)]
    pub member_kind: Option<FormatKind>,
    /// How `ingest` reads the file (or the extracted `member`): separator, header line, decimal mark,
    /// encoding, whole-file compression (of a non-archive download, kept compressed in the cache),
    /// sheet. Written in the same table.
    #[serde(flatten)]
    pub read: ReadOptions,
}

/// File kinds met in the official sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FormatKind {
    Geojson,
    Csv,
    Xlsx,
    Xls,
    Zip,
    /// 7-Zip archive (IGN): cached as downloaded, not extracted by `fetch`.
    #[serde(rename = "7z")]
    SevenZ,
    Shapefile,
    Gpkg,
}

impl fmt::Display for FormatKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FormatKind::Geojson => "geojson",
            FormatKind::Csv => "csv",
            FormatKind::Xlsx => "xlsx",
            FormatKind::Xls => "xls",
            FormatKind::Zip => "zip",
            FormatKind::SevenZ => "7z",
            FormatKind::Shapefile => "shapefile",
            FormatKind::Gpkg => "gpkg",
        })
    }
}

/// How the URL is known (same marks as `SOURCES.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UrlStatus {
    /// Seen in an official document or a real download catalogue.
    Confirmed,
    /// Used by third-party code that downloaded the real file.
    Reported,
    /// Our reasoning; to verify when online.
    Inferred,
}

impl fmt::Display for UrlStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UrlStatus::Confirmed => "confirmed",
            UrlStatus::Reported => "reported",
            UrlStatus::Inferred => "inferred",
        })
    }
}
