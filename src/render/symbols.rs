//! Symbols for map features too small to show their colour at the map's scale (a QPV of 1 km on a
//! regional map is a speck of a few pixels).
//!
//! Input: for each feature, its box on the map and a point inside it (`geo::InteriorPoint`) in
//! pixels, its fill (a class colour, no data or secret) and its value; the map frame. Output: the
//! [`Symbol`]s to draw over the features, in drawing order: a circle of [`SYMBOL_RADIUS`] px filled
//! with the class colour (white with dense grey hatching for no data, crossed for secret) with a
//! dark outline.
//!
//! Invariants:
//! - a feature [`needs_symbol`] when its box is narrower and lower than [`SYMBOL_BELOW`] px, i.e.
//!   smaller than the symbol itself;
//! - symbols that would overlap are pushed apart by a fixed number of deterministic relaxation
//!   rounds (up to [`SPREAD_MAX`] symbols; beyond that they stay in place) and kept inside the
//!   frame; a symbol that no longer covers its feature's point is joined to it by a leader line;
//! - the drawing order is fixed: no data and secret first, then from the best value to the worst
//!   (ties by code), so where symbols still overlap the worst values are on top;
//! - the same inputs give the same symbols (no hash order, no randomness).

use plotters::coord::Shift;
use plotters::element::{Circle, PathElement};
use plotters::prelude::{DrawingArea, DrawingBackend};
use plotters::style::{Color, RGBColor, WHITE};

use super::choropleth::{Fill, HATCH, OUTLINE};
use super::output::DrawResult;

/// A feature whose box is smaller than this on both sides (px) is drawn with a symbol too.
pub(crate) const SYMBOL_BELOW: f64 = 12.0;
/// Radius of a symbol in pixels (the outline adds one pixel around it).
pub(crate) const SYMBOL_RADIUS: i32 = 7;
/// Above this many symbols, they are not spread (the relaxation is quadratic).
pub(crate) const SPREAD_MAX: usize = 400;
/// Distance between the centres of two symbols that just touch, outlines included.
const SYMBOL_SPACING: f64 = 2.0 * (SYMBOL_RADIUS as f64 + 1.0);
/// Relaxation rounds when spreading symbols.
const SPREAD_ROUNDS: usize = 400;
/// Spacing of the hatching inside a no-data symbol (denser than on polygons: a symbol is small).
const SYMBOL_HATCH_STEP: f64 = 4.0;

/// A feature that may need a symbol.
pub(crate) struct SymbolCandidate<'a> {
    /// Index of the feature in the map's input.
    pub feature: usize,
    /// A point inside the feature, in pixels.
    pub anchor: (f64, f64),
    /// Fill: the class colour, or the hatching of no data or secret.
    pub fill: Fill,
    /// Where the value stands, the larger the worse (`None` for no data): orders the drawing.
    pub badness: Option<f64>,
    /// The feature's code, to break ties.
    pub code: &'a str,
}

/// True when a feature whose box is `width` × `height` pixels is too small to show its colour and
/// needs a symbol.
pub(crate) fn needs_symbol(width: f64, height: f64) -> bool {
    width < SYMBOL_BELOW && height < SYMBOL_BELOW
}

/// A symbol ready to draw, in pixels.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Symbol {
    /// Index of the feature in the map's input.
    pub feature: usize,
    /// The feature's point.
    pub anchor: (i32, i32),
    /// Centre of the circle (the anchor unless the symbol was pushed aside).
    pub centre: (i32, i32),
    /// Fill colour; `None` for no data and secret (white with hatching).
    pub colour: Option<RGBColor>,
    /// Hatching segments inside a no-data or secret symbol.
    pub hatch: Vec<Vec<(i32, i32)>>,
}

impl Symbol {
    /// The box the symbol covers, outline included: left, top, right, bottom.
    pub(crate) fn bbox(&self) -> (i32, i32, i32, i32) {
        let r = SYMBOL_RADIUS + 1;
        (self.centre.0 - r, self.centre.1 - r, self.centre.0 + r, self.centre.1 + r)
    }

    /// The leader line from the edge of the circle to the feature's point, when the symbol was
    /// pushed so far that it no longer covers the point.
    pub(crate) fn leader(&self) -> Option<[(i32, i32); 2]> {
        let (dx, dy) = ((self.anchor.0 - self.centre.0) as f64, (self.anchor.1 - self.centre.1) as f64);
        let d = dx.hypot(dy);
        let r = f64::from(SYMBOL_RADIUS);
        (d > r).then(|| {
            let edge = (self.centre.0 as f64 + dx / d * r, self.centre.1 as f64 + dy / d * r);
            [(edge.0.round() as i32, edge.1.round() as i32), self.anchor]
        })
    }
}

