//! The page furniture shared by every figure: the title block with its optional notice banner at the
//! top, and the footnote and credit lines at the bottom.
//!
//! Input: the texts and the width available. Output: a laid-out [`Header`] or [`Footer`] whose
//! `height` is known before drawing, so that the body of the figure can be placed between them.
//!
//! Invariants: text is wrapped to the width (never cut); the notice is dark red bold text on a pale
//! red banner (contrast ≈ 9:1), title and credit are near-black / dark grey on white.

use plotters::coord::Shift;
use plotters::element::{Rectangle, Text};
use plotters::prelude::{DrawingArea, DrawingBackend};
use plotters::style::text_anchor::{HPos, VPos};
use plotters::style::{Color, RGBColor, ShapeStyle, TextStyle};

use super::output::DrawResult;
use super::text::{self, INK, INK_SOFT, SMALL, SUBTITLE, TITLE, line_height, wrap};

/// Dark red of the notice text and border.
const NOTICE_INK: RGBColor = RGBColor(0x8b, 0x00, 0x00);
/// Pale red of the notice banner.
const NOTICE_FILL: RGBColor = RGBColor(0xfd, 0xec, 0xea);
/// Padding inside the notice banner.
const BANNER_PAD: i32 = 10;
/// Space between the title and the banner.
const GAP: i32 = 10;

/// Draws one line of text.
pub(crate) fn draw_text<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &str,
    at: (i32, i32),
    style: &TextStyle,
) -> DrawResult {
    root.draw(&Text::new(s, at, style.clone())).map_err(|e| e.to_string())
}

/// Draws a rectangle, filled or outlined.
pub(crate) fn draw_rect<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    corners: [(i32, i32); 2],
    style: ShapeStyle,
) -> DrawResult {
    root.draw(&Rectangle::new(corners, style)).map_err(|e| e.to_string())
}

/// Title lines and optional notice banner.
pub(crate) struct Header {
    title: Vec<String>,
    notice: Vec<String>,
    /// Total height in pixels.
    pub height: i32,
}

impl Header {
    /// Wraps `title` and `notice` to `width` pixels.
    pub(crate) fn layout(title: &str, notice: Option<&str>, width: u32) -> Result<Header, String> {
        let title = wrap(title, TITLE, true, width)?;
        let notice = match notice {
            Some(n) => wrap(n, SUBTITLE, true, width.saturating_sub(2 * BANNER_PAD as u32))?,
            None => Vec::new(),
        };
        let mut height = title.len() as i32 * line_height(TITLE);
        if !notice.is_empty() {
            height += GAP + 2 * BANNER_PAD + notice.len() as i32 * line_height(SUBTITLE);
        }
        Ok(Header { title, notice, height })
    }

    /// Draws the header with its top-left corner at `(x, y)`, `width` pixels wide.
    pub(crate) fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        (x, y): (i32, i32),
        width: i32,
    ) -> DrawResult {
        let title_style = text::style(TITLE, true, INK, HPos::Left, VPos::Top);
        let mut y = y;
        for line in &self.title {
            draw_text(root, line, (x, y), &title_style)?;
            y += line_height(TITLE);
        }
        if !self.notice.is_empty() {
            y += GAP;
            let h = 2 * BANNER_PAD + self.notice.len() as i32 * line_height(SUBTITLE);
            draw_rect(root, [(x, y), (x + width, y + h)], NOTICE_FILL.filled())?;
            draw_rect(root, [(x, y), (x + width, y + h)], NOTICE_INK.stroke_width(2))?;
            let style = text::style(SUBTITLE, true, NOTICE_INK, HPos::Center, VPos::Center);
            let mut ty = y + BANNER_PAD + line_height(SUBTITLE) / 2;
            for line in &self.notice {
                draw_text(root, line, (x + width / 2, ty), &style)?;
                ty += line_height(SUBTITLE);
            }
        }
        Ok(())
    }
}

/// Footnote and credit lines.
pub(crate) struct Footer {
    footnote: Vec<String>,
    credit: Vec<String>,
    /// Total height in pixels.
    pub height: i32,
}

impl Footer {
    /// Wraps `footnote` (if any) and `credit` to `width` pixels.
    pub(crate) fn layout(footnote: Option<&str>, credit: &str, width: u32) -> Result<Footer, String> {
        let footnote = match footnote {
            Some(f) => wrap(f, SMALL, false, width)?,
            None => Vec::new(),
        };
        let credit = wrap(credit, SMALL, false, width)?;
        let mut height = (footnote.len() + credit.len()) as i32 * line_height(SMALL);
        if !footnote.is_empty() && !credit.is_empty() {
            height += GAP / 2;
        }
        Ok(Footer { footnote, credit, height })
    }

    /// Draws the footer with its top-left corner at `(x, y)`.
    pub(crate) fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        (x, y): (i32, i32),
    ) -> DrawResult {
        let note_style = text::style(SMALL, false, INK, HPos::Left, VPos::Top);
        let credit_style = text::style(SMALL, false, INK_SOFT, HPos::Left, VPos::Top);
        let mut y = y;
        for line in &self.footnote {
            draw_text(root, line, (x, y), &note_style)?;
            y += line_height(SMALL);
        }
        if !self.footnote.is_empty() {
            y += GAP / 2;
        }
        for line in &self.credit {
            draw_text(root, line, (x, y), &credit_style)?;
            y += line_height(SMALL);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heights_grow_with_text() -> Result<(), Box<dyn std::error::Error>> {
        super::super::ensure_fonts()?;
        let short = Header::layout("Titre", None, 1000)?;
        let with_notice = Header::layout("Titre", Some("DONNÉES SYNTHÉTIQUES DE DÉMONSTRATION"), 1000)?;
        let narrow = Header::layout("Un titre assez long pour tenir sur plusieurs lignes", None, 200)?;
        assert_eq!(short.height, line_height(TITLE));
        assert!(with_notice.height > short.height + line_height(SUBTITLE));
        assert!(narrow.height >= 2 * line_height(TITLE));
        let footer = Footer::layout(Some("Note."), "Source : INSEE.", 1000)?;
        assert!(footer.height >= 2 * line_height(SMALL));
        assert_eq!(Footer::layout(None, "", 1000)?.height, 0);
        Ok(())
    }
}
