//! The texts of a map besides its legend: the long text alternative that goes into the SVG `<desc>`
//! (legend with counts, notes, values) and the footnotes on what the map leaves out.

use super::{MapFeature, MapSpec, MapState, MapValue};
use crate::locale::{Arg, Locale};
use crate::render::classify::Classes;
use crate::render::labels::EXTREMES;

/// The text of the SVG `<desc>`: the description, the method and number of classes, the legend with
/// the number of features per class (and of no data and secret, when there are some), the `notes`
/// on how the map is drawn and, for small maps, the value of each feature.
pub(super) fn long_description(
    spec: &MapSpec,
    classes: &Classes,
    features: &[MapFeature],
    notes: &[String],
) -> String {
    let l = spec.locale;
    let zones = |n: usize| Arg::Text(super::layout::zones(l, n));
    let entry = |label: String, n: usize| {
        l.format("map.legend_entry", &[("label", Arg::Text(label)), ("zones", zones(n))])
    };
    let mut entries: Vec<String> =
        (0..classes.len()).map(|i| entry(classes.full_label(i, l), classes.counts[i])).collect();
    let count = |state: MapState| features.iter().filter(|f| f.value.state() == state).count();
    for (key, state) in [("map.legend_no_data", MapState::NoData), ("map.secret", MapState::Secret)] {
        let n = count(state);
        if n > 0 {
            entries.push(entry(l.text(key).to_lowercase(), n));
        }
    }
    let sep = l.text("list.separator");
    let legend = l.format(
        "map.legend",
        &[("title", Arg::Text(spec.legend_title.to_string())), ("entries", Arg::Text(entries.join(sep)))],
    );
    let mut desc = spec.description.trim().to_string();
    if !classes.is_empty() {
        desc.push('\n');
        desc.push_str(&l.format("map.method", &[("summary", Arg::Text(classes.summary(l)))]));
    }
    desc.push('\n');
    desc.push_str(&legend);
    for note in notes {
        desc.push('\n');
        desc.push_str(note);
    }
    if !features.is_empty() && features.len() <= 50 {
        let items: Vec<String> = features
            .iter()
            .map(|f| {
                let v = match f.value {
                    MapValue::Secret => l.text("map.state_secret").to_string(),
                    v => l.number(v.known().unwrap_or(f64::NAN), spec.decimals),
                };
                l.format(
                    "map.value_named",
                    &[
                        ("name", Arg::Text(f.label.clone())),
                        ("code", Arg::Text(f.code.clone())),
                        ("value", Arg::Text(v)),
                    ],
                )
            })
            .collect();
        desc.push('\n');
        desc.push_str(&l.format("map.values", &[("items", Arg::Text(items.join(sep)))]));
    }
    desc
}

/// Footnote and text alternative of a map that names only the extreme values.
pub(super) fn extremes_note(l: &Locale) -> String {
    l.format("map.extremes_only", &[("n", Arg::Count(EXTREMES as u64))])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::choropleth::square;
    use crate::render::classify::Method;
    use geo::MultiPolygon;

    #[test]
    fn description_counts_classes_and_missing() {
        let spec = MapSpec {
            file_stem: "x",
            title: "T",
            legend_title: "% des locaux",
            unit: "%",
            direction: crate::indicators::table::Direction::HigherIsBetter,
            decimals: 1,
            method: &Method::Quantiles,
            classes: 5,
            credit: "",
            notice: None,
            description: "Carte.",
            locale: &Locale::default(),
        };
        let f = |code: &str, value| MapFeature {
            code: code.into(),
            label: code.into(),
            geometry: MultiPolygon::new(vec![square(0.0, 0.0, 1.0)]),
            value,
        };
        let features =
            [f("A", MapValue::Value(10.0)), f("B", MapValue::Value(20.0)), f("C", MapValue::NoData)];
        let classes = Method::Quantiles.classify(&[10.0, 20.0], 5, 1);
        let d = long_description(&spec, &classes, &features, &[]);
        assert!(
            d.starts_with("Carte.\nClasses : Quantiles, 2 classes sur 5 demandées (2 valeurs distinctes).\n"),
            "{d}"
        );
        assert!(
            d.contains("Légende (% des locaux) : [10,0 ; 15,0[ (une seule valeur : 10,0) : 1 zone"),
            "{d}"
        );
        assert!(d.contains("donnée non disponible : 1 zone") && !d.contains("secret"), "{d}");
        assert!(d.contains("C (C) : n.d."), "{d}");
        let features = [f("A", MapValue::Value(10.0)), f("S", MapValue::Secret)];
        let d = long_description(&spec, &classes, &features, &[]);
        assert!(
            d.contains("secret statistique (effectif masqué) : 1 zone") && !d.contains("donnée non"),
            "{d}"
        );
        assert!(d.contains("S (S) : secret statistique"), "{d}");
    }
}
