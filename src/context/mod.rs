//! Parse, then resolve: command-line values and the dataset's `dataset.toml` become one validated
//! [`Context`] (paths, dataset, quarter, pseudonymisation key, and for every input file its
//! [`FileRole`] and its merged [`ReadOptions`]). Stages never see raw strings.
//!
//! A `[files]` value `@<source id>` names a catalogue source: `fetch` says where its cached file is
//! ([`crate::fetch::cached_file`]) and the catalogue's reading options are merged under the dataset's
//! `[formats]` ([`ReadOptions::or`]), here and nowhere else.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::locale::Lang;

pub use crate::io::read_options::ReadOptions;

pub use crate::quarter::Quarter;

mod files;
pub use files::{DatasetFiles, FileRole};

/// Tunable parameters of a dataset.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatasetParameters {
    #[serde(default = "default_completion")]
    pub completion_min_hours: f64,
    /// Only for synthetic datasets: a published key. Real datasets read the key from
    /// `FRACTURE_PSEUDO_KEY` or `--pseudo-key-file`.
    pub pseudonymisation_key: Option<String>,
    /// Minimum number of units in a published cell (INSEE rule: 11). A value below 11 is refused unless
    /// `secrecy_override` says why; the override is reported as a warning on every run.
    #[serde(default = "default_secrecy")]
    pub secrecy_min_count: u32,
    /// The reason for a `secrecy_min_count` below [`SECRECY_RULE`] (e.g. a partner's written agreement).
    #[serde(default)]
    pub secrecy_override: Option<String>,
    /// Attendance records dated after this day (`YYYY-MM-DD`) are set aside with a warning; absent: the
    /// run's date.
    #[serde(default)]
    pub attendance_horizon: Option<String>,
    /// How IRIS populations are shared with the QPV: `area` or `dwellings` (ARCEP premises).
    #[serde(default)]
    pub population_weighting: Weighting,
}

/// How IRIS counts are shared between the QPV and the rest of an IRIS (a dataset parameter, used by
/// `join`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Weighting {
    /// Share of the IRIS's area (needs only contours).
    #[default]
    Area,
    /// Share of the IRIS's premises (ARCEP buildings), falling back to area where an IRIS has none.
    Dwellings,
}

fn default_completion() -> f64 {
    10.0
}
fn default_secrecy() -> u32 {
    SECRECY_RULE
}

/// The publication threshold of statistical secrecy (INSEE: no cell of fewer than 11 units).
pub const SECRECY_RULE: u32 = 11;

/// The environment variable that lets a dataset's `[files]` name files outside the dataset folder and the
/// data folder (`FRACTURE_ALLOW_OUTSIDE_PATHS=1`), like the `--allow-outside-paths` flag.
pub const ALLOW_OUTSIDE_PATHS: &str = "FRACTURE_ALLOW_OUTSIDE_PATHS";

/// The command-line flag doing what [`ALLOW_OUTSIDE_PATHS`] does.
pub const ALLOW_OUTSIDE_PATHS_FLAG: &str = "--allow-outside-paths";

/// What allowed files outside the dataset and data folders to be read (reported on every run and recorded
/// in the manifest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum OutsidePaths {
    /// `--allow-outside-paths`.
    #[serde(rename = "--allow-outside-paths")]
    Flag,
    /// `FRACTURE_ALLOW_OUTSIDE_PATHS=1`.
    #[serde(rename = "FRACTURE_ALLOW_OUTSIDE_PATHS")]
    Env,
}

impl OutsidePaths {
    /// How it is written on the command line or in the environment.
    pub fn name(self) -> &'static str {
        match self {
            OutsidePaths::Flag => ALLOW_OUTSIDE_PATHS_FLAG,
            OutsidePaths::Env => ALLOW_OUTSIDE_PATHS,
        }
    }
}

impl Default for DatasetParameters {
    fn default() -> Self {
        Self {
            completion_min_hours: 10.0,
            pseudonymisation_key: None,
            secrecy_min_count: 11,
            secrecy_override: None,
            attendance_horizon: None,
            population_weighting: Weighting::Area,
        }
    }
}

