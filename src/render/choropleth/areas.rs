//! The map's areas for people who point at them or listen to them: each feature's tooltip text (its
//! name, code and formatted value, or why it has none) and the SVG layer that carries it, one
//! `<g role="img">` per feature with its own `<title>`, over the drawing.
//!
//! Input: the painted features (pixel point lists, in the order of the map's input) and symbols of a
//! [`MapFigure`], and one tooltip per feature. Output: SVG text appended last to the document by
//! `svg_a11y`, so that it is on top for the pointer; its shapes are the features' own (holes left
//! open by the same bridged point lists), plus the circle of a feature drawn as a symbol, filled
//! black at zero opacity: invisible, yet hit by the pointer (`pointer-events` paints the fill).
//!
//! Invariant: one group per feature, in the input order, each with exactly one `<title>`, even a
//! feature with nothing to draw at the map's scale (its group then has only its title).

use std::fmt::Write;

use super::layout::MapFigure;
use super::{MapFeature, MapSpec, MapValue};
use crate::locale::Arg;
use crate::render::svg_a11y::escape;
use crate::render::symbols::SYMBOL_RADIUS;

/// A feature's value in words: "93 %", "secret statistique", "donnée non disponible".
fn value_text(spec: &MapSpec, value: MapValue) -> String {
    let l = spec.locale;
    match value {
        MapValue::Secret => l.text("map.state_secret").to_string(),
        v => match v.known() {
            Some(x) => format!("{} {}", l.number(x, spec.decimals), spec.unit).trim_end().to_string(),
            None => l.text("map.state_no_data").to_string(),
        },
    }
}

/// The tooltip of a feature: "Les Tilleuls (QN99901M) : 93 %", "… : secret statistique".
pub(super) fn tip(spec: &MapSpec, f: &MapFeature) -> String {
    spec.locale.format(
        "map.value_named",
        &[
            ("name", Arg::Text(f.label.clone())),
            ("code", Arg::Text(f.code.clone())),
            ("value", Arg::Text(value_text(spec, f.value))),
        ],
    )
}

/// The tooltip of a feature in one panel of small multiples, whose value is `value`:
/// "Les Tilleuls (QN99901M), 2026-T3 : 11,9".
pub(super) fn panel_tip(spec: &MapSpec, f: &MapFeature, period: &str, value: MapValue) -> String {
    spec.locale.format(
        "map.value_named_period",
        &[
            ("name", Arg::Text(f.label.clone())),
            ("code", Arg::Text(f.code.clone())),
            ("period", Arg::Text(period.to_string())),
            ("value", Arg::Text(value_text(spec, value))),
        ],
    )
}

/// The opening of the areas' layer: invisible fills that the pointer hits.
pub(super) const LAYER_OPEN: &str =
    "<g class=\"areas\" fill=\"#000000\" fill-opacity=\"0\" stroke=\"none\">\n";

/// One area of the layer: a `<g role="img">` with its `<title>`, its polygons and circles.
pub(super) fn push_area(
    out: &mut String,
    tip: &str,
    fills: &[Vec<(i32, i32)>],
    circles: impl Iterator<Item = (i32, i32)>,
) {
    out.push_str("<g role=\"img\"><title>");
    out.push_str(&escape(tip));
    out.push_str("</title>");
    for points in fills {
        out.push_str("<polygon points=\"");
        for (x, y) in points {
            let _ = write!(out, "{x},{y} ");
        }
        out.push_str("\"/>");
    }
    for (x, y) in circles {
        let _ = write!(out, "<circle cx=\"{x}\" cy=\"{y}\" r=\"{SYMBOL_RADIUS}\"/>");
    }
    out.push_str("</g>\n");
}

/// The SVG layer of the figure's areas (see the module header).
pub(super) fn svg_layer(figure: &MapFigure) -> String {
    let mut out = String::from(LAYER_OPEN);
    for (i, (feature, tip)) in figure.features.iter().zip(&figure.tips).enumerate() {
        let circles = figure.symbols.iter().filter(|s| s.feature == i).map(|s| s.centre);
        push_area(&mut out, tip, &feature.fills, circles);
    }
    out.push_str("</g>\n");
    if let Some(inset) = &figure.inset {
        // The locator inset: an image of its own, outside the areas' layer.
        let [(x0, y0), (x1, y1)] = inset.frame;
        out.push_str("<g class=\"inset\" role=\"img\" fill=\"#000000\" fill-opacity=\"0\"><title>");
        out.push_str(&escape(&inset.label));
        let (w, h) = (x1 - x0, y1 - y0);
        let _ = writeln!(out, "</title><rect x=\"{x0}\" y=\"{y0}\" width=\"{w}\" height=\"{h}\"/></g>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::table::Direction;
    use crate::locale::{Lang, Locale};
    use crate::render::choropleth::square;
    use crate::render::classify::Method;
    use geo::MultiPolygon;

    #[test]
    fn tips_give_the_value_with_its_unit_or_why_there_is_none() {
        for (lang, secret, none, value) in [
            (Lang::Fr, "A (Q1) : secret statistique", "A (Q1) : donnée non disponible", "A (Q1) : 92,5 %"),
            (Lang::En, "A (Q1): statistical secrecy", "A (Q1): no data available", "A (Q1): 92.5 %"),
        ] {
            let locale = Locale::new(lang);
            let spec = MapSpec {
                file_stem: "x",
                title: "T",
                legend_title: "%",
                unit: "%",
                direction: Direction::HigherIsBetter,
                decimals: 1,
                method: &Method::Quantiles,
                classes: 5,
                credit: "",
                notice: None,
                description: "",
                locale: &locale,
            };
            let f = |value| MapFeature {
                code: "Q1".into(),
                label: "A".into(),
                geometry: MultiPolygon::new(vec![square(0.0, 0.0, 1.0)]),
                value,
            };
            assert_eq!(tip(&spec, &f(MapValue::Secret)), secret);
            assert_eq!(tip(&spec, &f(MapValue::NoData)), none);
            assert_eq!(tip(&spec, &f(MapValue::Value(f64::NAN))), none);
            assert_eq!(tip(&spec, &f(MapValue::Value(92.49))), value);
        }
    }
}
