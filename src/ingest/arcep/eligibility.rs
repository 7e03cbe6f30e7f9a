//! The eligibility file: chunks parsed in parallel, each row's building found by hash (or, as ARCEP
//! lists a building's technologies together, as the previous or next building), its flags or-ed into
//! one byte per building.

use rayon::prelude::*;

use super::buildings::{Buildings, no_rows};
use super::cells;
use super::ids::hash;
use super::stream::{Chunk, Meta, Stream};
use super::{Errors, RATE_CLASSES, TECHNOLOGIES, at_least, is_thd30};
use crate::ingest::error::IngestError;

/// Flag bits per building.
pub const LISTED: u8 = 1;
pub const THD30: u8 = 2;
pub const FTTH: u8 = 4;
pub const BHD8: u8 = 8;
pub const THD100: u8 = 16;
/// The bit of each of [`super::FLAGS`], in the same order.
pub const FLAG_BITS: [u8; 4] = [BHD8, THD30, THD100, FTTH];

struct Part {
    rows: Vec<(u32, u8)>,
    errors: Errors,
    records: usize,
}

fn parse(m: &Meta, cols: (usize, usize, usize), chunk: &Chunk, b: &Buildings) -> Part {
    let mut p =
        Part { rows: Vec::with_capacity(chunk.bytes.len() / 48 + 16), errors: Errors::default(), records: 0 };
    let mut last: Option<u32> = None;
    let mut format_errors = Vec::new();
    m.records(chunk, &mut format_errors, |rec, line, k| {
        p.records += 1;
        let field = |field: &str, expected: String, found: String| IngestError::Field {
            path: m.path.clone(),
            location: m.location(line, k),
            field: field.into(),
            expected,
            found,
        };
        let id_bytes = &rec[cols.0];
        if cells::missing(id_bytes) {
            p.errors.push(field("imb_id", "a building id".into(), "empty".into()));
            return;
        }
        let Ok(id) = m.text(id_bytes) else {
            p.errors.push(field(
                "imb_id",
                "a building listed in the buildings file".into(),
                String::from_utf8_lossy(id_bytes).into_owned(),
            ));
            return;
        };
        let id: &str = &id;
        let near = last.and_then(|l| {
            [l, l + 1].into_iter().find(|&r| (r as usize) < b.ids.len() && b.ids.get(r) == id.as_bytes())
        });
        let row = near.or_else(|| b.table.get(hash(id.as_bytes()), |r| b.ids.get(r) == id.as_bytes()));
        let Some(row) = row else {
            p.errors.push(field("imb_id", "a building listed in the buildings file".into(), id.to_string()));
            return;
        };
        last = Some(row);
        let techno = m.text(&rec[cols.1]).unwrap_or_default();
        let t = if cells::missing(techno.as_bytes()) { "" } else { &*techno };
        if !TECHNOLOGIES.contains(&t) {
            p.errors.push(field("code_techno", format!("one of {}", TECHNOLOGIES.join(", ")), t.into()));
            return;
        }
        let class = m.text(&rec[cols.2]).unwrap_or_default();
        let c = if cells::missing(class.as_bytes()) { "" } else { &*class };
        if !RATE_CLASSES.contains(&c) {
            p.errors.push(field(
                "classe_debit_descendant",
                format!("one of {}", RATE_CLASSES.join(", ")),
                c.into(),
            ));
            return;
        }
        let mut flags = LISTED;
        if at_least(c, "BHD8") {
            flags |= BHD8;
        }
        if is_thd30(c) {
            flags |= THD30;
        }
        if at_least(c, "THD100") {
            flags |= THD100;
        }
        if t == "FO" && c != "INEL" {
            flags |= FTTH;
        }
        p.rows.push((row, flags));
    });
    for e in format_errors {
        p.errors.push(e);
    }
    p
}

/// Reads the eligibility rows of the buildings `b`: one flag byte per building ([`LISTED`], [`BHD8`],
/// [`THD30`], [`THD100`], [`FTTH`]).
pub fn read(stream: &Stream, b: &Buildings) -> Result<Vec<u8>, IngestError> {
    let m = &stream.meta;
    m.require(&["imb_id", "code_techno", "classe_debit_descendant"])?;
    let at = |c: &str| m.column(c).unwrap_or(0);
    let cols = (at("imb_id"), at("code_techno"), at("classe_debit_descendant"));
    let mut flags = vec![0u8; b.ids.len()];
    let mut errors = Errors::default();
    let mut records = 0;
    let threads = rayon::current_num_threads().max(1);
    loop {
        let batch = stream.next_batch(threads)?;
        if batch.is_empty() {
            break;
        }
        let parts: Vec<Part> = batch.par_iter().map(|c| parse(m, cols, c, b)).collect();
        drop(batch);
        for part in parts {
            records += part.records;
            errors.extend(part.errors);
            for (row, f) in part.rows {
                flags[row as usize] |= f;
            }
        }
    }
    if records == 0 {
        return Err(no_rows(m));
    }
    errors.finish(m)?;
    Ok(flags)
}