/// `dataset.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatasetConfig {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub synthetic: bool,
    pub notice: Option<String>,
    pub credit: String,
    #[serde(default)]
    pub communes: Vec<String>,
    /// Period label used when the dataset has no attendance data (e.g. `2015-2017`).
    pub period: Option<String>,
    pub files: DatasetFiles,
    #[serde(default)]
    pub parameters: DatasetParameters,
    /// Per-file reading options (separator, header line, decimal mark, encoding, ...), by file role.
    /// After [`Context::resolve`], the catalogue's options of `@source` files are merged in.
    #[serde(default)]
    pub formats: BTreeMap<FileRole, ReadOptions>,
    /// The territory (real datasets): communes whose IRIS and buildings form the comparison area.
    pub territory: Option<Territory>,
    /// Template values for the catalogue's URLs (e.g. `departement = "67"`).
    #[serde(default)]
    pub vars: BTreeMap<String, String>,
    /// Catalogue sources this dataset uses, with their vintages; a `[files]` value `@<id>` names the
    /// file `fracture fetch` cached for that source.
    #[serde(default)]
    pub sources: Vec<SourceRef>,
    /// The dataset's own texts in languages other than French, the language of this file:
    /// `[texts.en] notice = "…", credit = "…"`. Names of places are never translated.
    #[serde(default)]
    pub texts: BTreeMap<Lang, DatasetTexts>,
}

/// A dataset's notice and credit line in one language.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatasetTexts {
    pub notice: Option<String>,
    pub credit: Option<String>,
}

/// A territory: EPCI and communes. Extra descriptive keys are allowed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Territory {
    #[serde(default)]
    pub communes: Vec<CommuneRef>,
    pub siren_epci: Option<String>,
    pub departement: Option<String>,
    pub expected_qpv: Option<usize>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CommuneRef {
    pub code: String,
    pub name: Option<String>,
    pub status: Option<String>,
}

/// One catalogue source used by a dataset.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceRef {
    pub id: String,
    pub vintage: Option<String>,
}

impl DatasetConfig {
    /// The credit line in `lang` (the French one when not translated).
    pub fn credit(&self, lang: Lang) -> &str {
        self.texts.get(&lang).and_then(|t| t.credit.as_deref()).unwrap_or(&self.credit)
    }

    /// The notice in `lang`: the top-level one in French, else its translation (`None` when there is
    /// none, so that the caller writes its own words rather than French ones).
    pub fn notice(&self, lang: Lang) -> Option<&str> {
        match lang {
            Lang::Fr => self.notice.as_deref(),
            other => self.texts.get(&other).and_then(|t| t.notice.as_deref()),
        }
    }

    /// Commune codes of the territory (top-level `communes`, else `[territory]`'s).
    pub fn commune_codes(&self) -> Vec<String> {
        if !self.communes.is_empty() {
            return self.communes.clone();
        }
        self.territory.iter().flat_map(|t| t.communes.iter().map(|c| c.code.clone())).collect()
    }
}

/// Errors while resolving the context.
#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    #[error("{}: cannot read the dataset configuration: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{}: invalid dataset configuration: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
    #[error(
        "unknown dataset {name:?}: no {} (known: {known})",
        tried.display()
    )]
    UnknownDataset { name: String, tried: PathBuf, known: String },
    #[error(
        "dataset {0:?} holds real personal data: set FRACTURE_PSEUDO_KEY or pass --pseudo-key-file \
         (a secret of at least 16 bytes, never committed)"
    )]
    MissingKey(String),
    #[error("{}: cannot read the pseudonymisation key: {source}", path.display())]
    KeyFile { path: PathBuf, source: std::io::Error },
    #[error("{}: [files] {key} = \"@{source_id}\": {message}", path.display())]
    Source { path: PathBuf, key: String, source_id: String, message: String },
    #[error(
        "{}: [files] {key} = {value:?} is outside the dataset folder ({}) and the data folder ({}): refused \
         (pass {ALLOW_OUTSIDE_PATHS_FLAG} or set {ALLOW_OUTSIDE_PATHS}=1 to read it anyway)",
        path.display(), input_dir.display(), data_dir.display()
    )]
    OutsidePath { path: PathBuf, key: String, value: String, input_dir: PathBuf, data_dir: PathBuf },
}

/// Every path fracture reads or writes, in one place.
#[derive(Debug, Clone)]
pub struct Paths {
    /// Project data folder (`data/`).
    pub data_dir: PathBuf,
    /// Where the dataset's input files are.
    pub input_dir: PathBuf,
    /// Immutable downloads (`data/raw/`), written only by `fetch`.
    pub raw_dir: PathBuf,
    /// Intermediate stage outputs (`data/interim/<dataset>/`).
    pub interim_dir: PathBuf,
    /// Published reports root (`reports/`).
    pub reports_dir: PathBuf,
}

impl Paths {
    /// Final report folder for a period: `reports/<dataset>/<period>/`.
    pub fn report_dir(&self, dataset: &str, period: &str) -> PathBuf {
        self.reports_dir.join(dataset).join(period)
    }
}

