//! Points from a CSV or Parquet file, a batch at a time, in bounded memory.
//!
//! - CSV (any name but `.parquet`/`.parq`): records split by the `csv` crate (quotes, embedded
//!   separators and newlines, a UTF-8 byte-order mark), separator detected on the header line among
//!   `,` `;` tab `|`; coordinates with a decimal point or comma. At most `batch_rows` records are held
//!   at once.
//! - Parquet: read one row group at a time (polars), only the columns needed.
//!
//! Each row's coordinates are checked against the declared CRS's range (degrees under a projected
//! label, metres under CRS84, are problems saying what they look like). A row whose x or y cell is
//! empty (a geocoder's unresolved address) has no location: NaN, counted, not a problem. Every other
//! problem is collected ([`super::Problems`]) and the read fails at the end, naming line and field.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use polars::prelude::*;
use rayon::prelude::{IndexedParallelIterator, IntoParallelRefIterator, ParallelIterator};

use super::{CommandError, Problems, RowProblem};
use crate::spatial::crs::{Crs, check_range};

/// Rows held per batch by default (about 1–2 MB of coordinates).
pub const BATCH_ROWS: usize = 65_536;

/// What to read.
#[derive(Debug, Clone)]
pub struct PointsSpec<'a> {
    pub path: &'a Path,
    pub x: &'a str,
    pub y: &'a str,
    pub crs: Crs,
    /// Other columns to read as text (a `--by` column, a weight column).
    pub extra: &'a [String],
    /// Keep every column of every row (for `--out-points`).
    pub keep_rows: bool,
    pub batch_rows: usize,
}

/// The rows of a batch as read, when kept.
#[derive(Debug)]
pub enum Rows {
    None,
    Csv(Vec<csv::ByteRecord>),
    Frame(DataFrame),
}

/// One batch of points.
#[derive(Debug)]
pub struct Batch {
    /// The file's column names.
    pub columns: Vec<String>,
    /// Coordinates in the declared CRS; NaN for a row without coordinates.
    pub xs: Vec<f64>,
    pub ys: Vec<f64>,
    /// Per extra column, one text per row (empty when missing).
    pub extra: Vec<Vec<String>>,
    pub rows: Rows,
    /// Where each row is ("line 12", "row 12").
    pub first_row: u64,
}

/// What a whole read saw.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadSummary {
    pub rows: u64,
    pub without_coordinates: u64,
}

/// True for a Parquet file name.
pub fn is_parquet(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        let e = e.to_ascii_lowercase();
        e == "parquet" || e == "parq"
    })
}

/// Reads `spec.path` batch by batch, calling `f` on each while no problem has been found.
pub fn for_each_batch(
    spec: &PointsSpec<'_>,
    f: impl FnMut(&Batch) -> Result<(), CommandError>,
) -> Result<ReadSummary, CommandError> {
    if is_parquet(spec.path) { read_parquet(spec, f) } else { read_csv(spec, f) }
}

fn read_error(path: &Path) -> impl Fn(std::io::Error) -> CommandError + '_ {
    move |source| CommandError::Read { path: path.to_path_buf(), source }
}

fn format_error(path: &Path, message: impl Into<String>) -> CommandError {
    CommandError::Format { path: path.to_path_buf(), message: message.into() }
}

/// The separator of a CSV file, from its header line.
fn detect_separator(path: &Path) -> Result<u8, CommandError> {
    let mut first = Vec::new();
    let file = File::open(path).map_err(read_error(path))?;
    BufReader::new(file).read_until(b'\n', &mut first).map_err(read_error(path))?;
    let count = |c: u8| first.iter().filter(|b| **b == c).count();
    Ok([b',', b';', b'\t', b'|'].into_iter().max_by_key(|c| (count(*c), *c == b',')).unwrap_or(b','))
}

/// A coordinate cell: `None` when empty, `Some(Err)` when not a number.
fn coordinate(cell: &[u8]) -> Option<Result<f64, String>> {
    let text = String::from_utf8_lossy(cell);
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    let parsed = t.parse::<f64>().ok().or_else(|| {
        (t.matches(',').count() == 1 && !t.contains('.')).then(|| t.replace(',', ".").parse().ok()).flatten()
    });
    Some(parsed.filter(|x| x.is_finite()).ok_or_else(|| format!("{t:?}")))
}

