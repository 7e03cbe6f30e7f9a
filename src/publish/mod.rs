//! Stage `publish`: the report folder `reports/<dataset>/<period>/`.
//!
//! Inputs: the products of every earlier stage. Outputs (all built in a temporary sibling folder, then
//! renamed into place, so a failed run never leaves a partial report):
//! - `index.html` (the readable report), `maps/*.png|svg` (from `render`);
//! - `tables/indicators.csv` (Etalab CSV), `tables/indicators_excel-fr.csv` (French-Excel twin),
//!   `tables/indicators.md`, `tables/series.csv`;
//! - `datasets/qpv_indicators.geojson` (RFC 7946), `datasets/qpv_indicators.parquet`,
//!   `datasets/datapackage.json` (Frictionless Table Schema of the CSV);
//! - `manifest.json`: inputs and outputs with SHA-256, parameters, version and the only timestamp.
//!
//! - [`files`]: the table writers (Etalab CSV, French-Excel twin, Parquet, JSON) over `io`;
//! - [`geojson_out`]: the QPV features with their row of the table (RFC 7946);
//! - [`markdown`]: the table for people (Markdown, and the cells of the report's table);
//! - `report`: `index.html`, its summary and downloads; `package`: `datapackage.json`;
//!   `manifest`: `manifest.json`.
//!
//! Invariant: the same inputs give byte-identical files, except `generated_at` in the manifest.
//! Personal data never reach this stage's outputs: only the aggregated, secrecy-checked table.

pub mod files;
pub mod geojson_out;
mod manifest;
pub mod markdown;
mod package;
mod report;

use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::context::Context;
use crate::indicators::table::TextParams;
use crate::indicators::{Indicators, Note};
use crate::ingest::Inputs;
use crate::join::Joined;
use crate::locale::{Arg, Lang, Locale};
use crate::render::figures::FigureTexts;

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{}: cannot write table: {source}", path.display())]
    Table { path: PathBuf, source: PolarsError },
    #[error("render: {0}")]
    Render(#[from] crate::render::RenderError),
    #[error("report template: {0}")]
    Template(String),
    #[error("{0}")]
    Other(String),
}

/// Builds the whole report folder atomically and returns its final path.
pub fn publish(
    ctx: &Context,
    inputs: &Inputs,
    joined: &Joined,
    ind: &Indicators,
    locale: &Locale,
) -> Result<PathBuf, PublishError> {
    let final_dir = report_dir(ctx, &ind.period, locale.lang);
    let tmp = crate::io::atomic::temp_dir_beside(&final_dir)?;
    write_report(ctx, inputs, joined, ind, locale, tmp.path())?;
    // Swap into place: old report aside, new one in, old one removed.
    crate::io::atomic::replace_dir(tmp, &final_dir)?;
    Ok(final_dir)
}

/// Where a report is published: `reports/<dataset>/<period>/` in French (the default),
/// `reports/<dataset>/<lang>/<period>/` in another language.
pub fn report_dir(ctx: &Context, period: &str, lang: Lang) -> PathBuf {
    match lang {
        Lang::Fr => ctx.paths.report_dir(&ctx.dataset.id, period),
        other => ctx.paths.report_dir(&ctx.dataset.id, other.code()).join(period),
    }
}

/// The indicators' notes, plus a count of the warnings met while reading the inputs (listed in
/// full in the manifest), so that a reader of the report knows they exist.
fn report_notes(inputs: &Inputs, ind: &Indicators) -> Vec<Note> {
    let mut notes = ind.notes.clone();
    if !inputs.warnings.is_empty() {
        notes.push(Note::InputWarnings { count: inputs.warnings.len() });
    }
    notes
}

/// The course completion threshold as written for people: as many decimals as it has (`10`, `10,5`).
fn completion_hours(ctx: &Context, locale: &Locale) -> String {
    let h = ctx.dataset.parameters.completion_min_hours;
    let decimals = (0..3).find(|d| {
        let f = 10f64.powi(*d);
        ((h * f).round() - h * f).abs() < 1e-9
    });
    locale.number(h, decimals.unwrap_or(3) as usize)
}

/// The values substituted into the indicator table's descriptions.
fn text_params<'a>(ctx: &Context, hours: &'a str) -> TextParams<'a> {
    TextParams { secrecy_min: ctx.dataset.parameters.secrecy_min_count, completion_hours: hours }
}

