//! Painting a map: the class palette, features turned from pixel-space polygons into fills (holes
//! left open), outlines and no-data hatching, and the figure drawn in order (background, features,
//! symbols, labels, title, legend, furniture, footer).

use geo::orient::{Direction, Orient};
use geo::{BooleanOps, BoundingRect, LineString, MultiLineString, MultiPolygon};
use plotters::coord::Shift;
use plotters::element::{Circle, PathElement, Polygon as PxPolygon};
use plotters::prelude::{DrawingArea, DrawingBackend};
use plotters::style::text_anchor::{HPos, VPos};
use plotters::style::{Color, RGBColor, WHITE};

use super::layout::MapFigure;
use super::{MARGIN, WIDTH};
use crate::indicators::table::Direction as Palette;
use crate::render::contrast::outline_casing;
use crate::render::frame::{draw_rect, draw_text};
use crate::render::output::{DrawResult, Figure};
use crate::render::symbols::draw_symbols;
use crate::render::text::{self, INK, SMALL};

/// Spacing of the no-data hatching, along the x axis, in pixels.
pub(super) const HATCH_STEP: f64 = 11.0;

pub(crate) const BACKGROUND_FILL: RGBColor = RGBColor(0xee, 0xee, 0xee);
const BACKGROUND_LINE: RGBColor = RGBColor(0xb4, 0xb4, 0xb4);
pub(crate) const OUTLINE: RGBColor = RGBColor(0x33, 0x33, 0x33);
pub(crate) const HATCH: RGBColor = RGBColor(0x6e, 0x6e, 0x6e);

/// The ColorBrewer sequential ramp for `n` classes (1 to 9), light to dark: YlOrRd with its dark
/// end on the bad side (reversed when higher values are better), Blues for a neutral indicator.
/// Both are colour-blind safe; more than nine classes get no ramp (the caller refuses them).
pub(crate) fn palette(n: usize, direction: Palette) -> Vec<RGBColor> {
    let yl_or_rd: &[u32] = match n {
        0 => &[],
        1 => &[0xfd8d3c],
        2 => &[0xfecc5c, 0xe31a1c],
        3 => &[0xffeda0, 0xfeb24c, 0xf03b20],
        4 => &[0xffffb2, 0xfecc5c, 0xfd8d3c, 0xe31a1c],
        5 => &[0xffffb2, 0xfecc5c, 0xfd8d3c, 0xf03b20, 0xbd0026],
        6 => &[0xffffb2, 0xfed976, 0xfeb24c, 0xfd8d3c, 0xf03b20, 0xbd0026],
        7 => &[0xffffb2, 0xfed976, 0xfeb24c, 0xfd8d3c, 0xfc4e2a, 0xe31a1c, 0xb10026],
        8 => &[0xffffcc, 0xffeda0, 0xfed976, 0xfeb24c, 0xfd8d3c, 0xfc4e2a, 0xe31a1c, 0xb10026],
        9 => &[0xffffcc, 0xffeda0, 0xfed976, 0xfeb24c, 0xfd8d3c, 0xfc4e2a, 0xe31a1c, 0xbd0026, 0x800026],
        _ => &[],
    };
    let blues: &[u32] = match n {
        0 => &[],
        1 => &[0x6baed6],
        2 => &[0xbdd7e7, 0x3182bd],
        3 => &[0xdeebf7, 0x9ecae1, 0x3182bd],
        4 => &[0xeff3ff, 0xbdd7e7, 0x6baed6, 0x2171b5],
        5 => &[0xeff3ff, 0xbdd7e7, 0x6baed6, 0x3182bd, 0x08519c],
        6 => &[0xeff3ff, 0xc6dbef, 0x9ecae1, 0x6baed6, 0x3182bd, 0x08519c],
        7 => &[0xeff3ff, 0xc6dbef, 0x9ecae1, 0x6baed6, 0x4292c6, 0x2171b5, 0x084594],
        8 => &[0xf7fbff, 0xdeebf7, 0xc6dbef, 0x9ecae1, 0x6baed6, 0x4292c6, 0x2171b5, 0x084594],
        9 => &[0xf7fbff, 0xdeebf7, 0xc6dbef, 0x9ecae1, 0x6baed6, 0x4292c6, 0x2171b5, 0x08519c, 0x08306b],
        _ => &[],
    };
    let hexes = if direction == Palette::Neutral { blues } else { yl_or_rd };
    let mut colours: Vec<RGBColor> = hexes.iter().map(|h| rgb(*h)).collect();
    if direction == Palette::HigherIsBetter {
        colours.reverse();
    }
    colours
}

