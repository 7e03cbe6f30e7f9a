//! Coordinate reference systems: WGS84 (EPSG:4326 / CRS84), Web Mercator (EPSG:3857), Lambert-93
//! (EPSG:2154) and LAEA Europe (EPSG:3035).
//!
//! - [`Crs`] names one; [`Crs::parse`] reads `EPSG:2154`, `2154`, `urn:ogc:def:crs:EPSG::2154`,
//!   `CRS84`, `urn:ogc:def:crs:OGC:1.3:CRS84` (the spellings found in GeoJSON `crs` members and on the
//!   command line).
//! - [`Reprojector`] holds the four `proj4rs` definitions once and converts points and geometries
//!   (degrees for WGS84, metres otherwise). RGF93 and ETRS89 are taken as WGS84 (no datum shift), as
//!   PROJ does without grids: conversions agree with PROJ 9.5 to the millimetre (unit tests).
//! - [`check_range`] rejects a coordinate whose range contradicts its declared CRS (Lambert-93 metres
//!   under a CRS84 label, degrees under a projected label), saying which CRS the numbers look like.

use geo::{Coord, MapCoords, MultiPolygon};
use proj4rs::Proj;
use proj4rs::adaptors::transform_xy;

/// A CRS fracture knows how to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Crs {
    /// EPSG:4326 / CRS84, longitude then latitude in degrees.
    #[serde(rename = "EPSG:4326")]
    Wgs84,
    /// EPSG:3857, spherical Web Mercator in metres.
    #[serde(rename = "EPSG:3857")]
    WebMercator,
    /// EPSG:2154, RGF93 / Lambert-93 in metres.
    #[serde(rename = "EPSG:2154")]
    Lambert93,
    /// EPSG:3035, ETRS89 / LAEA Europe in metres (equal-area; the INSEE and Eurostat grids).
    #[serde(rename = "EPSG:3035")]
    Laea,
}

/// Why a CRS name was not understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown CRS {name:?}: expected EPSG:4326 (or CRS84), EPSG:3857, EPSG:2154 or EPSG:3035")]
pub struct UnknownCrs {
    pub name: String,
}

impl Crs {
    /// Every CRS fracture reads.
    pub const ALL: [Crs; 4] = [Crs::Wgs84, Crs::WebMercator, Crs::Lambert93, Crs::Laea];

    /// The EPSG code.
    pub fn epsg(self) -> u32 {
        match self {
            Crs::Wgs84 => 4326,
            Crs::WebMercator => 3857,
            Crs::Lambert93 => 2154,
            Crs::Laea => 3035,
        }
    }

    /// The CRS of an EPSG code (900913 and 102100, old aliases of Web Mercator, included).
    pub fn from_epsg(code: u32) -> Option<Crs> {
        match code {
            4326 => Some(Crs::Wgs84),
            3857 | 900_913 | 102_100 => Some(Crs::WebMercator),
            2154 => Some(Crs::Lambert93),
            3035 => Some(Crs::Laea),
            _ => None,
        }
    }

    /// True for a geographic CRS (degrees).
    pub fn is_geographic(self) -> bool {
        self == Crs::Wgs84
    }

    /// Reads a CRS name as found in a GeoJSON `crs` member or on the command line.
    ///
    /// # Examples
    /// ```
    /// use fracture::spatial::crs::Crs;
    /// assert_eq!(Crs::parse("EPSG:2154"), Ok(Crs::Lambert93));
    /// assert_eq!(Crs::parse("urn:ogc:def:crs:EPSG::2154"), Ok(Crs::Lambert93));
    /// assert_eq!(Crs::parse("urn:ogc:def:crs:OGC:1.3:CRS84"), Ok(Crs::Wgs84));
    /// assert_eq!(Crs::parse("epsg:3035"), Ok(Crs::Laea));
    /// assert_eq!(Crs::parse("3857"), Ok(Crs::WebMercator));
    /// assert!(Crs::parse("EPSG:27572").is_err());
    /// ```
    pub fn parse(name: &str) -> Result<Crs, UnknownCrs> {
        let unknown = || UnknownCrs { name: name.to_string() };
        let n = name.trim().to_ascii_uppercase();
        if matches!(
            n.as_str(),
            "CRS84" | "OGC:CRS84" | "URN:OGC:DEF:CRS:OGC:1.3:CRS84" | "URN:OGC:DEF:CRS:OGC::CRS84"
        ) {
            return Ok(Crs::Wgs84);
        }
        let code = n
            .strip_prefix("URN:OGC:DEF:CRS:EPSG:")
            .map(|rest| rest.rsplit(':').next().unwrap_or(rest))
            .or_else(|| n.strip_prefix("EPSG:"))
            .or_else(|| n.strip_prefix("HTTP://WWW.OPENGIS.NET/DEF/CRS/EPSG/0/"))
            .unwrap_or(&n);
        code.parse::<u32>().ok().and_then(Crs::from_epsg).ok_or_else(unknown)
    }
}

