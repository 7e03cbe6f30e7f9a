//! Stage `indicators`, through the binary: the indicator tables of the demo report (the shared run of
//! `support::demo_report`), read from the published CSV files. Rows, statistical secrecy (no count of
//! 1 to 10 people, rates hidden with their counts, no hidden cell recoverable from the total), totals that
//! add up, percentages in range, and the quarterly series agreeing with the table.

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::*;
use serde_json::Value;

use crate::support::{demo_report, project_root, read_csv};

mod attack;
mod differencing;
mod share_and_targets;

/// Counts of people, hidden by the secrecy rule, with the rates computed from each.
const COUNTS: [(&str, &[&str]); 3] = [
    ("participants", &["participants_per_1000"]),
    ("course_enrolled", &["completion_rate"]),
    ("devices", &[]),
];

fn table() -> DataFrame {
    read_csv(&demo_report().file("tables/indicators.csv"))
}

fn column(df: &DataFrame, col: &str) -> Vec<Option<String>> {
    df.column(col)
        .unwrap_or_else(|_| panic!("no column {col}"))
        .str()
        .unwrap()
        .iter()
        .map(|v| v.filter(|s| !s.is_empty()).map(str::to_string))
        .collect()
}

fn numbers(df: &DataFrame, col: &str) -> Vec<Option<f64>> {
    column(df, col).into_iter().map(|v| v.map(|s| s.parse().unwrap())).collect()
}

