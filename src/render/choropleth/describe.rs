//! The texts of a map besides its legend: the long text alternative that goes into the SVG `<desc>`
//! (legend with counts, notes, values) and the footnotes on what the map leaves out.

use super::{MapFeature, MapSpec, NO_DATA_LABEL};
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
    let zones = |n: usize| if n > 1 { format!("{n} zones") } else { format!("{n} zone") };
    let mut entries: Vec<String> = classes
        .labels(spec.decimals)
        .iter()
        .zip(&counts)
        .map(|(l, n)| format!("{l} : {}", zones(*n)))
        .collect();
    entries.push(format!("{} : {}", NO_DATA_LABEL.to_lowercase(), zones(missing)));
    let mut desc =
        format!("{}\nLégende ({}) : {}.", spec.description.trim(), spec.legend_title, entries.join(" ; "));
    for note in notes {
        desc.push('\n');
        desc.push_str(note);
    }
    if !features.is_empty() && features.len() <= 50 {
        let items: Vec<String> = features
            .iter()
            .map(|f| {
                let v = f
                    .value
                    .filter(|v| v.is_finite())
                    .map_or("n.d.".to_string(), |v| crate::numbers::fr(v, spec.decimals));
                format!("{} ({}) : {v}", f.label, f.code)
            })
            .collect();
        desc.push_str(&format!("\nValeurs : {}.", items.join(" ; ")));
    }
    desc
}

/// Footnote and text alternative of a map that names only the extreme values.
pub(super) fn extremes_note() -> String {
    format!(
        "Seules les zones aux {EXTREMES} valeurs les plus élevées et aux {EXTREMES} plus faibles sont \
         nommées sur la carte ; la liste complète des valeurs figure dans le tableau qui accompagne la carte."
    )
}
/// Footnote of a map where symbols were pushed aside.
pub(super) const LEADER_NOTE: &str =
    "Les cercles trop proches sont écartés les uns des autres ; un trait les relie à leur zone.";

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
