//! The one reader every tabular input goes through (`data/FORMATS.md` §3–6).
//!
//! Input: a CSV file (UTF-8 with or without BOM, or Latin-1; separator `;` `,` tab or `|`, detected; decimal
//! point or comma, detected per file; header on any line) or a spreadsheet sheet (xlsx, read with calamine),
//! either one possibly inside a zip archive, or gzip-compressed (a path ending in `.gz`, such as ARCEP's
//! `immeubles.csv.gz`, is decompressed transparently; the format is then told by the name without `.gz`).
//! Output: a [`RawTable`] whose DataFrame has **only String columns**
//! (codes such as `01001` or `2A004` keep their text), with empty cells and secrecy tokens
//! ([`is_secrecy_token`]) as null, plus the source line (or sheet row) of every row for error messages.
//!
//! Invariants checked on read, all problems of one kind reported together:
//! - every data row has as many fields as the header (quotes respected, multi-line quoted fields allowed);
//! - header names are trimmed, non-empty (an empty one is named `column_<n>`, 1-based) and unique;
//! - there is at least one data row.
//!
//! Separator detection counts `;` `,` tab `|` outside quotes in the header and takes the most frequent (ties in
//! that order); a header with none is a one-column table, unless a data row holds one (then: error, set it).
//! Empty lines after the header are skipped. Quoting follows polars (and RFC 4180): `"` opens a field only at
//! its start, `""` inside is a quote. Spreadsheet cells become text: integers without `.0`, dates ISO 8601,
//! error cells as Excel shows them (`#N/A`, then reported by `f64s`), blank rows skipped.
//!
//! Typed access goes through [`RawTable::f64s`] and [`RawTable::codes`], which collect one
//! [`IngestError::Field`] per bad cell, naming the line.
//!
//! Numbers: the decimal separator is a point or, in a decimal-comma file, a comma (a point is then still read
//! as a decimal point). Digit grouping is never accepted: `1 234,5`, `1.234,5` and, in a decimal-point file,
//! `1,234` are errors rather than guesses.
//!
//! Paths in errors: for a zip member, `RawTable::path` and every error name `<zip>/<member>`; a `.gz` file is
//! named as given. A zip member or a gzip file is read into memory up to 2 GiB uncompressed (more is refused,
//! so that a decompression bomb cannot exhaust memory).
#![allow(
    clippy::result_large_err,
    reason = "the API returns `IngestError` by value (its variants carry path, location and field for the user); \
              errors are cold, a large `Err` costs nothing on the read path"
)]

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufReader, Cursor};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use calamine::{Data, Reader};
use polars::prelude::{
    Column, CsvParseOptions, CsvReadOptions, DataFrame, DataType, Field, PlSmallStr, Schema, SerReader,
};

pub use super::encoding::Encoding;
use super::encoding::{decode, unsupported_encoding};
use super::error::{IngestError, Location};
use crate::io::archive::{read_bounded, read_member};

/// Separators tried by detection, in order of preference on a tie.
const SEPARATORS: [u8; 4] = [b';', b',', b'\t', b'|'];
/// Largest zip member or gzip file read into memory (uncompressed).
const MAX_MEMBER_BYTES: u64 = 2 * 1024 * 1024 * 1024;
/// Zip members listed when the one asked for is absent.
const MEMBERS_SHOWN: usize = 50;
/// File extensions read as spreadsheets.
const SPREADSHEET_EXTENSIONS: [&str; 4] = ["xlsx", "xlsm", "xls", "ods"];
/// What [`RawTable::f64s`] says it expected.
const EXPECTED_NUMBER: &str = "a number (decimal point or comma)";

/// How decimals are written in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Decimal {
    /// Decimal comma when the separator is not `,` and comma decimals (`38,2`) outnumber point decimals.
    #[default]
    Detect,
    /// `38.2`; a comma in a number is an error.
    Point,
    /// `38,2` (and `38.2`).
    Comma,
}

/// How to read one table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableOptions {
    /// Field separator; `None` detects it among `;` `,` tab `|` from the header line.
    pub separator: Option<u8>,
    /// 1-based line (sheet row for a spreadsheet) of the header; lines before it are skipped.
    pub header_line: usize,
    /// When set, the path is a zip archive and this member is read.
    pub zip_member: Option<String>,
    /// Sheet of a spreadsheet (the first sheet when `None`). Setting it forces spreadsheet reading.
    pub sheet: Option<String>,
    /// Decimal separator.
    pub decimal: Decimal,
}

impl Default for TableOptions {
    fn default() -> Self {
        TableOptions {
            separator: None,
            header_line: 1,
            zip_member: None,
            sheet: None,
            decimal: Decimal::Detect,
        }
    }
}

/// The kinds of official codes [`RawTable::codes`] validates. Codes are strings, never numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeKind {
    /// Commune (INSEE COG): 5 characters, 2 digits or `2A`/`2B`, then 3 digits (`67482`, `2A004`, `97411`).
    Commune,
    /// IRIS: a commune code + 4 digits (`674820101`).
    Iris,
    /// QPV, 2024 list: `QN` + 5 digits + a capital letter (`QN06701M`).
    Qpv2024,
    /// QPV, 2015 list: `QP` + 6 digits (`QP066007`).
    Qpv2015,
    /// Département: 2 digits, `2A`/`2B`, or `97` + 1 digit overseas.
    Departement,
}

impl CodeKind {
    /// Whether `code` (already trimmed) is a well-formed code of this kind.
    pub fn matches(self, code: &str) -> bool {
        let b = code.as_bytes();
        let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
        let commune = |s: &[u8]| {
            s.len() == 5 && (digits(&s[..2]) || s[..2] == *b"2A" || s[..2] == *b"2B") && digits(&s[2..])
        };
        match self {
            CodeKind::Commune => commune(b),
            CodeKind::Iris => b.len() == 9 && commune(&b[..5]) && digits(&b[5..]),
            CodeKind::Qpv2024 => {
                b.len() == 8 && b.starts_with(b"QN") && digits(&b[2..7]) && b[7].is_ascii_uppercase()
            }
            CodeKind::Qpv2015 => b.len() == 8 && b.starts_with(b"QP") && digits(&b[2..]),
            CodeKind::Departement => match b.len() {
                2 => digits(b) || b == b"2A" || b == b"2B",
                3 => b.starts_with(b"97") && b[2].is_ascii_digit(),
                _ => false,
            },
        }
    }

