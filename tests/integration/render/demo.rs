//! The demo report's figures (through the binary): sizes, accessibility, the titles of every area,
//! the small multiples' pooled classes, the reach panels against the published tables, and the
//! non-text contrast of every stroke.

use std::path::PathBuf;

use super::{area_titles, png_width, read};
use crate::support;

/// The maps of the demo report (through the binary): every PNG at least 800 px wide, every SVG an
/// accessible image (`role="img"`, or a group of areas for a map, with a `<desc>`) carrying the
/// synthetic-data notice.
#[test]
fn the_demo_report_maps_are_wide_accessible_and_labelled_synthetic() {
    let maps: Vec<PathBuf> = std::fs::read_dir(support::demo_report().file("maps"))
        .expect("maps folder")
        .map(|e| e.expect("dir entry").path())
        .collect();
    let with_ext = |ext: &str| -> Vec<&PathBuf> {
        maps.iter().filter(|p| p.extension().is_some_and(|e| e == ext)).collect()
    };
    let (pngs, svgs) = (with_ext("png"), with_ext("svg"));
    assert!(pngs.len() >= 3 && svgs.len() >= 3, "{maps:?}");
    for m in pngs {
        let width = png_width(m);
        assert!(width >= 800, "{} is {width} px wide", m.display());
    }
    for m in svgs {
        let s = read(m);
        let root = &s[..s.find('>').expect("root")];
        assert!(
            (root.contains("role=\"img\"") || root.contains("role=\"group\"")) && s.contains("<desc"),
            "{}",
            m.display()
        );
        assert!(s.to_lowercase().contains("synth"), "{} lacks the synthetic notice", m.display());
    }
}

/// Every QPV of the demo has its `<title>` in every map's SVG: its name and code from the published
/// table, then its published value (as rounded on the map) or the reason it has none, matching the
/// map's sidecar.
#[test]
fn every_qpv_of_the_demo_has_a_title_with_its_value_in_every_map() {
    let report = support::demo_report();
    let table = support::read_csv(&report.file("tables/indicators.csv"));
    let text = |col: &str| -> Vec<String> {
        table
            .column(col)
            .expect(col)
            .str()
            .expect("text")
            .iter()
            .map(|v| v.unwrap_or("").to_string())
            .collect()
    };
    let (kinds, codes, names) = (text("area_type"), text("area_code"), text("area_name"));
    let qpv: Vec<usize> = (0..kinds.len()).filter(|&i| kinds[i] == "qpv").collect();
    assert!(qpv.len() >= 10, "{} QPV", qpv.len());
    let mut maps = 0;
    for entry in std::fs::read_dir(report.file("maps")).expect("maps folder") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let data: serde_json::Value = serde_json::from_str(&read(&path)).expect("sidecar JSON");
        if data["kind"] != "map" {
            continue;
        }
        maps += 1;
        let values = text(data["indicator"].as_str().expect("indicator"));
        let svg = read(&path.with_extension("svg"));
        let tips = area_titles(&svg);
        let areas = data["areas"].as_array().expect("areas");
        assert_eq!(tips.len(), qpv.len(), "{}: one title per QPV", path.display());
        assert_eq!(areas.len(), qpv.len());
        for (tip, area) in tips.iter().zip(areas) {
            let code = area["code"].as_str().expect("code");
            let i =
                *qpv.iter().find(|&&i| codes[i] == code).unwrap_or_else(|| panic!("{code} not in the table"));
            let prefix = format!("{} ({code}) : ", names[i]);
            let shown = tip.strip_prefix(&prefix).unwrap_or_else(|| panic!("{tip:?} lacks {prefix:?}"));
            match area["state"].as_str() {
                Some("secret") => assert_eq!(shown, "secret statistique", "{tip}"),
                Some("no_data") => assert_eq!(shown, "donnée non disponible", "{tip}"),
                _ => {
                    let number = shown.split(' ').next().expect("a number");
                    let decimals = number.split(',').nth(1).map_or(0, str::len);
                    let parsed: f64 = number.replace('\u{a0}', "").replace(',', ".").parse().expect(tip);
                    let published: f64 = values[i].parse().expect("a published value");
                    let half = 0.5 * 10f64.powi(-(decimals as i32)) + 1e-9;
                    assert!((parsed - published).abs() <= half, "{tip}: published {published}");
                }
            }
        }
    }
    assert!(maps >= 5, "{maps} maps");
}

