//! CSV tables: any bytes through the one table reader (encoding, separator and decimal detection,
//! header, ragged rows, NUL bytes), then every column read as text, numbers and codes.
#![no_main]

use fracture::ingest::read::{CodeKind, ReadOptions, read_table};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let path = common::input_file("csv_table", "table.csv", data);
    let Ok(t) = read_table(&path, &ReadOptions::default()) else { return };
    let mut errors = Vec::new();
    for c in t.columns() {
        let _ = t.strings(&c);
        let _ = t.f64s(&c, &mut errors);
        let _ = t.codes(&c, CodeKind::Iris, &mut errors);
    }
    for row in 0..t.height().min(16) {
        let _ = t.line_of(row).to_string();
    }
});
