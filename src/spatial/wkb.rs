//! Polygons from Well-Known Binary (OGC Simple Features §8.2, ISO SQL/MM), as GeoParquet stores them.
//!
//! Reads a `Polygon` (type 3) or a `MultiPolygon` (type 6) into parts of rings of positions, x and y
//! only: either byte order (per geometry), 2D, Z, M or ZM in the ISO numbering (1003, 2003, 3003, ...)
//! or with EWKB's flag bits (Z `0x80000000`, M `0x40000000`, SRID `0x20000000` followed by the SRID,
//! which is skipped). Counts are checked against the bytes left before anything is allocated, so a
//! corrupt count cannot ask for gigabytes; trailing bytes are an error.

use geo::Coord;

/// Why bytes are not a WKB polygon.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WkbError {
    #[error("truncated WKB: {need} byte(s) needed at byte {at}, {len} in all")]
    Truncated { at: usize, need: usize, len: usize },
    #[error("WKB byte order {0} at the start of a geometry (0 or 1 expected)")]
    ByteOrder(u8),
    #[error("a WKB {0}, not a Polygon or MultiPolygon")]
    Type(String),
    #[error("WKB part {0} of the MultiPolygon is a {1}, not a Polygon")]
    Part(usize, String),
    #[error("{0} byte(s) after the end of the WKB geometry")]
    Trailing(usize),
}

/// One polygon's rings (exterior first), each a list of (x, y) positions as stored.
pub type Rings = Vec<Vec<Coord<f64>>>;

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    little: bool,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], WkbError> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len()).ok_or(WkbError::Truncated {
            at: self.at,
            need: n,
            len: self.bytes.len(),
        })?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }

    fn u32(&mut self) -> Result<u32, WkbError> {
        let b: [u8; 4] = self.take(4)?.try_into().unwrap_or_default();
        Ok(if self.little { u32::from_le_bytes(b) } else { u32::from_be_bytes(b) })
    }

    fn f64(&mut self) -> Result<f64, WkbError> {
        let b: [u8; 8] = self.take(8)?.try_into().unwrap_or_default();
        Ok(if self.little { f64::from_le_bytes(b) } else { f64::from_be_bytes(b) })
    }

    /// A count of items of at least `min_size` bytes each, checked against what is left.
    fn count(&mut self, min_size: usize) -> Result<usize, WkbError> {
        let n = self.u32()? as usize;
        let left = self.bytes.len() - self.at;
        if n.saturating_mul(min_size) > left {
            return Err(WkbError::Truncated {
                at: self.at,
                need: n.saturating_mul(min_size),
                len: self.bytes.len(),
            });
        }
        Ok(n)
    }

    /// Byte order and type of a geometry: (base type 1..7, dimensions per position).
    fn header(&mut self) -> Result<(u32, usize), WkbError> {
        self.little = match self.take(1)?[0] {
            0 => false,
            1 => true,
            b => return Err(WkbError::ByteOrder(b)),
        };
        let raw = self.u32()?;
        let (mut z, mut m) = (raw & 0x8000_0000 != 0, raw & 0x4000_0000 != 0);
        if raw & 0x2000_0000 != 0 {
            self.u32()?; // the EWKB SRID: the CRS comes from the file's metadata
        }
        let iso = raw & 0x0fff_ffff;
        match iso / 1000 {
            1 => z = true,
            2 => m = true,
            3 => (z, m) = (true, true),
            _ => {}
        }
        Ok((iso % 1000, 2 + usize::from(z) + usize::from(m)))
    }

    fn rings(&mut self, dims: usize) -> Result<Rings, WkbError> {
        let n = self.count(4)?;
        let mut rings = Vec::with_capacity(n);
        for _ in 0..n {
            let points = self.count(8 * dims)?;
            let mut ring = Vec::with_capacity(points);
            for _ in 0..points {
                let (x, y) = (self.f64()?, self.f64()?);
                for _ in 2..dims {
                    self.f64()?;
                }
                ring.push(Coord { x, y });
            }
            rings.push(ring);
        }
        Ok(rings)
    }
}

fn type_name(t: u32) -> String {
    match t {
        1 => "Point".into(),
        2 => "LineString".into(),
        3 => "Polygon".into(),
        4 => "MultiPoint".into(),
        5 => "MultiLineString".into(),
        6 => "MultiPolygon".into(),
        7 => "GeometryCollection".into(),
        other => format!("geometry of unknown type {other}"),
    }
}

