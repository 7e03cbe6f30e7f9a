//! HTTP downloads: a blocking reqwest client (rustls) with connect and read timeouts, conditional
//! requests, retries with exponential backoff and jitter on timeouts, broken connections, 5xx and 429
//! (never on other 4xx; `Retry-After` honoured when it fits in the deadline), a size cap enforced on
//! `Content-Length` and while streaming, and a progress bar.
//!
//! Time is bounded three ways: `read_timeout` (no progress at all), `min_rate` (bytes per second over
//! `rate_window`: a server trickling 1 byte/s fails), and `deadline` for the whole download, attempts and
//! pauses included (checked after every read: overshot by at most `read_timeout`).
//!
//! The body is asked for without content encoding (`Accept-Encoding: identity`); a `Content-Encoding:
//! gzip` body is decoded (bounded: size cap and expansion ratio), except when the file itself is a gzip
//! file (the cache keeps it as published); any other encoding is refused. A redirect to a non-HTTP(S)
//! URL is reported as such.
//!
//! A body is streamed into a hidden temporary file of the cache folder while its SHA-256 is computed; the
//! caller decides whether to rename it into place. On any failure the temporary file is deleted.

use std::io::{self, IsTerminal, Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rand::{Rng, SeedableRng};
use reqwest::StatusCode;
use reqwest::blocking::Client;
use reqwest::header::{
    ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED,
    LOCATION, RETRY_AFTER,
};
use tempfile::NamedTempFile;

use super::error::{BoxError, FetchError, NetworkKind};
use crate::io::atomic;
use crate::io::bounded::{Counting, Guarded, InputError, InputLimits};
use crate::io::hash::StreamHash;

/// Network behaviour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetSettings {
    /// Time allowed to open a connection.
    pub connect_timeout: Duration,
    /// Time allowed without progress: waiting for the response head, and for each read of the body.
    pub read_timeout: Duration,
    /// Attempts per download (1 = no retry).
    pub max_attempts: u32,
    /// Backoff before the 2nd attempt; doubles each time, with jitter.
    pub backoff_initial: Duration,
    /// Longest pause between attempts (also caps `Retry-After`).
    pub backoff_max: Duration,
    /// Time allowed for one download, every attempt and pause included.
    pub deadline: Duration,
    /// Slowest accepted transfer, in bytes per second, averaged over `rate_window`.
    pub min_rate: u64,
    pub rate_window: Duration,
    /// Honour `HTTP(S)_PROXY` / `NO_PROXY` from the environment.
    pub system_proxy: bool,
    pub user_agent: String,
}

impl Default for NetSettings {
    fn default() -> Self {
        NetSettings {
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(60),
            max_attempts: 4,
            backoff_initial: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            // A national file of a few GB at a slow 1 MB/s.
            deadline: Duration::from_secs(2 * 3600),
            min_rate: 1024,
            rate_window: Duration::from_secs(60),
            system_proxy: true,
            user_agent: concat!("fracture/", env!("CARGO_PKG_VERSION"), " (open-data batch pipeline)")
                .to_string(),
        }
    }
}

/// One file to download.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub id: &'a str,
    pub url: &'a str,
    /// Any file of the destination folder (the temporary file is created beside it).
    pub dest: &'a Path,
    /// Validators from the previous download, sent as `If-None-Match` / `If-Modified-Since`.
    pub etag: Option<&'a str>,
    pub last_modified: Option<&'a str>,
    pub max_bytes: Option<u64>,
    /// The file itself is gzip-compressed (`.gz`): a `Content-Encoding: gzip` is then kept, not decoded.
    pub gzip_file: bool,
}

/// A complete body in a temporary file beside the destination.
#[derive(Debug)]
pub struct Body {
    pub temp: NamedTempFile,
    pub sha256: String,
    pub bytes: u64,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub content_type: Option<String>,
    /// `Content-Encoding` as sent, and what was done with it.
    pub content_encoding: Option<String>,
    /// Whether the body's end was checked against a `Content-Length` (else it ended when the connection
    /// closed, which a cut looks like).
    pub length_checked: bool,
    pub final_url: String,
}