/// The symbols of `candidates` (features that [`needs_symbol`]), spread apart, inside `frame`, in
/// drawing order.
pub(crate) fn layout_symbols(candidates: &[SymbolCandidate], frame: [(i32, i32); 2]) -> Vec<Symbol> {
    let mut small: Vec<&SymbolCandidate> = candidates.iter().collect();
    small.sort_by(|a, b| {
        let rank = |c: &SymbolCandidate| c.badness.filter(|v| v.is_finite());
        match (rank(a), rank(b)) {
            (None, None) => std::cmp::Ordering::Equal,
            (None, Some(_)) => std::cmp::Ordering::Less,
            (Some(_), None) => std::cmp::Ordering::Greater,
            (Some(x), Some(y)) => x.total_cmp(&y),
        }
        .then_with(|| a.code.cmp(b.code))
        .then_with(|| a.feature.cmp(&b.feature))
    });
    let inset = f64::from(SYMBOL_RADIUS) + 3.0;
    let bounds = [
        (frame[0].0 as f64 + inset, frame[0].1 as f64 + inset),
        (frame[1].0 as f64 - inset, frame[1].1 as f64 - inset),
    ];
    let mut centres: Vec<(f64, f64)> = small.iter().map(|c| c.anchor).collect();
    spread(&mut centres, SYMBOL_SPACING, bounds);
    small
        .iter()
        .zip(centres)
        .map(|(c, (x, y))| {
            let centre = (x.round() as i32, y.round() as i32);
            Symbol {
                feature: c.feature,
                anchor: (c.anchor.0.round() as i32, c.anchor.1.round() as i32),
                centre,
                colour: c.fill.colour(),
                hatch: symbol_hatch(centre, c.fill),
            }
        })
        .collect()
}

