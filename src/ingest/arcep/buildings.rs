//! The buildings file: chunks of records parsed in parallel into typed columns (ids into polars string
//! chunks, Lambert-93 x/y, premises, commune codes), then merged in file order, where ids are
//! checked unique by hash.

use polars::prelude::*;
use rayon::prelude::*;

use super::cells::{self, EXPECTED_NUMBER, Number};
use super::ids::{IdColumn, IdPart, IdTable, hash};
use super::stream::{Chunk, DecimalMode, Meta, Stream};
use super::{COORDINATE_COLUMNS, Errors};
use crate::crs::{Crs, Reprojector, in_lambert93_bounds};
use crate::ingest::error::IngestError;
use crate::ingest::read::CodeKind;

/// Most premises (dwellings + business premises) one building may hold: the largest French buildings hold
/// a few thousand; a larger count is a damaged or hostile file (bounds in `data/FORMATS.md`).
pub const MAX_PREMISES: f64 = 10_000.0;
const _: () = assert!(MAX_PREMISES <= u32::MAX as f64);

/// The buildings as columns, in file order.
pub struct Buildings {
    pub ids: IdColumn,
    /// Columns chunk by chunk (each moved into polars as it is, never copied or regrown).
    pub x: Vec<Vec<f64>>,
    pub y: Vec<Vec<f64>>,
    /// Premises per building: a whole number from 0 to [`MAX_PREMISES`], held in 4 bytes (polars is built without 16-bit integers).
    pub logloc: Vec<Vec<u32>>,
    /// Commune codes (5 characters: inline in polars' string views, no heap per cell).
    pub commune: Vec<StringChunked>,
    pub table: IdTable,
}

/// Column positions.
struct Cols {
    id: usize,
    x: usize,
    y: usize,
    logloc: usize,
    commune: usize,
    coordinates: String,
}

/// One chunk parsed.
struct Part {
    ids: IdPart,
    hashes: Vec<u64>,
    lines: Vec<(u64, usize)>,
    x: Vec<f64>,
    y: Vec<f64>,
    logloc: Vec<u32>,
    commune: StringChunked,
    errors: Errors,
    records: usize,
    bytes: usize,
}

/// [`Part`] being filled.
struct Acc {
    hashes: Vec<u64>,
    /// Line and record index of each row kept (for the duplicate check's errors).
    lines: Vec<(u64, usize)>,
    x: Vec<f64>,
    y: Vec<f64>,
    logloc: Vec<u32>,
    commune: Vec<u64>,
    errors: Errors,
    records: usize,
}

fn columns(m: &Meta) -> Result<Cols, IngestError> {
    let Some((x, y)) =
        COORDINATE_COLUMNS.into_iter().find(|(x, y)| m.column(x).is_some() && m.column(y).is_some())
    else {
        let mut errors = vec![IngestError::MissingColumn {
            path: m.path.clone(),
            location: m.header_location(),
            column: "imb_longitude and imb_latitude (or imb_x and imb_y)".into(),
            found: m.names.join(", "),
        }];
        match m.require(&["imb_id", "imb_code_insee", "imb_nbr_logloc"]) {
            Ok(()) => return Err(errors.remove(0)),
            Err(IngestError::Many { errors: more, .. }) => errors.extend(more),
            Err(e) => errors.push(e),
        }
        return Err(IngestError::Many { path: m.path.clone(), errors });
    };
    m.require(&["imb_id", x, y, "imb_code_insee", "imb_nbr_logloc"])?;
    let at = |c: &str| m.column(c).unwrap_or(0);
    Ok(Cols {
        id: at("imb_id"),
        x: at(x),
        y: at(y),
        logloc: at("imb_nbr_logloc"),
        commune: at("imb_code_insee"),
        coordinates: format!("{x}/{y}"),
    })
}

