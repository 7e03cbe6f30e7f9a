//! The map legend: its title, the method and number of classes, one row per class with its colour,
//! its bounds and the number of areas in it, a "no data" row (diagonal hatching) and a "secret" row
//! (crossed hatching) each only when the map has such areas, and, when the map has symbols, a
//! sample symbol; drawn at the top of the right-hand column.

use geo::{MultiPolygon, Rect, coord};
use plotters::coord::Shift;
use plotters::element::PathElement;
use plotters::prelude::{DrawingArea, DrawingBackend};
use plotters::style::text_anchor::{HPos, VPos};
use plotters::style::{Color, WHITE};

use super::LEGEND_W;
use super::layout::MapFigure;
use super::paint::{Fill, HATCH, HATCH_STEP, OUTLINE};
use crate::render::frame::{draw_rect, draw_text};
use crate::render::output::DrawResult;
use crate::render::symbols::draw_symbol;
use crate::render::text::{self, BODY, INK, SUBTITLE, line_height};

pub(super) const SWATCH_W: i32 = 48;
/// Width kept at the right of a row for its count ("12 zones").
pub(super) const COUNT_W: i32 = 96;
const SWATCH_H: i32 = 30;
const ROW_H: i32 = 40;

/// What a legend row shows beside its text.
#[derive(Debug, Clone, Copy)]
pub(super) enum Swatch {
    /// A class colour, or the hatching of no data or secret, exactly as on the map.
    Fill(Fill),
    /// A sample symbol: features too small for their colour to show.
    Symbol,
}

/// A legend row.
pub(super) struct LegendRow {
    pub(super) swatch: Swatch,
    pub(super) lines: Vec<String>,
    /// The number of areas drawn so ("4 zones"), right-aligned.
    pub(super) count: Option<String>,
}

// Legend entry of the symbols drawn over features too small to see.

/// The head of a map legend at `(x, y)`: its title lines, then the classification method's lines.
/// Returns the `y` just below the last method line.
pub(super) fn draw_legend_heading<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (x, mut y): (i32, i32),
    title: &[String],
    method: &[String],
) -> Result<i32, String> {
    let title_style = text::style(SUBTITLE, true, INK, HPos::Left, VPos::Top);
    for line in title {
        draw_text(root, line, (x, y), &title_style)?;
        y += line_height(SUBTITLE);
    }
    y += 12;
    let method_style = text::style(BODY, false, INK, HPos::Left, VPos::Top);
    for line in method {
        draw_text(root, line, (x, y), &method_style)?;
        y += line_height(BODY);
    }
    Ok(y)
}

impl MapFigure {
    pub(super) fn draw_legend<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let x = self.legend_x;
        let mut y = draw_legend_heading(root, (x, self.legend_y), &self.legend_title, &self.legend_method)?;
        if !self.legend_method.is_empty() {
            y += 8;
        }
        let label_style = text::style(BODY, false, INK, HPos::Left, VPos::Center);
        let count_style = text::style(BODY, false, INK, HPos::Right, VPos::Center);
        for row in &self.legend_rows {
            let h = row_height(row);
            let swatch = [(x, y + (h - SWATCH_H) / 2 - 4), (x + SWATCH_W, y + (h + SWATCH_H) / 2 - 4)];
            if let Swatch::Fill(fill) = row.swatch {
                if let Some(colour) = fill.colour() {
                    draw_rect(root, swatch, colour.filled())?;
                }
                let rect = Rect::new(
                    coord! { x: swatch[0].0 as f64, y: swatch[0].1 as f64 },
                    coord! { x: swatch[1].0 as f64, y: swatch[1].1 as f64 },
                );
                for segment in fill.hatching(&MultiPolygon::new(vec![rect.to_polygon()]), HATCH_STEP) {
                    root.draw(&PathElement::new(segment, HATCH.stroke_width(1)))
                        .map_err(|e| e.to_string())?;
                }
            }
            match row.swatch {
                Swatch::Symbol => {
                    // A speck with its symbol, as on the map.
                    let (cx, cy) = ((swatch[0].0 + swatch[1].0) / 2, (swatch[0].1 + swatch[1].1) / 2);
                    draw_rect(root, [(cx - 2, cy - 2), (cx + 2, cy + 2)], OUTLINE.filled())?;
                    draw_symbol(root, (cx, cy), Some(WHITE), &[])?;
                }
                _ => draw_rect(root, swatch, OUTLINE.stroke_width(1))?,
            }
            let lh = line_height(BODY);
            let centre = (swatch[0].1 + swatch[1].1) / 2;
            if let Some(count) = &row.count {
                draw_text(root, count, (x + LEGEND_W, centre), &count_style)?;
            }
            let mut ty = centre - (row.lines.len() as i32 - 1) * lh / 2;
            for line in &row.lines {
                draw_text(root, line, (x + SWATCH_W + 14, ty), &label_style)?;
                ty += lh;
            }
            y += h;
        }
        Ok(())
    }
}

pub(super) fn row_height(row: &LegendRow) -> i32 {
    ROW_H.max(row.lines.len() as i32 * line_height(BODY) + 10)
}