/// The validated run context.
#[derive(Debug, Clone)]
pub struct Context {
    pub dataset: DatasetConfig,
    pub config_path: PathBuf,
    pub paths: Paths,
    /// Requested quarter; `None` = latest present in the attendance data.
    pub quarter: Option<Quarter>,
    pub pseudo_key: Vec<u8>,
    /// Set when files outside the dataset and data folders may be read, by what.
    pub outside_paths: Option<OutsidePaths>,
}

/// What the command line says about where things are.
#[derive(Debug, Clone, Default)]
pub struct ContextArgs {
    pub dataset: String,
    pub data_dir: PathBuf,
    pub input_dir: Option<PathBuf>,
    pub reports_dir: PathBuf,
    pub quarter: Option<Quarter>,
    pub pseudo_key_file: Option<PathBuf>,
    /// `--allow-outside-paths`.
    pub allow_outside_paths: bool,
}

impl Context {
    /// Resolves a dataset name: `demo` → `<data>/demo/dataset.toml`; another name →
    /// `<data>/datasets/<name>.toml`; a path to a `.toml` file is used as is.
    pub fn resolve(args: &ContextArgs) -> Result<Context, ContextError> {
        let config_path = config_path(&args.data_dir, &args.dataset)?;
        let text = std::fs::read_to_string(&config_path)
            .map_err(|source| ContextError::Read { path: config_path.clone(), source })?;
        let mut dataset: DatasetConfig = toml::from_str(&text)
            .map_err(|e| ContextError::Invalid { path: config_path.clone(), message: e.to_string() })?;
        validate(&config_path, &dataset)?;
        resolve_sources(&config_path, &mut dataset, &args.data_dir)?;
        let config_dir = config_path.parent().map(Path::to_path_buf).unwrap_or_default();
        let input_dir = args.input_dir.clone().unwrap_or(config_dir);
        let pseudo_key = pseudo_key(&dataset, args.pseudo_key_file.as_deref())?;
        let paths = Paths {
            data_dir: args.data_dir.clone(),
            input_dir,
            raw_dir: args.data_dir.join("raw"),
            interim_dir: args.data_dir.join("interim").join(&dataset.id),
            reports_dir: args.reports_dir.clone(),
        };
        let outside_paths = if args.allow_outside_paths {
            Some(OutsidePaths::Flag)
        } else if outside_paths_allowed() {
            Some(OutsidePaths::Env)
        } else {
            None
        };
        if outside_paths.is_none() {
            for (role, value) in dataset.files.entries() {
                if !crate::io::confine::within(
                    &paths.input_dir.join(value),
                    &[&paths.input_dir, &paths.data_dir],
                ) {
                    return Err(ContextError::OutsidePath {
                        path: config_path.clone(),
                        key: role.key().to_string(),
                        value: value.clone(),
                        input_dir: paths.input_dir.clone(),
                        data_dir: paths.data_dir.clone(),
                    });
                }
            }
        }
        Ok(Context { dataset, config_path, paths, quarter: args.quarter, pseudo_key, outside_paths })
    }

    /// Absolute path of one of the dataset's files.
    pub fn input(&self, rel: &str) -> PathBuf {
        self.paths.input_dir.join(rel)
    }

    /// Whether the file of `role` lies outside the dataset folder and the data folder (only possible with
    /// [`ALLOW_OUTSIDE_PATHS`] or its flag): errors about it then never quote its content.
    pub fn is_outside(&self, role: FileRole) -> bool {
        self.dataset.files.get(role).is_some_and(|v| {
            !crate::io::confine::within(&self.input(v), &[&self.paths.input_dir, &self.paths.data_dir])
        })
    }

    /// The last day an attendance record may bear: `attendance_horizon`, else the run's date.
    pub fn attendance_horizon(&self) -> chrono::NaiveDate {
        self.dataset
            .parameters
            .attendance_horizon
            .as_deref()
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .unwrap_or_else(|| chrono::Local::now().date_naive())
    }

