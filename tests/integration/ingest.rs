//! Stage `ingest`: the readers on the variants real files come in, then the real extracts
//! (`FRACTURE_REAL_DATA`). Small handwritten fixtures in `tests/fixtures/formats/`: QPV 2024 / 2015 /
//! shapefile-style properties, a Lambert-93 `crs`, INSEE P19 vintage with the older `DIPL0` name, Latin-1
//! decimal-comma Filosofi with secrecy tokens, leading-zero and Corsican codes, BOM, ARCEP `imb_x`/`imb_y`
//! gzip files, places with `|` multi-values, attendance residences and pseudonyms; and, through the binary,
//! the pseudonymisation key a real dataset with attendance needs.
//!
//! - `table`: the one tabular reader (`ingest::table`): encodings, separators, zip members, xlsx sheets.

mod command;
mod qpv_parts;
mod repair;
mod table;

use std::path::PathBuf;

use fracture::crs::{LAMBERT93_BOUNDS, Reprojector};
use fracture::ingest::arcep::read_arcep;
use fracture::ingest::attendance::read_attendance;
use fracture::ingest::census::{CensusPaths, read_census};
use fracture::ingest::places::read_places;
use fracture::ingest::pseudonym::Pseudonymiser;
use fracture::ingest::qpv_table::read_qpv_indicators;
use fracture::ingest::read::ReadOptions;
use fracture::ingest::zones::{QpvList, read_qpv};
use polars::prelude::*;

use crate::support;

fn fixture(name: &str) -> PathBuf {
    support::project_root().join("tests/fixtures/formats").join(name)
}

fn opts() -> ReadOptions {
    ReadOptions::default()
}

fn f64s(df: &DataFrame, col: &str) -> Vec<Option<f64>> {
    df.column(col).unwrap().cast(&DataType::Float64).unwrap().f64().unwrap().iter().collect()
}

fn strs(df: &DataFrame, col: &str) -> Vec<Option<String>> {
    df.column(col).unwrap().str().unwrap().iter().map(|v| v.map(str::to_string)).collect()
}

fn s(v: &str) -> Option<String> {
    Some(v.to_string())
}

fn in_lambert93(x: f64, y: f64) -> bool {
    let (x0, y0, x1, y1) = LAMBERT93_BOUNDS;
    (x0..=x1).contains(&x) && (y0..=y1).contains(&y)
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs()
}

// ---------------------------------------------------------------------------------------------------------
// QPV boundaries

#[test]
fn qpv_2024_anct_properties() {
    let (qpv, warnings) = read_qpv(&fixture("qpv2024_anct_properties.geojson"), &Reprojector::new()).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let codes: Vec<&str> = qpv.iter().map(|q| q.code.as_str()).collect();
    assert_eq!(codes, ["QN06701M", "QN06702M"], "sorted by code");
    for q in &qpv {
        assert_eq!(q.list, QpvList::Y2024);
        assert_eq!(q.commune.as_deref(), Some("67482"));
        assert_eq!(q.commune_name.as_deref(), Some("Strasbourg"));
    }
    assert_eq!(qpv[0].name, "Hautepierre");
    assert_eq!(qpv[0].geometry.0.len(), 2, "a MultiPolygon keeps its parts");
    // 0.01° × 0.008° at 48.59° N ≈ 737 m × 890 m.
    assert!(close(qpv[1].area_m2, 737.0 * 890.0, 0.03), "{}", qpv[1].area_m2);
}

#[test]
fn qpv_2015_republication_properties() {
    let (qpv, _) =
        read_qpv(&fixture("qpv2015_republication_properties.geojson"), &Reprojector::new()).unwrap();
    assert_eq!(qpv.len(), 1);
    let q = &qpv[0];
    assert_eq!((q.code.as_str(), q.list), ("QP066007", QpvList::Y2015));
    assert_eq!(q.name, "Bas-Vernet Nouveau QPV", "nom_qp");
    assert_eq!(q.commune.as_deref(), Some("66136"), "code_commune");
    assert_eq!(q.commune_name.as_deref(), Some("Perpignan"));
    assert!(q.area_m2 > 0.0);
}

