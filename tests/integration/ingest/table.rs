//! `ingest::table`: the tabular reader on small handwritten fixtures (`tests/fixtures/table/`), a zip and an
//! xlsx built in the test, and the real extracts.

use std::io::Write;
use std::path::{Path, PathBuf};

use fracture::ingest::error::{IngestError, Location};
use fracture::ingest::read::{CodeKind, Decimal, Encoding, RawTable, ReadOptions, read_table};
use polars::prelude::DataType;
use zip::write::SimpleFileOptions;

use crate::support;

fn fixture(name: &str) -> PathBuf {
    support::project_root().join("tests/fixtures/table").join(name)
}

fn read(path: &Path, opts: &ReadOptions) -> RawTable {
    read_table(path, opts).unwrap_or_else(|e| panic!("{e}"))
}

fn read_fixture(name: &str) -> RawTable {
    read(&fixture(name), &ReadOptions::default())
}

fn fail(path: &Path, opts: &ReadOptions) -> IngestError {
    match read_table(path, opts) {
        Ok(t) => panic!("{} read without error: {:?}", path.display(), t.columns()),
        Err(e) => e,
    }
}

fn fail_fixture(name: &str) -> IngestError {
    fail(&fixture(name), &ReadOptions::default())
}

fn strings(t: &RawTable, col: &str) -> Vec<Option<String>> {
    t.strings(col).unwrap_or_else(|e| panic!("{e}"))
}

fn s(v: &str) -> Option<String> {
    Some(v.to_string())
}

