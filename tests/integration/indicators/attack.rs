//! The secrecy attack: an attacker reads everything the demo publishes for every quarter (the
//! indicator table, the quarterly series, the notes) and tries to recover a count of 1 to 10 persons:
//! published counts, rates times their published denominators (completed and not completed from a
//! completion rate), totals minus their published parts (counts, completions, non-completions, in the
//! table and in every quarter of the series), the series against each quarter's table, and the notes.
//! The programme tables of every quarter's report too (each window, and their differences over time:
//! see `differencing`), the share of participants living in a QPV and the funder targets (see
//! `share_and_targets`). It must recover nothing. The attacker itself is tested on tables with known
//! leaks.

use std::collections::BTreeMap;

use fracture::cli::DatasetArgs;
use fracture::indicators::table::{Compute, indicators};
use fracture::indicators::{Indicators, Note, TERRITORY};
use fracture::locale::{Lang, Locale};
use polars::prelude::*;

const MIN: f64 = 11.0;

pub(crate) fn small(x: f64) -> bool {
    let r = x.round();
    (r - x).abs() < 0.05 && (1.0..MIN).contains(&r)
}

/// One published table: area codes and the numeric columns, `None` for an empty cell.
pub(super) struct Published {
    pub label: String,
    pub codes: Vec<String>,
    pub cols: BTreeMap<String, Vec<Option<f64>>>,
}

impl Published {
    pub fn from_frame(label: String, df: &DataFrame) -> Published {
        let codes: Vec<String> = df
            .column("area_code")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|c| c.unwrap_or("").to_string())
            .collect();
        let mut cols = BTreeMap::new();
        for c in df.columns() {
            if let Ok(v) = c.cast(&DataType::Float64)
                && c.dtype().is_primitive_numeric()
            {
                cols.insert(c.name().to_string(), v.f64().unwrap().iter().collect());
            }
        }
        Published { label, codes, cols }
    }

    pub fn get(&self, col: &str) -> Option<&Vec<Option<f64>>> {
        self.cols.get(col)
    }

    fn territory(&self) -> Option<usize> {
        self.codes.iter().position(|c| c == TERRITORY)
    }
}

/// Columns that count persons, from the indicator table.
fn person_columns() -> Vec<String> {
    indicators()
        .iter()
        .filter(|d| d.compute.iter().any(|c| matches!(c, Compute::Persons { .. })))
        .map(|d| d.id.clone())
        .collect()
}

/// Everything the attacker recovers from one table.
pub(super) fn attack(p: &Published) -> Vec<String> {
    let mut found = Vec::new();
    let t = p.territory();
    let mut leak = |what: String, x: f64| {
        if small(x) {
            found.push(format!("{}: {what} = {x:.2}", p.label));
        }
    };
    // Every derived count, by area: the published counts, and completed / not completed.
    let mut derived: BTreeMap<String, Vec<Option<f64>>> = BTreeMap::new();
    for col in person_columns() {
        if let Some(v) = p.get(&col) {
            derived.insert(col, v.clone());
        }
    }
    if let (Some(rate), Some(n)) = (p.get("completion_rate"), p.get("course_enrolled")) {
        let done: Vec<Option<f64>> =
            rate.iter().zip(n).map(|(r, n)| Some(r.as_ref()? * n.as_ref()? / 100.0)).collect();
        let not_done: Vec<Option<f64>> =
            done.iter().zip(n).map(|(d, n)| Some(n.as_ref()? - d.as_ref()?)).collect();
        derived.insert("completed (rate × enrolled)".into(), done);
        derived.insert("not completed (enrolled − rate × enrolled)".into(), not_done);
    }
    for (what, v) in &derived {
        for (code, x) in p.codes.iter().zip(v) {
            if let Some(x) = x {
                leak(format!("{what} of {code}"), *x);
            }
        }
        // The total minus its published parts gives back the sum of the hidden parts.
        if let Some(total) = t.and_then(|t| v[t]) {
            let parts: f64 =
                p.codes.iter().zip(v).filter(|(c, _)| *c != TERRITORY).filter_map(|(_, x)| *x).sum();
            leak(format!("{what}: total − published parts"), total - parts);
        }
    }
    // A rate published beside a hidden count gives it back through the published population.
    if let (Some(rate), Some(n), Some(pop)) =
        (p.get("participants_per_1000"), p.get("participants"), p.get("population"))
    {
        for ((code, r), (n, pop)) in p.codes.iter().zip(rate).zip(n.iter().zip(pop)) {
            if let (Some(r), None, Some(pop)) = (r, n, pop) {
                leak(format!("participants of {code} (rate × population)"), r * pop / 1000.0);
            }
        }
    }
    found
}

