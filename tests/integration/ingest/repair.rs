//! Geometry repairs on ingest (`spatial::repair`): what the policy repairs is kept, said in a warning
//! naming the feature, and listed for the rejects file with its reason; what it rejects is in
//! `bad_inputs.rs`.

use fracture::crs::Reprojector;
use fracture::ingest::Reason;
use fracture::ingest::zones::read_qpv_detailed;
use fracture::spatial::valid::check_polygon;
use geo::Area;

use super::fixture;

#[test]
fn an_unclosed_ring_is_closed_kept_and_reported() {
    // Feature 1 (QN99902M) ends on [3.24,46.588] instead of its first position: a rectangle once closed.
    let r = read_qpv_detailed(&fixture("qpv_unclosed_ring_repaired.geojson"), &Reprojector::new())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.zones.len(), 2);
    let q = r.zones.iter().find(|q| q.code == "QN99902M").unwrap();
    assert!(check_polygon(&q.geometry.0[0]).is_ok());
    let other = r.zones.iter().find(|q| q.code == "QN99901M").unwrap();
    // Both are 0.01° × 0.008° rectangles 0.02° apart: the same area within 0.1 %.
    assert!((q.geometry.unsigned_area() / other.geometry.unsigned_area() - 1.0).abs() < 1e-3);
    let closed: Vec<String> = r
        .entries
        .iter()
        .filter(|e| e.reason == Reason::RingClosed)
        .map(|e| format!("{} {}", e.location, e.field))
        .collect();
    assert_eq!(closed, ["feature 1 (QN99902M) geometry.coordinates (polygon 0, ring 0)"]);
    assert!(
        r.warnings.iter().any(|w| w.contains("feature 1 (QN99902M)") && w.contains("unclosed ring closed")),
        "{:?}",
        r.warnings
    );
}