/// Writes every output into `dir` (which must exist).
pub fn write_report(
    ctx: &Context,
    inputs: &Inputs,
    joined: &Joined,
    ind: &Indicators,
    locale: &Locale,
    dir: &Path,
) -> Result<(), PublishError> {
    let d = &ctx.dataset;
    let texts = FigureTexts::new(ctx, ind, locale);
    let notice = texts.notice.as_deref();
    let figures = crate::render::figures::render(inputs, ind, &texts, locale, &dir.join("maps"))?;

    // Every machine-readable output of a synthetic dataset says so on every row.
    let mark = |df: &DataFrame, path: &str| -> Result<DataFrame, PublishError> {
        let mut df = df.clone();
        if d.synthetic {
            df.with_column(Column::new("synthetic".into(), vec![true; df.height()]))
                .map_err(|source| PublishError::Table { path: dir.join(path), source })?;
        }
        Ok(df)
    };
    let table = mark(&ind.table, "tables/indicators.csv")?;
    files::write_csv(&dir.join("tables/indicators.csv"), &table)?;
    files::write_csv_excel_fr(&dir.join("tables/indicators_excel-fr.csv"), &table)?;
    let md_title =
        locale.format("table.markdown_title", &[("suffix", Arg::Text(texts.title_suffix.clone()))]);
    let notes: Vec<String> = report_notes(inputs, ind).iter().map(|n| n.text(locale)).collect();
    let mut md_notes = notes.clone();
    if let Some(n) = notice {
        md_notes.insert(0, format!("**{n}**"));
    }
    files::write_bytes(
        &dir.join("tables/indicators.md"),
        markdown::markdown_table(&ind.table, &md_title, &md_notes, locale).as_bytes(),
    )?;
    if let Some(s) = &ind.series {
        files::write_csv(&dir.join("tables/series.csv"), &mark(s, "tables/series.csv")?)?;
    }
    let fc = geojson_out::qpv_feature_collection(&inputs.qpv, &table).map_err(PublishError::Other)?;
    // Compact: one line per feature would be nicer to diff, but coordinates dominate the size.
    files::write_bytes(&dir.join("datasets/qpv_indicators.geojson"), format!("{fc}\n").as_bytes())?;
    let qpv_rows =
        table.clone().lazy().filter(col("area_type").eq(lit("qpv"))).collect().map_err(|source| {
            PublishError::Table { path: dir.join("datasets/qpv_indicators.parquet"), source }
        })?;
    files::write_parquet(&dir.join("datasets/qpv_indicators.parquet"), &qpv_rows)?;
    files::write_json(
        &dir.join("datasets/datapackage.json"),
        &package::datapackage(ctx, ind, &table, locale),
    )?;

    let html = report::report_html(ctx, joined, ind, &figures, notice, &notes, locale)?;
    files::write_bytes(&dir.join("index.html"), html.as_bytes())?;
    manifest::write_manifest(ctx, inputs, joined, ind, locale, dir)
}

#[cfg(test)]
mod tests {
    use super::package::datapackage;
    use super::report::{downloads, summary_lines};
    use super::*;
    use crate::context::Quarter;
    use crate::indicators::Area;
    use crate::indicators::AreaType;
    use crate::indicators::fixture::{self, World};
    use crate::indicators::table::indicator;
    use crate::join::JoinStats;
    use serde_json::json;

    fn area(area_type: AreaType, code: &str, name: &str) -> Area {
        let qpv = area_type == AreaType::Qpv;
        Area {
            area_type,
            code: code.into(),
            code_qp: qpv.then(|| code.into()),
            name: name.into(),
            commune: None,
            area_km2: None,
        }
    }

    /// Two QPV and the comparison rows; La Butte's participants are secret.
    fn small() -> Indicators {
        let table = df!(
            "area_type" => ["qpv", "qpv", "hors_qpv", "territoire"],
            "area_code" => ["Q1", "Q2", "HORS_QPV", "TERRITOIRE"],
            "area_name" => ["Les Tilleuls", "La Butte", "Testville hors QPV", "Testville (ensemble)"],
            "share_thd30" => [Some(92.7), Some(85.5), Some(97.1), Some(95.0)],
            "poverty_rate" => [Some(30.1), Some(41.2), Some(12.0), None],
            "participants" => [Some(48i64), None, Some(300), Some(360)],
            "participants_per_1000" => [Some(20.6), None, Some(14.9), Some(15.2)],
            "not_an_indicator" => [1i64, 2, 3, 4],
            "secrecy" => [None, Some("participants:primary"), None, None],
        )
        .unwrap();
        Indicators {
            table,
            series: None,
            quarter: Some(Quarter { year: 2025, q: 3 }),
            quarters: vec![Quarter { year: 2025, q: 3 }],
            period: "2025-Q3".into(),
            notes: Vec::new(),
            areas: vec![
                area(AreaType::Qpv, "Q1", "Les Tilleuls"),
                area(AreaType::Qpv, "Q2", "La Butte"),
                area(AreaType::OutsideQpv, "HORS_QPV", "Testville hors QPV"),
                area(AreaType::Territory, "TERRITOIRE", "Testville (ensemble)"),
            ],
        }
    }

