//! Orchestration: runs the stages in order for a subcommand, and maps failures to exit codes.
//! This is the only place that uses `anyhow`; stages return their own error types.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context as _;

use crate::cli::{Cli, Command, DatasetArgs, DemoArgs, FetchArgs, SynthArgs};
use crate::context::{Context, ContextArgs, ContextError};
use crate::ingest::IngestError;
use crate::ingest::arcep::Ids;
use crate::locale::Locale;

/// Process exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    Ok = 0,
    Failed = 1,
    Usage = 2,
    InputRejected = 3,
    Network = 4,
}

/// The error and its causes on one line, like `{:#}`, but without repeating a cause that a message
/// already quotes (stage errors carry their cause's text so that they read well on their own).
pub fn error_chain(err: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

/// Classifies an error chain into an exit code.
pub fn exit_code(err: &anyhow::Error) -> ExitCode {
    for cause in err.chain() {
        if cause.downcast_ref::<IngestError>().is_some() {
            return ExitCode::InputRejected;
        }
        if let Some(c) = cause.downcast_ref::<ContextError>() {
            return match c {
                ContextError::UnknownDataset { .. } => ExitCode::Usage,
                _ => ExitCode::InputRejected,
            };
        }
        if let Some(c) = cause.downcast_ref::<crate::commands::CommandError>() {
            return match c {
                crate::commands::CommandError::Usage { .. } => ExitCode::Usage,
                c if c.is_input() => ExitCode::InputRejected,
                _ => ExitCode::Failed,
            };
        }
        // A quarter without data (asked for with `--quarter`, or none dated at all) is an input rejected.
        if let Some(
            crate::indicators::IndicatorError::NoSuchQuarter { .. }
            | crate::indicators::IndicatorError::NoQuarter,
        ) = cause.downcast_ref::<crate::indicators::IndicatorError>()
        {
            return ExitCode::InputRejected;
        }
        if cause.downcast_ref::<NetworkFailure>().is_some() {
            return ExitCode::Network;
        }
        if let Some(f) = cause.downcast_ref::<crate::fetch::FetchError>() {
            return if f.is_network() { ExitCode::Network } else { ExitCode::Failed };
        }
    }
    ExitCode::Failed
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Fetch(a) => fetch(&a),
        Command::Demo(a) => demo(&a),
        Command::Synth(a) => synth(&a),
        Command::Ingest(a) => ingest(&a),
        Command::Join(a) if a.points.points.is_some() => {
            let s = crate::commands::join::run(&a.points)?;
            let out = a.points.out.clone().unwrap_or_default();
            eprintln!("{}", crate::commands::join::describe(&s, &out));
            Ok(())
        }
        Command::Join(a) => stages(&a.dataset, Stage::Join),
        Command::Interpolate(a) => {
            let s = crate::commands::interpolate::run(&a)?;
            eprintln!("{}", crate::commands::interpolate::describe(&s, &a.out));
            Ok(())
        }
        Command::Indicators(a) => stages(&a, Stage::Indicators),
        Command::Render(a) => stages(&a, Stage::Render),
        Command::Publish(a) | Command::Run(a) => stages(&a, Stage::Publish),
        Command::Ifn(a) => crate::indicators::ifn::run(&a),
    }
}

fn demo(a: &DemoArgs) -> anyhow::Result<()> {
    let files = crate::demo::generate(&a.out)
        .with_context(|| format!("generating the demo into {}", a.out.display()))?;
    eprintln!("demo: wrote {} files (synthetic data) into {}", files.len(), a.out.display());
    Ok(())
}

fn synth(a: &SynthArgs) -> anyhow::Result<()> {
    let t0 = Instant::now();
    let arcep = a.arcep.unwrap_or(a.scale.default_arcep());
    let r = crate::synth::generate(a.scale, &a.out, arcep)
        .with_context(|| format!("generating synthetic data into {}", a.out.display()))?;
    let bytes: u64 = r.files.iter().map(|(_, b)| b).sum();
    eprintln!(
        "synth [SYNTHETIC DATA]: {} QPV, {} IRIS, {} communes, {} premises ({} inside a QPV), {} eligibility \
         rows; {} files, {:.1} MB in {} ({:.1} s)\nrun it: fracture run --dataset {}",
        r.qpv,
        r.iris,
        r.communes,
        r.premises,
        r.premises_in_qpv,
        r.eligibility_rows,
        r.files.len(),
        bytes as f64 / 1e6,
        r.out.display(),
        t0.elapsed().as_secs_f64(),
        r.dataset_toml.display()
    );
    Ok(())
}

