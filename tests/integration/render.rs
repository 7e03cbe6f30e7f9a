//! Stage `render`: maps and charts drawn from hand-made inputs; `demo`: the demo report's figures.
//!
//! Set `FRACTURE_RENDER_OUT=<folder>` to keep the figures there for a look.

use std::path::{Path, PathBuf};

use fracture::indicators::table::Direction;
use fracture::render::classify::{Method, UserBreaks};
use fracture::render::{
    ChartSpec, MapFeature, MapSpec, MapValue, PanelSeries, Reference, RenderError, Series, choropleth,
    line_chart, order_by_latest, scatter, series_panels,
};
use geo::{LineString, MultiPolygon, Polygon, polygon};

use crate::support;

mod demo;

const NOTICE: &str = "DONNÉES SYNTHÉTIQUES DE DÉMONSTRATION";
/// Strasbourg, in Lambert-93 metres.
const CX: f64 = 1_050_000.0;
const CY: f64 = 6_840_000.0;

/// The output folder: `FRACTURE_RENDER_OUT/<name>` when set, else a fresh temporary folder.
fn out_dir(name: &str) -> (Option<tempfile::TempDir>, PathBuf) {
    match std::env::var_os("FRACTURE_RENDER_OUT") {
        Some(dir) => (None, PathBuf::from(dir).join(name)),
        None => {
            let tmp = support::workdir();
            let path = tmp.path().to_path_buf();
            (Some(tmp), path)
        }
    }
}

/// An irregular closed ring around (x, y) of mean radius r.
fn blob(x: f64, y: f64, r: f64, phase: f64) -> LineString<f64> {
    (0..=48)
        .map(|i| {
            let t = std::f64::consts::TAU * f64::from(i % 48) / 48.0;
            let k = r * (1.0 + 0.18 * (3.0 * t + phase).sin() + 0.07 * (5.0 * t - phase).cos());
            (x + k * t.cos(), y + k * t.sin())
        })
        .collect()
}

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Polygon<f64> {
    polygon![(x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1)]
}

fn feature(code: &str, label: &str, geometry: MultiPolygon<f64>, value: Option<f64>) -> MapFeature {
    MapFeature { code: code.into(), label: label.into(), geometry, value: value.into() }
}

/// Seven QPV: simple shapes, a two-part MultiPolygon, a polygon with a hole and one without value.
fn features() -> Vec<MapFeature> {
    let single = |dx: f64, dy: f64, r: f64, phase: f64| {
        MultiPolygon::new(vec![Polygon::new(blob(CX + dx, CY + dy, r, phase), vec![])])
    };
    let with_hole = MultiPolygon::new(vec![Polygon::new(
        blob(CX + 1800.0, CY - 1500.0, 900.0, 1.0),
        vec![blob(CX + 1800.0, CY - 1500.0, 300.0, 2.0)],
    )]);
    let two_parts = MultiPolygon::new(vec![
        Polygon::new(blob(CX - 2600.0, CY + 1200.0, 550.0, 0.3), vec![]),
        Polygon::new(blob(CX - 1500.0, CY + 2100.0, 400.0, 2.2), vec![]),
    ]);
    vec![
        feature("QN06701M", "Hautepierre", single(-3000.0, -600.0, 800.0, 0.0), Some(38.4)),
        feature("QN06702M", "Cronenbourg", two_parts, Some(71.9)),
        feature("QN06703M", "Neuhof", with_hole, Some(12.5)),
        feature("QN06704M", "Elsau", single(-1200.0, -2300.0, 500.0, 1.7), None),
        feature("QN06705M", "Esplanade", single(1500.0, 1400.0, 600.0, 0.9), Some(88.0)),
        feature("QN06706M", "Port du Rhin", single(3600.0, 400.0, 650.0, 2.5), Some(55.2)),
        feature("QN06707M", "Meinau", single(200.0, -3300.0, 700.0, 3.1), Some(97.6)),
    ]
}

