//! Series styles: a colour and a marker shape per series (so that series differ by more than their
//! colour), and drawing a marker.

use plotters::coord::Shift;
use plotters::element::{Circle, PathElement, Polygon as PxPolygon};
use plotters::prelude::{DrawingArea, DrawingBackend};
use plotters::style::{Color, RGBColor};

use crate::render::choropleth::rgb;
use crate::render::frame::draw_rect;
use crate::render::output::DrawResult;

/// Series colours (Okabe–Ito and Tol), each ≥ 3:1 against white.
const SERIES_COLOURS: [u32; 6] = [0x0072b2, 0xd55e00, 0x009e73, 0xaa3377, 0x332288, 0x666666];

/// Marker shapes, so that series differ by more than their colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Marker {
    Circle,
    Square,
    TriangleUp,
    Diamond,
    TriangleDown,
    Cross,
}

const MARKERS: [Marker; 6] = [
    Marker::Circle,
    Marker::Square,
    Marker::TriangleUp,
    Marker::Diamond,
    Marker::TriangleDown,
    Marker::Cross,
];

/// Colour and marker of series `i`: the marker shifts by one each time the colours wrap around, so the
/// first 36 series all differ.
pub(super) fn series_style(i: usize) -> (RGBColor, Marker) {
    let n = SERIES_COLOURS.len();
    (rgb(SERIES_COLOURS[i % n]), MARKERS[(i + i / n) % MARKERS.len()])
}

/// Draws a marker of `size` (half-width in px) centred on `c`.
pub(super) fn draw_marker<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    marker: Marker,
    (x, y): (i32, i32),
    colour: RGBColor,
) -> DrawResult {
    let fill = colour.filled();
    let polygon =
        |points: Vec<(i32, i32)>| root.draw(&PxPolygon::new(points, fill)).map_err(|e| e.to_string());
    match marker {
        Marker::Circle => root.draw(&Circle::new((x, y), 7, fill)).map_err(|e| e.to_string()),
        Marker::Square => draw_rect(root, [(x - 6, y - 6), (x + 6, y + 6)], fill),
        Marker::TriangleUp => polygon(vec![(x, y - 9), (x + 8, y + 6), (x - 8, y + 6)]),
        Marker::Diamond => polygon(vec![(x, y - 9), (x + 9, y), (x, y + 9), (x - 9, y)]),
        Marker::TriangleDown => polygon(vec![(x, y + 9), (x + 8, y - 6), (x - 8, y - 6)]),
        Marker::Cross => {
            for (a, b) in [((x - 7, y - 7), (x + 7, y + 7)), ((x - 7, y + 7), (x + 7, y - 7))] {
                root.draw(&PathElement::new(vec![a, b], colour.stroke_width(4)))
                    .map_err(|e| e.to_string())?;
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_styles_differ() {
        let styles: Vec<(RGBColor, Marker)> = (0..36).map(series_style).collect();
        for (i, a) in styles.iter().enumerate() {
            for b in &styles[i + 1..] {
                assert!(a.0 != b.0 || a.1 != b.1, "series {i} repeats a style");
            }
        }
        // Neighbours always differ by shape as well as colour.
        for w in styles.windows(2) {
            assert!(w[0].0 != w[1].0 && w[0].1 != w[1].1);
        }
    }
}
