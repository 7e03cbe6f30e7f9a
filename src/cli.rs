//! The command line: one subcommand per pipeline stage (clap derive). Doc comments here are the help.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::context::Quarter;
use crate::locale::Lang;

/// fracture — measures the digital divide (fracture numérique) in France's priority neighbourhoods
/// (QPV) from open data: connectivity, social need and the reach of digital-inclusion programmes,
/// per QPV and per quarter.
///
/// With no option, `fracture run` uses the embedded synthetic demo city (Démoville) and writes
/// reports/demo/<quarter>/index.html.
#[derive(Debug, Parser)]
#[command(name = "fracture", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Download the official sources of the catalogue (data/sources.toml) into data/raw/ (cached,
    /// checksummed, never rewritten in place).
    Fetch(FetchArgs),
    /// Parse and validate every input of a dataset; write the normalised tables to data/interim/<dataset>/.
    Ingest(DatasetArgs),
    /// Ingest, then place everything on the QPV geography (point in polygon, IRIS→QPV areal weights);
    /// write the join tables to data/interim/<dataset>/.
    Join(DatasetArgs),
    /// Up to the indicators per QPV and comparison areas, with statistical secrecy; write
    /// data/interim/<dataset>/<period>/indicators.csv.
    Indicators(DatasetArgs),
    /// Up to the maps and charts; write them to data/interim/<dataset>/<period>/maps/.
    Render(DatasetArgs),
    /// Build the complete report folder reports/<dataset>/<period>/ (same as `run`).
    Publish(DatasetArgs),
    /// Run every stage in order and publish the report (default: the synthetic demo, latest quarter).
    Run(DatasetArgs),
    /// Regenerate the synthetic demo dataset (deterministic: same files, byte for byte).
    Demo(DemoArgs),
    /// Digital-fragility index (IFN, original La MedNum/ANSA method) of any table of territories
    /// (communes, IRIS, QPV): four axes, global scores base 100, quintiles. Format: data/FORMATS.md.
    Ifn(IfnArgs),
}

/// Which dataset, which quarter, where things are.
#[derive(Debug, Clone, Args)]
pub struct DatasetArgs {
    /// Dataset: `demo` (synthetic, embedded in data/demo/), a name of data/datasets/<name>.toml such as
    /// `strasbourg` or `occitanie-qpv2015`, or a path to a dataset .toml file.
    #[arg(long, default_value = "demo")]
    pub dataset: String,
    /// Folder holding the dataset's input files (default: the folder of its dataset .toml).
    #[arg(long)]
    pub input_dir: Option<PathBuf>,
    /// Quarter to report, e.g. 2025-Q3 (default: the latest quarter present in the attendance data).
    #[arg(long)]
    pub quarter: Option<Quarter>,
    /// Project data folder (catalogue, datasets, raw downloads, interim tables).
    #[arg(long, default_value = "data")]
    pub data_dir: PathBuf,
    /// Where reports are published.
    #[arg(long, default_value = "reports")]
    pub reports_dir: PathBuf,
    /// File holding the secret key used to pseudonymise participant references (real datasets; the
    /// environment variable FRACTURE_PSEUDO_KEY works too). Never commit it.
    #[arg(long)]
    pub pseudo_key_file: Option<PathBuf>,
    /// Language of the report, maps, charts and the package's texts (names of places are never
    /// translated). English reports go to reports/<dataset>/en/<period>/.
    #[arg(long, value_enum, default_value_t = Lang::Fr)]
    pub lang: Lang,
}

#[derive(Debug, Clone, Args)]
pub struct FetchArgs {
    /// Fetch what this dataset uses (its `[[sources]]` with their vintages and its `[vars]`), e.g.
    /// `strasbourg` for data/datasets/strasbourg.toml.
    #[arg(long)]
    pub dataset: Option<String>,
    /// Source id from the catalogue (repeatable; default: every source with a URL).
    #[arg(long = "source")]
    pub sources: Vec<String>,
    /// Vintage to fetch (e.g. 2025_t2 for ARCEP), overriding the catalogue's.
    #[arg(long)]
    pub vintage: Option<String>,
    /// Use only the cache; list what is missing and fail if anything is.
    #[arg(long)]
    pub offline: bool,
    /// Fetch the same paths from another host (institutional mirror, tests).
    #[arg(long)]
    pub mirror: Option<String>,
    /// Template value for the catalogue's URLs, e.g. --var departement=67 (repeatable).
    #[arg(long = "var", value_parser = parse_var)]
    pub vars: Vec<(String, String)>,
    /// The source catalogue (default: <data-dir>/sources.toml, the one `run --dataset` resolves `@id`
    /// files with).
    #[arg(long)]
    pub catalogue: Option<PathBuf>,
    /// Project data folder; downloads go to <data-dir>/raw/<source>/<vintage>/.
    #[arg(long, default_value = "data")]
    pub data_dir: PathBuf,
    /// Hide progress bars.
    #[arg(long)]
    pub quiet: bool,
}

fn parse_var(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .filter(|(k, _)| !k.is_empty())
        .ok_or_else(|| format!("expected KEY=VALUE, got {s:?}"))
}

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Output folder.
    #[arg(long, default_value = "data/demo")]
    pub out: PathBuf,
}

#[derive(Debug, Clone, Args)]
pub struct IfnArgs {
    /// Input CSV (`,` or `;`, decimal point or comma): the id column, then any of couv_hd_thd,
    /// couv_mobile_2g, tx_pauvrete, revenu_median, part_familles_monoparentales, part_menages_1p,
    /// services_publics_par_hab, part_chomeurs_15_64, part_15_29, part_65p, part_peu_diplomes (shares as
    /// fractions 0-1, income in euros; an empty cell leaves the variable out for that row).
    #[arg(long)]
    pub input: PathBuf,
    /// Name of the id column (kept as text, e.g. IRIS or QPV codes).
    #[arg(long)]
    pub id: String,
    /// One-row CSV with the same columns: the reference territory's values. Default: the mean of the
    /// input rows for every variable.
    #[arg(long)]
    pub thresholds: Option<PathBuf>,
    /// Output CSV (UTF-8, `,`, decimal point), written atomically: the id, the four axis scores, the two
    /// global scores, ifn_score and ifn_quintile.
    #[arg(long)]
    pub out: PathBuf,
}
