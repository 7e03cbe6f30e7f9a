//! Loading and validating the catalogue as a whole: every problem of every source is collected and
//! reported in one [`FetchError::CatalogueInvalid`], so that one run tells everything wrong with the file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path};

use super::resolve::last_segment;
use super::schema::{Catalogue, CatalogueFile, Format, FormatKind, Source, UrlStatus};
use super::template::{is_safe_value, placeholders, render_template};
use crate::fetch::error::FetchError;

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

fn is_sha256(h: &str) -> bool {
    h.len() == 64 && h.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
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
    use super::super::testing::{MINIMAL, project_file};
    use super::*;
    use serde::Deserialize;

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
    fn bad_reading_options_are_rejected() {
        let typo = MINIMAL.replace("separator = \";\"", "separator = \";\", decimals = \".\"");
        let err = parse_catalogue(&typo, Path::new("sources.toml")).expect_err("typo");
        assert!(
            matches!(err, FetchError::CatalogueParse { .. }) && err.to_string().contains("decimals"),
            "{err}"
        );
        let bad = MINIMAL.replace("separator = \";\"", "separator = \";\", decimal = \"·\"");
        let err = parse_catalogue(&bad, Path::new("sources.toml")).expect_err("bad decimal");
        assert!(err.to_string().contains("decimal") || err.to_string().contains("variant"), "{err}");
        let member = MINIMAL.replace("separator = \";\"", "separator = \";\", zip_member = \"a.csv\"");
        let err = parse_catalogue(&member, Path::new("sources.toml")).expect_err("zip_member");
        assert!(err.to_string().contains("`zip_member` is for a dataset's [formats]"), "{err}");
        let ok = parse_catalogue(MINIMAL, Path::new("sources.toml")).expect("valid");
        let read = &ok.sources[0].format.read;
        assert_eq!(
            (read.separator, read.compression),
            (Some(b';'), Some(crate::io::read_options::Compression::Gzip))
        );
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
            "insee_iris_households",
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