/// The QPV codes of the demo's input contours.
fn demo_qpv_codes() -> BTreeSet<String> {
    let dir = project_root().join("data/demo");
    let cfg: toml::Value =
        toml::from_str(&std::fs::read_to_string(dir.join("dataset.toml")).unwrap()).unwrap();
    let path = dir.join(cfg["files"]["qpv"].as_str().unwrap());
    let gj: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    gj["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["code_qp"].as_str().unwrap().into())
        .collect()
}

#[test]
fn one_row_per_qpv_then_outside_qpv_then_the_territory() {
    let df = table();
    let kinds: Vec<String> = column(&df, "area_type").into_iter().map(Option::unwrap).collect();
    let codes: Vec<String> = column(&df, "area_code").into_iter().map(Option::unwrap).collect();
    let n = codes.len();
    assert!(n >= 3);
    assert_eq!((kinds[n - 2].as_str(), codes[n - 2].as_str()), ("hors_qpv", "HORS_QPV"));
    assert_eq!((kinds[n - 1].as_str(), codes[n - 1].as_str()), ("territoire", "TERRITOIRE"));
    assert!(kinds[..n - 2].iter().all(|k| k == "qpv"), "{kinds:?}");
    let qpv: BTreeSet<String> = codes[..n - 2].iter().cloned().collect();
    assert_eq!(qpv.len(), n - 2, "no QPV twice");
    assert_eq!(qpv, demo_qpv_codes(), "every QPV of the input, and only those");
    let code_qp = column(&df, "code_qp");
    for (i, c) in codes.iter().enumerate() {
        let expected = (i < n - 2).then(|| c.clone());
        assert_eq!(code_qp[i], expected, "code_qp of {c}");
    }
}

#[test]
fn no_published_count_of_people_is_between_1_and_10() {
    let series = read_csv(&demo_report().file("tables/series.csv"));
    let mut published = 0;
    for df in [&table(), &series] {
        for (count, _) in COUNTS {
            let Ok(c) = df.column(count) else { continue };
            for v in c.str().unwrap().iter().flatten().filter(|s| !s.is_empty()) {
                let n: u64 = v.parse().unwrap_or_else(|_| panic!("{count}: {v:?}"));
                assert!(!(1..=10).contains(&n), "{count} = {n} is published");
                published += 1;
            }
        }
    }
    assert!(published > 50, "only {published} counts published");
}

#[test]
fn a_hidden_count_is_listed_in_secrecy_and_hides_its_rates() {
    let df = table();
    let codes = column(&df, "area_code");
    let secrecy = column(&df, "secrecy");
    let mut hidden = 0;
    for (i, code) in codes.iter().enumerate() {
        let listed: BTreeMap<String, String> = secrecy[i]
            .iter()
            .flat_map(|s| s.split(';'))
            .map(|e| {
                let (col, why) = e.split_once(':').unwrap_or_else(|| panic!("{code:?}: secrecy entry {e:?}"));
                assert!(why == "primary" || why == "secondary", "{e}");
                (col.to_string(), why.to_string())
            })
            .collect();
        for (count, rates) in COUNTS {
            let is_hidden = column(&df, count)[i].is_none();
            assert_eq!(is_hidden, listed.contains_key(count), "{code:?} {count}: empty ⇔ listed in secrecy");
            if is_hidden {
                hidden += 1;
                for r in rates {
                    assert_eq!(column(&df, r)[i], None, "{code:?}: {r} is hidden with {count}");
                }
            }
        }
        for col in listed.keys() {
            // A count of people, or a rate hidden on its own because it would give back one (a
            // completion rate beside its enrolled count discloses the non-completers).
            assert!(
                COUNTS.iter().any(|(c, rates)| c == col || rates.contains(&col.as_str())),
                "{code:?}: {col} is neither a count of people nor one of their rates"
            );
            if !COUNTS.iter().any(|(c, _)| c == col) {
                assert_eq!(column(&df, col)[i], None, "{code:?}: {col} listed as hidden but published");
            }
        }
    }
    assert!(hidden >= 3, "the demo hides some cells ({hidden})");
}

#[test]
fn no_hidden_cell_can_be_recovered_from_the_territory_total() {
    let df = table();
    let n = df.height();
    for (count, _) in COUNTS {
        let v = numbers(&df, count);
        // The partition: every QPV and the rest of the territory; its total is the last row.
        let hidden = v[..n - 1].iter().filter(|c| c.is_none()).count();
        if let Some(total) = v[n - 1] {
            assert_ne!(hidden, 1, "{count}: one hidden cell = total − the published ones");
            if hidden == 0 {
                let sum: f64 = v[..n - 1].iter().flatten().sum();
                assert_eq!(sum, total, "{count}: the zones add up to the territory");
            }
        }
    }
}

#[test]
fn zone_totals_add_up_to_the_territory() {
    let df = table();
    let n = df.height();
    for (col, tolerance) in [("population", n as f64), ("premises", 0.0), ("places", 0.0)] {
        let v = numbers(&df, col);
        let sum: f64 = v[..n - 1].iter().map(|x| x.unwrap()).sum();
        let total = v[n - 1].unwrap();
        assert!((sum - total).abs() <= tolerance, "{col}: zones {sum} vs territory {total}");
    }
}

#[test]
fn shares_and_rates_in_percent_lie_between_0_and_100() {
    let dp: Value =
        serde_json::from_slice(&std::fs::read(demo_report().file("datasets/datapackage.json")).unwrap())
            .unwrap();
    let resources = dp["resources"].as_array().unwrap();
    let table_resource = resources.iter().find(|r| r["name"] == "indicators").unwrap();
    let fields = table_resource["schema"]["fields"].as_array().unwrap();
    let percent: Vec<&str> =
        fields.iter().filter(|f| f["unit"] == "%").map(|f| f["name"].as_str().unwrap()).collect();
    assert!(percent.len() >= 5, "{percent:?}");
    let df = table();
    for col in percent {
        let values: Vec<f64> = numbers(&df, col).into_iter().flatten().collect();
        assert!(!values.is_empty(), "{col} is never published");
        assert!(values.iter().all(|v| (0.0..=100.0).contains(v)), "{col}: {values:?}");
    }
}

#[test]
fn the_series_has_every_area_each_quarter_and_ends_with_the_table() {
    let series = read_csv(&demo_report().file("tables/series.csv"));
    let quarters = column(&series, "quarter");
    let codes = column(&series, "area_code");
    let participants = column(&series, "participants");
    let df = table();
    let areas: Vec<Option<String>> = column(&df, "area_code");
    let mut by_quarter: BTreeMap<String, Vec<Option<String>>> = BTreeMap::new();
    for (q, c) in quarters.iter().zip(&codes) {
        by_quarter.entry(q.clone().unwrap()).or_default().push(c.clone());
    }
    assert!(by_quarter.len() >= 4, "{:?}", by_quarter.keys());
    for (q, c) in &by_quarter {
        assert_eq!(c, &areas, "{q}: every area once, in the table's order");
    }
    let period = demo_report().dir.file_name().unwrap().to_string_lossy().into_owned();
    assert_eq!(by_quarter.keys().last(), Some(&period), "the series ends with the report's quarter");
    let latest: Vec<Option<String>> = quarters
        .iter()
        .zip(&participants)
        .filter(|(q, _)| q.as_deref() == Some(period.as_str()))
        .map(|(_, p)| p.clone())
        .collect();
    assert_eq!(latest, column(&df, "participants"), "latest quarter = the table's participants");
}

#[test]
fn the_programme_table_has_four_windows_agreeing_with_the_table() {
    let p = read_csv(&demo_report().file("tables/programme.csv"));
    let t = table();
    let n = t.height();
    assert_eq!(p.height(), 4 * n, "four windows of {n} areas");
    let windows = column(&p, "window");
    for (i, w) in ["quarter", "previous_quarter", "year_before", "year_to_date"].iter().enumerate() {
        assert!(windows[i * n..(i + 1) * n].iter().all(|x| x.as_deref() == Some(*w)), "{w}");
    }
    let periods = column(&p, "period");
    assert_eq!(periods[0].as_deref(), Some("2026-Q3"));
    assert_eq!(periods[n].as_deref(), Some("2026-Q2"));
    assert_eq!(periods[2 * n].as_deref(), Some("2025-Q3"));
    assert_eq!(periods[3 * n].as_deref(), Some("2026-Q1/2026-Q3"));
    assert_eq!(column(&p, "start")[3 * n].as_deref(), Some("2026-01-01"));
    assert_eq!(column(&p, "end")[3 * n].as_deref(), Some("2026-09-30"));
    // The quarter's window is the table's, cell for cell (hidden alike).
    for c in ["participants", "participants_per_1000", "course_enrolled", "completion_rate", "devices"] {
        assert_eq!(numbers(&p, c)[..n], numbers(&t, c)[..], "{c}");
    }
    // The year to date holds at least the quarter's distinct participants; no count of 1 to 10.
    let part = numbers(&p, "participants");
    for i in 0..n {
        if let (Some(q), Some(y)) = (part[i], part[3 * n + i]) {
            assert!(y >= q, "row {i}: {y} < {q}");
        }
    }
    for c in ["participants", "course_enrolled", "devices"] {
        assert!(numbers(&p, c).iter().flatten().all(|v| *v == 0.0 || *v >= 11.0), "{c}");
    }
    // All the demo's windows fall under the 2024 QPV list and hold records: comparable.
    assert!(column(&p, "comparable").iter().all(|c| c.as_deref() == Some("true")));
}

#[test]
fn across_the_change_of_qpv_list_the_crosswalk_flags_the_redrawn_and_the_new_qpv() {
    use fracture::locale::Locale;
    // 2024-Q4 against 2023-Q4 (the 2015 list in force): the demo's 2015 contours make QN99902M redrawn
    // (its 2015 contour covers 64 % of it) and QN99911M new.
    let args = crate::support::demo_args(Some(fracture::context::Quarter { year: 2024, q: 4 }));
    let ctx = fracture::pipeline::context(&args).unwrap();
    let inputs = fracture::ingest::ingest(&ctx).unwrap();
    let joined = fracture::join::join(
        &inputs,
        &ctx.dataset.commune_codes(),
        ctx.dataset.parameters.population_weighting,
    )
    .unwrap();
    let ind = fracture::indicators::compute(&ctx, &inputs, &joined, &Locale::default()).unwrap();
    let p = ind.programme.unwrap();
    let rows = p.clone().lazy().filter(col("window").eq(lit("year_before"))).collect().unwrap();
    let flags: BTreeMap<String, Option<String>> =
        column(&rows, "area_code").into_iter().flatten().zip(column(&rows, "comparability")).collect();
    assert_eq!(flags["QN99901M"].as_deref(), Some("qpv_list;no_records"));
    assert_eq!(flags["QN99902M"].as_deref(), Some("qpv_list;no_records;qpv_redrawn"));
    assert_eq!(flags["QN99911M"].as_deref(), Some("qpv_list;no_records;qpv_new"));
    assert_eq!(flags["HORS_QPV"].as_deref(), Some("qpv_list;no_records"));
    // Within the 2024 list (the previous quarter, 2024-Q3): nothing about the crosswalk.
    let rows = p.lazy().filter(col("window").eq(lit("previous_quarter"))).collect().unwrap();
    assert!(column(&rows, "comparability").iter().flatten().all(|c| !c.contains("qpv_")), "{rows}");
    let x = ind.crosswalk.unwrap();
    assert_eq!(x.height(), 10);
}
