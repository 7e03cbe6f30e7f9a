//! Stage `ingest`: parse and validate every input of a dataset.
//!
//! Inputs: the files named in the dataset's `dataset.toml` (formats in `data/FORMATS.md`).
//! Output: [`Inputs`], every geometry in Lambert-93, every code a string, secrecy-suppressed cells null,
//! participant references replaced by keyed pseudonyms. Invariant: a problem in any file stops the run,
//! and all the problems found in all the files are reported together.
//!
//! - [`polygons`]: GeoJSON polygon layers; [`zones`]: QPV and IRIS; [`qpv_parts`]: a QPV given as one
//!   feature per commune, merged
//! - [`read`]: the one reader for CSV / gzip / zip / xlsx tables, honouring the file's
//!   [`ReadOptions`] (from [`Context::read_options`]); [`encoding`]: UTF-8/BOM/Latin-1
//! - [`census`]: INSEE IRIS tables; [`qpv_table`]: INSEE per-QPV indicators
//! - [`arcep`]: buildings and eligibility; [`places`]: mediation places
//! - [`attendance`] and [`pseudonym`]: programme attendance (personal data)
//! - [`summary`]: what was accepted, corrected, set aside and rejected per file ([`ingest_with_summary`])

pub mod arcep;
pub mod attendance;
pub mod census;
pub mod encoding;
pub mod error;
pub mod places;
pub mod polygons;
pub mod pseudonym;
mod qpv_parts;
pub mod qpv_table;
pub mod read;
pub mod summary;
pub mod zones;

use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::context::{Context, FileRole, ReadOptions};
use crate::crs::Reprojector;
pub use error::{IngestError, Location};
pub use summary::{Entry, FileSummary, Reason, Summary, Unit};
pub use zones::{Iris, Qpv, QpvList, QpvPart};

/// One input file as read: for the manifest.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InputFile {
    /// Its role, written as its key in `dataset.toml` (`qpv`, `iris_population`, ...).
    pub role: FileRole,
    /// Path as configured (relative to the dataset's input folder).
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

/// Everything `ingest` produced. Optional parts are absent when the dataset lacks the source.
pub struct Inputs {
    pub qpv: Vec<Qpv>,
    /// The previous QPV list's contours of the territory (optional `qpv_previous`).
    pub qpv_previous: Option<Vec<Qpv>>,
    pub iris: Option<Vec<Iris>>,
    pub census: Option<census::CensusTables>,
    pub arcep: Option<arcep::ArcepTables>,
    pub places: Option<DataFrame>,
    pub attendance: Option<attendance::Attendance>,
    pub qpv_indicators: Option<DataFrame>,
    pub files: Vec<InputFile>,
    pub warnings: Vec<String>,
}

/// Keeps a value, or records its error (counted against the file it names, among `roles`) and keeps
/// going: all files are checked in one run.
fn take<T>(
    r: Result<T, IngestError>,
    errors: &mut Vec<IngestError>,
    summary: &mut Summary,
    ctx: &Context,
    roles: &[FileRole],
) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(e) => {
            rejected(summary, ctx, roles, &e);
            errors.push(e);
            None
        }
    }
}

/// Counts `e` against the file of `roles` it is about (the first one when it names none of them).
fn rejected(summary: &mut Summary, ctx: &Context, roles: &[FileRole], e: &IngestError) {
    let path = e.path();
    let role = roles
        .iter()
        .copied()
        .find(|r| ctx.dataset.files.get(*r).is_some_and(|rel| ctx.input(rel) == path))
        .or(roles.first().copied());
    if let Some(f) = role.and_then(|r| summary.get_mut(r)) {
        f.rejected += e.count();
    }
}

/// The error about the file of `role`, naming its `[files]` key, and never quoting the content of a file
/// read from outside the dataset and data folders.
fn about(ctx: &Context, role: FileRole, e: IngestError) -> IngestError {
    let e = if ctx.is_outside(role) { e.without_content() } else { e };
    e.configured(role.key())
}

/// What the counts of the file of `role` count.
fn unit(role: FileRole) -> Unit {
    match role {
        FileRole::Qpv | FileRole::QpvPrevious | FileRole::IrisContours => Unit::Features,
        FileRole::ArcepEligibility => Unit::BuildingsListed,
        _ => Unit::Rows,
    }
}

/// Reads and validates every input of the dataset.
pub fn ingest(ctx: &Context) -> Result<Inputs, IngestError> {
    ingest_with_summary(ctx).0
}

/// [`ingest`], keeping of the ARCEP tables only what the indicators read when `ids` is
/// [`arcep::Ids::Dropped`] (the run up to the report: no building id is ever made).
pub fn ingest_keeping(ctx: &Context, ids: arcep::Ids) -> Result<Inputs, IngestError> {
    read_all(ctx, &mut summary_of(ctx), ids)
}

