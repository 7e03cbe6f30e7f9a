//! Map labels: which features are named, with which text, and where the names go.
//!
//! Input: the features; for each one a point inside it and the box its label goes around (the
//! symbol's box when the feature is drawn with a symbol), in pixels; the boxes that no label may
//! cover (symbols, specks); the map frame. Output: the [`PlacedLabel`]s.
//!
//! Invariants:
//! - [`LabelMode::All`] (a city map): every feature is a candidate, in input order, with its name,
//!   else its code;
//! - [`LabelMode::Extremes`] (more than [`LABEL_ALL_MAX`] features, or most of them drawn as
//!   symbols): only the [`EXTREMES`] highest and the [`EXTREMES`] lowest values are candidates, most
//!   extreme first, as "name : value" (with the code when several features share the name), else
//!   "code : value"; ties are broken by code;
//! - placement is greedy: on the feature when it is large enough to stay visible around its label,
//!   else beside it (right, left, top, bottom, then the four corners), and in the extremes mode
//!   else farther away with a leader line; a label stays inside the frame, overlaps no label nor
//!   leader already placed and covers no small feature nor symbol, and avoids the other features
//!   when it can.

use crate::locale::{Arg, Locale};
use std::collections::BTreeMap;

use super::choropleth::MapFeature;
use super::text::{self, SMALL, line_height};

/// Up to this many features, every one is labelled (when there is room).
pub(crate) const LABEL_ALL_MAX: usize = 30;
/// Number of highest and of lowest values named on a map with too many features to name them all.
pub(crate) const EXTREMES: usize = 3;
/// Features whose box is smaller than this (width, height, in px) are "small": a label never covers
/// them, it goes beside them.
const SMALL_FEATURE: (i32, i32) = (60, 40);

/// A box in pixels: left, top, right, bottom.
pub(crate) type PxBox = (i32, i32, i32, i32);

/// Which features a map names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LabelMode {
    /// Every feature, where there is room.
    All,
    /// Only the features with the highest and lowest values.
    Extremes,
}

impl LabelMode {
    /// `All` for a map of at most [`LABEL_ALL_MAX`] features of which at most half are drawn as
    /// symbols, else `Extremes`.
    pub(crate) fn for_map(features: usize, symbols: usize) -> LabelMode {
        if features <= LABEL_ALL_MAX && 2 * symbols <= features {
            LabelMode::All
        } else {
            LabelMode::Extremes
        }
    }
}

/// A feature to label and its texts, the preferred one first.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LabelRequest {
    /// Index of the feature.
    pub feature: usize,
    pub texts: Vec<String>,
}

/// A label that found room.
pub(crate) struct PlacedLabel {
    pub text: String,
    pub centre: (i32, i32),
    pub half: (i32, i32),
    /// A line from the feature's centre to the label, when the label had to go farther than
    /// beside the feature.
    pub leader: Option<[(i32, i32); 2]>,
}

/// Rings tried around a feature for a label drawn away from it with a leader line (extremes only).
const FAR_RINGS: i32 = 8;
/// Distance between two of these rings, in pixels.
const FAR_STEP: i32 = 16;

/// The features to label, in priority order, with their texts.
pub(crate) fn label_requests(
    features: &[MapFeature],
    mode: LabelMode,
    decimals: usize,
    locale: &Locale,
) -> Vec<LabelRequest> {
    let texts = |label: &str, code: &str, value: Option<String>| -> Vec<String> {
        let (label, code) = (label.trim(), code.trim());
        let with_value = |s: String| match &value {
            Some(v) => {
                locale.format("map.value", &[("name", Arg::Text(s.clone())), ("value", Arg::Text(v.clone()))])
            }
            None => s,
        };
        let mut texts = Vec::with_capacity(2);
        if !label.is_empty() {
            texts.push(with_value(label.to_string()));
        }
        if !code.is_empty() && code != label {
            texts.push(with_value(code.to_string()));
        }
        texts
    };
    match mode {
        LabelMode::All => features
            .iter()
            .enumerate()
            .map(|(i, f)| LabelRequest { feature: i, texts: texts(&f.label, &f.code, None) })
            .collect(),
        LabelMode::Extremes => {
            let mut same_name: BTreeMap<&str, usize> = BTreeMap::new();
            for f in features {
                *same_name.entry(f.label.trim()).or_default() += 1;
            }
            let mut known: Vec<(usize, f64)> =
                features.iter().enumerate().filter_map(|(i, f)| f.value.known().map(|v| (i, v))).collect();
            known.sort_by(|a, b| {
                a.1.total_cmp(&b.1).then_with(|| features[a.0].code.cmp(&features[b.0].code))
            });
            // Highest, lowest, second highest, second lowest…; each feature once.
            let n = EXTREMES.min(known.len());
            let mut order: Vec<(usize, f64)> = Vec::with_capacity(2 * n);
            for k in 0..n {
                for item in [known[known.len() - 1 - k], known[k]] {
                    if !order.iter().any(|(i, _)| *i == item.0) {
                        order.push(item);
                    }
                }
            }
            order
                .into_iter()
                .map(|(i, v)| {
                    let f = &features[i];
                    let name = f.label.trim();
                    let label = if same_name.get(name).is_some_and(|n| *n > 1) && !f.code.trim().is_empty() {
                        format!("{name} ({})", f.code.trim())
                    } else {
                        name.to_string()
                    };
                    LabelRequest {
                        feature: i,
                        texts: texts(&label, &f.code, Some(locale.number(v, decimals))),
                    }
                })
                .collect()
        }
    }
}