    fn joined(by_coordinates: usize, by_iris: usize) -> Joined {
        Joined {
            iris_weights: None,
            buildings: None,
            places: None,
            attendance: None,
            stats: JoinStats {
                attendance_by_coordinates: by_coordinates,
                attendance_by_iris: by_iris,
                ..Default::default()
            },
        }
    }

    #[test]
    fn french_reports_at_the_root_other_languages_in_their_folder() {
        let ctx = fixture::context();
        let root = &ctx.paths.reports_dir;
        assert_eq!(report_dir(&ctx, "2025-Q3", Lang::Fr), root.join("testville").join("2025-Q3"));
        assert_eq!(report_dir(&ctx, "2025-Q3", Lang::En), root.join("testville").join("en").join("2025-Q3"));
    }

    #[test]
    fn downloads_list_the_series_only_when_there_is_one_in_order() {
        let mut ind = small();
        let paths = |ind: &Indicators| downloads(ind).iter().map(|d| d.path).collect::<Vec<_>>();
        let without = [
            "tables/indicators.csv",
            "tables/indicators_excel-fr.csv",
            "tables/indicators.md",
            "datasets/qpv_indicators.geojson",
            "datasets/qpv_indicators.parquet",
            "datasets/datapackage.json",
        ];
        assert_eq!(paths(&ind), without);
        ind.series = Some(DataFrame::empty());
        let mut with = without.to_vec();
        with.insert(3, "tables/series.csv");
        assert_eq!(paths(&ind), with);
        // Every description is a message of both languages.
        for d in downloads(&ind) {
            for lang in [Lang::Fr, Lang::En] {
                assert_ne!(Locale::new(lang).text(d.what), d.what, "{} has no {lang:?} text", d.what);
            }
        }
        assert_eq!(Locale::new(Lang::En).text(downloads(&ind)[3].what), "participants by quarter and area");
    }

    #[test]
    fn datapackage_fields_come_from_the_indicator_table_with_parameters_substituted() {
        let mut ctx = fixture::context();
        ctx.dataset.parameters.secrecy_min_count = 7;
        ctx.dataset.parameters.completion_min_hours = 9.0;
        let mut ind = small();
        ind.table.with_column(Column::new("completion_rate".into(), [Some(50.0), None, None, None])).unwrap();
        for lang in [Lang::Fr, Lang::En] {
            let locale = Locale::new(lang);
            let p = datapackage(&ctx, &ind, &ind.table, &locale);
            let fields = p["resources"][0]["schema"]["fields"].as_array().unwrap();
            let names: Vec<&str> = fields.iter().map(|f| f["name"].as_str().unwrap()).collect();
            // Table columns in order, those that are not indicators left out.
            assert_eq!(
                names,
                [
                    "area_type",
                    "area_code",
                    "area_name",
                    "share_thd30",
                    "poverty_rate",
                    "participants",
                    "participants_per_1000",
                    "secrecy",
                    "completion_rate"
                ]
            );
            let params = TextParams { secrecy_min: 7, completion_hours: "9" };
            for f in fields {
                let d = indicator(f["name"].as_str().unwrap()).unwrap();
                assert_eq!(f["type"], d.column_type.as_str());
                assert_eq!(f["title"], d.label(lang));
                assert_eq!(f["unit"], d.unit(lang));
                assert_eq!(f["description"], d.description(lang, &params).as_str());
                assert!(!f["description"].as_str().unwrap().contains('{'), "{f}");
            }
            let field = |id: &str| fields.iter().find(|f| f["name"] == id).unwrap()["description"].clone();
            let (secrecy, completion) = (field("secrecy"), field("completion_rate"));
            let (secrecy, completion) = (secrecy.as_str().unwrap(), completion.as_str().unwrap());
            match lang {
                Lang::Fr => {
                    assert!(secrecy.contains("moins de 7 personnes"), "{secrecy}");
                    assert!(completion.contains("au moins 9 h des 12 h"), "{completion}");
                    assert_eq!(p["title"], "Fracture numérique dans les QPV — Testville — 2025-Q3");
                }
                Lang::En => {
                    assert!(secrecy.contains("fewer than 7 persons"), "{secrecy}");
                    assert!(completion.contains("at least 9 of the course's 12 hours"), "{completion}");
                    assert_eq!(p["title"], "Digital divide in the QPV — Testville — 2025-Q3");
                    assert_eq!(fields[0]["title"], "Area type");
                }
            }
            assert_eq!(p["name"], "fracture-testville-2025-q3");
            assert_eq!(p["synthetic"], false);
            assert_eq!(p["sources"][0]["title"], "Données de test");
            assert_eq!(p["resources"][0]["schema"]["primaryKey"], json!(["area_code"]));
            assert_eq!(p["resources"][0]["path"], "../tables/indicators.csv");
        }
    }