impl std::str::FromStr for Crs {
    type Err = UnknownCrs;
    fn from_str(s: &str) -> Result<Crs, UnknownCrs> {
        Crs::parse(s)
    }
}

impl std::fmt::Display for Crs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Crs::Wgs84 => "EPSG:4326",
            Crs::WebMercator => "EPSG:3857",
            Crs::Lambert93 => "EPSG:2154",
            Crs::Laea => "EPSG:3035",
        })
    }
}

const WGS84: &str = "+proj=longlat +ellps=WGS84 +datum=WGS84 +no_defs";
const LAMBERT93: &str = "+proj=lcc +lat_0=46.5 +lon_0=3 +lat_1=49 +lat_2=44 +x_0=700000 +y_0=6600000 \
     +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs";
const LAEA: &str = "+proj=laea +lat_0=52 +lon_0=10 +x_0=4321000 +y_0=3210000 +ellps=GRS80 \
     +towgs84=0,0,0,0,0,0,0 +units=m +no_defs";
const WEB_MERCATOR: &str =
    "+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +no_defs";

/// Bounding box of metropolitan France and Corsica in Lambert-93, with a margin: a point outside it
/// is almost certainly in the wrong CRS.
pub const LAMBERT93_BOUNDS: (f64, f64, f64, f64) = (-100_000.0, 6_000_000.0, 1_300_000.0, 7_200_000.0);

/// Why a coordinate could not be converted.
#[derive(Debug, thiserror::Error)]
#[error("cannot convert ({x}, {y}) from {from} to {to}: {reason}")]
pub struct CrsError {
    pub x: f64,
    pub y: f64,
    pub from: Crs,
    pub to: Crs,
    pub reason: String,
}

/// Converts coordinates between the CRS fracture reads and Lambert-93.
pub struct Reprojector {
    wgs84: Proj,
    lambert93: Proj,
    web_mercator: Proj,
    laea: Proj,
}

impl Default for Reprojector {
    fn default() -> Self {
        Self::new()
    }
}

impl Reprojector {
    /// Builds the four projections (constant definitions; they always parse).
    #[allow(clippy::expect_used, reason = "the proj strings are constants checked by unit tests")]
    pub fn new() -> Self {
        Self {
            wgs84: Proj::from_proj_string(WGS84).expect("WGS84 definition"),
            lambert93: Proj::from_proj_string(LAMBERT93).expect("Lambert-93 definition"),
            web_mercator: Proj::from_proj_string(WEB_MERCATOR).expect("Web Mercator definition"),
            laea: Proj::from_proj_string(LAEA).expect("LAEA Europe definition"),
        }
    }

    fn proj(&self, crs: Crs) -> &Proj {
        match crs {
            Crs::Wgs84 => &self.wgs84,
            Crs::WebMercator => &self.web_mercator,
            Crs::Lambert93 => &self.lambert93,
            Crs::Laea => &self.laea,
        }
    }

