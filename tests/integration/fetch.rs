//! `fetch` against the scripted local server: every case ends with either a correct cache entry or a
//! clear error, and never with a corrupt file under a final name.

use std::collections::BTreeMap;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use fracture::fetch::{
    ArchiveError, ExtractLimits, FetchError, FetchOptions, FetchSettings, FetchStatus, NetSettings,
    NetworkKind, fetch_with,
};
use sha2::{Digest, Sha256};

use crate::http_fixture::{Reply, Server};
use crate::support;

/// Short timeouts and backoff so that the whole module stays fast.
fn settings() -> FetchSettings {
    FetchSettings {
        net: NetSettings {
            connect_timeout: Duration::from_secs(2),
            read_timeout: Duration::from_secs(2),
            max_attempts: 3,
            backoff_initial: Duration::from_millis(10),
            backoff_max: Duration::from_millis(50),
            system_proxy: false,
            ..NetSettings::default()
        },
        extract: ExtractLimits::default(),
    }
}

/// A downloadable source table; `extra` adds or overrides lines (format, sha256, ...).
fn source(id: &str, url: &str, extra: &str) -> String {
    let format = if extra.contains("format") { "" } else { "format = { kind = \"csv\" }\n" };
    format!(
        "[[source]]\nid = \"{id}\"\npublisher = \"Test\"\npage = \"https://example.org/{id}\"\nurl = \"{url}\"\n\
         url_status = \"confirmed\"\nlicence = \"etalab-2.0\"\nvintage = \"2024\"\nmax_bytes = 100_000_000\n\
         {format}{extra}\n"
    )
}

struct Case {
    _dir: tempfile::TempDir,
    root: PathBuf,
    opts: FetchOptions,
}

impl Case {
    fn new(sources: &[String]) -> Case {
        let dir = support::workdir();
        let root = dir.path().to_path_buf();
        let catalogue = root.join("sources.toml");
        std::fs::write(&catalogue, sources.concat()).expect("write catalogue");
        let opts =
            FetchOptions { raw_dir: root.join("raw"), catalogue, progress: false, ..FetchOptions::default() };
        Case { _dir: dir, root, opts }
    }

    fn run(&self) -> Result<fracture::fetch::FetchReport, FetchError> {
        fetch_with(&self.opts, &settings())
    }

    fn run_with(&self, settings: &FetchSettings) -> Result<fracture::fetch::FetchReport, FetchError> {
        fetch_with(&self.opts, settings)
    }

    fn entry_dir(&self, id: &str) -> PathBuf {
        self.opts.raw_dir.join(id).join("2024")
    }

    /// Visible files under the cache folder of `id` (temporary files are hidden dotfiles).
    fn files(&self, id: &str) -> Vec<String> {
        let dir = self.entry_dir(id);
        let mut out = Vec::new();
        let mut stack = vec![dir.clone()];
        while let Some(d) = stack.pop() {
            let Ok(list) = std::fs::read_dir(&d) else { continue };
            for e in list {
                let p = e.expect("dir entry").path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    out.push(p.strip_prefix(&dir).expect("prefix").to_string_lossy().replace('\\', "/"));
                }
            }
        }
        out.sort();
        out
    }
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn body(n: usize) -> Vec<u8> {
    (0..n).map(|i| b"IRIS;P21_POP\n674820101;1234\n"[i % 28]).collect()
}

fn zip_bytes(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        w.start_file(*name, opts).expect("start file");
        w.write_all(data).expect("write entry");
    }
    w.finish().expect("finish zip").into_inner()
}

fn meta(path: &Path) -> serde_json::Value {
    let mut name = path.file_name().expect("file name").to_os_string();
    name.push(".meta.json");
    let text = std::fs::read_to_string(path.with_file_name(name)).expect("sidecar");
    serde_json::from_str(&text).expect("sidecar json")
}

