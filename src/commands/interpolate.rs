//! `fracture interpolate --source FILE --source-id FIELD --target FILE --target-id FIELD --extensive
//! COLS --out FILE.csv`: source zones' values estimated on target zones
//! ([`crate::spatial::overlay`]).
//!
//! - Extensive variables (counts, comma-separated property names): each source's value is split in
//!   proportion to the share of *its own* area in each target (tobler's `allocate_total=False`); what
//!   falls outside every target is printed as the remainder, so that targets + remainder = sources.
//! - Intensive variables (rates): the mean over the sources weighted by the area each puts in the target.
//! - `--weights FILE --weight-col COL`: dasymetric weights from points (premises and their dwellings,
//!   cells of a population grid) instead of area; a source without any weighted point keeps its area
//!   shares. Points as CSV or Parquet (`--weights-x`/`--weights-y`, `--weights-crs`, default EPSG:2154).
//! - `uncertainty`: per target, the share of its estimate of the first extensive variable that comes
//!   from sources its boundary cuts.
//! - `--weights-out FILE.csv`: the overlap table (source id, target id, share of the source's area, share
//!   of the target's area); run on two editions of the same zones, it is their crosswalk.
//!
//! Areas are computed in the sources' CRS when it is projected, else in Lambert-93 (EPSG:2154); targets
//! (and weight points) are converted to it. Zones as GeoJSON or GeoParquet. Output sorted by target id; numbers are
//! written as the shortest text that reads back as the same float64.

use std::collections::HashMap;
use std::path::Path;

use super::points::{BATCH_ROWS, PointsSpec, for_each_batch};
use super::{CommandError, Problems, RowProblem, number_cell};
use crate::cli::InterpolateArgs;
use crate::io::IoError;
use crate::spatial::crs::{Crs, Reprojector};
use crate::spatial::geojson::{ZoneRead, read_zones};
use crate::spatial::index::ZoneIndex;
use crate::spatial::overlay::{
    LocatedPoint, OverlayOptions, area_allocation, interpolate, overlay, point_allocation,
};

/// What an interpolation did, for the summary line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InterpolateSummary {
    pub sources: usize,
    pub targets: usize,
    pub overlaps: usize,
    /// Per extensive variable: (name, sources' total, in targets, remainder).
    pub totals: Vec<(String, f64, f64, f64)>,
    /// Weight points read and located in a source (dasymetric runs).
    pub weight_points: Option<(u64, u64)>,
    /// The zones' geometry repairs, one line each (file and feature named).
    pub warnings: Vec<String>,
}

fn split_list(s: &Option<String>) -> Vec<String> {
    s.iter().flat_map(|s| s.split(',')).map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect()
}

/// Runs the standalone interpolation.
pub fn run(a: &InterpolateArgs) -> Result<InterpolateSummary, CommandError> {
    let extensive = split_list(&Some(a.extensive.clone()));
    let intensive = split_list(&a.intensive);
    if extensive.is_empty() {
        return Err(CommandError::Usage { message: "--extensive needs at least one column".into() });
    }
    let reproj = Reprojector::new();
    let mut numbers = extensive.clone();
    numbers.extend(intensive.iter().cloned());
    let mut sources = read_zones(
        &a.source,
        ZoneRead { id_field: &a.source_id, numbers: &numbers, crs: a.source_crs, to: None },
        &reproj,
    )?;
    let from = sources.source_crs.unwrap_or(Crs::Wgs84);
    let work = if from.is_geographic() { Crs::Lambert93 } else { from };
    if work != from {
        for g in &mut sources.geometries {
            *g = reproj.convert_multipolygon(from, work, g).map_err(|e| CommandError::Format {
                path: a.source.clone(),
                message: format!("cannot convert to {work}: {e}"),
            })?;
        }
    }
    let targets = read_zones(
        &a.target,
        ZoneRead { id_field: &a.target_id, numbers: &[], crs: a.target_crs, to: Some(work) },
        &reproj,
    )?;
    let s_geoms: Vec<_> = sources.geometries.iter().collect();
    let t_geoms: Vec<_> = targets.geometries.iter().collect();
    let o = overlay(&s_geoms, &t_geoms, OverlayOptions::default());
    let mut summary = InterpolateSummary {
        sources: sources.ids.len(),
        targets: targets.ids.len(),
        overlaps: o.overlaps.len(),
        warnings: (sources.warnings.iter().map(|w| format!("{}: {w}", a.source.display())))
            .chain(targets.warnings.iter().map(|w| format!("{}: {w}", a.target.display())))
            .collect(),
        ..Default::default()
    };
    let allocation = match &a.weights {
        None => area_allocation(&o),
        Some(path) => {
            let col = a.weight_col.as_deref().ok_or_else(|| CommandError::Usage {
                message: "--weights needs --weight-col COLUMN".into(),
            })?;
            let (points, read, located) = weight_points(
                path,
                a,
                col,
                work,
                &reproj,
                &ZoneIndex::new(s_geoms.clone()),
                &ZoneIndex::new(t_geoms.clone()),
            )?;
            summary.weight_points = Some((read, located));
            point_allocation(&o, &points)
        }
    };
    let values = &sources.values;
    let ext_values: Vec<&[f64]> = values[..extensive.len()].iter().map(Vec::as_slice).collect();
    let int_values: Vec<&[f64]> = values[extensive.len()..].iter().map(Vec::as_slice).collect();
    let e = interpolate(&allocation, sources.ids.len(), targets.ids.len(), &ext_values, &int_values);
    for (k, name) in extensive.iter().enumerate() {
        let total: f64 = ext_values[k].iter().sum();
        let inside: f64 = e.extensive[k].iter().sum();
        summary.totals.push((name.clone(), total, inside, e.remainder[k]));
    }
    // The estimates, sorted by target id.
    let mut order: Vec<usize> = (0..targets.ids.len()).collect();
    order.sort_by(|&x, &y| targets.ids[x].cmp(&targets.ids[y]));
    let mut rows = Vec::with_capacity(order.len() + 1);
    let mut header = vec![a.target_id.clone()];
    header.extend(extensive.iter().cloned());
    header.extend(intensive.iter().cloned());
    header.push("uncertainty".into());
    rows.push(header);
    for &t in &order {
        let mut row = vec![targets.ids[t].clone()];
        row.extend(e.extensive.iter().map(|c| number_cell(c[t])));
        row.extend(e.intensive.iter().map(|c| number_cell(c[t])));
        row.push(number_cell(e.uncertainty[t]));
        rows.push(row);
    }
    if let Some(path) = &a.weights_out {
        let (sid, tid) = if a.source_id == a.target_id {
            (format!("{}_source", a.source_id), format!("{}_target", a.target_id))
        } else {
            (a.source_id.clone(), a.target_id.clone())
        };
        let mut table: Vec<&crate::spatial::overlay::Overlap> = o.overlaps.iter().collect();
        table.sort_by(|x, y| {
            (&sources.ids[x.source as usize], &targets.ids[x.target as usize])
                .cmp(&(&sources.ids[y.source as usize], &targets.ids[y.target as usize]))
        });
        let mut w = vec![vec![sid, tid, "share_of_source".into(), "share_of_target".into()]];
        w.extend(table.iter().map(|x| {
            vec![
                sources.ids[x.source as usize].clone(),
                targets.ids[x.target as usize].clone(),
                number_cell(x.share_of_source),
                number_cell(x.share_of_target),
            ]
        }));
        write_csv(path, &w)?;
    }
    write_csv(&a.out, &rows)?;
    Ok(summary)
}