    /// What a code of this kind looks like, for error messages.
    pub fn expected(self) -> &'static str {
        match self {
            CodeKind::Commune => {
                "a commune code (5 characters: 2 digits or 2A/2B, then 3 digits, e.g. 67482)"
            }
            CodeKind::Iris => "an IRIS code (9 characters: commune code + 4 digits, e.g. 674820101)",
            CodeKind::Qpv2024 => "a 2024 QPV code (QN + 5 digits + letter, e.g. QN06701M)",
            CodeKind::Qpv2015 => "a 2015 QPV code (QP + 6 digits, e.g. QP066007)",
            CodeKind::Departement => "a département code (2 digits, 2A/2B, or 97x)",
        }
    }
}

/// Whether a cell means "no value": empty, or a statistical-secrecy / missing token
/// (`s`, `nd`, `ns`, `nc`, `so`, `c`, `.`, `NA`, `n/a`), trimmed and case-insensitive.
pub fn is_secrecy_token(s: &str) -> bool {
    const TOKENS: [&str; 9] = ["s", "nd", "ns", "nc", "so", "c", ".", "na", "n/a"];
    let t = s.trim();
    t.is_empty() || TOKENS.iter().any(|tok| t.eq_ignore_ascii_case(tok))
}

/// Where the rows of a table came from, to name them in errors.
#[derive(Debug, Clone)]
enum Origin {
    /// 1-based source line where each row starts.
    Lines(Vec<usize>),
    /// Sheet name and 1-based sheet row of each row.
    Sheet { name: String, rows: Vec<usize> },
}

/// A table as read from a file: every column a String column, null = empty cell or secrecy token.
#[derive(Debug, Clone)]
pub struct RawTable {
    /// The file (for a zip member: `<zip>/<member>`), as named in errors.
    pub path: PathBuf,
    /// The cells; every column has dtype String.
    pub df: DataFrame,
    /// 1-based header line (sheet row).
    pub header_line: usize,
    /// Encoding found (`Utf8` for a spreadsheet).
    pub encoding: Encoding,
    /// Field separator used (`0` for a spreadsheet).
    pub separator: u8,
    /// Whether numbers are read with a decimal comma.
    pub decimal_comma: bool,
    origin: Origin,
}

/// Reads a table (see the module header).
///
/// # Examples
/// ```
/// use fracture::ingest::table::{read_table, TableOptions};
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("filo.csv");
/// std::fs::write(&path, "IRIS;DISP_TP6019\n674820101;38,2\n674820102;s\n").unwrap();
/// let t = read_table(&path, &TableOptions::default()).unwrap();
/// let mut errors = Vec::new();
/// assert_eq!(t.f64s("DISP_TP6019", &mut errors), vec![Some(38.2), None]);
/// assert!(errors.is_empty());
/// ```
pub fn read_table(path: &Path, opts: &TableOptions) -> Result<RawTable, IngestError> {
    if opts.header_line == 0 {
        return Err(IngestError::format(path, Location::File, "header_line is 1-based: 0 is not a line"));
    }
    let gzip = opts.zip_member.is_none() && has_extension(path, "gz");
    let (shown_path, bytes) = match &opts.zip_member {
        Some(member) => (path.join(member), read_zip_member(path, member)?),
        None if gzip => (path.to_path_buf(), read_gzip(path, MAX_MEMBER_BYTES)?),
        None => (path.to_path_buf(), std::fs::read(path).map_err(|source| io_error(path, source))?),
    };
    // The name that tells the format: the zip member, or the file without its `.gz`.
    let name: &Path = match (&opts.zip_member, gzip) {
        (Some(member), _) => Path::new(member),
        (None, true) => path.file_stem().map_or(path, Path::new),
        (None, false) => path,
    };
    let spreadsheet = opts.sheet.is_some()
        || name
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| SPREADSHEET_EXTENSIONS.iter().any(|x| e.eq_ignore_ascii_case(x)));
    if spreadsheet { read_sheet(shown_path, &bytes, opts) } else { read_csv(shown_path, bytes, opts) }
}

fn io_error(path: &Path, source: std::io::Error) -> IngestError {
    IngestError::Io { path: path.to_path_buf(), source }
}

fn has_extension(path: &Path, ext: &str) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case(ext))
}

// ---------------------------------------------------------------------------------------------------------
// gzip

/// Decompresses a gzip file (every member of a multi-member file) into memory, refusing more than `max`
/// bytes uncompressed.
fn read_gzip(path: &Path, max: u64) -> Result<Vec<u8>, IngestError> {
    let file = File::open(path).map_err(|source| io_error(path, source))?;
    let decoder = flate2::read::MultiGzDecoder::new(BufReader::new(file));
    let bytes = read_bounded(decoder, max, 0).map_err(|e| {
        IngestError::format(
            path,
            Location::File,
            format!("not a readable gzip file (the name ends in .gz): {e}"),
        )
    })?;
    bytes.ok_or_else(|| {
        IngestError::format(
            path,
            Location::File,
            format!("the gzip file decompresses to more than {max} bytes, the most this reader accepts"),
        )
    })
}

// ---------------------------------------------------------------------------------------------------------
// zip

/// Reads one member of a zip archive into memory, refusing unsafe names and members over 2 GiB
/// ([`crate::io::archive::read_member`]), with messages that name the member.
fn read_zip_member(path: &Path, member: &str) -> Result<Vec<u8>, IngestError> {
    use crate::io::archive::ArchiveError;
    let shown = path.join(member);
    read_member(path, member, MAX_MEMBER_BYTES).map_err(|e| match e {
        ArchiveError::Traversal { .. } | ArchiveError::Absolute { .. } => IngestError::format(
            path,
            Location::File,
            format!("refusing zip member name {member:?}: absolute paths and `..` are not allowed"),
        ),
        ArchiveError::Symlink { .. } => IngestError::format(
            path,
            Location::File,
            format!("refusing zip member {member:?}: it is a symbolic link"),
        ),
        ArchiveError::Io { path, source } => io_error(&path, source),
        ArchiveError::Corrupt(e) => {
            IngestError::format(path, Location::File, format!("not a readable zip archive: {e}"))
        }
        ArchiveError::MemberNotFound { mut entries, .. } => {
            entries.sort();
            let mut listed: Vec<&str> = entries.iter().take(MEMBERS_SHOWN).map(String::as_str).collect();
            let more = entries.len().saturating_sub(MEMBERS_SHOWN);
            let tail = if more > 0 { format!(", ... and {more} more") } else { String::new() };
            if listed.is_empty() {
                listed.push("(none)");
            }
            IngestError::format(
                path,
                Location::File,
                format!("no member {member:?} in the zip; its members are: {}{tail}", listed.join(", ")),
            )
        }
        ArchiveError::TooBig { total, .. } => too_big(&shown, total),
        other => IngestError::format(&shown, Location::File, other.to_string()),
    })
}

