//! Funder targets and the progress against them (`tables/targets.csv`).
//!
//! Input: `data/datasets/<dataset id>/targets.toml`, read when present (format documented in the
//! demo's example, `data/datasets/demo/targets.toml`): per QPV and
//! per quarter (`2026-Q3`) or year (`2026`), a target for any of `participants`, `hours`,
//! `course_enrolled`, `devices`. A QPV code the dataset does not have, a period that is neither a
//! quarter nor a year, a period without attendance records, an unknown key or a target that is not
//! positive is rejected, naming the file, the key and the value.
//!
//! Output: for the report's quarter, the targets of that quarter (against the quarter's window) and of
//! its year (against the year to date), with the actual value and the progress in %. Secrecy: the
//! actual value is the programme table's (the same window, the same decisions); where that is hidden,
//! the progress is hidden too (a progress beside its published target would give the count back), with
//! the programme table's code.

use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde::Deserialize;

use super::{IndicatorError, Scope, round, terr};
use crate::context::Quarter;
use crate::ingest::error::{IngestError, Location};

/// The measures a target may name, as columns of the programme table.
pub const MEASURES: [&str; 4] = ["participants", "hours", "course_enrolled", "devices"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    /// Who set the targets (shown in the report).
    funder: Option<String>,
    #[serde(default)]
    target: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    qpv: String,
    period: String,
    participants: Option<f64>,
    hours: Option<f64>,
    course_enrolled: Option<f64>,
    devices: Option<f64>,
}

/// The period of a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Quarter(Quarter),
    Year(i32),
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Period::Quarter(q) => write!(f, "{q}"),
            Period::Year(y) => write!(f, "{y}"),
        }
    }
}

/// One target: a QPV, a period, a measure and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub qpv: String,
    pub period: Period,
    pub measure: &'static str,
    pub value: f64,
}

/// The funder and the targets of a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Targets {
    pub funder: Option<String>,
    pub targets: Vec<Target>,
}

/// Where a dataset's targets are: `data/datasets/<id>/targets.toml`.
pub fn path(data_dir: &Path, dataset: &str) -> PathBuf {
    data_dir.join("datasets").join(dataset).join("targets.toml")
}

fn field(path: &Path, key: String, expected: String, found: String) -> IngestError {
    IngestError::Field { path: path.to_path_buf(), location: Location::File, field: key, expected, found }
}

/// Reads and checks a targets file against the dataset's QPV codes and the quarters with records.
pub fn load(path: &Path, qpv: &[String], quarters: &[Quarter]) -> Result<Targets, IngestError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| IngestError::format(path, Location::File, format!("cannot read: {e}")))?;
    let file: File = toml::from_str(&text)
        .map_err(|e| IngestError::format(path, Location::File, format!("not a valid targets file: {e}")))?;
    let present = quarters.iter().map(|q| q.to_string()).collect::<Vec<_>>().join(", ");
    let mut out = Vec::new();
    for (i, e) in file.target.iter().enumerate() {
        let key = |k: &str| format!("target[{}].{k}", i + 1);
        if !qpv.contains(&e.qpv) {
            let known = qpv.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
            return Err(field(
                path,
                key("qpv"),
                format!("a QPV code of the dataset ({known}, …)"),
                e.qpv.clone(),
            ));
        }
        let period = match (e.period.parse::<Quarter>(), e.period.parse::<i32>()) {
            (Ok(q), _) => Period::Quarter(q),
            (_, Ok(y)) if (1900..=2200).contains(&y) => Period::Year(y),
            _ => {
                let expected = "a quarter (2026-Q3) or a year (2026)".to_string();
                return Err(field(path, key("period"), expected, e.period.clone()));
            }
        };
        let has_records = match period {
            Period::Quarter(q) => quarters.contains(&q),
            Period::Year(y) => quarters.iter().any(|q| q.year == y),
        };
        if !has_records {
            let expected = format!("a period with attendance records (quarters present: {present})");
            return Err(field(path, key("period"), expected, e.period.clone()));
        }
        let values = [e.participants, e.hours, e.course_enrolled, e.devices];
        if values.iter().all(Option::is_none) {
            let expected = format!("at least one of {}", MEASURES.join(", "));
            return Err(field(path, format!("target[{}]", i + 1), expected, "none".into()));
        }
        for (m, v) in MEASURES.iter().zip(values) {
            let Some(v) = v else { continue };
            if !(v.is_finite() && v > 0.0) {
                return Err(field(path, key(m), "a positive number".into(), v.to_string()));
            }
            out.push(Target { qpv: e.qpv.clone(), period, measure: m, value: v });
        }
    }
    Ok(Targets { funder: file.funder, targets: out })
}