fn boxes_overlap(a: &PxBox, b: &PxBox) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

fn contains(b: &PxBox, (x, y): (i32, i32)) -> bool {
    b.0 <= x && x <= b.2 && b.1 <= y && y <= b.3
}

/// True when the segment from `a` to `b` passes through `bx` (checked every 2 px).
fn segment_hits(a: (i32, i32), b: (i32, i32), bx: &PxBox) -> bool {
    let (dx, dy) = (f64::from(b.0 - a.0), f64::from(b.1 - a.1));
    let n = (dx.hypot(dy) / 2.0).ceil().max(1.0) as i32;
    (0..=n).any(|k| {
        let t = f64::from(k) / f64::from(n);
        let (x, y) = (f64::from(a.0) + t * dx, f64::from(a.1) + t * dy);
        x > f64::from(bx.0) && x < f64::from(bx.2) && y > f64::from(bx.1) && y < f64::from(bx.3)
    })
}

/// Places labels greedily in the order of `requests`: for each, its first text that finds room,
/// else the next one, else nothing. A label goes on the feature's point when the feature is at
/// least 5/6 of the label's width and 1.8 times its height, else (or if that place is taken) to the
/// right, left, top or bottom of the feature's box, then at its corners; with `far`, else farther
/// away in the same eight directions, joined to the feature's centre by a leader line that crosses
/// no label, and no other symbol nor speck when possible. A label must stay inside the frame, overlap no label nor leader already placed and cover
/// no small feature nor any of `obstacles`; a place clear of every other feature is preferred.
pub(crate) fn place_labels(
    requests: &[LabelRequest],
    anchors: &[Option<(i32, i32)>],
    boxes: &[Option<PxBox>],
    obstacles: &[PxBox],
    frame: [(i32, i32); 2],
    far: bool,
) -> Result<Vec<PlacedLabel>, String> {
    let is_small = |b: &&PxBox| b.2 - b.0 < SMALL_FEATURE.0 && b.3 - b.1 < SMALL_FEATURE.1;
    let small: Vec<PxBox> = boxes
        .iter()
        .flatten()
        .filter(is_small)
        .chain(obstacles)
        .map(|b| (b.0 - 2, b.1 - 2, b.2 + 2, b.3 + 2))
        .collect();
    // The symbols and specks themselves (their boxes less the corners a circle leaves empty), that
    // a leader line should not cross.
    let solid: Vec<PxBox> = boxes
        .iter()
        .flatten()
        .filter(is_small)
        .chain(obstacles)
        .map(|b| (b.0 + 2, b.1 + 2, b.2 - 2, b.3 - 2))
        .collect();
    let mut taken: Vec<PxBox> = Vec::new();
    let mut leaders: Vec<[(i32, i32); 2]> = Vec::new();
    let mut placed: Vec<PlacedLabel> = Vec::new();
    let hh = line_height(SMALL) / 2;
    for request in requests {
        let i = request.feature;
        let (Some(Some((ax, ay))), Some(Some(b))) = (anchors.get(i), boxes.get(i)) else { continue };
        let (ax, ay, b) = (*ax, *ay, *b);
        'texts: for candidate in request.texts.iter().filter(|c| !c.is_empty()) {
            let hw = text::width(candidate, SMALL, false)? as i32 / 2 + 4;
            let (mx, my) = ((b.0 + b.2) / 2, (b.1 + b.3) / 2);
            let mut centres = Vec::with_capacity(9);
            // On the feature when it is wide and tall enough to stay visible around its label.
            if 2 * hw * 5 <= (b.2 - b.0) * 6 && (b.3 - b.1) * 5 >= 2 * hh * 9 {
                centres.push((ax, ay));
            }
            centres.extend([(b.2 + 6 + hw, my), (b.0 - 6 - hw, my), (mx, b.1 - 4 - hh), (mx, b.3 + 4 + hh)]);
            centres.extend([
                (b.2 + 2 + hw, b.1 - 2 - hh),
                (b.2 + 2 + hw, b.3 + 2 + hh),
                (b.0 - 2 - hw, b.1 - 2 - hh),
                (b.0 - 2 - hw, b.3 + 2 + hh),
            ]);
            let fits = |label_box: &PxBox, taken: &[PxBox], leaders: &[[(i32, i32); 2]], strict: bool| {
                let inside = label_box.0 > frame[0].0 + 2
                    && label_box.2 < frame[1].0 - 2
                    && label_box.1 > frame[0].1 + 2
                    && label_box.3 < frame[1].1 - 2;
                let others = boxes
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| strict && *j != i)
                    .filter_map(|(_, o)| o.as_ref());
                inside
                    && !taken.iter().chain(&small).chain(others).any(|o| boxes_overlap(o, label_box))
                    && !leaders.iter().any(|l| segment_hits(l[0], l[1], label_box))
            };
            // First clear of every other feature, then only clear of the small ones.
            for strict in [true, false] {
                for &(cx, cy) in &centres {
                    let label_box = (cx - hw, cy - hh, cx + hw, cy + hh);
                    if fits(&label_box, &taken, &leaders, strict) {
                        taken.push((label_box.0 - 2, label_box.1 - 2, label_box.2 + 2, label_box.3 + 2));
                        placed.push(PlacedLabel {
                            text: candidate.clone(),
                            centre: (cx, cy),
                            half: (hw, hh),
                            leader: None,
                        });
                        break 'texts;
                    }
                }
            }
            if !far {
                continue;
            }
            // Farther away, with a leader line from the feature's centre: first one that crosses no
            // other symbol nor speck, else (a feature buried in a cluster) one that may.
            let (bw, bh) = ((b.2 - b.0) / 2, (b.3 - b.1) / 2);
            let others: Vec<&PxBox> = solid.iter().filter(|o| !contains(o, (mx, my))).collect();
            for avoid_others in [true, false] {
                for ring in 1..=FAR_RINGS {
                    let d = ring * FAR_STEP;
                    for (ux, uy) in [(1, 0), (-1, 0), (0, -1), (0, 1), (1, -1), (1, 1), (-1, -1), (-1, 1)] {
                        let (cx, cy) = (mx + ux * (bw + d + hw), my + uy * (bh + d + hh));
                        let label_box = (cx - hw, cy - hh, cx + hw, cy + hh);
                        // From the label's near corner or side to the feature's centre; the part
                        // outside the feature starts at its edge (the outline of a symbol).
                        let attach = (cx - ux * hw, cy - uy * hh);
                        let (vx, vy) = (f64::from(attach.0 - mx), f64::from(attach.1 - my));
                        let reach = f64::from(bw.min(bh) + 1) / vx.hypot(vy).max(1.0);
                        let edge = (mx + (vx * reach).round() as i32, my + (vy * reach).round() as i32);
                        let crosses = taken.iter().any(|t| segment_hits(edge, attach, t))
                            || (avoid_others && others.iter().any(|o| segment_hits(edge, attach, o)));
                        if !crosses && fits(&label_box, &taken, &leaders, false) {
                            let leader = [(mx, my), attach];
                            taken.push((label_box.0 - 2, label_box.1 - 2, label_box.2 + 2, label_box.3 + 2));
                            leaders.push([edge, attach]);
                            placed.push(PlacedLabel {
                                text: candidate.clone(),
                                centre: (cx, cy),
                                half: (hw, hh),
                                leader: Some(leader),
                            });
                            break 'texts;
                        }
                    }
                }
            }
        }
    }
    Ok(placed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::MultiPolygon;

    fn feature(code: &str, label: &str, value: Option<f64>) -> MapFeature {
        MapFeature {
            code: code.into(),
            label: label.into(),
            geometry: MultiPolygon::new(vec![]),
            value: value.into(),
        }
    }

    #[test]
    fn mode_depends_on_count_and_symbols() {
        assert_eq!(LabelMode::for_map(11, 0), LabelMode::All);
        assert_eq!(LabelMode::for_map(30, 15), LabelMode::All);
        assert_eq!(LabelMode::for_map(31, 0), LabelMode::Extremes);
        assert_eq!(LabelMode::for_map(10, 6), LabelMode::Extremes);
    }

    #[test]
    fn all_mode_keeps_input_order_name_then_code() {
        let features =
            [feature("QP1", "Nord", Some(1.0)), feature("QP2", "QP2", None), feature("QP3", " ", None)];
        let r = label_requests(&features, LabelMode::All, 0, &Locale::default());
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].texts, vec!["Nord", "QP1"]);
        assert_eq!(r[1].texts, vec!["QP2"]);
        assert_eq!(r[2].texts, vec!["QP3"]);
    }

    #[test]
    fn extremes_mode_names_the_highest_and_lowest_values() {
        let mut features: Vec<MapFeature> = (0..40)
            .map(|i| feature(&format!("QP{i:03}"), &format!("Quartier {i}"), Some(f64::from(i) * 1.5)))
            .collect();
        features[5].value = crate::render::MapValue::Secret;
        features[7].label = "Centre Ville".into();
        features[39].label = "Centre Ville".into();
        let r = label_requests(&features, LabelMode::Extremes, 1, &Locale::default());
        let order: Vec<usize> = r.iter().map(|q| q.feature).collect();
        assert_eq!(order, vec![39, 0, 38, 1, 37, 2]);
        assert_eq!(r[0].texts, vec!["Centre Ville (QP039) : 58,5", "QP039 : 58,5"]);
        assert_eq!(r[1].texts, vec!["Quartier 0 : 0,0", "QP000 : 0,0"]);

        // Fewer values than twice the extremes: each feature once.
        let few = [feature("A", "a", Some(1.0)), feature("B", "b", Some(2.0)), feature("C", "c", None)];
        let r = label_requests(&few, LabelMode::Extremes, 0, &Locale::default());
        assert_eq!(r.iter().map(|q| q.feature).collect::<Vec<_>>(), vec![1, 0]);
    }

    #[test]
    fn labels_never_overlap_each_other_nor_obstacles() -> Result<(), Box<dyn std::error::Error>> {
        super::super::ensure_fonts()?;
        let features: Vec<MapFeature> = (0..6)
            .map(|i| feature(&format!("QP{i}"), &format!("Quartier {i}"), Some(f64::from(i))))
            .collect();
        // Six specks on a row, 30 px apart: there is not room for every label beside them.
        let anchors: Vec<Option<(i32, i32)>> = (0..6).map(|i| Some((200 + 30 * i, 300))).collect();
        let boxes: Vec<Option<PxBox>> =
            anchors.iter().flatten().map(|&(x, y)| Some((x - 8, y - 8, x + 8, y + 8))).collect();
        let obstacles = [(180, 330, 400, 360)];
        let requests = label_requests(&features, LabelMode::All, 0, &Locale::default());
        let placed = place_labels(&requests, &anchors, &boxes, &obstacles, [(0, 0), (800, 600)], true)?;
        // Beside the specks there is room for some labels; farther away, with leaders, for all.
        let near = place_labels(&requests, &anchors, &boxes, &obstacles, [(0, 0), (800, 600)], false)?;
        assert!(near.len() < 6 && near.iter().all(|l| l.leader.is_none()), "{} near labels", near.len());
        assert_eq!(placed.len(), 6);
        assert!(placed.iter().any(|l| l.leader.is_some()));
        let label_box = |p: &PlacedLabel| {
            (p.centre.0 - p.half.0, p.centre.1 - p.half.1, p.centre.0 + p.half.0, p.centre.1 + p.half.1)
        };
        for (k, a) in placed.iter().enumerate() {
            let ab = label_box(a);
            assert!(!boxes.iter().flatten().chain(&obstacles).any(|o| boxes_overlap(o, &ab)), "{}", a.text);
            for b in &placed[k + 1..] {
                assert!(!boxes_overlap(&ab, &label_box(b)), "{} and {}", a.text, b.text);
            }
        }
        Ok(())
    }
}