fn too_big(path: &Path, size: u64) -> IngestError {
    IngestError::format(
        path,
        Location::File,
        format!("zip member is {size} bytes uncompressed, more than the 2 GiB this reader accepts"),
    )
}

// ---------------------------------------------------------------------------------------------------------
// CSV

/// One record of the text: byte range (without its `\n`) and 1-based line where it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Record {
    start: usize,
    end: usize,
    line: usize,
}

fn read_csv(path: PathBuf, bytes: Vec<u8>, opts: &TableOptions) -> Result<RawTable, IngestError> {
    if let Some(found) = unsupported_encoding(&bytes) {
        return Err(IngestError::format(
            path,
            Location::File,
            format!(
                "the text is encoded in {found}; fracture reads UTF-8 (with or without BOM) or Latin-1: \
                 save the file as \"CSV UTF-8\""
            ),
        ));
    }
    let (text, encoding) = decode(bytes);
    if text.trim().is_empty() {
        return Err(IngestError::format(path, Location::File, "the file is empty (no header, no rows)"));
    }
    let header_line = opts.header_line;
    let body = skip_lines(&text, header_line - 1).ok_or_else(|| {
        let lines = text.lines().count();
        IngestError::format(
            &path,
            Location::File,
            format!("the header is expected on line {header_line} but the file has only {lines} line(s)"),
        )
    })?;
    let records = split_records(body, header_line).map_err(|line| {
        IngestError::format(&path, Location::Line(line), "a quoted field opened here is never closed")
    })?;
    let header = match records.first() {
        Some(r) if r.start < r.end => *r,
        _ => return Err(IngestError::format(&path, Location::Line(header_line), "the header line is empty")),
    };
    let data: Vec<Record> = records[1..].iter().copied().filter(|r| r.start < r.end).collect();
    let sep = match opts.separator {
        Some(s) => s,
        None => detect_separator(&body[header.start..header.end], body, &data)
            .map_err(|message| IngestError::format(&path, Location::Line(header_line), message))?,
    };

    let header_text = &body[header.start..header.end];
    let raw_names = split_fields(header_text, sep).map_err(|()| {
        IngestError::format(&path, Location::Line(header_line), "unbalanced quotes in the header")
    })?;
    let names: Vec<String> = raw_names
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let name = unquote(f).trim().to_string();
            if name.is_empty() { format!("column_{}", i + 1) } else { name }
        })
        .collect();
    check_unique(&path, &names, Location::Line(header_line))?;

    if data.is_empty() {
        return Err(IngestError::format(
            &path,
            Location::Line(header_line),
            "no data rows after the header (a header alone is not a table)",
        ));
    }
    let mut errors = Vec::new();
    for r in &data {
        match split_fields(&body[r.start..r.end], sep) {
            Ok(fields) if fields.len() == names.len() => {}
            Ok(fields) => errors.push(IngestError::format(
                &path,
                Location::Line(r.line),
                format!(
                    "expected {} fields as in the header (line {header_line}), found {}",
                    names.len(),
                    fields.len()
                ),
            )),
            Err(()) => errors.push(IngestError::format(
                &path,
                Location::Line(r.line),
                "unbalanced quotes: a `\"` inside an unquoted field makes this row run over several lines",
            )),
        }
    }
    IngestError::collect(&path, errors)?;

    let df = parse_with_polars(&path, body, &data, &names, sep)?;
    let decimal_comma = match opts.decimal {
        Decimal::Point => false,
        Decimal::Comma => true,
        Decimal::Detect => sep != b',' && detect_decimal_comma(&df),
    };
    Ok(RawTable {
        path,
        df,
        header_line,
        encoding,
        separator: sep,
        decimal_comma,
        origin: Origin::Lines(data.iter().map(|r| r.line).collect()),
    })
}

/// The text after the first `n` lines, or `None` when the text has no line `n + 1`.
fn skip_lines(text: &str, n: usize) -> Option<&str> {
    let mut rest = text;
    for _ in 0..n {
        let i = rest.find('\n')?;
        rest = &rest[i + 1..];
    }
    if rest.is_empty() { None } else { Some(rest) }
}

/// Splits text into records at the line ends that are outside quotes (quote parity counted over the whole
/// text, as polars does). `first_line` is the 1-based line number of the text's first line.
/// Err(line) when a quote opened on `line` is never closed.
fn split_records(text: &str, first_line: usize) -> Result<Vec<Record>, usize> {
    let mut records = Vec::new();
    let (mut start, mut line, mut record_line, mut in_quotes) = (0, first_line, first_line, false);
    for (i, &b) in text.as_bytes().iter().enumerate() {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' => {
                if !in_quotes {
                    records.push(Record { start, end: i, line: record_line });
                    start = i + 1;
                    record_line = line + 1;
                }
                line += 1;
            }
            _ => {}
        }
    }
    if in_quotes {
        return Err(record_line);
    }
    if start < text.len() {
        records.push(Record { start, end: text.len(), line: record_line });
    }
    Ok(records)
}

/// Splits one record into its raw fields (quotes kept), with polars' rules: a field that starts with `"`
/// runs to the next separator outside quotes; any other field runs to the next separator.
/// Err when an unquoted field holds a line end (unbalanced quotes).
fn split_fields(record: &str, sep: u8) -> Result<Vec<&str>, ()> {
    let b = record.as_bytes();
    let mut fields = Vec::new();
    let mut pos = 0;
    loop {
        let end = if b.get(pos) == Some(&b'"') {
            let mut in_quotes = false;
            let mut i = pos;
            while i < b.len() {
                if b[i] == b'"' {
                    in_quotes = !in_quotes;
                } else if !in_quotes && b[i] == sep {
                    break;
                }
                i += 1;
            }
            i
        } else {
            let end = b[pos..].iter().position(|&c| c == sep).map_or(b.len(), |k| pos + k);
            if b[pos..end].contains(&b'\n') {
                return Err(());
            }
            end
        };
        // sep and `"` are ASCII, so `pos` and `end` are char boundaries.
        fields.push(&record[pos..end]);
        if end >= b.len() {
            return Ok(fields);
        }
        pos = end + 1;
    }
}

/// The value of a raw field: outer quotes removed and `""` read as `"`.
fn unquote(field: &str) -> Cow<'_, str> {
    match field.strip_prefix('"').and_then(|f| f.strip_suffix('"')) {
        Some(inner) if inner.contains("\"\"") => Cow::Owned(inner.replace("\"\"", "\"")),
        Some(inner) => Cow::Borrowed(inner),
        None => Cow::Borrowed(field),
    }
}