/// What a download produced.
#[derive(Debug)]
pub enum Outcome {
    /// 304: the cached copy is current.
    NotModified {
        final_url: String,
    },
    Body(Body),
}

/// Why one attempt failed (before the number of attempts is known).
#[derive(Debug)]
enum AttemptError {
    Status {
        status: u16,
        retry_after: Option<Duration>,
    },
    Net {
        kind: NetworkKind,
        source: BoxError,
    },
    Truncated {
        expected: u64,
        got: u64,
    },
    TooLarge {
        max_bytes: u64,
        seen: u64,
        declared: bool,
    },
    Io {
        path: std::path::PathBuf,
        what: &'static str,
        source: io::Error,
    },
    /// Slower than `min_rate` over a whole window.
    TooSlow {
        bytes: u64,
        seconds: f64,
        min_rate: u64,
    },
    /// The download's deadline passed.
    Deadline {
        got: u64,
    },
    /// A redirect that was not followed (to a non-HTTP(S) URL).
    Redirect {
        status: u16,
        location: String,
    },
    /// The body is not the file (an encoding fracture does not decode, a body that does not decode).
    NotTheFile {
        reason: String,
    },
}

impl AttemptError {
    fn retryable(&self) -> bool {
        match self {
            AttemptError::Status { status, .. } => *status >= 500 || *status == 429,
            AttemptError::Net { kind, .. } => {
                matches!(kind, NetworkKind::Timeout | NetworkKind::Connect | NetworkKind::Interrupted)
            }
            AttemptError::Truncated { .. } | AttemptError::TooSlow { .. } => true,
            AttemptError::TooLarge { .. }
            | AttemptError::Io { .. }
            | AttemptError::Deadline { .. }
            | AttemptError::Redirect { .. }
            | AttemptError::NotTheFile { .. } => false,
        }
    }

    fn into_fetch_error(self, id: &str, url: &str, attempts: u32, deadline: Duration) -> FetchError {
        let (id, url) = (id.to_string(), url.to_string());
        match self {
            AttemptError::TooSlow { bytes, seconds, min_rate } => {
                FetchError::TooSlow { id, url, bytes, seconds, min_rate, attempts }
            }
            AttemptError::Deadline { got } => {
                FetchError::Deadline { id, url, seconds: deadline.as_secs_f64(), got, attempts }
            }
            AttemptError::Redirect { status, location } => {
                FetchError::BadRedirect { id, url, status, location }
            }
            AttemptError::NotTheFile { reason } => FetchError::NotTheFile { id, url, reason },
            AttemptError::Status { status, .. } => FetchError::HttpStatus { id, url, status, attempts },
            AttemptError::Net { kind, source } => FetchError::Network { id, url, attempts, kind, source },
            AttemptError::Truncated { expected, got } => {
                FetchError::Truncated { id, url, expected, got, attempts }
            }
            AttemptError::TooLarge { max_bytes, seen, declared } => {
                FetchError::TooLarge { id, url, max_bytes, seen, declared }
            }
            AttemptError::Io { path, what, source } => FetchError::Io { id, path, what, source },
        }
    }
}

/// A reusable downloader (one connection pool, one jitter generator).
pub struct Downloader {
    client: Client,
    settings: NetSettings,
    progress: bool,
    rng: rand_chacha::ChaCha8Rng,
}

