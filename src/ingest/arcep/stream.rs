//! A CSV file streamed in chunks of whole records, for the ARCEP files (hundreds of millions of rows).
//!
//! - The file is read once, on a thread of its own: plain, or gzip (every member of a multi-member file,
//!   inflated on the fly by flate2's `MultiGzDecoder`, with no size limit but a compression-ratio cap as a
//!   bomb guard, [`MAX_RATIO`]); its SHA-256 (of the bytes as stored) is computed as it goes, so that the
//!   manifest does not read the file a second time.
//! - The preamble is handled as `ingest::read` does: UTF-16/32 refused, a UTF-8 byte-order mark skipped,
//!   `header_line - 1` lines skipped, the separator detected in the header (`;` `,` tab `|`, most frequent
//!   outside quotes, ties in that order) unless set, header names trimmed, named `column_<n>` when empty,
//!   unique.
//! - The rest is cut into [`Chunk`]s of about [`CHUNK_BYTES`], each ending at a line end outside quotes,
//!   with the 1-based line it starts on; a bounded channel holds at most [`CHUNKS_IN_FLIGHT`] of them, so
//!   memory does not grow with the file. Each chunk is split into records by the `csv` crate's
//!   `ByteRecord`s (quotes per RFC 4180), in parallel, by [`Chunk::records`].
//!
//! Zip members and spreadsheet sheets (never used for ARCEP so far) are read by [`read_table`] and fed
//! through the same record path as one chunk, keeping their line or sheet-row locations.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crate::ingest::encoding::{TextEncoding, decode_as, unsupported_encoding};
use crate::ingest::error::{IngestError, Location};
use crate::ingest::read::{Compression, Decimal, RawTable, ReadOptions, read_table};
use crate::io::hash::StreamHash;

pub use super::guard::MAX_RATIO;
use super::guard::{Hashing, RatioCap, TooCompressed};

/// Target size of one chunk of records (a chunk holds whole records: it may run longer).
pub const CHUNK_BYTES: usize = 4 << 20;
/// Chunks read ahead of the parsers at most.
const CHUNKS_IN_FLIGHT: usize = 6;
/// Separators tried by detection, in order of preference on a tie.
const SEPARATORS: [u8; 4] = [b';', b',', b'\t', b'|'];
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// How numbers are read: the decimal mark set by the read options, or to be told from the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecimalMode {
    Point,
    Comma,
    /// A comma file when comma-decimal cells outnumber point ones (never in a `,`-separated file).
    Detect,
}

/// Records of the file, as a whole-record byte block and its first line.
pub struct Chunk {
    pub bytes: Vec<u8>,
    /// 1-based line of the first byte.
    pub first_line: u64,
}

/// What is known of the table before its records: names, separator, how to read cells.
pub struct Meta {
    /// The file as named in errors (`<zip>/<member>` for a zip member).
    pub path: PathBuf,
    pub names: Vec<String>,
    pub header_line: usize,
    pub sep: u8,
    pub decimal: DecimalMode,
    pub encoding: Option<TextEncoding>,
    /// Size of the text in bytes when known before reading it (a plain file), to size tables once.
    pub size_hint: Option<u64>,
    /// Set when the records come from [`read_table`] (zip member, sheet): locations by row.
    table: Option<RawTable>,
}

/// The chunks of a table being read, and the reader's result (SHA-256 and size of the file).
pub struct Stream {
    pub meta: Meta,
    chunks: Receiver<Result<Chunk, IngestError>>,
    reader: Option<JoinHandle<Option<(String, u64)>>>,
    /// For a table read whole: the file's hash, computed apart.
    hash: Option<(String, u64)>,
}

impl Stream {
    /// The next chunk (`None` at the end of the file).
    pub fn next_chunk(&self) -> Option<Result<Chunk, IngestError>> {
        self.chunks.recv().ok()
    }

    /// Up to `n` chunks: waits for the first, takes the others already read.
    pub fn next_batch(&self, n: usize) -> Result<Vec<Chunk>, IngestError> {
        let mut batch = Vec::with_capacity(n);
        match self.next_chunk() {
            None => return Ok(batch),
            Some(c) => batch.push(c?),
        }
        while batch.len() < n {
            match self.chunks.try_recv() {
                Ok(c) => batch.push(c?),
                Err(_) => break,
            }
        }
        Ok(batch)
    }