/// Checks one row's coordinates; NaN for a row without them.
fn check_xy(
    spec: &PointsSpec<'_>,
    at: &dyn Fn() -> String,
    x: Option<Result<f64, String>>,
    y: Option<Result<f64, String>>,
    problems: &mut Problems,
    summary: &mut ReadSummary,
) -> (f64, f64) {
    let mut bad = |field: &str, expected: String, found: String| {
        problems.push(RowProblem { at: at(), field: field.into(), expected, found })
    };
    match (x, y) {
        (Some(Ok(x)), Some(Ok(y))) => match check_range(spec.crs, x, y) {
            Ok(()) => (x, y),
            Err(e) => {
                bad(&format!("{},{}", spec.x, spec.y), format!("a position in {}", spec.crs), e.to_string());
                (f64::NAN, f64::NAN)
            }
        },
        (None, None) => {
            summary.without_coordinates += 1;
            (f64::NAN, f64::NAN)
        }
        (x, y) => {
            for (name, v) in [(spec.x, x), (spec.y, y)] {
                match v {
                    Some(Ok(_)) => {}
                    Some(Err(found)) => bad(name, "a number".into(), found),
                    None => {
                        bad(name, "a number (the other coordinate is given)".into(), "an empty cell".into())
                    }
                }
            }
            (f64::NAN, f64::NAN)
        }
    }
}

fn read_csv(
    spec: &PointsSpec<'_>,
    mut f: impl FnMut(&Batch) -> Result<(), CommandError>,
) -> Result<ReadSummary, CommandError> {
    let path = spec.path;
    let separator = detect_separator(path)?;
    let file = File::open(path).map_err(read_error(path))?;
    let mut reader = csv::ReaderBuilder::new().delimiter(separator).flexible(false).from_reader(file);
    let header = reader.byte_headers().map_err(|e| format_error(path, format!("line 1: {e}")))?.clone();
    let columns: Vec<String> = header.iter().map(|h| String::from_utf8_lossy(h).trim().to_string()).collect();
    let find = |name: &str| {
        columns.iter().position(|c| c == name).ok_or_else(|| {
            format_error(path, format!("line 1: no column {name:?} (the header has {})", columns.join(", ")))
        })
    };
    let (ix, iy) = (find(spec.x)?, find(spec.y)?);
    let extra_ix: Vec<usize> = spec.extra.iter().map(|c| find(c)).collect::<Result<_, _>>()?;
    let mut problems = Problems::default();
    let mut summary = ReadSummary::default();
    let mut record = csv::ByteRecord::new();
    let new_batch = |first_row| Batch {
        columns: columns.clone(),
        xs: Vec::with_capacity(spec.batch_rows),
        ys: Vec::with_capacity(spec.batch_rows),
        extra: vec![Vec::new(); extra_ix.len()],
        rows: if spec.keep_rows { Rows::Csv(Vec::new()) } else { Rows::None },
        first_row,
    };
    let mut batch = new_batch(2);
    loop {
        let more = reader.read_byte_record(&mut record).map_err(|e| match e.kind() {
            csv::ErrorKind::UnequalLengths { pos, expected_len, len } => format_error(
                path,
                format!(
                    "line {}: expected {expected_len} fields like the header, found {len}",
                    pos.as_ref().map_or(0, |p| p.line())
                ),
            ),
            _ => format_error(path, e.to_string()),
        })?;
        if !more {
            break;
        }
        summary.rows += 1;
        let line = record.position().map_or(0, |p| p.line());
        let at = || format!("line {line}");
        let (x, y) = check_xy(
            spec,
            &at,
            coordinate(record.get(ix).unwrap_or_default()),
            coordinate(record.get(iy).unwrap_or_default()),
            &mut problems,
            &mut summary,
        );
        batch.xs.push(x);
        batch.ys.push(y);
        for (k, &i) in extra_ix.iter().enumerate() {
            batch.extra[k]
                .push(String::from_utf8_lossy(record.get(i).unwrap_or_default()).trim().to_string());
        }
        if let Rows::Csv(rows) = &mut batch.rows {
            rows.push(record.clone());
        }
        if batch.xs.len() >= spec.batch_rows {
            if problems.total == 0 {
                f(&batch)?;
            }
            batch = new_batch(line + 1);
        }
    }
    if problems.total == 0 && !batch.xs.is_empty() {
        f(&batch)?;
    }
    problems.into_result(path)?;
    Ok(summary)
}

