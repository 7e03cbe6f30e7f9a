//! Stage `render`: chooses the figures a dataset's indicators allow and draws them.
//!
//! Inputs: the QPV geometries, the IRIS outlines (background), the indicator table and series.
//! Output: `<out_dir>/*.png|svg` and a [`Figure`] list (title, files, text alternative) for the report.
//! A map is drawn only for a column the table has; every figure carries the dataset's credit line and,
//! for synthetic data, its notice.

use std::collections::BTreeMap;
use std::path::Path;

use polars::prelude::*;

use super::{ChartSpec, MapFeature, MapSpec, RenderError, Series, choropleth, line_chart, scatter};
use crate::indicators::definitions::definition;
use crate::indicators::{Indicators, TERRITORY};
use crate::ingest::Inputs;

/// A drawn figure, paths relative to the report folder.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Figure {
    pub kind: &'static str,
    pub title: String,
    pub png: String,
    pub svg: String,
    pub description: String,
}

/// (column, file stem, higher is better, decimals)
const MAPS: &[(&str, &str, bool, usize)] = &[
    ("share_thd30", "eligibility_thd30", true, 0),
    ("share_ftth", "eligibility_ftth", true, 0),
    ("participants_per_1000", "reach_per_1000", true, 1),
    ("completion_rate", "completion_rate", true, 0),
    ("poverty_rate", "poverty_rate", false, 0),
    ("fragility_index", "fragility_index", false, 0),
    ("employment_rate", "employment_rate", true, 0),
    ("median_income", "median_income", true, 0),
];

fn column_values(df: &DataFrame, name: &str) -> Option<BTreeMap<String, Option<f64>>> {
    let codes = df.column("area_code").ok()?.str().ok()?.clone();
    let values = df.column(name).ok()?.cast(&DataType::Float64).ok()?;
    let values = values.f64().ok()?;
    Some(codes.iter().zip(values.iter()).filter_map(|(c, v)| Some((c?.to_string(), v))).collect())
}

/// Text alternative of a choropleth: range, extremes, missing.
fn describe(
    label: &str,
    unit: &str,
    feats: &[MapFeature],
    territory: Option<f64>,
    decimals: usize,
) -> String {
    let mut known: Vec<&MapFeature> = feats.iter().filter(|f| f.value.is_some()).collect();
    known.sort_by(|a, b| {
        a.value.partial_cmp(&b.value).unwrap_or(std::cmp::Ordering::Equal).then(a.code.cmp(&b.code))
    });
    let fmt = |v: f64| format!("{} {unit}", crate::numbers::fr(v, decimals)).trim_end().to_string();
    let mut s = format!("Carte des {} quartiers prioritaires : {label}.", feats.len());
    if let (Some(lo), Some(hi)) = (known.first(), known.last()) {
        s.push_str(&format!(
            " Valeur la plus élevée : {} ({}) ; la plus faible : {} ({}).",
            hi.label,
            fmt(hi.value.unwrap_or_default()),
            lo.label,
            fmt(lo.value.unwrap_or_default())
        ));
    }
    if let Some(t) = territory {
        s.push_str(&format!(" Ensemble du territoire : {}.", fmt(t)));
    }
    let missing = feats.len() - known.len();
    if missing > 0 {
        s.push_str(&format!(" {missing} quartier(s) sans donnée ou sous secret statistique."));
    }
    s
}

