//! The locator inset of a single map: the territory (every background outline, filled mid grey) with
//! the QPV footprint in near-black, and the rectangle of the map's frame when the map shows only part
//! of the territory; titled above, explained in a caption under it, and in the SVG an image of its
//! own (`<title>`) for assistive technology.
//!
//! Input: the background and feature geometries in Lambert-93 metres, the extent the map's frame
//! shows, and the inset's place in the legend column (between the legend rows and the north arrow,
//! room that the layout keeps: [`INSET_H`]). Output: an [`Inset`] in pixels.
//!
//! Invariants: the inset keeps an equal x/y scale, north up, inside its box; a feature smaller than
//! a pixel or two at the inset's scale is drawn as a 3 px square, so that every QPV shows; colours
//! have ≥ 3:1 contrast with what they touch (grey land 3.4:1 on white, near-black QPV 5.2:1 on the
//! grey, the frame's black line on a white halo).

use geo::{BoundingRect, Coord, MapCoords, MultiPolygon, Rect, coord};
use plotters::coord::Shift;
use plotters::element::{PathElement, Polygon as PxPolygon};
use plotters::prelude::{DrawingArea, DrawingBackend};
use plotters::style::text_anchor::{HPos, VPos};
use plotters::style::{Color, RGBColor, WHITE};

use super::MapFeature;
use super::paint::{OUTLINE, PaintedFeature, paint};
use crate::locale::{Arg, Locale};
use crate::render::frame::{draw_rect, draw_text};
use crate::render::output::DrawResult;
use crate::render::text::{self, BODY, INK, SMALL, line_height, wrap};

/// The territory in the inset: mid grey (3.4:1 on white).
pub(crate) const INSET_LAND: RGBColor = RGBColor(0x8c, 0x8c, 0x8c);
/// The QPV in the inset: near-black (5.2:1 on the grey land).
pub(crate) const INSET_QPV: RGBColor = crate::render::text::INK;
/// The map frame's rectangle: black on a white halo.
pub(crate) const INSET_FRAME: RGBColor = RGBColor(0x00, 0x00, 0x00);

const BOX_W: i32 = 240;
const BOX_H: i32 = 130;
const PAD: f64 = 6.0;
/// Lines of caption kept under the box.
const CAPTION_LINES: i32 = 3;
/// Height kept in the legend column for the inset: its title (a line of BODY, 26 px), the box, the
/// caption (lines of SMALL, 23 px) and a gap.
pub(super) const INSET_H: i32 = 26 + 6 + BOX_H + 8 + CAPTION_LINES * 23 + 20;

/// A locator inset laid out in pixels.
pub(super) struct Inset {
    /// The inset's box.
    pub(super) frame: [(i32, i32); 2],
    land: Vec<PaintedFeature>,
    qpv: Vec<PaintedFeature>,
    /// Features too small to draw at the inset's scale: the centre of their 3 px square.
    dots: Vec<(i32, i32)>,
    /// The map frame's rectangle, when the map shows only part of the territory.
    pub(super) view: Option<[(i32, i32); 2]>,
    title: String,
    caption: Vec<String>,
    /// The inset in one sentence: its `<title>` in the SVG, and a line of the map's `<desc>`.
    pub(super) label: String,
}

impl Inset {
    /// The inset with its title's top-left corner at `at`; `None` without background geometry
    /// (then there is no territory to locate the map in).
    pub(super) fn layout(
        background: &[MultiPolygon<f64>],
        features: &[MapFeature],
        shown: Rect<f64>,
        at: (i32, i32),
        l: &Locale,
    ) -> Result<Option<Inset>, String> {
        let Some(land_box) = background.iter().filter_map(|g| g.bounding_rect()).reduce(union) else {
            return Ok(None);
        };
        let extent = features.iter().filter_map(|f| f.geometry.bounding_rect()).fold(land_box, union);
        let (w, h) = (extent.width().max(1.0), extent.height().max(1.0));
        let scale = ((BOX_W as f64 - 2.0 * PAD) / w).min((BOX_H as f64 - 2.0 * PAD) / h);
        let top = at.1 + line_height(BODY) + 6;
        let frame = [(at.0, top), (at.0 + BOX_W, top + BOX_H)];
        let origin =
            (at.0 as f64 + (BOX_W as f64 - w * scale) / 2.0, top as f64 + (BOX_H as f64 - h * scale) / 2.0);
        let to_px = |c: Coord<f64>| {
            coord! { x: origin.0 + (c.x - extent.min().x) * scale, y: origin.1 + (extent.max().y - c.y) * scale }
        };
        let mut dots = Vec::new();
        let mut painted = |g: &MultiPolygon<f64>, colour: RGBColor, dot: bool| -> Option<PaintedFeature> {
            let px = g.map_coords(to_px);
            let r = px.bounding_rect()?;
            if r.width() < 2.0 && r.height() < 2.0 {
                if dot {
                    dots.push((r.center().x.round() as i32, r.center().y.round() as i32));
                }
                return None;
            }
            Some(paint(&px, Some(colour)))
        };
        let land: Vec<PaintedFeature> =
            background.iter().filter_map(|g| painted(g, INSET_LAND, false)).collect();
        let qpv: Vec<PaintedFeature> =
            features.iter().filter_map(|f| painted(&f.geometry, INSET_QPV, true)).collect();
        // The frame's rectangle only when the map leaves part of the territory out.
        let covers = shown.min().x <= extent.min().x
            && shown.min().y <= extent.min().y
            && shown.max().x >= extent.max().x
            && shown.max().y >= extent.max().y;
        let view = (!covers).then(|| {
            let a = to_px(coord! { x: shown.min().x, y: shown.max().y });
            let b = to_px(coord! { x: shown.max().x, y: shown.min().y });
            let clamp_x = |x: f64| (x.round() as i32).clamp(frame[0].0 + 1, frame[1].0 - 1);
            let clamp_y = |y: f64| (y.round() as i32).clamp(frame[0].1 + 1, frame[1].1 - 1);
            [(clamp_x(a.x), clamp_y(a.y)), (clamp_x(b.x), clamp_y(b.y))]
        });
        let label = l.text(if view.is_some() { "map.inset_frame" } else { "map.inset_whole" }).to_string();
        let title = l.text("map.inset_title").to_string();
        let caption = wrap(&label, SMALL, false, super::LEGEND_W as u32)?;
        if caption.len() as i32 > CAPTION_LINES {
            return Err(format!(
                "the inset's caption takes {} lines, more than {CAPTION_LINES}",
                caption.len()
            ));
        }
        Ok(Some(Inset {
            frame,
            land,
            qpv,
            dots,
            view,
            caption,
            title,
            label: l.format(
                "map.inset_label",
                &[("title", Arg::Text(l.text("map.inset_title").into())), ("text", Arg::Text(label))],
            ),
        }))
    }