    /// Waits for the reader: the SHA-256 (hex) and size of the file as stored.
    pub fn finish(mut self) -> Result<(String, u64), IngestError> {
        // Drain what is left so that the reader is never blocked on a full channel.
        while self.chunks.recv().is_ok() {}
        if let Some(h) = self.hash.take() {
            return Ok(h);
        }
        match self.reader.take().map(JoinHandle::join) {
            Some(Ok(Some(h))) => Ok(h),
            _ => Err(IngestError::format(
                &self.meta.path,
                Location::File,
                "the file could not be read to its end",
            )),
        }
    }
}

impl Meta {
    /// Where record `k` of a chunk (0-based) starting on line `line` is.
    pub fn location(&self, line: u64, k: usize) -> Location {
        match &self.table {
            Some(t) => t.line_of(k),
            None => Location::Line(usize::try_from(line).unwrap_or(usize::MAX)),
        }
    }

    /// Where the header is.
    pub fn header_location(&self) -> Location {
        match &self.table {
            Some(t) => t.header_location(),
            None => Location::Line(self.header_line),
        }
    }

    /// Position of a column.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    pub fn missing(&self, column: &str) -> IngestError {
        IngestError::MissingColumn {
            path: self.path.clone(),
            location: self.header_location(),
            column: column.to_string(),
            found: self.names.join(", "),
        }
    }

    /// Every missing column of `cols`, reported together.
    pub fn require(&self, cols: &[&str]) -> Result<(), IngestError> {
        let errors = cols.iter().filter(|c| self.column(c).is_none()).map(|c| self.missing(c)).collect();
        IngestError::collect(&self.path, errors)
    }

    /// A cell as text, in the file's encoding. Err: the message for a byte that is not UTF-8 when the read
    /// options say UTF-8.
    pub fn text<'a>(&self, b: &'a [u8]) -> Result<Cow<'a, str>, String> {
        text(b, self.encoding)
    }

    /// Calls `f(record, location line, index)` for every data record of `chunk` as wide as the header
    /// (blank lines skipped); a record of another width is reported in `errors` as `ingest::read` does.
    pub fn records(
        &self,
        chunk: &Chunk,
        errors: &mut Vec<IngestError>,
        mut f: impl FnMut(&csv::ByteRecord, u64, usize),
    ) {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .delimiter(self.sep)
            .flexible(true)
            .from_reader(&chunk.bytes[..]);
        let mut rec = csv::ByteRecord::new();
        let mut k = 0usize;
        loop {
            match rdr.read_byte_record(&mut rec) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    errors.push(IngestError::format(&self.path, Location::File, format!("CSV reader: {e}")));
                    break;
                }
            }
            if rec.len() == 1 && rec[0].iter().all(|b| *b == b'\r' || *b == b' ') && self.names.len() > 1 {
                continue; // a blank line
            }
            let line = chunk.first_line + rec.position().map_or(1, csv::Position::line) - 1;
            if rec.len() != self.names.len() {
                errors.push(IngestError::format(
                    &self.path,
                    self.location(line, k),
                    format!(
                        "expected {} fields as in the header (line {}), found {}",
                        self.names.len(),
                        self.header_line,
                        rec.len()
                    ),
                ));
            } else {
                f(&rec, line, k);
            }
            k += 1;
        }
    }
}

/// Bytes as text: UTF-8 when valid (or set), Latin-1 (Windows-1252 for 0x80–0x9F) otherwise or when set.
pub fn text(b: &[u8], encoding: Option<TextEncoding>) -> Result<Cow<'_, str>, String> {
    match (encoding, std::str::from_utf8(b)) {
        (Some(TextEncoding::Latin1), _) if !b.is_ascii() => latin1(b),
        (_, Ok(s)) => Ok(Cow::Borrowed(s)),
        (Some(TextEncoding::Utf8), Err(e)) => Err(format!(
            "byte 0x{:02X} is not UTF-8, but the read options say encoding = \"utf-8\" (remove the setting to \
             have Latin-1 detected, or set encoding = \"latin-1\")",
            b[e.valid_up_to()]
        )),
        (_, Err(_)) => latin1(b),
    }
}

fn latin1(b: &[u8]) -> Result<Cow<'_, str>, String> {
    decode_as(b.to_vec(), Some(TextEncoding::Latin1)).map(|(s, _)| Cow::Owned(s))
}

fn io_error(path: &Path, source: io::Error) -> IngestError {
    IngestError::Io { path: path.to_path_buf(), source }
}