/// The value of `measure` for `code` in `window` of the programme table, and the secrecy code that
/// hides it (hours are hidden with the participants).
fn actual(
    p: &DataFrame,
    window: &str,
    code: &str,
    measure: &str,
) -> PolarsResult<(Option<f64>, Option<String>)> {
    let w = p.column("window")?.str()?;
    let c = p.column("area_code")?.str()?;
    let Some(i) = (0..p.height()).find(|&i| w.get(i) == Some(window) && c.get(i) == Some(code)) else {
        return Ok((None, None));
    };
    let v = p.column(measure)?.cast(&DataType::Float64)?.f64()?.get(i);
    let secrecy = p.column("secrecy")?.str()?.get(i).unwrap_or("");
    let by = if measure == "hours" { "participants" } else { measure };
    let code = secrecy.split(';').find(|s| s.starts_with(&format!("{by}:"))).map(String::from);
    let no_records = p.column("comparability")?.str()?.get(i).is_some_and(|f| f.contains("no_records"));
    Ok((v, code.or(no_records.then(|| "no_records".to_string()))))
}

/// Progress against the targets of quarter `q` and of its year, from the programme table; `None`
/// without a targets file.
pub(crate) fn progress(
    s: &Scope,
    quarters: &[Quarter],
    q: Quarter,
    programme: Option<&DataFrame>,
) -> Result<Option<(Targets, DataFrame)>, IndicatorError> {
    let file = path(&s.ctx.paths.data_dir, &s.ctx.dataset.id);
    let Some(p) = programme.filter(|_| file.is_file()) else { return Ok(None) };
    let qpv: Vec<String> = s.inputs.qpv.iter().map(|x| x.code.clone()).collect();
    let t = load(&file, &qpv, quarters).map_err(IndicatorError::Targets)?;
    let e = terr("targets");
    let (mut codes, mut names, mut periods, mut windows, mut measures) =
        (vec![], vec![], vec![], vec![], vec![]);
    let (mut targets, mut actuals, mut pct, mut secrecy) = (vec![], vec![], vec![], vec![]);
    for x in &t.targets {
        let window = match x.period {
            Period::Quarter(p) if p == q => "quarter",
            Period::Year(y) if y == q.year => "year_to_date",
            _ => continue,
        };
        let (v, code) = actual(p, window, &x.qpv, x.measure).map_err(&e)?;
        codes.push(x.qpv.clone());
        names.push(s.areas.iter().find(|a| a.code == x.qpv).map(|a| a.name.clone()).unwrap_or_default());
        periods.push(x.period.to_string());
        windows.push(window);
        measures.push(x.measure);
        targets.push(x.value);
        actuals.push(v);
        pct.push(round(v.map(|v| v * 100.0 / x.value), 1));
        secrecy.push(v.is_none().then_some(code).flatten());
    }
    let df = DataFrame::new_infer_height(vec![
        Column::new("area_code".into(), codes),
        Column::new("area_name".into(), names),
        Column::new("period".into(), periods),
        Column::new("window".into(), windows),
        Column::new("measure".into(), measures),
        Column::new("target".into(), targets),
        Column::new("actual".into(), actuals),
        Column::new("progress_pct".into(), pct),
        Column::new("secrecy".into(), secrecy),
    ])
    .map_err(&e)?;
    Ok(Some((t, df)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("targets.toml");
        std::fs::write(&p, text).unwrap();
        (dir, p)
    }

    fn codes() -> Vec<String> {
        vec!["QA".into(), "QB".into()]
    }

    fn quarters() -> Vec<Quarter> {
        vec![Quarter { year: 2025, q: 2 }, Quarter { year: 2025, q: 3 }]
    }

    #[test]
    fn targets_per_qpv_quarter_or_year() {
        let (_d, p) = write(
            "funder = \"F\"\n[[target]]\nqpv = \"QA\"\nperiod = \"2025-Q3\"\nparticipants = 40\nhours = 120.5\n\
             [[target]]\nqpv = \"QB\"\nperiod = \"2025\"\ndevices = 12\n",
        );
        let t = load(&p, &codes(), &quarters()).unwrap();
        assert_eq!(t.funder.as_deref(), Some("F"));
        let got: Vec<(&str, String, &str, f64)> =
            t.targets.iter().map(|x| (x.qpv.as_str(), x.period.to_string(), x.measure, x.value)).collect();
        assert_eq!(
            got,
            [
                ("QA", String::from("2025-Q3"), "participants", 40.0),
                ("QA", String::from("2025-Q3"), "hours", 120.5),
                ("QB", String::from("2025"), "devices", 12.0),
            ]
        );
    }

    #[test]
    fn unknown_codes_periods_and_keys_are_rejected_naming_file_key_and_value() {
        let cases = [
            ("qpv = \"QZ\"\nperiod = \"2025-Q3\"\nparticipants = 1", "target[1].qpv", "QZ"),
            ("qpv = \"QA\"\nperiod = \"2031-Q1\"\nparticipants = 1", "target[1].period", "2031-Q1"),
            ("qpv = \"QA\"\nperiod = \"2024\"\nparticipants = 1", "target[1].period", "2025-Q2, 2025-Q3"),
            ("qpv = \"QA\"\nperiod = \"Q3\"\nparticipants = 1", "target[1].period", "Q3"),
            ("qpv = \"QA\"\nperiod = \"2025\"\nparticipants = 0", "target[1].participants", "0"),
            ("qpv = \"QA\"\nperiod = \"2025\"", "target[1]", "at least one of"),
            ("qpv = \"QA\"\nperiod = \"2025\"\nparticipant = 4", "participant", "unknown field"),
        ];
        for (body, key, value) in cases {
            let (_d, p) = write(&format!("[[target]]\n{body}\n"));
            let err = load(&p, &codes(), &quarters()).expect_err(body).to_string();
            assert!(
                err.contains("targets.toml") && err.contains(key) && err.contains(value),
                "{body}: {err}"
            );
        }
    }

    #[test]
    fn progress_is_hidden_with_its_actual_value() {
        use crate::indicators::fixture::World;
        let dir = tempfile::tempdir().unwrap();
        let mut w = World::new();
        w.ctx.paths.data_dir = dir.path().to_path_buf();
        let file = path(dir.path(), &w.ctx.dataset.id);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        // QA's 5 participants are hidden; QC has none (0, published); the year to date of QC too.
        std::fs::write(
            &file,
            "funder = \"F\"\n[[target]]\nqpv = \"QA\"\nperiod = \"2025-Q3\"\nparticipants = 10\n\
             [[target]]\nqpv = \"QC\"\nperiod = \"2025-Q3\"\nparticipants = 5\n\
             [[target]]\nqpv = \"QC\"\nperiod = \"2025\"\nhours = 8\n\
             [[target]]\nqpv = \"QB\"\nperiod = \"2025-Q2\"\nparticipants = 8\n",
        )
        .unwrap();
        let ind = w.indicators();
        assert_eq!(ind.funder.as_deref(), Some("F"));
        let t = ind.targets.unwrap();
        // The 2025-Q2 target is not this quarter's: left out of the 2025-Q3 report.
        assert_eq!(t.height(), 3);
        let f = |c: &str| -> Vec<Option<f64>> { t.column(c).unwrap().f64().unwrap().iter().collect() };
        let s: Vec<Option<String>> =
            t.column("secrecy").unwrap().str().unwrap().iter().map(|x| x.map(String::from)).collect();
        assert_eq!(f("actual")[..2], [None, Some(0.0)]);
        assert_eq!(f("progress_pct")[..2], [None, Some(0.0)]);
        assert_eq!(s[0].as_deref(), Some("participants:primary"));
        assert_eq!(s[1], None);
        let windows: Vec<Option<&str>> = t.column("window").unwrap().str().unwrap().iter().collect();
        assert_eq!(windows, [Some("quarter"), Some("quarter"), Some("year_to_date")]);
        // Wherever the actual value is published, progress = actual / target.
        for ((a, p), target) in f("actual").iter().zip(f("progress_pct")).zip(f("target")) {
            assert_eq!(a.is_some(), p.is_some());
            if let (Some(a), Some(p)) = (a, p) {
                assert!((p - a * 100.0 / target.unwrap()).abs() < 0.05);
            }
        }
        // An unknown code in the file stops the run with an error naming it.
        std::fs::write(&file, "[[target]]\nqpv = \"QX\"\nperiod = \"2025\"\nparticipants = 3\n").unwrap();
        match w.compute(crate::locale::Lang::Fr) {
            Err(e @ IndicatorError::Targets(_)) => assert!(e.to_string().contains("QX"), "{e}"),
            Err(e) => panic!("{e}"),
            Ok(_) => panic!("an unknown QPV code was accepted"),
        }
    }
}