/// The series rows of one quarter as a table.
fn series_quarter(series: &DataFrame, quarter: &str) -> DataFrame {
    series.clone().lazy().filter(col("quarter").eq(lit(quarter.to_string()))).collect().unwrap()
}

/// The same cell must be hidden in every file that publishes it (else one file fills the other's hole).
pub(super) fn disagreements(a: &Published, b: &Published, col: &str) -> Vec<String> {
    let (Some(va), Some(vb)) = (a.get(col), b.get(col)) else { return Vec::new() };
    let by_code: BTreeMap<&String, Option<f64>> = b.codes.iter().zip(vb.iter().copied()).collect();
    a.codes
        .iter()
        .zip(va)
        .filter_map(|(code, x)| {
            let y = by_code.get(code).copied().flatten();
            (x.is_some() != y.is_some() || x.zip(y).is_some_and(|(x, y)| (x - y).abs() > 1e-9))
                .then(|| format!("{} vs {}: {col} of {code}: {x:?} / {y:?}", a.label, b.label))
        })
        .collect()
}

fn note_leaks(notes: &[Note]) -> Vec<String> {
    let mut found = Vec::new();
    for n in notes {
        if let Note::NotCounted { outside, unknown, .. } = n {
            for v in [outside, unknown].into_iter().flatten() {
                if small(*v as f64) {
                    found.push(format!("note {n:?}"));
                }
            }
        }
        // The words too: no note says a small number of persons.
        let text = n.text(&Locale::new(Lang::Fr));
        if matches!(n, Note::NotCounted { .. })
            && text.split(|c: char| !c.is_ascii_digit()).any(|w| w.parse::<f64>().is_ok_and(small))
        {
            found.push(format!("note text {text:?}"));
        }
    }
    found
}

fn demo_quarters() -> Vec<Indicators> {
    let args = crate::support::demo_args(None);
    let ctx = fracture::pipeline::context(&args).unwrap();
    let inputs = fracture::ingest::ingest(&ctx).unwrap();
    let joined = fracture::join::join(
        &inputs,
        &ctx.dataset.commune_codes(),
        ctx.dataset.parameters.population_weighting,
    )
    .unwrap();
    let latest = fracture::indicators::compute(&ctx, &inputs, &joined, &Locale::default()).unwrap();
    latest
        .quarters
        .iter()
        .map(|q| {
            let ctx =
                fracture::pipeline::context(&DatasetArgs { quarter: Some(*q), ..args.clone() }).unwrap();
            fracture::indicators::compute(&ctx, &inputs, &joined, &Locale::default()).unwrap()
        })
        .collect()
}