#[test]
fn fetch_retries_503_then_caches_with_sidecar() {
    let server = Server::start();
    let data = body(5000);
    server.route(
        "/data.csv",
        vec![Reply::status(503), Reply::status(503), Reply::ok(data.clone()).etag("\"v1\"")],
    );
    let case = Case::new(&[source("s", &server.url("/data.csv"), "")]);

    let report = case.run().expect("fetch succeeds on the third attempt");
    assert_eq!(server.hits("/data.csv"), 3);
    let got = report.get("s").expect("report entry");
    assert_eq!(got.status, FetchStatus::Downloaded);
    assert_eq!(got.path, case.entry_dir("s").join("data.csv"));
    assert_eq!(std::fs::read(&got.path).expect("cached"), data);
    assert_eq!(got.sha256.as_deref(), Some(sha(&data).as_str()));
    assert_eq!(got.bytes, Some(5000));
    let m = meta(&got.path);
    assert_eq!(m["url"], server.url("/data.csv"));
    assert_eq!(m["etag"], "\"v1\"");
    assert_eq!(m["sha256"], sha(&data));
    assert_eq!(m["bytes"], 5000);
    assert!(m["fetched_at"].as_str().is_some_and(|t| t.ends_with('Z')));
    assert_eq!(case.files("s"), vec!["data.csv".to_string(), "data.csv.meta.json".to_string()]);
}

#[test]
fn fetch_gives_up_on_a_server_slower_than_the_timeout() {
    let server = Server::start();
    server.route("/slow.csv", vec![Reply::ok(body(100)).delay_body(Duration::from_secs(3))]);
    let case = Case::new(&[source("s", &server.url("/slow.csv"), "")]);
    let mut s = settings();
    s.net.read_timeout = Duration::from_millis(200);
    s.net.max_attempts = 2;

    let err = case.run_with(&s).expect_err("times out");
    assert!(matches!(err, FetchError::Network { kind: NetworkKind::Timeout, attempts: 2, .. }), "{err}");
    assert!(err.is_network());
    assert!(err.to_string().contains("/slow.csv"), "{err}");
    assert_eq!(server.hits("/slow.csv"), 2, "retried once");
    assert!(case.files("s").is_empty(), "{:?}", case.files("s"));
}

#[test]
fn fetch_reports_a_connection_dropped_mid_body_and_recovers_when_it_comes_back() {
    let server = Server::start();
    let data = body(50_000);
    server.route("/cut.csv", vec![Reply::ok(data.clone()).drop_after(20_000)]);
    let case = Case::new(&[source("s", &server.url("/cut.csv"), "")]);

    let err = case.run().expect_err("every attempt is cut");
    assert!(matches!(err, FetchError::Truncated { expected: 50_000, got: 20_000, attempts: 3, .. }), "{err}");
    assert!(err.is_network());
    assert_eq!(server.hits("/cut.csv"), 3);
    assert!(case.files("s").is_empty(), "{:?}", case.files("s"));

    server.route("/cut.csv", vec![Reply::ok(data.clone()).drop_after(10), Reply::ok(data.clone())]);
    let report = case.run().expect("second attempt completes");
    assert_eq!(report.sources[0].status, FetchStatus::Downloaded);
    assert_eq!(std::fs::read(&report.sources[0].path).expect("cached"), data);
}

#[test]
fn fetch_refuses_a_body_shorter_than_its_content_length() {
    let server = Server::start();
    server.route("/short.csv", vec![Reply::ok(body(500)).content_length(1000)]);
    let case = Case::new(&[source("s", &server.url("/short.csv"), "")]);

    let err = case.run().expect_err("short body");
    assert!(matches!(err, FetchError::Truncated { expected: 1000, got: 500, .. }), "{err}");
    assert!(err.to_string().contains("1000") && err.to_string().contains("500"), "{err}");
    assert!(case.files("s").is_empty(), "{:?}", case.files("s"));
}