    /// Draws the inset: title, box, land, QPV, the frame's rectangle, caption.
    pub(super) fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let [(x0, y0), (_, y1)] = self.frame;
        let title_style = text::style(BODY, true, INK, HPos::Left, VPos::Bottom);
        draw_text(root, &self.title, (x0, y0 - 6), &title_style)?;
        draw_rect(root, self.frame, WHITE.filled())?;
        for item in &self.land {
            for points in &item.fills {
                root.draw(&PxPolygon::new(points.clone(), INSET_LAND.filled())).map_err(|e| e.to_string())?;
            }
            // The land's own colour on the outlines closes the seams between neighbours.
            for ring in &item.rings {
                root.draw(&PathElement::new(ring.clone(), INSET_LAND.stroke_width(1)))
                    .map_err(|e| e.to_string())?;
            }
        }
        for item in &self.qpv {
            for points in &item.fills {
                root.draw(&PxPolygon::new(points.clone(), INSET_QPV.filled())).map_err(|e| e.to_string())?;
            }
        }
        for (x, y) in &self.dots {
            draw_rect(root, [(x - 1, y - 1), (x + 2, y + 2)], INSET_QPV.filled())?;
        }
        if let Some(view) = self.view {
            draw_rect(root, view, WHITE.stroke_width(4))?;
            draw_rect(root, view, INSET_FRAME.stroke_width(2))?;
        }
        draw_rect(root, self.frame, OUTLINE.stroke_width(1))?;
        let caption_style = text::style(SMALL, false, INK, HPos::Left, VPos::Top);
        let mut y = y1 + 8;
        for line in &self.caption {
            draw_text(root, line, (x0, y), &caption_style)?;
            y += line_height(SMALL);
        }
        Ok(())
    }
}

fn union(a: Rect<f64>, b: Rect<f64>) -> Rect<f64> {
    Rect::new(
        coord! { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
        coord! { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::choropleth::square;
    use crate::render::ensure_fonts;

    #[test]
    fn the_inset_marks_the_frame_only_when_the_map_shows_part_of_the_territory()
    -> Result<(), Box<dyn std::error::Error>> {
        ensure_fonts()?;
        let l = Locale::default();
        let land: Vec<MultiPolygon<f64>> =
            (0..4).map(|i| MultiPolygon::new(vec![square(f64::from(i) * 10_000.0, 0.0, 10_000.0)])).collect();
        let qpv = [square(1_000.0, 1_000.0, 2_000.0), square(35_000.0, 5_000.0, 10.0)].map(|p| MapFeature {
            code: "Q".into(),
            label: "Q".into(),
            geometry: MultiPolygon::new(vec![p]),
            value: crate::render::MapValue::NoData,
        });
        let whole = Rect::new(coord! { x: -100.0, y: -100.0 }, coord! { x: 40_100.0, y: 10_100.0 });
        let inset = Inset::layout(&land, &qpv, whole, (0, 0), &l)?.ok_or("no inset")?;
        assert!(inset.view.is_none(), "the map shows the whole territory");
        assert_eq!((inset.land.len(), inset.qpv.len(), inset.dots.len()), (4, 1, 1), "a speck is a dot");
        assert!(inset.label.contains("tout le territoire"), "{}", inset.label);
        let part = Rect::new(coord! { x: 0.0, y: 0.0 }, coord! { x: 10_000.0, y: 10_000.0 });
        let inset = Inset::layout(&land, &qpv, part, (0, 0), &l)?.ok_or("no inset")?;
        let [(a, b), (c, d)] = inset.view.ok_or("a frame")?;
        let [(x0, y0), (x1, y1)] = inset.frame;
        assert!(x0 < a && a < c && c < x1 && y0 < b && b < d && d < y1, "inside the box");
        assert!((c - a) * 3 < x1 - x0, "a quarter of the territory's width");
        assert!(Inset::layout(&[], &qpv, part, (0, 0), &l)?.is_none(), "no territory, no inset");
        assert_eq!((line_height(BODY), line_height(SMALL)), (26, 23), "the heights INSET_H counts");
        Ok(())
    }
}