fn summary_of(ctx: &Context) -> Summary {
    let mut summary = Summary::default();
    for (role, rel) in ctx.dataset.files.entries() {
        summary.file(role, PathBuf::from(rel), unit(role));
    }
    summary
}

/// [`ingest`], with what was accepted, corrected, set aside and rejected in each file (also when it fails:
/// the files read before or beside the failing one are summarised too).
pub fn ingest_with_summary(ctx: &Context) -> (Result<Inputs, IngestError>, Summary) {
    let mut summary = summary_of(ctx);
    let r = read_all(ctx, &mut summary, arcep::Ids::Kept);
    (r, summary)
}

/// Sets the accepted count of the file of `role`.
fn accepted(summary: &mut Summary, role: FileRole, n: usize) {
    if let Some(f) = summary.get_mut(role) {
        f.accepted = Some(n);
    }
}

fn read_all(ctx: &Context, summary: &mut Summary, ids: arcep::Ids) -> Result<Inputs, IngestError> {
    let reproj = Reprojector::new();
    let files = &ctx.dataset.files;
    let mut manifest = Vec::new();
    let mut errors = Vec::new();
    let mut warnings = ctx.config_warnings();

    // Hash every configured file first: a missing file is reported with the others. The ARCEP files
    // (gigabytes) are hashed while they are read, once: here they are only checked to exist.
    let streamed = |role: FileRole| {
        matches!(role, FileRole::ArcepBuildings | FileRole::ArcepEligibility)
            && files.arcep_buildings.is_some()
            && files.arcep_eligibility.is_some()
    };
    for (role, rel) in files.entries() {
        let path = ctx.input(rel);
        if streamed(role) {
            match std::fs::metadata(&path) {
                Ok(_) => {
                    manifest.push(InputFile { role, path: rel.clone(), sha256: String::new(), bytes: 0 })
                }
                Err(source) => {
                    let e = IngestError::Io { path, source };
                    rejected(summary, ctx, &[role], &e);
                    errors.push(e);
                }
            }
            continue;
        }
        match crate::io::hash::sha256_file(&path) {
            Ok((sha256, bytes)) => manifest.push(InputFile { role, path: rel.clone(), sha256, bytes }),
            Err(e) => {
                let e = IngestError::Io { path: e.path, source: e.source }.configured(role.key());
                rejected(summary, ctx, &[role], &e);
                errors.push(e);
            }
        }
    }
    if !errors.is_empty() {
        return Err(IngestError::Many { path: ctx.paths.input_dir.clone(), errors });
    }

    let opts = |role: FileRole| -> ReadOptions { ctx.read_options(role) };
    let path = |rel: &String| ctx.input(rel);

    let qpv = take(
        zones::read_qpv_detailed(&ctx.input(&files.qpv), &reproj).map_err(|e| about(ctx, FileRole::Qpv, e)),
        &mut errors,
        summary,
        ctx,
        &[FileRole::Qpv],
    )
    .map(|r| {
        warnings.extend(r.warnings);
        accepted(summary, FileRole::Qpv, r.features);
        if let Some(f) = summary.get_mut(FileRole::Qpv) {
            f.entries.extend(r.entries);
            f.reoriented = r.reoriented;
        }
        r.zones
    });
    let qpv_previous = files.qpv_previous.as_ref().and_then(|rel| {
        take(
            zones::read_qpv_detailed(&path(rel), &reproj).map_err(|e| about(ctx, FileRole::QpvPrevious, e)),
            &mut errors,
            summary,
            ctx,
            &[FileRole::QpvPrevious],
        )
        .map(|r| {
            warnings.extend(r.warnings);
            accepted(summary, FileRole::QpvPrevious, r.features);
            r.zones
        })
    });
    let iris = files.iris_contours.as_ref().and_then(|rel| {
        take(
            zones::read_iris_detailed(&path(rel), &reproj).map_err(|e| about(ctx, FileRole::IrisContours, e)),
            &mut errors,
            summary,
            ctx,
            &[FileRole::IrisContours],
        )
        .map(|r| {
            warnings.extend(r.warnings);
            accepted(summary, FileRole::IrisContours, r.features);
            if let Some(f) = summary.get_mut(FileRole::IrisContours) {
                f.entries.extend(r.entries);
                f.reoriented = r.reoriented;
            }
            r.zones
        })
    });
    const CENSUS: [FileRole; 5] = [
        FileRole::IrisPopulation,
        FileRole::IrisDiplomas,
        FileRole::IrisFilosofi,
        FileRole::IrisActivity,
        FileRole::IrisHouseholds,
    ];
    let census = match (&files.iris_population, &files.iris_diplomas, &files.iris_filosofi) {
        (Some(p), Some(d), Some(f)) => {
            let (po, dop, fo) =
                (opts(FileRole::IrisPopulation), opts(FileRole::IrisDiplomas), opts(FileRole::IrisFilosofi));
            let (ao, ho) = (opts(FileRole::IrisActivity), opts(FileRole::IrisHouseholds));
            let (pp, dp, fp) = (path(p), path(d), path(f));
            let ap = files.iris_activity.as_ref().map(path);
            let hp = files.iris_households.as_ref().map(path);
            let paths = census::CensusPaths {
                population: (&pp, &po),
                diplomas: (&dp, &dop),
                filosofi: (&fp, &fo),
                activity: ap.as_deref().map(|p| (p, &ao)),
                households: hp.as_deref().map(|p| (p, &ho)),
            };
            // The census error names its own file; the roles are together.
            let census = census::read_census_counted(&paths).map_err(|e| {
                let outside = CENSUS.into_iter().any(|r| ctx.is_outside(r));
                if outside { e.without_content() } else { e }
            });
            take(census, &mut errors, summary, ctx, &CENSUS).map(|(c, rows)| {
                for (role, n) in CENSUS.into_iter().zip(rows) {
                    if let Some(n) = n {
                        accepted(summary, role, n);
                    }
                }
                warnings.extend(c.warnings.clone());
                c
            })
        }
        (None, None, None) => {
            if files.iris_activity.is_some() || files.iris_households.is_some() {
                errors.push(IngestError::format(
                    &ctx.config_path,
                    Location::File,
                    "iris_activity and iris_households complete the census: they need iris_population, \
                     iris_diplomas and iris_filosofi",
                ));
            }
            None
        }
        _ => {
            errors.push(IngestError::format(
                &ctx.config_path,
                Location::File,
                "iris_population, iris_diplomas and iris_filosofi go together: give all three or none",
            ));
            None
        }
    };
    const ARCEP: [FileRole; 2] = [FileRole::ArcepBuildings, FileRole::ArcepEligibility];
    let arcep = match (&files.arcep_buildings, &files.arcep_eligibility) {
        (Some(b), Some(e)) => {
            let (bo, eo) = (opts(FileRole::ArcepBuildings), opts(FileRole::ArcepEligibility));
            let outside =
                ctx.is_outside(FileRole::ArcepBuildings) || ctx.is_outside(FileRole::ArcepEligibility);
            let arcep = arcep::read_arcep_hashed((&path(b), &bo), (&path(e), &eo), &reproj, ids)
                .map_err(|e| if outside { e.without_content() } else { e });
            take(arcep, &mut errors, summary, ctx, &ARCEP).map(|(tables, hashes)| {
                for (role, (sha256, bytes)) in ARCEP.into_iter().zip(hashes) {
                    if let Some(f) = manifest.iter_mut().find(|f| f.role == role) {
                        (f.sha256, f.bytes) = (sha256, bytes);
                    }
                }
                accepted(summary, FileRole::ArcepBuildings, tables.buildings.height());
                accepted(summary, FileRole::ArcepEligibility, tables.eligibility.height());
                tables
            })
        }
        (None, None) => None,
        _ => {
            errors.push(IngestError::format(
                &ctx.config_path,
                Location::File,
                "arcep_buildings and arcep_eligibility go together: give both or none",
            ));
            None
        }
    };
    let places = files.places.as_ref().and_then(|rel| {
        let places = places::read_places(&path(rel), &opts(FileRole::Places), &reproj)
            .map_err(|e| about(ctx, FileRole::Places, e));
        take(places, &mut errors, summary, ctx, &[FileRole::Places])
            .inspect(|p| accepted(summary, FileRole::Places, p.height()))
    });
    let attendance = match &files.attendance {
        Some(rel) => match pseudonym::Pseudonymiser::new(&ctx.pseudo_key) {
            Ok(p) => take(
                attendance::read_attendance_detailed(
                    &path(rel),
                    &opts(FileRole::Attendance),
                    &p,
                    &reproj,
                    ctx.attendance_horizon(),
                )
                .map_err(|e| about(ctx, FileRole::Attendance, e)),
                &mut errors,
                summary,
                ctx,
                &[FileRole::Attendance],
            )
            .map(|r| {
                warnings.extend(r.warnings);
                if let Some(f) = summary.get_mut(FileRole::Attendance) {
                    f.accepted = Some(r.attendance.records.height());
                    f.unknown_residence = r.attendance.rows_without_residence;
                    f.entries.extend(r.set_aside);
                }
                r.attendance
            }),
            Err(e) => {
                errors.push(IngestError::format(&ctx.config_path, Location::File, e.to_string()));
                None
            }
        },
        None => None,
    };
    let qpv_indicators = files.qpv_indicators.as_ref().and_then(|rel| {
        let t = qpv_table::read_qpv_indicators(&path(rel), &opts(FileRole::QpvIndicators))
            .map_err(|e| about(ctx, FileRole::QpvIndicators, e));
        take(t, &mut errors, summary, ctx, &[FileRole::QpvIndicators])
            .inspect(|t| accepted(summary, FileRole::QpvIndicators, t.height()))
    });

    if errors.len() == 1 {
        return Err(errors.remove(0));
    }
    if !errors.is_empty() {
        return Err(IngestError::Many { path: ctx.paths.input_dir.clone(), errors });
    }
    // Keep the territory: QPV of its EPCI or communes (any of their parts), IRIS of its communes.
    let communes = ctx.dataset.commune_codes();
    let epci = ctx.dataset.territory.as_ref().and_then(|t| t.siren_epci.clone());
    let all_qpv = qpv.unwrap_or_default();
    let read = all_qpv.len();
    let (qpv, left_out): (Vec<Qpv>, Vec<Qpv>) =
        all_qpv.into_iter().partition(|q| q.in_territory(epci.as_deref(), &communes));
    if let Some(f) = summary.get_mut(FileRole::Qpv) {
        f.outside_territory = left_out.iter().map(|q| q.parts.len().max(1)).sum();
    }
    if qpv.len() < read {
        warnings.push(format!("{} of {read} QPV kept for the territory", qpv.len()));
    }
    if qpv.is_empty() {
        let e = IngestError::format(
            ctx.input(&files.qpv),
            Location::File,
            format!("no QPV of the territory (communes {}) in this file", communes.join(", ")),
        );
        rejected(summary, ctx, &[FileRole::Qpv], &e);
        return Err(e);
    }
    if let Some(n) = ctx.dataset.territory.as_ref().and_then(|t| t.expected_qpv)
        && n != qpv.len()
    {
        warnings.push(format!("{} QPV found for the territory, {n} expected", qpv.len()));
    }
    let qpv_previous =
        qpv_previous.map(|v| v.into_iter().filter(|q| q.in_territory(epci.as_deref(), &communes)).collect());
    let iris = iris.map(|v| {
        let (kept, out): (Vec<Iris>, Vec<Iris>) =
            v.into_iter().partition(|i| communes.is_empty() || communes.contains(&i.commune));
        if let Some(f) = summary.get_mut(FileRole::IrisContours) {
            f.outside_territory = out.len();
        }
        kept
    });
    if let (Some(a), false) = (&arcep, communes.is_empty()) {
        let outside = buildings_outside(&a.buildings, &communes);
        if let Some(f) = summary.get_mut(FileRole::ArcepBuildings) {
            f.outside_territory = outside;
        }
    }
    if let Some(a) = &attendance
        && a.rows_without_residence > 0
    {
        warnings.push(format!(
            "attendance: {} record(s) give no residence (neither coordinates nor IRIS): counted as unknown residence",
            a.rows_without_residence
        ));
    }
    if iris.is_none() && census.is_some() {
        warnings.push("INSEE IRIS tables given without IRIS contours: they cannot be joined to QPV".into());
    }
    Ok(Inputs {
        qpv,
        qpv_previous,
        iris,
        census,
        arcep,
        places,
        attendance,
        qpv_indicators,
        files: manifest,
        warnings,
    })
}

