//! The national QPV 2024 file has one feature per QPV *within each commune*: a QPV spanning two communes
//! is two features with the same `code_qp` and different `insee_com` (Molkenbronn: Strasbourg and
//! Lingolsheim). They are merged into one QPV keeping its parts; only true duplicates are rejected.

use std::path::PathBuf;

use fracture::crs::Reprojector;
use fracture::ingest::Reason;
use fracture::ingest::zones::{read_qpv, read_qpv_detailed};
use geo::Area;

use super::{close, fixture};
use crate::support;

#[test]
fn a_qpv_in_two_communes_is_one_qpv_with_two_parts_and_the_summed_area() {
    let path = fixture("qpv2024_one_feature_per_qpv_and_commune.geojson");
    let r = read_qpv_detailed(&path, &Reprojector::new()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.features, 3);
    let codes: Vec<&str> = r.zones.iter().map(|q| q.code.as_str()).collect();
    assert_eq!(codes, ["QN06701M", "QN06713M"]);
    let m = &r.zones[1];
    assert_eq!(m.name, "Molkenbronn");
    assert_eq!(m.parts.len(), 2);
    let communes: Vec<(Option<&str>, usize)> =
        m.parts.iter().map(|p| (p.commune.as_deref(), p.feature)).collect();
    assert_eq!(communes, [(Some("67482"), 0), (Some("67267"), 2)], "parts in file order, with their feature");
    assert_eq!(m.communes(), ["67482", "67267"]);
    // The Strasbourg part (0.010° × 0.006°) is twice the Lingolsheim one (0.010° × 0.003°): main commune.
    assert_eq!(m.commune.as_deref(), Some("67482"));
    assert_eq!(m.commune_name.as_deref(), Some("Strasbourg"));
    let (a0, a1) = (m.parts[0].area_m2, m.parts[1].area_m2);
    assert!(close(a0, 2.0 * a1, 0.01), "{a0} {a1}");
    assert!((m.area_m2 - (a0 + a1)).abs() < 1e-6, "{} ≠ {a0} + {a1}", m.area_m2);
    assert_eq!(m.geometry.0.len(), 2, "both parts' polygons");
    assert!((m.geometry.unsigned_area() - m.area_m2).abs() < 1e-3);
    // ~737 m × 667 m at 48.56° N for the Strasbourg part.
    assert!(close(a0, 737.0 * 667.0, 0.03), "{a0}");
    // A single-commune QPV has one part.
    assert_eq!(r.zones[0].parts.len(), 1);
    assert_eq!(r.zones[0].communes(), ["67482"]);
    // Said, and listed for the rejects file.
    assert!(
        r.warnings.iter().any(|w| w.contains("1 QPV given as one feature per commune")
            && w.contains("QN06713M (features 0, 2: communes 67482, 67267)")),
        "{:?}",
        r.warnings
    );
    let merged: Vec<String> =
        r.entries.iter().filter(|e| e.reason == Reason::PartMerged).map(|e| e.value.clone()).collect();
    assert_eq!(merged, ["67482", "67267"]);
}

#[test]
fn territory_logic_sees_every_commune_of_a_merged_qpv() {
    let (qpv, _) =
        read_qpv(&fixture("qpv2024_one_feature_per_qpv_and_commune.geojson"), &Reprojector::new()).unwrap();
    let m = &qpv[1];
    let lingolsheim = ["67267".to_string()];
    assert!(m.in_territory(None, &lingolsheim), "the Lingolsheim part puts it in Lingolsheim's territory");
    assert!(!qpv[0].in_territory(None, &lingolsheim), "Hautepierre is only in Strasbourg");
    assert!(m.in_territory(Some("246700488"), &[]), "by EPCI");
    assert!(!m.in_territory(Some("200000000"), &lingolsheim), "an EPCI given on both sides decides");
}

/// `fixture` with the features' properties edited by `f` (feature index, properties).
fn edited(
    f: impl Fn(usize, &mut serde_json::Map<String, serde_json::Value>),
) -> (tempfile::TempDir, PathBuf) {
    let text = std::fs::read_to_string(fixture("qpv2024_one_feature_per_qpv_and_commune.geojson")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    for (i, feat) in v["features"].as_array_mut().unwrap().iter_mut().enumerate() {
        f(i, feat["properties"].as_object_mut().unwrap());
    }
    let dir = support::workdir();
    let path = dir.path().join("qpv.geojson");
    std::fs::write(&path, serde_json::to_string(&v).unwrap()).unwrap();
    (dir, path)
}

#[test]
fn the_same_code_in_the_same_commune_is_a_true_duplicate_naming_both_features() {
    let (_dir, path) = edited(|i, p| {
        if i == 2 {
            p.insert("insee_com".into(), "67482".into());
        }
    });
    let e = read_qpv(&path, &Reprojector::new()).unwrap_err().to_string();
    assert!(e.contains("qpv.geojson"), "{e}");
    assert!(e.contains("feature 2 (QN06713M)") && e.contains("field `code_qp`"), "{e}");
    assert!(e.contains("duplicate QN06713M of feature 0 (same commune 67482)"), "{e}");
}

#[test]
fn the_same_code_without_a_commune_field_is_a_true_duplicate() {
    let (_dir, path) = edited(|_, p| {
        p.remove("insee_com");
    });
    let e = read_qpv(&path, &Reprojector::new()).unwrap_err().to_string();
    assert!(e.contains("feature 2 (QN06713M)"), "{e}");
    assert!(e.contains("duplicate QN06713M of feature 0 (no commune field to tell parts apart)"), "{e}");
}

#[test]
fn parts_that_disagree_on_the_name_are_rejected() {
    let (_dir, path) = edited(|i, p| {
        if i == 2 {
            p.insert("lib_qp".into(), "Molkenbronn-Sud".into());
        }
    });
    let e = read_qpv(&path, &Reprojector::new()).unwrap_err().to_string();
    assert!(e.contains("feature 2 (QN06713M)") && e.contains("field `lib_qp`"), "{e}");
    assert!(e.contains("\"Molkenbronn\", feature 0") && e.contains("Molkenbronn-Sud"), "{e}");
}

#[test]
fn overlapping_parts_are_rejected() {
    let text = std::fs::read_to_string(fixture("qpv2024_one_feature_per_qpv_and_commune.geojson")).unwrap();
    // The Lingolsheim part moved east by half its width: it now covers part of the Strasbourg one.
    let moved = text.replace(
        "[7.69, 48.56], [7.7, 48.56], [7.7, 48.563], [7.69, 48.563], [7.69, 48.56]",
        "[7.695, 48.56], [7.705, 48.56], [7.705, 48.563], [7.695, 48.563], [7.695, 48.56]",
    );
    assert_ne!(moved, text, "the edit changed nothing");
    let dir = support::workdir();
    let path = dir.path().join("qpv.geojson");
    std::fs::write(&path, moved).unwrap();
    let e = read_qpv(&path, &Reprojector::new()).unwrap_err().to_string();
    assert!(e.contains("feature 2 (QN06713M)") && e.contains("field `geometry`"), "{e}");
    assert!(e.contains("overlaps feature 0 by"), "{e}");
}