fn read_parquet(
    spec: &PointsSpec<'_>,
    mut f: impl FnMut(&Batch) -> Result<(), CommandError>,
) -> Result<ReadSummary, CommandError> {
    let path = spec.path;
    let polars_error = |e: PolarsError| format_error(path, format!("not a readable Parquet file: {e}"));
    let mut reader = ParquetReader::new(File::open(path).map_err(read_error(path))?);
    let metadata = reader.get_metadata().map_err(polars_error)?.clone();
    let schema = reader.schema().map_err(polars_error)?;
    let columns: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
    let mut wanted: Vec<String> = vec![spec.x.to_string(), spec.y.to_string()];
    wanted.extend(spec.extra.iter().cloned());
    for name in &wanted {
        if !columns.contains(name) {
            return Err(format_error(
                path,
                format!("no column {name:?} (the file has {})", columns.join(", ")),
            ));
        }
    }
    let read_columns = if spec.keep_rows { columns.clone() } else { wanted.clone() };
    let mut problems = Problems::default();
    let mut summary = ReadSummary::default();
    let mut offset = 0usize;
    for group in &metadata.row_groups {
        let n = group.num_rows();
        let df = ParquetReader::new(File::open(path).map_err(read_error(path))?)
            .with_columns(Some(read_columns.clone()))
            .with_slice(Some((offset, n)))
            .finish()
            .map_err(polars_error)?;
        let first_row = offset as u64 + 1;
        offset += n;
        let numbers = |name: &str| -> Result<Vec<Option<f64>>, CommandError> {
            let c = df.column(name).map_err(polars_error)?;
            if !c.dtype().is_primitive_numeric() {
                return Err(format_error(
                    path,
                    format!("column {name:?}: expected numbers, found {}", c.dtype()),
                ));
            }
            let c = c.cast(&DataType::Float64).map_err(polars_error)?;
            Ok(c.f64().map_err(polars_error)?.iter().collect())
        };
        let mut batch = Batch {
            columns: columns.clone(),
            xs: Vec::new(),
            ys: Vec::new(),
            extra: Vec::new(),
            rows: Rows::None,
            first_row,
        };
        if let Some((xs, ys)) = plain_coordinates(&df, spec) {
            summary.rows += xs.len() as u64;
            (batch.xs, batch.ys) = (xs, ys);
        } else {
            let (xs, ys) = (numbers(spec.x)?, numbers(spec.y)?);
            for (k, (x, y)) in xs.into_iter().zip(ys).enumerate() {
                summary.rows += 1;
                let at = || format!("row {}", first_row + k as u64);
                let wrap = |v: Option<f64>| v.map(|v| if v.is_finite() { Ok(v) } else { Err(v.to_string()) });
                let (x, y) = check_xy(spec, &at, wrap(x), wrap(y), &mut problems, &mut summary);
                batch.xs.push(x);
                batch.ys.push(y);
            }
        }
        for name in spec.extra {
            let c = df.column(name).map_err(polars_error)?.cast(&DataType::String).map_err(polars_error)?;
            batch
                .extra
                .push(c.str().map_err(polars_error)?.iter().map(|s| s.unwrap_or("").to_string()).collect());
        }
        if spec.keep_rows {
            batch.rows = Rows::Frame(df);
        }
        if problems.total == 0 && !batch.xs.is_empty() {
            f(&batch)?;
        }
    }
    problems.into_result(path)?;
    Ok(summary)
}

