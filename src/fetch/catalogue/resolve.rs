//! One source resolved for one run: the vintage chosen (default, override, or any vintage when the URL is
//! templated on `{vintage}`), the templates filled, the cache file name checked.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::schema::{Format, Source, UrlStatus};
use super::template::{TemplateError, is_safe_value, placeholders, render_template};
use crate::fetch::error::FetchError;

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
}

/// Last segment of a URL's path (query and fragment removed).
pub(super) fn last_segment(url: &str) -> &str {
    let no_query = url.split(['?', '#']).next().unwrap_or(url);
    let after_scheme = no_query.split_once("://").map_or(no_query, |(_, r)| r);
    match after_scheme.split_once('/') {
        Some((_, path)) => path.rsplit('/').next().unwrap_or(""),
        None => "",
    }
}

/// Why a rendered cache file name is unusable, if it is.
pub(super) fn filename_problem(name: &str) -> Option<&'static str> {
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

#[cfg(test)]
mod tests {
    use super::super::testing::{MINIMAL, vars};
    use super::super::validate::parse_catalogue;
    use super::*;

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
}
