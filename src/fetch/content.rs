//! What the cache checks of a download when the catalogue pins no sha256: that the content is the kind
//! of file the source is (not an HTML error page served with 200), and that it is whole where the format
//! can tell (a zip's central directory is at its end, a gzip stream has a trailer, JSON closes, a CSV's
//! last line is as wide as its header when no `Content-Length` said where the body ended). What was
//! checked and what could not be is recorded in the cache's sidecar ([`ContentChecks`]).

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::catalogue::{FormatKind, ResolvedSource};
use crate::io::bounded::{self, InputLimits};
use crate::io::read_options::Compression;

/// Bytes read from the start (and the end) of a file for the checks that need only those.
const PEEK: usize = 64 * 1024;

/// What was checked of a cached file, and what was not.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentChecks {
    pub checked: Vec<String>,
    pub not_checked: Vec<String>,
}

/// Facts about the transfer that the checks use.
#[derive(Debug, Clone, Copy)]
pub struct Transfer<'a> {
    pub content_type: Option<&'a str>,
    pub content_encoding: Option<&'a str>,
    /// A `Content-Length` was sent and matched.
    pub length_checked: bool,
}

/// Checks the downloaded file at `path` for the source `r`. `Err` says why it is not the file.
pub fn check(path: &Path, r: &ResolvedSource, t: &Transfer<'_>) -> Result<ContentChecks, String> {
    let mut c = ContentChecks::default();
    if t.length_checked {
        c.checked.push("length: the body is as long as its Content-Length".into());
    }
    if let Some(enc) = t.content_encoding {
        c.checked.push(format!("content encoding: {enc}"));
    }
    if let Some(ct) = t.content_type {
        c.checked.push(format!("content type sent: {ct}"));
    }
    let head = peek(path, 0).map_err(|e| format!("cannot read the download: {e}"))?;
    if let Some(start) = html_start(&head) {
        let label = t.content_type.map(|ct| format!(", sent as {ct}")).unwrap_or_default();
        return Err(format!(
            "an HTML page (it starts with `{start}`{label}) where a {} file was expected: an error or \
             login page served with status 200?",
            r.format.kind
        ));
    }
    c.checked.push("not an HTML page".into());
    match r.format.kind {
        FormatKind::Zip | FormatKind::Xlsx => check_zip(path, &head, &mut c)?,
        FormatKind::Xls => magic(&head, b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "an xls (OLE) file", &mut c)?,
        FormatKind::SevenZ => magic(&head, b"7z\xBC\xAF\x27\x1C", "a 7z archive", &mut c)?,
        FormatKind::Gpkg => magic(&head, b"SQLite format 3\0", "a GeoPackage (SQLite) file", &mut c)?,
        FormatKind::Geojson => check_json(path, &head, &mut c)?,
        FormatKind::Csv => check_csv(path, r, t, &head, &mut c)?,
        FormatKind::Shapefile => c.not_checked.push("content: a shapefile is not checked".into()),
    }
    if !matches!(r.format.kind, FormatKind::Zip | FormatKind::Xlsx | FormatKind::Geojson | FormatKind::Csv)
        && !t.length_checked
    {
        c.not_checked.push("completeness: no Content-Length, and this format does not tell its end".into());
    }
    Ok(c)
}

fn peek(path: &Path, from_end: u64) -> std::io::Result<Vec<u8>> {
    use std::io::{Seek, SeekFrom};
    let mut f = File::open(path)?;
    if from_end > 0 {
        let len = f.metadata()?.len();
        f.seek(SeekFrom::Start(len.saturating_sub(from_end)))?;
    }
    let mut buf = Vec::with_capacity(PEEK);
    f.take(PEEK as u64).read_to_end(&mut buf)?;
    Ok(buf)
}

/// The opening of an HTML document, if `head` is one.
fn html_start(head: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(&head[..head.len().min(1024)]);
    let t = text.trim_start_matches('\u{feff}').trim_start();
    let lower = t.to_ascii_lowercase();
    ["<!doctype html", "<html", "<head", "<body", "<!--", "<title"]
        .iter()
        .find(|p| lower.starts_with(*p))
        .map(|_| t.chars().take(20).collect::<String>().split_whitespace().collect::<Vec<_>>().join(" "))
}

fn magic(head: &[u8], magic: &[u8], what: &str, c: &mut ContentChecks) -> Result<(), String> {
    if !head.starts_with(magic) {
        return Err(format!(
            "it does not start as {what} does (first bytes {:02X?})",
            &head[..head.len().min(8)]
        ));
    }
    c.checked.push(format!("signature of {what}"));
    Ok(())
}

fn check_zip(path: &Path, head: &[u8], c: &mut ContentChecks) -> Result<(), String> {
    if !(head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06")) {
        return Err(format!("not a zip archive (first bytes {:02X?})", &head[..head.len().min(8)]));
    }
    let file = File::open(path).map_err(|e| e.to_string())?;
    let zip = zip::ZipArchive::new(BufReader::new(file))
        .map_err(|e| format!("the zip archive is incomplete or damaged (cut short?): {e}"))?;
    c.checked
        .push(format!("zip: central directory read ({} entries): the end of the file is there", zip.len()));
    Ok(())
}