fn parse(m: &Meta, cols: &Cols, chunk: &Chunk, reproj: &Reprojector) -> Part {
    let cap = chunk.bytes.len() / 64 + 16;
    let mut ids = IdPart::with_capacity(cap, chunk.bytes.len() / 4);
    let mut p = Acc {
        hashes: Vec::with_capacity(cap),
        lines: Vec::with_capacity(cap),
        x: Vec::with_capacity(cap),
        y: Vec::with_capacity(cap),
        logloc: Vec::with_capacity(cap),
        commune: Vec::with_capacity(cap),
        errors: Errors::default(),
        records: 0,
    };
    let mut format_errors = Vec::new();
    m.records(chunk, &mut format_errors, |rec, line, k| {
        p.records += 1;
        let errors = &mut p.errors;
        let field = |field: &str, expected: &str, found: String| IngestError::Field {
            path: m.path.clone(),
            location: m.location(line, k),
            field: field.into(),
            expected: expected.into(),
            found,
        };
        let found = |b: &[u8]| m.text(b).map_or_else(|e| e, |s| s.into_owned());
        let mut bad = false;
        let mut num = |col: usize, name: &str, errors: &mut Errors| -> Option<f64> {
            let b = &rec[col];
            if m.decimal == DecimalMode::Detect {
                errors.vote(b);
            }
            match cells::number(b, m.decimal) {
                Number::Missing => None,
                Number::Value(v) => Some(v),
                Number::CommaValue(v) => {
                    errors.comma(field(name, EXPECTED_NUMBER, found(b)));
                    Some(v)
                }
                Number::Bad => {
                    bad = true;
                    errors.push(field(name, EXPECTED_NUMBER, found(b)));
                    None
                }
            }
        };
        let x_name = &m.names[cols.x];
        let y_name = &m.names[cols.y];
        let x = num(cols.x, x_name, errors);
        let y = num(cols.y, y_name, errors);
        let n = num(cols.logloc, "imb_nbr_logloc", errors);
        let commune = match cells::commune(&rec[cols.commune]) {
            Some(c) => c,
            None => {
                errors.push(field("imb_code_insee", CodeKind::Commune.expected(), found(&rec[cols.commune])));
                bad = true;
                cells::NO_COMMUNE
            }
        };
        let id_bytes = &rec[cols.id];
        if cells::missing(id_bytes) {
            errors.push(field("imb_id", "a building id", "empty".into()));
            return;
        }
        let id = match m.text(id_bytes) {
            Ok(id) => id,
            Err(message) => {
                errors.push(field("imb_id", "a building id in UTF-8", message));
                return;
            }
        };
        if bad {
            return;
        }
        let (Some(x), Some(y)) = (x, y) else {
            errors.push(field(&cols.coordinates, "EPSG:3857 coordinates in metres", "empty".into()));
            return;
        };
        let l93 =
            reproj.to_lambert93(Crs::WebMercator, x, y).ok().filter(|(a, b)| in_lambert93_bounds(*a, *b));
        let Some((lx, ly)) = l93 else {
            let hint = if x.abs() <= 180.0 && y.abs() <= 90.0 { " (these look like degrees)" } else { "" };
            errors.push(field(
                &cols.coordinates,
                "EPSG:3857 (Web Mercator) metres in France, as ARCEP publishes them",
                format!("({x}, {y}){hint}"),
            ));
            return;
        };
        let n = match n {
            Some(n) if (0.0..=MAX_PREMISES).contains(&n) && n.fract() == 0.0 => n,
            other => {
                let found = other.map_or_else(|| "empty".to_string(), |n| n.to_string());
                errors.push(field(
                    "imb_nbr_logloc",
                    "a whole number of premises from 0 to 10000 per building (data/FORMATS.md §4)",
                    found,
                ));
                return;
            }
        };
        p.hashes.push(hash(id.as_bytes()));
        ids.push(&id);
        p.lines.push((line, k));
        p.x.push(lx);
        p.y.push(ly);
        // a whole number from 0 to MAX_PREMISES (checked above): exact in a u32
        p.logloc.push(n as u32);
        p.commune.push(commune);
    });
    for e in format_errors {
        p.errors.push(e);
    }
    let Acc { hashes, lines, mut x, mut y, mut logloc, commune, errors, records } = p;
    // The columns stay as they are until the join: no capacity left unused (a quarter of each guess).
    ids.shrink_to_fit();
    x.shrink_to_fit();
    y.shrink_to_fit();
    logloc.shrink_to_fit();
    let mut communes = StringChunkedBuilder::new("commune".into(), commune.len());
    for c in commune {
        if c == cells::NO_COMMUNE {
            communes.append_null();
        } else {
            let bytes = cells::commune_bytes(c);
            communes.append_value(std::str::from_utf8(&bytes).unwrap_or(""));
        }
    }
    let commune = communes.finish();
    Part { ids, hashes, lines, x, y, logloc, commune, errors, records, bytes: chunk.bytes.len() }
}

