//! The source catalogue (`data/sources.toml`): one `[[source]]` table per official source, loaded once,
//! validated as a whole (every problem reported together), then resolved per run into a concrete URL,
//! cache file name and format description.
//!
//! Templates: `url`, `filename` and `format.member` may hold `{name}` placeholders. `{vintage}` is always
//! defined (the requested vintage, else the source's default); any other name comes from the caller's
//! variables (e.g. `departement=67`). `{{` and `}}` stand for literal braces. Values substituted into a
//! template must be made of letters, digits, `_`, `-` and `.` only, so that a value can neither change the
//! shape of a URL nor escape the cache folder.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::error::FetchError;
pub use crate::io::read_options::{Compression, ReadOptions};

/// The catalogue file as written on disk.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    /// Format version of the catalogue itself (1).
    #[serde(default)]
    version: Option<u32>,
    #[serde(default, rename = "source")]
    sources: Vec<Source>,
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

/// A source resolved for one run: templates filled, vintage chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedSource {
    pub id: String,
    pub vintage: String,
    /// Download URL (downloadable sources).
    pub url: Option<String>,
    /// Local file (local sources), already joined to the catalogue's folder.
    pub path: Option<PathBuf>,
    pub url_status: Option<UrlStatus>,
    /// Cache file name.
    pub filename: String,
    /// Format with `member` / `extra_members` templates filled.
    pub format: Format,
    pub sha256: Option<String>,
    pub max_bytes: Option<u64>,
}

impl ResolvedSource {
    /// `raw_dir/<id>/<vintage>/<filename>`.
    pub fn cache_path(&self, raw_dir: &Path) -> PathBuf {
        raw_dir.join(&self.id).join(&self.vintage).join(&self.filename)
    }

    /// Members to extract when the download is a zip: empty = every entry.
    pub fn members(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(m) = &self.format.member {
            out.push(m.clone());
            out.extend(self.format.extra_members.iter().cloned());
        }
        out
    }
}

/// Loads and validates a catalogue; every problem found is reported in one error.
pub fn load_catalogue(path: &Path) -> Result<Catalogue, FetchError> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| FetchError::CatalogueRead { path: path.to_path_buf(), source })?;
    parse_catalogue(&text, path)
}

/// Parses and validates catalogue text (`path` is used for messages and relative local paths).
pub fn parse_catalogue(text: &str, path: &Path) -> Result<Catalogue, FetchError> {
    let file: CatalogueFile = toml::from_str(text).map_err(|source| FetchError::CatalogueParse {
        path: path.to_path_buf(),
        source: Box::new(source),
    })?;
    let mut problems = Vec::new();
    if let Some(v) = file.version
        && v != 1
    {
        problems.push(format!("version = {v}: only version 1 is understood"));
    }
    if file.sources.is_empty() {
        problems.push("no [[source]] table".to_string());
    }
    let mut seen = BTreeSet::new();
    for s in &file.sources {
        if !seen.insert(s.id.as_str()) {
            problems.push(format!("source `{}`: duplicate id", s.id));
        }
        problems.extend(s.problems().into_iter().map(|p| format!("source `{}`: {p}", s.id)));
    }
    if problems.is_empty() {
        Ok(Catalogue { path: path.to_path_buf(), sources: file.sources })
    } else {
        Err(FetchError::CatalogueInvalid { path: path.to_path_buf(), problems })
    }
}

impl Source {
    /// Every vintage this source can be fetched for: the default, the overrides, and `*` when the URL is
    /// templated on `{vintage}` (any vintage then works).
    pub fn known_vintages(&self) -> Vec<String> {
        let mut v: Vec<String> = std::iter::once(self.vintage.clone()).collect();
        v.extend(self.vintages.keys().filter(|k| **k != self.vintage).cloned());
        if self
            .url
            .as_deref()
            .is_some_and(|u| placeholders(u).is_ok_and(|p| p.iter().any(|n| n == "vintage")))
        {
            v.push("* (URL templated on {vintage})".to_string());
        }
        v
    }