#[test]
fn qpv_2015_old_shapefile_capitals() {
    let (qpv, _) = read_qpv(&fixture("qpv2015_shapefile_capitals.geojson"), &Reprojector::new()).unwrap();
    let codes: Vec<&str> = qpv.iter().map(|q| q.code.as_str()).collect();
    assert_eq!(codes, ["QP031001", "QP031015"]);
    assert!(qpv.iter().all(|q| q.list == QpvList::Y2015));
    assert_eq!(qpv[0].name, "Grand Mirail", "NOM_QP");
    assert_eq!(qpv[1].commune_name.as_deref(), Some("Toulouse, Launaguet"), "COMMUNE_QP as given");
    assert_eq!(qpv[1].commune, None, "COMMUNE_QP names communes; it is not a code");
}

#[test]
fn qpv_with_a_crs_member_naming_epsg_2154_keeps_lambert93_metres() {
    let (qpv, warnings) =
        read_qpv(&fixture("qpv2024_crs_epsg2154_lambert93.geojson"), &Reprojector::new()).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let q = &qpv[0];
    // 500 m × 400 m minus a 100 m × 100 m hole, in the file's own metres.
    assert!((q.area_m2 - 190_000.0).abs() < 1.0, "{}", q.area_m2);
    let c = q.geometry.0[0].exterior().0[0];
    assert!((c.x - 1_050_000.0).abs() < 0.01 && (c.y - 6_840_000.0).abs() < 0.01, "{c:?}");
    assert_eq!(q.geometry.0[0].interiors().len(), 1);
}

// ---------------------------------------------------------------------------------------------------------
// INSEE IRIS tables

#[test]
fn insee_p19_vintage_older_dipl0_latin1_filosofi_secrecy_tokens_and_leading_zeros() {
    let (pop, dip, filo) = (
        fixture("insee_population_p19_bom_leading_zeros.csv"),
        fixture("insee_diplomas_p19_dipl0_older_name.csv"),
        fixture("filosofi_2019_latin1_decimal_comma_secrecy.csv"),
    );
    let o = opts();
    let paths = CensusPaths {
        population: (&pop, &o),
        diplomas: (&dip, &o),
        filosofi: (&filo, &o),
        activity: None,
        households: None,
    };
    let c = read_census(&paths).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((c.census_vintage.as_str(), c.filosofi_vintage.as_str()), ("2019", "2019"));
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    let st = &c.stats;
    assert_eq!(st.column("iris").unwrap().dtype(), &DataType::String, "codes stay strings");
    assert_eq!(strs(st, "iris"), [s("010010000"), s("2A0040000"), s("2B0330000")]);
    assert_eq!(f64s(st, "pop"), [Some(779.0), Some(71361.2), Some(48503.0)]);
    assert_eq!(f64s(st, "pop65"), [Some(158.4), Some(17200.0), None], "`s` is null, never 0");
    assert_eq!(f64s(st, "nscol15p"), [Some(612.5), Some(56012.0), Some(38760.0)]);
    assert_eq!(f64s(st, "nodip"), [Some(98.1), Some(12045.7), None], "P19_NSCOL15P_DIPL0, `nd` null");
    // Latin-1, decimal comma; `ns`, `s`, `nd` are null, never 0.
    assert_eq!(f64s(st, "poverty_rate"), [None, Some(18.4), None]);
    assert_eq!(f64s(st, "median_income"), [None, Some(21030.5), None]);
}

#[test]
fn insee_optional_activity_and_households_tables_join_by_iris_and_check_their_parts() {
    let (pop, dip, filo) = (
        fixture("insee_population_p19_bom_leading_zeros.csv"),
        fixture("insee_diplomas_p19_dipl0_older_name.csv"),
        fixture("filosofi_2019_latin1_decimal_comma_secrecy.csv"),
    );
    let (act, men) = (
        fixture("insee_activity_p19_without_bastia_row.csv"),
        fixture("insee_households_c19_fammono_above_fam_line4.csv"),
    );
    let o = opts();
    let paths = CensusPaths {
        population: (&pop, &o),
        diplomas: (&dip, &o),
        filosofi: (&filo, &o),
        activity: Some((&act, &o)),
        households: None,
    };
    let c = read_census(&paths).unwrap_or_else(|e| panic!("{e}"));
    // Bastia has no activity row: null, never 0; the households columns are absent, not null.
    assert_eq!(f64s(&c.stats, "act1564"), [Some(370.0), Some(33000.0), None]);
    assert_eq!(f64s(&c.stats, "chom1564"), [Some(24.5), Some(4100.0), None]);
    assert!(c.stats.column("men").is_err());
    // Single-parent families above the families: rejected, naming the file, the line and the field.
    let paths = CensusPaths { households: Some((&men, &o)), ..paths };
    let e = read_census(&paths).err().expect("FAMMONO > FAM").to_string();
    assert!(e.contains("insee_households_c19_fammono_above_fam_line4.csv"), "{e}");
    assert!(e.contains("line 4") && e.contains("C19_FAMMONO"), "{e}");
}

