//! The one reader every tabular input goes through (`data/FORMATS.md` §3–6), by concept:
//!
//! - [`csv`]: CSV text to a table: records and quoted fields, header names, ragged rows, polars parsing
//! - [`detect`]: what the file does not say: the separator and the decimal mark
//! - [`sheet`]: spreadsheet sheets (xlsx, xls, ods, via calamine): cells as text, the header row
//! - [`compressed`]: the bytes of a gzip file or of one zip member, under a size cap
//! - [`typed`]: typed access to the text cells: numbers, validated codes, columns, error locations
//!
//! How to read a file is said by one type, [`ReadOptions`] (from `crate::io::read_options`: the source
//! catalogue and a dataset's `[formats]` deserialise into it); every field is honoured here.
//!
//! Input: a CSV file (UTF-8 with or without BOM, or Latin-1: detected unless `encoding` is set; separator
//! `;` `,` tab or `|`, detected unless set; decimal point or comma, detected per file unless `decimal` is
//! set; header on line `header_line`) or a spreadsheet sheet, either one possibly inside a zip archive
//! (`zip_member`), or gzip-compressed (`compression = "gzip"`, or a path ending in `.gz` such as ARCEP's
//! `immeubles.csv.gz`; the format is then told by the name without `.gz`).
//! Output: a [`RawTable`] whose DataFrame has **only String columns**
//! (codes such as `01001` or `2A004` keep their text), with empty cells and secrecy tokens
//! ([`is_secrecy_token`]) as null, plus the source line (or sheet row) of every row for error messages.
//!
//! Invariants checked on read, all problems of one kind reported together:
//! - every data row has as many fields as the header (quotes respected, multi-line quoted fields allowed);
//! - header names are trimmed, non-empty (an empty one is named `column_<n>`, 1-based) and unique;
//! - there is at least one data row.
//!
//! Typed access goes through [`RawTable::f64s`] and [`RawTable::codes`], which collect one
//! [`IngestError::Field`] per bad cell, naming the line.
//!
//! Paths in errors: for a zip member, `RawTable::path` and every error name `<zip>/<member>`; a `.gz` file is
//! named as given.
#![allow(
    clippy::result_large_err,
    reason = "the API returns `IngestError` by value (its variants carry path, location and field for the user); \
              errors are cold, a large `Err` costs nothing on the read path"
)]

pub mod compressed;
pub mod csv;
pub mod detect;
pub mod sheet;
pub mod typed;

use std::path::{Path, PathBuf};

use polars::prelude::DataFrame;

pub use super::encoding::Encoding;
use super::error::{IngestError, Location};
pub use crate::io::read_options::{Compression, Decimal, ReadOptions, TextEncoding};
pub use typed::{CodeKind, is_secrecy_token};

/// File extensions read as spreadsheets.
const SPREADSHEET_EXTENSIONS: [&str; 4] = ["xlsx", "xlsm", "xls", "ods"];

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
/// use fracture::ingest::read::{read_table, ReadOptions};
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("filo.csv");
/// std::fs::write(&path, "IRIS;DISP_TP6019\n674820101;38,2\n674820102;s\n").unwrap();
/// let t = read_table(&path, &ReadOptions::default()).unwrap();
/// let mut errors = Vec::new();
/// assert_eq!(t.f64s("DISP_TP6019", &mut errors), vec![Some(38.2), None]);
/// assert!(errors.is_empty());
/// ```
pub fn read_table(path: &Path, opts: &ReadOptions) -> Result<RawTable, IngestError> {
    if opts.header_line == Some(0) {
        return Err(IngestError::format(path, Location::File, "header_line is 1-based: 0 is not a line"));
    }
    let named_gz = has_extension(path, "gz");
    let gzip = opts.zip_member.is_none() && (opts.compression == Some(Compression::Gzip) || named_gz);
    let (shown_path, bytes) = match &opts.zip_member {
        Some(member) => (path.join(member), compressed::read_zip_member(path, member)?),
        None if gzip => (path.to_path_buf(), compressed::read_gzip(path, compressed::MAX_MEMBER_BYTES)?),
        None => (path.to_path_buf(), std::fs::read(path).map_err(|source| io_error(path, source))?),
    };
    // The name that tells the format: the zip member, or the file without its `.gz`.
    let name: &Path = match (&opts.zip_member, gzip && named_gz) {
        (Some(member), _) => Path::new(member),
        (None, true) => path.file_stem().map_or(path, Path::new),
        (None, false) => path,
    };
    let spreadsheet = opts.sheet.is_some()
        || name
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| SPREADSHEET_EXTENSIONS.iter().any(|x| e.eq_ignore_ascii_case(x)));
    if spreadsheet {
        sheet::read_sheet(shown_path, &bytes, opts)
    } else {
        csv::read_csv(shown_path, bytes, opts)
    }
}