fn fetch(a: &FetchArgs) -> anyhow::Result<()> {
    let Some(name) = &a.dataset else {
        return fetch_sources(a, a.sources.clone(), a.vintage.clone(), a.vars.iter().cloned().collect());
    };
    // A dataset: its sources, each with its own vintage, and its template variables.
    let path = crate::context::config_path(&a.data_dir, name)?;
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let d: crate::context::DatasetConfig = toml::from_str(&text)
        .map_err(|e| ContextError::Invalid { path: path.clone(), message: e.to_string() })?;
    let mut vars = d.vars.clone();
    vars.extend(a.vars.iter().cloned());
    let mut failures = Vec::new();
    for s in d.sources.iter().filter(|s| a.sources.is_empty() || a.sources.contains(&s.id)) {
        let vintage = a.vintage.clone().or(s.vintage.clone());
        if let Err(e) = fetch_sources(a, vec![s.id.clone()], vintage, vars.clone()) {
            failures.push(e);
        }
    }
    match failures.len() {
        0 => Ok(()),
        1 => Err(failures.remove(0)),
        n => {
            for e in &failures {
                eprintln!("error: {}", error_chain(e));
            }
            let network = failures.iter().all(|e| exit_code(e) == ExitCode::Network);
            let e = anyhow::anyhow!("{n} source(s) of dataset {name} failed (listed above)");
            if network { Err(e.context(NetworkFailure)) } else { Err(e) }
        }
    }
}

/// Marks an aggregated failure as network-only (exit code 4).
#[derive(Debug, thiserror::Error)]
#[error("network")]
struct NetworkFailure;

fn fetch_sources(
    a: &FetchArgs,
    sources: Vec<String>,
    vintage: Option<String>,
    vars: std::collections::BTreeMap<String, String>,
) -> anyhow::Result<()> {
    let opts = crate::fetch::FetchOptions {
        sources,
        vintage,
        offline: a.offline,
        mirror: a.mirror.clone(),
        raw_dir: a.data_dir.join("raw"),
        catalogue: a.catalogue.clone().unwrap_or_else(|| a.data_dir.join("sources.toml")),
        progress: !a.quiet,
        vars,
    };
    let report = crate::fetch::fetch(&opts)?;
    for s in &report.sources {
        let status = serde_json::to_value(s.status).ok().and_then(|v| v.as_str().map(str::to_string));
        eprintln!(
            "fetch: {:<28} {:<10} {:<12} {} {}",
            s.id,
            s.vintage,
            status.unwrap_or_else(|| format!("{:?}", s.status)),
            s.path.display(),
            s.sha256.as_deref().map(|h| &h[..12.min(h.len())]).unwrap_or("")
        );
    }
    // Local inputs (the partners' attendance file) cannot be downloaded: say where they go.
    let missing: Vec<String> = report
        .sources
        .iter()
        .filter(|s| s.status == crate::fetch::FetchStatus::Missing)
        .map(|s| format!("{} ({})", s.id, s.path.display()))
        .collect();
    if !missing.is_empty() {
        let msg = format!("local input(s) missing, to be put in place by hand: {}", missing.join(", "));
        if a.offline {
            anyhow::bail!("offline: {msg}");
        }
        eprintln!("warning: {msg}");
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    Join,
    Indicators,
    Render,
    Publish,
}

/// Resolves the context from the command line.
pub fn context(a: &DatasetArgs) -> Result<Context, ContextError> {
    Context::resolve(&ContextArgs {
        dataset: a.dataset.clone(),
        data_dir: a.data_dir.clone(),
        input_dir: a.input_dir.clone(),
        reports_dir: a.reports_dir.clone(),
        quarter: a.quarter,
        pseudo_key_file: a.pseudo_key_file.clone(),
        allow_outside_paths: a.allow_outside_paths,
    })
}

fn stages(a: &DatasetArgs, last: Stage) -> anyhow::Result<()> {
    let ctx = context(a)?;
    let out = run_stages(&ctx, &Locale::new(a.lang), last)?;
    eprintln!("{out}");
    Ok(())
}

/// `fracture ingest`: the summary per file on stdout (also when a file is rejected, before the
/// problems), then, when every file is accepted, the interim tables and the rejects file.
fn ingest(a: &DatasetArgs) -> anyhow::Result<()> {
    use crate::commands::ingest as cmd;
    let ctx = context(a)?;
    let locale = Locale::new(a.lang);
    let config = config_warnings(&ctx);
    let (inputs, summary) = crate::ingest::ingest_with_summary(&ctx);
    println!("{}", cmd::describe(&ctx, &summary, &locale));
    let inputs = match inputs {
        Ok(i) => i,
        Err(e) => {
            println!("{}", locale.text("ingest.failed"));
            return Err(anyhow::Error::new(e).context("ingest"));
        }
    };
    input_warnings(&inputs.warnings[config.min(inputs.warnings.len())..]);
    let dir = &ctx.paths.interim_dir;
    let tables = crate::ingest::write_interim(&inputs, dir)?;
    let rejects = cmd::rejects_path(&ctx);
    let rows = cmd::write_rejects(&summary, &rejects)?;
    println!("{}", cmd::describe_written(tables.len(), dir, &rejects, rows, &locale));
    Ok(())
}

/// Says the configuration's warnings (a rule overridden: secrecy, outside paths) on stderr; returns
/// how many.
pub(crate) fn config_warnings(ctx: &Context) -> usize {
    let w = ctx.config_warnings();
    for w in &w {
        eprintln!("warning: {w}");
    }
    w.len()
}

/// Says the first inputs' warnings on stderr, and how many more the manifest lists.
pub(crate) fn input_warnings(warnings: &[String]) {
    const SHOWN: usize = 5;
    for w in warnings.iter().take(SHOWN) {
        eprintln!("warning: {w}");
    }
    if warnings.len() > SHOWN {
        eprintln!(
            "warning: ... and {} more (all listed in the report's manifest.json)",
            warnings.len() - SHOWN
        );
    }
}

/// Wall time of each stage of a run, printed on stderr (where a national run spends its time).
struct StageTimings {
    last: Instant,
    laps: Vec<(&'static str, f64)>,
}

impl Default for StageTimings {
    fn default() -> Self {
        Self { last: Instant::now(), laps: Vec::new() }
    }
}

impl StageTimings {
    fn lap(&mut self, stage: &'static str) {
        let now = Instant::now();
        self.laps.push((stage, (now - self.last).as_secs_f64()));
        self.last = now;
    }
}

impl std::fmt::Display for StageTimings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "stages:")?;
        for (k, (stage, s)) in self.laps.iter().enumerate() {
            write!(f, "{} {stage} {s:.2} s", if k == 0 { "" } else { "," })?;
        }
        Ok(())
    }
}

