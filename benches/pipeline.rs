//! Benchmark of the whole `fracture run` on the demo city, in process (`cargo bench --bench pipeline`).
//!
//! Runs the stages as `fracture run` does (context, ingest, join, indicators, publish; `publish` draws
//! the figures, so it includes `render`), writing the reports into a temporary folder. One warm-up run
//! (reported apart: cold caches), then [`REPS`] timed runs; the table gives the median and the minimum
//! per stage. Peak RSS (`VmHWM`) is printed at the end. Compare ratios within one run.

mod common;

use std::error::Error;
use std::path::Path;
use std::time::{Duration, Instant};

use common::{Summary, load_average, ms, peak_rss};
use fracture::cli::DatasetArgs;

const REPS: usize = 5;
const STAGES: [&str; 5] = ["context", "ingest", "join", "indicators", "publish (incl. render)"];

/// One run of the pipeline; returns the time of each stage, in [`STAGES`] order.
fn run_once(args: &DatasetArgs) -> Result<[Duration; 5], Box<dyn Error>> {
    let mut t = Instant::now();
    let mut lap = || {
        let d = t.elapsed();
        t = Instant::now();
        d
    };
    let ctx = fracture::pipeline::context(args)?;
    let d_context = lap();
    let inputs = fracture::ingest::ingest(&ctx)?;
    let d_ingest = lap();
    let joined = fracture::join::join(
        &inputs,
        &ctx.dataset.commune_codes(),
        ctx.dataset.parameters.population_weighting,
    )?;
    let d_join = lap();
    let locale = fracture::locale::Locale::default();
    let ind = fracture::indicators::compute(&ctx, &inputs, &joined, &locale)?;
    let d_indicators = lap();
    let dir = fracture::publish::publish(&ctx, &inputs, &joined, &ind, &locale)?;
    let d_publish = lap();
    if !dir.join("index.html").is_file() {
        return Err(format!("no report at {}", dir.display()).into());
    }
    Ok([d_context, d_ingest, d_join, d_indicators, d_publish])
}

fn main() -> Result<(), Box<dyn Error>> {
    let t0 = Instant::now();
    let reports = tempfile::tempdir()?;
    let args = DatasetArgs {
        dataset: "demo".into(),
        input_dir: None,
        quarter: None,
        data_dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("data"),
        reports_dir: reports.path().to_path_buf(),
        pseudo_key_file: None,
        allow_outside_paths: false,
        lang: fracture::locale::Lang::Fr,
    };
    println!(
        "# bench pipeline — `fracture run` on the demo, in process; {REPS} runs after 1 warm-up; \
         rayon: {} threads; load average {}",
        rayon::current_num_threads(),
        load_average()
    );

    let warmup = run_once(&args)?;
    let mut runs = Vec::with_capacity(REPS);
    for _ in 0..REPS {
        runs.push(run_once(&args)?);
    }

    println!("\n| stage | median | min | share of median total | warm-up run |\n|---|---:|---:|---:|---:|");
    let totals: Vec<Duration> = runs.iter().map(|r| r.iter().sum()).collect();
    let total = Summary::of(&totals);
    for (i, stage) in STAGES.iter().enumerate() {
        let s = Summary::of(&runs.iter().map(|r| r[i]).collect::<Vec<_>>());
        println!(
            "| {stage} | {} | {} | {:.0} % | {} |",
            ms(s.median),
            ms(s.min),
            100.0 * s.median.as_secs_f64() / total.median.as_secs_f64(),
            ms(warmup[i])
        );
    }
    println!(
        "| **total** | {} | {} | 100 % | {} |",
        ms(total.median),
        ms(total.min),
        ms(warmup.iter().sum())
    );
    println!(
        "\npeak RSS (VmHWM): {}; bench wall time {:.1} s; load average {}",
        peak_rss().unwrap_or_else(|| "unavailable".into()),
        t0.elapsed().as_secs_f64(),
        load_average()
    );
    Ok(())
}