// ---------------------------------------------------------------------------------------------------------
// ARCEP

fn buildings_xy(df: &DataFrame) -> Vec<(String, f64, f64, f64)> {
    let ids = strs(df, "imb_id");
    let (x, y, n) = (f64s(df, "x"), f64s(df, "y"), f64s(df, "logloc"));
    (0..df.height()).map(|i| (ids[i].clone().unwrap(), x[i].unwrap(), y[i].unwrap(), n[i].unwrap())).collect()
}

#[test]
fn arcep_published_csv_with_imb_longitude_latitude() {
    let r = Reprojector::new();
    let (b, e) = (fixture("arcep_immeubles_imb_longitude_latitude.csv"), fixture("arcep_eligibilite.csv"));
    let t = read_arcep((&b, &opts()), (&e, &opts()), &r).unwrap_or_else(|e| panic!("{e}"));
    let xy = buildings_xy(&t.buildings);
    assert_eq!(xy.len(), 3);
    for (id, x, y, _) in &xy {
        assert!(in_lambert93(*x, *y), "{id} ({x}, {y})");
    }
    // Strasbourg cathedral area (7.7521 E, 48.5734 N) is about (1 050 300, 6 840 900) in Lambert-93.
    assert!((xy[0].1 - 1_050_300.0).abs() < 2_000.0 && (xy[0].2 - 6_840_900.0).abs() < 2_000.0, "{xy:?}");
    assert_eq!(strs(&t.buildings, "commune"), [s("67482"), s("67482"), s("67218")]);
    assert_eq!(strs(&t.eligibility, "imb_id"), [s("IMB/67482/X/0001"), s("IMB/67482/X/0002")]);
    let flags = |c: &str| t.eligibility.column(c).unwrap().bool().unwrap().iter().collect::<Vec<_>>();
    assert_eq!(flags("thd30"), [Some(true), Some(true)]);
    assert_eq!(flags("ftth"), [Some(true), Some(false)], "fixed 4G at THD30 is not FTTH");
}