#[test]
fn fetch_keeps_a_sha256_mismatch_aside_without_retrying() {
    let server = Server::start();
    let data = body(300);
    server.route("/pinned.csv", vec![Reply::ok(data.clone())]);
    let pinned = sha(b"what the catalogue expected");
    let case = Case::new(&[source("s", &server.url("/pinned.csv"), &format!("sha256 = \"{pinned}\""))]);

    let err = case.run().expect_err("mismatch");
    let FetchError::Sha256Mismatch { expected, got, kept, .. } = &err else { panic!("unexpected {err}") };
    assert_eq!(*expected, pinned);
    assert_eq!(*got, sha(&data));
    assert_eq!(kept, &case.entry_dir("s").join("pinned.csv.sha256-mismatch"));
    assert_eq!(std::fs::read(kept).expect("kept aside"), data);
    assert!(!err.is_network());
    assert_eq!(server.hits("/pinned.csv"), 1);
    assert_eq!(case.files("s"), vec!["pinned.csv.sha256-mismatch".to_string()]);
}

#[test]
fn fetch_does_not_retry_a_404() {
    let server = Server::start();
    server.route("/gone.csv", vec![Reply::status(404)]);
    let case = Case::new(&[source("s", &server.url("/gone.csv"), "")]);

    let err = case.run().expect_err("404");
    assert!(matches!(err, FetchError::HttpStatus { status: 404, attempts: 1, .. }), "{err}");
    assert!(err.is_network());
    assert_eq!(server.hits("/gone.csv"), 1, "exactly one request");
    assert!(case.files("s").is_empty());
}

#[test]
fn fetch_gives_up_after_max_attempts_of_5xx() {
    let server = Server::start();
    server.route("/down.csv", vec![Reply::status(500)]);
    let case = Case::new(&[source("s", &server.url("/down.csv"), "")]);

    let err = case.run().expect_err("500 forever");
    assert!(matches!(err, FetchError::HttpStatus { status: 500, attempts: 3, .. }), "{err}");
    assert_eq!(server.hits("/down.csv"), 3);
    assert!(case.files("s").is_empty());
}

#[test]
fn fetch_follows_a_redirect_like_data_gouv_resources() {
    let server = Server::start();
    let data = body(1000);
    server.route("/api/1/datasets/r/942d", vec![Reply::redirect(302, "/resources/qpv/file.csv")]);
    server.route("/resources/qpv/file.csv", vec![Reply::ok(data.clone())]);
    let case = Case::new(&[source("s", &server.url("/api/1/datasets/r/942d"), "filename = \"qpv.csv\"")]);

    let report = case.run().expect("redirect followed");
    let got = report.get("s").expect("entry");
    assert_eq!(got.path, case.entry_dir("s").join("qpv.csv"));
    assert_eq!(std::fs::read(&got.path).expect("cached"), data);
    assert_eq!(meta(&got.path)["final_url"], server.url("/resources/qpv/file.csv"));
    assert_eq!((server.hits("/api/1/datasets/r/942d"), server.hits("/resources/qpv/file.csv")), (1, 1));
}

#[test]
fn fetch_refresh_sends_validators_and_keeps_the_file_on_304() {
    let server = Server::start();
    let v1 = body(2000);
    server.route(
        "/iris.csv",
        vec![Reply::ok(v1.clone()).etag("\"v1\"").header("Last-Modified", "Tue, 01 Oct 2024 10:00:00 GMT")],
    );
    let case = Case::new(&[source("s", &server.url("/iris.csv"), "")]);
    let first = case.run().expect("first fetch");
    let path = first.sources[0].path.clone();
    let mtime = std::fs::metadata(&path).expect("stat").modified().expect("mtime");
    std::thread::sleep(Duration::from_millis(30));

    let second = case.run().expect("refresh");
    assert_eq!(second.sources[0].status, FetchStatus::NotModified);
    let requests = server.requests("/iris.csv");
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].header("If-None-Match"), None);
    assert_eq!(requests[1].header("If-None-Match"), Some("\"v1\""));
    assert_eq!(requests[1].header("If-Modified-Since"), Some("Tue, 01 Oct 2024 10:00:00 GMT"));
    assert_eq!(std::fs::metadata(&path).expect("stat").modified().expect("mtime"), mtime, "file untouched");
    assert_eq!(std::fs::read(&path).expect("cached"), v1);
    assert!(meta(&path)["checked_at"].is_string());

    // The server publishes new content: it replaces the cached file atomically.
    let v2 = body(2500);
    server.route("/iris.csv", vec![Reply::ok(v2.clone()).etag("\"v2\"")]);
    let third = case.run().expect("changed");
    assert_eq!(third.sources[0].status, FetchStatus::Downloaded);
    assert_eq!(std::fs::read(&path).expect("cached"), v2);
    assert_eq!(meta(&path)["etag"], "\"v2\"");
    assert_eq!(case.files("s"), vec!["iris.csv".to_string(), "iris.csv.meta.json".to_string()]);
}

