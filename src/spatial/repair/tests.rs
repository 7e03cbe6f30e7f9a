#![allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]

use geo::{Area, Coord};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::*;

fn c(x: f64, y: f64) -> Coord<f64> {
    Coord { x, y }
}

fn ring(pts: &[(f64, f64)]) -> Vec<Coord<f64>> {
    pts.iter().map(|&(x, y)| c(x, y)).collect()
}

const SQUARE: [(f64, f64); 5] = [(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0), (0.0, 0.0)];

fn assert_valid(r: &Repaired) {
    for p in &r.geometry.0 {
        assert_eq!(valid::check_polygon(p), Ok(()), "{p:?}");
        assert!(signed_area2(&p.exterior().0[1..]) > 0.0, "exterior counter-clockwise");
        for h in p.interiors() {
            assert!(signed_area2(&h.0[1..]) < 0.0, "holes clockwise");
        }
    }
}

#[test]
fn orientation_is_normalised_and_counted_never_a_fix() {
    let mut cw = ring(&SQUARE);
    cw.reverse();
    let ccw_hole = ring(&[(1.0, 1.0), (2.0, 1.0), (2.0, 2.0), (1.0, 2.0), (1.0, 1.0)]);
    let r = repair(vec![vec![cw, ccw_hole]]).unwrap();
    assert_eq!((r.reoriented, r.fixes.len()), (2, 0));
    assert_eq!(r.geometry.unsigned_area(), 15.0);
    assert_valid(&r);
}

#[test]
fn an_unclosed_ring_is_closed_but_a_degenerate_one_is_not_kept() {
    let r = repair(vec![vec![ring(&SQUARE[..4])]]).unwrap();
    assert_eq!(r.fixes, [Fix::Closed { part: 0, ring: 0 }]);
    assert_eq!(r.geometry.0[0].exterior().0, ring(&SQUARE));
    // Two distinct positions, unclosed: nothing to close into a polygon.
    let e = repair(vec![vec![ring(&[(0.0, 0.0), (1.0, 0.0), (1.0, 0.0)])]]).unwrap_err();
    assert_eq!(e, Invalid::NoValidPart { dropped: vec![(0, Degenerate::Distinct(2))] });
}

#[test]
fn repeated_positions_and_spikes_are_removed_and_counted_area_unchanged() {
    // (4, 0) repeated twice, and a spike out to (6, 2) and back from (4, 2).
    let pts = ring(&[
        (0.0, 0.0),
        (4.0, 0.0),
        (4.0, 0.0),
        (4.0, 0.0),
        (4.0, 2.0),
        (6.0, 2.0),
        (4.0, 2.0),
        (4.0, 4.0),
        (0.0, 4.0),
        (0.0, 4.0),
        (0.0, 0.0),
    ]);
    let r = repair(vec![vec![pts]]).unwrap();
    assert_eq!(r.fixes, [Fix::RepeatedPoints { count: 3 }, Fix::Spikes { count: 1 }]);
    assert_eq!(r.geometry.unsigned_area(), 16.0);
    assert_eq!(r.geometry.0[0].exterior().0.len(), 6, "(4, 2) stays: a vertex on the edge");
    assert_valid(&r);
}

#[test]
fn empty_parts_are_dropped_when_the_feature_keeps_one_else_it_is_rejected() {
    let line = ring(&[(10.0, 0.0), (11.0, 0.0), (12.0, 0.0), (10.0, 0.0)]);
    let hole = ring(&[(1.0, 1.0), (1.0, 1.0), (2.0, 2.0), (1.0, 1.0)]);
    let r = repair(vec![vec![], vec![ring(&SQUARE), hole], vec![line.clone()]]).unwrap();
    assert_eq!(
        r.fixes,
        [
            Fix::PartDropped { part: 0, why: Degenerate::Empty },
            Fix::HoleDropped { part: 1, ring: 1, why: Degenerate::Distinct(2) },
            Fix::PartDropped { part: 2, why: Degenerate::Distinct(2) },
            Fix::RepeatedPoints { count: 1 },
            Fix::Spikes { count: 1 },
        ]
    );
    assert_eq!(r.geometry.0.len(), 1);
    assert_eq!(r.geometry.unsigned_area(), 16.0);
    let e = repair(vec![vec![line], vec![Vec::new()]]).unwrap_err();
    assert_eq!(
        e,
        Invalid::NoValidPart { dropped: vec![(0, Degenerate::Distinct(2)), (1, Degenerate::Empty)] }
    );
    let style = Style { position: &|c| format!("[{},{}]", c.x, c.y), area_unit: "m²" };
    let (_, found) = e.describe(&style);
    assert_eq!(found, "polygon 0: 2 distinct position(s), 3 needed; polygon 1: no position");
}

