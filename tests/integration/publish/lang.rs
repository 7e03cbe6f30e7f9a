//! The report in English (`fracture run --lang en`): every text the locale or the indicator table
//! defines in French is gone from every human-readable output; the French default is unchanged.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use fracture::indicators::table::indicators;
use fracture::locale::{Lang, Locale};

use crate::support::{project_root, workdir};

fn run(reports: &Path, lang: &str) {
    let out = Command::new(env!("CARGO_BIN_EXE_fracture"))
        .args(["run", "--lang", lang, "--data-dir"])
        .arg(project_root().join("data"))
        .arg("--reports-dir")
        .arg(reports)
        .output()
        .expect("run fracture");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// The French texts of the locale and of the indicator table that English never uses: each message's
/// fixed parts between placeholders, each label, unit and description.
fn french_strings() -> BTreeSet<String> {
    let en = Locale::new(Lang::En);
    let english: Vec<&str> = en.all_messages().map(|(_, v)| v).collect();
    let mut out = BTreeSet::new();
    for (_, v) in Locale::new(Lang::Fr).all_messages() {
        for part in v.split(['{', '}']).step_by(2) {
            let part = part.trim_matches(|c: char| c.is_whitespace() || ".,:;()[]«»".contains(c));
            if part.chars().count() >= 4 && !english.iter().any(|e| e.contains(part)) {
                out.insert(part.to_string());
            }
        }
    }
    for d in indicators() {
        for (fr, en) in [(&d.label.fr, &d.label.en), (&d.unit.fr, &d.unit.en)] {
            if fr != en && fr.chars().count() >= 4 {
                out.insert(fr.clone());
            }
        }
        if let Some(first) = d.description.fr.split(['{', '}']).next()
            && first.chars().count() >= 12
        {
            out.insert(first.trim().to_string());
        }
    }
    out
}

fn text_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(text_files(&p));
        } else if matches!(
            p.extension().and_then(|x| x.to_str()),
            Some("html" | "md" | "svg" | "json" | "csv")
        ) {
            out.push(p);
        }
    }
    out.sort();
    out
}

#[test]
fn the_english_report_has_no_french_label_left() {
    let tmp = workdir();
    run(tmp.path(), "en");
    let report = tmp.path().join("demo/en/2026-Q3");
    let french = french_strings();
    assert!(french.len() > 100, "too few French strings to look for: {}", french.len());
    assert!(french.contains("Taux de pauvreté") && french.contains("Notes et limites"));
    let files = text_files(&report);
    assert!(files.len() >= 12, "{files:?}");
    let mut found = Vec::new();
    for f in &files {
        let mut text = std::fs::read_to_string(f).unwrap().replace("&#x27;", "'").replace("&apos;", "'");
        if f.ends_with("manifest.json") {
            // The inputs' file names (`lieux-mediation-numerique_….csv`) are names, not labels.
            let mut m: serde_json::Value = serde_json::from_str(&text).unwrap();
            m["inputs"] = serde_json::Value::Null;
            text = m.to_string();
        }
        for s in &french {
            if text.contains(s.as_str()) {
                found.push(format!("{}: {s:?}", f.strip_prefix(&report).unwrap().display()));
            }
        }
    }
    assert!(found.is_empty(), "French left in the English report:\n{}", found.join("\n"));
    let html = std::fs::read_to_string(report.join("index.html")).unwrap();
    assert!(html.contains(r#"<html lang="en">"#));
    assert!(html.contains("Poverty rate") && html.contains("2026-Q3"), "labels and quarters in English");
    // Names of places stay as they are.
    assert!(html.contains("Les Tilleuls"));
}

#[test]
fn french_stays_the_default_and_both_languages_coexist() {
    let tmp = workdir();
    run(tmp.path(), "fr");
    run(tmp.path(), "en");
    let fr = std::fs::read_to_string(tmp.path().join("demo/2026-Q3/index.html")).unwrap();
    let en = std::fs::read_to_string(tmp.path().join("demo/en/2026-Q3/index.html")).unwrap();
    assert!(fr.contains(r#"<html lang="fr">"#) && fr.contains("Taux de pauvreté"));
    assert!(en.contains("Poverty rate"));
    // The machine-readable table keeps its column names and codes in every language.
    let header = |lang: &str| {
        let p = tmp.path().join(format!("demo/{lang}2026-Q3/tables/indicators.csv"));
        std::fs::read_to_string(p).unwrap().lines().next().unwrap().to_string()
    };
    assert_eq!(header(""), header("en/"));
}