/// How a feature (or a legend swatch, or a symbol) is filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fill {
    /// The colour of its class.
    Class(RGBColor),
    /// White with diagonal hatching: no data.
    NoData,
    /// White with crossed hatching: statistical secrecy.
    Secret,
}

impl Fill {
    /// The solid colour, `None` for the white hatched fills.
    pub(crate) fn colour(self) -> Option<RGBColor> {
        match self {
            Fill::Class(c) => Some(c),
            Fill::NoData | Fill::Secret => None,
        }
    }

    /// The hatching of `px` for this fill, lines `step` px apart.
    pub(crate) fn hatching(self, px: &MultiPolygon<f64>, step: f64) -> Vec<Vec<(i32, i32)>> {
        match self {
            Fill::Class(_) => Vec::new(),
            Fill::NoData => hatch(px, step),
            Fill::Secret => {
                let mut lines = hatch(px, step);
                lines.extend(hatch_falling(px, step));
                lines
            }
        }
    }
}

/// `0xRRGGBB` as a plotters colour.
pub(crate) fn rgb(hex: u32) -> RGBColor {
    RGBColor((hex >> 16) as u8, (hex >> 8) as u8, hex as u8)
}

/// A feature ready to paint, in pixels.
pub(super) struct PaintedFeature {
    /// One bridged point list per polygon (holes joined to the exterior by a zero-width cut).
    pub(super) fills: Vec<Vec<(i32, i32)>>,
    /// Every ring, closed, for the outlines.
    pub(super) rings: Vec<Vec<(i32, i32)>>,
    /// Fill colour; `None` for no data and secret (white with hatching).
    pub(super) colour: Option<RGBColor>,
    /// Hatching segments for no-data and secret features.
    pub(super) hatch: Vec<Vec<(i32, i32)>>,
}

impl Figure for MapFigure {
    fn size(&self) -> (u32, u32) {
        (WIDTH, self.height)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let fill_and_outline =
            |items: &[PaintedFeature], line: RGBColor, width: u32, cased: bool| -> DrawResult {
                for item in items {
                    let fill = item.colour.unwrap_or(WHITE).filled();
                    for points in &item.fills {
                        root.draw(&PxPolygon::new(points.clone(), fill)).map_err(|e| e.to_string())?;
                    }
                    for segment in &item.hatch {
                        root.draw(&PathElement::new(segment.clone(), HATCH.stroke_width(1)))
                            .map_err(|e| e.to_string())?;
                    }
                }
                for item in items {
                    // A feature too dark for its outline gets a white casing under it (≥ 3:1 each side).
                    let casing = if cased { outline_casing(item.colour) } else { None };
                    for ring in &item.rings {
                        if let Some(casing) = casing {
                            root.draw(&PathElement::new(ring.clone(), casing.stroke_width(width + 3)))
                                .map_err(|e| e.to_string())?;
                        }
                        root.draw(&PathElement::new(ring.clone(), line.stroke_width(width)))
                            .map_err(|e| e.to_string())?;
                    }
                }
                Ok(())
            };
        // The context's outlines are decoration (the QPV carry the map), so they need no contrast.
        fill_and_outline(&self.background, BACKGROUND_LINE, 1, false)?;
        fill_and_outline(&self.features, OUTLINE, 2, true)?;
        draw_symbols(root, &self.symbols)?;

        let label_style = text::style(SMALL, false, INK, HPos::Center, VPos::Center);
        // A label's leader line ends on a dot at the centre of its feature.
        for leader in self.labels.iter().filter_map(|l| l.leader) {
            root.draw(&PathElement::new(leader.to_vec(), INK.stroke_width(1))).map_err(|e| e.to_string())?;
            root.draw(&Circle::new(leader[0], 2, INK.filled())).map_err(|e| e.to_string())?;
        }
        for label in &self.labels {
            let (cx, cy) = label.centre;
            let (hw, hh) = label.half;
            draw_rect(root, [(cx - hw, cy - hh), (cx + hw, cy + hh)], WHITE.mix(0.8).filled())?;
            draw_text(root, &label.text, (cx, cy), &label_style)?;
        }

        self.header.draw(root, (MARGIN, MARGIN), WIDTH as i32 - 2 * MARGIN)?;
        self.draw_legend(root)?;
        if let Some(inset) = &self.inset {
            inset.draw(root)?;
        }
        self.draw_furniture(root)?;
        self.footer.draw(root, (MARGIN, self.footer_y))
    }