#[test]
fn a_ring_touching_itself_at_a_vertex_is_split_into_parts_area_kept() {
    // Two squares sharing the corner (2, 2), drawn as one ring.
    let eight = ring(&[
        (0.0, 0.0),
        (2.0, 0.0),
        (2.0, 2.0),
        (4.0, 2.0),
        (4.0, 4.0),
        (2.0, 4.0),
        (2.0, 2.0),
        (0.0, 2.0),
        (0.0, 0.0),
    ]);
    let r = repair(vec![vec![eight]]).unwrap();
    assert_eq!(r.geometry.0.len(), 2);
    assert_eq!(r.geometry.unsigned_area(), 8.0);
    match &r.fixes[..] {
        [Fix::Split { part: 0, ring: 0, at, rings: 2, area_change, .. }] => {
            assert_eq!((*at, *area_change), (c(2.0, 2.0), 0.0));
        }
        other => panic!("{other:?}"),
    }
    assert_valid(&r);
}

#[test]
fn an_inner_loop_of_the_exterior_becomes_a_hole() {
    // The exterior goes in to draw a clockwise loop (the hole) and comes back at (0, 2).
    let pts = ring(&[
        (0.0, 0.0),
        (4.0, 0.0),
        (4.0, 4.0),
        (0.0, 4.0),
        (0.0, 2.0),
        (1.0, 3.0),
        (2.0, 2.0),
        (1.0, 1.0),
        (0.0, 2.0),
        (0.0, 0.0),
    ]);
    let r = repair(vec![vec![pts]]).unwrap();
    assert_eq!(r.geometry.0.len(), 1);
    assert_eq!(r.geometry.0[0].interiors().len(), 1);
    assert_eq!(r.geometry.unsigned_area(), 14.0);
    assert_valid(&r);
}

#[test]
fn a_small_twist_from_rounding_is_turned_over_and_its_area_change_reported() {
    // A 100 m square whose corner (100, 100) was rounded past its neighbour: a 0.5 m twist.
    let pts = ring(&[(0.0, 0.0), (100.0, 0.0), (100.0, 101.0), (101.0, 100.0), (0.0, 100.0), (0.0, 0.0)]);
    let given = signed_area2(&pts[..5]).abs() / 2.0;
    let r = repair(vec![vec![pts]]).unwrap();
    match &r.fixes[..] {
        [Fix::Split { at, rings: 2, area_change, relative, .. }] => {
            assert!((at.x - 100.0).abs() < 1e-9 && (at.y - 100.0).abs() < 1e-9, "{at:?}");
            assert!((r.geometry.unsigned_area() - given - area_change).abs() < 1e-9);
            assert!(*area_change > 0.0 && *relative < AREA_TOLERANCE, "{area_change} {relative}");
        }
        other => panic!("{other:?}"),
    }
    assert_valid(&r);
}

#[test]
fn a_bowtie_is_rejected_with_the_crossing_point() {
    let bowtie = ring(&[(0.0, 0.0), (2.0, 2.0), (2.0, 0.0), (0.0, 2.0), (0.0, 0.0)]);
    let e = repair(vec![vec![ring(&SQUARE)], vec![bowtie]]).unwrap_err();
    match &e {
        Invalid::SelfCrossing { part: 1, ring: 0, at, kind: Kind::Cross, relative: Some(r) } => {
            assert_eq!(*at, c(1.0, 1.0));
            assert_eq!(*r, 1.0);
        }
        other => panic!("{other:?}"),
    }
    let style = Style { position: &|c| format!("[{},{}]", c.x, c.y), area_unit: "m²" };
    let (_, found) = e.describe(&style);
    assert!(found.contains("crosses itself at [1,1]") && found.contains("100.00 %"), "{found}");
    assert_eq!(e.field(), "geometry.coordinates (polygon 1, ring 0)");
}

