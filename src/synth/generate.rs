//! The whole `fracture synth` run: builds the territory, then writes every file, the premises streamed.
//!
//! Inputs: the [`Scale`], the output folder and the ARCEP encoding. Output: the files listed in the
//! module header of [`super`], and a [`SynthReport`] of what was written.
//!
//! Invariants: the small files are rendered in memory and written atomically; the premises are made
//! one chunk per thread at a time in parallel (each chunk from its own RNG stream) and written in chunk
//! order, so memory stays bounded by one window and one row group, and the bytes do not depend on the number of threads.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::json;

use super::allocation::Allocation;
use super::geojson::{Feature, Flavour, Shape, Value, feature_collection};
use super::output::{PremisesParquet, RowGroup, Streamed, atomic};
use super::premises::{self, BUILDINGS_HEADER, ELIGIBILITY_HEADER};
use super::scale::{ArcepEncoding, Scale};
use super::territory::{REGION, Territory};
use super::{CHUNK, ROW_GROUP, SEED, SynthError, attendance, census, places, rng, stream};
use crate::crs::Reprojector;

/// Chunks made at once: one per thread (at least two). Memory grows with it; the bytes written do not.
fn window() -> u64 {
    rayon::current_num_threads().max(2) as u64
}

/// What `fracture synth` wrote.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SynthReport {
    pub scale: Scale,
    pub out: PathBuf,
    pub dataset_toml: PathBuf,
    pub qpv: usize,
    pub iris: usize,
    pub communes: usize,
    pub premises: u64,
    pub premises_in_qpv: u64,
    pub eligibility_rows: u64,
    /// Every file written, relative to the output folder, with its size in bytes.
    pub files: Vec<(String, u64)>,
}

/// Paths of the dataset's files, relative to `dataset/`.
struct DatasetPaths {
    qpv: String,
    iris: String,
    buildings: String,
    eligibility: String,
    places: String,
    attendance: String,
}

const POPULATION: &str = "insee/base-ic-evol-struct-pop-2021.csv";
const DIPLOMAS: &str = "insee/base-ic-diplomes-formation-2021.csv";
const FILOSOFI: &str = "insee/BASE_TD_FILO_IRIS_2021_DISP.csv";

impl DatasetPaths {
    fn new(scale: Scale, arcep: ArcepEncoding) -> Self {
        let s = scale.name();
        let gz = if arcep == ArcepEncoding::Gzip { ".gz" } else { "" };
        Self {
            qpv: format!("qpv/QP2024_Synth-{s}_WGS84.geojson"),
            iris: format!("iris/CONTOURS-IRIS_Synth-{s}_WGS84.geojson"),
            buildings: format!("arcep/2026_T3/immeubles_synth-{s}.csv{gz}"),
            eligibility: format!("arcep/2026_T3/eligibilite_synth-{s}.csv{gz}"),
            places: format!("places/lieux-mediation-numerique_synth-{s}.csv"),
            attendance: format!("attendance/attendance_synth-{s}.csv"),
        }
    }
}