    fn svg_areas(&self) -> Option<String> {
        Some(super::areas::svg_layer(self))
    }
}

/// Turns a pixel-space multipolygon into point lists for plotters.
pub(super) fn paint(px: &MultiPolygon<f64>, colour: Option<RGBColor>) -> PaintedFeature {
    let mut fills = Vec::new();
    let mut rings = Vec::new();
    for polygon in px.iter() {
        let polygon = polygon.orient(Direction::Default);
        let exterior = ring_points(polygon.exterior());
        if exterior.len() < 3 {
            continue;
        }
        let holes: Vec<Vec<(i32, i32)>> =
            polygon.interiors().iter().map(ring_points).filter(|h| h.len() >= 3).collect();
        fills.push(bridge(&exterior, &holes));
        for ring in std::iter::once(&exterior).chain(&holes) {
            let mut closed = ring.clone();
            closed.push(ring[0]);
            rings.push(closed);
        }
    }
    PaintedFeature { fills, rings, colour, hatch: Vec::new() }
}

/// The ring's vertices rounded to pixels, without the closing repeat nor consecutive duplicates.
fn ring_points(ring: &LineString<f64>) -> Vec<(i32, i32)> {
    let mut points: Vec<(i32, i32)> =
        ring.coords().map(|c| (c.x.round() as i32, c.y.round() as i32)).collect();
    points.dedup();
    if points.len() > 1 && points.first() == points.last() {
        points.pop();
    }
    points
}

/// One point list for a polygon with holes: each hole is joined to its nearest exterior vertex by a
/// zero-width cut travelled both ways. The two edges of a cut cancel under both the even-odd and
/// the non-zero fill rules (exterior and holes have opposite orientations), so the hole stays open.
fn bridge(exterior: &[(i32, i32)], holes: &[Vec<(i32, i32)>]) -> Vec<(i32, i32)> {
    let mut at_vertex: Vec<Vec<usize>> = vec![Vec::new(); exterior.len()];
    for (h, hole) in holes.iter().enumerate() {
        let (hx, hy) = (hole[0].0 as i64, hole[0].1 as i64);
        let nearest = exterior
            .iter()
            .enumerate()
            .min_by_key(|(_, (x, y))| (*x as i64 - hx).pow(2) + (*y as i64 - hy).pow(2))
            .map_or(0, |(i, _)| i);
        at_vertex[nearest].push(h);
    }
    let mut points = Vec::with_capacity(exterior.len() + holes.iter().map(|h| h.len() + 2).sum::<usize>());
    for (i, vertex) in exterior.iter().enumerate() {
        points.push(*vertex);
        for &h in &at_vertex[i] {
            points.extend_from_slice(&holes[h]);
            points.push(holes[h][0]);
            points.push(*vertex);
        }
    }
    points
}

/// Diagonal hatching (lines rising to the right, `step` px apart along x) clipped to `px`.
pub(crate) fn hatch(px: &MultiPolygon<f64>, step: f64) -> Vec<Vec<(i32, i32)>> {
    hatch_lines(px, step, false)
}

/// Diagonal hatching the other way (lines falling to the right), for the cross-hatching of secret.
pub(crate) fn hatch_falling(px: &MultiPolygon<f64>, step: f64) -> Vec<Vec<(i32, i32)>> {
    hatch_lines(px, step, true)
}

