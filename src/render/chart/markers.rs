//! Series styles: a colour and a marker shape per series (so that series differ by more than their
//! colour), and drawing the marks of charts: markers, dashed lines, hatched boxes.

use plotters::coord::Shift;
use plotters::element::{Circle, PathElement, Polygon as PxPolygon};
use plotters::prelude::{DrawingArea, DrawingBackend};
use plotters::style::{Color, RGBColor};

use crate::render::choropleth::{HATCH, rgb};
use crate::render::frame::draw_rect;
use crate::render::output::DrawResult;

/// Series colours (Okabe–Ito and Tol), each ≥ 3:1 against white.
pub(crate) const SERIES_COLOURS: [u32; 6] = [0x0072b2, 0xd55e00, 0x009e73, 0xaa3377, 0x332288, 0x666666];

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

/// Draws a marker of the charts' size centred on `c`.
pub(super) fn draw_marker<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    marker: Marker,
    c: (i32, i32),
    colour: RGBColor,
) -> DrawResult {
    draw_marker_sized(root, marker, c, colour, 7)
}

/// Draws a marker of half-width `r` px (7 for the line charts) centred on `(x, y)`.
pub(super) fn draw_marker_sized<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    marker: Marker,
    (x, y): (i32, i32),
    colour: RGBColor,
    r: i32,
) -> DrawResult {
    // The shapes' proportions at r = 7: a triangle 8 wide and 9 high, a square of 6.
    let k = |v: i32| (v * r + 3) / 7;
    let fill = colour.filled();
    let polygon =
        |points: Vec<(i32, i32)>| root.draw(&PxPolygon::new(points, fill)).map_err(|e| e.to_string());
    match marker {
        Marker::Circle => root.draw(&Circle::new((x, y), r as u32, fill)).map_err(|e| e.to_string()),
        Marker::Square => draw_rect(root, [(x - k(6), y - k(6)), (x + k(6), y + k(6))], fill),
        Marker::TriangleUp => polygon(vec![(x, y - k(9)), (x + k(8), y + k(6)), (x - k(8), y + k(6))]),
        Marker::Diamond => polygon(vec![(x, y - k(9)), (x + k(9), y), (x, y + k(9)), (x - k(9), y)]),
        Marker::TriangleDown => polygon(vec![(x, y + k(9)), (x + k(8), y - k(6)), (x - k(8), y - k(6))]),
        Marker::Cross => {
            for (a, b) in [((x - r, y - r), (x + r, y + r)), ((x - r, y + r), (x + r, y - r))] {
                root.draw(&PathElement::new(vec![a, b], colour.stroke_width(4)))
                    .map_err(|e| e.to_string())?;
            }
            Ok(())
        }
    }
}

/// Spacing of the hatching of missing periods, along x, in pixels.
const HATCH_STEP: i32 = 8;

/// Hatches the rectangle `r`: diagonal lines rising to the right, and falling ones too when
/// `crossed`, `HATCH_STEP` px apart along x, clipped to the rectangle.
pub(super) fn hatch_rect<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    r: [(i32, i32); 2],
    crossed: bool,
) -> DrawResult {
    let [(x0, y0), (x1, y1)] = r;
    let h = y1 - y0;
    let mut segments = Vec::new();
    // Lines x - x0 + (y - y0) = c (rising, y down) for c on a grid of HATCH_STEP.
    let mut c = 0;
    while c <= (x1 - x0) + h {
        let clip = |(x, y): (i32, i32)| (x.clamp(x0, x1), y.clamp(y0, y1));
        // Point where the line meets the bottom edge (or the left edge), and the top edge (or the right).
        let a = if c <= h { (x0, y0 + c) } else { (x0 + c - h, y1) };
        let b = if c <= x1 - x0 { (x0 + c, y0) } else { (x1, y0 + c - (x1 - x0)) };
        segments.push(vec![clip(a), clip(b)]);
        if crossed {
            // Mirrored: lines falling to the right.
            let mirror = |(x, y): (i32, i32)| (x0 + x1 - x, y);
            segments.push(vec![mirror(clip(a)), mirror(clip(b))]);
        }
        c += HATCH_STEP;
    }
    for s in segments {
        root.draw(&PathElement::new(s, HATCH.stroke_width(1))).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// A horizontal dashed line from `a` to `b`: dashes of 6 px every 10 px, 3 px wide.
pub(super) fn draw_dashed<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    a: (i32, i32),
    b: (i32, i32),
    colour: RGBColor,
) -> DrawResult {
    let mut x = a.0;
    while x < b.0 {
        let e = (x + 6).min(b.0);
        root.draw(&PathElement::new(vec![(x, a.1), (e, b.1)], colour.stroke_width(3)))
            .map_err(|e| e.to_string())?;
        x += 10;
    }
    Ok(())
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
