//! The command line: one subcommand per pipeline stage (clap derive). Doc comments here are the help.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::context::Quarter;
use crate::locale::Lang;
use crate::spatial::crs::Crs;
use crate::synth::{ArcepEncoding, Scale};

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
    /// write the join tables to data/interim/<dataset>/. With --points: count the points of any CSV or
    /// Parquet file per zone of any GeoJSON or GeoParquet file (e.g. "is this address in a QPV?").
    Join(JoinArgs),
    /// Areal interpolation of source zones' values to target zones (extensive counts split by each
    /// source's area share, intensive rates as area-weighted means, or dasymetric weights from points),
    /// with an uncertainty per target and the overlap table.
    Interpolate(InterpolateArgs),
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
    /// Write synthetic inputs at scale (deterministic): benchmark zones and premises, plus the same
    /// territory as a complete dataset that `fracture run` reads (see data/SYNTH.md).
    Synth(SynthArgs),
}

/// `fracture join`: the dataset pipeline's join stage, or, with `--points`, the standalone count.
#[derive(Debug, Clone, Args)]
pub struct JoinArgs {
    #[command(flatten)]
    pub dataset: DatasetArgs,
    #[command(flatten)]
    pub points: JoinPointsArgs,
}

/// The standalone join (`fracture join --points FILE --zones FILE --zone-id FIELD --out FILE.csv`).
#[derive(Debug, Clone, Args)]
pub struct JoinPointsArgs {
    /// Points: a CSV file (separator detected: `,` `;` tab `|`) or a Parquet file (`.parquet`), with
    /// coordinate columns. Turns `join` into the standalone count (no dataset).
    #[arg(long, requires_all = ["zones", "zone_id", "out"])]
    pub points: Option<PathBuf>,
    /// Zones: a GeoJSON FeatureCollection of Polygon/MultiPolygon features (RFC 7946 CRS84, or the CRS
    /// its legacy `crs` member names), or a GeoParquet file (WKB, CRS from its `geo` metadata).
    #[arg(long, requires = "points")]
    pub zones: Option<PathBuf>,
    /// The zones' property holding their id (kept as text), e.g. `code_qp`.
    #[arg(long, requires = "points")]
    pub zone_id: Option<String>,
    /// A column of the points to count by (one output row per zone and value).
    #[arg(long, requires = "points")]
    pub by: Option<String>,
    /// The points' x (or longitude) column.
    #[arg(long, default_value = "x")]
    pub x: String,
    /// The points' y (or latitude) column.
    #[arg(long, default_value = "y")]
    pub y: String,
    /// CRS of the points, e.g. EPSG:4326 for a geocoder's longitude/latitude (default: EPSG:2154).
    #[arg(long)]
    pub points_crs: Option<Crs>,
    /// CRS of the zones, overriding what the file declares.
    #[arg(long)]
    pub zones_crs: Option<Crs>,
    /// Also write every input row with its zone id (empty when outside every zone), as CSV.
    #[arg(long, requires = "points")]
    pub out_points: Option<PathBuf>,
    /// Output CSV: the zone id column (named as --zone-id), the --by column, `count`; one row per zone,
    /// zones without a point included with 0, sorted by zone id.
    #[arg(long, requires = "points")]
    pub out: Option<PathBuf>,
}

/// `fracture interpolate`.
#[derive(Debug, Clone, Args)]
pub struct InterpolateArgs {
    /// Source zones (GeoJSON or GeoParquet) holding the values.
    #[arg(long)]
    pub source: PathBuf,
    /// The sources' id property.
    #[arg(long)]
    pub source_id: String,
    /// CRS of the sources, overriding what the file declares.
    #[arg(long)]
    pub source_crs: Option<Crs>,
    /// Target zones (GeoJSON or GeoParquet).
    #[arg(long)]
    pub target: PathBuf,
    /// The targets' id property (the first output column).
    #[arg(long)]
    pub target_id: String,
    /// CRS of the targets, overriding what the file declares.
    #[arg(long)]
    pub target_crs: Option<Crs>,
    /// Extensive variables (counts), comma-separated source properties: split by each source's share.
    #[arg(long)]
    pub extensive: String,
    /// Intensive variables (rates), comma-separated: weighted means over the sources.
    #[arg(long)]
    pub intensive: Option<String>,
    /// Dasymetric weights: points (CSV or Parquet) whose --weight-col shares each source's values
    /// instead of its area, e.g. ARCEP premises with `imb_nbr_logloc`.
    #[arg(long, requires = "weight_col")]
    pub weights: Option<PathBuf>,
    /// The weight column of --weights.
    #[arg(long, requires = "weights")]
    pub weight_col: Option<String>,
    /// x column of --weights.
    #[arg(long, default_value = "x")]
    pub weights_x: String,
    /// y column of --weights.
    #[arg(long, default_value = "y")]
    pub weights_y: String,
    /// CRS of --weights (default: EPSG:2154).
    #[arg(long)]
    pub weights_crs: Option<Crs>,
    /// Also write the overlap table: source id, target id, share_of_source, share_of_target.
    #[arg(long)]
    pub weights_out: Option<PathBuf>,
    /// Output CSV: the target id, one column per variable (same names), `uncertainty`.
    #[arg(long)]
    pub out: PathBuf,
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
    /// Read files that the dataset's `[files]` name outside the dataset folder and the data folder
    /// (refused otherwise; FRACTURE_ALLOW_OUTSIDE_PATHS=1 does the same). Said on every run and recorded in
    /// the report's manifest; errors about such a file never quote its content.
    #[arg(long)]
    pub allow_outside_paths: bool,
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

#[derive(Debug, Clone, Args)]
pub struct SynthArgs {
    /// Size of the territory: `city` (20 QPV, 500 IRIS, 200,000 premises), `region` (190 QPV,
    /// 5,800 IRIS, 5 M premises) or `france` (1,600 QPV, 50,000 IRIS, 45 M premises).
    #[arg(long, value_enum)]
    pub scale: Scale,
    /// Output folder: zones_qpv.geojson, zones_iris.geojson, premises.parquet, truth_premises_per_qpv.csv,
    /// synth.json and the dataset in dataset/ (files already there are replaced).
    #[arg(long)]
    pub out: PathBuf,
    /// How the dataset's ARCEP files are written: `plain` (.csv) or `gzip` (.csv.gz). Default: gzip for
    /// france (the plain files would take ~10 GB), plain otherwise.
    #[arg(long, value_enum)]
    pub arcep: Option<ArcepEncoding>,
}
