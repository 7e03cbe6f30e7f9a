//! demo: writes Démoville, a **synthetic** city, as a complete fracture dataset (`fracture demo`).
//!
//! Inputs: none but the fixed [`SEED`]. Outputs (under the output folder, paths as in the embedded
//! `dataset.toml`): QPV and IRIS contours (GeoJSON, WGS84), five INSEE IRIS tables, the ARCEP buildings
//! and eligibility files (EPSG:3857 coordinates), the digital-mediation places (national standard
//! v1.0.2) and the programme attendance, plus `dataset.toml` and a bilingual `README.md`. Every file
//! follows `data/FORMATS.md`.
//!
//! Invariants:
//! - deterministic: one `ChaCha8Rng` stream per concept (same [`SEED`], different stream), fixed
//!   iteration order, floats printed with fixed decimals, so two runs give byte-identical files;
//! - geometry is built in Lambert-93 and converted with [`crate::crs::Reprojector`];
//! - every file is written to a temporary name in its folder, then renamed;
//! - every code is fictitious (commune `99001`, département/région `99`, QPV `QN999..M`).
//!
//! Table of contents:
//! - `story`: the scenario (which QPV are high-need, fibre laggards, well or poorly reached);
//! - `city`: commune, IRIS tiling and QPV shapes in Lambert-93;
//! - `population`: INSEE census and Filosofi IRIS tables;
//! - `households`: the census activity and couples-families-households IRIS tables;
//! - `network`: ARCEP buildings and eligibility;
//! - `places`: digital-mediation places;
//! - `previous`: the previous (2015) QPV list's contours, for the crosswalk;
//! - `attendance`: programme attendance (courses, individual help, devices);
//! - `geojson`: hand-written, byte-stable GeoJSON;
//! - `write`: atomic writes and number formatting.

mod attendance;
mod city;
mod geojson;
mod households;
mod network;
mod places;
mod population;
mod previous;
mod story;
mod write;

use std::path::{Path, PathBuf};

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::crs::Reprojector;

/// The seed of every random draw of the demo.
pub const SEED: u64 = 990_012_026;

/// The dataset description written as `<out>/dataset.toml`.
pub const DATASET_TOML: &str = include_str!("dataset.toml");

/// Paths of the data files, relative to the output folder (the `[files]` table of `dataset.toml`).
pub mod files {
    pub const QPV: &str = "qpv/QP2024_Demoville_WGS84.geojson";
    pub const QPV_PREVIOUS: &str = "qpv/QP2015_Demoville_WGS84.geojson";
    pub const IRIS_CONTOURS: &str = "iris/CONTOURS-IRIS_Demoville_WGS84.geojson";
    pub const IRIS_POPULATION: &str = "insee/base-ic-evol-struct-pop-2021.csv";
    pub const IRIS_DIPLOMAS: &str = "insee/base-ic-diplomes-formation-2021.csv";
    pub const IRIS_FILOSOFI: &str = "insee/BASE_TD_FILO_IRIS_2021_DISP.csv";
    pub const IRIS_ACTIVITY: &str = "insee/base-ic-activite-residents-2021.csv";
    pub const IRIS_HOUSEHOLDS: &str = "insee/base-ic-couples-familles-menages-2021.csv";
    pub const ARCEP_BUILDINGS: &str = "arcep/2026_T3/immeubles_dep999.csv";
    pub const ARCEP_ELIGIBILITY: &str = "arcep/2026_T3/eligibilite_dep999.csv";
    pub const PLACES: &str = "places/lieux-mediation-numerique_Demoville.csv";
    pub const ATTENDANCE: &str = "attendance/attendance_Demoville.csv";
    /// The dataset description.
    pub const DATASET: &str = "dataset.toml";
    /// The bilingual notice.
    pub const README: &str = "README.md";
}

/// Why the demo could not be written.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// Reading or writing a file or folder failed.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A coordinate could not be reprojected.
    #[error("cannot reproject a demo coordinate: {0}")]
    Crs(#[from] crate::crs::CrsError),
    /// A generator's own invariant broke (a bug in the generator, not a user error).
    #[error("demo generator invariant broken: {0}")]
    Invariant(String),
}

/// RNG streams, one per concept, so that changing one generator leaves the others' output unchanged.
pub(crate) mod stream {
    pub const CITY: u64 = 1;
    pub const POPULATION: u64 = 2;
    pub const NETWORK: u64 = 3;
    pub const ATTENDANCE: u64 = 4;
    pub const HOUSEHOLDS: u64 = 5;
}