    /// Converts one point. Degrees in and out for WGS84, metres otherwise.
    ///
    /// # Examples
    /// ```
    /// use fracture::spatial::crs::{Crs, Reprojector};
    /// let r = Reprojector::new();
    /// // Lambert-93's false origin: 3° E, 46.5° N is (700 000, 6 600 000).
    /// let (x, y) = r.convert(Crs::Wgs84, Crs::Lambert93, 3.0, 46.5).unwrap();
    /// assert!((x - 700_000.0).abs() < 1e-3 && (y - 6_600_000.0).abs() < 1e-3);
    /// // Web Mercator x is the Earth's radius times the longitude in radians.
    /// let (mx, _) = r.convert(Crs::Wgs84, Crs::WebMercator, 7.75, 48.58).unwrap();
    /// assert!((mx - 6_378_137.0 * 7.75_f64.to_radians()).abs() < 1e-6);
    /// assert!(r.convert(Crs::Wgs84, Crs::Lambert93, f64::NAN, 46.5).is_err());
    /// ```
    pub fn convert(&self, from: Crs, to: Crs, x: f64, y: f64) -> Result<(f64, f64), CrsError> {
        if from == to {
            return Ok((x, y));
        }
        let err = |reason: String| CrsError { x, y, from, to, reason };
        if !x.is_finite() || !y.is_finite() {
            return Err(err("not a finite number".into()));
        }
        let (ix, iy) = if from == Crs::Wgs84 { (x.to_radians(), y.to_radians()) } else { (x, y) };
        let (ox, oy) =
            transform_xy(self.proj(from), self.proj(to), ix, iy).map_err(|e| err(e.to_string()))?;
        let out = if to == Crs::Wgs84 { (ox.to_degrees(), oy.to_degrees()) } else { (ox, oy) };
        if !out.0.is_finite() || !out.1.is_finite() {
            return Err(err("projection gave a non-finite result".into()));
        }
        Ok(out)
    }

    /// Converts a point to Lambert-93.
    ///
    /// # Examples
    /// ```
    /// use fracture::spatial::crs::{Crs, Reprojector};
    /// let r = Reprojector::new();
    /// // Strasbourg cathedral (PROJ 9.5: 1 050 225.54, 6 841 826.89).
    /// let (x, y) = r.to_lambert93(Crs::Wgs84, 7.7510, 48.5818).unwrap();
    /// assert!((x - 1_050_225.54).abs() < 0.05 && (y - 6_841_826.89).abs() < 0.05);
    /// assert_eq!(r.to_lambert93(Crs::Lambert93, 1.0, 2.0).unwrap(), (1.0, 2.0));
    /// ```
    pub fn to_lambert93(&self, from: Crs, x: f64, y: f64) -> Result<(f64, f64), CrsError> {
        self.convert(from, Crs::Lambert93, x, y)
    }

    /// Converts every vertex of a multipolygon.
    ///
    /// # Examples
    /// ```
    /// use fracture::spatial::crs::{Crs, Reprojector};
    /// use geo::{Area, MultiPolygon, polygon};
    /// let r = Reprojector::new();
    /// // About 1 km × 1 km around Lambert-93's origin, in degrees.
    /// let deg = MultiPolygon(vec![polygon![
    ///     (x: 3.0, y: 46.5), (x: 3.013, y: 46.5), (x: 3.013, y: 46.509), (x: 3.0, y: 46.509), (x: 3.0, y: 46.5),
    /// ]]);
    /// let m = r.convert_multipolygon(Crs::Wgs84, Crs::Lambert93, &deg).unwrap();
    /// let km2 = m.unsigned_area() / 1e6;
    /// assert!((0.95..1.05).contains(&km2), "{km2} km²");
    /// ```
    pub fn convert_multipolygon(
        &self,
        from: Crs,
        to: Crs,
        mp: &MultiPolygon<f64>,
    ) -> Result<MultiPolygon<f64>, CrsError> {
        mp.try_map_coords(|c: Coord<f64>| self.convert(from, to, c.x, c.y).map(|(x, y)| Coord { x, y }))
    }
}

