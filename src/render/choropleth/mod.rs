//! Choropleth maps: one value per feature (a QPV, an IRIS…), classed by quantiles and coloured with a
//! sequential ramp over light-grey context outlines.
//!
//! Table of contents:
//! - [`choropleth`](fn@choropleth) (here): the entry point, with [`MapSpec`], [`MapFeature`] and
//!   [`RenderedMap`];
//! - `layout`: the map extent, the frame at an equal x/y scale and everything placed in pixels;
//! - `legend`: the legend rows (class swatches, no data, sample symbol) and their drawing;
//! - `paint`: the palette, features turned into fills, outlines and hatching, and the figure's drawing;
//! - `scale_bar`: the north arrow and the scale bar in km;
//! - `describe`: the text alternative (`<desc>`) and the footnotes on what the map leaves out.
//!
//! Input: a [`MapSpec`] (texts, palette direction, decimals), background geometries (communes or
//! IRIS outlines) and [`MapFeature`]s, all in Lambert-93 metres (EPSG:2154). Output: a
//! [`RenderedMap`]: `<stem>.png` (1400 px wide) and `<stem>.svg`, the class breaks used and the text
//! alternative.
//!
//! Layout: title (and notice banner) on top; the map on the left at an equal x/y scale, north up;
//! on the right the legend (one swatch per class with its bounds written `[a ; b[`, plus a hatched
//! "no data" swatch and, when there are symbols, a sample symbol), a north arrow and a scale bar in
//! km; at the bottom left a footnote on what the map leaves out, if anything, and the credit line.
//!
//! Invariants:
//! - the extent is the features' bounding box (grown to the background outlines that touch it
//!   unless they are much larger), padded; background outlines are clipped to the map frame;
//! - the "bad" end of the ramp is always the dark one (`higher_is_better` reverses it);
//! - features without a value are white with dark grey hatching, never a colour of the ramp;
//! - feature outlines are dark grey (#333, ≥ 9:1 against the light-grey background);
//! - polygons with holes are filled with their holes left open;
//! - every value is visible: a feature too small to show its colour at the map's scale (a QPV on
//!   a regional map) also gets a circle of its class colour, spread apart from the others and kept
//!   inside the frame (see `symbols`);
//! - each label is drawn only where it does not overlap another one (see `labels`); a map with many
//!   features or mostly symbols names only its extreme values, and its footnote, `<desc>` and
//!   [`RenderedMap::description`] say that the full list is in the table.

use std::path::{Path, PathBuf};

use geo::MultiPolygon;

use super::classes::ClassBreaks;
use super::labels::LabelMode;
use super::output::{check_stem, write_figure};
use super::{RenderError, ensure_fonts};

mod describe;
mod layout;
mod legend;
mod paint;
mod scale_bar;

use crate::locale::{Arg, Locale};
use describe::{extremes_note, long_description};
use layout::{MapFigure, map_extent};
pub(crate) use paint::{HATCH, OUTLINE, hatch, rgb};

/// One feature of a choropleth map.
#[derive(Debug, Clone, PartialEq)]
pub struct MapFeature {
    /// Code of the feature (QPV code such as `QN06701M`), a string.
    pub code: String,
    /// Short name printed on the map where there is room.
    pub label: String,
    /// Geometry in Lambert-93 metres.
    pub geometry: MultiPolygon<f64>,
    /// The value to map; `None` (or a non-finite value) is drawn as "no data".
    pub value: Option<f64>,
}

/// What a map says and how its file is named.
#[derive(Debug, Clone, Copy)]
pub struct MapSpec<'a> {
    /// `"eligibility_thd30"` writes `<out_dir>/eligibility_thd30.png` and `.svg`.
    pub file_stem: &'a str,
    /// Title, e.g. "Locaux éligibles au très haut débit (≥ 30 Mbit/s), 2026-T3".
    pub title: &'a str,
    /// Legend title, e.g. "% des locaux".
    pub legend_title: &'a str,
    /// Palette direction: the "bad" end is always the dark colour.
    pub higher_is_better: bool,
    /// Decimals of the legend bounds.
    pub decimals: usize,
    /// Source and credit line printed at the bottom.
    pub credit: &'a str,
    /// Printed prominently in a banner under the title when `Some`.
    pub notice: Option<&'a str>,
    /// Text alternative (RGAA): goes into the SVG `<desc>` and is returned for the HTML `alt`.
    pub description: &'a str,
    /// The language of every text the map adds (legend, notes, numbers).
    pub locale: &'a Locale,
}

/// The files of a map and what a page needs to publish it.
#[derive(Debug, Clone)]
pub struct RenderedMap {
    pub png: PathBuf,
    pub svg: PathBuf,
    /// The classes the map was coloured with.
    pub classes: ClassBreaks,
    /// The text alternative for the HTML `alt`: `MapSpec::description`, followed, on a map that
    /// names only its extreme values, by a sentence saying so and pointing to the table.
    pub description: String,
}

const WIDTH: u32 = 1400;
const MARGIN: i32 = 32;
const LEGEND_W: i32 = 360;
const GAP: i32 = 28;

/// Draws a choropleth of `features` over a light-grey `background` (e.g. the commune/IRIS outlines),
/// writes PNG (1400 px wide) and SVG.
pub fn choropleth(
    spec: &MapSpec,
    background: &[MultiPolygon<f64>],
    features: &[MapFeature],
    out_dir: &Path,
) -> Result<RenderedMap, RenderError> {
    ensure_fonts()?;
    check_stem(spec.file_stem)?;
    let png_path = out_dir.join(format!("{}.png", spec.file_stem));
    let layout_error = |message: String| RenderError::Draw { path: png_path.clone(), message };

    let values: Vec<f64> = features.iter().filter_map(|f| f.value).filter(|v| v.is_finite()).collect();
    let classes = ClassBreaks::quantiles(&values, ClassBreaks::MAP_CLASSES, spec.decimals);
    let extent = map_extent(background, features).ok_or_else(|| RenderError::Empty {
        path: png_path.clone(),
        reason: "no feature and no background geometry".to_string(),
    })?;

    let figure = MapFigure::layout(spec, &classes, extent, background, features).map_err(layout_error)?;
    let mut notes = Vec::new();
    let l = spec.locale;
    match figure.symbols.len() {
        0 => {}
        1 => notes.push(l.text("map.symbols_one").to_string()),
        n => notes.push(l.format("map.symbols_many", &[("n", Arg::Count(n as u64))])),
    }
    let mut description = spec.description.to_string();
    if figure.label_mode == LabelMode::Extremes {
        notes.push(extremes_note(l));
        description = format!("{} {}", spec.description.trim_end(), extremes_note(l));
    }
    let desc = long_description(spec, &classes, features, &notes);
    let written = write_figure(&figure, out_dir, spec.file_stem, spec.title, &desc)?;
    Ok(RenderedMap { png: written.png, svg: written.svg, classes, description })
}

/// A square of `side` metres with its lower-left corner at `(x, y)`, for the tests.
#[cfg(test)]
fn square(x: f64, y: f64, side: f64) -> geo::Polygon<f64> {
    use geo::polygon;
    polygon![(x: x, y: y), (x: x + side, y: y), (x: x + side, y: y + side), (x: x, y: y + side)]
}
