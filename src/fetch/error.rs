//! Errors of the `fetch` stage. Every variant names the source, and where it applies the URL, the file
//! and the numbers that disagree (status code, expected vs got bytes or sha256), so that a user can act
//! without reading code. [`FetchError::is_network`] tells the CLI which failures are network failures.

use std::fmt;
use std::path::PathBuf;

use crate::io::archive::ArchiveError;

/// Boxed underlying error (reqwest or I/O), kept as the `source` of the chain.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What kind of network failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkKind {
    /// Connect or read timeout.
    Timeout,
    /// The connection could not be opened (refused, DNS, TLS).
    Connect,
    /// The connection broke (reset, closed before or during the response).
    Interrupted,
    /// Too many redirects or a redirect loop.
    Redirect,
    /// Anything else reported by the HTTP client.
    Other,
}

impl fmt::Display for NetworkKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NetworkKind::Timeout => "timed out",
            NetworkKind::Connect => "cannot connect",
            NetworkKind::Interrupted => "connection interrupted",
            NetworkKind::Redirect => "redirect error",
            NetworkKind::Other => "HTTP client error",
        })
    }
}

/// A source that `offline` mode could not find in the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingEntry {
    pub id: String,
    pub vintage: String,
    /// Where the cache file was expected.
    pub path: PathBuf,
}

impl fmt::Display for MissingEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (vintage {}): {} not found", self.id, self.vintage, self.path.display())
    }
}

/// Everything that can go wrong in `fetch`.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{}: cannot read the source catalogue: {source}", path.display())]
    CatalogueRead { path: PathBuf, source: std::io::Error },

    #[error("{}: the source catalogue is not valid TOML: {source}", path.display())]
    CatalogueParse { path: PathBuf, source: Box<toml::de::Error> },

    #[error("{}: {} problem(s) in the source catalogue:\n{}", path.display(), problems.len(), bullets(problems))]
    CatalogueInvalid { path: PathBuf, problems: Vec<String> },

    #[error("unknown source `{id}` (the catalogue has: {})", known.join(", "))]
    UnknownSource { id: String, known: Vec<String> },

    #[error("source `{id}`: no URL for vintage `{vintage}` (known vintages: {})", known.join(", "))]
    UnknownVintage { id: String, vintage: String, known: Vec<String> },

    #[error(
        "source `{id}`: `{template}` needs a value for {{{name}}} (pass it as a variable, e.g. {name}=...)"
    )]
    MissingVar { id: String, template: String, name: String },

    #[error("source `{id}`: `{template}`: {reason}")]
    BadTemplate { id: String, template: String, reason: String },

    #[error("variable {name} = {value:?} is not allowed: letters, digits, `_`, `-` and `.` only")]
    BadVar { name: String, value: String },

    #[error("mirror {mirror:?} is not usable: {reason}")]
    BadMirror { mirror: String, reason: String },

    #[error("source `{id}`: URL {url:?} is not usable: {reason}")]
    BadUrl { id: String, url: String, reason: String },

    #[error("cannot build the HTTP client: {source}")]
    Client { source: reqwest::Error },

    #[error("source `{id}`: GET {url} answered HTTP {status} (after {attempts} attempt(s))")]
    HttpStatus { id: String, url: String, status: u16, attempts: u32 },

    #[error(
        "source `{id}`: GET {url}: transfer too slow: {bytes} bytes in {seconds:.1} s, below the minimum of \
         {min_rate} bytes/s (after {attempts} attempt(s))"
    )]
    TooSlow { id: String, url: String, bytes: u64, seconds: f64, min_rate: u64, attempts: u32 },

    #[error(
        "source `{id}`: GET {url}: deadline of {seconds:.0} s for the download exceeded ({got} bytes received, \
         {attempts} attempt(s))"
    )]
    Deadline { id: String, url: String, seconds: f64, got: u64, attempts: u32 },

    #[error(
        "source `{id}`: GET {url} answered HTTP {status} with Retry-After: {retry_after} s, beyond the \
         download's deadline of {deadline:.0} s (after {attempts} attempt(s))"
    )]
    RetryBeyondDeadline {
        id: String,
        url: String,
        status: u16,
        retry_after: u64,
        deadline: f64,
        attempts: u32,
    },

    #[error(
        "source `{id}`: GET {url} redirected (HTTP {status}) to {location:?}, which is not an http(s) URL: \
         refused"
    )]
    BadRedirect { id: String, url: String, status: u16, location: String },

    #[error("source `{id}`: GET {url}: the content is not the file: {reason}")]
    NotTheFile { id: String, url: String, reason: String },

    #[error("source `{id}`: GET {url}: {kind} (after {attempts} attempt(s)): {source}")]
    Network { id: String, url: String, attempts: u32, kind: NetworkKind, source: BoxError },

    #[error(
        "source `{id}`: GET {url}: incomplete body: Content-Length said {expected} bytes, got {got} \
         (after {attempts} attempt(s))"
    )]
    Truncated { id: String, url: String, expected: u64, got: u64, attempts: u32 },

    #[error("source `{id}`: GET {url}: size cap exceeded: {} {seen} bytes > max_bytes = {max_bytes}",
        if *declared { "Content-Length announces" } else { "already received" })]
    TooLarge { id: String, url: String, max_bytes: u64, seen: u64, declared: bool },

    #[error(
        "source `{id}`: GET {url}: sha256 mismatch: the catalogue expects {expected}, the download is {got}; \
         kept aside as {}", kept.display()
    )]
    Sha256Mismatch { id: String, url: String, expected: String, got: String, kept: PathBuf },

    #[error("offline: {} source(s) missing from the cache (run fetch online first):\n{}", missing.len(), bullets(missing))]
    Offline { missing: Vec<MissingEntry> },

    #[error("source `{id}`: {}: {what}: {source}", path.display())]
    Io { id: String, path: PathBuf, what: &'static str, source: std::io::Error },

    #[error("source `{id}`: archive {} refused: {source}", archive.display())]
    Unzip { id: String, archive: PathBuf, source: ArchiveError },

    #[error("not fetched yet: run `fracture fetch --source {id}` ({} missing)", meta.display())]
    NotFetched { id: String, meta: PathBuf },

    #[error("member {member} was not extracted: run `fracture fetch --source {id}`")]
    NotExtracted { id: String, member: String },

    #[error("{} source(s) failed:\n{}", errors.len(), bullets(errors))]
    Several { errors: Vec<FetchError> },
}