/// Writes every file of `scale` under `out` (created if missing). Deterministic: same bytes every run.
pub fn generate(scale: Scale, out: &Path, arcep: ArcepEncoding) -> Result<SynthReport, SynthError> {
    let p = scale.params();
    let proj = Reprojector::new();
    let t = Territory::build(&p, &mut rng(stream::TERRITORY))?;
    let alloc = Allocation::build(&t, &p, &mut rng(stream::ALLOCATION));
    let stats = census::build(&t, &alloc, &mut rng(stream::CENSUS));
    let places = places::build(&t, &mut rng(stream::PLACES))?;
    let (attendance_text, attendance_rows) =
        attendance::attendance_csv(&t, &places, p.attendance_rows, &mut rng(stream::ATTENDANCE), &proj)?;
    let paths = DatasetPaths::new(scale, arcep);
    crate::io::atomic::create_dir(out)?;
    let ds = out.join("dataset");
    let mut files: Vec<(String, u64)> = Vec::new();

    // Benchmark layers, Lambert-93.
    let qpv_bench: Vec<Feature> = t
        .qpv
        .iter()
        .map(|q| Feature {
            properties: vec![("code_qp", Value::Text(q.code.clone()))],
            shape: Shape::Multi(&q.shape),
        })
        .collect();
    put(
        out,
        &mut files,
        "zones_qpv.geojson",
        &feature_collection("zones_qpv", &qpv_bench, Flavour::Lambert93, &proj)?,
    )?;
    let iris_bench: Vec<Feature> = t
        .iris
        .iter()
        .zip(&stats)
        .map(|(i, s)| Feature {
            properties: vec![
                ("code_iris", Value::Text(i.code.clone())),
                ("population", Value::Number(s.population, 2)),
                ("poverty_rate", Value::Number(s.poverty_rate, 1)),
            ],
            shape: Shape::Polygon(&i.polygon),
        })
        .collect();
    put(
        out,
        &mut files,
        "zones_iris.geojson",
        &feature_collection("zones_iris", &iris_bench, Flavour::Lambert93, &proj)?,
    )?;
    let mut truth = String::from("code_qp,premises\n");
    for (q, n) in t.qpv.iter().zip(&alloc.per_qpv) {
        let _ = writeln!(truth, "{},{n}", q.code);
    }
    put(out, &mut files, "truth_premises_per_qpv.csv", &truth)?;

    // The dataset's small files.
    let qpv_features: Vec<Feature> = t
        .qpv
        .iter()
        .map(|q| {
            let commune = &t.communes[q.commune];
            let text = |s: &str| Value::Text(s.to_string());
            Feature {
                properties: vec![
                    ("code_qp", text(&q.code)),
                    ("lib_qp", text(&q.name)),
                    ("insee_reg", text(REGION)),
                    ("insee_dep", text(commune.dep)),
                    ("insee_com", text(&commune.code)),
                    ("lib_com", text(&commune.name)),
                    ("siren_epci", text(&t.cities[q.city].epci)),
                ],
                shape: Shape::Multi(&q.shape),
            }
        })
        .collect();
    let name = |rel: &str| rel.rsplit('/').next().unwrap_or(rel).trim_end_matches(".geojson").to_string();
    put(
        out,
        &mut files,
        &format!("dataset/{}", paths.qpv),
        &feature_collection(&name(&paths.qpv), &qpv_features, Flavour::Wgs84, &proj)?,
    )?;
    let iris_features: Vec<Feature> = t
        .iris
        .iter()
        .map(|i| {
            let commune = &t.communes[i.commune];
            Feature {
                properties: vec![
                    ("CODE_IRIS", Value::Text(i.code.clone())),
                    ("NOM_IRIS", Value::Text(i.name.clone())),
                    ("INSEE_COM", Value::Text(commune.code.clone())),
                    ("NOM_COM", Value::Text(commune.name.clone())),
                    ("IRIS", Value::Text(i.code[5..].to_string())),
                    ("TYP_IRIS", Value::Text(i.typ.code().to_string())),
                ],
                shape: Shape::Polygon(&i.polygon),
            }
        })
        .collect();
    put(
        out,
        &mut files,
        &format!("dataset/{}", paths.iris),
        &feature_collection(&name(&paths.iris), &iris_features, Flavour::Wgs84, &proj)?,
    )?;
    put(out, &mut files, &format!("dataset/{POPULATION}"), &census::population_csv(&t, &stats))?;
    put(out, &mut files, &format!("dataset/{DIPLOMAS}"), &census::diplomas_csv(&t, &stats))?;
    put(out, &mut files, &format!("dataset/{FILOSOFI}"), &census::filosofi_csv(&t, &stats))?;
    put(out, &mut files, &format!("dataset/{}", paths.places), &places::places_csv(&t, &places, &proj)?)?;
    put(out, &mut files, &format!("dataset/{}", paths.attendance), &attendance_text)?;
    put(out, &mut files, "dataset/dataset.toml", &dataset_toml(scale, &t, &paths))?;

    // The premises, streamed.
    let streamed = stream_premises(&t, &alloc, out, &paths, arcep)?;
    files.extend(streamed.files.iter().cloned());
    let premises_in_qpv: u64 = alloc.per_qpv.iter().sum();

    let counts = json!({
        "cities": t.cities.len(),
        "communes": t.communes.len(),
        "qpv": t.qpv.len(),
        "qpv_multipolygons": t.qpv.iter().filter(|q| q.shape.0.len() > 1).count(),
        "qpv_with_holes": t.qpv.iter().filter(|q| q.shape.0.iter().any(|p| !p.interiors().is_empty())).count(),
        "qpv_vertices_min": t.qpv.iter().map(|q| q.vertices()).min().unwrap_or(0),
        "qpv_vertices_max": t.qpv.iter().map(|q| q.vertices()).max().unwrap_or(0),
        "iris": t.iris.len(),
        "premises": alloc.total,
        "premises_in_qpv": premises_in_qpv,
        "premises_with_fibre": streamed.fibre,
        "eligibility_rows": streamed.eligibility_rows,
        "places": places.len(),
        "attendance_rows": attendance_rows,
    });
    put(out, &mut files, "dataset/README.md", &readme(scale, &counts, &paths))?;
    files.sort();
    let manifest = json!({
        "generator": "fracture synth",
        "version": env!("CARGO_PKG_VERSION"),
        "synthetic": true,
        "notice": "Synthetic data: no real place, every number invented / Données synthétiques",
        "scale": scale.name(),
        "seed": SEED,
        "crs": {
            "zones_qpv.geojson, zones_iris.geojson": "EPSG:2154 (legacy crs member urn:ogc:def:crs:EPSG::2154)",
            "premises.parquet x, y": "EPSG:2154",
            "dataset QPV and IRIS GeoJSON": "EPSG:4326 lon/lat (RFC 7946)",
            "dataset ARCEP imb_longitude, imb_latitude": "EPSG:3857",
        },
        "row_group_rows": ROW_GROUP,
        "counts": counts,
        "files": files.iter().map(|(p, b)| json!({"path": p, "bytes": b})).collect::<Vec<_>>(),
    });
    let text = serde_json::to_string_pretty(&manifest).unwrap_or_default() + "\n";
    put(out, &mut files, "synth.json", &text)?;
    files.sort();
    Ok(SynthReport {
        scale,
        out: out.to_path_buf(),
        dataset_toml: ds.join("dataset.toml"),
        qpv: t.qpv.len(),
        iris: t.iris.len(),
        communes: t.communes.len(),
        premises: alloc.total,
        premises_in_qpv,
        eligibility_rows: streamed.eligibility_rows,
        files,
    })
}