/// The demo's small multiples: one panel per quarter of the published series, every QPV on each, one
/// set of classes pooled over all the panels (their counts are those of every panel's values), and
/// each value as published.
#[test]
fn the_demo_small_multiples_pool_the_classes_of_every_quarter() {
    let report = support::demo_report();
    let path = report.file("maps/reach_per_1000_quarters.json");
    let data: serde_json::Value = serde_json::from_str(&read(&path)).expect("sidecar JSON");
    assert_eq!(data["kind"], "small_multiples");
    assert_eq!(data["indicator"], "participants_per_1000");
    let series = support::read_csv(&report.file("tables/series.csv"));
    let col = |c: &str| -> Vec<String> {
        series.column(c).expect(c).str().expect("text").iter().map(|v| v.unwrap_or("").to_string()).collect()
    };
    let (quarters, codes, rates) = (col("quarter"), col("area_code"), col("participants_per_1000"));
    let mut distinct = quarters.clone();
    distinct.sort();
    distinct.dedup();
    let panels = data["panels"].as_array().expect("panels");
    assert_eq!(panels.len(), distinct.len(), "one panel per quarter");
    assert!(panels.len() >= 2);
    let bounds: Vec<f64> = std::iter::once(&data["lower_bound"])
        .chain(data["breaks"].as_array().expect("breaks"))
        .map(|b| b.as_f64().expect("finite bounds"))
        .collect();
    let mut counts = vec![0u64; bounds.len() - 1];
    for (panel, quarter) in panels.iter().zip(&distinct) {
        for area in panel["areas"].as_array().expect("areas") {
            let code = area["code"].as_str().expect("code");
            let i = (0..codes.len()).find(|&i| &quarters[i] == quarter && codes[i] == code);
            let published = i.map(|i| rates[i].as_str()).filter(|r| !r.is_empty());
            match published {
                Some(r) => {
                    let v: f64 = r.parse().expect("a number");
                    assert_eq!(area["value"].as_f64(), Some(v), "{quarter} {code}");
                    let class = area["class"].as_u64().expect("a class") as usize;
                    let last = class == counts.len() - 1;
                    assert!(v >= bounds[class] && (v < bounds[class + 1] || last && v <= bounds[class + 1]));
                    counts[class] += 1;
                }
                None => assert!(area["value"].is_null() && area["state"] != "value", "{quarter} {code}"),
            }
        }
    }
    let published: Vec<u64> =
        data["counts"].as_array().expect("counts").iter().map(|c| c.as_u64().expect("count")).collect();
    assert_eq!(counts, published, "pooled counts are those of every panel's values");
    let svg = read(&path.with_extension("svg"));
    for quarter in &distinct {
        let label = quarter.replace("-Q", "-T");
        assert!(svg.contains(&format!(">\n{label}\n</text>")), "panel {label}");
    }
    assert!(svg.contains("role=\"img\"") && svg.contains("Classes communes"), "accessible, classes stated");
}

/// Every shape of every panel of the demo's small multiples has its own `<title>` with the QPV's
/// name, code, quarter and published value (or why it has none), as its sidecar gives them.
#[test]
fn every_shape_of_the_demo_small_multiples_has_its_own_title() {
    let report = support::demo_report();
    let path = report.file("maps/reach_per_1000_quarters.json");
    let data: serde_json::Value = serde_json::from_str(&read(&path)).expect("sidecar JSON");
    let svg = read(&path.with_extension("svg"));
    let titles = area_titles(&svg);
    let table = support::read_csv(&report.file("tables/indicators.csv"));
    let text = |c: &str| -> Vec<String> {
        table.column(c).expect(c).str().expect("text").iter().map(|v| v.unwrap_or("").to_string()).collect()
    };
    let (codes, names) = (text("area_code"), text("area_name"));
    let mut expected = Vec::new();
    for panel in data["panels"].as_array().expect("panels") {
        let period = panel["period"].as_str().expect("period");
        for area in panel["areas"].as_array().expect("areas") {
            let code = area["code"].as_str().expect("code");
            let name =
                codes.iter().position(|c| c == code).map(|i| names[i].clone()).expect("a published QPV");
            let value = match (area["state"].as_str(), area["value"].as_f64()) {
                (Some("value"), Some(v)) => format!("{v:.1} ‰").replace('.', ","),
                (Some("secret"), _) => "secret statistique".to_string(),
                _ => "donnée non disponible".to_string(),
            };
            expected.push(format!("{name} ({code}), {period} : {value}"));
        }
    }
    assert!(expected.len() >= 20, "{} shapes", expected.len());
    assert_eq!(titles, expected, "one title per shape and panel, in order");
}