#[test]
fn fetch_offline_uses_the_cache_and_lists_every_missing_source() {
    let server = Server::start();
    server.route("/a.csv", vec![Reply::ok(body(100))]);
    let mut case = Case::new(&[
        source("a", &server.url("/a.csv"), ""),
        source("b", &server.url("/b.csv"), ""),
        source("c", &server.url("/c.csv"), ""),
    ]);
    case.opts.sources = vec!["a".to_string()];
    case.run().expect("online fetch of a");
    let hits = server.all_requests().len();

    case.opts.offline = true;
    let report = case.run().expect("a is cached");
    assert_eq!(report.sources[0].status, FetchStatus::Cached);
    assert_eq!(report.sources[0].bytes, Some(100));

    case.opts.sources = Vec::new();
    let err = case.run().expect_err("b and c are missing");
    let FetchError::Offline { missing } = &err else { panic!("unexpected {err}") };
    let ids: Vec<&str> = missing.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, vec!["b", "c"]);
    let text = err.to_string();
    assert!(text.contains("b (vintage 2024)") && text.contains("c (vintage 2024)"), "{text}");
    assert_eq!(server.all_requests().len(), hits, "offline never touches the network");
}

#[test]
fn fetch_enforces_the_size_cap_on_content_length_and_while_streaming() {
    let server = Server::start();
    server.route("/big.csv", vec![Reply::ok(body(5000))]);
    server.route("/big-stream.csv", vec![Reply::ok(body(5000)).no_content_length()]);
    let mut case = Case::new(&[
        source("s", &server.url("/big.csv"), "").replace("max_bytes = 100_000_000", "max_bytes = 1000"),
        source("t", &server.url("/big-stream.csv"), "")
            .replace("max_bytes = 100_000_000", "max_bytes = 1000"),
    ]);

    case.opts.sources = vec!["s".to_string()];
    let err = case.run().expect_err("declared too large");
    assert!(matches!(err, FetchError::TooLarge { max_bytes: 1000, seen: 5000, declared: true, .. }), "{err}");
    assert_eq!(server.hits("/big.csv"), 1, "no retry");

    case.opts.sources = vec!["t".to_string()];
    let err = case.run().expect_err("streamed too large");
    assert!(matches!(err, FetchError::TooLarge { max_bytes: 1000, declared: false, .. }), "{err}");
    assert_eq!(server.hits("/big-stream.csv"), 1, "no retry");
    assert!(case.files("s").is_empty() && case.files("t").is_empty());
}

#[test]
fn fetch_refuses_a_zip_with_a_traversal_entry() {
    let server = Server::start();
    let zip = zip_bytes(&[("data.csv", b"a;b\n"), ("../evil", b"owned")]);
    server.route("/evil.zip", vec![Reply::ok(zip.clone())]);
    let format = "format = { kind = \"zip\", member = \"data.csv\" }";
    let case = Case::new(&[source("s", &server.url("/evil.zip"), format)]);

    let err = case.run().expect_err("refused");
    assert!(
        matches!(&err, FetchError::Unzip { source: ArchiveError::Traversal { name }, .. } if name == "../evil"),
        "{err}"
    );
    assert!(!case.entry_dir("s").join("../evil").exists() && !case.root.join("evil").exists());
    assert_eq!(case.files("s"), vec!["evil.zip.rejected".to_string()], "no complete-looking entry");
}