/// Writes one whole file under `out` and lists it.
fn put(out: &Path, files: &mut Vec<(String, u64)>, rel: &str, text: &str) -> Result<(), SynthError> {
    let path = rel.split('/').fold(out.to_path_buf(), |p, part| p.join(part));
    atomic(&path, text.as_bytes())?;
    files.push((rel.to_string(), text.len() as u64));
    Ok(())
}

/// What streaming the premises wrote.
struct PremisesWritten {
    files: Vec<(String, u64)>,
    fibre: u64,
    eligibility_rows: u64,
}

/// Writes `premises.parquet` and the two ARCEP files, one window of chunks at a time.
fn stream_premises(
    t: &Territory,
    a: &Allocation,
    out: &Path,
    paths: &DatasetPaths,
    arcep: ArcepEncoding,
) -> Result<PremisesWritten, SynthError> {
    let parquet_rel = "premises.parquet".to_string();
    let (b_rel, e_rel) = (format!("dataset/{}", paths.buildings), format!("dataset/{}", paths.eligibility));
    let at = |rel: &str| rel.split('/').fold(out.to_path_buf(), |p, part| p.join(part));
    let mut parquet = PremisesParquet::create(&at(&parquet_rel))?;
    let mut buildings = Streamed::create(&at(&b_rel))?;
    let mut eligibility = Streamed::create(&at(&e_rel))?;
    let header = |h: &str| -> Result<Vec<u8>, SynthError> {
        match arcep {
            ArcepEncoding::Plain => Ok(h.as_bytes().to_vec()),
            ArcepEncoding::Gzip => premises::gzip(h.as_bytes())
                .map_err(|e| SynthError::from(crate::io::IoError::new(at(&b_rel), e))),
        }
    };
    buildings.write(&header(BUILDINGS_HEADER)?)?;
    eligibility.write(&header(ELIGIBILITY_HEADER)?)?;
    let chunks = premises::chunks(a.total);
    let mut group = RowGroup::with_capacity(ROW_GROUP as usize);
    let (mut fibre, mut rows) = (0, 0);
    let loud = a.total >= 5 * ROW_GROUP;
    let mut first = 0;
    let step = window();
    while first < chunks {
        let window: Vec<u64> = (first..(first + step).min(chunks)).collect();
        let made: Vec<Result<premises::Chunk, SynthError>> =
            window.par_iter().map(|&c| premises::generate(t, a, c, arcep, &Reprojector::new())).collect();
        for chunk in made {
            let chunk = chunk?;
            buildings.write(&chunk.buildings)?;
            eligibility.write(&chunk.eligibility)?;
            fibre += chunk.fibre;
            rows += chunk.eligibility_rows;
            group.ids.extend(chunk.ids);
            group.x.extend(chunk.x);
            group.y.extend(chunk.y);
            group.techno.extend(chunk.techno);
            group.class.extend(chunk.class);
            if group.len() as u64 >= ROW_GROUP {
                parquet.write(&mut group)?;
            }
        }
        let before = first * CHUNK / (5 * ROW_GROUP);
        first += step;
        if loud && first * CHUNK / (5 * ROW_GROUP) > before {
            eprintln!("synth: {} of {} premises written", (first * CHUNK).min(a.total), a.total);
        }
    }
    if group.len() > 0 {
        parquet.write(&mut group)?;
    }
    let files =
        vec![(parquet_rel, parquet.finish()?), (b_rel, buildings.finish()?), (e_rel, eligibility.finish()?)];
    Ok(PremisesWritten { files, fibre, eligibility_rows: rows })
}

