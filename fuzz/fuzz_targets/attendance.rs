//! The attendance file (personal data): any bytes through its reader, pseudonymising on read, with
//! dates after a fixed horizon set aside. It may reject the input; it may not panic or hang.
#![no_main]

use std::sync::OnceLock;

use fracture::crs::Reprojector;
use fracture::ingest::attendance::read_attendance_detailed;
use fracture::ingest::pseudonym::Pseudonymiser;
use fracture::ingest::read::ReadOptions;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    static REPROJ: OnceLock<Reprojector> = OnceLock::new();
    let reproj = REPROJ.get_or_init(Reprojector::new);
    let Ok(pseudo) = Pseudonymiser::new(b"fracture-fuzz-key-not-secret") else { return };
    let horizon = chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap_or_default();
    let path = common::input_file("attendance", "attendance.csv", data);
    let _ = read_attendance_detailed(&path, &ReadOptions::default(), &pseudo, reproj, horizon);
});