/// Buildings whose commune code is not one of the territory's (`join` places them outside it).
fn buildings_outside(buildings: &DataFrame, communes: &[String]) -> usize {
    let set: std::collections::HashSet<&str> = communes.iter().map(String::as_str).collect();
    buildings
        .column("commune")
        .ok()
        .and_then(|c| c.str().ok())
        .map(|c| c.iter().filter(|v| !v.is_some_and(|v| set.contains(v))).count())
        .unwrap_or(0)
}

/// Writes the ingested tables (never the attendance records: personal data) to `dir` as Parquet,
/// for inspection and for the `join` stage run on its own.
pub fn write_interim(inputs: &Inputs, dir: &Path) -> Result<Vec<PathBuf>, crate::io::IoError> {
    let mut written = Vec::new();
    let mut put = |name: &str, df: &DataFrame| -> Result<(), crate::io::IoError> {
        let p = dir.join(name);
        crate::io::table::write_parquet(&p, df)?;
        written.push(p);
        Ok(())
    };
    if let Some(c) = &inputs.census {
        put("iris_stats.parquet", &c.stats)?;
    }
    if let Some(a) = &inputs.arcep {
        put("arcep_buildings.parquet", &a.buildings)?;
        put("arcep_eligibility.parquet", &a.eligibility)?;
    }
    if let Some(p) = &inputs.places {
        put("places.parquet", p)?;
    }
    if let Some(q) = &inputs.qpv_indicators {
        put("qpv_indicators.parquet", q)?;
    }
    Ok(written)
}