/// IRIS-like grid over the commune, and one far-away commune that must not widen the map.
fn background() -> Vec<MultiPolygon<f64>> {
    let mut cells = Vec::new();
    for i in 0..6 {
        for j in 0..5 {
            let (x0, y0) = (CX - 5000.0 + 1800.0 * f64::from(i), CY - 4500.0 + 1900.0 * f64::from(j));
            cells.push(MultiPolygon::new(vec![rect(x0, y0, x0 + 1800.0, y0 + 1900.0)]));
        }
    }
    cells.push(MultiPolygon::new(vec![rect(CX + 90_000.0, CY, CX + 95_000.0, CY + 5000.0)]));
    cells
}

fn map_spec<'a>(stem: &'a str) -> MapSpec<'a> {
    MapSpec {
        file_stem: stem,
        title: "Locaux éligibles au très haut débit (≥ 30 Mbit/s), 2026-T3",
        legend_title: "% des locaux",
        unit: "%",
        direction: Direction::HigherIsBetter,
        decimals: 1,
        method: &Method::Quantiles,
        classes: 5,
        credit: "Sources : Arcep, Ma connexion internet (2026-T3) ; ANCT, quartiers prioritaires 2024. \
                 Licence Ouverte 2.0. Réalisation : fracture.",
        notice: Some(NOTICE),
        description: "Carte des quartiers prioritaires de Strasbourg selon la part des locaux éligibles \
                      au très haut débit.",
        locale: &FR,
    }
}

/// The `<title>` of each area of a map's SVG, in order.
fn area_titles(svg: &str) -> Vec<String> {
    svg.split("<g role=\"img\"><title>")
        .skip(1)
        .map(|part| unescaped(&part[..part.find("</title>").expect("title end")]))
        .collect()
}

fn unescaped(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Width of a PNG from its IHDR chunk (big-endian u32 at offset 16).
fn png_width(path: &Path) -> u32 {
    let bytes = std::fs::read(path).expect("read PNG");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{} is not a PNG", path.display());
    assert_eq!(&bytes[12..16], b"IHDR");
    u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]])
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("read SVG")
}

/// XML-escaped as plotters writes text.
fn escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

