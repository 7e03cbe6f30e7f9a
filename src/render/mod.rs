//! render: maps and charts for the published outputs.
//!
//! Table of contents:
//! - [`figures`]: the stage entry point, choosing the figures a dataset's indicators allow and
//!   drawing them ([`figures::render`], [`figures::Figure`]);
//! - [`classify`]: classification of map values behind one trait, one file per method: quantiles,
//!   equal intervals, exact Fisher-Jenks, user breaks ([`ClassBreaks`], [`classify::Method`],
//!   [`classify::Classes`]), and pooled breaks for small multiples;
//! - [`choropleth`](mod@choropleth): choropleth maps ([`choropleth()`], [`MapSpec`], [`MapFeature`],
//!   [`RenderedMap`]), in submodules for layout, legend, painting, scale bar and description;
//! - `symbols`: circles over the map features too small to show their colour, spread apart;
//! - `labels`: which map features are named (all, or only the extreme values) and where;
//! - [`chart`]: line charts of quarterly series, small multiples of series (one panel per area) and
//!   need-vs-reach scatter plots, in submodules for each kind plus the shared axes and series markers;
//! - `reach`: the figures of reach over the quarters (choropleth small multiples, one series panel
//!   per QPV against the territory and its target);
//! - `svg_a11y`: the accessibility post-processing of the SVG text;
//! - [`contrast`]: WCAG contrast ratios, the white casing of outlines on dark fills, and the tests
//!   of every colour the figures draw meaning with (≥ 3:1, WCAG 1.4.11);
//! - `frame`: the page furniture shared by every figure (title, notice banner, footnote, credit);
//! - `text`: font sizes, text styles and colours, text measurement and wrapping;
//! - `output`: drawing one figure on both backends and writing the files atomically;
//! - [`data_table`]: the data of each figure as a table for people, its text alternative in the
//!   report;
//! - `sidecar`: the data of each figure as `maps/<stem>.json` (classes and counts of a map, points of
//!   a chart);
//! - here: [`RenderError`] and the registration of the embedded fonts.
//!
//! Inputs: geometries in Lambert-93 metres (EPSG:2154) with one value per feature for maps,
//! quarterly series and (need, reach) pairs for charts, plus the texts of each figure (title, credit,
//! notice, text alternative). Outputs: for each figure `<out_dir>/<file_stem>.png` (1400 px wide for
//! maps, 1200 px for charts) and `<out_dir>/<file_stem>.svg`, and from [`figures::render`]
//! `<out_dir>/<file_stem>.json` with the data the figure draws.
//!
//! Invariants:
//! - fonts are the embedded DejaVu Sans (no system font), registered once before the first drawing;
//! - the same inputs give byte-identical PNG and SVG files, written to a temporary file in `out_dir`
//!   and then renamed, so a reader never sees a half-written figure;
//! - every SVG is accessible (RGAA 4.1): `role="img"`, `aria-labelledby`, `<title>` and `<desc>`;
//! - information is never carried by colour alone: legends carry the numbers, series have distinct
//!   marker shapes, missing data is hatched (diagonally for no data, crossed for secret);
//! - maps keep an equal x/y scale (no distortion), north up.
//! - the graphics needed to read a figure (outlines, hatching, swatch borders, chart lines and
//!   markers) have ≥ 3:1 contrast with what they touch (WCAG 1.4.11; tested in `contrast` and on
//!   the demo's SVGs).

pub mod chart;
pub mod choropleth;
pub mod classify;
pub mod contrast;
pub mod data_table;
pub mod figures;
mod frame;
mod labels;
mod output;
mod reach;
mod sidecar;
mod svg_a11y;
mod symbols;
mod text;

use std::path::PathBuf;
use std::sync::OnceLock;

use plotters::style::FontStyle;

pub use chart::{
    ChartSpec, PanelSeries, Reference, RenderedChart, Series, line_chart, order_by_latest, scatter,
    series_panels,
};
pub use choropleth::{
    MAX_CLASSES, MapFeature, MapSpec, MapState, MapValue, Panel, RenderedMap, RenderedMultiples, choropleth,
    small_multiples,
};
pub use classify::ClassBreaks;
pub use reach::MAX_PANELS;

/// Why a figure could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The embedded fonts could not be registered with plotters.
    #[error("cannot register the embedded DejaVu fonts: {0}")]
    Fonts(String),
    /// The file stem is not a plain file name.
    #[error("invalid file stem {stem:?}: {reason}")]
    InvalidStem { stem: String, reason: &'static str },
    /// There is nothing to draw (no geometry, no period).
    #[error("nothing to draw in {path}: {reason}")]
    Empty { path: PathBuf, reason: String },
    /// The classes cannot be drawn (too many for the palette, invalid thresholds).
    #[error("cannot class the values of {path}: {reason}")]
    Classes { path: PathBuf, reason: String },
    /// plotters failed while drawing the figure.
    #[error("drawing {path} failed: {message}")]
    Draw { path: PathBuf, message: String },
    /// A file or folder could not be written.
    #[error("cannot write {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The font family every figure draws with; DejaVu Sans is registered under this name.
pub(crate) const FONT_FAMILY: &str = "sans-serif";

static FONTS: OnceLock<Result<(), String>> = OnceLock::new();

/// Registers DejaVu Sans (regular and bold) as [`FONT_FAMILY`] once per process.
pub(crate) fn ensure_fonts() -> Result<(), RenderError> {
    FONTS
        .get_or_init(|| {
            plotters::style::register_font(FONT_FAMILY, FontStyle::Normal, dejavu::sans::regular())
                .map_err(|_| "DejaVu Sans regular is not a valid font".to_string())?;
            plotters::style::register_font(FONT_FAMILY, FontStyle::Bold, dejavu::sans::bold())
                .map_err(|_| "DejaVu Sans bold is not a valid font".to_string())
        })
        .clone()
        .map_err(RenderError::Fonts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fonts_register_once_and_measure_text() -> Result<(), Box<dyn std::error::Error>> {
        ensure_fonts()?;
        ensure_fonts()?;
        let w = text::width("Données non disponibles", text::SMALL, false)?;
        let wb = text::width("Données non disponibles", text::SMALL, true)?;
        assert!(w > 100 && wb > w, "regular {w}, bold {wb}");
        Ok(())
    }
}