/// Runs the stages up to `last` and writes that stage's outputs. Returns a one-line summary.
fn run_stages(ctx: &Context, locale: &Locale, last: Stage) -> anyhow::Result<String> {
    let t0 = Instant::now();
    let synthetic = if ctx.dataset.synthetic { " [SYNTHETIC DEMO DATA]" } else { "" };
    // The configuration's own warnings (a rule overridden) are said first, whatever happens next; they
    // also open the inputs' warnings (for the manifest), so they are skipped there.
    let mut timings = StageTimings::default();
    let config = config_warnings(ctx);
    // Up to the report, the ARCEP tables keep only what the indicators read (no building id); the join
    // stage's interim files list the buildings by id.
    let ids = if last == Stage::Join { Ids::Kept } else { Ids::Dropped };
    let mut inputs = crate::ingest::ingest_keeping(ctx, ids).context("ingest")?;
    timings.lap("ingest");
    input_warnings(&inputs.warnings[config.min(inputs.warnings.len())..]);
    let joined =
        crate::join::join(&inputs, &ctx.dataset.commune_codes(), ctx.dataset.parameters.population_weighting)
            .context("join")?;
    timings.lap("join");
    if last == Stage::Join {
        let dir = &ctx.paths.interim_dir;
        let mut n = 0;
        let buildings = match (&joined.buildings, &inputs.arcep) {
            (Some(b), Some(a)) => Some(crate::join::buildings_with_ids(b, a).context("join: buildings")?),
            _ => None,
        };
        for (name, df) in [
            ("iris_weights", &joined.iris_weights),
            ("buildings_joined", &buildings),
            ("places_joined", &joined.places),
        ] {
            if let Some(df) = df {
                crate::io::table::write_parquet(&dir.join(format!("{name}.parquet")), df)?;
                n += 1;
            }
        }
        return Ok(format!(
            "join{synthetic}: {n} tables in {}; {}",
            dir.display(),
            serde_json::to_string(&joined.stats).unwrap_or_default()
        ));
    }
    // Nothing after the join reads the ARCEP tables (ids, coordinates, communes: ~2/3 of the memory of a
    // national run); the located buildings keep what the indicators need.
    inputs.arcep = None;
    let ind = crate::indicators::compute(ctx, &inputs, &joined, locale).context("indicators")?;
    timings.lap("indicators");
    let interim: PathBuf = ctx.paths.interim_dir.join(&ind.period);
    if last == Stage::Indicators {
        crate::io::table::write_csv(&interim.join("indicators.csv"), &ind.table)?;
        if let Some(s) = &ind.series {
            crate::io::table::write_csv(&interim.join("series.csv"), s)?;
        }
        return Ok(format!("indicators{synthetic}: {} rows in {}", ind.table.height(), interim.display()));
    }
    if last == Stage::Render {
        let texts = crate::render::figures::FigureTexts::new(ctx, &ind, locale);
        let figs = crate::render::figures::render(&inputs, &ind, &texts, locale, &interim.join("maps"))
            .context("render")?;
        return Ok(format!(
            "render{synthetic}: {} figures in {}",
            figs.len(),
            interim.join("maps").display()
        ));
    }
    let dir = crate::publish::publish(ctx, &inputs, &joined, &ind, locale).context("publish")?;
    timings.lap("render + publish");
    eprintln!("{timings}");
    Ok(format!(
        "run{synthetic}: report for {} written to {} ({:.2} s)",
        ind.period,
        dir.join("index.html").display(),
        t0.elapsed().as_secs_f64()
    ))
}