#[test]
fn fetch_refuses_a_zip_bomb() {
    let server = Server::start();
    let zip = zip_bytes(&[("base-ic.csv", &vec![b'0'; 20 << 20])]);
    assert!(zip.len() < 200_000, "the fixture compresses well: {}", zip.len());
    server.route("/bomb.zip", vec![Reply::ok(zip)]);
    let case = Case::new(&[source("s", &server.url("/bomb.zip"), "format = { kind = \"zip\" }")]);

    let err = case.run().expect_err("bomb");
    assert!(matches!(&err, FetchError::Unzip { source: ArchiveError::Ratio { .. }, .. }), "{err}");
    assert_eq!(case.files("s"), vec!["bomb.zip.rejected".to_string()]);
}

#[test]
fn fetch_extracts_only_the_named_member() {
    let server = Server::start();
    let geojson = br#"{"type":"FeatureCollection","features":[]}"#;
    let zip = zip_bytes(&[
        ("GEOJSON/QP2024_France_Hexagonale_Outre_Mer_WGS84.geojson", geojson),
        ("SHP/QP2024_France_hexagonale_LB93.shp", b"shape"),
    ]);
    server.route("/api/1/datasets/r/942d4ee8-8142-4556-8ea1-335537ce1119", vec![Reply::ok(zip.clone())]);
    let extra = "filename = \"QP2024.zip\"\nformat = { kind = \"zip\", member = \
                 \"GEOJSON/QP2024_France_Hexagonale_Outre_Mer_WGS84.geojson\", member_kind = \"geojson\" }";
    // The catalogue names the REAL URL; --mirror sends the same path and query to the local server.
    let mut case = Case::new(&[source(
        "qpv2024",
        "https://www.data.gouv.fr/api/1/datasets/r/942d4ee8-8142-4556-8ea1-335537ce1119",
        extra,
    )]);
    case.opts.mirror = Some(server.base());

    let report = case.run().expect("zip fetched and extracted");
    let got = report.get("qpv2024").expect("entry");
    let member = case.entry_dir("qpv2024").join("GEOJSON/QP2024_France_Hexagonale_Outre_Mer_WGS84.geojson");
    assert_eq!(got.extracted, vec![member.clone()]);
    assert_eq!(std::fs::read(&member).expect("member"), geojson);
    assert_eq!(std::fs::read(&got.path).expect("archive"), zip);
    assert_eq!(
        case.files("qpv2024"),
        vec![
            "GEOJSON/QP2024_France_Hexagonale_Outre_Mer_WGS84.geojson".to_string(),
            "QP2024.zip".to_string(),
            "QP2024.zip.meta.json".to_string(),
        ]
    );
    assert_eq!(meta(&got.path)["extracted"][0]["sha256"], sha(geojson));

    // Offline, a deleted member is extracted again from the cached archive.
    std::fs::remove_file(&member).expect("remove member");
    case.opts.offline = true;
    let report = case.run().expect("offline");
    assert_eq!(report.sources[0].status, FetchStatus::Cached);
    assert_eq!(std::fs::read(&member).expect("member back"), geojson);
}

#[test]
fn fetch_resolves_templates_and_reports_unknown_sources_before_any_request() {
    let server = Server::start();
    // A `.csv.gz` source must be gzip (checked when no sha256 is pinned).
    server.route("/base_imb/2026_T2/departement/base_imb_67.csv.gz", vec![Reply::ok(gzip(&body(100)))]);
    let url = server.url("/base_imb/{vintage}/departement/base_imb_{departement}.csv.gz");
    let mut case =
        Case::new(&[source("arcep", &url, "").replace("vintage = \"2024\"", "vintage = \"2026_T2\"")]);

    case.opts.sources = vec!["arcep".to_string(), "nope".to_string()];
    let err = case.run().expect_err("unknown source");
    assert!(matches!(&err, FetchError::UnknownSource { id, .. } if id == "nope"), "{err}");

    case.opts.sources = vec!["arcep".to_string()];
    let err = case.run().expect_err("missing variable");
    assert!(matches!(&err, FetchError::MissingVar { name, .. } if name == "departement"), "{err}");
    assert!(server.all_requests().is_empty(), "nothing requested before resolution succeeds");

    case.opts.vars = BTreeMap::from([("departement".to_string(), "67".to_string())]);
    let report = case.run().expect("templated fetch");
    assert_eq!(
        report.sources[0].path,
        case.opts.raw_dir.join("arcep/2026_T2/base_imb_67.csv.gz"),
        "cache layout <source>/<vintage>/<filename>"
    );
}

