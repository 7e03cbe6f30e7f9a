//! Spreadsheet sheets (xlsx, xlsm, xls, ods, read with calamine) to a [`RawTable`]: the sheet named by
//! `sheet` (else the first), the header on row `header_line`, cells as text: integers without `.0`, other
//! numbers in their shortest exact form, dates ISO 8601, error cells as Excel shows them (`#N/A`, then
//! reported by `f64s`), blank rows skipped, a value outside the header's columns an error.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader};
use polars::prelude::{Column, DataFrame, PlSmallStr};

use super::compressed::refused;
use super::detect::detect_decimal_comma;
use super::{Decimal, Encoding, Origin, RawTable, ReadOptions, check_unique, is_secrecy_token};
use crate::ingest::error::{IngestError, Location};
use crate::io::bounded::{InputLimits, check_zip_container};

/// Largest sheet area (rows × columns of the used range) read: a sheet's range is allocated whole.
const MAX_SHEET_CELLS: u64 = 100_000_000;

pub(super) fn read_sheet(
    path: PathBuf,
    bytes: &[u8],
    opts: &ReadOptions,
    limits: &InputLimits,
) -> Result<RawTable, IngestError> {
    // A zip container (xlsx, ods): declared and real sizes under the caps before calamine inflates it.
    check_zip_container(Cursor::new(bytes), &path, limits).map_err(refused)?;
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
    if let calamine::Sheets::Xlsx(xlsx) = &mut workbook {
        check_xlsx_extent(xlsx, &sheet, &path)?;
    }
    let range = workbook.worksheet_range(&sheet).map_err(|e| {
        IngestError::format(&path, Location::File, format!("cannot read sheet {sheet:?}: {e}"))
    })?;
    let cells: Vec<Vec<Option<String>>> = range_to_rows(&range);
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    let first_col = range.start().map_or(0, |(_, c)| c as usize);
    let table = sheet_table(&path, &sheet, &cells, first_row, first_col, opts.header_line())?;
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
        Some(Decimal::Point) => false,
        Some(Decimal::Comma) => true,
        None => detect_decimal_comma(&df),
    };
    Ok(RawTable {
        path,
        df,
        header_line: opts.header_line(),
        encoding: Encoding::Utf8,
        separator: 0,
        decimal_comma,
        origin: Origin::Sheet { name: sheet, rows },
    })
}

/// A sheet's used range is allocated whole (rows × columns) from its extreme cells: two cells at A1 and
/// XFD1048576 would ask for 17 billion. Streams the sheet's cells first and refuses a range too large or
/// far sparser than a table.
fn check_xlsx_extent<RS: std::io::Read + std::io::Seek>(
    xlsx: &mut calamine::Xlsx<RS>,
    sheet: &str,
    path: &Path,
) -> Result<(), IngestError> {
    let Ok(mut cells) = xlsx.worksheet_cells_reader(sheet) else { return Ok(()) };
    let (mut r0, mut r1, mut c0, mut c1, mut used) = (u32::MAX, 0u32, u32::MAX, 0u32, 0u64);
    while let Ok(Some(cell)) = cells.next_cell() {
        if matches!(cell.get_value(), calamine::DataRef::Empty) {
            continue;
        }
        let (r, c) = cell.get_position();
        (r0, r1, c0, c1) = (r0.min(r), r1.max(r), c0.min(c), c1.max(c));
        used += 1;
    }
    if used == 0 {
        return Ok(());
    }
    let area = u64::from(r1 - r0 + 1) * u64::from(c1 - c0 + 1);
    if area > MAX_SHEET_CELLS || area > used.saturating_mul(50).saturating_add(1_000_000) {
        return Err(IngestError::format(
            path,
            Location::File,
            format!(
                "sheet {sheet:?} spans {} rows × {} columns ({area} cells) for {used} filled cell(s): refused \
                 (at most {MAX_SHEET_CELLS} cells, and a table is not that sparse)",
                r1 - r0 + 1,
                c1 - c0 + 1
            ),
        ));
    }
    Ok(())
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

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use super::*;

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
