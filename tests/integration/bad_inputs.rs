//! Bad inputs: a corpus of broken datasets, each one the demo dataset with one file broken, run through the
//! binary. Every case must stop with exit code 3 (input rejected), name the file, the location (`line N`,
//! `feature N`, `whole file`) and, where one applies, the field and what was found; never panic; and leave
//! nothing behind (no `interim/` tables for `ingest`, no report folder for `run`).
//!
//! A case either points the dataset at a fixture of `tests/fixtures/bad/` named after what it reproduces
//! (`fixture/...`), or edits one line (one cell) of the copied demo file (`demo-edit/...`). All cases run,
//! four at a time; failures are collected and listed together at the end.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use zip::write::SimpleFileOptions;

use crate::support::{demo_copy, project_root, workdir};

/// Which subcommand a case runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// `fracture ingest`: fast; checks that no interim table is written.
    Ingest,
    /// `fracture run`: checks that no report folder is left.
    Run,
}

type Prepare = Box<dyn Fn(&Input) + Send + Sync>;

struct Case {
    name: String,
    stage: Stage,
    prepare: Prepare,
    /// Every fragment must appear in stderr: file, location, field, found value.
    expect: Vec<String>,
    /// Fragments that must not appear (e.g. a personal reference, a debug `Some(`).
    refuse: Vec<String>,
}

/// The copied dataset a case breaks.
struct Input {
    dir: PathBuf,
}

impl Input {
    fn toml_path(&self) -> PathBuf {
        self.dir.join("dataset.toml")
    }

    fn config(&self) -> toml::Table {
        toml::from_str(&std::fs::read_to_string(self.toml_path()).unwrap()).unwrap()
    }

    fn save_config(&self, t: &toml::Table) {
        std::fs::write(self.toml_path(), toml::to_string(t).unwrap()).unwrap();
    }

    /// Path of the file configured under `[files] key`.
    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(demo_rel(key))
    }

    /// Points `[files] key` at `rel` (relative to the dataset folder).
    fn set_file(&self, key: &str, rel: &str) {
        let mut t = self.config();
        t["files"].as_table_mut().unwrap().insert(key.into(), rel.into());
        self.save_config(&t);
    }

    /// Sets `[formats.key] option = value`.
    fn set_format(&self, key: &str, option: &str, value: &str) {
        let mut t = self.config();
        let formats = t.entry("formats").or_insert_with(|| toml::Table::new().into());
        let f = formats.as_table_mut().unwrap().entry(key).or_insert_with(|| toml::Table::new().into());
        f.as_table_mut().unwrap().insert(option.into(), value.into());
        self.save_config(&t);
    }

    /// Copies `tests/fixtures/bad/<name>` into the dataset and points `[files] key` at it.
    fn use_fixture(&self, key: &str, name: &str) {
        let to = self.dir.join("bad").join(name);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(bad_fixture(name), &to).unwrap();
        self.set_file(key, &format!("bad/{name}"));
    }

    /// Rewrites line `line` (1-based) of the file `key` with `f`.
    fn edit_line(&self, key: &str, line: usize, f: impl Fn(&str) -> String) {
        let path = self.path(key);
        let text = std::fs::read_to_string(&path).unwrap();
        let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
        let new = f(&lines[line - 1]);
        assert_ne!(new, lines[line - 1], "the edit changed nothing");
        lines[line - 1] = new;
        std::fs::write(&path, lines.join("\n")).unwrap();
    }

    /// Sets cells of line `line` of the table `key` (quote-aware; a quoted cell stays quoted).
    fn set_cells(&self, key: &str, line: usize, cells: &[(&str, &str)]) {
        let text = std::fs::read_to_string(self.path(key)).unwrap();
        let header = text.lines().next().unwrap().to_string();
        let sep = if header.contains(';') { ';' } else { ',' };
        let names: Vec<String> =
            split_quoted(&header, sep).iter().map(|s| s.trim_matches('"').into()).collect();
        self.edit_line(key, line, |l| {
            let mut fields = split_quoted(l, sep);
            for (col, value) in cells {
                let k = names.iter().position(|n| n == col).unwrap_or_else(|| panic!("no column {col}"));
                fields[k] =
                    if fields[k].starts_with('"') { format!("\"{value}\"") } else { (*value).to_string() };
            }
            fields.join(&sep.to_string())
        });
    }
}