/// Counts each candidate separator outside quotes in the header and picks the most frequent (ties: the order
/// of [`SEPARATORS`]). When the header has none, the table has one column, unless a data row has a
/// candidate, in which case the separator cannot be told.
fn detect_separator(header: &str, body: &str, data: &[Record]) -> Result<u8, String> {
    let counts = count_outside_quotes(header);
    let mut best = None;
    for (k, &sep) in SEPARATORS.iter().enumerate() {
        if counts[k] > 0 && best.is_none_or(|(_, n)| counts[k] > n) {
            best = Some((sep, counts[k]));
        }
    }
    if let Some((sep, _)) = best {
        return Ok(sep);
    }
    for r in data.iter().take(100) {
        let counts = count_outside_quotes(&body[r.start..r.end]);
        if let Some(k) = counts.iter().position(|&n| n > 0) {
            return Err(format!(
                "cannot detect the separator: the header has no `;`, `,`, tab or `|` (one column) but line {} \
                 contains {:?}; set the separator explicitly",
                r.line,
                char::from(SEPARATORS[k])
            ));
        }
    }
    Ok(b',')
}

fn count_outside_quotes(text: &str) -> [usize; 4] {
    let mut counts = [0; 4];
    let mut in_quotes = false;
    for &b in text.as_bytes() {
        if b == b'"' {
            in_quotes = !in_quotes;
        } else if !in_quotes && let Some(k) = SEPARATORS.iter().position(|&s| s == b) {
            counts[k] += 1;
        }
    }
    counts
}

/// Header names must be unique: all duplicates are reported together.
fn check_unique(path: &Path, names: &[String], location: Location) -> Result<(), IngestError> {
    let mut errors = Vec::new();
    for (i, name) in names.iter().enumerate() {
        if names[..i].contains(name) {
            continue; // reported at its first occurrence
        }
        let positions: Vec<String> =
            names.iter().enumerate().filter(|(_, n)| *n == name).map(|(j, _)| (j + 1).to_string()).collect();
        if positions.len() > 1 {
            errors.push(IngestError::format(
                path,
                location.clone(),
                format!("column name `{name}` appears more than once (columns {})", positions.join(", ")),
            ));
        }
    }
    IngestError::collect(path, errors)
}

/// Parses the data records (already checked) with polars' CSV reader, every column as String, and turns
/// secrecy tokens into nulls.
fn parse_with_polars(
    path: &Path,
    body: &str,
    data: &[Record],
    names: &[String],
    sep: u8,
) -> Result<DataFrame, IngestError> {
    let mut input = String::with_capacity(body.len());
    for r in data {
        input.push_str(&body[r.start..r.end]);
        input.push('\n');
    }
    let schema: Schema =
        names.iter().map(|n| Field::new(PlSmallStr::from(n.as_str()), DataType::String)).collect();
    let polars_error = |e: polars::prelude::PolarsError| {
        IngestError::format(path, Location::File, format!("CSV parser: {e}"))
    };
    let df = CsvReadOptions::default()
        .with_has_header(false)
        .with_schema(Some(Arc::new(schema)))
        .with_infer_schema_length(Some(0))
        .with_parse_options(CsvParseOptions::default().with_separator(sep).with_quote_char(Some(b'"')))
        .into_reader_with_file_handle(Cursor::new(input.into_bytes()))
        .finish()
        .map_err(polars_error)?;
    if df.height() != data.len() || df.width() != names.len() {
        return Err(IngestError::format(
            path,
            Location::File,
            format!(
                "CSV parser read {} rows × {} columns where {} rows × {} columns were found: check the quotes",
                df.height(),
                df.width(),
                data.len(),
                names.len()
            ),
        ));
    }
    let mut columns = Vec::with_capacity(names.len());
    for (col, name) in df.columns().iter().zip(names) {
        let values: Vec<Option<&str>> =
            col.str().map_err(polars_error)?.iter().map(|v| v.filter(|s| !is_secrecy_token(s))).collect();
        columns.push(Column::new(PlSmallStr::from(name.as_str()), values));
    }
    DataFrame::new(data.len(), columns).map_err(polars_error)
}

/// A file is decimal-comma when its cells written `-?\d+,\d+` outnumber those written `-?\d+\.\d+`.
fn detect_decimal_comma(df: &DataFrame) -> bool {
    let (mut comma, mut point) = (0usize, 0usize);
    for col in df.columns() {
        let Ok(ca) = col.str() else { continue };
        for v in ca.iter().flatten() {
            match decimal_shape(v.trim()) {
                Some(b',') => comma += 1,
                Some(b'.') => point += 1,
                _ => {}
            }
        }
    }
    comma > point
}

/// `Some(mark)` when `s` is `-?digits mark digits` with mark `,` or `.`.
fn decimal_shape(s: &str) -> Option<u8> {
    let s = s.strip_prefix('-').unwrap_or(s);
    let k = s.bytes().position(|c| c == b',' || c == b'.')?;
    let (int, frac) = (&s.as_bytes()[..k], &s.as_bytes()[k + 1..]);
    let digits = |p: &[u8]| !p.is_empty() && p.iter().all(u8::is_ascii_digit);
    (digits(int) && digits(frac)).then_some(s.as_bytes()[k])
}

// ---------------------------------------------------------------------------------------------------------
// Spreadsheets

fn read_sheet(path: PathBuf, bytes: &[u8], opts: &TableOptions) -> Result<RawTable, IngestError> {
    let mut workbook = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
        IngestError::format(
            &path,
            Location::File,
            format!("not a readable spreadsheet (xlsx, xls, ods): {e}"),
        )
    })?;
    let sheets = workbook.sheet_names();
    let sheet = match &opts.sheet {
        Some(s) if sheets.contains(s) => s.clone(),
        Some(s) => {
            return Err(IngestError::format(
                &path,
                Location::File,
                format!("no sheet {s:?} in the workbook; its sheets are: {}", quoted_list(&sheets)),
            ));
        }
        None => match sheets.first() {
            Some(s) => s.clone(),
            None => return Err(IngestError::format(&path, Location::File, "the workbook has no sheet")),
        },
    };
    let range = workbook.worksheet_range(&sheet).map_err(|e| {
        IngestError::format(&path, Location::File, format!("cannot read sheet {sheet:?}: {e}"))
    })?;
    let cells: Vec<Vec<Option<String>>> = range_to_rows(&range);
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    let first_col = range.start().map_or(0, |(_, c)| c as usize);
    let table = sheet_table(&path, &sheet, &cells, first_row, first_col, opts.header_line)?;
    let (names, columns, rows) = table;

    let height = rows.len();
    let cols: Vec<Column> = names
        .iter()
        .zip(columns)
        .map(|(name, values)| Column::new(PlSmallStr::from(name.as_str()), values))
        .collect();
    let df = DataFrame::new(height, cols)
        .map_err(|e| IngestError::format(&path, Location::File, format!("building the table: {e}")))?;
    let decimal_comma = match opts.decimal {
        Decimal::Point => false,
        Decimal::Comma => true,
        Decimal::Detect => detect_decimal_comma(&df),
    };
    Ok(RawTable {
        path,
        df,
        header_line: opts.header_line,
        encoding: Encoding::Utf8,
        separator: 0,
        decimal_comma,
        origin: Origin::Sheet { name: sheet, rows },
    })
}

