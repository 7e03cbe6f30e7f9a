//! Map furniture at the bottom of the legend column: a north arrow and a scale bar of a round length
//! in m or km, with the projection named under it.

use crate::locale::{Arg, Locale};
use plotters::coord::Shift;
use plotters::element::Polygon as PxPolygon;
use plotters::prelude::{DrawingArea, DrawingBackend};
use plotters::style::text_anchor::{HPos, VPos};
use plotters::style::{Color, WHITE};

use super::layout::MapFigure;
use crate::render::frame::{draw_rect, draw_text};
use crate::render::output::DrawResult;
use crate::render::text::{self, INK, SMALL, SUBTITLE};

/// Height kept at the bottom of the legend column for the north arrow and the scale bar.
pub(super) const FURNITURE_H: i32 = 150;

impl MapFigure {
    /// North arrow and scale bar at the bottom of the legend column.
    pub(super) fn draw_furniture<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let x = self.legend_x;
        let bottom = self.frame[1].1;
        // North arrow: an arrowhead with a notch, "N" above it.
        let (cx, top) = (x + 18, bottom - 104);
        draw_text(
            root,
            self.locale.text("map.north"),
            (cx, top),
            &text::style(SUBTITLE, true, INK, HPos::Center, VPos::Top),
        )?;
        let tip = top + 30;
        let head = vec![(cx, tip), (cx + 14, tip + 42), (cx, tip + 32), (cx - 14, tip + 42)];
        root.draw(&PxPolygon::new(head.clone(), INK.filled())).map_err(|e| e.to_string())?;

        // Scale bar: a round length close to 170 px, in two halves.
        let (metres, px) = scale_bar_length(self.scale, 170.0);
        let (bx, by) = (x + 64, bottom - 62);
        let half = px / 2;
        draw_rect(root, [(bx, by), (bx + half, by + 10)], INK.filled())?;
        draw_rect(root, [(bx + half, by), (bx + px, by + 10)], WHITE.filled())?;
        draw_rect(root, [(bx, by), (bx + px, by + 10)], INK.stroke_width(1))?;
        let tick = text::style(SMALL, false, INK, HPos::Center, VPos::Top);
        draw_text(root, "0", (bx, by + 16), &tick)?;
        draw_text(root, &format_distance(metres, &self.locale), (bx + px, by + 16), &tick)?;
        let note = text::style(SMALL, false, INK, HPos::Left, VPos::Bottom);
        draw_text(root, "Lambert-93 (EPSG:2154)", (bx, by - 10), &note)?;
        Ok(())
    }
}

/// A round length (1, 2 or 5 × 10^k metres) drawn close to `target_px` pixels, and its length in
/// pixels, for a scale of `scale` pixels per metre.
fn scale_bar_length(scale: f64, target_px: f64) -> (f64, i32) {
    let target_m = target_px / scale;
    if !(target_m.is_finite() && target_m > 0.0) {
        return (0.0, 0);
    }
    let magnitude = 10f64.powf(target_m.log10().floor());
    let metres = [5.0, 2.0, 1.0].iter().map(|m| m * magnitude).find(|m| *m <= target_m).unwrap_or(magnitude);
    (metres, (metres * scale).round() as i32)
}

/// "500 m", "2 km", "2,5 km".
fn format_distance(metres: f64, l: &Locale) -> String {
    if metres < 1000.0 {
        format!("{} m", l.number(metres, 0))
    } else {
        let km = metres / 1000.0;
        let decimals = if km.fract() == 0.0 { 0 } else { 1 };
        l.format("map.km", &[("n", Arg::Number(km, decimals))])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_bar_is_round() {
        assert_eq!(scale_bar_length(0.1, 170.0), (1000.0, 100));
        assert_eq!(scale_bar_length(0.05, 170.0).0, 2000.0);
        assert_eq!(format_distance(500.0, &Locale::default()), "500 m");
        assert_eq!(format_distance(2000.0, &Locale::default()), "2 km");
        assert_eq!(format_distance(2500.0, &Locale::default()), "2,5 km");
        assert_eq!(format_distance(2500.0, &Locale::new(crate::locale::Lang::En)), "2.5 km");
    }
}
