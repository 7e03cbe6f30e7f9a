//! CSV text to a [`RawTable`]: records split at the line ends outside quotes, fields split with polars'
//! rules (`"` opens a field only at its start, `""` inside is a quote, as RFC 4180), header names trimmed,
//! named when empty and unique, every row as wide as the header (all ragged rows reported together), then
//! the cells parsed by polars as text. Empty lines after the header are skipped. The text is decoded first
//! ([`crate::ingest::encoding`]: as the `encoding` option says, or detected).

use std::borrow::Cow;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use polars::prelude::{
    Column, CsvParseOptions, CsvReadOptions, DataFrame, DataType, Field, PlSmallStr, Schema, SerReader,
};

use super::detect::{detect_decimal_comma, detect_separator};
use super::{Decimal, Origin, RawTable, ReadOptions, check_unique, is_secrecy_token};
use crate::ingest::encoding::{decode_as, unsupported_encoding};
use crate::ingest::error::{IngestError, Location};

/// One record of the text: byte range (without its `\n`) and 1-based line where it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Record {
    pub start: usize,
    pub end: usize,
    pub line: usize,
}

pub(super) fn read_csv(path: PathBuf, bytes: Vec<u8>, opts: &ReadOptions) -> Result<RawTable, IngestError> {
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
    let (text, encoding) = decode_as(bytes, opts.encoding)
        .map_err(|message| IngestError::format(&path, Location::File, message))?;
    if text.trim().is_empty() {
        return Err(IngestError::format(path, Location::File, "the file is empty (no header, no rows)"));
    }
    let header_line = opts.header_line();
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
    let has_nul = body.contains('\0');
    for r in &data {
        match split_fields(&body[r.start..r.end], sep) {
            Ok(fields) if fields.len() == names.len() => {
                if has_nul {
                    for (field, name) in fields.iter().zip(&names).filter(|(f, _)| f.contains('\0')) {
                        let at = field.chars().position(|c| c == '\0').map_or(0, |p| p + 1);
                        errors.push(IngestError::Field {
                            path: path.clone(),
                            location: Location::Line(r.line),
                            field: name.clone(),
                            expected:
                                "text without NUL bytes (a NUL is never part of a CSV value: a damaged file?)"
                                    .into(),
                            found: format!("a NUL byte at character {at} of the field"),
                        });
                    }
                }
            }
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
        Some(Decimal::Point) => false,
        Some(Decimal::Comma) => true,
        None => sep != b',' && detect_decimal_comma(&df),
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

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use super::super::testing::{err, ok, table};
    use super::*;
    use crate::ingest::read::read_table;

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
        let e = match table("a;b\n1;2\n1\n1;2;3\n1;2\n", &ReadOptions::default()) {
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
    fn utf16_text_is_refused_clearly() {
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend("IRIS;P21_POP\n990010101;12\n".encode_utf16().flat_map(u16::to_le_bytes));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, bytes).unwrap();
        let e = read_table(&path, &ReadOptions::default()).unwrap_err().to_string();
        assert!(e.contains("whole file") && e.contains("UTF-16 little-endian"), "{e}");
    }

    #[test]
    fn missing_columns_name_the_header_line() {
        let opts = ReadOptions { header_line: Some(2), ..ReadOptions::default() };
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
        let opts = ReadOptions { header_line: Some(3), ..ReadOptions::default() };
        let t = match table("Titre\nSource : Insee\nIRIS;P\n674820101;1\n", &opts) {
            Ok(t) => t,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(t.columns(), vec!["IRIS", "P"]);
        assert_eq!(t.line_of(0), Location::Line(4));
        let far = ReadOptions { header_line: Some(9), ..ReadOptions::default() };
        assert!(table("a\n1\n", &far).is_err_and(|e| e.to_string().contains("only 2 line")));
        let zero = ReadOptions { header_line: Some(0), ..ReadOptions::default() };
        assert!(table("a\n1\n", &zero).is_err());
    }
}