#[test]
fn arcep_gzip_semicolon_files_with_imb_x_imb_y_read_the_same() {
    let r = Reprojector::new();
    let plain = read_arcep(
        (&fixture("arcep_immeubles_imb_longitude_latitude.csv"), &opts()),
        (&fixture("arcep_eligibilite.csv"), &opts()),
        &r,
    )
    .unwrap();
    let gz = read_arcep(
        (&fixture("arcep_immeubles_imb_x_imb_y_semicolon.csv.gz"), &opts()),
        (&fixture("arcep_eligibilite_semicolon.csv.gz"), &opts()),
        &r,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(buildings_xy(&gz.buildings), buildings_xy(&plain.buildings));
    assert!(gz.eligibility.equals(&plain.eligibility));
}

#[test]
fn arcep_prefers_imb_longitude_latitude_when_both_pairs_exist() {
    let r = Reprojector::new();
    // imb_x/imb_y hold (1, 2) there: read, they would be rejected as outside France.
    let both = read_arcep(
        (&fixture("arcep_immeubles_both_coordinate_pairs.csv"), &opts()),
        (&fixture("arcep_eligibilite.csv"), &opts()),
        &r,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let plain = read_arcep(
        (&fixture("arcep_immeubles_imb_longitude_latitude.csv"), &opts()),
        (&fixture("arcep_eligibilite.csv"), &opts()),
        &r,
    )
    .unwrap();
    assert_eq!(buildings_xy(&both.buildings), buildings_xy(&plain.buildings));
}

#[test]
fn a_gz_name_on_a_file_that_is_not_gzip_is_a_clear_error() {
    let r = Reprojector::new();
    let e = read_arcep(
        (&fixture("not_really_gzip.csv.gz"), &opts()),
        (&fixture("arcep_eligibilite.csv"), &opts()),
        &r,
    )
    .err()
    .unwrap()
    .to_string();
    assert!(e.contains("not_really_gzip.csv.gz") && e.contains("whole file") && e.contains("gzip"), "{e}");
}

// ---------------------------------------------------------------------------------------------------------
// Places

#[test]
fn places_with_pipe_multi_values_quoted_and_unquoted() {
    let df = read_places(&fixture("lieux_mediation_v1.0.2_multi_values.csv"), &opts(), &Reprojector::new())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        strs(&df, "place_id"),
        [s("strasbourg-lieu-1"), s("strasbourg-lieu-2"), s("strasbourg-lieu-3")]
    );
    assert_eq!(
        strs(&df, "programmes"),
        [
            s("Conseillers numériques|France Services"),
            s("Emmaüs Connect|Conseillers numériques"),
            s("Aidants Connect")
        ],
        "`|` separates values inside one cell, never columns"
    );
    assert_eq!(strs(&df, "nom")[1], s("Emmaüs Connect Strasbourg"));
    let (x, y) = (f64s(&df, "x"), f64s(&df, "y"));
    assert!(in_lambert93(x[0].unwrap(), y[0].unwrap()) && in_lambert93(x[1].unwrap(), y[1].unwrap()));
    assert_eq!((x[2], y[2]), (None, None), "a place without coordinates stays, unlocated");
}

// ---------------------------------------------------------------------------------------------------------
// Attendance

const REFERENCES: [&str; 3] = ["EC-2025-0042", "CN-67-0007", "FS-2025-0100"];

#[test]
fn attendance_residences_by_iris_or_coordinates_and_stable_pseudonyms() {
    let path = fixture("attendance_iris_and_coordinate_residences.csv");
    let r = Reprojector::new();
    let key = Pseudonymiser::new(b"a test key of 32 bytes, not used").unwrap();
    let a = read_attendance(&path, &opts(), &key, &r).unwrap_or_else(|e| panic!("{e}"));
    let df = &a.records;
    assert_eq!(df.height(), 5);
    assert_eq!(a.rows_without_residence, 1, "A-005 gives no residence");

    let iris = strs(df, "res_iris");
    let (x, y) = (f64s(df, "res_x"), f64s(df, "res_y"));
    // IRIS only
    assert_eq!((iris[0].as_deref(), x[0]), (Some("674820101"), None));
    // coordinates only: Hautepierre, in Lambert-93
    assert_eq!(iris[2], None);
    assert!(in_lambert93(x[2].unwrap(), y[2].unwrap()) && (x[2].unwrap() - 1_047_000.0).abs() < 3_000.0);
    // both: both kept (coordinates win in the join)
    assert!(iris[3].is_some() && x[3].is_some());
    assert_eq!((iris[4].as_ref(), x[4]), (None, None));

    // Pseudonyms: same person → same pseudonym (spaces ignored), never the reference nor containing it.
    let person = strs(df, "person");
    assert_eq!(person[0], person[1]);
    assert_eq!(person[0], person[3]);
    assert_ne!(person[0], person[2]);
    assert_ne!(person[2], person[4]);
    for p in person.iter().flatten() {
        assert_eq!(p.len(), 32);
        for reference in REFERENCES {
            assert!(!p.contains(reference) && !reference.contains(p.as_str()), "{p} vs {reference}");
        }
    }
    // No cell of any column holds a participant reference.
    for c in df.columns() {
        if let Ok(ca) = c.str() {
            for v in ca.iter().flatten() {
                assert!(!REFERENCES.iter().any(|r| v.contains(r)), "column {} holds {v}", c.name());
            }
        }
    }
    // Stable across reads with the same key, different with another key.
    let again = read_attendance(&path, &opts(), &key, &r).unwrap();
    assert_eq!(strs(&again.records, "person"), person);
    let other = Pseudonymiser::new(b"another key, also 32 bytes long!").unwrap();
    let other = read_attendance(&path, &opts(), &other, &r).unwrap();
    assert!(strs(&other.records, "person").iter().zip(&person).all(|(a, b)| a != b));
}

// ---------------------------------------------------------------------------------------------------------
// The real extracts

#[test]
fn real_hackaviz_qpv2015_occitanie_contours() {
    let Some(dir) = support::real_data_dir() else { return };
    let path = dir.join("hackaviz2021_qpv2015_occitanie_contours.geojson");
    let r = fracture::ingest::zones::read_qpv_detailed(&path, &Reprojector::new())
        .unwrap_or_else(|e| panic!("{e}"));
    let (qpv, warnings) = (r.zones, r.warnings);
    assert_eq!(qpv.len(), 105);
    // Coordinates truncated to 4 decimals: repeated positions, spikes, rings touching or crossing
    // themselves; every feature repaired within the area tolerance, every result OGC-valid.
    assert!(
        qpv.iter().all(|q| q.geometry.0.iter().all(|p| fracture::spatial::valid::check_polygon(p).is_ok()))
    );
    let count = |reason| r.entries.iter().filter(|e| e.reason == reason).count();
    assert!(count(fracture::ingest::Reason::RepeatedPoints) > 90, "{:?}", r.entries.len());
    assert!(count(fracture::ingest::Reason::RingSplit) > 10, "{:?}", r.entries.len());
    assert!(r.reoriented > 0);
    assert!(qpv.iter().all(|q| q.code.starts_with("QP") && q.list == QpvList::Y2015));
    assert!(qpv.iter().all(|q| q.area_m2 > 0.0 && q.commune.is_some()));
    let perpignan = qpv.iter().find(|q| q.code == "QP066007").unwrap();
    assert_eq!(perpignan.name, "Bas-Vernet Nouveau QPV");
    assert_eq!(perpignan.commune.as_deref(), Some("66136"));
    // Lambert-93 areas: a QPV is a few hectares to a few km².
    let total: f64 = qpv.iter().map(|q| q.area_m2).sum();
    assert!(qpv.iter().all(|q| q.area_m2 > 1_000.0 && q.area_m2 < 50_000_000.0), "total {total}");
    eprintln!(
        "real Occitanie QPV 2015: {} polygons, {:.1} km² in all; {} warnings (geometry repairs: coordinates \
         truncated to 4 decimals)",
        qpv.len(),
        total / 1e6,
        warnings.len()
    );
}

#[test]
fn real_hackaviz_qpv2015_occitanie_indicators() {
    let Some(dir) = support::real_data_dir() else { return };
    let path = dir.join("hackaviz2021_qpv2015_occitanie_indicateurs.csv");
    let df = read_qpv_indicators(&path, &opts()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(df.height(), 105);
    let codes = strs(&df, "code_qp");
    let row = |code: &str| codes.iter().position(|c| c.as_deref() == Some(code)).unwrap();
    let at = |col: &str, code: &str| f64s(&df, col)[row(code)];
    // Values as in the file (first row, BOM before `code_qp`).
    assert_eq!(codes[0].as_deref(), Some("QP009001"));
    assert_eq!(at("pop_mun", "QP009001"), Some(1177.0));
    assert_eq!(at("tp60", "QP009001"), Some(40.2));
    assert_eq!(at("disp_q2", "QP009001"), Some(13724.0));
    assert_eq!(at("tx_tot_empl", "QP009001"), Some(50.7));
    assert_eq!(at("tp60", "QP082004"), Some(47.7));
    // Empty cells are null; a written 0 stays 0.
    assert_eq!(at("tx_tot_empl", "QP066009"), None);
    assert_eq!(at("tx_tot_eprec", "QP066009"), None);
    assert_eq!(at("ind_jeune", "QP031006"), None);
    assert_eq!(at("abcde", "QP066009"), Some(0.0));
    assert_eq!(at("tx_tot_eprec", "QP011005"), None);
    let nulls = |col: &str| f64s(&df, col).iter().filter(|v| v.is_none()).count();
    assert_eq!((nulls("pop_mun"), nulls("tp60"), nulls("tx_tot_eprec"), nulls("ind_jeune")), (0, 0, 5, 11));
}

#[test]
fn a_real_dataset_with_attendance_refuses_to_run_without_a_pseudonymisation_key() {
    let tmp = support::workdir();
    let input = support::demo_copy(tmp.path());
    let cfg = input.join("dataset.toml");
    let text = std::fs::read_to_string(&cfg).unwrap();
    let real: String = text
        .lines()
        .filter(|l| !l.starts_with("pseudonymisation_key"))
        .map(|l| if l.starts_with("synthetic") { "synthetic = false" } else { l })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&cfg, real).unwrap();
    let run = |key: Option<&str>| {
        let mut c = support::fracture();
        c.args(["ingest", "--data-dir"]).arg(tmp.path().join("data")).arg("--dataset").arg(&cfg);
        c.env_remove("FRACTURE_PSEUDO_KEY");
        if let Some(k) = key {
            c.env("FRACTURE_PSEUDO_KEY", k);
        }
        c.output().unwrap()
    };
    let out = run(None);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("FRACTURE_PSEUDO_KEY"), "{err}");
    let out = run(Some("short"));
    assert_eq!(out.status.code(), Some(3), "a 5-byte key is refused");
    let out = run(Some("a-real-secret-of-32-bytes-------"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // The attendance records (personal data) are never written out, even pseudonymised.
    let interim = tmp.path().join("data/interim/demo");
    for f in support::walk(&interim) {
        assert!(!f.to_string_lossy().contains("attendance"), "{} written", f.display());
    }
}

// ---------------------------------------------------------------------------------------------------------
// ARCEP at scale: the streaming reader (chunks of records parsed in parallel, gzip of any size)

fn gz_member(text: &str) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(text.as_bytes()).unwrap();
    enc.finish().unwrap()
}

/// `n` buildings of commune 67482 (one in ten of commune 67218), and 1–2 eligibility rows each
/// (none for every seventh building).
fn many_buildings(n: usize) -> (String, String) {
    let mut b = String::from("imb_id,imb_longitude,imb_latitude,imb_code_insee,imb_nbr_logloc\n");
    let mut e = String::from("imb_id,code_techno,classe_debit_descendant\n");
    for i in 0..n {
        let commune = if i % 10 == 0 { "67218" } else { "67482" };
        b.push_str(&format!(
            "IMB/{commune}/X/{i:08},{:.2},{:.2},{commune},{}\n",
            858000.0 + i as f64 * 0.01,
            6202000.0 + (i % 1000) as f64,
            i % 5
        ));
        if i % 7 != 0 {
            e.push_str(&format!("IMB/{commune}/X/{i:08},CU,HD3\n"));
            if i % 2 == 0 {
                e.push_str(&format!("IMB/{commune}/X/{i:08},FO,THD1G\n"));
            }
        }
    }
    (b, e)
}

#[test]
fn arcep_multi_member_gzip_of_many_chunks_reads_as_the_plain_files() {
    let r = Reprojector::new();
    let dir = tempfile::tempdir().unwrap();
    let (b, e) = many_buildings(300_000); // ~20 MB of buildings: several chunks
    let (bp, ep) = (dir.path().join("immeubles.csv"), dir.path().join("eligibilite.csv"));
    std::fs::write(&bp, &b).unwrap();
    std::fs::write(&ep, &e).unwrap();
    // one gzip member per ~1 MB, cut anywhere in a line, as `cat a.gz b.gz ...` gives
    let cut_at_bytes = |text: &str| -> Vec<u8> {
        use std::io::Write;
        let mut out = Vec::new();
        for c in text.as_bytes().chunks(999_999) {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            enc.write_all(c).unwrap();
            out.extend(enc.finish().unwrap());
        }
        out
    };
    let (bz, ez) = (dir.path().join("immeubles.csv.gz"), dir.path().join("eligibilite.csv.gz"));
    std::fs::write(&bz, cut_at_bytes(&b)).unwrap();
    std::fs::write(&ez, cut_at_bytes(&e)).unwrap();
    let plain = read_arcep((&bp, &opts()), (&ep, &opts()), &r).unwrap_or_else(|e| panic!("{e}"));
    let gz = read_arcep((&bz, &opts()), (&ez, &opts()), &r).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(plain.buildings.height(), 300_000);
    assert!(gz.buildings.equals_missing(&plain.buildings));
    assert!(gz.eligibility.equals_missing(&plain.eligibility));
    // every building but each seventh is listed; flags or-ed over its rows
    assert_eq!(plain.eligibility.height(), 300_000 - 300_000_usize.div_ceil(7));
    let flag = |c: &str, i: usize| plain.buildings.column(c).unwrap().bool().unwrap().get(i).unwrap();
    assert_eq!((flag("thd30", 2), flag("ftth", 2)), (true, true));
    assert_eq!((flag("thd30", 3), flag("ftth", 3)), (false, false));
    assert_eq!((flag("thd30", 14), flag("ftth", 14)), (false, false), "not listed: not eligible");
    assert_eq!(strs(&plain.buildings, "commune")[..2], [s("67218"), s("67482")]);
    // the manifest's hashes are those of the files as stored
    let (_, hashes) = fracture::ingest::arcep::read_arcep_hashed(
        (&bz, &opts()),
        (&ez, &opts()),
        &r,
        fracture::ingest::arcep::Ids::Kept,
    )
    .unwrap();
    assert_eq!(hashes[0], fracture::io::hash::sha256_file(&bz).unwrap());
    assert_eq!(hashes[1], fracture::io::hash::sha256_file(&ez).unwrap());
}

#[test]
fn arcep_errors_deep_in_a_streamed_gzip_name_file_line_and_field() {
    let r = Reprojector::new();
    let dir = tempfile::tempdir().unwrap();
    let (b, e) = many_buildings(200_000);
    // line 150,002 (building 150,000): premises not a number; line 180,002: a duplicate id
    let mut lines: Vec<String> = b.lines().map(str::to_string).collect();
    lines[150_001] = lines[150_001].rsplit_once(',').map(|(a, _)| format!("{a},beaucoup")).unwrap();
    lines[180_001] = lines[180_000].clone();
    let bz = dir.path().join("immeubles.csv.gz");
    let text = lines.join("\n") + "\n";
    let half = text.len() / 2;
    let mut bytes = gz_member(&text[..half]);
    bytes.extend(gz_member(&text[half..]));
    std::fs::write(&bz, bytes).unwrap();
    let ep = dir.path().join("eligibilite.csv");
    std::fs::write(&ep, &e).unwrap();
    let err = read_arcep((&bz, &opts()), (&ep, &opts()), &r).err().unwrap().to_string();
    assert!(err.contains("immeubles.csv.gz") && err.contains("2 problem(s)"), "{err}");
    assert!(err.contains("line 150002: field `imb_nbr_logloc`") && err.contains("\"beaucoup\""), "{err}");
    assert!(
        err.contains("line 180002: field `imb_id`") && err.contains("duplicate IMB/67482/X/00179999"),
        "{err}"
    );
    // an eligibility row of an unknown building, far in the file
    let bp = dir.path().join("immeubles.csv");
    std::fs::write(&bp, &b).unwrap();
    let mut el: Vec<&str> = e.lines().collect();
    let n = el.len() - 10;
    el[n] = "IMB/99999/X/00000001,FO,THD1G";
    std::fs::write(&ep, el.join("\n")).unwrap();
    let err = read_arcep((&bp, &opts()), (&ep, &opts()), &r).err().unwrap().to_string();
    assert!(
        err.contains(&format!("eligibilite.csv: line {}: field `imb_id`", n + 1))
            && err.contains("a building listed in the buildings file"),
        "{err}"
    );
}

#[test]
fn arcep_building_of_a_commune_outside_the_territory_is_flagged_outside_it() {
    use fracture::ingest::{Inputs, Qpv};
    use fracture::join::{OUTSIDE_QPV, OUTSIDE_TERRITORY, Weighting, join};
    use geo::{LineString, MultiPolygon, Polygon};
    let r = Reprojector::new();
    let arcep = read_arcep(
        (&fixture("arcep_immeubles_imb_longitude_latitude.csv"), &opts()),
        (&fixture("arcep_eligibilite.csv"), &opts()),
        &r,
    )
    .unwrap();
    // a QPV far from every building
    let g = MultiPolygon(vec![Polygon::new(
        LineString::from(vec![(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0), (0.0, 0.0)]),
        vec![],
    )]);
    let qpv = vec![Qpv {
        code: "QN06701M".into(),
        name: "Q".into(),
        commune: Some("67482".into()),
        commune_name: None,
        epci: None,
        list: QpvList::Y2024,
        area_m2: 100.0,
        geometry: g,
        parts: vec![],
    }];
    let inputs = Inputs {
        qpv,
        qpv_previous: None,
        iris: None,
        census: None,
        arcep: Some(arcep),
        places: None,
        attendance: None,
        qpv_indicators: None,
        files: vec![],
        warnings: vec![],
    };
    let j = join(&inputs, &["67482".to_string()], Weighting::Area).unwrap();
    let b = j.buildings.unwrap();
    // IMB/67218/X/0003 is of commune 67218, not the territory's
    assert_eq!(strs(&b, "area_code"), [s(OUTSIDE_QPV), s(OUTSIDE_QPV), s(OUTSIDE_TERRITORY)]);
    let flags = |c: &str| b.column(c).unwrap().bool().unwrap().iter().collect::<Vec<_>>();
    assert_eq!(flags("thd30"), [Some(true), Some(true), Some(false)]);
    assert_eq!(flags("ftth"), [Some(true), Some(false), Some(false)]);
    assert_eq!(j.stats.buildings_outside_territory, 1);
}

// ---- plausibility

/// Codes given as JSON numbers are restored by their fixed width (with a warning), or rejected when that
/// is ambiguous.
#[test]
fn iris_codes_given_as_json_numbers_are_restored_by_width_or_rejected() {
    let demo = support::project_root().join("data/demo/iris/CONTOURS-IRIS_Demoville_WGS84.geojson");
    let text = std::fs::read_to_string(&demo).unwrap();
    let dir = support::workdir();
    let path = dir.path().join("iris.geojson");
    // `IRIS: 101` for "0101"; `CODE_IRIS` as a number.
    let numbers = text.replacen("\"CODE_IRIS\":\"990010101\"", "\"CODE_IRIS\":990010101", 1).replacen(
        "\"IRIS\":\"0101\"",
        "\"IRIS\":101",
        1,
    );
    std::fs::write(&path, &numbers).unwrap();
    let (iris, warnings) = fracture::ingest::zones::read_iris(&path, &Reprojector::new()).unwrap();
    assert!(iris.iter().any(|i| i.code == "990010101"));
    let w = warnings.join("\n");
    assert!(w.contains("`CODE_IRIS` as a JSON number") && w.contains("\"990010101\""), "{w}");
    assert!(w.contains("`IRIS` as a JSON number (e.g. 101)") && w.contains("\"0101\""), "{w}");

    // Ten digits cannot be a 9-character code: rejected, naming the feature and the field.
    let ambiguous = text.replacen("\"CODE_IRIS\":\"990010101\"", "\"CODE_IRIS\":1990010101", 1);
    std::fs::write(&path, ambiguous).unwrap();
    let e = fracture::ingest::zones::read_iris(&path, &Reprojector::new()).unwrap_err().to_string();
    assert!(e.contains("feature 0") && e.contains("CODE_IRIS") && e.contains("1990010101"), "{e}");
}

/// INSEE's 2024 per-QPV population file: camelCase columns, `listeDepCom` a comma-joined list.
#[test]
fn the_2024_per_qpv_population_file_with_camel_case_columns_is_read() {
    let dir = support::workdir();
    let path = dir.path().join("pop_qpv_2024.csv");
    std::fs::write(
        &path,
        "codeQPV;libQPV;popMuniQPV;listeDepCom\nQN06701M;Molkenbronn;4210;\"67482,67267\"\nQN06702M;Hautepierre;14100;67482\n",
    )
    .unwrap();
    let df = read_qpv_indicators(&path, &ReadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(df.height(), 2);
    let pop: Vec<Option<f64>> = df.column("pop_mun").unwrap().f64().unwrap().iter().collect();
    assert_eq!(pop, vec![Some(4210.0), Some(14100.0)]);
}

/// `fracture run` reads the ARCEP tables without the building ids: the same buildings, flags and
/// eligibility rows as with them, only `imb_id` missing.
#[test]
fn the_run_reads_the_arcep_tables_without_ids_and_nothing_else_changes() {
    use fracture::ingest::arcep::Ids;
    let ctx = fracture::pipeline::context(&support::demo_args(None)).unwrap();
    let kept = fracture::ingest::ingest_keeping(&ctx, Ids::Kept).unwrap().arcep.unwrap();
    let dropped = fracture::ingest::ingest_keeping(&ctx, Ids::Dropped).unwrap().arcep.unwrap();
    assert!(kept.buildings.column("imb_id").is_ok() && kept.eligibility.column("imb_id").is_ok());
    assert!(dropped.buildings.column("imb_id").is_err() && dropped.eligibility.column("imb_id").is_err());
    assert!(dropped.buildings.equals_missing(&kept.buildings.drop("imb_id").unwrap()));
    assert!(dropped.eligibility.equals_missing(&kept.eligibility.drop("imb_id").unwrap()));
    assert!(kept.buildings.height() > 1000);
}
