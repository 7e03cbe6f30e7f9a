//! synth: writes **synthetic** inputs at scale (`fracture synth --scale city|region|france --out DIR`).
//!
//! Inputs: none but the fixed [`SEED`] and the [`Scale`]. Outputs, under the output folder:
//! - for the standalone spatial benchmarks: `zones_qpv.geojson` (`code_qp`), `zones_iris.geojson`
//!   (`code_iris`, extensive `population`, intensive `poverty_rate`), both in **Lambert-93 (EPSG:2154)
//!   with a legacy `crs` member** (`urn:ogc:def:crs:EPSG::2154`), vertices on a millimetre grid written
//!   as shortest round-trip decimals, so a reader gets the very `f64` the generator tested points
//!   against; `premises.parquet` (`id`, `x`, `y` in EPSG:2154, `techno`, `debit_class`; row groups of
//!   [`ROW_GROUP`] rows); `truth_premises_per_qpv.csv`, the exact number of premises inside each QPV;
//!   `synth.json`, what was written (counts, CRS, seed);
//! - `dataset/`: the same territory as a complete fracture dataset in the formats of
//!   `data/FORMATS.md` (`dataset.toml` with `synthetic = true`, QPV and IRIS GeoJSON in WGS84, the three
//!   INSEE IRIS tables, ARCEP buildings in EPSG:3857 and eligibility as `.csv` or multi-member
//!   `.csv.gz`, mediation places, attendance), so that `fracture run --dataset DIR/dataset/dataset.toml`
//!   runs end to end.
//!
//! Invariants:
//! - deterministic: one `ChaCha8Rng` stream per concept and one per chunk of [`CHUNK`] premises
//!   (chunks are generated in parallel and written in order), floats printed with fixed decimals or as
//!   shortest round-trip decimals: two runs give byte-identical files;
//! - bounded memory: premises are generated, formatted and written one row group at a time;
//! - the geography is built in Lambert-93 inside mainland France's bounding box; QPV do not overlap,
//!   lie inside their city's IRIS tiling, and the premises said to be inside a QPV are inside it (outside
//!   its holes), the others outside every QPV;
//! - every code is fictitious (départements `99`, `98`, `96`, `20`, `00`; région `99`), every name says
//!   it is synthetic.
//!
//! Table of contents:
//! - `scale`: the sizes of each scale;
//! - `shapes`: radial blobs, QPV parts with holes, millimetre grid;
//! - `grid`: the jittered grid a city's IRIS are cut from (shared edges);
//! - `territory`: cities, their IRIS, communes and QPV, and the codes;
//! - `allocation`: how many premises each IRIS and QPV holds, in which order;
//! - `premises`: one chunk of premises (positions, technologies), reprojected and formatted;
//! - `census`: IRIS populations and the three INSEE tables;
//! - `places` and `attendance`: the mediation places and the programme attendance;
//! - `geojson`: byte-stable GeoJSON (Lambert-93 with a `crs` member, or WGS84);
//! - `output`: atomic and streaming file writing, the Parquet writer;
//! - `generate`: the whole run, file by file;
//! - here: [`zones`], the QPV and IRIS of a scale in memory (for the render benchmark).

mod allocation;
mod attendance;
mod census;
mod generate;
mod geojson;
mod grid;
mod output;
mod places;
mod premises;
mod scale;
mod shapes;
mod territory;

use std::path::PathBuf;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

pub use generate::{SynthReport, generate};
pub use scale::{ArcepEncoding, Scale};

/// The seed of every random draw of `fracture synth`.
pub const SEED: u64 = 2_154_002_026;

/// Premises per generated chunk (one RNG stream each).
pub const CHUNK: u64 = 125_000;

/// Rows per Parquet row group (a whole number of chunks).
pub const ROW_GROUP: u64 = 1_000_000;

/// Why the synthetic data could not be written.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// Writing a file or folder failed.
    #[error("cannot write {0}")]
    Io(#[from] crate::io::IoError),
    /// The Parquet writer failed.
    #[error("cannot write {}: {message}", path.display())]
    Parquet { path: PathBuf, message: String },
    /// A coordinate could not be reprojected.
    #[error("cannot reproject a synthetic coordinate: {0}")]
    Crs(#[from] crate::crs::CrsError),
    /// A generator's own invariant broke (a bug in the generator, not a user error).
    #[error("synth generator invariant broken: {0}")]
    Invariant(String),
}

/// RNG streams, one per concept; chunk `c` of premises uses stream [`stream::PREMISES`] + `c`.
pub(crate) mod stream {
    pub const TERRITORY: u64 = 1;
    pub const CENSUS: u64 = 2;
    pub const PLACES: u64 = 3;
    pub const ATTENDANCE: u64 = 4;
    pub const ALLOCATION: u64 = 5;
    pub const PREMISES: u64 = 1_000;
}

/// One synthetic zone in memory: its (fictitious) code and name, and its geometry in Lambert-93
/// metres (EPSG:2154).
#[derive(Debug, Clone)]
pub struct SynthZone {
    pub code: String,
    pub name: String,
    pub geometry: geo::MultiPolygon<f64>,
}

/// The QPV and the IRIS of a scale's synthetic territory, in memory: the very zones `fracture
/// synth` writes (same seed, same stream), without writing anything, for the benchmarks of what
/// needs geometry only (maps).
pub fn zones(scale: Scale) -> Result<(Vec<SynthZone>, Vec<SynthZone>), SynthError> {
    let t = territory::Territory::build(&scale.params(), &mut rng(stream::TERRITORY))?;
    let qpv = t
        .qpv
        .iter()
        .map(|q| SynthZone { code: q.code.clone(), name: q.name.clone(), geometry: q.shape.clone() })
        .collect();
    let iris = t
        .iris
        .iter()
        .map(|i| SynthZone {
            code: i.code.clone(),
            name: i.name.clone(),
            geometry: geo::MultiPolygon::new(vec![i.polygon.clone()]),
        })
        .collect();
    Ok((qpv, iris))
}

/// The RNG of one stream.
pub(crate) fn rng(stream: u64) -> ChaCha8Rng {
    let mut r = ChaCha8Rng::seed_from_u64(SEED);
    r.set_stream(stream);
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Area, BoundingRect};

    #[test]
    fn zones_are_the_scale_s_qpv_and_iris_in_lambert_93() -> Result<(), SynthError> {
        let (qpv, iris) = zones(Scale::Tiny)?;
        let p = Scale::Tiny.params();
        assert_eq!((qpv.len(), iris.len()), (p.qpv, p.iris));
        let mut codes: Vec<&str> = qpv.iter().map(|z| z.code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), qpv.len(), "unique QPV codes");
        for z in qpv.iter().chain(&iris) {
            assert!(z.geometry.unsigned_area() > 0.0, "{} has an area", z.code);
            let r = z.geometry.bounding_rect().ok_or_else(|| SynthError::Invariant("no box".into()))?;
            assert!(r.min().x > 100_000.0 && r.max().y < 7_200_000.0, "{}: Lambert-93 metres", z.code);
        }
        let (again, _) = zones(Scale::Tiny)?;
        assert_eq!(again[0].geometry, qpv[0].geometry, "deterministic");
        Ok(())
    }
}
