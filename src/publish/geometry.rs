//! The QPV contours as published: WGS84 longitude/latitude rounded to 6 decimals (about 0.1 m),
//! exterior rings counter-clockwise and holes clockwise (RFC 7946 §3.1.6, GeoParquet's
//! `orientation = "counterclockwise"`), and their encodings: ISO WKB (GeoParquet) and GeoPackage
//! binary (a GP header before the WKB). The GeoJSON, the GeoParquet and the GeoPackage all carry
//! these same coordinates.

use std::collections::BTreeMap;

use geo::orient::{Direction, Orient};
use geo::{Coord, LineString, MapCoords, MultiPolygon};

use crate::crs::{Crs, Reprojector};
use crate::ingest::Qpv;

/// EPSG code of the published geometries (axis order longitude, latitude in every file, as in
/// OGC:CRS84).
pub const SRS_ID: i32 = 4326;

fn r6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// Every QPV's contour in WGS84, by QPV code.
pub fn qpv_shapes_wgs84(qpv: &[Qpv]) -> Result<BTreeMap<String, MultiPolygon<f64>>, String> {
    let reproj = Reprojector::new();
    let mut out = BTreeMap::new();
    for q in qpv {
        let wgs = q
            .geometry
            .try_map_coords(|c| {
                reproj
                    .convert(Crs::Lambert93, Crs::Wgs84, c.x, c.y)
                    .map(|(x, y)| Coord { x: r6(x), y: r6(y) })
            })
            .map_err(|e| format!("{}: {e}", q.code))?
            .orient(Direction::Default);
        out.insert(q.code.clone(), wgs);
    }
    Ok(out)
}

/// `[min_x, min_y, max_x, max_y]` of some geometries (`None` when there is no coordinate).
pub fn bbox<'a>(shapes: impl IntoIterator<Item = &'a MultiPolygon<f64>>) -> Option<[f64; 4]> {
    let mut b: Option<[f64; 4]> = None;
    for mp in shapes {
        for p in &mp.0 {
            for c in p.exterior().coords() {
                let e = b.get_or_insert([c.x, c.y, c.x, c.y]);
                *e = [e[0].min(c.x), e[1].min(c.y), e[2].max(c.x), e[3].max(c.y)];
            }
        }
    }
    b
}

fn ring(out: &mut Vec<u8>, r: &LineString<f64>) {
    out.extend((r.0.len() as u32).to_le_bytes());
    for c in &r.0 {
        out.extend(c.x.to_le_bytes());
        out.extend(c.y.to_le_bytes());
    }
}

/// ISO/OGC WKB of a MultiPolygon, little-endian, 2D (type 6): always a MultiPolygon, so that a layer
/// has one geometry type.
pub fn wkb_multipolygon(mp: &MultiPolygon<f64>) -> Vec<u8> {
    let mut out = vec![1u8];
    out.extend(6u32.to_le_bytes());
    out.extend((mp.0.len() as u32).to_le_bytes());
    for p in &mp.0 {
        out.push(1);
        out.extend(3u32.to_le_bytes());
        out.extend(((1 + p.interiors().len()) as u32).to_le_bytes());
        ring(&mut out, p.exterior());
        for i in p.interiors() {
            ring(&mut out, i);
        }
    }
    out
}

/// GeoPackage binary (GeoPackage 1.4 §2.1.3): `GP`, version 0, flags (little-endian header,
/// envelope `[minx, maxx, miny, maxy]`, standard binary; empty flag when there is no coordinate),
/// the SRS id, the envelope, then the WKB.
pub fn gpkg_blob(mp: &MultiPolygon<f64>) -> Vec<u8> {
    let mut out = b"GP\x00".to_vec();
    match bbox([mp]) {
        Some([x0, y0, x1, y1]) => {
            out.push(0b0000_0011);
            out.extend(SRS_ID.to_le_bytes());
            for v in [x0, x1, y0, y1] {
                out.extend(v.to_le_bytes());
            }
        }
        None => {
            out.push(0b0001_0001);
            out.extend(SRS_ID.to_le_bytes());
        }
    }
    out.extend(wkb_multipolygon(mp));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Polygon, polygon};

    fn square_with_hole() -> MultiPolygon<f64> {
        let outer = polygon![(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 4.0), (x: 0.0, y: 4.0)];
        let hole = LineString::from(vec![(1.0, 1.0), (1.0, 2.0), (2.0, 2.0), (2.0, 1.0), (1.0, 1.0)]);
        MultiPolygon(vec![Polygon::new(outer.exterior().clone(), vec![hole])])
    }

    #[test]
    fn wkb_is_little_endian_iso_multipolygon() {
        let w = wkb_multipolygon(&square_with_hole());
        // Header: byte order, type 6, one polygon; polygon: byte order, type 3, two rings.
        assert_eq!(&w[..9], &[1, 6, 0, 0, 0, 1, 0, 0, 0]);
        assert_eq!(&w[9..18], &[1, 3, 0, 0, 0, 2, 0, 0, 0]);
        assert_eq!(u32::from_le_bytes(w[18..22].try_into().unwrap()), 5, "closed exterior ring");
        assert_eq!(f64::from_le_bytes(w[22..30].try_into().unwrap()), 0.0);
        assert_eq!(f64::from_le_bytes(w[38..46].try_into().unwrap()), 4.0, "second point x");
        // 1+4+4 + 1+4+4 + (4 + 5*16) + (4 + 5*16)
        assert_eq!(w.len(), 9 + 9 + 84 + 84);
    }

    #[test]
    fn gpkg_blob_has_the_header_srs_and_envelope_before_the_wkb() {
        let mp = square_with_hole();
        let b = gpkg_blob(&mp);
        assert_eq!(&b[..4], b"GP\x00\x03");
        assert_eq!(i32::from_le_bytes(b[4..8].try_into().unwrap()), 4326);
        let env: Vec<f64> =
            (0..4).map(|i| f64::from_le_bytes(b[8 + 8 * i..16 + 8 * i].try_into().unwrap())).collect();
        assert_eq!(env, [0.0, 4.0, 0.0, 4.0], "minx, maxx, miny, maxy");
        assert_eq!(&b[40..], wkb_multipolygon(&mp).as_slice());
        let empty = gpkg_blob(&MultiPolygon(vec![]));
        assert_eq!(&empty[..4], b"GP\x00\x11", "empty flag, no envelope");
        assert_eq!(empty.len(), 8 + 9);
    }

    #[test]
    fn bbox_of_several_shapes() {
        let a = square_with_hole();
        let b = MultiPolygon(vec![polygon![(x: -1.0, y: 2.0), (x: 0.0, y: 2.0), (x: 0.0, y: 9.0)]]);
        assert_eq!(bbox([&a, &b]), Some([-1.0, 0.0, 4.0, 9.0]));
        assert_eq!(bbox([]), None);
    }
}