fn check_json(path: &Path, head: &[u8], c: &mut ContentChecks) -> Result<(), String> {
    let text = String::from_utf8_lossy(head);
    if !text.trim_start_matches('\u{feff}').trim_start().starts_with('{') {
        return Err("not a GeoJSON object (it does not start with `{`)".into());
    }
    let file = File::open(path).map_err(|e| e.to_string())?;
    let mut reader = BufReader::new(file);
    let mut de = serde_json::Deserializer::from_reader(&mut reader);
    serde::de::IgnoredAny::deserialize(&mut de)
        .map_err(|e| format!("the JSON does not parse to its end (cut short?): {e}"))?;
    c.checked.push("GeoJSON: parses as JSON to its end".into());
    Ok(())
}

fn check_csv(
    path: &Path,
    r: &ResolvedSource,
    t: &Transfer<'_>,
    head: &[u8],
    c: &mut ContentChecks,
) -> Result<(), String> {
    let gzip = r.format.read.compression == Some(Compression::Gzip) || r.filename.ends_with(".gz");
    let (text_head, tail) = if gzip {
        if !head.starts_with(&[0x1f, 0x8b]) {
            return Err(format!("not a gzip file (first bytes {:02X?})", &head[..head.len().min(8)]));
        }
        // The whole stream, to its trailer, under the reader's caps; only its first bytes are kept.
        let limits = InputLimits::with_max_bytes(r.format.read.max_bytes);
        let mut reader = bounded::open_gzip(path, &limits).map_err(|e| e.to_string())?;
        let mut first = Vec::with_capacity(PEEK);
        (&mut reader).take(PEEK as u64).read_to_end(&mut first).map_err(|e| gzip_error(&e))?;
        let mut last = Vec::new();
        let mut buf = vec![0u8; 1 << 16];
        loop {
            match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    last.clear();
                    last.extend_from_slice(&buf[..n]);
                }
                Err(e) => return Err(gzip_error(&e)),
            }
        }
        c.checked.push("gzip: the stream decompresses to its trailer (whole)".into());
        let tail = if last.is_empty() { first.clone() } else { last };
        (first, tail)
    } else {
        (head.to_vec(), peek(path, PEEK as u64).map_err(|e| e.to_string())?)
    };
    let text = String::from_utf8_lossy(&text_head);
    let skip = r.format.read.header_line().saturating_sub(1);
    let Some(header) = text.lines().nth(skip) else {
        return Err("no header line: an empty or one-line body is not a CSV table".into());
    };
    let sep = match r.format.read.separator {
        Some(s) => s,
        None => match [b';', b',', b'\t', b'|'].into_iter().max_by_key(|s| fields(header, *s)) {
            Some(s) if fields(header, s) > 1 => s,
            _ => {
                return Err(
                    "its header line has no field separator (`;` `,` tab `|`): not a CSV table".into()
                );
            }
        },
    };
    let width = fields(header, sep);
    if width < 2 {
        return Err(format!("its header line has no `{}` separator: not a CSV table", char::from(sep)));
    }
    c.checked.push(format!("CSV: a header of {width} fields"));
    if gzip || t.length_checked {
        return Ok(());
    }
    // The body ended when the connection closed: a cut shows as a last line narrower than the header.
    let tail = String::from_utf8_lossy(&tail);
    let last = tail.trim_end_matches(['\n', '\r']).rsplit('\n').next().unwrap_or_default();
    let got = fields(last, sep);
    if got < width && !last.contains('"') {
        return Err(format!(
            "the body ended when the connection closed, and its last line has {got} field(s) where the \
             header has {width}: cut short"
        ));
    }
    c.not_checked.push(
        "completeness: no Content-Length (the body ended when the connection closed); its last line is whole"
            .into(),
    );
    Ok(())
}

fn gzip_error(e: &std::io::Error) -> String {
    if bounded::InputError::is_refusal(e) {
        e.to_string()
    } else {
        format!("the gzip stream is damaged or cut short: {e}")
    }
}

/// Fields of one line split at `sep`, quotes respected.
fn fields(line: &str, sep: u8) -> usize {
    let mut n = 1;
    let mut quoted = false;
    for b in line.bytes() {
        match b {
            b'"' => quoted = !quoted,
            b if b == sep && !quoted => n += 1,
            _ => {}
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_told_from_data() {
        assert!(html_start(b"\n  <!DOCTYPE html><html>").is_some());
        assert!(html_start(b"<HTML><body>Erreur</body>").is_some());
        assert!(html_start(b"IRIS;P21_POP\n").is_none());
        assert!(html_start(b"{\"type\":\"FeatureCollection\"}").is_none());
        assert_eq!(fields("a;\"b;c\";d", b';'), 3);
    }
}
