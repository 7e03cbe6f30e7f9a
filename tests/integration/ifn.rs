//! `fracture ifn`: the original IFN method against the published scores of the 16 Arras IRIS (read from
//! `FRACTURE_REAL_DATA`, never copied into the repository), thresholds computed from the rows, and bad
//! input (exit code 3, nothing written, the message naming file, line and column).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use fracture::indicators::ifn::{Values, compute};
use fracture::ingest::read::{RawTable, ReadOptions, read_table};

use crate::support::{read_csv, real_data_dir, workdir};

const ARRAS: &str = "design4green2020_ifn_iris_arras.csv";
/// Largest accepted difference with a published score, in points (issue 8).
const TOLERANCE: f64 = 0.01;

fn fracture(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fracture")).args(args).output().expect("run fracture")
}

fn ifn(input: &Path, id: &str, thresholds: Option<&Path>, out: &Path) -> Output {
    let mut args =
        vec!["ifn", "--input", input.to_str().unwrap(), "--id", id, "--out", out.to_str().unwrap()];
    if let Some(t) = thresholds {
        args.extend(["--thresholds", t.to_str().unwrap()]);
    }
    fracture(&args)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Our input columns ← the Arras file's raw columns (shares already fractions 0–1 there).
const INPUTS: [(&str, &str); 11] = [
    ("couv_hd_thd", "Taux de couverture HD / THD (DSL, câble, FttH)"),
    ("couv_mobile_2g", "Taux de couverture mobile (2G)"),
    ("tx_pauvrete", "Taux de pauvreté"),
    // the published scores use the commune's median for every IRIS (see the module header of ifn)
    ("revenu_median", "Revenus médian disponible (si communale)"),
    ("part_familles_monoparentales", "Part des familles monoparentales"),
    ("part_menages_1p", "Part des ménages d'une personne"),
    ("services_publics_par_hab", "Services publics / individu"),
    ("part_chomeurs_15_64", "Part des chômeurs (15 – 64 ans)"),
    ("part_15_29", "Part des personnes âgées de 15 – 29 ans"),
    ("part_65p", "Part des personnes âgées de 65 ans / +"),
    ("part_peu_diplomes", "Part des non ou peu diplômés dans la population non scolarisée de 15 ans ou plus"),
];

/// Our input column ← the stem of the "SEUILS <stem> <ref>" columns (the variables Arras has).
const SEUILS: [(&str, &str); 6] = [
    ("revenu_median", "revenue median"),
    ("part_familles_monoparentales", "Part des familles"),
    ("part_menages_1p", "Part des ménages"),
    ("part_15_29", "Part des personnes âgées de 15 – 29 ans"),
    ("part_65p", "Part des personnes âgées de 65"),
    ("part_peu_diplomes", "Part des non ou peu diplômés"),
];

/// Our output column ← the stem of the published "<stem> <ref> 1" column (the mean).
const OUTPUTS: [(&str, &str); 7] = [
    ("ifn_acces_interfaces", "ACCÈS AUX INTERFACES NUMERIQUES"),
    ("ifn_acces_information", "ACCES A L'INFORMATION"),
    ("ifn_competences_administratives", "COMPETENCES ADMINISTATIVES"),
    ("ifn_competences_numeriques", "COMPÉTENCES NUMÉRIQUES / SCOLAIRES"),
    ("ifn_global_acces", "GLOBAL ACCES"),
    ("ifn_global_competences", "GLOBAL COMPETENCES"),
    ("ifn_score", "SCORE GLOBAL"),
];

/// The Arras file, with its (irregularly spaced) column names reachable by their normalised form.
struct Arras {
    t: RawTable,
    names: BTreeMap<String, String>,
}

impl Arras {
    fn read(dir: &Path) -> Arras {
        let t = read_table(&dir.join(ARRAS), &ReadOptions::default()).unwrap();
        let names = t.columns().into_iter().map(|c| (normalise(&c), c)).collect();
        Arras { t, names }
    }

    fn column(&self, name: &str) -> &str {
        self.names.get(&normalise(name)).unwrap_or_else(|| panic!("no column {name:?} in {ARRAS}"))
    }

    fn text(&self, name: &str) -> Vec<Option<String>> {
        self.t.strings(self.column(name)).unwrap()
    }

    fn nums(&self, name: &str) -> Vec<Option<f64>> {
        let mut errors = Vec::new();
        let v = self.t.f64s(self.column(name), &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        v
    }

    fn ids(&self) -> Vec<String> {
        self.text("Code Iris").into_iter().map(Option::unwrap).collect()
    }
}

fn normalise(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Writes the input table as the Arras file writes numbers (`;`, decimal comma), empty cells kept.
fn write_input(a: &Arras, path: &Path) {
    let ids = a.ids();
    let cols: Vec<Vec<Option<String>>> = INPUTS.iter().map(|(_, src)| a.text(src)).collect();
    let mut s = format!("Code Iris;{}\n", INPUTS.map(|(n, _)| n).join(";"));
    for (i, id) in ids.iter().enumerate() {
        s.push_str(id);
        for c in &cols {
            s.push(';');
            s.push_str(c[i].as_deref().unwrap_or(""));
        }
        s.push('\n');
    }
    std::fs::write(path, s).unwrap();
}

/// The reference territory's thresholds (constant over the rows), as a one-row CSV with `,` and `.`.
fn write_thresholds(a: &Arras, reference: &str, path: &Path) {
    let mut values = Vec::new();
    for (_, stem) in SEUILS {
        let v = a.nums(&format!("SEUILS {stem} {reference}"));
        assert!(v.iter().all(|x| *x == v[0] && x.is_some()), "SEUILS {stem} {reference} varies: {v:?}");
        values.push(format!("{}", v[0].unwrap()));
    }
    std::fs::write(path, format!("{}\n{}\n", SEUILS.map(|(n, _)| n).join(","), values.join(","))).unwrap();
}

/// The output CSV: id → column → value (empty cells absent).
fn read_output(path: &Path) -> BTreeMap<String, BTreeMap<String, f64>> {
    let df = read_csv(path);
    let names: Vec<String> = df.get_column_names().iter().map(|s| s.to_string()).collect();
    let ids: Vec<String> =
        df.column(&names[0]).unwrap().str().unwrap().iter().map(|s| s.unwrap().into()).collect();
    let mut out: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
    for n in &names[1..] {
        for (i, v) in df.column(n).unwrap().str().unwrap().iter().enumerate() {
            if let Some(v) = v {
                out.entry(ids[i].clone()).or_default().insert(n.clone(), v.parse().unwrap());
            }
        }
    }
    out
}

#[test]
fn reproduces_the_published_scores_of_the_16_arras_iris() {
    let Some(dir) = real_data_dir() else { return };
    let a = Arras::read(&dir);
    let w = workdir();
    let input = w.path().join("arras_input.csv");
    write_input(&a, &input);
    // the variables Arras lacks are empty columns: they must be left out, not taken as zero
    for (name, src) in INPUTS.iter().filter(|(n, _)| !SEUILS.iter().any(|(s, _)| s == n)) {
        assert!(a.text(src).iter().all(Option::is_none), "{name} ({src}) is no longer empty in {ARRAS}");
    }
    let ids = a.ids();
    let mut worst = 0.0f64;
    // score columns spell the EPCI in lower case, SEUILS/CM columns in capitals
    for (reference, seuils) in [("departement", "departement"), ("epci", "EPCI"), ("region", "region")] {
        let thresholds = w.path().join(format!("seuils_{reference}.csv"));
        write_thresholds(&a, seuils, &thresholds);
        let out = w.path().join(format!("ifn_{reference}.csv"));
        let o = ifn(&input, "Code Iris", Some(&thresholds), &out);
        assert!(o.status.success(), "{}", stderr(&o));
        let got = read_output(&out);
        assert_eq!(got.len(), 16);
        eprintln!("IFN Arras, reference {reference}: largest |fracture − published| over the 16 IRIS:");
        for (ours, stem) in OUTPUTS {
            let published = a.nums(&format!("{stem} {reference} 1"));
            let mut max = 0.0f64;
            for (id, p) in ids.iter().zip(&published) {
                let p = p.unwrap_or_else(|| panic!("{stem} {reference} 1 empty for {id}"));
                let g = got[id].get(ours).unwrap_or_else(|| panic!("{ours} empty for {id}"));
                max = max.max((g - p).abs());
            }
            eprintln!("  {ours:<32} {max:.3e} points");
            worst = worst.max(max);
            assert!(max <= TOLERANCE, "{ours} vs {stem} {reference} 1: {max} > {TOLERANCE}");
        }
        if reference == "region" {
            // the "*" columns are the means truncated to integers (filled for the région only)
            for (ours, stem) in OUTPUTS {
                let stars = a.nums(&format!("{stem} {reference} *"));
                for (id, s) in ids.iter().zip(&stars) {
                    assert_eq!(got[id][ours].floor(), s.unwrap(), "{ours} of {id} vs {stem} {reference} *");
                }
            }
        }
        // quintiles: 16 rows → 4, 3, 3, 3, 3, ordered like the scores
        let mut by_score: Vec<(f64, f64)> =
            got.values().map(|r| (r["ifn_score"], r["ifn_quintile"])).collect();
        by_score.sort_by(|x, y| x.0.total_cmp(&y.0));
        let q: Vec<f64> = by_score.iter().map(|x| x.1).collect();
        assert_eq!(q, [1., 1., 1., 1., 2., 2., 2., 3., 3., 3., 4., 4., 4., 5., 5., 5.]);
    }
    eprintln!("IFN Arras: largest difference over every output and reference: {worst:.3e} points");

    // Why the commune's median: with each IRIS's own median the published scores are missed by points.
    let iris_median = a.nums("Dec Med15");
    let rows: Vec<Values> = (0..16)
        .map(|i| {
            let n = |c: &str| a.nums(c)[i];
            Values {
                revenu_median: iris_median[i],
                part_familles_monoparentales: n(INPUTS[4].1),
                part_menages_1p: n(INPUTS[5].1),
                part_15_29: n(INPUTS[8].1),
                part_65p: n(INPUTS[9].1),
                part_peu_diplomes: n(INPUTS[10].1),
                ..Default::default()
            }
        })
        .collect();
    let s = |stem: &str| a.nums(&format!("SEUILS {stem} departement"))[0];
    let t = Values {
        revenu_median: s("revenue median"),
        part_familles_monoparentales: s("Part des familles"),
        part_menages_1p: s("Part des ménages"),
        part_15_29: s("Part des personnes âgées de 15 – 29 ans"),
        part_65p: s("Part des personnes âgées de 65"),
        part_peu_diplomes: s("Part des non ou peu diplômés"),
        ..Default::default()
    };
    let published = a.nums("SCORE GLOBAL departement 1");
    let off = compute(&rows, &t)
        .iter()
        .zip(&published)
        .map(|(x, p)| (x.score.unwrap() - p.unwrap()).abs())
        .fold(0.0, f64::max);
    eprintln!(
        "IFN Arras: with the IRIS median income instead of the commune's, ifn_score is off by up to {off:.2} points"
    );
    assert!(off > 1.0, "the published scores no longer single out the commune median ({off})");
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn thresholds_computed_from_the_rows_are_their_means() {
    let w = workdir();
    // comma and decimal point; QPV codes as ids; the third row lacks the income
    let input = write(
        w.path(),
        "qpv.csv",
        "code_qp,part_65p,part_peu_diplomes,revenu_median,couv_hd_thd\n\
         QN06701M,0.10,0.20,15000,0.9\n\
         QN06702M,0.20,0.30,20000,0.8\n\
         QN06703M,0.30,0.40,,0.7\n",
    );
    let out = w.path().join("out").join("ifn.csv");
    let o = ifn(&input, "code_qp", None, &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with(
        "code_qp,ifn_acces_interfaces,ifn_acces_information,ifn_competences_administratives,\
         ifn_competences_numeriques,ifn_global_acces,ifn_global_competences,ifn_score,ifn_quintile\n"
    ));
    let got = read_output(&out);
    let close = |id: &str, col: &str, want: f64| {
        let g = got[id][col];
        assert!((g - want).abs() < 1e-5, "{id} {col}: {g} vs {want}");
    };
    // thresholds: part_65p 0.2, part_peu_diplomes 0.3, revenu_median 17500, couv_hd_thd 0.8 (non-coverage 0.2)
    close("QN06701M", "ifn_competences_numeriques", (50.0 + 200.0 / 3.0) / 2.0);
    close("QN06701M", "ifn_acces_interfaces", (15000.0 / 17500.0 * 100.0 + 50.0) / 2.0);
    close("QN06702M", "ifn_competences_numeriques", 100.0);
    // income missing: the interfaces axis is the coverage alone (150), not (150 + 0) / 2
    close("QN06703M", "ifn_acces_interfaces", 150.0);
    close("QN06703M", "ifn_score", (150.0 + 400.0 / 3.0 + 150.0) / 3.0);
    close("QN06703M", "ifn_global_acces", 150.0);
    for id in got.keys() {
        assert!(!got[id].contains_key("ifn_acces_information"), "no information variable: empty cell");
        assert!(!got[id].contains_key("ifn_competences_administratives"));
    }
    assert_eq!(
        got.values().map(|r| r["ifn_quintile"]).collect::<Vec<_>>(),
        [1.0, 2.0, 4.0],
        "scores 63.1 / 103.6 / 144.4"
    );
    assert!(stderr(&o).contains("computed from the rows"), "{}", stderr(&o));
}

/// Runs a bad case: exit code 3, no output written, every `needles` in the message.
fn rejected(input_text: &str, thresholds_text: Option<&str>, needles: &[&str]) {
    let w = workdir();
    let input = write(w.path(), "territoires.csv", input_text);
    let thresholds = thresholds_text.map(|t| write(w.path(), "reference.csv", t));
    let out = w.path().join("ifn.csv");
    let o = ifn(&input, "code", thresholds.as_deref(), &out);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(!out.exists(), "nothing is written on bad input");
    for n in needles {
        assert!(err.contains(n), "missing {n:?} in: {err}");
    }
}

#[test]
fn bad_input_is_rejected_naming_file_line_and_column() {
    // unknown column
    rejected(
        "code;part_65p;part_75p\n62041;0,2;0,1\n",
        None,
        &["territoires.csv", "line 1", "unknown column `part_75p`", "part_peu_diplomes"],
    );
    // non-numeric value
    rejected(
        "code,part_65p\nA,0.2\nB,n.d.\n",
        None,
        &["territoires.csv", "line 3", "`part_65p`", "\"n.d.\""],
    );
    // a share given as a percentage
    rejected(
        "code;part_15_29;revenu_median\nA;0,2;18000\nB;25,4;18000\n",
        None,
        &["territoires.csv", "line 3", "`part_15_29`", "a share between 0 and 1", "\"25,4\""],
    );
    // a negative income
    rejected("code,revenu_median\nA,-5\n", None, &["line 2", "`revenu_median`", "0 or more"]);
    // missing id column
    rejected("iris,part_65p\nA,0.2\n", None, &["territoires.csv", "missing required column `code`"]);
    // empty and duplicated ids
    rejected("code,part_65p\nA,0.2\n,0.3\nA,0.1\n", None, &["line 3", "non-empty id", "line 4", "unique id"]);
    // thresholds: two rows; a variable of the input without a reference value; a share out of range
    rejected(
        "code,part_65p\nA,0.2\n",
        Some("part_65p\n0.2\n0.3\n"),
        &["reference.csv", "exactly one data row", "found 2"],
    );
    rejected(
        "code,part_65p,part_15_29\nA,0.2,0.3\n",
        Some("part_65p\n0.2\n"),
        &["reference.csv", "line 1", "no column `part_15_29`"],
    );
    rejected(
        "code,part_65p\nA,0.2\n",
        Some("code,part_65p\nREF,17.5\n"),
        &["reference.csv", "line 2", "`part_65p`", "a share between 0 and 1"],
    );
}

#[test]
fn help_documents_the_command() {
    let o = fracture(&["ifn", "--help"]);
    assert!(o.status.success());
    let help = String::from_utf8_lossy(&o.stdout);
    for flag in ["--input", "--id", "--thresholds", "--out", "part_peu_diplomes"] {
        assert!(help.contains(flag), "{flag} missing from `fracture ifn --help`:\n{help}");
    }
    // usage errors stay exit code 2
    assert_eq!(fracture(&["ifn", "--input", "x.csv"]).status.code(), Some(2));
}
