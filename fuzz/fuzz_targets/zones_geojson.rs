//! GeoJSON zones: any bytes through the QPV reader (codes, parts per commune merged, geometry checks)
//! and the IRIS reader. Either may reject the input; neither may panic or hang.
#![no_main]

use std::sync::OnceLock;

use fracture::crs::Reprojector;
use fracture::ingest::zones::{read_iris_detailed, read_qpv_detailed};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    static REPROJ: OnceLock<Reprojector> = OnceLock::new();
    let reproj = REPROJ.get_or_init(Reprojector::new);
    let path = common::input_file("zones_geojson", "zones.geojson", data);
    let _ = read_qpv_detailed(&path, reproj);
    let _ = read_iris_detailed(&path, reproj);
});