    /// The warnings the configuration itself calls for (an override of a rule), for every run.
    pub fn config_warnings(&self) -> Vec<String> {
        let p = &self.dataset.parameters;
        let mut w = Vec::new();
        if let Some(reason) = &p.secrecy_override
            && p.secrecy_min_count < SECRECY_RULE
        {
            w.push(format!(
                "SECRECY OVERRIDE: parameters.secrecy_min_count = {} is below the publication threshold of \
                 {SECRECY_RULE}; published cells may identify people. Reason given: {reason:?}",
                p.secrecy_min_count
            ));
        }
        if let Some(by) = self.outside_paths {
            let outside: Vec<String> = self
                .outside_files()
                .into_iter()
                .filter_map(|r| self.dataset.files.get(r).map(|v| format!("{} = {v:?}", r.key())))
                .collect();
            let files = if outside.is_empty() { "none today".to_string() } else { outside.join(", ") };
            w.push(format!(
                "OUTSIDE PATHS ALLOWED by {}: [files] may name any readable file, outside the dataset folder \
                 ({}) and the data folder ({}); recorded in the manifest. Files outside: {files}",
                by.name(),
                self.paths.input_dir.display(),
                self.paths.data_dir.display()
            ));
        }
        w
    }

    /// The `[files]` keys whose file lies outside the dataset and data folders.
    pub fn outside_files(&self) -> Vec<FileRole> {
        FileRole::ALL.into_iter().filter(|r| self.is_outside(*r)).collect()
    }

    /// How to read the file of `role`: the dataset's `[formats]` over the catalogue's (all detected when
    /// neither says anything).
    pub fn read_options(&self, role: FileRole) -> ReadOptions {
        self.dataset.formats.get(&role).cloned().unwrap_or_default()
    }
}

/// Where a dataset's configuration is: see [`Context::resolve`].
pub fn config_path(data_dir: &Path, name: &str) -> Result<PathBuf, ContextError> {
    if name.ends_with(".toml") {
        return Ok(PathBuf::from(name));
    }
    let p = if name == "demo" {
        data_dir.join("demo").join("dataset.toml")
    } else {
        data_dir.join("datasets").join(format!("{name}.toml"))
    };
    if p.exists() {
        return Ok(p);
    }
    let mut known = vec!["demo".to_string()];
    if let Ok(rd) = std::fs::read_dir(data_dir.join("datasets")) {
        let mut names: Vec<String> = rd
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().to_str()?.strip_suffix(".toml").map(str::to_string))
            .collect();
        names.sort();
        known.extend(names);
    }
    Err(ContextError::UnknownDataset { name: name.into(), tried: p, known: known.join(", ") })
}

/// Replaces every `@<source id>` file by the path `fracture fetch` cached for it (the extracted zip
/// member when the catalogue names one: [`crate::fetch::cached_file`]), and merges the catalogue's reading
/// options under the dataset's `[formats]` (the dataset's values win, key by key).
fn resolve_sources(path: &Path, d: &mut DatasetConfig, data_dir: &Path) -> Result<(), ContextError> {
    let wanted: Vec<(FileRole, String)> = d
        .files
        .entries()
        .into_iter()
        .filter_map(|(role, v)| v.strip_prefix('@').map(|id| (role, id.to_string())))
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let catalogue_path = data_dir.join("sources.toml");
    let err = |key: FileRole, id: &str, message: String| ContextError::Source {
        path: path.to_path_buf(),
        key: key.to_string(),
        source_id: id.into(),
        message,
    };
    let catalogue = crate::fetch::load_catalogue(&catalogue_path).map_err(|e| ContextError::Source {
        path: path.to_path_buf(),
        key: "*".into(),
        source_id: "*".into(),
        message: format!("cannot load the catalogue: {e}"),
    })?;
    let raw_dir = data_dir.join("raw");
    let mut resolved = BTreeMap::new();
    for &(key, ref id) in &wanted {
        let source = catalogue
            .get(id)
            .ok_or_else(|| err(key, id, format!("no such source in {}", catalogue_path.display())))?;
        let vintage = d.sources.iter().find(|s| &s.id == id).and_then(|s| s.vintage.clone());
        let r = source
            .resolve(vintage.as_deref(), &d.vars, catalogue.base_dir())
            .map_err(|e| err(key, id, e.to_string()))?;
        let file = crate::fetch::cached_file(&r, &raw_dir).map_err(|e| err(key, id, e.to_string()))?;
        if !file.exists() {
            // `fetch` never creates a local source (personal data placed by hand): say so.
            let hint = match &r.path {
                Some(_) => format!(
                    "source {id} is a local file, never downloaded: put it there (see its `path` in {})",
                    catalogue_path.display()
                ),
                None => format!("run `fracture fetch --source {id}`"),
            };
            return Err(err(key, id, format!("{} does not exist: {hint}", file.display())));
        }
        resolved.insert(key, (file, r.format.read));
    }
    for (role, (file, catalogue_read)) in resolved {
        if let Some(value) = d.files.get_mut(role) {
            *value = file.to_string_lossy().into_owned();
        }
        let merged = d.formats.remove(&role).unwrap_or_default().or(&catalogue_read);
        d.formats.insert(role, merged);
    }
    Ok(())
}