/// The RNG of one stream.
pub(crate) fn rng(stream: u64) -> ChaCha8Rng {
    let mut r = ChaCha8Rng::seed_from_u64(SEED);
    r.set_stream(stream);
    r
}

/// Writes the whole synthetic demo dataset into `out_dir` (created if missing), deterministic (fixed seed).
/// Returns the written files, sorted.
pub fn generate(out_dir: &Path) -> Result<Vec<PathBuf>, DemoError> {
    let contents = render()?;
    write::create_dir(out_dir)?;
    let mut written = Vec::with_capacity(contents.len());
    for (rel, text) in &contents {
        let path = rel.split('/').fold(out_dir.to_path_buf(), |p, part| p.join(part));
        write::atomic(&path, text.as_bytes())?;
        written.push(path);
    }
    written.sort();
    Ok(written)
}

/// Every file of the dataset as (relative path, content), in a fixed order.
fn render() -> Result<Vec<(&'static str, String)>, DemoError> {
    let proj = Reprojector::new();
    let city = city::City::build(&mut rng(stream::CITY));
    let coverage = city.coverage();
    let stats = population::build(&city, &coverage, &mut rng(stream::POPULATION));
    let households = households::build(&stats, &mut rng(stream::HOUSEHOLDS));
    let net = network::build(&city, &coverage, &mut rng(stream::NETWORK))?;
    let places = places::build(&city);
    let att = attendance::build(&city, &net.buildings, &places, &proj, &mut rng(stream::ATTENDANCE))?;

    let qpv_features: Vec<geojson::Feature> = city
        .qpv
        .iter()
        .map(|q| geojson::Feature {
            properties: vec![
                ("code_qp", q.story.code.to_string()),
                ("lib_qp", q.story.name.to_string()),
                ("insee_reg", story::REG.to_string()),
                ("insee_dep", story::DEP.to_string()),
                ("insee_com", story::COMMUNE.to_string()),
                ("lib_com", story::COMMUNE_NAME.to_string()),
                ("siren_epci", story::SIREN_EPCI.to_string()),
            ],
            shape: &q.shape,
        })
        .collect();
    let iris_shapes: Vec<geo::MultiPolygon<f64>> =
        city.iris.iter().map(|i| geo::MultiPolygon::new(vec![i.polygon.clone()])).collect();
    let iris_features: Vec<geojson::Feature> = city
        .iris
        .iter()
        .zip(&iris_shapes)
        .map(|(i, shape)| geojson::Feature {
            properties: vec![
                ("CODE_IRIS", i.code.clone()),
                ("NOM_IRIS", i.name.to_string()),
                ("INSEE_COM", story::COMMUNE.to_string()),
                ("NOM_COM", story::COMMUNE_NAME.to_string()),
                ("IRIS", i.iris4().to_string()),
                ("TYP_IRIS", i.typ.code().to_string()),
            ],
            shape,
        })
        .collect();

    let mut out = vec![
        (files::QPV, geojson::feature_collection("QP2024_Demoville_WGS84", &qpv_features, &proj)?),
        (files::QPV_PREVIOUS, previous::qpv2015_geojson(&city, &proj)?),
        (
            files::IRIS_CONTOURS,
            geojson::feature_collection("CONTOURS-IRIS_Demoville_WGS84", &iris_features, &proj)?,
        ),
        (files::IRIS_POPULATION, population::census_population_csv(&city, &stats)),
        (files::IRIS_DIPLOMAS, population::census_diplomas_csv(&city, &stats)),
        (files::IRIS_FILOSOFI, population::filosofi_csv(&city, &stats)),
        (files::IRIS_ACTIVITY, households::activity_csv(&city, &households)),
        (files::IRIS_HOUSEHOLDS, households::households_csv(&city, &households)),
        (files::ARCEP_BUILDINGS, network::buildings_csv(&net, &proj)?),
        (files::ARCEP_ELIGIBILITY, network::eligibility_csv(&net)),
        (files::PLACES, places::places_csv(&places, &proj)?),
        (files::ATTENDANCE, attendance::attendance_csv(&att, &places)),
        (files::DATASET, DATASET_TOML.to_string()),
    ];
    let listed: Vec<&'static str> = out.iter().map(|(p, _)| *p).collect();
    out.push((files::README, readme(&listed, &city, &net, &att)));
    Ok(out)
}