fn hatch_lines(px: &MultiPolygon<f64>, step: f64, falling: bool) -> Vec<Vec<(i32, i32)>> {
    let Some(bbox) = px.bounding_rect() else {
        return Vec::new();
    };
    let (min, max) = (bbox.min(), bbox.max());
    // Lines x + y = c (or x - y = c) on a fixed grid of c, so neighbouring features' hatching
    // lines up.
    let (c_min, c_max) =
        if falling { (min.x - max.y, max.x - min.y) } else { (min.x + min.y, max.x + max.y) };
    let first = (c_min / step).floor() as i64;
    let last = (c_max / step).ceil() as i64;
    let lines: Vec<LineString<f64>> = (first..=last)
        .map(|k| {
            let c = k as f64 * step;
            if falling {
                LineString::from(vec![(c + min.y, min.y), (c + max.y, max.y)])
            } else {
                LineString::from(vec![(c - max.y, max.y), (c - min.y, min.y)])
            }
        })
        .collect();
    px.clip(&MultiLineString::new(lines), false)
        .iter()
        .map(|ls| ls.coords().map(|c| (c.x.round() as i32, c.y.round() as i32)).collect::<Vec<_>>())
        .filter(|s: &Vec<(i32, i32)>| s.len() >= 2)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::choropleth::square;

    #[test]
    fn palette_dark_end_is_the_bad_end() {
        let luminance = |c: &RGBColor| 0.2126 * c.0 as f64 + 0.7152 * c.1 as f64 + 0.0722 * c.2 as f64;
        for n in 1..=9 {
            let low_is_bad = palette(n, Palette::HigherIsBetter);
            let high_is_bad = palette(n, Palette::HigherIsWorse);
            let neutral = palette(n, Palette::Neutral);
            assert_eq!(neutral.len(), n);
            let distinct: std::collections::BTreeSet<(u8, u8, u8)> =
                low_is_bad.iter().chain(&neutral).map(|c| (c.0, c.1, c.2)).collect();
            assert_eq!(distinct.len(), 2 * n, "every class its own colour");
            assert_eq!(low_is_bad.len(), n);
            if n > 1 {
                assert!(luminance(&low_is_bad[0]) < luminance(&low_is_bad[n - 1]));
                assert!(luminance(&high_is_bad[0]) > luminance(&high_is_bad[n - 1]));
                assert!(luminance(&neutral[0]) > luminance(&neutral[n - 1]), "neutral: dark is high");
            }
        }
        assert!(palette(0, Palette::HigherIsBetter).is_empty());
        assert!(palette(10, Palette::Neutral).is_empty());
    }

    #[test]
    fn bridged_hole_keeps_every_vertex() {
        let exterior = vec![(0, 0), (100, 0), (100, 100), (0, 100)];
        let hole = vec![(40, 40), (40, 60), (60, 60), (60, 40)];
        let points = bridge(&exterior, std::slice::from_ref(&hole));
        assert_eq!(points.len(), 4 + 4 + 2);
        // The hole is entered from its nearest exterior vertex, (0, 0), and left back to it.
        assert_eq!(points[0], (0, 0));
        assert_eq!(&points[1..5], hole.as_slice());
        assert_eq!(points[5], (40, 40));
        assert_eq!(points[6], (0, 0));
    }

    #[test]
    fn hatching_stays_inside() {
        let px = MultiPolygon::new(vec![square(10.0, 10.0, 100.0)]);
        let segments = hatch(&px, HATCH_STEP);
        assert!(segments.len() > 10);
        let crossed = Fill::Secret.hatching(&px, HATCH_STEP);
        assert!(crossed.len() > segments.len() + 10, "secret is hatched both ways");
        for s in segments.iter().chain(&crossed) {
            for (x, y) in s {
                assert!((10..=110).contains(x) && (10..=110).contains(y), "({x}, {y})");
            }
        }
        // Rising lines go up to the right (y down in pixels), falling lines down to the right.
        let slope =
            |s: &Vec<(i32, i32)>| (s[s.len() - 1].1 - s[0].1).signum() * (s[s.len() - 1].0 - s[0].0).signum();
        assert!(segments.iter().all(|s| slope(s) <= 0));
        assert!(hatch_falling(&px, HATCH_STEP).iter().all(|s| slope(s) >= 0));
        assert!(Fill::Class(WHITE).hatching(&px, HATCH_STEP).is_empty());
    }
}