/// The polygons of a WKB `Polygon` (one part) or `MultiPolygon`.
///
/// # Examples
/// ```
/// use fracture::spatial::wkb::polygons;
/// // A little-endian Polygon: one ring of 4 positions.
/// let mut wkb = vec![1u8, 3, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0];
/// for (x, y) in [(0.0f64, 0.0f64), (1.0, 0.0), (0.0, 1.0), (0.0, 0.0)] {
///     wkb.extend(x.to_le_bytes());
///     wkb.extend(y.to_le_bytes());
/// }
/// let parts = polygons(&wkb).unwrap();
/// assert_eq!(parts.len(), 1);
/// assert_eq!(parts[0][0].len(), 4);
/// assert!(polygons(&wkb[..20]).is_err());
/// ```
pub fn polygons(bytes: &[u8]) -> Result<Vec<Rings>, WkbError> {
    let mut r = Reader { bytes, at: 0, little: true };
    let (t, dims) = r.header()?;
    let parts = match t {
        3 => vec![r.rings(dims)?],
        6 => {
            let n = r.count(9)?;
            let mut parts = Vec::with_capacity(n);
            for k in 0..n {
                let (t, dims) = r.header()?;
                if t != 3 {
                    return Err(WkbError::Part(k, type_name(t)));
                }
                parts.push(r.rings(dims)?);
            }
            parts
        }
        other => return Err(WkbError::Type(type_name(other))),
    };
    match bytes.len() - r.at {
        0 => Ok(parts),
        n => Err(WkbError::Trailing(n)),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use super::*;
    use geo::{LineString, MultiPolygon, Polygon};

    /// Little-endian ISO WKB of a MultiPolygon, as `publish::geometry` writes it (written again here:
    /// `spatial` is below `publish`).
    fn wkb_multipolygon(mp: &MultiPolygon<f64>) -> Vec<u8> {
        let mut out = vec![1u8];
        out.extend(6u32.to_le_bytes());
        out.extend((mp.0.len() as u32).to_le_bytes());
        for p in &mp.0 {
            out.push(1);
            out.extend(3u32.to_le_bytes());
            out.extend(((1 + p.interiors().len()) as u32).to_le_bytes());
            for r in std::iter::once(p.exterior()).chain(p.interiors()) {
                out.extend((r.0.len() as u32).to_le_bytes());
                for c in &r.0 {
                    out.extend(c.x.to_le_bytes());
                    out.extend(c.y.to_le_bytes());
                }
            }
        }
        out
    }

    fn square(x: f64) -> Polygon<f64> {
        let hole = LineString::from(vec![(x + 1.0, 1.0), (x + 1.0, 2.0), (x + 2.0, 2.0), (x + 1.0, 1.0)]);
        Polygon::new(LineString::from(vec![(x, 0.0), (x + 4.0, 0.0), (x + 4.0, 4.0), (x, 0.0)]), vec![hole])
    }

    fn as_parts(mp: &MultiPolygon<f64>) -> Vec<Rings> {
        mp.0.iter()
            .map(|p| std::iter::once(p.exterior()).chain(p.interiors()).map(|r| r.0.clone()).collect())
            .collect()
    }

    #[test]
    fn reads_back_an_iso_multipolygon_with_holes() {
        let mp = MultiPolygon(vec![square(0.0), square(10.0)]);
        assert_eq!(polygons(&wkb_multipolygon(&mp)).unwrap(), as_parts(&mp));
    }

    /// A big-endian Polygon Z (ISO 1003) and the same as EWKB with an SRID: x, y kept.
    #[test]
    fn big_endian_z_and_ewkb_with_srid() {
        let pts = [(0.0f64, 0.0f64), (1.0, 0.0), (0.0, 1.0), (0.0, 0.0)];
        let body = |out: &mut Vec<u8>| {
            out.extend(1u32.to_be_bytes());
            out.extend(4u32.to_be_bytes());
            for (x, y) in pts {
                out.extend(x.to_be_bytes());
                out.extend(y.to_be_bytes());
                out.extend(7.0f64.to_be_bytes());
            }
        };
        let mut iso = vec![0u8];
        iso.extend(1003u32.to_be_bytes());
        body(&mut iso);
        let mut ewkb = vec![0u8];
        ewkb.extend((3u32 | 0x8000_0000 | 0x2000_0000).to_be_bytes());
        ewkb.extend(2154u32.to_be_bytes());
        body(&mut ewkb);
        let expected: Vec<Rings> = vec![vec![pts.iter().map(|&(x, y)| Coord { x, y }).collect()]];
        assert_eq!(polygons(&iso).unwrap(), expected);
        assert_eq!(polygons(&ewkb).unwrap(), expected);
    }

    #[test]
    fn bad_bytes_are_errors_never_panics_nor_huge_allocations() {
        let good = wkb_multipolygon(&MultiPolygon(vec![square(0.0)]));
        for n in 0..good.len() {
            assert!(matches!(polygons(&good[..n]), Err(WkbError::Truncated { .. })), "cut at {n}");
        }
        let mut trailing = good.clone();
        trailing.push(0);
        assert_eq!(polygons(&trailing), Err(WkbError::Trailing(1)));
        let mut order = good.clone();
        order[0] = 7;
        assert_eq!(polygons(&order), Err(WkbError::ByteOrder(7)));
        let point: Vec<u8> = [&[1u8, 1, 0, 0, 0][..], &1.0f64.to_le_bytes(), &2.0f64.to_le_bytes()].concat();
        assert_eq!(polygons(&point), Err(WkbError::Type("Point".into())));
        // A count of 4 billion rings in a 13-byte geometry.
        let huge = [1u8, 3, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 0];
        assert!(matches!(polygons(&huge), Err(WkbError::Truncated { .. })));
        let mut line_part = good;
        line_part[10] = 2; // the first part's type: LineString
        assert_eq!(polygons(&line_part), Err(WkbError::Part(0, "LineString".into())));
    }
}