#[test]
fn holes_outside_overlapping_or_crossing_are_rejected() {
    let outside = ring(&[(5.0, 5.0), (5.0, 6.0), (6.0, 6.0), (5.0, 5.0)]);
    let e = repair(vec![vec![ring(&SQUARE), outside]]).unwrap_err();
    assert_eq!(e, Invalid::HoleOutside { part: 0, ring: 1, at: c(5.0, 5.0) });
    let big = ring(&[(1.0, 1.0), (1.0, 3.0), (3.0, 3.0), (3.0, 1.0), (1.0, 1.0)]);
    let small = ring(&[(1.5, 1.5), (1.5, 2.0), (2.0, 2.0), (1.5, 1.5)]);
    let e = repair(vec![vec![ring(&SQUARE), big, small]]).unwrap_err();
    assert!(matches!(e, Invalid::HolesOverlap { part: 0, ring: 2, other: 1, .. }), "{e:?}");
    let crossing = ring(&[(3.0, 1.0), (5.0, 1.0), (5.0, 2.0), (3.0, 2.0), (3.0, 1.0)]);
    let e = repair(vec![vec![ring(&SQUARE), crossing]]).unwrap_err();
    assert!(matches!(e, Invalid::HoleOutside { ring: 1, .. } | Invalid::RingsCross { .. }), "{e:?}");
}

/// A random star-shaped polygon around (cx, cy): simple, of `n` vertices.
fn star(rng: &mut ChaCha8Rng, cx: f64, cy: f64, r: f64, n: usize) -> Vec<Coord<f64>> {
    let mut pts: Vec<Coord<f64>> = (0..n)
        .map(|k| {
            let t = k as f64 / n as f64 * std::f64::consts::TAU;
            let d = r * rng.random_range(0.5..1.0);
            c(cx + d * t.cos(), cy + d * t.sin())
        })
        .collect();
    pts.push(pts[0]);
    pts
}

#[test]
fn property_repair_keeps_the_area_and_the_validity_of_valid_inputs() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for case in 0..300 {
        let (cx, cy) = (700_000.0 + rng.random_range(0.0..1e5), 6_600_000.0 + rng.random_range(0.0..1e5));
        let n = rng.random_range(3..60);
        // A hole well inside (its largest radius below the exterior's smallest).
        let mut rings = vec![star(&mut rng, cx, cy, 1_000.0, n)];
        if rng.random_bool(0.5) {
            let m = rng.random_range(3..20);
            rings.push(star(&mut rng, cx, cy, 200.0, m));
        }
        let expected: f64 = geo::Polygon::new(
            geo::LineString(rings[0].clone()),
            rings[1..].iter().map(|h| geo::LineString(h.clone())).collect(),
        )
        .unsigned_area();
        // What files do to valid rings: either orientation, repeated positions, a missing closure.
        for r in rings.iter_mut() {
            if rng.random_bool(0.5) {
                r.reverse();
            }
            if rng.random_bool(0.3) {
                let k = rng.random_range(0..r.len());
                let p = r[k];
                r.insert(k, p);
            }
            if rng.random_bool(0.2) {
                r.pop();
            }
        }
        let first = repair(vec![rings.clone()]).unwrap_or_else(|e| panic!("case {case}: {e:?}"));
        let area = first.geometry.unsigned_area();
        assert!((area - expected).abs() <= 1e-9 * expected, "case {case}: {area} vs {expected}");
        assert_valid(&first);
        assert!(first.fixes.iter().all(|f| matches!(f, Fix::Closed { .. } | Fix::RepeatedPoints { .. })));
        assert_eq!(repair(vec![rings]).unwrap(), first, "case {case}: deterministic");
    }
}