/// Reads everything `r` gives into `buf` until it holds `want` bytes (or the end: returns false).
fn fill(r: &mut dyn Read, buf: &mut Vec<u8>, want: usize) -> io::Result<bool> {
    let mut block = [0u8; 1 << 16];
    while buf.len() < want {
        let n = match r.read(&mut block) {
            Ok(0) => return Ok(false),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        buf.extend_from_slice(&block[..n]);
    }
    Ok(true)
}

fn has_extension(path: &Path, ext: &str) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case(ext))
}

fn decimal_mode(opts: &ReadOptions, sep: u8) -> DecimalMode {
    match opts.decimal {
        Some(Decimal::Point) => DecimalMode::Point,
        Some(Decimal::Comma) => DecimalMode::Comma,
        None if sep == b',' => DecimalMode::Point,
        None => DecimalMode::Detect,
    }
}

/// Opens a table for streaming (see the module header).
pub fn open(path: &Path, opts: &ReadOptions) -> Result<Stream, IngestError> {
    if opts.header_line == Some(0) {
        return Err(IngestError::format(path, Location::File, "header_line is 1-based: 0 is not a line"));
    }
    let named_gz = has_extension(path, "gz");
    let gzip = opts.compression == Some(Compression::Gzip) || named_gz;
    let name: &Path = if gzip && named_gz { path.file_stem().map_or(path, Path::new) } else { path };
    let spreadsheet = opts.sheet.is_some()
        || name
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| ["xlsx", "xlsm", "xls", "ods"].iter().any(|x| e.eq_ignore_ascii_case(x)));
    if opts.zip_member.is_some() || spreadsheet {
        return open_whole(path, opts);
    }

    let file = File::open(path).map_err(|e| io_error(path, e))?;
    let size_hint = if gzip { None } else { file.metadata().ok().map(|m| m.len()) };
    let hash = Arc::new(Mutex::new(StreamHash::new()));
    let count = Arc::new(AtomicU64::new(0));
    let hashing = Hashing { inner: file, hash: hash.clone(), count: count.clone() };
    let mut src: Box<dyn Read + Send> = if gzip {
        let decoder = flate2::read::MultiGzDecoder::new(BufReader::with_capacity(1 << 20, hashing));
        Box::new(RatioCap { inner: decoder, compressed: count, out: 0 })
    } else {
        Box::new(hashing)
    };
    let shown = path.to_path_buf();
    let read_error = {
        let shown = shown.clone();
        move |e: io::Error| -> IngestError {
            if let Some(t) = e.get_ref().and_then(|i| i.downcast_ref::<TooCompressed>()) {
                return IngestError::format(&shown, Location::File, t.to_string());
            }
            if gzip {
                IngestError::format(
                    &shown,
                    Location::File,
                    format!("not a readable gzip file (the name ends in .gz): {e}"),
                )
            } else {
                io_error(&shown, e)
            }
        }
    };

    // Preamble: enough bytes for the lines before the header and the header itself.
    let header_line = opts.header_line();
    let mut buf = Vec::with_capacity(CHUNK_BYTES + (1 << 16));
    let mut more = fill(&mut *src, &mut buf, 1 << 16).map_err(&read_error)?;
    if let Some(found) = unsupported_encoding(&buf) {
        return Err(IngestError::format(
            &shown,
            Location::File,
            format!(
                "the text is encoded in {found}; fracture reads UTF-8 (with or without BOM) or Latin-1: \
                 save the file as \"CSV UTF-8\""
            ),
        ));
    }
    let newlines = |b: &[u8]| b.iter().filter(|&&c| c == b'\n').count();
    while more && newlines(&buf) < header_line {
        let want = buf.len() * 2;
        more = fill(&mut *src, &mut buf, want).map_err(&read_error)?;
    }
    let mut start = if buf.starts_with(BOM) { BOM.len() } else { 0 };
    if buf[start..].iter().all(u8::is_ascii_whitespace) {
        return Err(IngestError::format(&shown, Location::File, "the file is empty (no header, no rows)"));
    }
    for _ in 1..header_line {
        match buf[start..].iter().position(|&c| c == b'\n') {
            Some(i) => start += i + 1,
            None => start = buf.len(),
        }
    }
    if start >= buf.len() {
        let lines = newlines(&buf) + usize::from(!buf.ends_with(b"\n"));
        return Err(IngestError::format(
            &shown,
            Location::File,
            format!("the header is expected on line {header_line} but the file has only {lines} line(s)"),
        ));
    }
    let header_end = buf[start..].iter().position(|&c| c == b'\n').map_or(buf.len(), |i| start + i);
    let header = trim_cr(&buf[start..header_end]);
    if header.iter().all(u8::is_ascii_whitespace) {
        return Err(IngestError::format(&shown, Location::Line(header_line), "the header line is empty"));
    }
    let sep = opts.separator.unwrap_or_else(|| detect_separator(header));
    let names = header_names(&shown, header, sep, header_line, opts.encoding)?;
    let meta = Meta {
        path: shown.clone(),
        names,
        header_line,
        sep,
        decimal: decimal_mode(opts, sep),
        encoding: opts.encoding,
        size_hint,
        table: None,
    };
    let rest = buf.split_off((header_end + 1).min(buf.len()));
    let (tx, rx) = sync_channel(CHUNKS_IN_FLIGHT);
    let first_line = header_line as u64 + 1;
    let reader = std::thread::Builder::new()
        .name("arcep-reader".into())
        .spawn(move || {
            if let Err(e) = cut_chunks(&mut *src, rest, first_line, more, &tx) {
                // the parser receives the error in place of the next chunk
                let _ = tx.send(Err(read_error(e)));
                return None;
            }
            drop(tx);
            hash.lock().ok().map(|h| h.clone().finish())
        })
        .map_err(|e| io_error(path, e))?;
    Ok(Stream { meta, chunks: rx, reader: Some(reader), hash: None })
}

