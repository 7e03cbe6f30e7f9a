//! `fracture ingest` through the binary, on a copy of the demo: the one-page summary per file, the rejects
//! file in the interim folder (never a personal field in clear), exit codes 0 and 3.

use std::path::{Path, PathBuf};

use crate::support::{demo_copy, fracture, workdir};

/// Runs `fracture ingest` on the dataset folder `input` with `data` as the data folder: (exit code,
/// stdout, stderr).
fn ingest(input: &Path, data: &Path, lang: &str) -> (Option<i32>, String, String) {
    let out = fracture()
        .args(["ingest", "--lang", lang, "--data-dir"])
        .arg(data)
        .arg("--dataset")
        .arg(input.join("dataset.toml"))
        .output()
        .unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

/// Replaces line `line` (1-based) of `path` with `f(line)`.
fn edit_line(path: &Path, line: usize, f: impl Fn(&str) -> String) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    let new = f(&lines[line - 1]);
    assert_ne!(new, lines[line - 1], "the edit changed nothing");
    lines[line - 1] = new;
    std::fs::write(path, lines.join("\n")).unwrap();
}

fn attendance(input: &Path) -> PathBuf {
    input.join("attendance/attendance_Demoville.csv")
}

/// The cells of line `line` of the attendance file (the demo's cells hold no comma or quote).
fn cells(input: &Path, line: usize) -> Vec<String> {
    let text = std::fs::read_to_string(attendance(input)).unwrap();
    text.lines().nth(line - 1).unwrap().split(',').map(str::to_string).collect()
}

#[test]
fn ingest_summarises_every_file_and_lists_set_aside_rows_without_personal_fields() {
    let tmp = workdir();
    let input = demo_copy(tmp.path());
    let data = tmp.path().join("data");
    // Two records from the future (column 2 is `date`) and a commune code given as a JSON number.
    let future = [7, 12];
    for line in future {
        edit_line(&attendance(&input), line, |l| {
            let mut c: Vec<&str> = l.split(',').collect();
            c[1] = "2099-01-15";
            c.join(",")
        });
    }
    let qpv = input.join("qpv/QP2024_Demoville_WGS84.geojson");
    edit_line(&qpv, 2, |l| l.replacen("\"insee_com\":\"99001\"", "\"insee_com\":99001", 1));

    let (code, out, err) = ingest(&input, &data, "en");
    assert_eq!(code, Some(0), "{out}\n{err}");
    for needle in [
        "Ingest of dataset demo [SYNTHETIC DEMO DATA]: 12 file(s)",
        "- [files] qpv_previous = qpv/QP2015_Demoville_WGS84.geojson",
        "- [files] iris_activity = insee/base-ic-activite-residents-2021.csv",
        "- [files] iris_households = insee/base-ic-couples-familles-menages-2021.csv",
        "- [files] qpv = qpv/QP2024_Demoville_WGS84.geojson",
        "accepted: 11 feature(s)",
        "corrected (kept): 1 (1 code(s) given as JSON numbers, restored)",
        "- [files] attendance = attendance/attendance_Demoville.csv",
        "set aside: 2 (2 dated after the horizon",
        "accepted: 3,439 building(s) with eligibility rows",
        "rejected: 0 problem(s)",
        "rows set aside or corrected: 3, listed in",
    ] {
        assert!(out.contains(needle), "{needle:?} missing from the summary:\n{out}");
    }
    assert!(out.contains("accepted: 3,548 row(s)"), "3,550 records less the 2 set aside:\n{out}");

    let rejects = data.join("interim/demo/rejects.csv");
    let text = std::fs::read_to_string(&rejects).unwrap();
    assert_eq!(
        text,
        "file,location,field,reason,value\n\
         qpv/QP2024_Demoville_WGS84.geojson,feature 0,insee_com,code_restored,99001 -> 99001\n\
         attendance/attendance_Demoville.csv,line 7,date,future_date,2099-01-15\n\
         attendance/attendance_Demoville.csv,line 12,date,future_date,2099-01-15\n"
    );
    // No personal field of the set-aside records in clear: record id, participant reference, age band,
    // residence IRIS and coordinates (columns 1, 9, 10, 11, 12, 13).
    for line in future {
        let c = cells(&input, line);
        for k in [0, 8, 9, 10, 11, 12] {
            let v = &c[k];
            if !v.is_empty() {
                assert!(
                    !text.contains(v.as_str()),
                    "column {} of line {line} ({v:?}) in the rejects file",
                    k + 1
                );
            }
        }
    }
    // Written atomically: no temporary file left beside it.
    let left: Vec<_> = std::fs::read_dir(data.join("interim/demo"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(left.is_empty(), "{left:?}");

    // The same summary in French.
    let (code, out, _) = ingest(&input, &data, "fr");
    assert_eq!(code, Some(0));
    assert!(out.contains("écartées : 2 (2 datée(s) après l'horizon"), "{out}");
    assert!(out.contains("Lecture du jeu de données demo"), "{out}");
}

#[test]
fn ingest_of_a_bad_file_exits_3_summarising_what_was_read_and_writes_nothing() {
    let tmp = workdir();
    let input = demo_copy(tmp.path());
    let data = tmp.path().join("data");
    // `duree` (column 8) not a number on line 4.
    edit_line(&attendance(&input), 4, |l| {
        let mut c: Vec<&str> = l.split(',').collect();
        c[7] = "beaucoup";
        c.join(",")
    });
    let (code, out, err) = ingest(&input, &data, "en");
    assert_eq!(code, Some(3), "{out}\n{err}");
    assert!(
        err.contains("attendance_Demoville.csv") && err.contains("line 4") && err.contains("duree"),
        "{err}"
    );
    assert!(out.contains("accepted: 11 feature(s)"), "the files read are summarised:\n{out}");
    let block = out.split("- [files] attendance").nth(1).unwrap_or_default();
    assert!(block.contains("rejected: 1 problem(s)"), "{out}");
    assert!(out.contains("Input rejected: nothing written"), "{out}");
    assert!(!data.join("interim").exists(), "nothing written when a file is rejected");
}