/// Splits a CSV line at `sep` outside quotes; fields keep their quotes.
fn split_quoted(line: &str, sep: char) -> Vec<String> {
    let (mut fields, mut cur, mut quoted) = (Vec::new(), String::new(), false);
    for c in line.chars() {
        if c == '"' {
            quoted = !quoted;
        }
        if c == sep && !quoted {
            fields.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    fields.push(cur);
    fields
}

fn bad_fixture(name: &str) -> PathBuf {
    project_root().join("tests/fixtures/bad").join(name)
}

fn demo_dir() -> PathBuf {
    project_root().join("data/demo")
}

/// `[files] key` of the committed demo dataset.
fn demo_rel(key: &str) -> String {
    let t: toml::Table =
        toml::from_str(&std::fs::read_to_string(demo_dir().join("dataset.toml")).unwrap()).unwrap();
    t["files"][key].as_str().unwrap().to_string()
}

fn demo_file_name(key: &str) -> String {
    demo_rel(key).rsplit('/').next().unwrap().to_string()
}

/// Lines (1-based) of the demo table `key`, as maps column → raw cell (quotes stripped).
fn demo_rows(key: &str) -> Vec<(usize, Vec<(String, String)>)> {
    let text = std::fs::read_to_string(demo_dir().join(demo_rel(key))).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let sep = if header.contains(';') { ';' } else { ',' };
    let names: Vec<String> = split_quoted(header, sep).iter().map(|s| s.trim_matches('"').into()).collect();
    lines
        .enumerate()
        .map(|(i, l)| {
            let cells = split_quoted(l, sep).into_iter().map(|s| s.trim_matches('"').to_string());
            (i + 2, names.iter().cloned().zip(cells).collect())
        })
        .collect()
}

fn cell_of(row: &[(String, String)], col: &str) -> String {
    row.iter().find(|(k, _)| k == col).map(|(_, v)| v.clone()).unwrap()
}

/// First line of the demo table `key` whose `col` satisfies `pred`, with that row.
fn demo_line_where(key: &str, col: &str, pred: impl Fn(&str) -> bool) -> (usize, Vec<(String, String)>) {
    demo_rows(key).into_iter().find(|(_, r)| pred(&cell_of(r, col))).unwrap()
}

/// A zip holding `members`, written at `path`.
fn write_zip(path: &Path, members: &[(&str, &[u8])]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, bytes) in members {
        z.start_file(*name, SimpleFileOptions::default()).unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap();
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// A case replacing the file `key` by the fixture `fixture`: the message names the fixture.
fn fixture_case(stage: Stage, key: &'static str, fixture: &'static str, expect: &[&str]) -> Case {
    let mut e = vec![fixture.to_string()];
    e.extend(strings(expect));
    Case {
        name: format!("fixture/{fixture}"),
        stage,
        prepare: Box::new(move |d| d.use_fixture(key, fixture)),
        expect: e,
        refuse: vec![],
    }
}

/// A case editing cells of one line of the demo file `key`: the message names the file and `line N`.
fn cell_case(
    stage: Stage,
    name: &str,
    key: &'static str,
    line: usize,
    cells: &[(&'static str, &'static str)],
    expect: &[&str],
) -> Case {
    let cells = cells.to_vec();
    let mut e = vec![demo_file_name(key), format!("line {line}")];
    e.extend(strings(expect));
    Case {
        name: format!("demo-edit/{name}"),
        stage,
        prepare: Box::new(move |d| d.set_cells(key, line, &cells)),
        expect: e,
        refuse: vec!["Some(".into()],
    }
}

/// A case with its own preparation.
fn custom_case(stage: Stage, name: &str, prepare: Prepare, expect: &[&str]) -> Case {
    Case { name: name.to_string(), stage, prepare, expect: strings(expect), refuse: vec![] }
}

fn cases() -> Vec<Case> {
    use Stage::{Ingest, Run};
    let pop = "iris_population";
    let pop_file = demo_file_name(pop);
    let filo_file = demo_file_name("iris_filosofi");
    let mut v = vec![
        // ---- QPV GeoJSON (fixtures)
        fixture_case(Ingest, "qpv", "qpv_truncated.geojson", &["line 3", "invalid JSON", "truncated"]),
        fixture_case(
            Run,
            "qpv",
            "qpv_bowtie_ring.geojson",
            &[
                "feature 1 (QN99902M)",
                "geometry.coordinates (polygon 0, ring 0)",
                "a simple ring",
                "crosses itself at [3.245",
                "would change the area by 100.00 %",
            ],
        ),
        fixture_case(
            Ingest,
            "qpv",
            "qpv_ring_with_3_positions.geojson",
            &[
                "feature 1 (QN99902M)",
                "geometry.coordinates",
                "3 distinct positions",
                "polygon 0: 2 distinct position(s)",
            ],
        ),
        fixture_case(
            Ingest,
            "qpv",
            "qpv_hole_outside_shell.geojson",
            &[
                "feature 1 (QN99902M)",
                "geometry.coordinates (polygon 0, ring 1)",
                "a hole inside its exterior ring",
                "[3.2600000,46.5810000]",
            ],
        ),
        fixture_case(
            Ingest,
            "qpv",
            "qpv_latitude_95.geojson",
            &["feature 1 (QN99902M)", "geometry.coordinates", "latitude in -90..90", "[3.25,95.0]"],
        ),
        fixture_case(
            Ingest,
            "qpv",
            "qpv_lambert93_metres_without_crs.geojson",
            &[
                "feature 1 (QN99902M)",
                "geometry.coordinates",
                "projected metres",
                "`crs` member",
                "[717000,6608000]",
            ],
        ),
        fixture_case(
            Ingest,
            "qpv",
            "qpv_crs_epsg27572_lambert2_unsupported.geojson",
            &["whole file", "field `crs`", "EPSG:2154", "urn:ogc:def:crs:EPSG::27572"],
        ),
        fixture_case(
            Ingest,
            "qpv",
            "qpv_point_geometry.geojson",
            &["feature 1 (QN99902M)", "geometry.type", "Polygon or MultiPolygon", "Point"],
        ),
        fixture_case(
            Ingest,
            "qpv",
            "qpv_null_geometry.geojson",
            &["feature 1 (QN99902M)", "field `geometry`", "null or missing"],
        ),
        fixture_case(
            Ingest,
            "qpv",
            "qpv_missing_code_qp.geojson",
            &["feature 1", "field `code_qp`", "nothing"],
        ),
        fixture_case(
            Ingest,
            "qpv",
            "qpv_malformed_code_qp.geojson",
            &["feature 1 (QN9990M)", "field `code_qp`", "QN + 5 digits + letter", "\"QN9990M\""],
        ),
        fixture_case(
            Ingest,
            "qpv",
            "qpv_duplicate_code_qp.geojson",
            &[
                "feature 1 (QN99901M)",
                "field `code_qp`",
                "duplicate QN99901M of feature 0 (same commune 99001)",
            ],
        ),
        fixture_case(
            Ingest,
            "qpv",
            "qpv_mixed_qn_qp_codes.geojson",
            &["whole file", "code_qp", "QN99901M", "QP999001", "crosswalk"],
        ),
        fixture_case(Ingest, "qpv", "qpv_empty.geojson", &["whole file", "empty file"]),
        fixture_case(
            Ingest,
            "qpv",
            "qpv_utf16le_with_bom.geojson",
            &["whole file", "not valid UTF-8", "UTF-16 little-endian"],
        ),
        // ---- IRIS contours (one feature per line in the demo file)
        custom_case(
            Ingest,
            "demo-edit/iris_duplicate_CODE_IRIS",
            Box::new(|d| d.edit_line("iris_contours", 3, |l| l.replace("\"990010102\"", "\"990010101\""))),
            &[
                "CONTOURS-IRIS_Demoville_WGS84.geojson",
                "feature 1 (990010101)",
                "CODE_IRIS",
                "duplicate 990010101",
            ],
        ),
        custom_case(
            Ingest,
            "demo-edit/iris_CODE_IRIS_disagrees_with_INSEE_COM",
            Box::new(|d| {
                d.edit_line("iris_contours", 3, |l| {
                    l.replace("\"INSEE_COM\":\"99001\"", "\"INSEE_COM\":\"99002\"")
                })
            }),
            &["CONTOURS-IRIS_Demoville_WGS84.geojson", "feature 1 (990010102)", "INSEE_COM", "99002"],
        ),
        // ---- INSEE IRIS tables
        custom_case(
            Ingest,
            "demo-edit/insee_population_without_IRIS_column",
            Box::new(|d| d.edit_line(pop, 1, |l| l.replacen("IRIS;", "CODE_IRIS;", 1))),
            &[&pop_file, "line 1", "missing required column `IRIS`", "CODE_IRIS"],
        ),
        custom_case(
            Ingest,
            "demo-edit/insee_population_without_P21_POP65P",
            Box::new(|d| d.edit_line(pop, 1, |l| l.replace("P21_POP65P", "P21_POP65PLUS"))),
            &[&pop_file, "line 1", "missing required column `P21_POP65P`"],
        ),
        cell_case(
            Ingest,
            "arcep_premises_count_of_10_to_the_23",
            "arcep_buildings",
            3,
            &[("imb_nbr_logloc", "1e23")],
            &["field `imb_nbr_logloc`", "from 0 to 10000", "100000000000000000000000"],
        ),
        cell_case(
            Ingest,
            "insee_population_one_nul_byte",
            pop,
            5,
            &[("P21_POP", "12\u{0}34")],
            &["field `P21_POP`", "NUL byte at character 3"],
        ),
        cell_case(
            Run,
            "insee_population_non_numeric",
            pop,
            5,
            &[("P21_POP", "beaucoup")],
            &["field `P21_POP`", "a number", "\"beaucoup\""],
        ),
        cell_case(
            Ingest,
            "insee_diplomas_negative_count",
            "iris_diplomas",
            7,
            &[("P21_NSCOL15P", "-12")],
            &["field `P21_NSCOL15P`", "a count ≥ 0", "\"-12\""],
        ),
        cell_case(
            Ingest,
            "insee_population_pop65_above_pop",
            pop,
            9,
            &[("P21_POP65P", "99999")],
            &["field `P21_POP65P`", "at most P21_POP", "\"99999\""],
        ),
        cell_case(
            Ingest,
            "insee_activity_unemployed_above_labour_force",
            "iris_activity",
            5,
            &[("P21_CHOM1564", "99999")],
            &["field `P21_CHOM1564`", "at most P21_ACT1564", "\"99999\""],
        ),
        cell_case(
            Ingest,
            "insee_households_negative_one_person_count",
            "iris_households",
            6,
            &[("C21_MENPSEUL", "-3")],
            &["field `C21_MENPSEUL`", "a count ≥ 0", "\"-3\""],
        ),
        custom_case(
            Ingest,
            "demo-edit/dataset_toml_activity_without_the_census",
            Box::new(|d| {
                let text = std::fs::read_to_string(d.toml_path()).unwrap();
                let kept: Vec<&str> = text
                    .lines()
                    .filter(|l| {
                        !["iris_population", "iris_diplomas", "iris_filosofi"]
                            .iter()
                            .any(|k| l.starts_with(k))
                    })
                    .collect();
                std::fs::write(d.toml_path(), kept.join("\n") + "\n").unwrap();
            }),
            &["dataset.toml", "iris_activity and iris_households complete the census"],
        ),
        cell_case(
            Ingest,
            "insee_filosofi_poverty_rate_130",
            "iris_filosofi",
            4,
            &[("DISP_TP6021", "130,0")],
            &["field `DISP_TP6021`", "between 0 and 100", "\"130\""],
        ),
        custom_case(
            Ingest,
            "demo-edit/insee_population_duplicate_IRIS_row",
            Box::new(|d| d.set_cells(pop, 3, &[("IRIS", "990010101")])),
            &[&pop_file, "line 3", "field `IRIS`", "one row per IRIS", "duplicate 990010101"],
        ),
        custom_case(
            Ingest,
            "demo-edit/insee_population_ragged_row",
            Box::new(|d| d.edit_line(pop, 6, |l| l[..l.rfind(';').unwrap()].to_string())),
            &[&pop_file, "line 6", "expected 23 fields as in the header (line 1), found 22"],
        ),
        custom_case(
            Ingest,
            "demo-edit/insee_population_unclosed_quote",
            Box::new(|d| d.edit_line(pop, 4, |l| l.replacen(";Démoville;", ";\"Démoville;", 1))),
            &[&pop_file, "line 4", "quoted field opened here is never closed"],
        ),
        fixture_case(
            Ingest,
            pop,
            "insee_population_utf16le_with_bom.csv",
            &["whole file", "UTF-16 little-endian", "UTF-8"],
        ),
        fixture_case(Ingest, pop, "insee_population_empty.csv", &["whole file", "the file is empty"]),
        fixture_case(Ingest, pop, "insee_population_header_only.csv", &["line 1", "no data rows"]),
        // ---- ARCEP
        cell_case(
            Ingest,
            "arcep_eligibility_unknown_code_techno",
            "arcep_eligibility",
            3,
            &[("code_techno", "FIBRE")],
            &["field `code_techno`", "one of CU, COAX, FO", "\"FIBRE\""],
        ),
        cell_case(
            Ingest,
            "arcep_eligibility_unknown_rate_class",
            "arcep_eligibility",
            3,
            &[("classe_debit_descendant", "THD10G")],
            &["field `classe_debit_descendant`", "one of INEL", "\"THD10G\""],
        ),
        cell_case(
            Ingest,
            "arcep_eligibility_building_not_in_buildings",
            "arcep_eligibility",
            4,
            &[("imb_id", "IMB/99001/X/9999")],
            &["field `imb_id`", "a building listed in the buildings file", "\"IMB/99001/X/9999\""],
        ),
        cell_case(
            Run,
            "arcep_buildings_non_integer_imb_nbr_logloc",
            "arcep_buildings",
            5,
            &[("imb_nbr_logloc", "12.5")],
            &["field `imb_nbr_logloc`", "whole number", "\"12.5\""],
        ),
        cell_case(
            Run,
            "arcep_buildings_non_numeric_imb_nbr_logloc",
            "arcep_buildings",
            5,
            &[("imb_nbr_logloc", "beaucoup")],
            &["imb_nbr_logloc", "\"beaucoup\""],
        ),
        cell_case(
            Ingest,
            "arcep_buildings_duplicate_imb_id",
            "arcep_buildings",
            3,
            &[("imb_id", "IMB/99001/X/0100")],
            &["field `imb_id`", "unique", "duplicate IMB/99001/X/0100"],
        ),
        cell_case(
            Ingest,
            "arcep_buildings_degrees_instead_of_web_mercator",
            "arcep_buildings",
            6,
            &[("imb_longitude", "3.2255"), ("imb_latitude", "46.5741")],
            &["field `imb_longitude/imb_latitude`", "EPSG:3857", "(3.2255, 46.5741)", "look like degrees"],
        ),
        custom_case(
            Ingest,
            "demo-edit/arcep_buildings_without_coordinates_columns",
            Box::new(|d| d.edit_line("arcep_buildings", 1, |l| l.replace("imb_latitude", "lat"))),
            &[
                &demo_file_name("arcep_buildings"),
                "line 1",
                "imb_longitude and imb_latitude (or imb_x and imb_y)",
            ],
        ),
        // ---- places
        custom_case(
            Ingest,
            "demo-edit/places_without_adresse_column",
            Box::new(|d| d.edit_line("places", 1, |l| l.replace("\"adresse\"", "\"adresse_postale\""))),
            &[&demo_file_name("places"), "line 1", "missing required column `adresse`"],
        ),
        cell_case(
            Ingest,
            "places_bad_date_maj",
            "places",
            3,
            &[("date_maj", "12/06/2026")],
            &["field `date_maj`", "YYYY-MM-DD", "\"12/06/2026\""],
        ),
        cell_case(
            Ingest,
            "places_only_latitude",
            "places",
            4,
            &[("longitude", "")],
            &["field `latitude/longitude`", "both coordinates or neither", "without longitude"],
        ),
        // ---- attendance
        cell_case(
            Run,
            "attendance_bad_date",
            "attendance",
            5,
            &[("date", "2025-13-01")],
            &["field `date`", "YYYY-MM-DD", "\"2025-13-01\""],
        ),
        cell_case(
            Ingest,
            "attendance_unknown_type",
            "attendance",
            6,
            &[("type", "atelier")],
            &["field `type`", "parcours_initiation", "\"atelier\""],
        ),
        cell_case(
            Ingest,
            "attendance_duree_2000_minutes",
            "attendance",
            7,
            &[("duree", "2000")],
            &["field `duree`", "between 0 and 1440", "\"2000\""],
        ),
        cell_case(
            Ingest,
            "attendance_tranche_age_not_in_enum",
            "attendance",
            8,
            &[("tranche_age", "25-40")],
            &["field `tranche_age`", "18-24", "\"25-40\""],
        ),
        cell_case(
            Ingest,
            "attendance_duplicate_record_id",
            "attendance",
            10,
            &[("id", "DEMO-000008")],
            &["field `id`", "unique record id", "duplicate DEMO-000008"],
        ),
        // ---- zip inputs
        custom_case(
            Run,
            "zip/filosofi_zip_member_missing",
            Box::new(|d| {
                let bytes = std::fs::read(d.path("iris_filosofi")).unwrap();
                write_zip(&d.dir.join("insee/filosofi.zip"), &[("BASE_TD_FILO_IRIS_2020_DISP.csv", &bytes)]);
                d.set_file("iris_filosofi", "insee/filosofi.zip");
                d.set_format("iris_filosofi", "zip_member", "BASE_TD_FILO_IRIS_2021_DISP.csv");
            }),
            &[
                "filosofi.zip",
                "whole file",
                "no member \"BASE_TD_FILO_IRIS_2021_DISP.csv\"",
                "BASE_TD_FILO_IRIS_2020_DISP.csv",
            ],
        ),
        custom_case(
            Ingest,
            "zip/filosofi_zip_member_dotdot_evil",
            Box::new(|d| {
                let bytes = std::fs::read(d.path("iris_filosofi")).unwrap();
                write_zip(&d.dir.join("insee/filosofi.zip"), &[("../evil.csv", &bytes)]);
                d.set_file("iris_filosofi", "insee/filosofi.zip");
                d.set_format("iris_filosofi", "zip_member", "../evil.csv");
            }),
            &["filosofi.zip", "whole file", "refusing zip member name \"../evil.csv\"", "`..`"],
        ),
        custom_case(
            Ingest,
            "zip/filosofi_zip_member_with_a_bad_cell",
            Box::new(|d| {
                d.set_cells("iris_filosofi", 4, &[("DISP_MED21", "vingt mille")]);
                let bytes = std::fs::read(d.path("iris_filosofi")).unwrap();
                write_zip(&d.dir.join("insee/filosofi.zip"), &[("BASE_TD_FILO_IRIS_2021_DISP.csv", &bytes)]);
                d.set_file("iris_filosofi", "insee/filosofi.zip");
                d.set_format("iris_filosofi", "zip_member", "BASE_TD_FILO_IRIS_2021_DISP.csv");
            }),
            &[&format!("filosofi.zip/{filo_file}"), "line 4", "field `DISP_MED21`", "\"vingt mille\""],
        ),
        // ---- several files broken at once: every problem is reported in one run
        custom_case(
            Run,
            "demo-edit/two_files_broken_both_reported",
            Box::new(|d| {
                d.set_cells("iris_population", 5, &[("P21_POP", "beaucoup")]);
                d.set_cells("attendance", 6, &[("type", "atelier")]);
            }),
            &[
                "2 problem(s)",
                &format!("{pop_file}: line 5: field `P21_POP`"),
                "attendance_Demoville.csv: line 6: field `type`",
                "\"atelier\"",
            ],
        ),
        // ---- the bounded reader: regular files only, expansion caps
        custom_case(
            Ingest,
            "bounded/places_is_a_fifo",
            Box::new(|d| {
                let fifo = d.dir.join("places/lieux.csv");
                assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
                d.set_file("places", "places/lieux.csv");
            }),
            &["lieux.csv", "FIFO", "not a regular file"],
        ),
        custom_case(
            Ingest,
            // Tables read through the shared reader (the ARCEP files have their own streaming reader,
            // with the same ratio cap: see `ingest::arcep`).
            "bounded/insee_table_gzip_bomb",
            Box::new(|d| {
                let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
                enc.write_all(b"IRIS;DISP_MED21\n").unwrap();
                let zeros = vec![b'0'; 1 << 20];
                for _ in 0..32 {
                    enc.write_all(&zeros).unwrap();
                }
                std::fs::write(d.dir.join("insee/filosofi.csv.gz"), enc.finish().unwrap()).unwrap();
                d.set_file("iris_filosofi", "insee/filosofi.csv.gz");
            }),
            &["filosofi.csv.gz", "whole file", "cap of 200×", "decompression bomb"],
        ),
        // ---- configured paths are confined to the dataset folder and the data folder
        custom_case(
            Ingest,
            "config/files_path_with_dotdot_escapes",
            Box::new(|d| d.set_file("places", "../../../../../../../../etc/passwd")),
            &["dataset.toml", "[files] places", "outside the dataset folder", "FRACTURE_ALLOW_OUTSIDE_PATHS"],
        ),
        custom_case(
            Ingest,
            "config/files_absolute_path",
            Box::new(|d| d.set_file("iris_population", "/etc/hostname")),
            &["dataset.toml", "[files] iris_population", "\"/etc/hostname\" is outside"],
        ),
        custom_case(
            Ingest,
            "config/files_symlink_leaving_the_dataset_folder",
            Box::new(|d| {
                std::os::unix::fs::symlink("/etc/passwd", d.dir.join("places/lieux.csv")).unwrap();
                d.set_file("places", "places/lieux.csv");
            }),
            &["[files] places", "places/lieux.csv", "outside the dataset folder"],
        ),
        custom_case(
            Ingest,
            "config/secrecy_min_count_below_the_rule",
            Box::new(|d| {
                let mut t = d.config();
                t["parameters"].as_table_mut().unwrap().insert("secrecy_min_count".into(), 2.into());
                d.save_config(&t);
            }),
            &[
                "dataset.toml",
                "secrecy_min_count = 2",
                "below the publication threshold of 11",
                "secrecy_override",
            ],
        ),
        // ---- dataset.toml
        custom_case(
            Run,
            "demo-edit/dataset_toml_unknown_key",
            Box::new(|d| {
                let text = std::fs::read_to_string(d.toml_path()).unwrap();
                std::fs::write(
                    d.toml_path(),
                    text.replacen("id = \"demo\"\n", "id = \"demo\"\ncolour = \"blue\"\n", 1),
                )
                .unwrap();
            }),
            &["dataset.toml", "line 4", "unknown field `colour`"],
        ),
        custom_case(
            Ingest,
            "demo-edit/dataset_toml_without_files_table",
            Box::new(|d| {
                let text = std::fs::read_to_string(d.toml_path()).unwrap();
                let start = text.find("[files]").unwrap();
                let end = start + text[start..].find("\n\n").unwrap();
                std::fs::write(d.toml_path(), format!("{}{}", &text[..start], &text[end + 2..])).unwrap();
            }),
            &["dataset.toml", "line 1", "missing field `files`"],
        ),
    ];

    // Attendance cases whose line depends on the demo data: the message must never show the participant.
    let (line, row) = demo_line_where("attendance", "type", |t| t == "parcours_initiation");
    let participant = cell_of(&row, "participant");
    v.push(Case {
        name: "demo-edit/attendance_parcours_initiation_without_cohorte".into(),
        stage: Ingest,
        prepare: Box::new(move |d| d.set_cells("attendance", line, &[("cohorte", "")])),
        expect: vec![
            demo_file_name("attendance"),
            format!("line {line}"),
            "field `cohorte`".into(),
            "parcours_initiation".into(),
        ],
        refuse: vec![participant],
    });
    let (line, row) = demo_line_where("attendance", "residence_lat", |v| !v.is_empty());
    let participant = cell_of(&row, "participant");
    v.push(Case {
        name: "demo-edit/attendance_residence_outside_france".into(),
        stage: Ingest,
        prepare: Box::new(move |d| {
            d.set_cells("attendance", line, &[("residence_lat", "40.7128"), ("residence_lon", "-74.006")])
        }),
        expect: vec![
            demo_file_name("attendance"),
            format!("line {line}"),
            "field `residence_lat/residence_lon`".into(),
            "in France".into(),
            "(40.7128, -74.006)".into(),
        ],
        refuse: vec![participant],
    });
    for c in v.iter_mut().filter(|c| c.name.starts_with("config/files_")) {
        c.refuse.extend(["root:".to_string(), "columns found".to_string()]);
    }
    v
}

/// Runs one case; returns its first stderr line(s) on success, or what went wrong.
fn run_case(case: &Case) -> Result<String, String> {
    let tmp = workdir();
    let input = Input { dir: demo_copy(tmp.path()) };
    (case.prepare)(&input);
    // An empty data folder: `interim/` would land here; the dataset is given by path.
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let reports = tmp.path().join("reports");
    let sub = match case.stage {
        Stage::Ingest => "ingest",
        Stage::Run => "run",
    };
    let out = Command::new(env!("CARGO_BIN_EXE_fracture"))
        .args([sub, "--data-dir"])
        .arg(&data)
        .arg("--dataset")
        .arg(input.toml_path())
        .arg("--reports-dir")
        .arg(&reports)
        .output()
        .map_err(|e| format!("cannot start fracture: {e}"))?;
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let mut problems = Vec::new();
    if out.status.code() != Some(3) {
        problems.push(format!("exit code {:?}, expected 3", out.status.code()));
    }
    if err.contains("panicked") {
        problems.push("panicked".into());
    }
    for e in &case.expect {
        if !err.contains(e.as_str()) {
            problems.push(format!("message lacks {e:?}"));
        }
    }
    for r in &case.refuse {
        if err.contains(r.as_str()) {
            problems.push(format!("message contains {r:?}"));
        }
    }
    let interim = data.join("interim");
    if interim.exists() && !files_under(&interim).is_empty() {
        problems.push(format!("interim outputs written: {:?}", files_under(&interim)));
    }
    if reports.exists() && std::fs::read_dir(&reports).unwrap().next().is_some() {
        problems.push(format!("report folder left: {:?}", files_under(&reports)));
    }
    if files_under(tmp.path()).iter().any(|p| p.ends_with("evil.csv")) {
        problems.push("a zip member was extracted outside the archive".into());
    }
    if problems.is_empty() { Ok(err) } else { Err(format!("{}\n--- stderr:\n{err}", problems.join("; "))) }
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.push(p.clone());
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// The control: the unbroken copy is accepted, and `ingest` writes its tables under the temp data folder, so
/// that "nothing under interim/" in the cases above means something.
#[test]
fn the_unbroken_copy_is_accepted_and_ingest_writes_interim_under_the_temp_data_dir() {
    let tmp = workdir();
    let input = demo_copy(tmp.path());
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_fracture"))
        .args(["ingest", "--data-dir"])
        .arg(&data)
        .arg("--dataset")
        .arg(input.join("dataset.toml"))
        .arg("--reports-dir")
        .arg(tmp.path().join("reports"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let written = files_under(&data.join("interim"));
    assert!(written.iter().any(|p| p.extension().is_some_and(|e| e == "parquet")), "{written:?}");
}

#[test]
fn every_bad_input_is_rejected_with_file_location_field_and_nothing_left_behind() {
    let cases = cases();
    assert!(cases.len() >= 35, "only {} cases", cases.len());
    let mut names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), cases.len(), "case names must be unique");

    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Result<String, String>)>> = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(2, 4);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(case) = cases.get(i) else { break };
                    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_case(case)))
                        .unwrap_or_else(|_| Err("the test's own preparation panicked".into()));
                    results.lock().unwrap().push((i, r));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, _)| *i);
    let mut failures = Vec::new();
    for (i, r) in &results {
        let case = &cases[*i];
        match r {
            Ok(err) => {
                let first = err.lines().find(|l| l.starts_with("error:")).unwrap_or("");
                eprintln!("ok   {:<9} {:<62} {first}", format!("{:?}", case.stage), case.name);
            }
            Err(why) => {
                eprintln!("FAIL {:<9} {}", format!("{:?}", case.stage), case.name);
                failures.push(format!("{}: {why}", case.name));
            }
        }
    }
    assert_eq!(results.len(), cases.len());
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// Allowed explicitly, a file outside the folders is read, but an error about it never quotes its content
/// (here, the first line of a file that is not a places table), and names its `[files]` key.
#[test]
fn an_outside_file_allowed_explicitly_is_read_without_echoing_its_content() {
    let tmp = workdir();
    let input = Input { dir: demo_copy(tmp.path()) };
    let secret = tmp.path().join("secret.txt");
    std::fs::write(&secret, "top-secret-first-line;with;fields\nline;two;x\n").unwrap();
    input.set_file("places", secret.to_str().unwrap());
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let run = |env: bool, flag: bool| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_fracture"));
        c.args(["ingest", "--data-dir"]).arg(&data).arg("--dataset").arg(input.toml_path());
        if flag {
            c.arg("--allow-outside-paths");
        }
        if env {
            c.env("FRACTURE_ALLOW_OUTSIDE_PATHS", "1");
        } else {
            c.env_remove("FRACTURE_ALLOW_OUTSIDE_PATHS");
        }
        let out = c.output().unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (code, err) = run(false, false);
    assert_eq!(code, Some(3), "{err}");
    assert!(err.contains("[files] places") && err.contains("outside the dataset folder"), "{err}");
    assert!(err.contains("--allow-outside-paths"), "the refusal names the flag: {err}");
    for (env, flag) in [(true, false), (false, true)] {
        let (code, err) = run(env, flag);
        assert_eq!(code, Some(3), "{err}");
        assert!(err.contains("[files] places") && err.contains("secret.txt"), "{err}");
        assert!(!err.contains("top-secret") && !err.contains("with;fields"), "content echoed:\n{err}");
        let by = if flag { "--allow-outside-paths" } else { "FRACTURE_ALLOW_OUTSIDE_PATHS" };
        assert!(err.contains(&format!("OUTSIDE PATHS ALLOWED by {by}")), "no loud warning:\n{err}");
    }
}