/// Pushes apart the points closer than `spacing`, pair by pair in a fixed order, for a fixed number
/// of rounds (or until no pair overlaps), keeping them inside `bounds` (top-left, bottom-right).
/// Coincident points are separated along a direction taken from their index (golden angle).
fn spread(points: &mut [(f64, f64)], spacing: f64, bounds: [(f64, f64); 2]) {
    let clamp = |p: &mut (f64, f64)| {
        if bounds[0].0 <= bounds[1].0 && bounds[0].1 <= bounds[1].1 {
            p.0 = p.0.clamp(bounds[0].0, bounds[1].0);
            p.1 = p.1.clamp(bounds[0].1, bounds[1].1);
        }
    };
    points.iter_mut().for_each(clamp);
    if points.len() > SPREAD_MAX {
        return;
    }
    const GOLDEN_ANGLE: f64 = 2.399_963_229_728_653;
    for _ in 0..SPREAD_ROUNDS {
        let mut moved = false;
        for i in 0..points.len() {
            for j in i + 1..points.len() {
                let (dx, dy) = (points[j].0 - points[i].0, points[j].1 - points[i].1);
                let d = dx.hypot(dy);
                // A hair of slack so that rounding to pixels never leaves two symbols overlapping.
                if d >= spacing - 1e-6 {
                    continue;
                }
                let (ux, uy) = if d > 1e-9 {
                    (dx / d, dy / d)
                } else {
                    let a = GOLDEN_ANGLE * j as f64;
                    (a.cos(), a.sin())
                };
                let push = (spacing + 0.5 - d) / 2.0;
                points[i] = (points[i].0 - ux * push, points[i].1 - uy * push);
                points[j] = (points[j].0 + ux * push, points[j].1 + uy * push);
                clamp(&mut points[i]);
                clamp(&mut points[j]);
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }
}

/// Dense hatching inside a no-data or secret symbol centred on `centre` (none for a class colour).
pub(crate) fn symbol_hatch(centre: (i32, i32), fill: Fill) -> Vec<Vec<(i32, i32)>> {
    let r = f64::from(SYMBOL_RADIUS) - 1.5;
    let (cx, cy) = (f64::from(centre.0), f64::from(centre.1));
    let ring: geo::LineString<f64> = (0..=32)
        .map(|k| {
            let t = std::f64::consts::TAU * f64::from(k % 32) / 32.0;
            (cx + r * t.cos(), cy + r * t.sin())
        })
        .collect();
    fill.hatching(&geo::MultiPolygon::new(vec![geo::Polygon::new(ring, vec![])]), SYMBOL_HATCH_STEP)
}

/// Draws one symbol: the filled circle (white and hatched for no data), then its dark outline (on a
/// white casing when the fill is too dark for it).
pub(crate) fn draw_symbol<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    centre: (i32, i32),
    colour: Option<RGBColor>,
    hatching: &[Vec<(i32, i32)>],
) -> DrawResult {
    let radius = SYMBOL_RADIUS as u32;
    root.draw(&Circle::new(centre, radius, colour.unwrap_or(WHITE).filled())).map_err(|e| e.to_string())?;
    for segment in hatching {
        root.draw(&PathElement::new(segment.clone(), HATCH.stroke_width(1))).map_err(|e| e.to_string())?;
    }
    if let Some(casing) = crate::render::contrast::outline_casing(colour) {
        root.draw(&Circle::new(centre, radius, casing.stroke_width(5))).map_err(|e| e.to_string())?;
    }
    root.draw(&Circle::new(centre, radius, OUTLINE.stroke_width(2))).map_err(|e| e.to_string())
}

/// Draws the leader lines, then the symbols, in order.
pub(crate) fn draw_symbols<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    symbols: &[Symbol],
) -> DrawResult {
    for leader in symbols.iter().filter_map(Symbol::leader) {
        root.draw(&PathElement::new(leader.to_vec(), OUTLINE.stroke_width(1))).map_err(|e| e.to_string())?;
    }
    for s in symbols {
        draw_symbol(root, s.centre, s.colour, &s.hatch)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(feature: usize, x: f64, y: f64, badness: Option<f64>) -> SymbolCandidate<'static> {
        const CODES: [&str; 4] = ["A", "B", "C", "D"];
        SymbolCandidate {
            feature,
            anchor: (x, y),
            fill: badness.map_or(Fill::NoData, |_| Fill::Class(RGBColor(200, 0, 0))),
            badness,
            code: CODES[feature % 4],
        }
    }

    const FRAME: [(i32, i32); 2] = [(0, 0), (1000, 800)];

    #[test]
    fn only_specks_need_a_symbol() {
        assert!(needs_symbol(3.0, 11.0));
        assert!(!needs_symbol(3.0, 12.0));
        assert!(!needs_symbol(80.0, 2.0));
        let symbols = layout_symbols(&[candidate(0, 100.0, 100.0, Some(1.0))], FRAME);
        assert_eq!(symbols.len(), 1);
        assert_eq!(symbols[0].feature, 0);
        assert_eq!(symbols[0].centre, (100, 100));
        assert!(symbols[0].leader().is_none());
        assert!(symbols[0].hatch.is_empty());
    }

    #[test]
    fn no_data_first_then_worst_last() {
        let symbols = layout_symbols(
            &[
                candidate(0, 100.0, 100.0, Some(9.0)),
                candidate(1, 300.0, 100.0, None),
                candidate(2, 500.0, 100.0, Some(-3.0)),
                candidate(3, 700.0, 100.0, Some(9.0)),
            ],
            FRAME,
        );
        let order: Vec<usize> = symbols.iter().map(|s| s.feature).collect();
        assert_eq!(order, vec![1, 2, 0, 3]);
        assert!(!symbols[0].hatch.is_empty(), "no-data symbol is hatched");
        let secret = SymbolCandidate { fill: Fill::Secret, ..candidate(1, 300.0, 100.0, None) };
        let crossed = layout_symbols(&[secret], FRAME);
        assert!(crossed[0].hatch.len() > symbols[0].hatch.len(), "secret is cross-hatched");
    }

    #[test]
    fn crowded_symbols_are_spread_apart_inside_the_frame_and_deterministic() {
        // 40 specks within 20 px of each other, some exactly on the same point, one at the edge.
        let mut candidates: Vec<SymbolCandidate> = (0..40)
            .map(|i| {
                let (x, y) = (500.0 + f64::from(i % 5) * 4.0, 400.0 + f64::from(i / 10) * 5.0);
                candidate(i as usize, x, y, Some(f64::from(i)))
            })
            .collect();
        candidates.push(candidate(40, 1.0, 799.0, Some(1.0)));
        let symbols = layout_symbols(&candidates, FRAME);
        assert_eq!(symbols.len(), 41);
        for (k, a) in symbols.iter().enumerate() {
            let b = a.bbox();
            assert!(
                b.0 >= FRAME[0].0 && b.1 >= FRAME[0].1 && b.2 <= FRAME[1].0 && b.3 <= FRAME[1].1,
                "{b:?}"
            );
            for c in &symbols[k + 1..] {
                let d = f64::from(a.centre.0 - c.centre.0).hypot(f64::from(a.centre.1 - c.centre.1));
                assert!(d >= SYMBOL_SPACING - 1.5, "symbols {} and {} overlap: {d}", a.feature, c.feature);
            }
        }
        assert!(symbols.iter().any(|s| s.leader().is_some()), "pushed symbols get a leader line");
        assert_eq!(symbols, layout_symbols(&candidates, FRAME));
    }
}
