//! Text helpers shared by maps and charts: font sizes, ink colours, text styles, and measuring and
//! wrapping with the embedded DejaVu Sans metrics (registered by `super::ensure_fonts`). Numbers are
//! formatted by `crate::numbers`, not here.
//!
//! Sizes are plotters sizes: with the `ab_glyph` backend a size `s` renders at about `s / 1.24` px
//! in the SVG (`font-size`), so [`SMALL`] (18) is the smallest size used, about 14.5 px.

use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontDesc, FontStyle, IntoFont, RGBColor, TextStyle};

use super::FONT_FAMILY;

/// Smallest text: tick labels, credits, map labels (≈ 14.5 px in the SVG).
pub(crate) const SMALL: f64 = 18.0;
/// Legend entries.
pub(crate) const BODY: f64 = 20.0;
/// Legend and axis titles.
pub(crate) const SUBTITLE: f64 = 22.0;
/// Figure title.
pub(crate) const TITLE: f64 = 30.0;

/// Near-black ink for text (contrast > 15:1 on white).
pub(crate) const INK: RGBColor = RGBColor(0x1a, 0x1a, 0x1a);
/// Dark grey for secondary text such as credits (contrast ≈ 10:1 on white).
pub(crate) const INK_SOFT: RGBColor = RGBColor(0x40, 0x40, 0x40);

/// The font of `size`, bold or regular.
pub(crate) fn font(size: f64, bold: bool) -> FontDesc<'static> {
    let style = if bold { FontStyle::Bold } else { FontStyle::Normal };
    (FONT_FAMILY, size, style).into_font()
}

/// A text style anchored at `h`/`v`.
pub(crate) fn style(size: f64, bold: bool, color: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    font(size, bold).color(&color).pos(Pos::new(h, v))
}

/// Width in pixels of `text` in the given font.
pub(crate) fn width(text: &str, size: f64, bold: bool) -> Result<u32, String> {
    font(size, bold).box_size(text).map(|(w, _)| w).map_err(|e| format!("measuring {text:?}: {e}"))
}

/// Splits `text` into lines no wider than `max_width` pixels, breaking at spaces (a single word wider
/// than the line stays whole). Explicit `\n` start a new line. Empty text gives no line.
pub(crate) fn wrap(text: &str, size: f64, bold: bool, max_width: u32) -> Result<Vec<String>, String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut current = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if current.is_empty() { word.to_string() } else { format!("{current} {word}") };
            if current.is_empty() || width(&candidate, size, bold)? <= max_width {
                current = candidate;
            } else {
                lines.push(std::mem::replace(&mut current, word.to_string()));
            }
        }
        if !current.is_empty() {
            lines.push(current);
        }
    }
    Ok(lines)
}

/// Line height used for text of `size`.
pub(crate) fn line_height(size: f64) -> i32 {
    (size * 1.3).round() as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_respects_width() -> Result<(), String> {
        super::super::ensure_fonts().map_err(|e| e.to_string())?;
        let text = "Locaux éligibles au très haut débit (≥ 30 Mbit/s) dans les quartiers prioritaires";
        let lines = wrap(text, SMALL, false, 250)?;
        assert!(lines.len() > 1);
        for line in &lines {
            assert!(width(line, SMALL, false)? <= 250 || !line.contains(' '));
        }
        assert_eq!(lines.join(" "), text);
        assert!(wrap("", SMALL, false, 100)?.is_empty());
        assert_eq!(wrap("a\nb", SMALL, false, 1000)?, vec!["a", "b"]);
        Ok(())
    }
}