    /// Resolves the source for `vintage` (default when `None`) with the caller's variables.
    pub fn resolve(
        &self,
        vintage: Option<&str>,
        vars: &BTreeMap<String, String>,
        base_dir: &Path,
    ) -> Result<ResolvedSource, FetchError> {
        let vintage = vintage.unwrap_or(&self.vintage).to_string();
        if !is_safe_value(&vintage) {
            return Err(FetchError::BadVar { name: "vintage".into(), value: vintage });
        }
        let over = self.vintages.get(&vintage);
        let url_template = over.and_then(|o| o.url.clone()).or_else(|| self.url.clone());
        if let Some(u) = &url_template
            && vintage != self.vintage
            && over.is_none()
            && !placeholders(u).is_ok_and(|p| p.iter().any(|n| n == "vintage"))
        {
            return Err(FetchError::UnknownVintage {
                id: self.id.clone(),
                vintage,
                known: self.known_vintages(),
            });
        }
        let mut all_vars = vars.clone();
        all_vars.insert("vintage".to_string(), vintage.clone());
        let fill = |template: &str| -> Result<String, FetchError> {
            render_template(template, &all_vars).map_err(|e| match e {
                TemplateError::Missing(name) => {
                    FetchError::MissingVar { id: self.id.clone(), template: template.to_string(), name }
                }
                other => FetchError::BadTemplate {
                    id: self.id.clone(),
                    template: template.to_string(),
                    reason: other.to_string(),
                },
            })
        };
        let url = url_template.as_deref().map(fill).transpose()?;
        let path = self.path.as_ref().map(|p| base_dir.join(p));
        let filename_template = over.and_then(|o| o.filename.clone()).or_else(|| self.filename.clone());
        let filename = match (&filename_template, &url, &path) {
            (Some(t), _, _) => fill(t)?,
            (None, Some(u), _) => last_segment(u).to_string(),
            (None, None, Some(p)) => {
                p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
            }
            (None, None, None) => String::new(),
        };
        if let Some(reason) = filename_problem(&filename) {
            return Err(FetchError::BadTemplate {
                id: self.id.clone(),
                template: filename_template.unwrap_or_else(|| "(last segment of the URL)".to_string()),
                reason: format!("cache file name {filename:?}: {reason}"),
            });
        }
        let mut format = over.and_then(|o| o.format.clone()).unwrap_or_else(|| self.format.clone());
        format.member = format.member.as_deref().map(fill).transpose()?;
        format.extra_members = format.extra_members.iter().map(|m| fill(m)).collect::<Result<_, _>>()?;
        Ok(ResolvedSource {
            id: self.id.clone(),
            vintage,
            url,
            path,
            url_status: over.and_then(|o| o.url_status).or(self.url_status),
            filename,
            format,
            sha256: over.and_then(|o| o.sha256.clone()).or_else(|| self.sha256.clone()),
            max_bytes: over.and_then(|o| o.max_bytes).or(self.max_bytes),
        })
    }