fn validate(path: &Path, d: &DatasetConfig) -> Result<(), ContextError> {
    let invalid = |m: String| Err(ContextError::Invalid { path: path.to_path_buf(), message: m });
    if d.id.is_empty() || !d.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return invalid(format!("id {:?} must be non-empty ASCII letters, digits, - or _", d.id));
    }
    if !(0.0..=12.0).contains(&d.parameters.completion_min_hours) {
        return invalid("parameters.completion_min_hours must be between 0 and 12".into());
    }
    if d.parameters.secrecy_min_count < 1 {
        return invalid("parameters.secrecy_min_count must be at least 1".into());
    }
    if let Some(h) = &d.parameters.attendance_horizon
        && chrono::NaiveDate::parse_from_str(h, "%Y-%m-%d").is_err()
    {
        return invalid(format!("parameters.attendance_horizon = {h:?}: expected a date YYYY-MM-DD"));
    }
    let min = d.parameters.secrecy_min_count;
    let reason = d.parameters.secrecy_override.as_deref().map(str::trim).filter(|r| !r.is_empty());
    if min < SECRECY_RULE && reason.is_none() {
        return invalid(format!(
            "parameters.secrecy_min_count = {min} is below the publication threshold of {SECRECY_RULE} \
             (statistical secrecy is a rule, not a preference): refused; to lower it anyway, say why in \
             [parameters] secrecy_override = \"<reason>\" (reported on every run)"
        ));
    }
    if d.parameters.pseudonymisation_key.is_some() && !d.synthetic {
        return invalid(
            "a pseudonymisation_key may only be written in the config of a synthetic dataset".into(),
        );
    }
    if d.files.attendance.is_none() && d.period.is_none() {
        return invalid("a dataset without attendance data needs a `period` label".into());
    }
    Ok(())
}

fn outside_paths_allowed() -> bool {
    std::env::var(ALLOW_OUTSIDE_PATHS).is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}

fn pseudo_key(d: &DatasetConfig, key_file: Option<&Path>) -> Result<Vec<u8>, ContextError> {
    if let Some(p) = key_file {
        // A key is a few bytes: a FIFO, a device or a large file is not one.
        let limits = crate::io::bounded::InputLimits { max_bytes: 4096, ..Default::default() };
        let bytes = crate::io::bounded::read_file(p, &limits).map_err(|e| ContextError::KeyFile {
            path: p.to_path_buf(),
            source: std::io::Error::other(e.to_string()),
        })?;
        return Ok(bytes.trim_ascii().to_vec());
    }
    if let Some(k) = std::env::var_os("FRACTURE_PSEUDO_KEY").filter(|k| !k.is_empty()) {
        return Ok(k.to_string_lossy().as_bytes().to_vec());
    }
    match (&d.parameters.pseudonymisation_key, d.files.attendance.is_some()) {
        (Some(k), _) => Ok(k.as_bytes().to_vec()),
        (None, false) => Ok(Vec::new()),
        (None, true) => Err(ContextError::MissingKey(d.id.clone())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_roles_are_the_keys_of_files_and_formats() {
        for role in FileRole::ALL {
            let parsed: FileRole = toml::Value::String(role.key().into()).try_into().expect("role");
            assert_eq!(parsed, role);
        }
        let d: DatasetConfig = toml::from_str(
            "id = \"x\"\nname = \"x\"\ncredit = \"c\"\nperiod = \"p\"\n[files]\nqpv = \"q.geojson\"\n\
             places = \"p.csv\"\n[formats.places]\ndecimal = \",\"\n",
        )
        .expect("parses");
        assert_eq!(
            d.files.entries(),
            vec![(FileRole::Qpv, &"q.geojson".to_string()), (FileRole::Places, &"p.csv".to_string())]
        );
        assert_eq!(d.formats[&FileRole::Places].decimal, Some(crate::io::read_options::Decimal::Comma));
        let typo = toml::from_str::<DatasetConfig>(
            "id = \"x\"\nname = \"x\"\ncredit = \"c\"\nperiod = \"p\"\n[files]\nqpv = \"q\"\n[formats.place]\n",
        );
        assert!(typo.is_err_and(|e| e.to_string().contains("unknown variant `place`")));
    }

    #[test]
    fn demo_config_parses() {
        let d: DatasetConfig = toml::from_str(include_str!("../demo/dataset.toml")).unwrap();
        assert!(d.synthetic);
        assert_eq!(d.parameters.secrecy_min_count, 11);
        validate(Path::new("x"), &d).unwrap();
    }
}