/// The dataset's `dataset.toml`.
fn dataset_toml(scale: Scale, t: &Territory, paths: &DatasetPaths) -> String {
    let s = scale.name();
    let mut out = format!(
        "# Dataset \"synth-{s}\": a SYNTHETIC territory written by `fracture synth --scale {s}` (deterministic\n\
         # generator). Every number in it is invented; codes use fictitious départements (99, 98, 96, 20, 00)\n\
         # and région 99; every name says it is synthetic.\n\
         id = \"synth-{s}\"\n\
         name = \"Territoire synthétique ({s})\"\n\
         synthetic = true\n\
         notice = \"Données synthétiques — ce territoire n'existe pas / Synthetic data — not a real territory\"\n\
         credit = \"Données synthétiques générées par fracture synth (générateur déterministe), aux formats ANCT, \
         IGN, INSEE, ARCEP et MedNum\"\n\
         communes = [\n"
    );
    for chunk in t.communes.chunks(12) {
        let line: Vec<String> = chunk.iter().map(|c| format!("\"{}\"", c.code)).collect();
        let _ = writeln!(out, "  {},", line.join(", "));
    }
    let _ = write!(
        out,
        "]\n\n[files]\n\
         qpv = \"{}\"\n\
         iris_contours = \"{}\"\n\
         iris_population = \"{POPULATION}\"\n\
         iris_diplomas = \"{DIPLOMAS}\"\n\
         iris_filosofi = \"{FILOSOFI}\"\n\
         arcep_buildings = \"{}\"\n\
         arcep_eligibility = \"{}\"\n\
         places = \"{}\"\n\
         attendance = \"{}\"\n\n\
         [parameters]\n\
         # A course is completed when the participant attended at least this many of its 12 hours.\n\
         completion_min_hours = 10.0\n\
         # Published key for the keyed hash of participant references: acceptable only because the data are\n\
         # synthetic.\n\
         pseudonymisation_key = \"fracture-synth-key-not-secret\"\n",
        paths.qpv, paths.iris, paths.buildings, paths.eligibility, paths.places, paths.attendance
    );
    out
}

/// The dataset's bilingual notice.
fn readme(scale: Scale, counts: &serde_json::Value, paths: &DatasetPaths) -> String {
    let s = scale.name();
    let n = |k: &str| counts[k].as_u64().unwrap_or(0);
    format!(
        "# Territoire synthétique ({s}) — données synthétiques / synthetic data\n\n\
         **FR** — Tout ce dossier est **synthétique** : ce territoire n'existe pas, chaque nombre est \
         inventé, les noms le disent et les codes (départements 99, 98, 96, 20, 00, région 99) sont \
         fictifs. Il a été généré par `fracture synth --scale {s}` (générateur déterministe, graine \
         `{SEED}`) aux formats réels de l'ANCT, de l'IGN, de l'INSEE, de l'ARCEP et du standard MedNum \
         (voir `data/FORMATS.md` et `data/SYNTH.md`). Ne l'utilisez pas pour décrire un territoire réel.\n\n\
         **EN** — Everything in this folder is **synthetic**: this territory does not exist, every number \
         is invented, the names say so and the codes are fictitious. It was generated by `fracture synth \
         --scale {s}` (deterministic, seed `{SEED}`) in the real ANCT, IGN, INSEE, ARCEP and MedNum formats. \
         Do not use it to describe a real place.\n\n\
         | | |\n|---|---:|\n\
         | QPV | {} |\n| IRIS | {} |\n| communes | {} |\n| ARCEP buildings / premises | {} |\n\
         | of which inside a QPV | {} |\n| eligibility rows | {} |\n| places | {} |\n| attendance rows | {} |\n\n\
         Run: `fracture run --dataset <this folder>/dataset.toml`.\n\n\
         ARCEP: `{}`, `{}` (EPSG:3857 coordinates).\n",
        n("qpv"),
        n("iris"),
        n("communes"),
        n("premises"),
        n("premises_in_qpv"),
        n("eligibility_rows"),
        n("places"),
        n("attendance_rows"),
        paths.buildings,
        paths.eligibility,
    )
}