fn quoted_list(items: &[String]) -> String {
    if items.is_empty() {
        "(none)".to_string()
    } else {
        items.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", ")
    }
}

/// The used range of a sheet as text cells (row-major, relative to the range's start).
fn range_to_rows(range: &calamine::Range<Data>) -> Vec<Vec<Option<String>>> {
    range.rows().map(|row| row.iter().map(cell_text).collect()).collect()
}

/// Names, columns (nulls for empty cells and secrecy tokens) and 1-based sheet rows of a sheet's table.
/// `cells` start at 0-based sheet row `first_row` and column `first_col`.
type SheetTable = (Vec<String>, Vec<Vec<Option<String>>>, Vec<usize>);

fn sheet_table(
    path: &Path,
    sheet: &str,
    cells: &[Vec<Option<String>>],
    first_row: usize,
    first_col: usize,
    header_line: usize,
) -> Result<SheetTable, IngestError> {
    let at = |row: usize| Location::Row { sheet: sheet.to_string(), row };
    let header_index = (header_line - 1).checked_sub(first_row).filter(|&i| i < cells.len());
    let Some(header_index) = header_index else {
        return Err(IngestError::format(
            path,
            at(header_line),
            format!(
                "the header is expected on row {header_line} but the sheet's cells are on rows {}..{}",
                first_row + 1,
                first_row + cells.len()
            ),
        ));
    };
    let header = &cells[header_index];
    let used: Vec<usize> = header
        .iter()
        .enumerate()
        .filter(|(_, c)| c.as_deref().is_some_and(|s| !s.trim().is_empty()))
        .map(|(i, _)| i)
        .collect();
    let (Some(&lo), Some(&hi)) = (used.first(), used.last()) else {
        return Err(IngestError::format(path, at(header_line), "the header row is empty"));
    };
    let names: Vec<String> = (lo..=hi)
        .map(|i| match header[i].as_deref().map(str::trim) {
            Some(n) if !n.is_empty() => n.to_string(),
            _ => format!("column_{}", i - lo + 1),
        })
        .collect();
    check_unique(path, &names, at(header_line))?;

    let mut columns: Vec<Vec<Option<String>>> = vec![Vec::new(); names.len()];
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (k, row) in cells.iter().enumerate().skip(header_index + 1) {
        let sheet_row = first_row + k + 1;
        let filled = |c: &Option<String>| c.as_deref().is_some_and(|s| !s.trim().is_empty());
        if let Some(i) = row.iter().enumerate().position(|(i, c)| (i < lo || i > hi) && filled(c)) {
            errors.push(IngestError::format(
                path,
                at(sheet_row),
                format!(
                    "a value in column {} has no header (the header spans columns {}..{})",
                    column_letters(first_col + i),
                    column_letters(first_col + lo),
                    column_letters(first_col + hi)
                ),
            ));
            continue;
        }
        if !row.iter().any(filled) {
            continue; // blank row
        }
        for (j, column) in columns.iter_mut().enumerate() {
            let value = row.get(lo + j).cloned().flatten().filter(|s| !is_secrecy_token(s));
            column.push(value);
        }
        rows.push(sheet_row);
    }
    IngestError::collect(path, errors)?;
    if rows.is_empty() {
        return Err(IngestError::format(path, at(header_line), "no data rows after the header row"));
    }
    Ok((names, columns, rows))
}

/// Excel column letters of a 0-based column index (0 → A, 26 → AA).
fn column_letters(mut index: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(char::from(b'A' + (index % 26) as u8));
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.iter().rev().collect()
}

/// The text of a spreadsheet cell: integers without `.0`, other numbers in their shortest exact form, dates
/// as ISO 8601 (1900 date system), errors as Excel shows them (`#N/A`), so that they are reported, not hidden.
fn cell_text(cell: &Data) -> Option<String> {
    match cell {
        Data::Empty => None,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Some(s.clone()),
        Data::Int(i) => Some(i.to_string()),
        Data::Float(f) => Some(float_text(*f)),
        Data::Bool(b) => Some(b.to_string()),
        Data::DateTime(d) if d.is_datetime() => Some(excel_date_text(d.as_f64())),
        Data::DateTime(d) => Some(float_text(d.as_f64())),
        Data::Error(e) => Some(e.to_string()),
    }
}

/// `3.0` → `"3"`, `38.2` → `"38.2"`, `1e20` → `"100000000000000000000"`.
fn float_text(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        // exact: |f| < 2^53
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// An Excel serial date (1900 system: day 1 = 1900-01-01, with Excel's phantom 1900-02-29) as ISO 8601.
fn excel_date_text(serial: f64) -> String {
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).and_then(|d| d.and_hms_opt(0, 0, 0));
    let seconds = (serial * 86_400.0).round();
    let datetime =
        epoch.zip(chrono::TimeDelta::try_seconds(seconds as i64)).and_then(|(e, d)| e.checked_add_signed(d));
    match datetime {
        Some(dt) if seconds % 86_400.0 == 0.0 => dt.format("%Y-%m-%d").to_string(),
        Some(dt) => dt.format("%Y-%m-%dT%H:%M:%S").to_string(),
        None => float_text(serial),
    }
}

// ---------------------------------------------------------------------------------------------------------
// Typed access

impl RawTable {
    /// Number of data rows.
    pub fn height(&self) -> usize {
        self.df.height()
    }

    /// Column names, in file order.
    pub fn columns(&self) -> Vec<String> {
        self.df.get_column_names().into_iter().map(|n| n.to_string()).collect()
    }