#[test]
fn fetch_verifies_a_pinned_sha256_and_then_trusts_the_cache() {
    let server = Server::start();
    let data = body(700);
    server.route("/pinned.csv", vec![Reply::ok(data.clone())]);
    let case = Case::new(&[source("s", &server.url("/pinned.csv"), &format!("sha256 = \"{}\"", sha(&data)))]);

    let first = case.run().expect("matching download");
    assert_eq!(first.sources[0].status, FetchStatus::Downloaded);
    let second = case.run().expect("pinned and cached");
    assert_eq!(second.sources[0].status, FetchStatus::Cached);
    assert_eq!(server.hits("/pinned.csv"), 1, "a pinned file in the cache is not requested again");
}

#[test]
fn fetch_tries_every_source_and_reports_all_failures_together() {
    let server = Server::start();
    server.route("/ok.csv", vec![Reply::ok(body(10))]);
    server.route("/missing.csv", vec![Reply::status(404)]);
    server.route("/broken.csv", vec![Reply::status(502)]);
    let case = Case::new(&[
        source("a", &server.url("/missing.csv"), ""),
        source("b", &server.url("/ok.csv"), ""),
        source("c", &server.url("/broken.csv"), ""),
    ]);

    let err = case.run().expect_err("two failures");
    let FetchError::Several { errors } = &err else { panic!("unexpected {err}") };
    let ids: Vec<Option<&str>> = errors.iter().map(FetchError::source_id).collect();
    assert_eq!(ids, vec![Some("a"), Some("c")]);
    assert!(err.is_network(), "both are network errors: exit code 4");
    assert_eq!(case.files("b"), vec!["ok.csv".to_string(), "ok.csv.meta.json".to_string()], "b still cached");
    let text = err.to_string();
    assert!(text.contains("HTTP 404") && text.contains("HTTP 502"), "{text}");
}

// ---- hardening: time bounds, stale partial files, 429, redirects, content checks without a sha256

/// Visible and hidden files of a cache folder (temporary files are dotfiles).
fn all_files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| rd.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).expect("gzip");
    enc.finish().expect("gzip")
}

#[test]
fn fetch_fails_a_trickling_server_saying_the_transfer_is_too_slow() {
    let server = Server::start();
    server.route("/trickle.csv", vec![Reply::ok(body(1000)).trickle(1, Duration::from_millis(100))]);
    let case = Case::new(&[source("s", &server.url("/trickle.csv"), "")]);
    let mut s = settings();
    s.net.min_rate = 100;
    s.net.rate_window = Duration::from_millis(600);
    s.net.max_attempts = 2;
    s.net.deadline = Duration::from_secs(20);
    let t = std::time::Instant::now();
    let err = case.run_with(&s).expect_err("too slow");
    assert!(matches!(err, FetchError::TooSlow { min_rate: 100, attempts: 2, .. }), "{err}");
    let text = err.to_string();
    assert!(text.contains("too slow") && text.contains("minimum of 100 bytes/s"), "{text}");
    assert!(err.is_network());
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    assert!(case.files("s").is_empty(), "{:?}", case.files("s"));
}

#[test]
fn fetch_stops_at_the_overall_deadline_even_when_bytes_keep_coming() {
    let server = Server::start();
    // 10 KB/s: above the minimum rate, but 100 KB would take 10 s.
    server.route("/long.csv", vec![Reply::ok(body(100_000)).trickle(1000, Duration::from_millis(100))]);
    let case = Case::new(&[source("s", &server.url("/long.csv"), "")]);
    let mut s = settings();
    s.net.min_rate = 100;
    s.net.deadline = Duration::from_secs(1);
    let t = std::time::Instant::now();
    let err = case.run_with(&s).expect_err("deadline");
    assert!(matches!(err, FetchError::Deadline { attempts: 1, .. }), "{err}");
    assert!(err.to_string().contains("deadline of 1 s"), "{err}");
    assert!(t.elapsed() < Duration::from_secs(4), "{:?}", t.elapsed());
    assert_eq!(all_files(&case.entry_dir("s")), Vec::<String>::new(), "no partial file left");
}