fn trim_cr(b: &[u8]) -> &[u8] {
    b.strip_suffix(b"\r").unwrap_or(b)
}

/// Reads the rest of the file and sends it as chunks of whole records.
fn cut_chunks(
    src: &mut dyn Read,
    mut buf: Vec<u8>,
    mut line: u64,
    mut more: bool,
    tx: &SyncSender<Result<Chunk, IngestError>>,
) -> io::Result<()> {
    loop {
        if more {
            more = fill(src, &mut buf, CHUNK_BYTES)?;
        }
        if buf.is_empty() {
            return Ok(());
        }
        let cut = if more { last_record_end(&buf) } else { Some(buf.len()) };
        let Some(cut) = cut else {
            // no record ends in this buffer: read on
            let want = buf.len() * 2;
            more = fill(src, &mut buf, want)?;
            continue;
        };
        let mut tail = Vec::with_capacity(CHUNK_BYTES + (1 << 16));
        tail.extend_from_slice(&buf[cut..]);
        buf.truncate(cut);
        let lines = buf.iter().filter(|&&c| c == b'\n').count() as u64;
        let chunk = Chunk { bytes: std::mem::replace(&mut buf, tail), first_line: line };
        line += lines;
        if tx.send(Ok(chunk)).is_err() {
            return Ok(()); // the parser stopped (an error): nothing more to read
        }
        if !more && buf.is_empty() {
            return Ok(());
        }
    }
}

/// The end (just after its `\n`) of the last record of `buf` that ends outside quotes, `buf` starting at a
/// record's start.
fn last_record_end(buf: &[u8]) -> Option<usize> {
    if !buf.contains(&b'"') {
        return buf.iter().rposition(|&c| c == b'\n').map(|i| i + 1);
    }
    let (mut in_quotes, mut last) = (false, None);
    for (i, &c) in buf.iter().enumerate() {
        match c {
            b'"' => in_quotes = !in_quotes,
            b'\n' if !in_quotes => last = Some(i + 1),
            _ => {}
        }
    }
    last
}

/// The most frequent candidate separator outside quotes in the header (ties: `;` `,` tab `|`); `,` when
/// the header has none (one column).
fn detect_separator(header: &[u8]) -> u8 {
    let mut counts = [0usize; 4];
    let mut in_quotes = false;
    for &b in header {
        if b == b'"' {
            in_quotes = !in_quotes;
        } else if !in_quotes && let Some(k) = SEPARATORS.iter().position(|&s| s == b) {
            counts[k] += 1;
        }
    }
    let mut best: Option<(u8, usize)> = None;
    for (k, &sep) in SEPARATORS.iter().enumerate() {
        if counts[k] > 0 && best.is_none_or(|(_, n)| counts[k] > n) {
            best = Some((sep, counts[k]));
        }
    }
    best.map_or(b',', |(s, _)| s)
}