    /// Where row `row` (0-based) is in the source: the line it starts on (CSV) or its sheet row.
    pub fn line_of(&self, row: usize) -> Location {
        match &self.origin {
            Origin::Lines(lines) => lines.get(row).map_or(Location::File, |&l| Location::Line(l)),
            Origin::Sheet { name, rows } => {
                rows.get(row).map_or(Location::File, |&r| Location::Row { sheet: name.clone(), row: r })
            }
        }
    }

    /// Checks that all `cols` exist; every missing one is reported.
    pub fn require_columns(&self, cols: &[&str]) -> Result<(), IngestError> {
        let present = self.columns();
        let errors =
            cols.iter().filter(|c| !present.iter().any(|p| p == *c)).map(|c| self.missing(c)).collect();
        IngestError::collect(&self.path, errors)
    }

    /// The first of `candidates` present (exact, case-sensitive), for columns renamed across vintages.
    pub fn find_column(&self, candidates: &[&str]) -> Option<String> {
        let present = self.columns();
        candidates.iter().find(|c| present.iter().any(|p| p == *c)).map(|c| c.to_string())
    }

    /// The cells of a column as text (null = empty or secrecy token).
    pub fn strings(&self, col: &str) -> Result<Vec<Option<String>>, IngestError> {
        let values = self.values(col).ok_or_else(|| self.missing(col))?;
        Ok(values.into_iter().map(|v| v.map(str::to_string)).collect())
    }

    /// The cells of a column as numbers: null or secrecy token → `None`; a cell that is not a number pushes
    /// an [`IngestError::Field`] naming its line and gives `None`. A missing column pushes
    /// [`IngestError::MissingColumn`] and gives all `None`.
    pub fn f64s(&self, col: &str, errors: &mut Vec<IngestError>) -> Vec<Option<f64>> {
        let Some(values) = self.values(col) else {
            errors.push(self.missing(col));
            return vec![None; self.height()];
        };
        values
            .into_iter()
            .enumerate()
            .map(|(row, v)| {
                let s = v?;
                if is_secrecy_token(s) {
                    return None;
                }
                let x = parse_number(s.trim(), self.decimal_comma);
                if x.is_none() {
                    errors.push(self.field_error(row, col, EXPECTED_NUMBER, s));
                }
                x
            })
            .collect()
    }

    /// The cells of a column as validated codes (trimmed): null or secrecy token → `None`; a malformed code
    /// pushes an [`IngestError::Field`] and gives `None`. A missing column pushes
    /// [`IngestError::MissingColumn`] and gives all `None`.
    pub fn codes(&self, col: &str, kind: CodeKind, errors: &mut Vec<IngestError>) -> Vec<Option<String>> {
        let Some(values) = self.values(col) else {
            errors.push(self.missing(col));
            return vec![None; self.height()];
        };
        values
            .into_iter()
            .enumerate()
            .map(|(row, v)| {
                let s = v?;
                let code = s.trim();
                if is_secrecy_token(code) {
                    None
                } else if kind.matches(code) {
                    Some(code.to_string())
                } else {
                    errors.push(self.field_error(row, col, kind.expected(), s));
                    None
                }
            })
            .collect()
    }

    fn values(&self, col: &str) -> Option<Vec<Option<&str>>> {
        let ca = self.df.column(col).ok()?.str().ok()?;
        Some(ca.iter().collect())
    }

    /// Where the header is: its line, or its sheet row.
    pub fn header_location(&self) -> Location {
        match &self.origin {
            Origin::Lines(_) => Location::Line(self.header_line),
            Origin::Sheet { name, .. } => Location::Row { sheet: name.clone(), row: self.header_line },
        }
    }

    fn missing(&self, col: &str) -> IngestError {
        IngestError::MissingColumn {
            path: self.path.clone(),
            location: self.header_location(),
            column: col.to_string(),
            found: self.columns().join(", "),
        }
    }

    fn field_error(&self, row: usize, col: &str, expected: &str, found: &str) -> IngestError {
        IngestError::Field {
            path: self.path.clone(),
            location: self.line_of(row),
            field: col.to_string(),
            expected: expected.to_string(),
            found: found.to_string(),
        }
    }
}