/// Draws every figure the indicators allow into `out_dir` (the report's `maps/` folder).
pub fn render(
    inputs: &Inputs,
    ind: &Indicators,
    title_suffix: &str,
    credit: &str,
    notice: Option<&str>,
    out_dir: &Path,
) -> Result<Vec<Figure>, RenderError> {
    let background: Vec<geo::MultiPolygon<f64>> =
        inputs.iris.iter().flatten().map(|i| i.geometry.clone()).collect();
    let mut figures = Vec::new();
    let rel = |stem: &str, ext: &str| format!("maps/{stem}.{ext}");
    for &(column, stem, higher_is_better, decimals) in MAPS {
        let Some(values) = column_values(&ind.table, column) else { continue };
        let Some(def) = definition(column) else { continue };
        let features: Vec<MapFeature> = inputs
            .qpv
            .iter()
            .map(|q| MapFeature {
                code: q.code.clone(),
                label: q.name.clone(),
                geometry: q.geometry.clone(),
                value: values.get(&q.code).copied().flatten(),
            })
            .collect();
        if features.iter().all(|f| f.value.is_none()) {
            continue;
        }
        let title = format!("{} — {title_suffix}", def.label_fr);
        let description =
            describe(def.label_fr, def.unit, &features, values.get(TERRITORY).copied().flatten(), decimals);
        let legend = if def.unit.is_empty() { def.label_fr.to_string() } else { def.unit.to_string() };
        let spec = MapSpec {
            file_stem: stem,
            title: &title,
            legend_title: &legend,
            higher_is_better,
            decimals,
            credit,
            notice,
            description: &description,
        };
        let m = choropleth(&spec, &background, &features, out_dir)?;
        figures.push(Figure {
            kind: "map",
            title,
            png: rel(stem, "png"),
            svg: rel(stem, "svg"),
            description: m.description,
        });
    }

    // Quarterly reach per QPV and for the territory.
    if let Some(series) = &ind.series {
        let codes: Vec<String> =
            ind.areas.iter().filter(|a| a.area_type != "hors_qpv").map(|a| a.code.clone()).collect();
        let q = series.column("quarter").and_then(|c| c.str().cloned());
        let c = series.column("area_code").and_then(|c| c.str().cloned());
        let v = series.column("participants_per_1000").and_then(|c| c.f64().cloned());
        if let (Ok(q), Ok(c), Ok(v)) = (q, c, v) {
            let mut by_area: BTreeMap<String, Vec<(String, Option<f64>)>> = BTreeMap::new();
            for ((q, c), v) in q.iter().zip(c.iter()).zip(v.iter()) {
                if let (Some(q), Some(c)) = (q, c) {
                    let label = q.replace("-Q", "-T");
                    by_area.entry(c.to_string()).or_default().push((label, v));
                }
            }
            let series: Vec<Series> = codes
                .iter()
                .filter_map(|code| {
                    let name = ind.areas.iter().find(|a| &a.code == code).map(|a| a.name.clone())?;
                    Some(Series { label: name, points: by_area.remove(code)? })
                })
                .collect();
            let title = format!("Participants pour 1 000 habitants, par trimestre — {title_suffix}");
            let description = format!(
                "Graphique en lignes : participants aux programmes d'inclusion numérique pour 1 000 habitants, par trimestre, pour {} zones. Les trimestres sous secret statistique sont laissés vides.",
                series.len()
            );
            let spec = ChartSpec {
                file_stem: "reach_series",
                title: &title,
                y_label: "participants pour 1 000 habitants",
                credit,
                notice,
                description: &description,
            };
            let r = line_chart(&spec, &series, out_dir)?;
            figures.push(Figure {
                kind: "chart",
                title,
                png: rel("reach_series", "png"),
                svg: rel("reach_series", "svg"),
                description: r.description,
            });
        }
    }

    // Need versus reach.
    if let (Some(need), Some(reach)) =
        (column_values(&ind.table, "poverty_rate"), column_values(&ind.table, "participants_per_1000"))
    {
        let points: Vec<(String, Option<f64>, Option<f64>)> = inputs
            .qpv
            .iter()
            .map(|q| {
                (q.name.clone(), need.get(&q.code).copied().flatten(), reach.get(&q.code).copied().flatten())
            })
            .collect();
        let title = format!("Besoin et portée par quartier — {title_suffix}");
        let description = "Nuage de points : en abscisse le taux de pauvreté du quartier (%), en ordonnée les participants pour 1 000 habitants ; chaque point est un QPV nommé. Les quartiers sans donnée sont listés en note.".to_string();
        let spec = ChartSpec {
            file_stem: "need_vs_reach",
            title: &title,
            y_label: "participants pour 1 000 habitants",
            credit,
            notice,
            description: &description,
        };
        let r = scatter(&spec, "taux de pauvreté (%)", &points, out_dir)?;
        figures.push(Figure {
            kind: "chart",
            title,
            png: rel("need_vs_reach", "png"),
            svg: rel("need_vs_reach", "svg"),
            description: r.description,
        });
    }
    Ok(figures)
}