/// `--allow-outside-paths` and a secrecy override are said on the run and recorded in the manifest, with
/// the threshold in force and the reason (a run that follows the rules has neither key: the demo's).
#[test]
fn the_manifest_records_outside_paths_and_the_secrecy_override() {
    let tmp = workdir();
    let input = Input { dir: demo_copy(tmp.path()) };
    let outside = tmp.path().join("elsewhere").join(demo_file_name("places"));
    std::fs::create_dir_all(outside.parent().unwrap()).unwrap();
    std::fs::copy(input.path("places"), &outside).unwrap();
    input.set_file("places", outside.to_str().unwrap());
    let mut t = input.config();
    let p = t["parameters"].as_table_mut().unwrap();
    p.insert("secrecy_min_count".into(), 5.into());
    p.insert("secrecy_override".into(), "convention n° 7 with the partner".into());
    input.save_config(&t);
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let reports = tmp.path().join("reports");
    let out = Command::new(env!("CARGO_BIN_EXE_fracture"))
        .args(["run", "--allow-outside-paths", "--data-dir"])
        .arg(&data)
        .arg("--dataset")
        .arg(input.toml_path())
        .arg("--reports-dir")
        .arg(&reports)
        .env_remove("FRACTURE_ALLOW_OUTSIDE_PATHS")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("OUTSIDE PATHS ALLOWED by --allow-outside-paths"), "{err}");
    assert!(err.contains("places = ") && err.contains("SECRECY OVERRIDE"), "{err}");
    let period = crate::support::only_subdir(&reports.join("demo"));
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(period.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["outside_paths"]["allowed_by"], "--allow-outside-paths", "{m:#}");
    assert_eq!(m["outside_paths"]["files"][0]["role"], "places");
    assert_eq!(m["outside_paths"]["files"][0]["path"], outside.to_str().unwrap());
    assert_eq!(m["parameters"]["secrecy_min_count"], 5);
    let o = &m["parameters"]["secrecy_override"];
    assert_eq!(o["reason"], "convention n° 7 with the partner");
    assert_eq!((o["rule"].as_u64(), o["secrecy_min_count_in_force"].as_u64()), (Some(11), Some(5)));
    let warnings = m["warnings"].as_array().unwrap();
    assert!(warnings.iter().any(|w| w.as_str().unwrap().contains("OUTSIDE PATHS ALLOWED")), "{warnings:?}");
    // The committed demo report follows the rules: neither key.
    let demo = std::fs::read_to_string(project_root().join("reports/demo/2026-Q3/manifest.json")).unwrap();
    assert!(!demo.contains("outside_paths") && !demo.contains("secrecy_override"));
}