/// The coordinates of a row group whose x and y columns are `f64` without nulls and every point finite
/// and in the declared CRS's range (the common case), checked in parallel; `None` sends the row group
/// through the row-by-row path, which names each problem.
fn plain_coordinates(df: &DataFrame, spec: &PointsSpec<'_>) -> Option<(Vec<f64>, Vec<f64>)> {
    let column = |name: &str| -> Option<Vec<f64>> {
        let ca = df.column(name).ok()?.f64().ok()?;
        if ca.null_count() > 0 {
            return None;
        }
        ca.rechunk().cont_slice().ok().map(<[f64]>::to_vec)
    };
    let (xs, ys) = (column(spec.x)?, column(spec.y)?);
    let valid = |x: f64, y: f64| x.is_finite() && y.is_finite() && check_range(spec.crs, x, y).is_ok();
    xs.par_iter().zip(ys.par_iter()).with_min_len(4096).all(|(x, y)| valid(*x, *y)).then_some((xs, ys))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use super::*;

    fn spec<'a>(path: &'a Path, extra: &'a [String]) -> PointsSpec<'a> {
        PointsSpec { path, x: "x", y: "y", crs: Crs::Lambert93, extra, keep_rows: true, batch_rows: 2 }
    }

    #[test]
    fn csv_in_batches_with_quotes_decimal_commas_and_empty_coordinates() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("p.csv");
        std::fs::write(
            &p,
            "id;x;y;note\n1;650000,5;6860000;\"a; b\"\n2;;;none\n3;650001;6860001;\"multi\nline\"\n",
        )
        .unwrap();
        let mut seen = Vec::new();
        let extra = vec!["id".to_string()];
        let s = for_each_batch(&spec(&p, &extra), |b| {
            seen.push((b.first_row, b.xs.clone(), b.extra[0].clone()));
            Ok(())
        })
        .unwrap();
        assert_eq!(s, ReadSummary { rows: 3, without_coordinates: 1 });
        assert_eq!(seen.len(), 2, "two batches of at most 2 rows");
        assert_eq!(seen[0].1[0], 650000.5);
        assert!(seen[0].1[1].is_nan());
        assert_eq!(seen[1], (4, vec![650001.0], vec!["3".to_string()]));
    }

    #[test]
    fn bad_rows_are_all_reported_with_line_and_field() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("p.csv");
        std::fs::write(&p, "x,y\n650000,6860000\nabc,6860000\n2.35,48.85\n650000,\n").unwrap();
        let e = for_each_batch(&spec(&p, &[]), |_| Ok(())).unwrap_err();
        let CommandError::Rows { problems, total, .. } = &e else { panic!("{e}") };
        assert_eq!(*total, 3, "{e}");
        assert_eq!((problems[0].at.as_str(), problems[0].field.as_str()), ("line 3", "x"));
        assert!(problems[1].found.contains("look like degrees"), "{e}");
        assert_eq!((problems[2].at.as_str(), problems[2].field.as_str()), ("line 5", "y"));
        let missing = for_each_batch(&PointsSpec { x: "lon", ..spec(&p, &[]) }, |_| Ok(())).unwrap_err();
        assert!(missing.to_string().contains("no column \"lon\""), "{missing}");
    }

    #[test]
    fn parquet_row_groups_plain_or_with_problems() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, xs: Vec<Option<f64>>| {
            let p = dir.path().join(name);
            let n = xs.len();
            let mut df = DataFrame::new_infer_height(vec![
                Column::new("x".into(), xs),
                Column::new("y".into(), vec![6_860_000.0; n]),
            ])
            .unwrap();
            ParquetWriter::new(File::create(&p).unwrap()).finish(&mut df).unwrap();
            p
        };
        let plain = write("plain.parquet", vec![Some(650_000.0), Some(650_001.5)]);
        let mut seen = Vec::new();
        let s = for_each_batch(&spec(&plain, &[]), |b| {
            seen.extend(b.xs.iter().copied());
            Ok(())
        })
        .unwrap();
        assert_eq!((s, seen), (ReadSummary { rows: 2, without_coordinates: 0 }, vec![650_000.0, 650_001.5]));
        // A missing x (with its y) and a NaN: the row-by-row path names the row.
        let bad = write("bad.parquet", vec![Some(650_000.0), None, Some(f64::NAN)]);
        let e = for_each_batch(&spec(&bad, &[]), |_| Ok(())).unwrap_err();
        let CommandError::Rows { problems, total, .. } = &e else { panic!("{e}") };
        assert_eq!(*total, 2, "{e}");
        assert_eq!((problems[0].at.as_str(), problems[0].field.as_str()), ("row 2", "x"));
        assert_eq!((problems[1].at.as_str(), problems[1].field.as_str()), ("row 3", "x"), "{e}");
    }
}
