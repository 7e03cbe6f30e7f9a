//! One test per read option ([`ReadOptions`]), each showing that the option changes what is read, and the
//! catalogue's options reaching the reader under the dataset's.
#![allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]

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
    let args = ContextArgs { dataset: "x".into(), data_dir: data.to_path_buf(), ..ContextArgs::default() };
    let ctx = Context::resolve(&args).unwrap();
    let opts = ctx.read_options(FileRole::IrisFilosofi);
    assert_eq!((opts.separator, opts.decimal, opts.header_line), (Some(b';'), Some(Decimal::Point), Some(2)));
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
    assert!(!read_table(&ctx.input(&file), &ctx.read_options(FileRole::IrisFilosofi)).unwrap().decimal_comma);
}
