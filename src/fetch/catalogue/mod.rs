//! The source catalogue (`data/sources.toml`): one `[[source]]` table per official source, loaded once,
//! validated as a whole (every problem reported together), then resolved per run into a concrete URL,
//! cache file name and format description.
//!
//! - [`schema`]: the file as written: [`Source`], [`VintageOverride`], [`Format`] (whose reading part is
//!   [`ReadOptions`]), [`FormatKind`], [`UrlStatus`], and the loaded [`Catalogue`]
//! - [`validate`]: [`load_catalogue`] / [`parse_catalogue`], every problem of every source in one error
//! - [`resolve`]: one source for one run ([`Source::resolve`] → [`ResolvedSource`]): vintage, URL, cache
//!   file name, members
//! - [`template`]: the `{name}` placeholders of `url`, `filename` and `format.member`
//!
//! Templates: `{vintage}` is always defined (the requested vintage, else the source's default); any other
//! name comes from the caller's variables (e.g. `departement=67`). `{{` and `}}` stand for literal braces.
//! Values substituted into a template must be made of letters, digits, `_`, `-` and `.` only, so that a
//! value can neither change the shape of a URL nor escape the cache folder.

pub mod resolve;
pub mod schema;
pub mod template;
pub mod validate;

pub use resolve::ResolvedSource;
pub use schema::{
    Catalogue, Compression, Format, FormatKind, ReadOptions, Source, UrlStatus, VintageOverride,
};
pub(crate) use template::is_safe_value;
pub use template::{TemplateError, placeholders, render_template};
pub use validate::{load_catalogue, parse_catalogue};

/// Shared by the tests of the submodules.
#[cfg(test)]
pub(crate) mod testing {
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    pub fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    pub fn project_file(rel: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
    }

    pub const MINIMAL: &str = r#"
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
}
