//! The texts of a map besides its legend: the long text alternative that goes into the SVG `<desc>`
//! (legend with counts, notes, values) and the footnotes on what the map leaves out.

use super::{MapFeature, MapSpec};
use crate::locale::{Arg, Locale};
use crate::render::classes::ClassBreaks;
use crate::render::labels::EXTREMES;

/// The text of the SVG `<desc>`: the description, the legend with the number of features per class,
/// the `notes` on how the map is drawn and, for small maps, the value of each feature.
pub(super) fn long_description(
    spec: &MapSpec,
    classes: &ClassBreaks,
    features: &[MapFeature],
    notes: &[String],
) -> String {
    let mut counts = vec![0usize; classes.len()];
    let mut missing = 0;
    for f in features {
        match f.value.filter(|v| v.is_finite()) {
            Some(v) if !classes.is_empty() => counts[classes.class_of(v)] += 1,
            _ => missing += 1,
        }
    }
    let l = spec.locale;
    let zones = |n: usize| {
        let key = if n > 1 { "map.zone_many" } else { "map.zone_one" };
        Arg::Text(l.format(key, &[("n", Arg::Count(n as u64))]))
    };
    let entry = |label: String, n: usize| {
        l.format("map.legend_entry", &[("label", Arg::Text(label)), ("zones", zones(n))])
    };
    let mut entries: Vec<String> = classes
        .labels_in(spec.decimals, l)
        .into_iter()
        .zip(&counts)
        .map(|(label, n)| entry(label, *n))
        .collect();
    entries.push(entry(l.text("map.no_data").to_lowercase(), missing));
    let sep = l.text("list.separator");
    let legend = l.format(
        "map.legend",
        &[("title", Arg::Text(spec.legend_title.to_string())), ("entries", Arg::Text(entries.join(sep)))],
    );
    let mut desc = format!("{}\n{legend}", spec.description.trim());
    for note in notes {
        desc.push('\n');
        desc.push_str(note);
    }
    if !features.is_empty() && features.len() <= 50 {
        let items: Vec<String> = features
            .iter()
            .map(|f| {
                let v = l.number(f.value.unwrap_or(f64::NAN), spec.decimals);
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
    use geo::MultiPolygon;

    #[test]
    fn description_counts_classes_and_missing() {
        let spec = MapSpec {
            file_stem: "x",
            title: "T",
            legend_title: "% des locaux",
            higher_is_better: true,
            decimals: 1,
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
        let features = [f("A", Some(10.0)), f("B", Some(20.0)), f("C", None)];
        let classes = ClassBreaks::quantiles(&[10.0, 20.0], 5, 1);
        let d = long_description(&spec, &classes, &features, &[]);
        assert!(d.starts_with("Carte.\nLégende (% des locaux) : [10,0 ; 15,0[ : 1 zone"), "{d}");
        assert!(d.contains("secret statistique : 1 zone"), "{d}");
        assert!(d.contains("C (C) : n.d."), "{d}");
    }
}