#[test]
fn no_small_count_is_recovered_from_anything_published_in_any_quarter() {
    let runs = demo_quarters();
    assert!(runs.len() >= 8, "the demo has 8 quarters: {}", runs.len());
    let mut found = Vec::new();
    for ind in &runs {
        let table = Published::from_frame(format!("table {}", ind.period), &ind.table);
        found.extend(attack(&table));
        let series = ind.series.as_ref().expect("a series");
        for q in &ind.quarters {
            let rows = Published::from_frame(
                format!("series {q} (in the {} report)", ind.period),
                &series_quarter(series, &q.to_string()),
            );
            found.extend(attack(&rows));
            if q.to_string() == ind.period {
                found.extend(disagreements(&table, &rows, "participants"));
                found.extend(disagreements(&table, &rows, "participants_per_1000"));
            }
        }
        found.extend(note_leaks(&ind.notes));
        found.extend(super::share_and_targets::share_leaks(&table, &ind.notes));
        found.extend(super::share_and_targets::target_leaks(ind));
    }
    // The programme tables: every window, and their differences over time.
    found.extend(super::differencing::programme_leaks(&runs));
    // Every report publishes the same series: one run's series must not fill another's holes.
    for w in runs.windows(2) {
        let (a, b) = (w[0].series.as_ref().unwrap(), w[1].series.as_ref().unwrap());
        assert_eq!(a, b, "the series differs between the {} and {} reports", w[0].period, w[1].period);
    }
    assert!(found.is_empty(), "{} small counts recovered:\n{}", found.len(), found.join("\n"));

    // The targets' attacker is not blind: a programme cell hidden behind a published actual is found.
    let mut runs = runs;
    let last = runs.last_mut().unwrap();
    let t = last.targets.as_ref().expect("the demo's targets");
    let actual: Vec<Option<f64>> = t.column("actual").unwrap().f64().unwrap().iter().collect();
    let row = actual.iter().position(Option::is_some).expect("a published actual");
    let get = |c: &str| t.column(c).unwrap().str().unwrap().get(row).unwrap().to_string();
    let (code, window, measure) = (get("area_code"), get("window"), get("measure"));
    let p = last.programme.as_mut().unwrap();
    let dtype = p.column(&measure).unwrap().dtype().clone();
    let here = col("window").eq(lit(window)).and(col("area_code").eq(lit(code)));
    *p = p
        .clone()
        .lazy()
        .with_column(when(here).then(lit(NULL).cast(dtype)).otherwise(col(&measure)).alias(&measure))
        .collect()
        .unwrap();
    let leaks = super::share_and_targets::target_leaks(last);
    assert!(leaks.iter().any(|l| l.contains("where the programme table hides it")), "{leaks:?}");
}

#[test]
fn the_attacker_finds_known_leaks() {
    // 12 enrolled at 91.7 % gives back 1 person who did not complete; the territory's 30 participants
    // minus the published 25 give back 5; a rate beside a hidden count gives it back.
    let df = df!(
        "area_code" => ["Q1", "Q2", "HORS_QPV", TERRITORY],
        "population" => [Some(2000.0), Some(1000.0), Some(5000.0), Some(8000.0)],
        "participants" => [Some(25.0), None, Some(0.0), Some(30.0)],
        "participants_per_1000" => [Some(12.5), Some(5.0), Some(0.0), Some(3.75)],
        "course_enrolled" => [Some(12.0), Some(0.0), Some(0.0), Some(12.0)],
        "completion_rate" => [Some(91.7), None, None, Some(91.7)],
    )
    .unwrap();
    let found = attack(&Published::from_frame("crafted".into(), &df));
    let has = |s: &str| found.iter().any(|f| f.contains(s));
    assert!(has("not completed (enrolled − rate × enrolled) of Q1"), "{found:#?}");
    assert!(has("participants: total − published parts"), "{found:#?}");
    assert!(has("participants of Q2 (rate × population)"), "{found:#?}");
    assert!(!note_leaks(&[Note::NotCounted { outside: Some(1), unknown: None, min: 11 }]).is_empty());
    // 40 of the 60 participants (48 in the territory, 12 outside it) live in a QPV: 66.7 %. Beside the
    // published 25 + 11 in QPV, the share gives back the 4 hidden in Q3.
    let df = df!(
        "area_code" => ["Q1", "Q2", "Q3", "HORS_QPV", TERRITORY],
        "participants" => [Some(25.0), Some(11.0), None, Some(8.0), Some(48.0)],
        "share_participants_in_qpv" => [None, None, None, None, Some(66.7)],
    )
    .unwrap();
    let p = Published::from_frame("crafted".into(), &df);
    let notes = [Note::NotCounted { outside: Some(12), unknown: None, min: 11 }];
    let found = super::share_and_targets::share_leaks(&p, &notes);
    assert!(found.iter().any(|f| f.contains("hidden QPV participants") && f.ends_with("= 4")), "{found:#?}");
    let hidden = [Note::NotCounted { outside: None, unknown: None, min: 11 }];
    assert!(!super::share_and_targets::share_leaks(&p, &hidden).is_empty());
}