fn header_names(
    path: &Path,
    header: &[u8],
    sep: u8,
    line: usize,
    encoding: Option<TextEncoding>,
) -> Result<Vec<String>, IngestError> {
    let mut rdr =
        csv::ReaderBuilder::new().has_headers(false).delimiter(sep).flexible(true).from_reader(header);
    let mut rec = csv::ByteRecord::new();
    let ok = rdr
        .read_byte_record(&mut rec)
        .map_err(|e| IngestError::format(path, Location::Line(line), format!("unreadable header: {e}")))?;
    if !ok {
        return Err(IngestError::format(path, Location::Line(line), "the header line is empty"));
    }
    let mut names = Vec::with_capacity(rec.len());
    for (i, f) in rec.iter().enumerate() {
        let name = text(f, encoding).map_err(|m| IngestError::format(path, Location::Line(line), m))?;
        let name = name.trim();
        names.push(if name.is_empty() { format!("column_{}", i + 1) } else { name.to_string() });
    }
    let mut errors = Vec::new();
    for (i, name) in names.iter().enumerate() {
        if names[..i].contains(name) {
            continue;
        }
        let positions: Vec<String> =
            names.iter().enumerate().filter(|(_, n)| *n == name).map(|(j, _)| (j + 1).to_string()).collect();
        if positions.len() > 1 {
            errors.push(IngestError::format(
                path,
                Location::Line(line),
                format!("column name `{name}` appears more than once (columns {})", positions.join(", ")),
            ));
        }
    }
    IngestError::collect(path, errors)?;
    Ok(names)
}

/// A zip member or a sheet: read whole by [`read_table`], written back as one CSV chunk (cells already
/// decoded, secrecy tokens empty), located by the table's own rows.
fn open_whole(path: &Path, opts: &ReadOptions) -> Result<Stream, IngestError> {
    let t = read_table(path, opts)?;
    let hash =
        crate::io::hash::sha256_file(path).map_err(|e| IngestError::Io { path: e.path, source: e.source })?;
    let names = t.columns();
    let mut w = csv::WriterBuilder::new().delimiter(b',').from_writer(Vec::new());
    let cols: Vec<Vec<Option<String>>> = names.iter().map(|n| t.strings(n)).collect::<Result<_, _>>()?;
    let write_error =
        |e: csv::Error| IngestError::format(&t.path, Location::File, format!("CSV writer: {e}"));
    for row in 0..t.height() {
        w.write_record(cols.iter().map(|c| c[row].as_deref().unwrap_or(""))).map_err(write_error)?;
    }
    let bytes = w.into_inner().map_err(|e| IngestError::format(&t.path, Location::File, e.to_string()))?;
    let (tx, rx) = sync_channel(1);
    let _ = tx.send(Ok(Chunk { bytes, first_line: 1 }));
    let meta = Meta {
        path: t.path.clone(),
        names,
        header_line: t.header_line,
        sep: b',',
        decimal: if t.decimal_comma { DecimalMode::Comma } else { DecimalMode::Point },
        encoding: Some(TextEncoding::Utf8),
        size_hint: None,
        table: Some(t),
    };
    Ok(Stream { meta, chunks: rx, reader: None, hash: Some(hash) })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use super::*;

    #[test]
    fn records_end_outside_quotes() {
        assert_eq!(last_record_end(b"a,b\nc,d\ne"), Some(8));
        assert_eq!(last_record_end(b"a,\"b\nc\",d\ne,\"f\ng"), Some(10));
        assert_eq!(last_record_end(b"a,\"b\nc"), None);
    }

    #[test]
    fn separator_detection_prefers_semicolon_on_a_tie() {
        assert_eq!(detect_separator(b"a,b;c"), b';');
        assert_eq!(detect_separator(b"a,b,c;d"), b',');
        assert_eq!(detect_separator(b"\"x;y\",b"), b',');
        assert_eq!(detect_separator(b"a"), b',');
    }

    #[test]
    fn chunks_keep_line_numbers_across_cuts() {
        let text: String = (0..1_000_000).map(|i| format!("{i},\"q\"\n")).collect();
        let (tx, rx) = sync_channel(1000);
        let bytes = text.into_bytes();
        cut_chunks(&mut &bytes[..], Vec::new(), 2, true, &tx).unwrap();
        drop(tx);
        let mut expected_line = 2;
        let mut n = 0;
        for c in rx.iter() {
            let c = c.unwrap();
            assert_eq!(c.first_line, expected_line);
            let first = std::str::from_utf8(&c.bytes[..c.bytes.iter().position(|&b| b == b',').unwrap()])
                .unwrap()
                .parse::<u64>()
                .unwrap();
            assert_eq!(first + 2, c.first_line, "chunk starts at a record");
            expected_line += c.bytes.iter().filter(|&&b| b == b'\n').count() as u64;
            n += 1;
        }
        assert!(n > 1);
        assert_eq!(expected_line, 1_000_002);
    }
}