    /// Problems with this entry (empty = valid).
    fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        if self.id.is_empty()
            || !self.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            p.push("id must be non-empty and made of a-z, 0-9 and `_`".to_string());
        }
        if self.publisher.trim().is_empty() {
            p.push("publisher is empty".to_string());
        }
        if self.licence.trim().is_empty() {
            p.push("licence is empty".to_string());
        }
        if !is_safe_value(&self.vintage) {
            p.push(format!("vintage {:?}: letters, digits, `_`, `-`, `.` only", self.vintage));
        }
        match (&self.url, &self.path) {
            (Some(_), Some(_)) => p.push("has both `url` and `path`: choose one".to_string()),
            (None, None) => p.push("has neither `url` nor `path`".to_string()),
            (Some(url), None) => {
                p.extend(url_problems(url, "url"));
                if self.page.as_deref().is_none_or(|s| s.trim().is_empty()) {
                    p.push("`page` (dataset landing page) is required with `url`".to_string());
                }
                if self.max_bytes.is_none_or(|m| m == 0) {
                    p.push("`max_bytes` (size cap, > 0) is required with `url`".to_string());
                }
                match self.url_status {
                    None => {
                        p.push("`url_status` (confirmed/reported/inferred) is required with `url`".into())
                    }
                    Some(UrlStatus::Inferred) if self.note.as_deref().is_none_or(|n| n.trim().is_empty()) => {
                        p.push("`url_status = \"inferred\"` needs a `note` saying what is inferred".into())
                    }
                    Some(_) => {}
                }
                p.extend(collision_problems(url, self.filename.as_deref()));
            }
            (None, Some(path)) => {
                if path.is_absolute() {
                    p.push("`path` must be relative to the catalogue's folder".to_string());
                }
                if self.sha256.is_some() || self.max_bytes.is_some() || !self.vintages.is_empty() {
                    p.push("`sha256`, `max_bytes` and `vintages` only apply to downloadable sources".into());
                }
            }
        }
        if let Some(f) = &self.filename {
            p.extend(template_problems(f, "filename"));
        }
        if let Some(h) = &self.sha256
            && !is_sha256(h)
        {
            p.push(format!("sha256 {h:?} is not 64 lower-case hex digits"));
        }
        p.extend(format_problems(&self.format, "format"));
        for (v, o) in &self.vintages {
            let at = format!("vintages.{v}");
            if !is_safe_value(v) {
                p.push(format!("{at}: vintage key: letters, digits, `_`, `-`, `.` only"));
            }
            if self.url.is_none() {
                p.push(format!("{at}: vintage overrides need a downloadable source (`url`)"));
            }
            if let Some(u) = &o.url {
                p.extend(url_problems(u, &format!("{at}.url")));
                let filename = o.filename.as_deref().or(self.filename.as_deref());
                p.extend(collision_problems(u, filename).into_iter().map(|m| format!("{at}: {m}")));
            }
            if let Some(f) = &o.filename {
                p.extend(template_problems(f, &format!("{at}.filename")));
            }
            if let Some(f) = &o.format {
                p.extend(format_problems(f, &format!("{at}.format")));
            }
            if let Some(h) = &o.sha256
                && !is_sha256(h)
            {
                p.push(format!("{at}: sha256 {h:?} is not 64 lower-case hex digits"));
            }
            if o.max_bytes == Some(0) {
                p.push(format!("{at}: max_bytes must be > 0"));
            }
            let status = o.url_status.or(self.url_status);
            let note = o.note.as_deref().or(self.note.as_deref());
            if status == Some(UrlStatus::Inferred) && note.is_none_or(|n| n.trim().is_empty()) {
                p.push(format!("{at}: an inferred URL needs a `note`"));
            }
        }
        p
    }
}

/// Why a template cannot be rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateError {
    /// `{name}` has no value.
    Missing(String),
    /// A `{` without its `}` (or a lone `}`).
    Unbalanced,
    /// `{}` or a name that is not `[A-Za-z0-9_]+`.
    BadName(String),
    /// A value that could change the URL's shape or escape the cache folder.
    BadValue { name: String, value: String },
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TemplateError::Missing(n) => write!(f, "no value for {{{n}}}"),
            TemplateError::Unbalanced => {
                f.write_str("unbalanced `{` / `}` (write `{{` or `}}` for a literal brace)")
            }
            TemplateError::BadName(n) => write!(f, "placeholder {{{n}}}: names are letters, digits and `_`"),
            TemplateError::BadValue { name, value } => {
                write!(f, "{name} = {value:?}: values are letters, digits, `_`, `-`, `.` only")
            }
        }
    }
}

/// Fills `{name}` placeholders from `vars`.
///
/// ```
/// use std::collections::BTreeMap;
/// let vars = BTreeMap::from([("departement".to_string(), "67".to_string())]);
/// let url = fracture::fetch::render_template("https://h/base_imb_{departement}.csv.gz", &vars);
/// assert_eq!(url.as_deref(), Ok("https://h/base_imb_67.csv.gz"));
/// ```
pub fn render_template(template: &str, vars: &BTreeMap<String, String>) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(template.len());
    for piece in tokenize(template)? {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Brace(c) => out.push(c),
            Piece::Var(name) => {
                let value = vars.get(name).ok_or_else(|| TemplateError::Missing(name.to_string()))?;
                if !is_safe_value(value) {
                    return Err(TemplateError::BadValue { name: name.to_string(), value: value.clone() });
                }
                out.push_str(value);
            }
        }
    }
    Ok(out)
}