/// A secrecy threshold below 11 with its reason runs, and says so loudly.
#[test]
fn a_secrecy_override_with_its_reason_is_accepted_and_reported() {
    let tmp = workdir();
    let input = Input { dir: demo_copy(tmp.path()) };
    let mut t = input.config();
    let p = t["parameters"].as_table_mut().unwrap();
    p.insert("secrecy_min_count".into(), 5.into());
    p.insert("secrecy_override".into(), "convention CNIL n° 42 with the partner".into());
    input.save_config(&t);
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_fracture"))
        .args(["ingest", "--data-dir"])
        .arg(&data)
        .arg("--dataset")
        .arg(input.toml_path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("SECRECY OVERRIDE") && err.contains("convention CNIL n° 42"), "{err}");
}

/// `--quarter` naming a quarter without data is an input rejected (exit 3), said once.
#[test]
fn a_quarter_without_data_exits_3_with_one_prefix() {
    let tmp = workdir();
    let input = Input { dir: demo_copy(tmp.path()) };
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_fracture"))
        .args(["indicators", "--quarter", "2099-Q1", "--data-dir"])
        .arg(&data)
        .arg("--dataset")
        .arg(input.toml_path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("2099-Q1") && err.contains("quarters present"), "{err}");
    assert_eq!(err.matches("indicators:").count(), 1, "{err}");
}

/// A record dated in the future is set aside with a warning, and never becomes the default quarter.
#[test]
fn an_attendance_record_from_the_future_is_set_aside_and_never_the_default_quarter() {
    let tmp = workdir();
    let input = Input { dir: demo_copy(tmp.path()) };
    input.set_cells("attendance", 5, &[("date", "2099-01-15")]);
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_fracture"))
        .args(["indicators", "--data-dir"])
        .arg(&data)
        .arg("--dataset")
        .arg(input.toml_path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("1 record(s) dated after") && err.contains("line 5 (2099-01-15)"), "{err}");
    let periods: Vec<String> = std::fs::read_dir(data.join("interim/demo"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!periods.iter().any(|p| p.starts_with("2099")), "{periods:?}");
}
