//! Benchmark of the maps and the report (`cargo bench --bench render [-- DATASET_TOML]`), against
//! issue 9's targets: all maps and the report of a 21-QPV city in < 2 s, of the national synthetic
//! scale (1,600 QPV) in < 20 s.
//!
//! 1. **demo city, render + publish**: the demo's stages up to `indicators` once (not timed), then
//!    `publish` (every map and chart, the report, the tables and the open-data package) [`REPS`]
//!    times, written to a temporary folder;
//! 2. **every figure, synthetic zones in memory**: the QPV and IRIS of `fracture synth --scale city`
//!    (20 QPV, 500 IRIS) and `--scale france` (1,600 QPV, 50,000 IRIS) from
//!    [`fracture::synth::zones`] (nothing written but the figures), with made-up deterministic values
//!    (some secret, some without data): one choropleth per mapped indicator of the indicator table
//!    (its method, classes and stem), the quarterly small multiples (8 quarters), the reach panels
//!    (one per QPV, at most `MAX_PANELS` drawn) and the need-vs-reach scatter. This times the
//!    figures, not the report around them;
//! 3. **a dataset's render + publish**, when a `dataset.toml` is given (e.g. the national one of
//!    `fracture synth --scale france --out ../synth-france`:
//!    `cargo bench --bench render -- ../synth-france/dataset/dataset.toml`): its stages up to
//!    `indicators` once (not timed; minutes at national scale), then `publish` once.
//!
//! Prints a table per part (median and minimum), the load average and the peak RSS (`VmHWM`).
//! Compare ratios within one run: the machine is small and shared.

mod common;

use std::error::Error;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{Summary, load_average, ms, peak_rss};
use fracture::cli::DatasetArgs;
use fracture::indicators::table::mapped;
use fracture::locale::{Lang, Locale};
use fracture::render::classify::ClassBreaks;
use fracture::render::figures::method;
use fracture::render::{
    ChartSpec, MAX_PANELS, MapFeature, MapSpec, MapValue, Panel, PanelSeries, Reference, choropleth,
    order_by_latest, scatter, series_panels, small_multiples,
};
use fracture::synth::{Scale, SynthZone};

const REPS: usize = 5;
const QUARTERS: usize = 8;

fn args(dataset: &str, reports: &Path) -> DatasetArgs {
    DatasetArgs {
        dataset: dataset.into(),
        input_dir: None,
        quarter: None,
        data_dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("data"),
        reports_dir: reports.to_path_buf(),
        pseudo_key_file: None,
        allow_outside_paths: false,
        lang: Lang::Fr,
    }
}

/// The dataset's stages up to `indicators` (not timed), then `publish` `reps` times.
fn publish_times(args: &DatasetArgs, reps: usize) -> Result<Vec<Duration>, Box<dyn Error>> {
    let ctx = fracture::pipeline::context(args)?;
    let inputs = fracture::ingest::ingest(&ctx)?;
    let joined = fracture::join::join(
        &inputs,
        &ctx.dataset.commune_codes(),
        ctx.dataset.parameters.population_weighting,
    )?;
    let locale = Locale::default();
    let ind = fracture::indicators::compute(&ctx, &inputs, &joined, &locale)?;
    let mut times = Vec::with_capacity(reps);
    for _ in 0..reps {
        let t = Instant::now();
        let dir = fracture::publish::publish(&ctx, &inputs, &joined, &ind, &locale)?;
        times.push(t.elapsed());
        if !dir.join("index.html").is_file() {
            return Err(format!("no report at {}", dir.display()).into());
        }
    }
    Ok(times)
}

/// A made-up value of zone `i` in quarter `q` (deterministic): one zone in 9 secret, one in 13
/// without data, the others spread over 0–100.
fn value(i: usize, q: usize) -> MapValue {
    match i % 117 {
        k if k % 9 == 4 => MapValue::Secret,
        k if k % 13 == 7 => MapValue::NoData,
        _ => MapValue::Value(((i * 7919 + q * 104_729) % 1000) as f64 / 10.0),
    }
}