impl Reprojector {
    /// A WGS84 latitude/longitude pair in degrees, converted to Lambert-93, when it is a valid pair
    /// that falls in metropolitan France; `None` otherwise (out of range, or elsewhere on Earth).
    ///
    /// # Examples
    /// ```
    /// use fracture::spatial::crs::Reprojector;
    /// let r = Reprojector::new();
    /// assert!(r.wgs84_in_france(48.5818, 7.7510).is_some(), "Strasbourg");
    /// assert!(r.wgs84_in_france(7.7510, 48.5818).is_none(), "latitude and longitude swapped: Somalia");
    /// assert!(r.wgs84_in_france(91.0, 2.0).is_none(), "no such latitude");
    /// ```
    pub fn wgs84_in_france(&self, lat: f64, lon: f64) -> Option<(f64, f64)> {
        let valid = (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon);
        self.to_lambert93(Crs::Wgs84, lon, lat).ok().filter(|(x, y)| valid && in_lambert93_bounds(*x, *y))
    }
}

/// True when a Lambert-93 point lies in metropolitan France (with a margin).
///
/// # Examples
/// ```
/// use fracture::spatial::crs::in_lambert93_bounds;
/// assert!(in_lambert93_bounds(1_050_225.5, 6_841_826.9), "Strasbourg");
/// assert!(!in_lambert93_bounds(7.751, 48.582), "degrees read as metres");
/// ```
pub fn in_lambert93_bounds(x: f64, y: f64) -> bool {
    let (x0, y0, x1, y1) = LAMBERT93_BOUNDS;
    (x0..=x1).contains(&x) && (y0..=y1).contains(&y)
}

/// Range of coordinates a CRS can hold, as (min x, min y, max x, max y): the whole Earth for WGS84 and
/// Web Mercator, metropolitan France with a margin for Lambert-93 ([`LAMBERT93_BOUNDS`]), Europe for
/// LAEA Europe (its area of use, with a margin).
pub fn valid_range(crs: Crs) -> (f64, f64, f64, f64) {
    const MERCATOR_MAX: f64 = 20_037_508.342_789_244;
    match crs {
        Crs::Wgs84 => (-180.0, -90.0, 180.0, 90.0),
        // Latitudes beyond ±85.06° (the square's edge) reach ±20 048 966 m in EPSG's own bounds.
        Crs::WebMercator => (-MERCATOR_MAX, -20_048_966.2, MERCATOR_MAX, 20_048_966.2),
        Crs::Lambert93 => LAMBERT93_BOUNDS,
        Crs::Laea => (1_000_000.0, 0.0, 8_000_000.0, 7_000_000.0),
    }
}

fn in_range(crs: Crs, x: f64, y: f64) -> bool {
    let (x0, y0, x1, y1) = valid_range(crs);
    x.is_finite() && y.is_finite() && (x0..=x1).contains(&x) && (y0..=y1).contains(&y)
}

/// A coordinate whose range contradicts its declared CRS.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "({x}, {y}) cannot be a position in the declared CRS {crs} ({expected}){}",
    looks_like.map(|c| format!("; the numbers look like {} ({c}): declare the CRS the file really uses", c.describe())).unwrap_or_default()
)]
pub struct RangeError {
    pub x: f64,
    pub y: f64,
    pub crs: Crs,
    /// The range the CRS allows, in words.
    pub expected: String,
    /// The CRS whose range the numbers fit, when one does.
    pub looks_like: Option<Crs>,
}

impl Crs {
    /// A short description: "degrees (longitude, latitude)", "Lambert-93 metres"...
    pub fn describe(self) -> &'static str {
        match self {
            Crs::Wgs84 => "degrees of longitude and latitude",
            Crs::WebMercator => "Web Mercator metres",
            Crs::Lambert93 => "Lambert-93 metres",
            Crs::Laea => "LAEA Europe metres",
        }
    }

    /// The valid range in words.
    fn range_text(self) -> String {
        let (x0, y0, x1, y1) = valid_range(self);
        match self {
            Crs::Wgs84 => "longitude -180..180, latitude -90..90".to_string(),
            _ => format!("x {x0:.0}..{x1:.0}, y {y0:.0}..{y1:.0} metres"),
        }
    }
}