/// Names of the placeholders of a template, in order of first appearance.
pub fn placeholders(template: &str) -> Result<Vec<String>, TemplateError> {
    let mut names: Vec<String> = Vec::new();
    for piece in tokenize(template)? {
        if let Piece::Var(n) = piece
            && !names.iter().any(|x| x == n)
        {
            names.push(n.to_string());
        }
    }
    Ok(names)
}

enum Piece<'a> {
    Text(&'a str),
    Brace(char),
    Var(&'a str),
}

fn tokenize(template: &str) -> Result<Vec<Piece<'_>>, TemplateError> {
    let mut pieces = Vec::new();
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        if i > 0 {
            pieces.push(Piece::Text(&rest[..i]));
        }
        let tail = &rest[i..];
        if let Some(after) = tail.strip_prefix("{{") {
            pieces.push(Piece::Brace('{'));
            rest = after;
        } else if let Some(after) = tail.strip_prefix("}}") {
            pieces.push(Piece::Brace('}'));
            rest = after;
        } else if let Some(after) = tail.strip_prefix('{') {
            let end = after.find('}').ok_or(TemplateError::Unbalanced)?;
            let name = &after[..end];
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(TemplateError::BadName(name.to_string()));
            }
            pieces.push(Piece::Var(name));
            rest = &after[end + 1..];
        } else {
            return Err(TemplateError::Unbalanced);
        }
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest));
    }
    Ok(pieces)
}

/// A template value or vintage that cannot change a URL's shape nor a path: `[A-Za-z0-9_.-]+`, not `.`/`..`.
pub(crate) fn is_safe_value(v: &str) -> bool {
    !v.is_empty()
        && v != "."
        && v != ".."
        && v.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fn is_sha256(h: &str) -> bool {
    h.len() == 64 && h.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
}

/// Last segment of a URL's path (query and fragment removed).
fn last_segment(url: &str) -> &str {
    let no_query = url.split(['?', '#']).next().unwrap_or(url);
    let after_scheme = no_query.split_once("://").map_or(no_query, |(_, r)| r);
    match after_scheme.split_once('/') {
        Some((_, path)) => path.rsplit('/').next().unwrap_or(""),
        None => "",
    }
}

/// Why a rendered cache file name is unusable, if it is.
fn filename_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        return Some("empty (the URL has no file name: set `filename`)");
    }
    if name.starts_with('.') {
        return Some("must not start with `.` (reserved for temporary files)");
    }
    if name.contains(['/', '\\', '\0']) || name.chars().any(char::is_control) {
        return Some("must not contain `/`, `\\` or control characters");
    }
    for reserved in [".meta.json", ".part", ".sha256-mismatch", ".rejected"] {
        if name.ends_with(reserved) {
            return Some("ends with a suffix reserved for the cache's sidecar files");
        }
    }
    None
}

fn template_problems(template: &str, field: &str) -> Vec<String> {
    match placeholders(template) {
        Ok(_) => Vec::new(),
        Err(e) => vec![format!("{field} {template:?}: {e}")],
    }
}

fn url_problems(template: &str, field: &str) -> Vec<String> {
    let names = match placeholders(template) {
        Ok(n) => n,
        Err(e) => return vec![format!("{field} {template:?}: {e}")],
    };
    let dummy: BTreeMap<String, String> = names.into_iter().map(|n| (n, "x".to_string())).collect();
    let rendered = match render_template(template, &dummy) {
        Ok(r) => r,
        Err(e) => return vec![format!("{field} {template:?}: {e}")],
    };
    match reqwest::Url::parse(&rendered) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Vec::new(),
        Ok(u) => {
            vec![format!("{field} {template:?}: scheme `{}` or host not usable (http/https)", u.scheme())]
        }
        Err(e) => vec![format!("{field} {template:?}: not a URL: {e}")],
    }
}