#[test]
fn choropleth_writes_accessible_png_and_svg() {
    let (_keep, dir) = out_dir("map");
    let spec = map_spec("eligibility_thd30");
    let map = choropleth(&spec, &background(), &features(), &dir).expect("map drawn");

    assert_eq!(map.png, dir.join("eligibility_thd30.png"));
    assert_eq!(map.svg, dir.join("eligibility_thd30.svg"));
    assert!(png_width(&map.png) >= 800);
    assert_eq!(map.classes.len(), 5, "{:?}", map.classes);
    assert_eq!(map.description, spec.description);

    let svg = read(&map.svg);
    let root = &svg[svg.find("<svg").expect("<svg")..];
    let root = &root[..root.find('>').expect("root end")];
    assert!(root.contains(r#"role="group""#), "a map is a group of areas: {root}");
    assert!(root.contains("aria-labelledby=") && root.contains("aria-describedby="), "{root}");
    // The locator inset is an image of its own, saying where the frame lies in the territory.
    assert!(
        svg.contains("<g class=\"inset\" role=\"img\" fill=\"#000000\" fill-opacity=\"0\"><title>Situation : Quartiers prioritaires (en noir) dans le territoire (en gris) ; le rectangle marque"),
        "inset"
    );
    // Each QPV is an image with its own title (name, code, value or why there is none), in the
    // input order, in a layer on top of the drawing.
    let tips = area_titles(&svg);
    assert_eq!(
        tips,
        [
            "Hautepierre (QN06701M) : 38,4 %",
            "Cronenbourg (QN06702M) : 71,9 %",
            "Neuhof (QN06703M) : 12,5 %",
            "Elsau (QN06704M) : donnée non disponible",
            "Esplanade (QN06705M) : 88,0 %",
            "Port du Rhin (QN06706M) : 55,2 %",
            "Meinau (QN06707M) : 97,6 %",
        ]
    );
    let layer = &svg[svg.find("<g class=\"areas\"").expect("areas layer")..];
    assert!(layer.find("<text").is_none(), "the areas are drawn last, over the labels");
    let cronenbourg = &layer[layer.find("Cronenbourg").expect("Cronenbourg")..];
    let cronenbourg = &cronenbourg[..cronenbourg.find("</g>").expect("group end")];
    assert_eq!(cronenbourg.matches("<polygon").count(), 2, "both parts of a MultiPolygon are its area");
    assert!(svg.contains(r#"<text aria-hidden="true""#), "drawn texts repeat the title and desc");
    assert!(svg.contains(&format!("<title id=\"eligibility_thd30-title\">{}</title>", escaped(spec.title))));
    assert!(svg.contains(&format!("<desc id=\"eligibility_thd30-desc\">{}", escaped(spec.description))));
    for label in map.classes.labels_in(&FR) {
        assert!(svg.contains(&escaped(&label)), "legend label {label} missing");
    }
    // One area per class: every count reads "1 zone" (Elsau has no value).
    assert_eq!(map.classes.counts, [1, 1, 1, 1, 2]);
    assert!(svg.contains(">\n1 zone\n</text>") && svg.contains(">\n2 zones\n</text>"), "legend counts");
    assert!(svg.contains("Quantiles, 5 classes"), "the legend states the method");
    assert!(svg.contains("Donnée non disponible"), "no-data legend entry missing");
    assert!(!svg.contains("Secret statistique"), "no secret row without a secret area");
    assert_eq!((map.no_data, map.secret), (1, 0));
    assert!(svg.contains(NOTICE), "notice missing");
    assert!(svg.contains("Hautepierre"), "QPV labels missing");
    // The far-away commune did not widen the map: the scale bar shows kilometres, not tens of them.
    assert!(svg.contains(" km\n") || svg.contains(" m\n"));
    // No temporary file left behind.
    let names: Vec<_> =
        std::fs::read_dir(&dir).expect("list").filter_map(Result::ok).map(|e| e.file_name()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn choropleth_is_deterministic() {
    let (_keep_a, a) = out_dir("determinism_a");
    let (_keep_b, b) = out_dir("determinism_b");
    let spec = map_spec("map");
    let first = choropleth(&spec, &background(), &features(), &a).expect("first map");
    let second = choropleth(&spec, &background(), &features(), &b).expect("second map");
    assert_eq!(std::fs::read(&first.png).ok(), std::fs::read(&second.png).ok());
    assert_eq!(std::fs::read(&first.svg).ok(), std::fs::read(&second.svg).ok());
    // Drawing again over existing files gives the same bytes too.
    let again = choropleth(&spec, &background(), &features(), &a).expect("third map");
    assert_eq!(std::fs::read(&again.png).ok(), std::fs::read(&second.png).ok());
}

#[test]
fn choropleth_edge_cases() {
    let (_keep, dir) = out_dir("edge");
    // Lower is better, every value missing, no background, no notice.
    let mut spec = map_spec("all_missing");
    spec.direction = Direction::HigherIsWorse;
    spec.notice = None;
    let none: Vec<MapFeature> =
        features().into_iter().map(|f| MapFeature { value: MapValue::NoData, ..f }).collect();
    let map = choropleth(&spec, &[], &none, &dir).expect("map without values");
    assert!(map.classes.is_empty());
    let svg = read(&map.svg);
    assert!(svg.contains("Donnée non disponible") && !svg.contains(NOTICE));

    // All values equal: one class.
    let same: Vec<MapFeature> =
        features().into_iter().map(|f| MapFeature { value: MapValue::Value(50.0), ..f }).collect();
    let map = choropleth(&map_spec("all_equal"), &background(), &same, &dir).expect("one class");
    assert_eq!(map.classes.len(), 1);
    assert!(read(&map.svg).contains("50,0"));

    assert!(matches!(choropleth(&map_spec("nothing"), &[], &[], &dir), Err(RenderError::Empty { .. })));
    assert!(matches!(
        choropleth(&map_spec("../escape"), &background(), &features(), &dir),
        Err(RenderError::InvalidStem { .. })
    ));
}

/// Sixty QPV of 300 m × 300 m spread over 200 km (a region): a grid of fifty, and a cluster of ten
/// within 3 km of each other (a city). Two share the name "Centre Ville", one of them with the
/// highest value; one has no value.
fn regional_features() -> Vec<MapFeature> {
    let mut features: Vec<MapFeature> = (0..60)
        .map(|i| {
            let (x, y) = if i < 50 {
                (CX - 100_000.0 + 22_000.0 * f64::from(i % 10), CY - 50_000.0 + 25_000.0 * f64::from(i / 10))
            } else {
                (CX + 5_000.0 + 900.0 * f64::from(i % 4), CY + 1_000.0 + 800.0 * f64::from(i % 3))
            };
            // 37 and 60 are coprime: sixty distinct values from 10 to 69.
            let value = Some(f64::from((i * 37) % 60) + 10.0);
            let square = MultiPolygon::new(vec![rect(x, y, x + 300.0, y + 300.0)]);
            feature(&format!("QP0{i:05}"), &format!("Quartier {i}"), square, value)
        })
        .collect();
    let highest = features
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.value.known().partial_cmp(&b.1.value.known()).expect("finite"))
        .map(|(i, _)| i)
        .expect("features");
    features[highest].label = "Centre Ville".into();
    features[0].label = "Centre Ville".into();
    features[17].value = MapValue::NoData;
    features
}

#[test]
fn regional_map_shows_every_value_as_a_symbol_and_names_only_the_extremes() {
    let (_keep, dir) = out_dir("regional");
    let spec = MapSpec { notice: None, ..map_spec("regional") };
    let features = regional_features();
    let map = choropleth(&spec, &[], &features, &dir).expect("regional map");
    let svg = read(&map.svg);

    // A filled circle and an outline per feature, plus the legend's sample symbol.
    let circles = |fill_none: bool| {
        svg.lines()
            .filter(|l| l.starts_with("<circle") && l.contains(r#" r="7""#))
            .filter(|l| l.contains(r#"fill="none""#) == fill_none)
            // Not the white casing under the outline of a dark symbol.
            .filter(|l| !l.contains(r##"stroke="#FFFFFF""##))
            .count()
    };
    assert_eq!(circles(false), features.len() + 1, "one filled symbol per feature");
    assert_eq!(circles(true), features.len() + 1, "one symbol outline per feature");
    // The symbol of the feature without value is white (and hatched), like the legend's sample.
    let white = svg.lines().filter(|l| l.starts_with("<circle") && l.contains(r##"fill="#FFFFFF""##)).count();
    assert!(white >= 2, "{white} white symbols");
    assert!(svg.contains("Zone trop petite"), "the legend explains the symbols");

    // Only the extremes are named: compare with the same map without any name nor code.
    let anonymous: Vec<MapFeature> = features
        .iter()
        .map(|f| MapFeature { label: String::new(), code: String::new(), ..f.clone() })
        .collect();
    let spec_anonymous = MapSpec { file_stem: "anonymous", ..spec };
    let bare = choropleth(&spec_anonymous, &[], &anonymous, &dir).expect("map without names");
    let texts = |s: &str| s.matches("<text").count();
    let labels = texts(&svg) - texts(&read(&bare.svg));
    assert!((1..=6).contains(&labels), "{labels} labels on the map");
    // The drawing, without the layer that titles every area.
    let drawn = &svg[..svg.find("<g class=\"areas\"").expect("areas layer")];
    assert!(drawn.contains("Centre Ville (QP0"), "a shared name is told apart by its code");
    assert!(!drawn.contains("Quartier 17"), "the feature without value is not an extreme");
    assert!(svg.contains("<title>Quartier 17 ("), "yet it has its title, as every area");

    // The text alternatives say where the full list is.
    let desc = &svg[svg.find("<desc").expect("desc")..svg.find("</desc>").expect("desc end")];
    assert!(desc.contains("tableau") && desc.contains("60 zones trop petites"), "{desc}");
    assert!(map.description.starts_with(spec.description) && map.description.contains("tableau"));

    // Deterministic.
    let again = choropleth(&spec, &[], &features, &dir).expect("regional map again");
    assert_eq!(read(&again.svg), svg);
    let (_keep_b, other) = out_dir("regional_b");
    let elsewhere = choropleth(&spec, &[], &features, &other).expect("regional map elsewhere");
    assert_eq!(std::fs::read(&elsewhere.png).ok(), std::fs::read(&map.png).ok());
}

#[test]
fn city_map_has_no_symbol_and_names_every_feature() {
    let (_keep, dir) = out_dir("city");
    let map = choropleth(&map_spec("city"), &background(), &features(), &dir).expect("city map");
    let svg = read(&map.svg);
    assert!(!svg.contains("<circle"), "no symbol on a city map");
    for f in features() {
        assert!(svg.contains(&format!(">\n{}\n</text>", f.label)), "{} not named", f.label);
    }
    assert!(!svg.contains("tableau"));
}

/// Jenks, equal intervals and fixed thresholds on the same areas, with one secret and one no-data
/// area: each legend states its method, counts every class, and shows both kinds of missing value
/// with their own hatching.
#[test]
fn every_method_draws_a_legend_that_matches_the_map() {
    let (_keep, dir) = out_dir("methods");
    let mut areas = features();
    areas[0].value = MapValue::Secret;
    let thresholds = Method::Breaks(UserBreaks::new(vec![50.0, 70.0, 85.0]).expect("valid"));
    let cases = [
        (Method::Jenks, "jenks", "Seuils naturels (Jenks), 3 classes"),
        (Method::EqualIntervals, "equal", "Intervalles égaux, 3 classes"),
        (thresholds, "breaks", "Seuils fixés, 4 classes"),
    ];
    for (method, stem, summary) in &cases {
        let spec = MapSpec { method, classes: 3, ..map_spec(stem) };
        let map = choropleth(&spec, &background(), &areas, &dir).expect("map drawn");
        let svg = read(&map.svg);
        assert!(svg.contains(summary), "{stem}: {summary} missing");
        assert!(svg.contains("Donnée non disponible") && svg.contains("Secret statistique"), "{stem}");
        assert_eq!((map.no_data, map.secret), (1, 1), "{stem}");
        assert_eq!(map.classes.counts.iter().sum::<usize>(), 5, "{stem}: {:?}", map.classes);
        let desc = &svg[svg.find("<desc").expect("desc")..svg.find("</desc>").expect("desc end")];
        assert!(desc.contains(&format!("Classes : {summary}.")), "{stem}: {desc}");
        assert!(desc.contains("secret statistique (effectif masqué) : 1 zone"), "{stem}: {desc}");
        // Secret is cross-hatched: more hatching lines than the same map with that area as no data.
        let mut plain = areas.clone();
        plain[0].value = MapValue::NoData;
        let other = choropleth(&MapSpec { file_stem: "plain", ..spec }, &background(), &plain, &dir)
            .expect("map drawn");
        let paths = |s: &str| s.matches("<polyline").count();
        assert!(paths(&svg) > paths(&read(&other.svg)), "{stem}: secret is not cross-hatched");
    }
    // Jenks puts 12.5 alone, 88.0 and 97.6 together, on round bounds.
    let jenks =
        choropleth(&MapSpec { method: &Method::Jenks, classes: 3, ..map_spec("j") }, &[], &areas, &dir)
            .expect("jenks");
    assert_eq!(jenks.classes.counts, [1, 2, 2], "{:?}", jenks.classes);
}

fn chart_spec<'a>(stem: &'a str, title: &'a str, y_label: &'a str) -> ChartSpec<'a> {
    ChartSpec {
        file_stem: stem,
        title,
        y_label,
        credit: "Sources : Arcep ; structures de médiation numérique (données synthétiques). Licence Ouverte 2.0.",
        notice: Some(NOTICE),
        description: "Évolution trimestrielle de la part des locaux éligibles à la fibre.",
        locale: &FR,
    }
}

static FR: std::sync::LazyLock<fracture::locale::Locale> = std::sync::LazyLock::new(Default::default);

#[test]
fn line_chart_has_legend_gaps_and_accessible_svg() {
    let (_keep, dir) = out_dir("line");
    let q = |y: u32, t: u32| format!("{y}-T{t}");
    let quarters: Vec<String> =
        (2024..=2026).flat_map(|y| (1..=4).map(move |t| (y, t))).map(|(y, t)| q(y, t)).collect();
    let make = |label: &str, base: f64, slope: f64, missing: &[usize]| Series {
        label: label.into(),
        points: quarters
            .iter()
            .enumerate()
            .map(|(i, p)| (p.clone(), (!missing.contains(&i)).then_some(base + slope * i as f64)))
            .collect(),
    };
    let series = vec![
        make("Quartiers prioritaires", 42.0, 3.1, &[5, 6]),
        make("Reste de l'unité urbaine", 61.0, 2.4, &[]),
        make("France métropolitaine", 55.0, 2.7, &[]),
    ];
    let spec = chart_spec("ftth_trend", "Locaux raccordables à la fibre (FttH)", "% des locaux");
    let chart = line_chart(&spec, &series, &dir).expect("line chart");
    assert!(png_width(&chart.png) >= 1000);
    let svg = read(&chart.svg);
    assert!(svg.contains(r#"role="img""#) && svg.contains("<title id=\"ftth_trend-title\">"));
    assert!(svg.contains("<desc id=\"ftth_trend-desc\">"));
    for s in &series {
        assert!(svg.contains(&escaped(&s.label)), "legend entry {} missing", s.label);
    }
    assert!(svg.contains("2024-T1") && svg.contains("2026-T4"));
    assert!(svg.contains("trimestres sans donnée"), "gap footnote missing");
    assert!(svg.contains(NOTICE));
    // The description repeats the data, missing values included.
    assert!(svg.contains("2025-T2 n.d."), "desc should list missing values");

    let again = line_chart(&spec, &series, &dir).expect("line chart again");
    assert_eq!(std::fs::read(&again.png).ok(), std::fs::read(&chart.png).ok());

    let no_period: Vec<Series> = Vec::new();
    assert!(matches!(line_chart(&spec, &no_period, &dir), Err(RenderError::Empty { .. })));
}

#[test]
fn series_panels_show_secret_quarters_no_data_panels_and_targets() {
    let (_keep, dir) = out_dir("panels");
    let periods: Vec<String> = ["2026-T1", "2026-T2", "2026-T3"].map(String::from).to_vec();
    let v = MapValue::Value;
    let panel = |code: &str, label: &str, values: Vec<MapValue>, targets: Vec<(usize, f64)>| PanelSeries {
        code: code.into(),
        label: label.into(),
        values,
        targets,
    };
    let panels = vec![
        panel("Q1", "Neuhof", vec![v(2.0), MapValue::Secret, v(3.5)], vec![(2, 4.0)]),
        panel("Q2", "Hautepierre", vec![v(6.0), v(7.0), v(8.25)], Vec::new()),
        panel("Q3", "Cronenbourg", vec![MapValue::NoData; 3], Vec::new()),
    ];
    let order: Vec<usize> = order_by_latest(&panels);
    assert_eq!(order, [1, 0, 2], "highest latest value first, the one without data last");
    let ordered: Vec<PanelSeries> = order.iter().map(|i| panels[*i].clone()).collect();
    let reference = Reference { label: "Eurométropole".into(), values: vec![Some(1.0), Some(1.5), None] };
    let spec = chart_spec("reach_panels", "Participants pour 1 000 habitants", "pour 1 000 habitants");
    let chart = series_panels(&spec, &periods, &reference, &ordered, "Note de test.", &dir).expect("panels");
    assert!(png_width(&chart.png) >= 1000);
    let svg = read(&chart.svg);
    assert!(svg.contains(r#"role="img""#) && svg.contains("<title id=\"reach_panels-title\">"));
    for name in ["Neuhof", "Hautepierre", "Cronenbourg", "Eurométropole", "Note de test."] {
        assert!(svg.contains(&escaped(name)), "{name} missing");
    }
    // The desc gives every value: the secret one as "secret", never as a zero, and the target.
    assert!(
        svg.contains("Neuhof : 2026-T1 2,0 ; 2026-T2 secret ; 2026-T3 3,5. Objectif 2026-T3 : 4,0."),
        "{svg}"
    );
    assert!(svg.contains("Cronenbourg : 2026-T1 aucune donnée"), "a panel without data says so");
    assert!(svg.contains("Eurométropole : 2026-T1 1,0 ; 2026-T2 1,5 ; 2026-T3 aucune donnée."));
    assert!(svg.contains("Secret statistique") && svg.contains("Donnée non disponible"), "legend keys");
    assert!(svg.contains("objectif du financeur"), "target key");
    // Panels in their order: Hautepierre's title comes before Neuhof's.
    let at = |s: &str| svg.find(&format!(">\n{s}\n<")).unwrap_or(usize::MAX);
    assert!(at("Hautepierre") < at("Neuhof") && at("Neuhof") < at("Cronenbourg"));

    let again = series_panels(&spec, &periods, &reference, &ordered, "Note de test.", &dir).expect("again");
    assert_eq!(std::fs::read(&again.png).ok(), std::fs::read(&chart.png).ok());
    let short = vec![panel("Q4", "X", vec![v(1.0)], Vec::new())];
    assert!(matches!(
        series_panels(&spec, &periods, &reference, &short, "", &dir),
        Err(RenderError::Empty { .. })
    ));
    assert!(matches!(
        series_panels(&spec, &periods, &reference, &[], "", &dir),
        Err(RenderError::Empty { .. })
    ));
}

#[test]
fn scatter_labels_points_and_lists_missing_ones() {
    let (_keep, dir) = out_dir("scatter");
    let points: Vec<(String, Option<f64>, Option<f64>)> = vec![
        ("Hautepierre".into(), Some(44.0), Some(18.5)),
        ("Cronenbourg".into(), Some(38.0), Some(22.0)),
        ("Neuhof".into(), Some(47.5), Some(9.0)),
        ("Elsau".into(), Some(41.0), None),
        ("Esplanade".into(), Some(29.0), Some(31.0)),
        ("Port du Rhin".into(), None, Some(12.0)),
        ("Meinau".into(), Some(35.5), Some(14.2)),
        ("Koenigshoffen".into(), Some(36.0), Some(14.8)),
    ];
    let spec = ChartSpec {
        description: "Nuage de points : taux de pauvreté et participants aux ateliers numériques.",
        ..chart_spec(
            "need_vs_reach",
            "Besoin et portée de la médiation numérique",
            "Participants pour 1 000 habitants",
        )
    };
    let chart = scatter(&spec, "Taux de pauvreté (%)", &points, &dir).expect("scatter");
    assert!(png_width(&chart.png) >= 1000);
    let svg = read(&chart.svg);
    assert!(svg.contains(r#"role="img""#) && svg.contains("<title") && svg.contains("<desc"));
    for label in ["Hautepierre", "Cronenbourg", "Neuhof", "Esplanade", "Meinau", "Koenigshoffen"] {
        assert!(svg.contains(&format!(">\n{label}\n</text>")), "point label {label} missing");
    }
    assert!(svg.contains("Non représentés faute de donnée : Elsau, Port du Rhin."));
    assert!(svg.contains("Taux de pauvreté (%)"));
    assert!(svg.contains("médiane"));
    assert_eq!(chart.description, spec.description);

    let again = scatter(&spec, "Taux de pauvreté (%)", &points, &dir).expect("scatter again");
    assert_eq!(std::fs::read(&again.svg).ok(), std::fs::read(&chart.svg).ok());
}