fn io_error(path: &Path, source: std::io::Error) -> IngestError {
    IngestError::Io { path: path.to_path_buf(), source }
}

fn has_extension(path: &Path, ext: &str) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case(ext))
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

/// Helpers for the unit tests of the submodules: a table read from CSV text.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    pub fn table(text: &str, opts: &ReadOptions) -> Result<RawTable, IngestError> {
        let dir = tempfile::tempdir().map_err(|e| io_error(Path::new("tmp"), e))?;
        let path = dir.path().join("t.csv");
        std::fs::write(&path, text).map_err(|e| io_error(&path, e))?;
        read_table(&path, opts)
    }

    pub fn ok(text: &str) -> RawTable {
        match table(text, &ReadOptions::default()) {
            Ok(t) => t,
            Err(e) => panic!("{e}"),
        }
    }

    pub fn err(text: &str) -> String {
        match table(text, &ReadOptions::default()) {
            Ok(_) => panic!("expected an error for {text:?}"),
            Err(e) => e.to_string(),
        }
    }
}

/// One test per read option: each shows the option changing what is read.
#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod options_are_honoured {
    use std::io::Write;

    use super::testing::table;
    use super::*;

    fn write(name: &str, bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        (dir, path)
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(bytes).unwrap();
        enc.finish().unwrap()
    }

    #[test]
    fn separator() {
        // `;` and `,` tie in the header: detection prefers `;`
        let text = "a,b;c\n1,2;3\n";
        assert_eq!(table(text, &ReadOptions::default()).unwrap().columns(), vec!["a,b", "c"]);
        let comma = ReadOptions { separator: Some(b','), ..ReadOptions::default() };
        assert_eq!(table(text, &comma).unwrap().columns(), vec!["a", "b;c"]);
    }

    #[test]
    fn header_line() {
        let text = "Titre du fichier\nIRIS;P\n674820101;1\n";
        assert!(table(text, &ReadOptions::default()).is_err());
        let second = ReadOptions { header_line: Some(2), ..ReadOptions::default() };
        assert_eq!(table(text, &second).unwrap().columns(), vec!["IRIS", "P"]);
    }

    #[test]
    fn decimal_point_where_detection_would_guess_a_comma() {
        let text = "IRIS;X\n1;38,2\n2;1,5\n3;2.5\n";
        let mut errors = Vec::new();
        let detected = table(text, &ReadOptions::default()).unwrap();
        assert_eq!(detected.f64s("X", &mut errors), vec![Some(38.2), Some(1.5), Some(2.5)]);
        assert!(errors.is_empty());
        let point = ReadOptions { decimal: Some(Decimal::Point), ..ReadOptions::default() };
        let t = table(text, &point).unwrap();
        assert!(!t.decimal_comma);
        assert_eq!(t.f64s("X", &mut errors), vec![None, None, Some(2.5)]);
        assert_eq!(errors.len(), 2, "a comma in a decimal-point file is an error, not a guess");
    }

    #[test]
    fn decimal_comma_where_detection_would_not_guess_it() {
        // a `,`-separated file is never detected as decimal-comma
        let text = "IRIS,X\n1,\"38,2\"\n";
        let mut errors = Vec::new();
        assert_eq!(table(text, &ReadOptions::default()).unwrap().f64s("X", &mut errors), vec![None]);
        assert_eq!(errors.len(), 1);
        let comma = ReadOptions { decimal: Some(Decimal::Comma), ..ReadOptions::default() };
        let mut errors = Vec::new();
        assert_eq!(table(text, &comma).unwrap().f64s("X", &mut errors), vec![Some(38.2)]);
        assert!(errors.is_empty());
    }

    #[test]
    fn encoding() {
        let utf8 = "IRIS;LIBIRIS\n674820101;Gare Centrale – Nord\n";
        let nom = |t: &RawTable| t.strings("LIBIRIS").unwrap()[0].clone().unwrap_or_default();
        let detected = table(utf8, &ReadOptions::default()).unwrap();
        assert_eq!((nom(&detected), detected.encoding), ("Gare Centrale – Nord".into(), Encoding::Utf8));
        let latin1 = ReadOptions { encoding: Some(TextEncoding::Latin1), ..ReadOptions::default() };
        let forced = table(utf8, &latin1).unwrap();
        assert_eq!((nom(&forced), forced.encoding), ("Gare Centrale â€“ Nord".into(), Encoding::Latin1));

        let (_dir, path) = write("t.csv", b"IRIS;LIBIRIS\n674820101;Libell\xE9\n");
        assert_eq!(read_table(&path, &ReadOptions::default()).unwrap().encoding, Encoding::Latin1);
        let utf8_only = ReadOptions { encoding: Some(TextEncoding::Utf8), ..ReadOptions::default() };
        let e = read_table(&path, &utf8_only).unwrap_err().to_string();
        assert!(e.contains("line 2: byte 0xE9 is not UTF-8"), "{e}");
    }

    #[test]
    fn compression() {
        // a gzip file whose name does not say so
        let (_dir, path) = write("immeubles.csv", &gzip(b"imb_id;imb_x\nA;1\n"));
        assert!(read_table(&path, &ReadOptions::default()).is_err());
        let gz = ReadOptions { compression: Some(Compression::Gzip), ..ReadOptions::default() };
        let t = read_table(&path, &gz).unwrap();
        assert_eq!((t.columns(), t.height()), (vec!["imb_id".to_string(), "imb_x".to_string()], 1));
    }

    #[test]
    fn sheet_forces_spreadsheet_reading() {
        // (which sheet is read: tests/integration/table.rs, on a real xlsx)
        let (_dir, path) = write("t.csv", b"IRIS;P\n674820101;1\n");
        assert!(read_table(&path, &ReadOptions::default()).is_ok());
        let sheet = ReadOptions { sheet: Some("IRIS".into()), ..ReadOptions::default() };
        let e = read_table(&path, &sheet).unwrap_err().to_string();
        assert!(e.contains("not a readable spreadsheet"), "{e}");
    }

    #[test]
    fn zip_member() {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        zip.start_file("data/filo.csv", zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(b"IRIS;P\n674820101;1\n").unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        let (_dir, path) = write("filo.zip", &bytes);
        let member = ReadOptions { zip_member: Some("data/filo.csv".into()), ..ReadOptions::default() };
        let t = read_table(&path, &member).unwrap();
        assert_eq!(
            (t.columns(), t.path.clone()),
            (vec!["IRIS".to_string(), "P".to_string()], path.join("data/filo.csv"))
        );
        let as_text = read_table(&path, &ReadOptions::default()).map(|t| t.columns());
        assert_ne!(as_text.ok(), Some(vec!["IRIS".to_string(), "P".to_string()]));
    }

    /// `decimal = "."` in the catalogue reaches the reader (it used to be validated, then dropped), under
    /// the dataset's own `[formats]`, which win field by field.
    #[test]
    fn catalogue_options_reach_the_reader_under_the_datasets() {
        use crate::context::{Context, ContextArgs, FileRole};
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path();
        std::fs::create_dir_all(data.join("datasets")).unwrap();
        std::fs::write(
            data.join("sources.toml"),
            "[[source]]\nid = \"filo\"\npublisher = \"INSEE\"\npath = \"filo.csv\"\nlicence = \"etalab-2.0\"\n\
             vintage = \"2021\"\nformat = { kind = \"csv\", separator = \";\", decimal = \".\", header_line = 1 }\n",
        )
        .unwrap();
        std::fs::write(data.join("filo.csv"), "Titre\nIRIS;DISP_MED21\n674820101;21,5\n674820102;19.5\n")
            .unwrap();
        std::fs::write(
            data.join("datasets/x.toml"),
            "id = \"x\"\nname = \"x\"\ncredit = \"c\"\nperiod = \"p\"\nsources = [{ id = \"filo\" }]\n\
             [files]\nqpv = \"q.geojson\"\niris_filosofi = \"@filo\"\n[formats.iris_filosofi]\nheader_line = 2\n",
        )
        .unwrap();
        let args =
            ContextArgs { dataset: "x".into(), data_dir: data.to_path_buf(), ..ContextArgs::default() };
        let ctx = Context::resolve(&args).unwrap();
        let opts = ctx.read_options(FileRole::IrisFilosofi);
        assert_eq!(
            (opts.separator, opts.decimal, opts.header_line),
            (Some(b';'), Some(Decimal::Point), Some(2))
        );
        let file = ctx.dataset.files.iris_filosofi.clone().unwrap();
        let t = read_table(&ctx.input(&file), &opts).unwrap();
        let mut errors = Vec::new();
        assert_eq!(t.f64s("DISP_MED21", &mut errors), vec![None, Some(19.5)]);
        assert!(errors[0].to_string().contains("\"21,5\""), "{}", errors[0]);
        // without the catalogue's decimal, the comma would have been detected (one comma, one point: no
        // majority, so a point here; two commas make it a comma file)
        let detected = ReadOptions { decimal: None, ..opts };
        std::fs::write(data.join("filo.csv"), "Titre\nIRIS;DISP_MED21\n674820101;21,5\n674820102;19,5\n")
            .unwrap();
        assert!(read_table(&ctx.input(&file), &detected).unwrap().decimal_comma);
        assert!(
            !read_table(&ctx.input(&file), &ctx.read_options(FileRole::IrisFilosofi)).unwrap().decimal_comma
        );
    }
}