/// Parses a trimmed number: optional sign, digits with at most one decimal mark (a comma only when
/// `decimal_comma`), optional exponent. No digit grouping, no `inf`/`NaN`.
fn parse_number(s: &str, decimal_comma: bool) -> Option<f64> {
    let normalised: Cow<'_, str> = if s.contains(',') {
        if !decimal_comma || s.contains('.') {
            return None;
        }
        Cow::Owned(s.replacen(',', ".", 1))
    } else {
        Cow::Borrowed(s)
    };
    let unsigned = normalised.strip_prefix(['+', '-']).unwrap_or(&normalised);
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(k) => (&unsigned[..k], Some(&unsigned[k + 1..])),
        None => (unsigned, None),
    };
    let mut parts = mantissa.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next().unwrap_or("");
    let all_digits = |p: &str| p.bytes().all(|c| c.is_ascii_digit());
    let mantissa_ok = all_digits(int) && all_digits(frac) && !(int.is_empty() && frac.is_empty());
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && all_digits(e)
    });
    if !(mantissa_ok && exponent_ok) {
        return None;
    }
    normalised.parse::<f64>().ok().filter(|x| x.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str, opts: &TableOptions) -> Result<RawTable, IngestError> {
        let dir = tempfile::tempdir().map_err(|e| io_error(Path::new("tmp"), e))?;
        let path = dir.path().join("t.csv");
        std::fs::write(&path, text).map_err(|e| io_error(&path, e))?;
        read_table(&path, opts)
    }

    fn ok(text: &str) -> RawTable {
        match table(text, &TableOptions::default()) {
            Ok(t) => t,
            Err(e) => panic!("{e}"),
        }
    }

    fn err(text: &str) -> String {
        match table(text, &TableOptions::default()) {
            Ok(_) => panic!("expected an error for {text:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn secrecy_tokens() {
        for t in ["", "  ", "s", "S", "nd", "ND", "ns", "nc", "so", "c", ".", "NA", "na", "n/a", "N/A", " s "]
        {
            assert!(is_secrecy_token(t), "{t:?}");
        }
        for t in ["0", "sa", "-", "NaN", "x", "1.5"] {
            assert!(!is_secrecy_token(t), "{t:?}");
        }
    }

    #[test]
    fn code_kinds() {
        use CodeKind::*;
        for (kind, good, bad) in [
            (
                Commune,
                &["67482", "2A004", "2B033", "97411", "01001"][..],
                &["1001", "2C004", "674820", "6748A"][..],
            ),
            (Iris, &["674820101", "2A0040000"], &["67482010", "6748201011", "2A004000X"]),
            (Qpv2024, &["QN06701M", "QN97414I"], &["QN0670M", "QN06701m", "QP066007"]),
            (Qpv2015, &["QP066007"], &["QP06600", "QN066007", "QP06600A"]),
            (Departement, &["01", "67", "2A", "2B", "971", "976"], &["1", "2C", "981", "067"]),
        ] {
            for g in good {
                assert!(kind.matches(g), "{kind:?} {g}");
            }
            for b in bad {
                assert!(!kind.matches(b), "{kind:?} {b}");
            }
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_number("38.2", false), Some(38.2));
        assert_eq!(parse_number("-3", false), Some(-3.0));
        assert_eq!(parse_number("1e3", false), Some(1000.0));
        assert_eq!(parse_number(".5", false), Some(0.5));
        assert_eq!(parse_number("38,2", false), None);
        assert_eq!(parse_number("38,2", true), Some(38.2));
        assert_eq!(parse_number("38.2", true), Some(38.2));
        for bad in ["1 234,5", "1.234,5", "1,2,3", "inf", "NaN", "abc", "-", "", "1e", "12a", "1\u{a0}234"] {
            assert_eq!(parse_number(bad, true), None, "{bad:?}");
        }
    }

    #[test]
    fn decimal_shapes() {
        assert_eq!(decimal_shape("38,2"), Some(b','));
        assert_eq!(decimal_shape("-0.5"), Some(b'.'));
        assert_eq!(decimal_shape("50.29, 2.77"), None);
        assert_eq!(decimal_shape("12"), None);
        assert_eq!(decimal_shape(",5"), None);
    }

    #[test]
    fn separator_detection() {
        assert_eq!(ok("a;b,c\n1;2\n").separator, b';');
        assert_eq!(ok("a,b\n1,2\n").separator, b',');
        assert_eq!(ok("a\tb\n1\t2\n").separator, b'\t');
        assert_eq!(ok("a|b\n1|2\n").separator, b'|');
        // a comma inside a quoted header does not count
        assert_eq!(ok("\"x, y\";b\n1;2\n").separator, b';');
        let one = ok("IRIS\n674820101\n");
        assert_eq!(one.columns(), vec!["IRIS"]);
        assert!(err("IRIS\n674820101;1\n").contains("cannot detect the separator"));
    }

    #[test]
    fn codes_keep_leading_zeros_and_strings_stay_strings() {
        let t = ok("COM;N\n01001;007\n2A004;1\n");
        assert_eq!(t.strings("COM").ok(), Some(vec![Some("01001".into()), Some("2A004".into())]));
        assert_eq!(t.strings("N").ok(), Some(vec![Some("007".into()), Some("1".into())]));
        for c in t.df.columns() {
            assert_eq!(c.dtype(), &DataType::String);
        }
    }

    #[test]
    fn quoted_fields_and_line_numbers() {
        let t = ok("id,nom\n1,\"a, \"\"b\"\"\"\n2,\"two\nlines\"\n\n3,z\n");
        assert_eq!(t.height(), 3);
        assert_eq!(
            t.strings("nom").ok(),
            Some(vec![Some("a, \"b\"".into()), Some("two\nlines".into()), Some("z".into())])
        );
        assert_eq!(
            (t.line_of(0), t.line_of(1), t.line_of(2)),
            (Location::Line(2), Location::Line(3), Location::Line(6))
        );
        assert_eq!(t.line_of(9), Location::File);
    }

    #[test]
    fn many_rows_with_multiline_fields_keep_their_lines() {
        // larger than polars' 256 KiB chunks, so its parallel split must agree with ours
        let mut text = String::from("IRIS;NOTE;P\n");
        for i in 0..30_000 {
            if i % 7 == 0 {
                text.push_str(&format!("{i:09};\"multi\nline; {i}\";{i},5\n"));
            } else {
                text.push_str(&format!("{i:09};plain;{i}\n"));
            }
        }
        let t = ok(&text);
        assert_eq!(t.height(), 30_000);
        // row i starts on line 2 + i + (number of multi-line rows before it)
        for i in [0usize, 1, 7, 8, 29_999] {
            assert_eq!(t.line_of(i), Location::Line(2 + i + i.div_ceil(7)), "row {i}");
        }
        let iris = t.strings("IRIS").unwrap_or_default();
        assert_eq!(iris[29_999].as_deref(), Some("000029999"));
        assert_eq!(t.strings("NOTE").unwrap_or_default()[7].as_deref(), Some("multi\nline; 7"));
    }

    #[test]
    fn header_names_trimmed_empty_named_duplicates_refused() {
        let t = ok("a; b ;\n1;2;3\n");
        assert_eq!(t.columns(), vec!["a", "b", "column_3"]);
        let e = err("a;b;a;b\n1;2;3;4\n");
        assert!(e.contains("`a` appears more than once (columns 1, 3)"), "{e}");
        assert!(e.contains("`b` appears more than once (columns 2, 4)"), "{e}");
    }

    #[test]
    fn ragged_rows_all_reported() {
        let e = match table("a;b\n1;2\n1\n1;2;3\n1;2\n", &TableOptions::default()) {
            Err(e) => e,
            Ok(_) => panic!("ragged rows accepted"),
        };
        assert_eq!(e.count(), 2);
        let s = e.to_string();
        assert!(s.contains("line 3: expected 2 fields as in the header (line 1), found 1"), "{s}");
        assert!(s.contains("line 4: expected 2 fields as in the header (line 1), found 3"), "{s}");
    }

    #[test]
    fn unclosed_quote() {
        assert!(err("a;b\n1;\"open\n2;3\n").contains("line 2: a quoted field opened here is never closed"));
    }

    #[test]
    fn gzip_is_decompressed_by_name_with_every_member_and_a_size_cap() {
        use std::io::Write;
        let gz = |text: &[u8]| {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            enc.write_all(text).unwrap();
            enc.finish().unwrap()
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("immeubles.csv.gz");
        // two gzip members, as `cat a.gz b.gz` gives
        let mut bytes = gz(b"imb_id;imb_x\nA;1\n");
        bytes.extend(gz(b"B;2\n"));
        std::fs::write(&path, bytes).unwrap();
        let t = read_table(&path, &TableOptions::default()).unwrap();
        assert_eq!((t.height(), t.separator), (2, b';'));
        assert_eq!(t.path, path, "errors name the .gz file");
        let e = read_gzip(&path, 10).unwrap_err().to_string();
        assert!(e.contains("whole file") && e.contains("more than 10 bytes"), "{e}");
        std::fs::write(&path, "imb_id;imb_x\nA;1\n").unwrap();
        let e = read_table(&path, &TableOptions::default()).unwrap_err().to_string();
        assert!(e.contains("not a readable gzip file"), "{e}");
    }

    #[test]
    fn utf16_text_is_refused_clearly() {
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend("IRIS;P21_POP\n990010101;12\n".encode_utf16().flat_map(u16::to_le_bytes));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, bytes).unwrap();
        let e = read_table(&path, &TableOptions::default()).unwrap_err().to_string();
        assert!(e.contains("whole file") && e.contains("UTF-16 little-endian"), "{e}");
    }

    #[test]
    fn missing_columns_name_the_header_line() {
        let opts = TableOptions { header_line: 2, ..TableOptions::default() };
        let t = match table("Titre\nIRIS;P\n674820101;1\n", &opts) {
            Ok(t) => t,
            Err(e) => panic!("{e}"),
        };
        let e = t.require_columns(&["P21_POP"]).unwrap_err().to_string();
        assert!(e.contains("line 2 (header): missing required column `P21_POP`"), "{e}");
    }

    #[test]
    fn empty_and_header_only() {
        assert!(err("").contains("whole file: the file is empty"));
        assert!(err("\n\n").contains("the file is empty"));
        assert!(err("a;b\n").contains("line 1: no data rows after the header"));
        assert!(err("a;b\n\n").contains("no data rows"));
    }

    #[test]
    fn header_line_option() {
        let opts = TableOptions { header_line: 3, ..TableOptions::default() };
        let t = match table("Titre\nSource : Insee\nIRIS;P\n674820101;1\n", &opts) {
            Ok(t) => t,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(t.columns(), vec!["IRIS", "P"]);
        assert_eq!(t.line_of(0), Location::Line(4));
        let far = TableOptions { header_line: 9, ..TableOptions::default() };
        assert!(table("a\n1\n", &far).is_err_and(|e| e.to_string().contains("only 2 line")));
        let zero = TableOptions { header_line: 0, ..TableOptions::default() };
        assert!(table("a\n1\n", &zero).is_err());
    }

    #[test]
    fn decimal_detection() {
        assert!(ok("IRIS;TP60\n1;38,2\n2;12,5\n3;7\n").decimal_comma);
        assert!(!ok("IRIS;TP60\n1;38.2\n2;12\n").decimal_comma);
        assert!(!ok("IRIS,TP60\n1,\"38,2\"\n").decimal_comma);
        let forced = TableOptions { decimal: Decimal::Comma, ..TableOptions::default() };
        assert!(table("a,b\n1,\"3,5\"\n", &forced).is_ok_and(|t| t.decimal_comma));
    }

    #[test]
    fn f64s_and_codes_collect_errors_with_lines() {
        let t = ok("IRIS;TP60\n674820101;38,2\n67482;s\n674820103;abc\n674820104;\n");
        let mut errors = Vec::new();
        assert_eq!(t.f64s("TP60", &mut errors), vec![Some(38.2), None, None, None]);
        assert_eq!(errors.len(), 1);
        assert!(
            matches!(&errors[0], IngestError::Field { location: Location::Line(4), found, .. } if found == "abc")
        );
        let codes = t.codes("IRIS", CodeKind::Iris, &mut errors);
        assert_eq!(
            codes,
            vec![Some("674820101".into()), None, Some("674820103".into()), Some("674820104".into())]
        );
        assert_eq!(errors.len(), 2);
        assert!(matches!(&errors[1], IngestError::Field { location: Location::Line(3), .. }));
        t.f64s("nope", &mut errors);
        assert!(matches!(&errors[2], IngestError::MissingColumn { column, .. } if column == "nope"));
    }

    #[test]
    fn column_lookup() {
        let t = ok("IRIS;P19_NSCOL15P_DIPL0\n1;2\n");
        assert_eq!(
            t.find_column(&["P19_NSCOL15P_DIPLMIN", "P19_NSCOL15P_DIPL0"]).as_deref(),
            Some("P19_NSCOL15P_DIPL0")
        );
        assert_eq!(t.find_column(&["iris"]), None);
        assert!(t.require_columns(&["IRIS"]).is_ok());
        let e = match t.require_columns(&["IRIS", "A", "B"]) {
            Err(e) => e,
            Ok(()) => panic!("missing columns accepted"),
        };
        assert_eq!(e.count(), 2);
        assert!(t.strings("A").is_err());
    }

    #[test]
    fn spreadsheet_cells_as_text() {
        assert_eq!(cell_text(&Data::Float(3.0)), Some("3".into()));
        assert_eq!(cell_text(&Data::Float(38.2)), Some("38.2".into()));
        assert_eq!(cell_text(&Data::Float(-0.0)), Some("0".into()));
        assert_eq!(cell_text(&Data::Float(1e20)), Some("100000000000000000000".into()));
        assert_eq!(cell_text(&Data::Int(1001)), Some("1001".into()));
        assert_eq!(cell_text(&Data::String("01001".into())), Some("01001".into()));
        assert_eq!(cell_text(&Data::Empty), None);
        assert_eq!(cell_text(&Data::Error(calamine::CellErrorType::NA)), Some("#N/A".into()));
        assert_eq!(excel_date_text(45292.0), "2024-01-01");
        assert_eq!(excel_date_text(45292.5), "2024-01-01T12:00:00");
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }

    #[test]
    fn sheet_table_from_cells() {
        let s = |v: &str| Some(v.to_string());
        // sheet rows 5..=9 (0-based first_row 4), columns from B
        let cells = vec![
            vec![s("Note"), None, None],
            vec![s("IRIS"), s(" P "), None],
            vec![s("674820101"), s("12"), None],
            vec![None, None, None],
            vec![s("674820102"), s("s"), None],
        ];
        let (names, cols, rows) = match sheet_table(Path::new("x.xlsx"), "IRIS", &cells, 4, 1, 6) {
            Ok(t) => t,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(names, vec!["IRIS", "P"]);
        assert_eq!(cols[1], vec![s("12"), None]);
        assert_eq!(rows, vec![7, 9]);
        let mut stray = cells.clone();
        stray[2][2] = s("oops");
        let e = sheet_table(Path::new("x.xlsx"), "IRIS", &stray, 4, 1, 6).err().map(|e| e.to_string());
        assert!(e.is_some_and(|e| e.contains("sheet \"IRIS\" row 7: a value in column D has no header")));
        assert!(sheet_table(Path::new("x.xlsx"), "IRIS", &cells, 4, 1, 2).is_err());
    }
}