/// Every figure of a run over `qpv` on `iris`, into `out`; returns the time of each kind.
fn figures(qpv: &[SynthZone], iris: &[SynthZone], out: &Path) -> Result<[Duration; 4], Box<dyn Error>> {
    let locale = Locale::default();
    let background: Vec<geo::MultiPolygon<f64>> = iris.iter().map(|z| z.geometry.clone()).collect();
    let features: Vec<MapFeature> = qpv
        .iter()
        .enumerate()
        .map(|(i, z)| MapFeature {
            code: z.code.clone(),
            label: z.name.clone(),
            geometry: z.geometry.clone(),
            value: value(i, QUARTERS - 1),
        })
        .collect();
    let credit = "Données synthétiques (fracture synth) — banc d'essai";
    let notice = Some("DONNÉES SYNTHÉTIQUES");

    let t = Instant::now();
    let mut first_map = None;
    for (d, map) in mapped() {
        let m = method(map)?;
        let spec = MapSpec {
            file_stem: &map.stem,
            title: d.label(Lang::Fr),
            legend_title: d.unit(Lang::Fr),
            unit: d.unit(Lang::Fr),
            direction: d.direction,
            decimals: map.decimals,
            method: &m,
            classes: map.classes.unwrap_or(ClassBreaks::MAP_CLASSES),
            credit,
            notice,
            description: "Carte de banc d'essai.",
            locale: &locale,
        };
        choropleth(&spec, &background, &features, out)?;
        first_map.get_or_insert((d.direction, m));
    }
    let maps = t.elapsed();

    let t = Instant::now();
    let panels: Vec<Panel> = (0..QUARTERS)
        .map(|q| Panel {
            title: format!("2025-T{}", q % 4 + 1),
            values: (0..qpv.len()).map(|i| value(i, q)).collect(),
        })
        .collect();
    // The small multiples classed like the first map of the table.
    let (direction, m) = first_map.ok_or("the indicator table maps nothing")?;
    let spec = MapSpec {
        file_stem: "reach_per_1000_quarters",
        title: "Participants pour 1 000 habitants, par trimestre",
        legend_title: "‰",
        unit: "‰",
        direction,
        decimals: 1,
        method: &m,
        classes: ClassBreaks::MAP_CLASSES,
        credit,
        notice,
        description: "Petits multiples de banc d'essai.",
        locale: &locale,
    };
    small_multiples(&spec, &features, &panels, out)?;
    let multiples = t.elapsed();

    let t = Instant::now();
    let periods: Vec<String> = (0..QUARTERS).map(|q| format!("Q{q}")).collect();
    let series: Vec<PanelSeries> = qpv
        .iter()
        .enumerate()
        .map(|(i, z)| PanelSeries {
            code: z.code.clone(),
            label: z.name.clone(),
            values: (0..QUARTERS).map(|q| value(i, q)).collect(),
            targets: if i % 5 == 0 { vec![(QUARTERS - 1, 50.0)] } else { Vec::new() },
        })
        .collect();
    let ordered: Vec<PanelSeries> =
        order_by_latest(&series).into_iter().take(MAX_PANELS).map(|i| series[i].clone()).collect();
    let reference = Reference {
        label: "Territoire".into(),
        values: (0..QUARTERS).map(|q| Some(40.0 + q as f64)).collect(),
    };
    let chart = |stem: &'static str| ChartSpec {
        file_stem: stem,
        title: "Banc d'essai",
        y_label: "pour 1 000 habitants",
        credit,
        notice,
        description: "Graphique de banc d'essai.",
        locale: &locale,
    };
    series_panels(&chart("reach_series"), &periods, &reference, &ordered, "", out)?;
    let panels_time = t.elapsed();

    let t = Instant::now();
    let points: Vec<(String, Option<f64>, Option<f64>)> =
        (0..qpv.len()).map(|i| (qpv[i].name.clone(), value(i, 0).known(), value(i, 1).known())).collect();
    scatter(&chart("need_vs_reach"), "taux de pauvreté (%)", &points, out)?;
    Ok([maps, multiples, panels_time, t.elapsed()])
}

fn row(label: &str, times: &[Duration]) {
    let s = Summary::of(times);
    println!("| {label} | {} | {} | {} |", ms(s.median), ms(s.min), times.len());
}

fn main() -> Result<(), Box<dyn Error>> {
    let t0 = Instant::now();
    let dataset: Option<PathBuf> = std::env::args().skip(1).find(|a| !a.starts_with('-')).map(PathBuf::from);
    println!(
        "# bench render — maps and report; rayon: {} threads; load average {}",
        rayon::current_num_threads(),
        load_average()
    );

    println!(
        "\n## 1. demo city (11 QPV): render + publish\n\n| what | median | min | runs |\n|---|---:|---:|---:|"
    );
    let reports = tempfile::tempdir()?;
    let times = publish_times(&args("demo", reports.path()), REPS + 1)?;
    row("publish (every figure, report, tables, package), warm-up", &times[..1]);
    row("publish (every figure, report, tables, package)", &times[1..]);

    println!(
        "\n## 2. every figure on synthetic zones in memory\n\n| scale, figures | median | min | runs |\n|---|---:|---:|---:|"
    );
    for (scale, reps) in [(Scale::City, REPS), (Scale::France, 3)] {
        let (qpv, iris) = fracture::synth::zones(scale)?;
        let name = format!("{} ({} QPV, {} IRIS)", scale.name(), qpv.len(), iris.len());
        let mut runs = Vec::with_capacity(reps);
        for _ in 0..reps {
            let out = tempfile::tempdir()?;
            runs.push(figures(&qpv, &iris, out.path())?);
        }
        let kinds = [
            "choropleths (one per mapped indicator)",
            "small multiples (8 quarters)",
            "reach panels",
            "scatter",
        ];
        for (k, kind) in kinds.iter().enumerate() {
            row(&format!("{name}: {kind}"), &runs.iter().map(|r| r[k]).collect::<Vec<_>>());
        }
        row(&format!("**{name}: every figure**"), &runs.iter().map(|r| r.iter().sum()).collect::<Vec<_>>());
    }

    if let Some(toml) = dataset {
        println!(
            "\n## 3. {}: render + publish\n\n| what | median | min | runs |\n|---|---:|---:|---:|",
            toml.display()
        );
        let reports = tempfile::tempdir()?;
        let times = publish_times(&args(&toml.to_string_lossy(), reports.path()), 1)?;
        row("publish (every figure, report, tables, package)", &times);
    }
    println!(
        "\npeak RSS (VmHWM): {}; bench wall time {:.1} s; load average {}",
        peak_rss().unwrap_or_else(|| "unavailable".into()),
        t0.elapsed().as_secs_f64(),
        load_average()
    );
    Ok(())
}