/// Every variable of the URL (but `vintage`, which names the cache folder) must appear in the cache file
/// name, or downloads for different values would overwrite each other.
fn collision_problems(url: &str, filename: Option<&str>) -> Vec<String> {
    let Ok(url_vars) = placeholders(url) else { return Vec::new() };
    let name_template = filename.unwrap_or_else(|| last_segment(url));
    let Ok(name_vars) = placeholders(name_template) else { return Vec::new() };
    url_vars
        .into_iter()
        .filter(|v| v != "vintage" && !name_vars.contains(v))
        .map(|v| {
            format!(
                "the URL uses {{{v}}} but the cache file name {name_template:?} does not: \
                 set `filename` with {{{v}}} so that different values do not share one cache file"
            )
        })
        .collect()
}

fn member_problem(member: &str) -> Option<String> {
    let p = Path::new(member);
    if member.is_empty() || p.is_absolute() || member.starts_with(['/', '\\']) {
        return Some(format!("member {member:?} must be a relative path inside the archive"));
    }
    if p.components().any(|c| matches!(c, Component::ParentDir))
        || member.split(['/', '\\']).any(|c| c == "..")
    {
        return Some(format!("member {member:?} must not contain `..`"));
    }
    None
}

fn format_problems(f: &Format, field: &str) -> Vec<String> {
    let mut p = Vec::new();
    let is_zip = f.kind == FormatKind::Zip;
    if !is_zip && (f.member.is_some() || !f.extra_members.is_empty()) {
        p.push(format!("{field}: `member` and `extra_members` only apply to kind = \"zip\""));
    }
    if f.member_kind.is_some() && !matches!(f.kind, FormatKind::Zip | FormatKind::SevenZ) {
        p.push(format!("{field}: `member_kind` only applies to archives (zip, 7z)"));
    }
    if f.member.is_none() && !f.extra_members.is_empty() {
        p.push(format!("{field}: `extra_members` needs `member`"));
    }
    for m in f.member.iter().chain(&f.extra_members) {
        p.extend(template_problems(m, &format!("{field}.member")));
        if let Some(problem) = member_problem(m) {
            p.push(format!("{field}: {problem}"));
        }
    }
    if is_zip && f.read.compression.is_some() {
        p.push(format!("{field}: `compression` is for single compressed files, not zip archives"));
    }
    if f.read.header_line == Some(0) {
        p.push(format!("{field}: header_line is 1-based"));
    }
    if f.read.zip_member.is_some() {
        p.push(format!(
            "{field}: `zip_member` is for a dataset's [formats]; in the catalogue `member` names the file \
             of the archive"
        ));
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn project_file(rel: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
    }

    const MINIMAL: &str = r#"
[[source]]
id = "arcep"
publisher = "ARCEP"
page = "https://example.org/page"
url = "https://files.example.org/arcep/base_imb/{vintage}/departement/base_imb_{departement}.csv.gz"
url_status = "inferred"
note = "file name inferred"
licence = "etalab-2.0"
vintage = "2026_T2"
max_bytes = 1000
format = { kind = "csv", compression = "gzip", separator = ";" }
"#;

    #[test]
    fn template_fills_placeholders_and_escapes_braces() {
        let v = vars(&[("vintage", "2026_T2"), ("departement", "67")]);
        assert_eq!(render_template("a/{vintage}/b_{departement}", &v), Ok("a/2026_T2/b_67".to_string()));
        assert_eq!(render_template("{{literal}} {departement}", &v), Ok("{literal} 67".to_string()));
        assert_eq!(render_template("no placeholder", &v), Ok("no placeholder".to_string()));
    }

    #[test]
    fn template_reports_missing_unbalanced_and_unsafe() {
        let v = vars(&[("departement", "67/../x")]);
        assert_eq!(render_template("{vintage}", &v), Err(TemplateError::Missing("vintage".into())));
        assert_eq!(render_template("a{b", &v), Err(TemplateError::Unbalanced));
        assert_eq!(render_template("a}b", &v), Err(TemplateError::Unbalanced));
        assert_eq!(render_template("a{}b", &v), Err(TemplateError::BadName(String::new())));
        assert!(matches!(render_template("{departement}", &v), Err(TemplateError::BadValue { .. })));
        assert_eq!(placeholders("{a}/{b}/{a}"), Ok(vec!["a".to_string(), "b".to_string()]));
    }

    #[test]
    fn last_segment_ignores_query_and_host() {
        assert_eq!(last_segment("https://h/a/b.zip?x=1#f"), "b.zip");
        assert_eq!(last_segment("https://h"), "");
        assert_eq!(last_segment("https://h/api/1/datasets/r/942d"), "942d");
    }

    #[test]
    fn resolves_templated_source_for_any_vintage() {
        let cat = parse_catalogue(MINIMAL, Path::new("/x/sources.toml")).expect("valid");
        let s = cat.get("arcep").expect("arcep");
        let r =
            s.resolve(Some("2025_T3"), &vars(&[("departement", "67")]), cat.base_dir()).expect("resolves");
        assert_eq!(
            r.url.as_deref(),
            Some("https://files.example.org/arcep/base_imb/2025_T3/departement/base_imb_67.csv.gz")
        );
        assert_eq!(r.filename, "base_imb_67.csv.gz");
        assert_eq!(r.cache_path(Path::new("raw")), Path::new("raw/arcep/2025_T3/base_imb_67.csv.gz"));
        let err = s.resolve(None, &BTreeMap::new(), cat.base_dir()).expect_err("departement missing");
        assert!(matches!(err, FetchError::MissingVar { ref name, .. } if name == "departement"), "{err}");
    }

    #[test]
    fn vintage_overrides_replace_url_and_format() {
        let text = r#"
[[source]]
id = "pop"
publisher = "INSEE"
page = "https://example.org/p"
url = "https://example.org/fichier/2/pop-2021_csv.zip"
url_status = "reported"
licence = "etalab-2.0"
vintage = "2021"
max_bytes = 10
format = { kind = "zip", member = "pop-{vintage}.CSV", member_kind = "csv" }
[source.vintages.2017]
url = "https://example.org/fichier/1/pop-2017.zip"
url_status = "confirmed"
format = { kind = "zip", member = "pop-2017.xlsx", member_kind = "xlsx", sheet = "IRIS", header_line = 6 }
"#;
        let cat = parse_catalogue(text, Path::new("sources.toml")).expect("valid");
        let s = cat.get("pop").expect("pop");
        let d = s.resolve(None, &BTreeMap::new(), cat.base_dir()).expect("default");
        assert_eq!(d.format.member.as_deref(), Some("pop-2021.CSV"));
        assert_eq!(d.url_status, Some(UrlStatus::Reported));
        let old = s.resolve(Some("2017"), &BTreeMap::new(), cat.base_dir()).expect("2017");
        assert_eq!(old.url.as_deref(), Some("https://example.org/fichier/1/pop-2017.zip"));
        assert_eq!(old.format.read.header_line, Some(6));
        assert_eq!(old.url_status, Some(UrlStatus::Confirmed));
        let err = s.resolve(Some("2019"), &BTreeMap::new(), cat.base_dir()).expect_err("no 2019");
        assert!(matches!(err, FetchError::UnknownVintage { .. }), "{err}");
        assert!(err.to_string().contains("2017"), "{err}");
    }

    #[test]
    fn validation_reports_every_problem_at_once() {
        let text = r#"
[[source]]
id = "Bad-Id"
publisher = ""
url = "https://example.org/{departement}/data.csv"
path = "local.csv"
url_status = "inferred"
licence = ""
vintage = "../up"
sha256 = "ABC"
format = { kind = "csv", member = "x.csv", header_line = 0 }

[[source]]
id = "dup"
publisher = "P"
path = "a.csv"
licence = "x"
vintage = "1"
format = { kind = "csv" }

[[source]]
id = "dup"
publisher = "P"
url = "ftp://example.org/{departement}/a.csv"
url_status = "inferred"
licence = "x"
vintage = "1"
format = { kind = "csv" }
"#;
        let err = parse_catalogue(text, Path::new("sources.toml")).expect_err("invalid");
        let FetchError::CatalogueInvalid { problems, .. } = &err else { panic!("unexpected {err}") };
        let all = problems.join("\n");
        for needle in [
            "id must be",
            "publisher is empty",
            "licence is empty",
            "vintage \"../up\"",
            "both `url` and `path`",
            "sha256 \"ABC\"",
            "only apply to kind = \"zip\"",
            "header_line is 1-based",
            "duplicate id",
            "scheme `ftp`",
            "needs a `note`",
            "`max_bytes`",
            "`page`",
            "does not: set `filename`",
        ] {
            assert!(all.contains(needle), "missing {needle:?} in:\n{all}");
        }
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let text = MINIMAL.replace("licence =", "licenze = \"x\"\nlicence =");
        let err = parse_catalogue(&text, Path::new("sources.toml")).expect_err("typo");
        assert!(matches!(err, FetchError::CatalogueParse { .. }), "{err}");
    }

    #[test]
    fn project_catalogue_loads_and_every_source_is_described() {
        let cat = load_catalogue(&project_file("data/sources.toml")).expect("data/sources.toml is valid");
        assert!(cat.sources.len() >= 10);
        for s in &cat.sources {
            assert!(!s.id.is_empty() && !s.publisher.is_empty() && !s.licence.is_empty(), "{}", s.id);
            assert!(s.url.is_some() != s.path.is_some(), "{}: url xor path", s.id);
            if s.url.is_some() {
                assert!(s.max_bytes.is_some() && s.url_status.is_some() && s.page.is_some(), "{}", s.id);
                // Nothing can be pinned from a machine without internet access.
                assert!(s.sha256.is_none(), "{}: a sha256 pinned without downloading?", s.id);
            }
        }
        for id in [
            "qpv2024",
            "qpv2015",
            "iris_contours",
            "insee_iris_population",
            "insee_iris_diplomas",
            "insee_iris_activity",
            "insee_filosofi_iris",
            "arcep_buildings",
            "arcep_eligibility",
            "mednum_places",
            "attendance",
        ] {
            assert!(cat.get(id).is_some(), "catalogue lacks {id}");
        }
        let qpv = cat.get("qpv2024").expect("qpv2024").resolve(None, &BTreeMap::new(), cat.base_dir());
        let qpv = qpv.expect("qpv2024 resolves");
        assert_eq!(
            qpv.url.as_deref(),
            Some("https://www.data.gouv.fr/api/1/datasets/r/942d4ee8-8142-4556-8ea1-335537ce1119")
        );
        assert_eq!(
            qpv.format.member.as_deref(),
            Some("GEOJSON/QP2024_France_Hexagonale_Outre_Mer_WGS84.geojson")
        );
        let filo = cat.get("insee_filosofi_iris").expect("filosofi");
        let f2017 = filo.resolve(Some("2017"), &BTreeMap::new(), cat.base_dir()).expect("2017");
        assert_eq!(f2017.format.read.sheet.as_deref(), Some("IRIS_DISP"));
        assert_eq!(f2017.format.read.header_line, Some(6));
        assert_eq!(f2017.url_status, Some(UrlStatus::Confirmed));
    }

    #[test]
    fn strasbourg_dataset_uses_known_sources_that_resolve() {
        #[derive(Deserialize)]
        struct Selection {
            id: String,
            vintage: String,
        }
        #[derive(Deserialize)]
        struct Dataset {
            vars: BTreeMap<String, String>,
            sources: Vec<Selection>,
        }
        let cat = load_catalogue(&project_file("data/sources.toml")).expect("catalogue");
        let text =
            std::fs::read_to_string(project_file("data/datasets/strasbourg.toml")).expect("dataset file");
        let ds: Dataset = toml::from_str(&text).expect("dataset parses");
        assert_eq!(ds.vars.get("departement").map(String::as_str), Some("67"));
        for sel in &ds.sources {
            let s = cat.get(&sel.id).unwrap_or_else(|| panic!("unknown source {}", sel.id));
            let r = s.resolve(Some(&sel.vintage), &ds.vars, cat.base_dir());
            assert!(r.is_ok(), "{} {}: {:?}", sel.id, sel.vintage, r.err().map(|e| e.to_string()));
        }
    }
}