/// The bilingual notice written as `<out>/README.md`, with the story and its generated figures.
fn readme(paths: &[&str], city: &city::City, net: &network::Network, att: &attendance::Attendance) -> String {
    let mut s = String::from(
        "# Démoville — données synthétiques / synthetic data\n\n\
         **FR** — Tout ce dossier est **synthétique** : Démoville n'existe pas, chaque nombre est inventé et \
         les codes (commune `99001`, département et région `99`, QPV `QN999..M`) sont fictifs. Il a été \
         généré par `fracture demo --out data/demo` (générateur déterministe) aux formats réels de l'ANCT, \
         de l'IGN, de l'INSEE, de l'ARCEP et du standard MedNum (voir `data/FORMATS.md`). Ne l'utilisez \
         pas pour décrire un territoire réel.\n\n\
         **EN** — Everything in this folder is **synthetic**: Démoville does not exist, every number is \
         invented and the codes (commune `99001`, département and région `99`, QPV `QN999..M`) are \
         fictitious. It was generated by `fracture demo --out data/demo` (a deterministic generator) in \
         the real ANCT, IGN, INSEE, ARCEP and MedNum formats (see `data/FORMATS.md`). Do not use it to \
         describe a real place.\n\n",
    );
    s.push_str(&format!(
        "Graine / seed: `{SEED}` (ChaCha8). Regenerating gives byte-identical files.\n\n## Fichiers / files\n\n"
    ));
    let mut sorted: Vec<&str> = paths.iter().copied().chain([files::README]).collect();
    sorted.sort_unstable();
    for p in sorted {
        s.push_str(&format!("- `{p}`\n"));
    }
    let latest = att.quarters.len().saturating_sub(1);
    let label = att.quarters.get(latest).map_or("", |q| q.label.as_str());
    s.push_str(&format!(
        "\n## Scénario / story\n\n\
         | QPV | nom / name | forte précarité / high need | fibre (% locaux / premises) | \
         participants {label} | rôle / role |\n|---|---|---|---:|---:|---|\n"
    ));
    for (k, q) in city.qpv.iter().enumerate() {
        let need = if q.story.high_need() { "oui / yes" } else { "" };
        s.push_str(&format!(
            "| `{}` | {} | {need} | {:.0} | {} | {} |\n",
            q.story.code,
            q.story.name,
            100.0 * net.fibre_share(k),
            att.participants_in_quarter(latest, Some(k)),
            q.story.role
        ));
    }
    s.push_str(&format!(
        "\nHors QPV / outside every QPV: {} participants in {label}.\n\n\
         Un QPV de moins de 11 participants est masqué (secret statistique) / a QPV with fewer than 11 \
         participants is suppressed (statistical secrecy).\n",
        att.participants_in_quarter(latest, None)
    ));
    s
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use super::*;

    #[test]
    fn paths_match_dataset_toml() {
        let doc: toml::Table = DATASET_TOML.parse().unwrap();
        let table = doc["files"].as_table().unwrap();
        let mut from_toml: Vec<&str> = table.values().map(|v| v.as_str().unwrap()).collect();
        from_toml.sort_unstable();
        let mut ours = vec![
            files::QPV,
            files::QPV_PREVIOUS,
            files::IRIS_CONTOURS,
            files::IRIS_POPULATION,
            files::IRIS_DIPLOMAS,
            files::IRIS_FILOSOFI,
            files::IRIS_ACTIVITY,
            files::IRIS_HOUSEHOLDS,
            files::ARCEP_BUILDINGS,
            files::ARCEP_ELIGIBILITY,
            files::PLACES,
            files::ATTENDANCE,
        ];
        ours.sort_unstable();
        assert_eq!(from_toml, ours);
    }

    #[test]
    fn rng_streams_are_deterministic_and_distinct() {
        use rand::Rng;
        let a: Vec<u64> = (0..4).map(|_| rng(stream::CITY).random()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        let mut x = rng(stream::CITY);
        let mut y = rng(stream::CITY);
        let xs: Vec<u32> = (0..100).map(|_| x.random()).collect();
        let ys: Vec<u32> = (0..100).map(|_| y.random()).collect();
        assert_eq!(xs, ys);
        let other: u64 = rng(stream::NETWORK).random();
        assert_ne!(a[0], other);
    }

    #[test]
    fn render_is_deterministic() {
        let a = render().unwrap();
        let b = render().unwrap();
        assert_eq!(a.len(), 14);
        for ((pa, ta), (pb, tb)) in a.iter().zip(&b) {
            assert_eq!(pa, pb);
            assert!(ta == tb, "{pa} differs between two runs");
        }
        let readme = &a.last().unwrap().1;
        assert!(readme.contains("synthétique") && readme.contains("synthetic"));
        assert!(readme.contains("fracture demo --out data/demo"));
        assert!(a.iter().all(|(p, _)| readme.contains(p)));
    }
}
