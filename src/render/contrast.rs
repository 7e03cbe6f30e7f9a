//! WCAG 2.1 contrast of colours: the relative luminance of an sRGB colour and the contrast ratio of
//! two (success criterion 1.4.11, non-text contrast: ≥ 3:1 for the graphics needed to read a figure;
//! 1.4.3, text: ≥ 4.5:1).
//!
//! The renderer asks [`outline_casing`] whether a feature's outline needs a white casing; the tests
//! below check every colour a figure draws meaning with against what it touches.

use plotters::style::{RGBColor, WHITE};

use super::choropleth::OUTLINE;

/// The WCAG relative luminance of `c` (0 for black, 1 for white).
///
/// # Examples
/// ```
/// use fracture::render::contrast::{contrast, luminance};
/// use plotters::style::RGBColor;
/// assert_eq!(luminance(RGBColor(0, 0, 0)), 0.0);
/// assert!((luminance(RGBColor(255, 255, 255)) - 1.0).abs() < 1e-12);
/// assert!((contrast(RGBColor(0x76, 0x76, 0x76), RGBColor(255, 255, 255)) - 4.54).abs() < 0.01);
/// ```
pub fn luminance(c: RGBColor) -> f64 {
    let channel = |v: u8| {
        let s = f64::from(v) / 255.0;
        if s <= 0.04045 { s / 12.92 } else { ((s + 0.055) / 1.055).powf(2.4) }
    };
    0.2126 * channel(c.0) + 0.7152 * channel(c.1) + 0.0722 * channel(c.2)
}

/// The WCAG contrast ratio of two colours, from 1 (the same) to 21 (black on white).
pub fn contrast(a: RGBColor, b: RGBColor) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The least contrast WCAG 1.4.11 asks of the graphics needed to understand a figure.
pub const NON_TEXT: f64 = 3.0;

/// The casing drawn under a feature's dark outline when its fill (`None`: white) is too dark for
/// the outline alone: white, so that the outline meets ≥ 3:1 on both sides and the casing ≥ 3:1
/// against the fill; `None` when the outline contrasts with the fill by itself.
pub(crate) fn outline_casing(fill: Option<RGBColor>) -> Option<RGBColor> {
    let fill = fill.unwrap_or(WHITE);
    (contrast(OUTLINE, fill) < NON_TEXT).then_some(WHITE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::table::Direction;
    use crate::render::chart::{AREA_LINE, REFERENCE_LINE, SERIES_COLOURS, TARGET_LINE, scatter_colours};
    use crate::render::choropleth::{
        BACKGROUND_FILL, HATCH, INSET_FRAME, INSET_LAND, INSET_QPV, palette, rgb,
    };
    use crate::render::text::{INK, INK_SOFT};

    fn check(what: &str, a: RGBColor, b: RGBColor, min: f64) {
        let r = contrast(a, b);
        assert!(r >= min, "{what}: {a:?} against {b:?} is {r:.2}:1, less than {min}:1");
    }

    #[test]
    fn ratios_follow_the_wcag_definition() {
        assert!((contrast(RGBColor(0, 0, 0), WHITE) - 21.0).abs() < 1e-9);
        assert_eq!(contrast(OUTLINE, OUTLINE), 1.0);
        assert_eq!(contrast(OUTLINE, WHITE), contrast(WHITE, OUTLINE));
        // The WCAG reference grey: #767676 is the lightest grey with 4.5:1 on white.
        assert!(contrast(rgb(0x767676), WHITE) >= 4.5 && contrast(rgb(0x777777), WHITE) < 4.5);
    }

    /// Every class colour of every ramp: its outline (with its casing when one is drawn) has ≥ 3:1
    /// against the fill, and the outline ≥ 3:1 against what lies outside the feature (the context's
    /// grey, the white page, or the casing).
    #[test]
    fn feature_outlines_contrast_with_every_fill_and_the_context() {
        for direction in [Direction::HigherIsBetter, Direction::HigherIsWorse, Direction::Neutral] {
            for n in 1..=crate::render::MAX_CLASSES {
                for fill in palette(n, direction) {
                    match outline_casing(Some(fill)) {
                        None => check("outline on its fill", OUTLINE, fill, NON_TEXT),
                        Some(casing) => {
                            check("casing on its fill", casing, fill, NON_TEXT);
                            check("outline on its casing", OUTLINE, casing, NON_TEXT);
                        }
                    }
                }
            }
        }
        // White fills (no data, secret) and the page around.
        assert_eq!(outline_casing(None), None);
        check("outline on the context", OUTLINE, BACKGROUND_FILL, NON_TEXT);
        check("outline on the page", OUTLINE, WHITE, NON_TEXT);
        // A casing is drawn only where it is needed: the light classes keep the plain outline.
        assert_eq!(outline_casing(Some(rgb(0xffffb2))), None);
        assert_eq!(outline_casing(Some(rgb(0x800026))), Some(WHITE));
    }

    /// Hatching (no data, secret) is drawn on white; legend swatches are outlined on white.
    #[test]
    fn hatching_and_swatch_borders_contrast_with_white() {
        check("hatching", HATCH, WHITE, NON_TEXT);
        check("swatch border", OUTLINE, WHITE, NON_TEXT);
    }

    /// Chart lines and markers on the white plot; series differ by marker shape too (see markers).
    #[test]
    fn chart_lines_and_markers_contrast_with_white() {
        for c in SERIES_COLOURS {
            check("series colour", rgb(c), WHITE, NON_TEXT);
        }
        for (what, c) in
            [("area line", AREA_LINE), ("reference line", REFERENCE_LINE), ("target", TARGET_LINE)]
        {
            check(what, c, WHITE, NON_TEXT);
        }
        for c in scatter_colours() {
            check("scatter point or median", c, WHITE, NON_TEXT);
        }
        check("axes", INK_SOFT, WHITE, NON_TEXT);
    }

    /// The locator inset: grey land on white, black QPV on the land, the frame's black line on its
    /// white halo.
    #[test]
    fn inset_colours_contrast_with_their_neighbours() {
        check("inset land", INSET_LAND, WHITE, NON_TEXT);
        check("inset QPV", INSET_QPV, INSET_LAND, NON_TEXT);
        check("inset frame", INSET_FRAME, WHITE, NON_TEXT);
        check("text", INK, WHITE, 4.5);
    }
}