/// Reads the weight points, locates each in the sources and the targets, and sums the weights per
/// (source, target or none).
fn weight_points(
    path: &Path,
    a: &InterpolateArgs,
    col: &str,
    work: Crs,
    reproj: &Reprojector,
    sources: &ZoneIndex<'_>,
    targets: &ZoneIndex<'_>,
) -> Result<(Vec<LocatedPoint>, u64, u64), CommandError> {
    let crs = a.weights_crs.unwrap_or(Crs::Lambert93);
    let extra = vec![col.to_string()];
    let spec = PointsSpec {
        path,
        x: &a.weights_x,
        y: &a.weights_y,
        crs,
        extra: &extra,
        keep_rows: false,
        batch_rows: BATCH_ROWS,
    };
    let mut sums: HashMap<(u32, Option<u32>), f64> = HashMap::new();
    let mut problems = Problems::default();
    let mut located_count = 0u64;
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    let read = for_each_batch(&spec, |b| {
        xs.clear();
        ys.clear();
        for (x, y) in b.xs.iter().zip(&b.ys) {
            let (x, y) = if crs == work || !x.is_finite() {
                (*x, *y)
            } else {
                reproj.convert(crs, work, *x, *y).unwrap_or((f64::NAN, f64::NAN))
            };
            xs.push(x);
            ys.push(y);
        }
        let in_source = sources.locate_chunk(&xs, &ys);
        let in_target = targets.locate_chunk(&xs, &ys);
        for (k, s) in in_source.iter().enumerate() {
            let text = &b.extra[0][k];
            let w = if text.is_empty() {
                0.0
            } else {
                match text.parse::<f64>().ok().or_else(|| text.replace(',', ".").parse().ok()) {
                    Some(w) if w.is_finite() && w >= 0.0 => w,
                    _ => {
                        let at = if super::points::is_parquet(path) { "row" } else { "line" };
                        let n = b.first_row + k as u64;
                        problems.push(RowProblem {
                            at: format!("{at} {n}"),
                            field: col.to_string(),
                            expected: "a non-negative number".into(),
                            found: format!("{text:?}"),
                        });
                        continue;
                    }
                }
            };
            if let Some(s) = s {
                located_count += 1;
                *sums.entry((*s, in_target[k])).or_insert(0.0) += w;
            }
        }
        Ok(())
    })?;
    problems.into_result(path)?;
    let mut points: Vec<LocatedPoint> = sums.into_iter().map(|((s, t), w)| (s, t, w)).collect();
    points.sort_by_key(|p| (p.0, p.1));
    Ok((points, read.rows, located_count))
}

fn write_csv(path: &Path, rows: &[Vec<String>]) -> Result<(), CommandError> {
    let err = |e: String| CommandError::Write(IoError::new(path, std::io::Error::other(e)));
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.write_record(r).map_err(|e| err(e.to_string()))?;
    }
    let bytes = w.into_inner().map_err(|e| err(e.to_string()))?;
    crate::io::atomic::write(path, &bytes)?;
    Ok(())
}

/// The summary printed on stderr.
pub fn describe(s: &InterpolateSummary, out: &Path) -> String {
    let mut text: String = s.warnings.iter().map(|w| format!("warning: {w}\n")).collect();
    text += &format!(
        "interpolate: {} sources, {} targets, {} overlaps; wrote {}",
        s.sources,
        s.targets,
        s.overlaps,
        out.display()
    );
    if let Some((read, located)) = s.weight_points {
        text.push_str(&format!("; weights from {read} points ({located} in a source)"));
    }
    for (name, total, inside, rest) in &s.totals {
        text.push_str(&format!(
            "\n  {name}: sources {total}, in targets {inside}, outside every target {rest}"
        ));
    }
    text
}
