//! Coordinate reference systems used by fracture.
//!
//! Inputs arrive in WGS84 (EPSG:4326, GeoJSON and places), Web Mercator (EPSG:3857, ARCEP buildings)
//! or Lambert-93 (EPSG:2154, IGN/ANCT shapefiles). Every area and distance is computed in Lambert-93.
//! [`Reprojector`] holds the three `proj4rs` definitions once and converts points and geometries.

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
}

impl std::fmt::Display for Crs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Crs::Wgs84 => "EPSG:4326",
            Crs::WebMercator => "EPSG:3857",
            Crs::Lambert93 => "EPSG:2154",
        })
    }
}

const WGS84: &str = "+proj=longlat +ellps=WGS84 +datum=WGS84 +no_defs";
const LAMBERT93: &str = "+proj=lcc +lat_0=46.5 +lon_0=3 +lat_1=49 +lat_2=44 +x_0=700000 +y_0=6600000 \
     +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs";
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
}

impl Default for Reprojector {
    fn default() -> Self {
        Self::new()
    }
}

impl Reprojector {
    /// Builds the three projections (constant definitions; they always parse).
    #[allow(clippy::expect_used, reason = "the proj strings are constants checked by unit tests")]
    pub fn new() -> Self {
        Self {
            wgs84: Proj::from_proj_string(WGS84).expect("WGS84 definition"),
            lambert93: Proj::from_proj_string(LAMBERT93).expect("Lambert-93 definition"),
            web_mercator: Proj::from_proj_string(WEB_MERCATOR).expect("Web Mercator definition"),
        }
    }

    fn proj(&self, crs: Crs) -> &Proj {
        match crs {
            Crs::Wgs84 => &self.wgs84,
            Crs::WebMercator => &self.web_mercator,
            Crs::Lambert93 => &self.lambert93,
        }
    }

    /// Converts one point. Degrees in and out for WGS84, metres otherwise.
    ///
    /// # Examples
    /// ```
    /// use fracture::crs::{Crs, Reprojector};
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
    /// use fracture::crs::{Crs, Reprojector};
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
    /// use fracture::crs::{Crs, Reprojector};
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
    /// use fracture::crs::Reprojector;
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
/// use fracture::crs::in_lambert93_bounds;
/// assert!(in_lambert93_bounds(1_050_225.5, 6_841_826.9), "Strasbourg");
/// assert!(!in_lambert93_bounds(7.751, 48.582), "degrees read as metres");
/// ```
pub fn in_lambert93_bounds(x: f64, y: f64) -> bool {
    let (x0, y0, x1, y1) = LAMBERT93_BOUNDS;
    (x0..=x1).contains(&x) && (y0..=y1).contains(&y)
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

    #[test]
    fn non_finite_is_an_error() {
        let r = Reprojector::new();
        assert!(r.to_lambert93(Crs::Wgs84, f64::NAN, 1.0).is_err());
    }
}