    #[test]
    fn fractional_completion_hours_are_written_as_they_are() {
        let mut ctx = fixture::context();
        ctx.dataset.parameters.completion_min_hours = 10.5;
        let mut ind = small();
        ind.table.with_column(Column::new("completion_rate".into(), [Some(50.0), None, None, None])).unwrap();
        let p = datapackage(&ctx, &ind, &ind.table, &Locale::new(Lang::Fr));
        let fields = p["resources"][0]["schema"]["fields"].as_array().unwrap();
        let c = fields.iter().find(|f| f["name"] == "completion_rate").unwrap()["description"].clone();
        assert!(c.as_str().unwrap().contains("au moins 10,5 h"), "{c}");
    }

    #[test]
    fn summary_lines_in_french() {
        let lines = summary_lines(&small(), &joined(12, 3), &Locale::new(Lang::Fr));
        assert_eq!(
            lines,
            [
                "2 quartiers prioritaires analysés.",
                "Éligibilité à ≥ 30 Mbit/s : 97,1 % des locaux hors QPV ; la plus faible parmi les QPV : La Butte (85,5 %).",
                "Taux de pauvreté le plus élevé : La Butte (41,2 %).",
                "Portée des programmes : 15,2 participants pour 1 000 habitants sur le territoire ; la plus faible parmi les QPV publiés : Les Tilleuls (20,6).",
                "1 zone(s) ont des valeurs masquées par le secret statistique.",
                "12 enregistrements de fréquentation localisés par coordonnées, 3 par code IRIS seulement.",
            ]
        );
    }

    #[test]
    fn summary_lines_in_english() {
        let lines = summary_lines(&small(), &joined(12, 3), &Locale::new(Lang::En));
        assert_eq!(
            lines,
            [
                "2 priority neighbourhoods analysed.",
                "Eligibility to ≥ 30 Mbit/s: 97.1 % of premises outside QPV; the lowest among the QPV: La Butte (85.5 %).",
                "Highest poverty rate: La Butte (41.2 %).",
                "Programme reach: 15.2 participants per 1,000 residents in the territory; the lowest among the published QPV: Les Tilleuls (20.6).",
                "1 area(s) have values hidden by statistical secrecy.",
                "12 attendance records located by coordinates, 3 by IRIS code only.",
            ]
        );
    }

    #[test]
    fn summary_lines_say_only_what_the_table_has() {
        let mut ind = small();
        ind.table = ind.table.select(["area_type", "area_code", "area_name", "poverty_rate"]).unwrap();
        let lines = summary_lines(&ind, &joined(12, 0), &Locale::new(Lang::En));
        assert_eq!(
            lines,
            ["2 priority neighbourhoods analysed.", "Highest poverty rate: La Butte (41.2 %)."]
        );
    }

    #[test]
    fn report_notes_count_the_input_warnings() {
        let mut w = World::new();
        let ind = w.indicators();
        assert_eq!(report_notes(&w.inputs, &ind), ind.notes);
        w.inputs.warnings = vec!["a".into(), "b".into()];
        let notes = report_notes(&w.inputs, &ind);
        assert_eq!(notes.last(), Some(&Note::InputWarnings { count: 2 }));
        assert_eq!(notes.len(), ind.notes.len() + 1);
    }
}