#[test]
fn fetch_removes_stale_partial_files_of_interrupted_downloads() {
    let server = Server::start();
    server.route("/data.csv", vec![Reply::ok(body(500))]);
    let case = Case::new(&[source("s", &server.url("/data.csv"), "")]);
    let dir = case.entry_dir("s");
    std::fs::create_dir_all(dir.join("sub")).expect("mkdir");
    let old = std::time::SystemTime::now() - Duration::from_secs(24 * 3600);
    for stale in [".data.csv.aB3x.part", "sub/.member.csv.Zz9.part"] {
        let f = std::fs::File::create(dir.join(stale)).expect("create");
        f.set_modified(old).expect("age it");
    }
    std::fs::write(dir.join(".data.csv.live.part"), b"being written").expect("fresh");
    case.run().expect("fetch");
    assert_eq!(
        all_files(&dir),
        vec![".data.csv.live.part", "data.csv", "data.csv.meta.json", "sub"],
        "stale partial files removed, a fresh one (another fetch writing) kept"
    );
    assert_eq!(all_files(&dir.join("sub")), Vec::<String>::new());
}

#[test]
fn fetch_retries_a_429_after_its_retry_after_within_the_deadline() {
    let server = Server::start();
    let data = body(300);
    server.route("/busy.csv", vec![Reply::status(429).header("Retry-After", "1"), Reply::ok(data.clone())]);
    let case = Case::new(&[source("s", &server.url("/busy.csv"), "")]);
    let t = std::time::Instant::now();
    let report = case.run().expect("second attempt after Retry-After");
    assert!(t.elapsed() >= Duration::from_millis(950), "waited as asked: {:?}", t.elapsed());
    assert_eq!(server.hits("/busy.csv"), 2);
    assert_eq!(std::fs::read(&report.sources[0].path).expect("cached"), data);

    // A Retry-After beyond the deadline: given up at once, saying why.
    server.route("/later.csv", vec![Reply::status(429).header("Retry-After", "3600")]);
    let case = Case::new(&[source("s", &server.url("/later.csv"), "")]);
    let mut s = settings();
    s.net.deadline = Duration::from_secs(5);
    let t = std::time::Instant::now();
    let err = case.run_with(&s).expect_err("beyond the deadline");
    assert!(matches!(err, FetchError::RetryBeyondDeadline { status: 429, retry_after: 3600, .. }), "{err}");
    assert!(err.to_string().contains("Retry-After: 3600 s"), "{err}");
    assert!(t.elapsed() < Duration::from_secs(2));
    assert_eq!(server.hits("/later.csv"), 1);
}

#[test]
fn fetch_reports_a_redirect_to_a_non_http_scheme_as_such() {
    let server = Server::start();
    server.route("/moved.csv", vec![Reply::redirect(302, "ftp://files.example.org/data.csv")]);
    server.route("/local.csv", vec![Reply::redirect(301, "file:///etc/passwd")]);
    for (target, location) in
        [("/moved.csv", "ftp://files.example.org/data.csv"), ("/local.csv", "file:///etc/passwd")]
    {
        let case = Case::new(&[source("s", &server.url(target), "")]);
        let err = case.run().expect_err("refused");
        let text = err.to_string();
        assert!(matches!(err, FetchError::BadRedirect { .. }), "{text}");
        assert!(text.contains(location) && text.contains("not an http(s) URL"), "{text}");
        assert!(!text.contains("answered HTTP"), "{text}");
        assert!(case.files("s").is_empty());
    }
}