impl Downloader {
    pub fn new(settings: &NetSettings, progress: bool) -> Result<Downloader, FetchError> {
        let mut builder = Client::builder()
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.read_timeout)
            .redirect(reqwest::redirect::Policy::custom(|attempt| {
                if !matches!(attempt.url().scheme(), "http" | "https") {
                    // Handed back as the 3xx response, reported with its `Location`.
                    attempt.stop()
                } else if attempt.previous().len() > 10 {
                    attempt.error("more than 10 redirects")
                } else {
                    attempt.follow()
                }
            }))
            .user_agent(settings.user_agent.clone());
        if !settings.system_proxy {
            builder = builder.no_proxy();
        }
        let client = builder.build().map_err(|source| FetchError::Client { source })?;
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
            ^ u64::from(std::process::id()).rotate_left(32);
        Ok(Downloader {
            client,
            settings: settings.clone(),
            progress,
            rng: rand_chacha::ChaCha8Rng::seed_from_u64(seed),
        })
    }

    /// Downloads with retries within the deadline; the error carries the number of attempts made.
    pub fn download(&mut self, req: &Request<'_>) -> Result<Outcome, FetchError> {
        let max_attempts = self.settings.max_attempts.max(1);
        let deadline = self.settings.deadline;
        let end = Instant::now() + deadline;
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.attempt(req, end) {
                Ok(outcome) => return Ok(outcome),
                Err(e) if e.retryable() && attempt < max_attempts => {
                    let hint = match &e {
                        AttemptError::Status { retry_after, .. } => *retry_after,
                        _ => None,
                    };
                    let pause = self.pause(attempt, hint);
                    let left = end.saturating_duration_since(Instant::now());
                    if pause >= left {
                        if let (Some(wait), AttemptError::Status { status, .. }) = (hint, &e) {
                            return Err(FetchError::RetryBeyondDeadline {
                                id: req.id.to_string(),
                                url: req.url.to_string(),
                                status: *status,
                                retry_after: wait.as_secs(),
                                deadline: deadline.as_secs_f64(),
                                attempts: attempt,
                            });
                        }
                        return Err(e.into_fetch_error(req.id, req.url, attempt, deadline));
                    }
                    std::thread::sleep(pause);
                }
                Err(e) => return Err(e.into_fetch_error(req.id, req.url, attempt, deadline)),
            }
        }
    }

    /// Pause after failed attempt `attempt` (1-based): exponential, capped, with "equal jitter"
    /// (uniform between half and all of the step) so that clients do not retry in lockstep.
    fn pause(&mut self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let step = backoff_step(&self.settings, attempt);
        let half = step / 2;
        let jitter = self.rng.random_range(0..=half.as_millis() as u64);
        let pause = half + Duration::from_millis(jitter);
        match retry_after {
            // The server said when: honoured (the caller gives up when it passes the deadline).
            Some(hint) => hint.max(pause),
            None => pause,
        }
    }

    fn attempt(&self, req: &Request<'_>, end: Instant) -> Result<Outcome, AttemptError> {
        if Instant::now() >= end {
            return Err(AttemptError::Deadline { got: 0 });
        }
        let mut rb = self.client.get(req.url).header(ACCEPT_ENCODING, "identity");
        if let Some(etag) = req.etag {
            rb = rb.header(IF_NONE_MATCH, etag);
        }
        if let Some(lm) = req.last_modified {
            rb = rb.header(IF_MODIFIED_SINCE, lm);
        }
        let resp = rb.send().map_err(classify_reqwest)?;
        let status = resp.status();
        let final_url = resp.url().to_string();
        let conditional = req.etag.is_some() || req.last_modified.is_some();
        if status == StatusCode::NOT_MODIFIED && conditional {
            return Ok(Outcome::NotModified { final_url });
        }
        if status.is_redirection()
            && let Some(location) = header(&resp, LOCATION)
        {
            return Err(AttemptError::Redirect { status: status.as_u16(), location });
        }
        if !matches!(status, StatusCode::OK | StatusCode::NON_AUTHORITATIVE_INFORMATION) {
            let retry_after = header(&resp, RETRY_AFTER).and_then(|v| parse_retry_after(&v));
            return Err(AttemptError::Status { status: status.as_u16(), retry_after });
        }
        let declared = resp.content_length();
        if let (Some(max), Some(len)) = (req.max_bytes, declared)
            && len > max
        {
            return Err(AttemptError::TooLarge { max_bytes: max, seen: len, declared: true });
        }
        let etag = header(&resp, ETAG);
        let last_modified = header(&resp, LAST_MODIFIED);
        let content_type = header(&resp, CONTENT_TYPE);
        let encoding = header(&resp, CONTENT_ENCODING).map(|e| e.trim().to_ascii_lowercase());
        let decode = match encoding.as_deref() {
            None | Some("") | Some("identity") => false,
            Some("gzip" | "x-gzip") => !req.gzip_file,
            Some(other) => {
                return Err(AttemptError::NotTheFile {
                    reason: format!(
                        "the body is sent with Content-Encoding: {other}, which fracture does not decode \
                         (it asked for identity): refused rather than cached encoded"
                    ),
                });
            }
        };

        let io_err = |what: &'static str, path: &Path| {
            let path = path.to_path_buf();
            move |source| AttemptError::Io { path, what, source }
        };
        let folder = req.dest.parent().unwrap_or_else(|| Path::new("."));
        std::fs::create_dir_all(folder).map_err(io_err("cannot create the cache folder", folder))?;
        let mut temp = atomic::temp_beside(req.dest)
            .map_err(|e| e.source)
            .map_err(io_err("cannot create a temporary file", req.dest))?;
        let bar = self.bar(req.id, declared);
        // Raw bytes (what Content-Length counts) are counted under any decoding.
        let (counting, raw) = Counting::new(resp);
        let mut reader: Box<dyn Read> = if decode {
            let limits = InputLimits::with_max_bytes(req.max_bytes);
            let decoder = flate2::read::MultiGzDecoder::new(counting);
            Box::new(Guarded::new(
                decoder,
                raw.clone(),
                limits.max_bytes,
                limits,
                req.dest,
                "the gzip-encoded body",
            ))
        } else {
            Box::new(counting)
        };
        let mut hash = StreamHash::new();
        let mut got = 0u64;
        let mut buf = vec![0u8; 1 << 16];
        let (rate_window, min_rate) = (self.settings.rate_window, self.settings.min_rate);
        let (mut window_start, mut window_raw) = (Instant::now(), 0u64);
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if InputError::is_refusal(&e) => {
                    bar.abandon();
                    return Err(AttemptError::NotTheFile { reason: e.to_string() });
                }
                Err(e) => {
                    bar.abandon();
                    let raw = raw.get();
                    return Err(match declared {
                        Some(expected) if raw < expected && !is_timeout_io(&e) => {
                            AttemptError::Truncated { expected, got: raw }
                        }
                        _ if decode && e.kind() != io::ErrorKind::TimedOut && !is_timeout_io(&e) => {
                            AttemptError::NotTheFile {
                                reason: format!("the gzip-encoded body does not decode: {e}"),
                            }
                        }
                        _ => AttemptError::Net { kind: classify_io(&e), source: Box::new(e) },
                    });
                }
            };
            got += n as u64;
            if let Some(max) = req.max_bytes
                && got > max
            {
                bar.abandon();
                return Err(AttemptError::TooLarge { max_bytes: max, seen: got, declared: false });
            }
            hash.update(&buf[..n]);
            temp.write_all(&buf[..n]).map_err(io_err("cannot write the temporary file", req.dest))?;
            bar.inc(n as u64);
            let now = Instant::now();
            if now >= end {
                bar.abandon();
                return Err(AttemptError::Deadline { got: raw.get() });
            }
            let elapsed = now.duration_since(window_start);
            if elapsed >= rate_window {
                let bytes = raw.get() - window_raw;
                let seconds = elapsed.as_secs_f64();
                if (bytes as f64) < min_rate as f64 * seconds {
                    bar.abandon();
                    return Err(AttemptError::TooSlow { bytes, seconds, min_rate });
                }
                (window_start, window_raw) = (now, raw.get());
            }
        }
        bar.finish_and_clear();
        let raw = raw.get();
        if let Some(expected) = declared
            && raw != expected
        {
            return Err(AttemptError::Truncated { expected, got: raw });
        }
        drop(reader);
        temp.flush().map_err(io_err("cannot write the temporary file", req.dest))?;
        let content_encoding = encoding
            .filter(|e| !e.is_empty() && e != "identity")
            .map(|e| if decode { format!("{e} (decoded)") } else { format!("{e} (kept: the file is gzip)") });
        Ok(Outcome::Body(Body {
            temp,
            sha256: hash.finish().0,
            bytes: got,
            etag,
            last_modified,
            content_type,
            content_encoding,
            length_checked: declared.is_some(),
            final_url,
        }))
    }

    /// A progress bar on stderr, hidden when disabled or when stderr is not a terminal.
    fn bar(&self, id: &str, len: Option<u64>) -> ProgressBar {
        if !self.progress || !io::stderr().is_terminal() {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(len, ProgressDrawTarget::stderr());
        let template = if len.is_some() {
            "{msg:20} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}"
        } else {
            "{msg:20} {spinner} {bytes} {bytes_per_sec}"
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(id.to_string());
        bar
    }
}

/// Un-jittered backoff step after failed attempt `attempt` (1-based).
fn backoff_step(settings: &NetSettings, attempt: u32) -> Duration {
    let factor = 1u32.checked_shl(attempt.saturating_sub(1)).unwrap_or(u32::MAX);
    settings.backoff_initial.saturating_mul(factor).min(settings.backoff_max)
}

/// `Retry-After` as seconds or as an HTTP date.
fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let secs = (when.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_seconds();
    Some(Duration::from_secs(u64::try_from(secs).unwrap_or(0)))
}

fn header(resp: &reqwest::blocking::Response, name: reqwest::header::HeaderName) -> Option<String> {
    resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
}

fn classify_reqwest(e: reqwest::Error) -> AttemptError {
    let kind = if e.is_timeout() {
        NetworkKind::Timeout
    } else if e.is_connect() {
        NetworkKind::Connect
    } else if e.is_redirect() {
        NetworkKind::Redirect
    } else if e.is_builder() {
        NetworkKind::Other
    } else {
        // Connection closed or reset before a complete response head.
        NetworkKind::Interrupted
    };
    AttemptError::Net { kind, source: Box::new(e) }
}

fn is_timeout_io(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::TimedOut
        || e.get_ref()
            .and_then(|inner| inner.downcast_ref::<reqwest::Error>())
            .is_some_and(|r| r.is_timeout())
}

fn classify_io(e: &io::Error) -> NetworkKind {
    if is_timeout_io(e) { NetworkKind::Timeout } else { NetworkKind::Interrupted }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let s = NetSettings {
            backoff_initial: Duration::from_millis(100),
            backoff_max: Duration::from_millis(350),
            ..NetSettings::default()
        };
        let steps: Vec<u128> = (1..=5).map(|a| backoff_step(&s, a).as_millis()).collect();
        assert_eq!(steps, vec![100, 200, 350, 350, 350]);
        assert_eq!(backoff_step(&s, 200).as_millis(), 350, "no overflow");
    }

    #[test]
    fn jittered_pause_stays_within_half_and_full_step() {
        let s = NetSettings {
            backoff_initial: Duration::from_millis(100),
            backoff_max: Duration::from_secs(1),
            ..NetSettings::default()
        };
        let mut d = Downloader::new(&s, false).expect("client");
        for attempt in 1..=4 {
            let step = backoff_step(&s, attempt);
            for _ in 0..50 {
                let p = d.pause(attempt, None);
                assert!(p >= step / 2 && p <= step, "attempt {attempt}: {p:?} vs {step:?}");
            }
        }
        assert_eq!(d.pause(1, Some(Duration::from_secs(5))), Duration::from_secs(5), "Retry-After honoured");
        assert_eq!(parse_retry_after(" 120 "), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn retry_policy_retries_transient_failures_only() {
        let status = |s| AttemptError::Status { status: s, retry_after: None };
        assert!(status(500).retryable() && status(503).retryable());
        assert!(status(429).retryable(), "429 Too Many Requests is retried (after Retry-After)");
        assert!(!status(404).retryable() && !status(403).retryable());
        assert!(AttemptError::TooSlow { bytes: 1, seconds: 60.0, min_rate: 1024 }.retryable());
        assert!(!AttemptError::Deadline { got: 0 }.retryable());
        assert!(AttemptError::Truncated { expected: 2, got: 1 }.retryable());
        assert!(!AttemptError::TooLarge { max_bytes: 1, seen: 2, declared: true }.retryable());
        let net = |kind| AttemptError::Net { kind, source: "x".into() };
        assert!(net(NetworkKind::Timeout).retryable() && net(NetworkKind::Interrupted).retryable());
        assert!(!net(NetworkKind::Redirect).retryable());
    }
}