/// Appends parsed chunks in file order, checking each id unique by hash.
fn merge(m: &Meta, b: &mut Buildings, errors: &mut Errors, records: &mut usize, parts: Vec<Part>) {
    if b.ids.is_empty()
        && let Some(size) = m.size_hint
    {
        // size the id table once from the file's size and the first rows' length
        let (bytes, rows) = parts.iter().fold((0, 0), |(by, r), p| (by + p.bytes, r + p.records));
        if let Some(per_row) = bytes.checked_div(rows) {
            let rows = size / per_row.max(1) as u64;
            b.table = IdTable::with_capacity(usize::try_from(rows).unwrap_or(0) + 1024);
        }
    }
    for part in parts {
        *records += part.records;
        errors.extend(part.errors);
        let base = b.ids.len();
        for (k, h) in part.hashes.iter().enumerate() {
            let id = part.ids.get(k);
            let ids = &b.ids;
            let same = |r: u32| {
                let r = r as usize;
                if r >= base { part.ids.get(r - base) == id } else { ids.get(r as u32) == id }
            };
            if b.table.insert(*h, same).is_err() {
                errors.push(IngestError::Field {
                    path: m.path.clone(),
                    location: m.location(part.lines[k].0, part.lines[k].1),
                    field: "imb_id".into(),
                    expected: "a unique building id".into(),
                    found: format!("duplicate {}", String::from_utf8_lossy(id)),
                });
            }
        }
        b.ids.push(part.ids);
        b.x.push(part.x);
        b.y.push(part.y);
        b.logloc.push(part.logloc);
        b.commune.push(part.commune);
    }
}

/// Reads the buildings, every chunk validated as it streams; all problems reported together. The chunks
/// of one batch are parsed in parallel while those of the previous batch are merged.
pub fn read(stream: &Stream, reproj: &Reprojector) -> Result<Buildings, IngestError> {
    let m = &stream.meta;
    let cols = columns(m)?;
    let mut b = Buildings {
        ids: IdColumn::default(),
        x: Vec::new(),
        y: Vec::new(),
        logloc: Vec::new(),
        commune: Vec::new(),
        table: IdTable::new(),
    };
    let mut errors = Errors::default();
    let mut records = 0usize;
    let threads = rayon::current_num_threads().max(1);
    let mut pending: Vec<Part> = Vec::new();
    loop {
        let batch = stream.next_batch(threads)?;
        let done = batch.is_empty();
        let previous = std::mem::take(&mut pending);
        let (parts, ()) = rayon::join(
            || batch.par_iter().map(|c| parse(m, &cols, c, reproj)).collect::<Vec<Part>>(),
            || merge(m, &mut b, &mut errors, &mut records, previous),
        );
        pending = parts;
        if done {
            break;
        }
    }
    if records == 0 {
        return Err(no_rows(m));
    }
    errors.finish(m)?;
    Ok(b)
}

pub fn no_rows(m: &Meta) -> IngestError {
    IngestError::format(
        &m.path,
        m.header_location(),
        "no data rows after the header (a header alone is not a table)",
    )
}