impl FetchError {
    /// True for failures of the network or of the remote server (HTTP status, timeouts, broken
    /// connections, short bodies): the CLI maps them to exit code 4. For [`FetchError::Several`], true
    /// when every inner error is a network error.
    pub fn is_network(&self) -> bool {
        match self {
            FetchError::HttpStatus { .. }
            | FetchError::Network { .. }
            | FetchError::Truncated { .. }
            | FetchError::TooSlow { .. }
            | FetchError::Deadline { .. }
            | FetchError::RetryBeyondDeadline { .. }
            | FetchError::BadRedirect { .. }
            | FetchError::NotTheFile { .. } => true,
            FetchError::Several { errors } => !errors.is_empty() && errors.iter().all(FetchError::is_network),
            _ => false,
        }
    }

    /// Id of the source concerned, when the error is about one source.
    pub fn source_id(&self) -> Option<&str> {
        match self {
            FetchError::UnknownSource { id, .. }
            | FetchError::UnknownVintage { id, .. }
            | FetchError::MissingVar { id, .. }
            | FetchError::BadTemplate { id, .. }
            | FetchError::BadUrl { id, .. }
            | FetchError::HttpStatus { id, .. }
            | FetchError::Network { id, .. }
            | FetchError::Truncated { id, .. }
            | FetchError::TooSlow { id, .. }
            | FetchError::Deadline { id, .. }
            | FetchError::RetryBeyondDeadline { id, .. }
            | FetchError::BadRedirect { id, .. }
            | FetchError::NotTheFile { id, .. }
            | FetchError::TooLarge { id, .. }
            | FetchError::Sha256Mismatch { id, .. }
            | FetchError::Io { id, .. }
            | FetchError::Unzip { id, .. }
            | FetchError::NotFetched { id, .. }
            | FetchError::NotExtracted { id, .. } => Some(id),
            _ => None,
        }
    }

    /// One error for one problem, [`FetchError::Several`] for more.
    pub(crate) fn from_many(mut errors: Vec<FetchError>) -> Option<FetchError> {
        match errors.len() {
            0 => None,
            1 => errors.pop(),
            _ => Some(FetchError::Several { errors }),
        }
    }
}

fn bullets<T: fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(|i| format!("  - {}", i.to_string().replace('\n', "\n    ")))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16) -> FetchError {
        FetchError::HttpStatus { id: "s".into(), url: "https://h/f".into(), status: code, attempts: 1 }
    }

    #[test]
    fn network_errors_are_classified() {
        assert!(status(404).is_network());
        let truncated =
            FetchError::Truncated { id: "s".into(), url: "u".into(), expected: 10, got: 5, attempts: 3 };
        assert!(truncated.is_network());
        let sha = FetchError::Sha256Mismatch {
            id: "s".into(),
            url: "u".into(),
            expected: "a".into(),
            got: "b".into(),
            kept: PathBuf::from("f.sha256-mismatch"),
        };
        assert!(!sha.is_network());
        assert!(!FetchError::Offline { missing: vec![] }.is_network());
        assert!(FetchError::Several { errors: vec![status(500), status(503)] }.is_network());
        let mixed =
            FetchError::Several { errors: vec![status(500), FetchError::Offline { missing: vec![] }] };
        assert!(!mixed.is_network());
    }

    #[test]
    fn messages_name_source_url_and_numbers() {
        let e = FetchError::Truncated {
            id: "qpv2024".into(),
            url: "https://h/f".into(),
            expected: 1000,
            got: 500,
            attempts: 2,
        };
        let m = e.to_string();
        assert!(
            m.contains("qpv2024") && m.contains("https://h/f") && m.contains("1000") && m.contains("500"),
            "{m}"
        );
        let offline = FetchError::Offline {
            missing: vec![MissingEntry {
                id: "a".into(),
                vintage: "1".into(),
                path: PathBuf::from("raw/a/1/f"),
            }],
        };
        assert!(offline.to_string().contains("raw/a/1/f"), "{offline}");
        assert_eq!(status(404).source_id(), Some("s"));
    }
}