/// Checks that `(x, y)` can be a position in `crs`; otherwise says what the numbers look like
/// (Lambert-93 metres under a CRS84 label happens in published files).
///
/// # Examples
/// ```
/// use fracture::spatial::crs::{Crs, check_range};
/// assert!(check_range(Crs::Wgs84, 7.751, 48.582).is_ok());
/// let e = check_range(Crs::Wgs84, 1_050_225.5, 6_841_826.9).unwrap_err();
/// assert_eq!(e.looks_like, Some(Crs::Lambert93));
/// assert!(e.to_string().contains("look like Lambert-93 metres (EPSG:2154)"), "{e}");
/// let e = check_range(Crs::Lambert93, 7.751, 48.582).unwrap_err();
/// assert_eq!(e.looks_like, Some(Crs::Wgs84), "degrees under a projected label");
/// ```
pub fn check_range(crs: Crs, x: f64, y: f64) -> Result<(), RangeError> {
    if in_range(crs, x, y) {
        return Ok(());
    }
    // What the numbers could be instead: degrees first, then France in each projected CRS.
    let r = Reprojector::new();
    let looks_like = [Crs::Wgs84, Crs::Lambert93, Crs::WebMercator, Crs::Laea].into_iter().find(|&c| {
        c != crs
            && in_range(c, x, y)
            && r.to_lambert93(c, x, y).is_ok_and(|(lx, ly)| in_lambert93_bounds(lx, ly))
    });
    Err(RangeError { x, y, crs, expected: crs.range_text(), looks_like })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strasbourg_cathedral_matches_proj() {
        // PROJ 9.5: 1050225.54 / 6841826.89
        let r = Reprojector::new();
        let (x, y) = r.to_lambert93(Crs::Wgs84, 7.7510, 48.5818).unwrap();
        assert!((x - 1_050_225.54).abs() < 0.05, "x = {x}");
        assert!((y - 6_841_826.89).abs() < 0.05, "y = {y}");
    }

    #[test]
    fn web_mercator_round_trip() {
        let r = Reprojector::new();
        // lon 7.7510 -> x = R * lon_rad
        let (mx, my) = r.convert(Crs::Wgs84, Crs::WebMercator, 7.7510, 48.5818).unwrap();
        assert!((mx - 6_378_137.0 * 7.7510_f64.to_radians()).abs() < 1e-3);
        let (lon, lat) = r.convert(Crs::WebMercator, Crs::Wgs84, mx, my).unwrap();
        assert!((lon - 7.7510).abs() < 1e-9 && (lat - 48.5818).abs() < 1e-9);
        let (x, y) = r.to_lambert93(Crs::WebMercator, mx, my).unwrap();
        assert!(in_lambert93_bounds(x, y));
        assert!((x - 1_050_225.54).abs() < 0.05);
    }

    /// Reference coordinates computed with pyproj 3.7.2 / PROJ 9.5.1 (no grid: RGF93 and ETRS89 = WGS84),
    /// `Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lon, lat)`, printed to the
    /// millimetre and hard-coded here.
    type Reference = (&'static str, f64, f64, [(f64, f64); 3]);
    const REFERENCES: [Reference; 6] = [
        // name, lon, lat, [EPSG:2154, EPSG:3857, EPSG:3035]
        (
            "Strasbourg",
            7.7510,
            48.5818,
            [(1050225.541, 6841826.892), (862837.373, 6204197.230), (4155029.756, 2832352.535)],
        ),
        (
            "Paris",
            2.3499,
            48.8530,
            [(652296.973, 6861636.359), (261589.671, 6249955.279), (3760563.413, 2889103.838)],
        ),
        (
            "Marseille",
            5.3698,
            43.2951,
            [(892394.892, 6246879.696), (597763.402, 5356997.489), (3944507.590, 2254616.949)],
        ),
        (
            "Brest",
            -4.4861,
            48.3904,
            [(146632.979, 6836262.327), (-499390.368, 6172050.987), (3255601.046, 2913655.940)],
        ),
        (
            "Ajaccio",
            8.7369,
            41.9192,
            [(1176526.602, 6108263.023), (972587.259, 5148883.670), (4215838.021, 2091535.149)],
        ),
        (
            "Lille",
            3.0573,
            50.6292,
            [(704061.146, 7059136.589), (340337.079, 6555963.748), (3830590.099, 3080766.844)],
        ),
    ];

    #[test]
    fn conversions_match_proj_to_the_centimetre() {
        let r = Reprojector::new();
        for (name, lon, lat, refs) in REFERENCES {
            for (crs, (ex, ey)) in [Crs::Lambert93, Crs::WebMercator, Crs::Laea].into_iter().zip(refs) {
                let (x, y) = r.convert(Crs::Wgs84, crs, lon, lat).unwrap();
                assert!(
                    (x - ex).abs() < 0.01 && (y - ey).abs() < 0.01,
                    "{name} in {crs}: ({x}, {y}) vs ({ex}, {ey})"
                );
                // And back to degrees: 1e-9° is about 0.1 mm.
                let (blon, blat) = r.convert(crs, Crs::Wgs84, ex, ey).unwrap();
                assert!(
                    (blon - lon).abs() < 1e-7 && (blat - lat).abs() < 1e-7,
                    "{name} from {crs}: ({blon}, {blat})"
                );
            }
        }
    }

    #[test]
    fn round_trips_between_every_pair_of_crs() {
        let r = Reprojector::new();
        for (name, lon, lat, _) in REFERENCES {
            for from in Crs::ALL {
                let (x, y) = r.convert(Crs::Wgs84, from, lon, lat).unwrap();
                for to in Crs::ALL {
                    let (u, v) = r.convert(from, to, x, y).unwrap();
                    let (bx, by) = r.convert(to, from, u, v).unwrap();
                    let tol = if from.is_geographic() { 1e-9 } else { 1e-4 };
                    assert!((bx - x).abs() < tol && (by - y).abs() < tol, "{name}: {from} -> {to} -> {from}");
                }
            }
        }
    }

    #[test]
    fn names_and_codes() {
        for crs in Crs::ALL {
            assert_eq!(Crs::parse(&crs.to_string()), Ok(crs));
            assert_eq!(Crs::from_epsg(crs.epsg()), Some(crs));
            assert_eq!(Crs::parse(&format!("urn:ogc:def:crs:EPSG::{}", crs.epsg())), Ok(crs));
        }
        assert_eq!(Crs::parse("urn:ogc:def:crs:EPSG:6.6:2154"), Ok(Crs::Lambert93));
        assert_eq!(Crs::parse("EPSG:900913"), Ok(Crs::WebMercator));
        assert!(Crs::parse("EPSG:").is_err() && Crs::parse("lambert").is_err());
    }

    #[test]
    fn ranges_contradicting_the_crs_are_rejected_with_what_they_look_like() {
        // Lambert-93 metres under a CRS84 label.
        let e = check_range(Crs::Wgs84, 652_296.97, 6_861_636.36).unwrap_err();
        assert_eq!(e.looks_like, Some(Crs::Lambert93));
        assert!(e.to_string().contains("declared CRS EPSG:4326"), "{e}");
        // Web Mercator metres under a Lambert-93 label: Marseille is (597 763, 5 356 997), south of the box.
        let e = check_range(Crs::Lambert93, 597_763.40, 5_356_997.49).unwrap_err();
        assert_eq!(e.looks_like, Some(Crs::WebMercator), "{e}");
        // Degrees under LAEA; nonsense under Web Mercator.
        assert_eq!(check_range(Crs::Laea, 2.35, 48.85).unwrap_err().looks_like, Some(Crs::Wgs84));
        assert_eq!(check_range(Crs::WebMercator, 1e9, 0.0).unwrap_err().looks_like, None);
        assert!(check_range(Crs::Wgs84, f64::NAN, 0.0).is_err());
        for (_, lon, lat, refs) in REFERENCES {
            assert!(check_range(Crs::Wgs84, lon, lat).is_ok());
            for (crs, (x, y)) in [Crs::Lambert93, Crs::WebMercator, Crs::Laea].into_iter().zip(refs) {
                assert!(check_range(crs, x, y).is_ok(), "{crs}");
            }
        }
    }

    #[test]
    fn non_finite_is_an_error() {
        let r = Reprojector::new();
        assert!(r.to_lambert93(Crs::Wgs84, f64::NAN, 1.0).is_err());
    }
}