#[test]
fn fetch_refuses_an_html_error_page_served_with_200_for_a_csv_source() {
    let server = Server::start();
    let page = "<!DOCTYPE html>\n<html><head><title>Maintenance</title></head><body>Service indisponible</body></html>";
    server.route("/iris.csv", vec![Reply::ok(page).header("Content-Type", "text/html; charset=utf-8")]);
    let case = Case::new(&[source("s", &server.url("/iris.csv"), "")]);
    let err = case.run().expect_err("not the file");
    let text = err.to_string();
    assert!(matches!(err, FetchError::NotTheFile { .. }), "{text}");
    assert!(text.contains("HTML page") && text.contains("csv file was expected"), "{text}");
    assert_eq!(
        case.files("s"),
        vec!["iris.csv.rejected".to_string()],
        "kept aside, never under the final name"
    );
}

#[test]
fn fetch_decodes_a_gzip_content_encoding_keeps_a_gzip_file_and_refuses_other_encodings() {
    let server = Server::start();
    let csv = body(4000);
    server.route("/enc.csv", vec![Reply::ok(gzip(&csv)).header("Content-Encoding", "gzip")]);
    server.route("/file.csv.gz", vec![Reply::ok(gzip(&csv)).header("Content-Encoding", "gzip")]);
    server.route("/br.csv", vec![Reply::ok(csv.clone()).header("Content-Encoding", "br")]);
    let mut case = Case::new(&[
        source("a", &server.url("/enc.csv"), ""),
        source("b", &server.url("/file.csv.gz"), ""),
        source("c", &server.url("/br.csv"), ""),
    ]);
    case.opts.sources = vec!["a".into(), "b".into()];
    let report = case.run().expect("a decoded, b kept");
    let a = report.get("a").expect("a");
    assert_eq!(std::fs::read(&a.path).expect("a"), csv, "decoded, not stored raw");
    let m = meta(&a.path);
    assert_eq!(m["content_encoding"], "gzip (decoded)");
    let checked = m["checks"]["checked"].to_string();
    assert!(
        checked.contains("not an HTML page") && checked.contains("CSV: a header of 2 fields"),
        "{checked}"
    );
    let b = report.get("b").expect("b");
    assert_eq!(std::fs::read(&b.path).expect("b"), gzip(&csv), "a .gz file is kept as published");
    assert!(meta(&b.path)["checks"]["checked"].to_string().contains("gzip: the stream decompresses"));

    case.opts.sources = vec!["c".into()];
    let err = case.run().expect_err("br");
    assert!(err.to_string().contains("Content-Encoding: br"), "{err}");
}

#[test]
fn fetch_detects_a_close_delimited_body_cut_short_and_records_what_it_could_not_check() {
    let server = Server::start();
    server.route(
        "/cut.csv",
        vec![Reply::ok("IRIS;P21_POP;C21_MEN\n674820101;1234;500\n674820102;98").no_content_length()],
    );
    server.route("/whole.csv", vec![Reply::ok("IRIS;P21_POP\n674820101;1234\n").no_content_length()]);
    server.route(
        "/cut.zip",
        vec![{
            let z = zip_bytes(&[("a.csv", &body(3000))]);
            Reply::ok(z[..z.len() - 30].to_vec()).no_content_length()
        }],
    );
    let mut case = Case::new(&[
        source("cut", &server.url("/cut.csv"), ""),
        source("whole", &server.url("/whole.csv"), ""),
        source("zip", &server.url("/cut.zip"), "format = { kind = \"zip\" }"),
    ]);
    case.opts.sources = vec!["cut".into()];
    let err = case.run().expect_err("cut short");
    assert!(
        err.to_string().contains("cut short")
            && err.to_string().contains("2 field(s) where the header has 3"),
        "{err}"
    );
    case.opts.sources = vec!["zip".into()];
    let err = case.run().expect_err("cut zip");
    assert!(err.to_string().contains("zip archive is incomplete"), "{err}");
    case.opts.sources = vec!["whole".into()];
    let report = case.run().expect("whole");
    let m = meta(&report.sources[0].path);
    assert!(m["checks"]["not_checked"].to_string().contains("no Content-Length"), "{m}");
}