/// The demo's reach panels draw the published series: one panel per QPV in the order of the latest
/// quarter's value, the territory as the reference, secret quarters as secret (never a number), and
/// the quarter's participant targets of `tables/targets.csv` per 1,000 residents of the QPV.
#[test]
fn the_demo_reach_panels_draw_the_published_series_and_targets() {
    let report = support::demo_report();
    let data: serde_json::Value =
        serde_json::from_str(&read(&report.file("maps/reach_series.json"))).expect("sidecar JSON");
    assert_eq!((data["kind"].as_str(), data["chart"].as_str()), (Some("chart"), Some("small_multiples")));
    let series = support::read_csv(&report.file("tables/series.csv"));
    let col = |df: &polars::prelude::DataFrame, c: &str| -> Vec<String> {
        df.column(c).expect(c).str().expect("text").iter().map(|v| v.unwrap_or("").to_string()).collect()
    };
    let (quarters, codes, counts, rates) = (
        col(&series, "quarter"),
        col(&series, "area_code"),
        col(&series, "participants"),
        col(&series, "participants_per_1000"),
    );
    let drawn_quarters: Vec<String> = data["quarters"]
        .as_array()
        .expect("quarters")
        .iter()
        .map(|q| q.as_str().expect("q").to_string())
        .collect();
    let published = |code: &str, q: &str| -> Option<(String, String)> {
        (0..codes.len())
            .find(|&i| codes[i] == code && quarters[i] == q)
            .map(|i| (counts[i].clone(), rates[i].clone()))
    };
    let check = |code: &str, values: &serde_json::Value, states: Option<&serde_json::Value>| {
        for (k, q) in drawn_quarters.iter().enumerate() {
            let (n, rate) = published(code, q).expect("a published row");
            match rate.parse::<f64>() {
                Ok(r) => assert_eq!(values[k].as_f64(), Some(r), "{code} {q}"),
                Err(_) => {
                    assert!(values[k].is_null(), "{code} {q}: a hidden rate is never drawn");
                    if let Some(states) = states {
                        let want = if n.is_empty() { "secret" } else { "no_data" };
                        assert_eq!(states[k], want, "{code} {q}");
                    }
                }
            }
        }
    };
    check("TERRITOIRE", &data["reference"]["values"], None);
    let panels = data["panels"].as_array().expect("panels");
    let table = support::read_csv(&report.file("tables/indicators.csv"));
    let qpv: Vec<String> = col(&table, "area_code").into_iter().filter(|c| c.starts_with("QN")).collect();
    assert_eq!(panels.len(), qpv.len(), "one panel per QPV");
    let mut latest = Vec::new();
    for p in panels {
        check(p["code"].as_str().expect("code"), &p["values"], Some(&p["states"]));
        assert_eq!(p["drawn"], true);
        latest.push(p["values"].as_array().and_then(|v| v.last()).and_then(|v| v.as_f64()));
    }
    let known: Vec<f64> = latest.iter().map_while(|v| *v).collect();
    assert!(known.windows(2).all(|w| w[0] >= w[1]), "highest latest value first: {latest:?}");
    assert!(latest[known.len()..].iter().all(Option::is_none), "then those without one");
    // Targets: the quarter's participant targets, per 1,000 residents of the QPV.
    let targets = support::read_csv(&report.file("tables/targets.csv"));
    let population = |code: &str| -> f64 {
        let i = col(&table, "area_code").iter().position(|c| c == code).expect("code");
        col(&table, "population")[i].parse().expect("population")
    };
    let (t_code, t_period, t_window, t_measure, t_value) = (
        col(&targets, "area_code"),
        col(&targets, "period"),
        col(&targets, "window"),
        col(&targets, "measure"),
        col(&targets, "target"),
    );
    let mut drawn_targets = 0;
    for i in 0..t_code.len() {
        if t_window[i] != "quarter" || t_measure[i] != "participants" {
            continue;
        }
        let p = panels.iter().find(|p| p["code"] == t_code[i].as_str()).expect("the target's panel");
        let target: f64 = t_value[i].parse().expect("target");
        let want = (target * 1000.0 / population(&t_code[i]) * 10.0).round() / 10.0;
        let t = &p["targets"][0];
        assert_eq!((t["quarter"].as_str(), t["per_1000"].as_f64()), (Some(t_period[i].as_str()), Some(want)));
        drawn_targets += 1;
    }
    assert!(drawn_targets >= 1, "the demo has a quarter target");
    let svg = read(&report.file("maps/reach_series.svg"));
    assert!(svg.contains(r#"role="img""#) && svg.contains("<desc id=\"reach_series-desc\">"));
    assert!(svg.contains(">\nsecret\n<"), "secret quarters are marked with the word");
}

/// Non-text contrast (WCAG 1.4.11), read from the demo's SVGs: every stroke colour (outlines,
/// hatching, swatch borders, chart lines and markers, axes) has ≥ 3:1 against the white page,
/// except the decoration: the context's outlines, the grid and the white casings under dark
/// outlines (which contrast with the fills they sit on, see `render::contrast`).
#[test]
fn every_stroke_of_the_demo_figures_has_non_text_contrast() {
    use fracture::render::contrast::{NON_TEXT, contrast};
    use plotters::style::{RGBColor, WHITE};
    const DECORATION: [&str; 3] = ["B4B4B4", "DDDDDD", "FFFFFF"];
    let dir = support::demo_report().file("maps");
    let mut checked = 0;
    let mut casings = 0;
    for entry in std::fs::read_dir(&dir).expect("maps folder") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "svg") {
            continue;
        }
        let svg = read(&path);
        for part in svg.split("stroke=\"#").skip(1) {
            let hex = &part[..6];
            if DECORATION.contains(&hex) {
                casings += usize::from(hex == "FFFFFF");
                continue;
            }
            let v = u32::from_str_radix(hex, 16).expect("a hex colour");
            let c = RGBColor((v >> 16) as u8, (v >> 8) as u8, v as u8);
            let r = contrast(c, WHITE);
            assert!(r >= NON_TEXT, "{}: stroke #{hex} is {r:.2}:1 on white", path.display());
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked} strokes");
    assert!(casings > 0, "the dark classes' outlines have their white casing");
}