#[test]
fn filosofi_latin1_decimal_comma() {
    let t = read_fixture("filosofi_latin1_decimal_comma.csv");
    assert_eq!(t.encoding, Encoding::Latin1);
    assert_eq!(t.separator, b';');
    assert!(t.decimal_comma);
    assert_eq!(strings(&t, "LIBIRIS"), vec![s("Esplanade"), s("Cité de l'Ill"), s("Cœur")]);
    let mut errors = Vec::new();
    assert_eq!(t.f64s("DISP_TP6019", &mut errors), vec![Some(38.2), None, Some(12.5)]);
    assert_eq!(t.f64s("DISP_MED19", &mut errors), vec![Some(14560.0), None, Some(21030.5)]);
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn insee_bom_comma() {
    let t = read_fixture("insee_bom_comma.csv");
    assert_eq!(t.encoding, Encoding::Utf8Bom);
    assert_eq!(t.separator, b',');
    assert!(!t.decimal_comma);
    // the BOM does not stick to the first column name; CRLF is gone from the last one
    assert_eq!(t.columns(), vec!["code_qp", "nom_qp", "pop_mun", "tp60"]);
    let mut errors = Vec::new();
    assert_eq!(t.codes("code_qp", CodeKind::Qpv2015, &mut errors), vec![s("QP067001"), s("QP067002")]);
    assert_eq!(t.f64s("pop_mun", &mut errors), vec![Some(15230.0), None]);
    assert_eq!(t.f64s("tp60", &mut errors), vec![Some(45.1), Some(38.7)]);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(t.line_of(1), Location::Line(3));
}

#[test]
fn header_on_line_6() {
    let opts = ReadOptions { header_line: Some(6), ..ReadOptions::default() };
    let t = read(&fixture("header_on_line_6.csv"), &opts);
    assert_eq!(t.header_line, 6);
    assert_eq!(t.columns(), vec!["IRIS", "COM", "P19_POP", "P19_POP65P"]);
    assert_eq!(t.height(), 2);
    assert_eq!((t.line_of(0), t.line_of(1)), (Location::Line(7), Location::Line(8)));
    assert!(t.decimal_comma);
    let mut errors = Vec::new();
    assert_eq!(t.f64s("P19_POP", &mut errors), vec![Some(2412.5), Some(1998.0)]);
    assert!(errors.is_empty(), "{errors:?}");
    // read with the default header line, the preamble is not a table
    assert!(read_table(&fixture("header_on_line_6.csv"), &ReadOptions::default()).is_err());
}

#[test]
fn codes_with_leading_zeros() {
    let t = read_fixture("codes_with_leading_zeros.csv");
    assert!(t.df.columns().iter().all(|c| c.dtype() == &DataType::String));
    let mut errors = Vec::new();
    assert_eq!(t.codes("COM", CodeKind::Commune, &mut errors), vec![s("01001"), s("2A004"), s("97411")]);
    assert_eq!(
        t.codes("IRIS", CodeKind::Iris, &mut errors),
        vec![s("010010000"), s("2A0040101"), s("974110101")]
    );
    assert_eq!(t.codes("DEP", CodeKind::Departement, &mut errors), vec![s("01"), s("2A"), s("974")]);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(strings(&t, "LIBCOM")[0], s("L'Abergement-Clémenciat"));
    // a wrong kind is reported per cell, with its line
    t.codes("COM", CodeKind::Iris, &mut errors);
    assert_eq!(errors.len(), 3);
    assert!(matches!(&errors[0], IngestError::Field { location: Location::Line(2), field, found, .. }
        if field == "COM" && found == "01001"));
}

#[test]
fn secrecy_tokens() {
    let t = read_fixture("secrecy_tokens.csv");
    let mut errors = Vec::new();
    assert_eq!(t.f64s("P19_POP", &mut errors), vec![None, None, None, None, None, Some(120.0)]);
    assert_eq!(t.f64s("DISP_TP6019", &mut errors), vec![None, None, None, None, None, Some(12.5)]);
    assert!(errors.is_empty(), "{errors:?}");
    // they are nulls in the frame itself, never zeros
    assert_eq!(t.df.column("P19_POP").map(|c| c.null_count()).ok(), Some(5));
    assert_eq!(strings(&t, "NOTE"), vec![s("ok"); 6]);
}

#[test]
fn ragged_rows() {
    let e = fail_fixture("ragged_rows.csv");
    assert_eq!(e.count(), 2);
    let msg = e.to_string();
    assert!(msg.contains("line 3: expected 3 fields as in the header (line 1), found 2"), "{msg}");
    assert!(msg.contains("line 5: expected 3 fields as in the header (line 1), found 4"), "{msg}");
}

#[test]
fn empty_and_header_only() {
    let e = fail_fixture("empty.csv");
    assert!(matches!(e, IngestError::Format { location: Location::File, .. }), "{e}");
    let e = fail_fixture("header_only.csv");
    assert!(matches!(e, IngestError::Format { location: Location::Line(1), .. }), "{e}");
    assert!(e.to_string().contains("no data rows"));
    let e = fail(&fixture("does_not_exist.csv"), &ReadOptions::default());
    assert!(matches!(e, IngestError::Io { .. }), "{e}");
}

#[test]
fn quoted_multiline_fields() {
    let t = read_fixture("quoted_multiline_fields.csv");
    assert_eq!(t.height(), 2);
    assert_eq!(strings(&t, "nom"), vec![s("Espace numérique, Hautepierre"), s("Médiathèque")]);
    assert_eq!(strings(&t, "adresse")[0], s("12 rue \"Test\"\nBâtiment B"));
    // the second record starts on line 4: the first one spans lines 2-3
    assert_eq!((t.line_of(0), t.line_of(1)), (Location::Line(2), Location::Line(4)));
}

#[test]
fn duplicate_columns() {
    let e = fail_fixture("duplicate_columns.csv");
    assert!(e.to_string().contains("`IRIS` appears more than once (columns 1, 3)"), "{e}");
}

#[test]
fn bad_numbers() {
    let t = read_fixture("bad_numbers.csv");
    assert!(t.decimal_comma);
    let mut errors = Vec::new();
    assert_eq!(t.f64s("DISP_TP6019", &mut errors), vec![Some(38.2), None, None, Some(12.5), Some(7.5)]);
    let found: Vec<(Location, String)> = errors
        .iter()
        .filter_map(|e| match e {
            IngestError::Field { location, found, expected, .. } => {
                assert_eq!(expected, "a number (decimal point or comma)");
                Some((location.clone(), found.clone()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(found, vec![(Location::Line(3), "1 234,5".into()), (Location::Line(4), "abc".into())]);
    // forcing a decimal point makes `38,2` an error too
    let point = read(
        &fixture("bad_numbers.csv"),
        &ReadOptions { decimal: Some(Decimal::Point), ..Default::default() },
    );
    let mut errors = Vec::new();
    point.f64s("DISP_TP6019", &mut errors);
    assert_eq!(errors.len(), 4);
}

#[test]
fn explicit_separator() {
    let dir = support::workdir();
    let path = dir.path().join("pipe_in_values.csv");
    std::fs::write(&path, "id;services\n1;a|b|c\n").unwrap_or_else(|e| panic!("{e}"));
    let t = read(&path, &ReadOptions { separator: Some(b';'), ..Default::default() });
    assert_eq!(strings(&t, "services"), vec![s("a|b|c")]);
}

fn write_zip(path: &Path, members: &[(&str, &[u8])]) {
    let file = std::fs::File::create(path).unwrap_or_else(|e| panic!("{e}"));
    let mut zip = zip::ZipWriter::new(file);
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in members {
        zip.start_file(*name, options).unwrap_or_else(|e| panic!("{e}"));
        zip.write_all(bytes).unwrap_or_else(|e| panic!("{e}"));
    }
    zip.finish().unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn zip_member() {
    let dir = support::workdir();
    let zip_path = dir.path().join("base-ic-evol-struct-pop-2019_csv.zip");
    let latin1 =
        std::fs::read(fixture("filosofi_latin1_decimal_comma.csv")).unwrap_or_else(|e| panic!("{e}"));
    write_zip(&zip_path, &[("meta.txt", b"notes"), ("data/filo.csv", &latin1)]);

    let opts = ReadOptions { zip_member: Some("data/filo.csv".into()), ..Default::default() };
    let t = read(&zip_path, &opts);
    assert_eq!(t.path, zip_path.join("data/filo.csv"));
    assert_eq!(t.encoding, Encoding::Latin1);
    assert_eq!(strings(&t, "IRIS"), vec![s("674820101"), s("674820102"), s("674820103")]);

    let e = fail(&zip_path, &ReadOptions { zip_member: Some("filo.csv".into()), ..Default::default() });
    let msg = e.to_string();
    assert!(msg.contains("no member \"filo.csv\"") && msg.contains("data/filo.csv, meta.txt"), "{msg}");

    for bad in ["../etc/passwd", "/etc/passwd", "data/../../x.csv"] {
        let e = fail(&zip_path, &ReadOptions { zip_member: Some(bad.into()), ..Default::default() });
        assert!(e.to_string().contains("refusing zip member name"), "{e}");
    }
    let e = fail(&fixture("insee_bom_comma.csv"), &opts);
    assert!(e.to_string().contains("not a readable zip archive"), "{e}");
}

/// A minimal xlsx (a zip of XML parts) with sheets `IRIS` and `Notes`; `IRIS` has a title on row 1 and the
/// header on row 6, as INSEE's files do.
fn write_xlsx(path: &Path) {
    write_xlsx_with(path, None)
}

/// [`write_xlsx`], with `sheet1` as the first sheet's XML when given.
fn write_xlsx_with(path: &Path, sheet1_xml: Option<&[u8]>) {
    let content_types = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
</Types>"#;
    let rels = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"#;
    let workbook = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="IRIS" sheetId="1" r:id="rId1"/><sheet name="Notes" sheetId="2" r:id="rId2"/></sheets>
</workbook>"#;
    let workbook_rels = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/>
</Relationships>"#;
    let text = |r: &str, v: &str| format!(r#"<c r="{r}" t="inlineStr"><is><t>{v}</t></is></c>"#);
    let num = |r: &str, v: &str| format!(r#"<c r="{r}"><v>{v}</v></c>"#);
    let rows = [
        format!(r#"<row r="1">{}</row>"#, text("A1", "Revenus disponibles 2019")),
        format!(
            r#"<row r="6">{}{}{}{}</row>"#,
            text("A6", "IRIS"),
            text("B6", "COM"),
            text("C6", "DISP_MED19"),
            text("D6", " DISP_TP6019")
        ),
        format!(
            r#"<row r="7">{}{}{}{}</row>"#,
            text("A7", "010010000"),
            num("B7", "1001"),
            num("C7", "21030"),
            num("D7", "12.5")
        ),
        format!(
            r#"<row r="8">{}{}{}{}</row>"#,
            text("A8", "674820101"),
            text("B8", "67482"),
            num("C8", "14560.5"),
            text("D8", "s")
        ),
    ];
    let sheet1 = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{}</sheetData></worksheet>"#,
        rows.join("")
    );
    let sheet2 = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>"#;
    write_zip(
        path,
        &[
            ("[Content_Types].xml", content_types.as_bytes()),
            ("_rels/.rels", rels.as_bytes()),
            ("xl/workbook.xml", workbook.as_bytes()),
            ("xl/_rels/workbook.xml.rels", workbook_rels.as_bytes()),
            ("xl/worksheets/sheet1.xml", sheet1_xml.unwrap_or(sheet1.as_bytes())),
            ("xl/worksheets/sheet2.xml", sheet2.as_bytes()),
        ],
    );
}

#[test]
fn xlsx_sheet_with_header_on_row_6() {
    let dir = support::workdir();
    let path = dir.path().join("BASE_TD_FILO_DISP_IRIS_2019.xlsx");
    write_xlsx(&path);
    let opts = ReadOptions { header_line: Some(6), ..Default::default() };
    let t = read(&path, &opts);
    assert_eq!(t.columns(), vec!["IRIS", "COM", "DISP_MED19", "DISP_TP6019"]);
    // text kept exactly: integers without `.0`; a code Excel stored as a number keeps its lost zero lost
    assert_eq!(strings(&t, "COM"), vec![s("1001"), s("67482")]);
    assert_eq!(strings(&t, "DISP_MED19"), vec![s("21030"), s("14560.5")]);
    assert_eq!(strings(&t, "DISP_TP6019"), vec![s("12.5"), None]);
    let sheet_row = |row| Location::Row { sheet: "IRIS".into(), row };
    assert_eq!((t.line_of(0), t.line_of(1)), (sheet_row(7), sheet_row(8)));
    let mut errors = Vec::new();
    assert_eq!(t.f64s("DISP_MED19", &mut errors), vec![Some(21030.0), Some(14560.5)]);
    let communes = t.codes("COM", CodeKind::Commune, &mut errors);
    assert_eq!(communes, vec![None, s("67482")]);
    assert_eq!(errors.len(), 1);
    assert!(matches!(&errors[0], IngestError::Field { location, .. } if *location == sheet_row(7)));

    // the sheet can be named; a missing one lists the sheets
    let named =
        read(&path, &ReadOptions { sheet: Some("IRIS".into()), header_line: Some(6), ..Default::default() });
    assert_eq!(named.height(), 2);
    let e = fail(&path, &ReadOptions { sheet: Some("Data".into()), ..Default::default() });
    assert!(
        e.to_string().contains(r#"no sheet "Data" in the workbook; its sheets are: "IRIS", "Notes""#),
        "{e}"
    );

    // the same workbook inside a zip
    let zip_path = dir.path().join("filo.zip");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{e}"));
    write_zip(&zip_path, &[("BASE_TD_FILO_DISP_IRIS_2019.xlsx", &bytes)]);
    let zipped = read(
        &zip_path,
        &ReadOptions {
            zip_member: Some("BASE_TD_FILO_DISP_IRIS_2019.xlsx".into()),
            header_line: Some(6),
            ..Default::default()
        },
    );
    assert_eq!(strings(&zipped, "IRIS"), strings(&t, "IRIS"));
}

#[test]
fn real_hackaviz_qpv2015_indicators() {
    let Some(dir) = support::real_data_dir() else { return };
    let t = read(&dir.join("hackaviz2021_qpv2015_occitanie_indicateurs.csv"), &ReadOptions::default());
    assert_eq!(t.encoding, Encoding::Utf8Bom);
    assert_eq!(t.separator, b',');
    assert!(!t.decimal_comma);
    assert_eq!(t.height(), 105);
    assert_eq!(t.columns().len(), 44);
    assert_eq!(t.columns()[0], "code_qp");
    t.require_columns(&[
        "code_qp",
        "nom_qp",
        "pop_mun",
        "tp60",
        "disp_q2",
        "decuc_q2",
        "tx_tot_empl",
        "abcde",
    ])
    .unwrap_or_else(|e| panic!("{e}"));
    let mut errors = Vec::new();
    let codes = t.codes("code_qp", CodeKind::Qpv2015, &mut errors);
    assert_eq!(codes[0], s("QP009001"));
    assert!(codes.iter().all(Option::is_some));
    let tp60 = t.f64s("tp60", &mut errors);
    assert_eq!(tp60[0], Some(40.2));
    for col in t.columns().iter().skip(3) {
        t.f64s(col, &mut errors);
    }
    assert!(errors.is_empty(), "{}", errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"));
    // suppressed values are empty cells: nulls, not zeros
    assert_eq!(t.strings("part_chomprinc").map(|v| v[0].clone()).ok(), Some(None));
}

#[test]
fn real_design4green_ifn_arras() {
    let Some(dir) = support::real_data_dir() else { return };
    let t = read(&dir.join("design4green2020_ifn_iris_arras.csv"), &ReadOptions::default());
    assert_eq!(t.encoding, Encoding::Utf8);
    assert_eq!(t.separator, b';');
    assert!(t.decimal_comma);
    assert_eq!(t.height(), 16);
    assert_eq!(t.columns().len(), 151);
    // header names are trimmed (the file has `ACCES A L'INFORMATION departement*  `)
    assert!(t.columns().iter().all(|c| c.trim() == c));
    let mut errors = Vec::new();
    let iris = t.codes("Code Iris", CodeKind::Iris, &mut errors);
    assert_eq!(iris[0], s("620410801"));
    assert_eq!(t.codes("COM", CodeKind::Commune, &mut errors)[0], s("62041"));
    assert_eq!(t.f64s("P16 Pop", &mut errors)[0], Some(4376.176519031));
    assert_eq!(t.f64s("Part des familles monoparentales", &mut errors)[0], Some(0.253963588));
    assert_eq!(t.f64s("Taux de pauvreté", &mut errors)[0], None);
    assert!(errors.is_empty(), "{errors:?}");
    // the GeoJSON shape is one quoted field with doubled quotes
    let shape = strings(&t, "Geo Shape");
    assert!(shape[0].as_deref().is_some_and(|g| g.starts_with(r#"{"type": "Polygon""#)));
    assert_eq!(t.line_of(15), Location::Line(17));
}

#[test]
fn real_dictionary_with_leading_spaces_and_quoted_places_header() {
    let Some(dir) = support::real_data_dir() else { return };
    let dict =
        read(&dir.join("hackaviz2021_qpv2015_occitanie_contours_dictionnaire.csv"), &ReadOptions::default());
    assert_eq!(dict.columns(), vec!["nom colonne", "description", "type_valeur", "exemple"]);
    let places =
        read(&dir.join("mednum_standard_lieux_mediation_v1.0.2_exemple-valide.csv"), &ReadOptions::default());
    assert_eq!(places.separator, b',');
    assert_eq!(places.height(), 1);
    assert_eq!(places.columns()[0], "id");
    places
        .require_columns(&["id", "pivot", "nom", "commune", "code_postal", "adresse", "date_maj"])
        .unwrap_or_else(|e| panic!("{e}"));
}

// The one bounded reader: regular files only, size and expansion caps, checked while streaming.

#[test]
fn an_xlsx_decompression_bomb_is_refused_before_calamine_opens_it() {
    let dir = support::workdir();
    let path = dir.path().join("bomb.xlsx");
    // 16 MiB of blanks inside the sheet's XML: compresses ~1000×.
    let mut xml = br#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#.to_vec();
    xml.resize(xml.len() + (16 << 20), b' ');
    xml.extend_from_slice(b"</sheetData></worksheet>");
    write_xlsx_with(&path, Some(&xml));
    drop(xml);
    let t = std::time::Instant::now();
    let e = fail(&path, &ReadOptions::default()).to_string();
    assert!(e.contains("bomb.xlsx") && e.contains("sheet1.xml") && e.contains("cap of 200×"), "{e}");
    assert!(t.elapsed().as_secs() < 10, "{:?}", t.elapsed());
}

#[test]
fn an_xlsx_whose_two_cells_span_the_whole_sheet_is_refused_without_allocating_it() {
    let dir = support::workdir();
    let path = dir.path().join("sparse.xlsx");
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>IRIS</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>"#;
    write_xlsx_with(&path, Some(xml.as_bytes()));
    let e = fail(&path, &ReadOptions::default()).to_string();
    assert!(e.contains("sparse.xlsx") && e.contains("1048576 rows × 16384 columns"), "{e}");
}

#[test]
fn a_gzip_bomb_is_refused_while_streaming_and_the_absolute_cap_is_configurable() {
    let dir = support::workdir();
    let path = dir.path().join("immeubles.csv.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(b"imb_id;imb_x\n").unwrap();
    let zeros = vec![b'0'; 1 << 20];
    for _ in 0..64 {
        enc.write_all(&zeros).unwrap();
    }
    std::fs::write(&path, enc.finish().unwrap()).unwrap();
    let t = std::time::Instant::now();
    let e = fail(&path, &ReadOptions::default()).to_string();
    assert!(e.contains("immeubles.csv.gz") && e.contains("cap of 200×") && e.contains("bomb"), "{e}");
    assert!(t.elapsed().as_secs() < 5, "refused while streaming, not after inflating: {:?}", t.elapsed());

    // A legitimate compressed file is held to `max_bytes`, which a dataset can raise.
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(b"imb_id;imb_x\nA;1\nB;2\n").unwrap();
    std::fs::write(&path, enc.finish().unwrap()).unwrap();
    let small = ReadOptions { max_bytes: Some(10), ..Default::default() };
    let e = fail(&path, &small).to_string();
    assert!(
        e.contains("immeubles.csv.gz") && e.contains("cap of 10 bytes") && e.contains("max_bytes"),
        "{e}"
    );
    assert_eq!(read(&path, &ReadOptions { max_bytes: Some(1000), ..Default::default() }).height(), 2);
}

#[cfg(unix)]
#[test]
fn a_fifo_or_a_device_given_as_a_table_is_refused_at_once_naming_it() {
    let dir = support::workdir();
    let fifo = dir.path().join("places.csv");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let t = std::time::Instant::now();
    let e = fail(&fifo, &ReadOptions::default()).to_string();
    assert!(e.contains("places.csv") && e.contains("FIFO") && e.contains("not a regular file"), "{e}");
    let e = fail(Path::new("/dev/zero"), &ReadOptions::default()).to_string();
    assert!(e.contains("/dev/zero") && e.contains("character device"), "{e}");
    let gz =
        ReadOptions { compression: Some(fracture::ingest::read::Compression::Gzip), ..Default::default() };
    let e = fail(Path::new("/dev/zero"), &gz).to_string();
    assert!(e.contains("/dev/zero") && e.contains("not a regular file"), "{e}");
    assert!(t.elapsed().as_secs() < 2);
}
