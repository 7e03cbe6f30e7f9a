//! The real second example: the whole pipeline on the Occitanie extract (105 real QPV of the 2015 list
//! with their INSEE indicators), read from `FRACTURE_REAL_DATA` (never copied into the repository).

use std::process::Command;

use polars::prelude::*;

use crate::support::{project_root, real_data_dir, workdir};

#[test]
fn occitanie_qpv2015_runs_end_to_end_on_the_real_extract() {
    let Some(real) = real_data_dir() else { return };
    let tmp = workdir();
    let out = Command::new(env!("CARGO_BIN_EXE_fracture"))
        .args(["run", "--dataset", "occitanie-qpv2015", "--data-dir"])
        .arg(project_root().join("data"))
        .arg("--input-dir")
        .arg(&real)
        .arg("--reports-dir")
        .arg(tmp.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("SYNTHETIC"), "real data must not be labelled synthetic");
    let report = tmp.path().join("occitanie-qpv2015/hackaviz2021");
    for f in [
        "index.html",
        "manifest.json",
        "datasets/qpv_indicators.geojson",
        "maps/poverty_rate.png",
        "maps/poverty_rate.svg",
        "maps/employment_rate.png",
        "maps/median_income.svg",
    ] {
        assert!(report.join(f).is_file(), "missing {f}");
    }

    let table = CsvReadOptions::default()
        .with_infer_schema_length(Some(0))
        .try_into_reader_with_file_path(Some(report.join("tables/indicators.csv")))
        .unwrap()
        .finish()
        .unwrap();
    assert_eq!(table.height(), 105);
    let codes = table.column("code_qp").unwrap().str().unwrap().clone();
    assert!(codes.iter().all(|c| c.is_some_and(|c| c.starts_with("QP") && c.len() == 8)));
    // Indicators the extract cannot support are absent, not invented.
    for absent in ["share_thd30", "participants", "share_65p", "fragility_index"] {
        assert!(table.column(absent).is_err(), "{absent} must be absent");
    }

    // Values come straight from the INSEE table: compare with the raw file, read here by hand.
    let raw = std::fs::read_to_string(real.join("hackaviz2021_qpv2015_occitanie_indicateurs.csv")).unwrap();
    let mut lines = raw.trim_start_matches('\u{feff}').lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let k_code = header.iter().position(|h| *h == "code_qp").unwrap();
    let k_tp60 = header.iter().position(|h| *h == "tp60").unwrap();
    let k_empl = header.iter().position(|h| *h == "tx_tot_empl").unwrap();
    let mut checked = 0;
    let mut empty = 0;
    for line in lines.filter(|l| !l.contains('"')) {
        let cells: Vec<&str> = line.split(',').collect();
        let i = codes.iter().position(|c| c == Some(cells[k_code])).unwrap();
        let got = |col: &str| table.column(col).unwrap().str().unwrap().get(i).map(str::to_string);
        for (k, col) in [(k_tp60, "poverty_rate"), (k_empl, "employment_rate")] {
            match cells[k] {
                "" => {
                    assert_eq!(got(col), None, "{}: an empty INSEE cell stays empty", cells[k_code]);
                    empty += 1;
                }
                v => assert_eq!(got(col).unwrap().parse::<f64>().unwrap(), v.parse::<f64>().unwrap()),
            }
            checked += 1;
        }
    }
    assert!(checked > 150, "{checked}");
    eprintln!(
        "occitanie: {checked} values checked against the raw file, {empty} secrecy-empty cells kept empty"
    );

    let notes = std::fs::read_to_string(report.join("index.html")).unwrap();
    assert!(notes.contains("ARCEP"), "the report says why connectivity is absent");
}
