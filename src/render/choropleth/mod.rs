//! Choropleth maps: one value per feature (a QPV, an IRIS…), classed by the indicator's method
//! (quantiles, equal intervals, Fisher-Jenks or fixed thresholds, see [`crate::render::classify`]) and
//! coloured with a colour-blind-safe ColorBrewer sequential ramp over light-grey context outlines.
//!
//! Table of contents:
//! - [`choropleth`](fn@choropleth) (here): the entry point, with [`MapSpec`], [`MapFeature`] and
//!   [`RenderedMap`];
//! - `layout`: the map extent, the frame at an equal x/y scale and everything placed in pixels;
//! - `legend`: the legend rows (class swatches with their counts, no data, secret, sample symbol)
//!   and their drawing;
//! - `paint`: the palettes, features turned into fills, outlines and hatching, and the figure's
//!   drawing;
//! - `scale_bar`: the north arrow and the scale bar in km;
//! - `inset`: the locator inset (the territory, the QPV footprint, the frame's rectangle);
//! - `describe`: the text alternative (`<desc>`) and the footnotes on what the map leaves out;
//! - `multiples`: small multiples, one panel per quarter with pooled classes
//!   ([`small_multiples`], [`Panel`]);
//! - `areas`: each feature's tooltip (name, code, value or why there is none) and the SVG layer
//!   that gives every feature its own `<title>`, on hover and to assistive technology.
//!
//! Input: a [`MapSpec`] (texts, palette direction, classification, decimals), background geometries
//! (communes or IRIS outlines) and [`MapFeature`]s, all in Lambert-93 metres (EPSG:2154). Output: a
//! [`RenderedMap`]: `<stem>.png` (1400 px wide) and `<stem>.svg`, the classes used (with their
//! counts) and the text alternative.
//!
//! Layout: title (and notice banner) on top; the map on the left at an equal x/y scale, north up;
//! on the right the legend (its title, the method and number of classes, one swatch per class with
//! its bounds written `[a ; b[` and the number of areas in it, then — each only when the map has
//! one — a "no data" swatch with diagonal hatching, a "secret" swatch with cross-hatching and a
//! sample symbol), a locator inset when there is background geometry, a north arrow and a scale bar
//! in km; at the bottom left a footnote on what the
//! map leaves out, if anything, and the credit line.
//!
//! Invariants:
//! - the extent is the features' bounding box (grown to the background outlines that touch it
//!   unless they are much larger), padded; background outlines are clipped to the map frame;
//! - the "bad" end of the ramp is always the dark one (YlOrRd, reversed when higher is better); a
//!   neutral indicator uses Blues, dark for high values;
//! - the legend matches the symbols exactly: each class row carries the colour the features of
//!   that class are painted with and their number; features without a value are white with dark
//!   grey hatching, diagonal for "no data", crossed for "secret", never a colour of the ramp;
//! - feature outlines are dark grey (#333, ≥ 9:1 against the light-grey background), on a white
//!   casing where the class colour is too dark for them (so that each side has ≥ 3:1, see
//!   [`crate::render::contrast`]);
//! - polygons with holes are filled with their holes left open;
//! - every value is visible: a feature too small to show its colour at the map's scale (a QPV on
//!   a regional map) also gets a circle of its class colour, spread apart from the others and kept
//!   inside the frame (see `symbols`);
//! - each label is drawn only where it does not overlap another one (see `labels`); a map with many
//!   features or mostly symbols names only its extreme values, and its footnote, `<desc>` and
//!   [`RenderedMap::description`] say that the full list is in the table.

use std::path::{Path, PathBuf};

use geo::MultiPolygon;

use super::classify::{Classes, Method};
use super::labels::LabelMode;
use super::output::{check_stem, write_figure};
use super::{RenderError, ensure_fonts};

mod areas;
mod describe;
mod inset;
mod layout;
mod legend;
mod multiples;
mod paint;
mod scale_bar;

use crate::indicators::table::Direction;
use crate::locale::{Arg, Locale};
use describe::{extremes_note, long_description};
#[cfg(test)]
pub(crate) use inset::{INSET_FRAME, INSET_LAND, INSET_QPV};
use layout::{MapFigure, map_extent};
pub use multiples::{Panel, RenderedMultiples, small_multiples};
#[cfg(test)]
pub(crate) use paint::{BACKGROUND_FILL, palette};
pub(crate) use paint::{Fill, HATCH, OUTLINE, rgb};

/// One feature of a choropleth map.
#[derive(Debug, Clone, PartialEq)]
pub struct MapFeature {
    /// Code of the feature (QPV code such as `QN06701M`), a string.
    pub code: String,
    /// Short name printed on the map where there is room.
    pub label: String,
    /// Geometry in Lambert-93 metres.
    pub geometry: MultiPolygon<f64>,
    /// The value to map, or why there is none.
    pub value: MapValue,
}

/// What a map shows for a feature.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MapValue {
    /// A value (a non-finite one is drawn as no data).
    Value(f64),
    /// No value: not available (not computed, not applicable).
    NoData,
    /// No value: hidden by statistical secrecy.
    Secret,
}

impl MapValue {
    /// The value when there is a finite one.
    ///
    /// # Examples
    /// ```
    /// use fracture::render::MapValue;
    /// assert_eq!(MapValue::Value(3.5).known(), Some(3.5));
    /// assert_eq!(MapValue::Value(f64::NAN).known(), None);
    /// assert_eq!((MapValue::Secret.known(), MapValue::from(None).known()), (None, None));
    /// assert_eq!(MapValue::from(Some(2.0)), MapValue::Value(2.0));
    /// ```
    pub fn known(self) -> Option<f64> {
        match self {
            MapValue::Value(v) if v.is_finite() => Some(v),
            _ => None,
        }
    }

    /// The state of a feature for the legend: a value, no data (a non-finite value too) or secret.
    pub fn state(self) -> MapState {
        match (self, self.known()) {
            (MapValue::Secret, _) => MapState::Secret,
            (_, Some(_)) => MapState::Value,
            _ => MapState::NoData,
        }
    }
}

impl From<Option<f64>> for MapValue {
    /// `None` is no data.
    fn from(v: Option<f64>) -> Self {
        v.map_or(MapValue::NoData, MapValue::Value)
    }
}

/// The three states of a feature, as written in `maps/<stem>.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MapState {
    Value,
    NoData,
    Secret,
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
    /// Unit written after each value in the areas' tooltips, e.g. "%" (may be empty).
    pub unit: &'a str,
    /// Palette direction: the "bad" end is always the dark colour (Blues for a neutral indicator).
    pub direction: Direction,
    /// Decimals of the legend bounds (more when the classes need them).
    pub decimals: usize,
    /// How the values are classed.
    pub method: &'a Method,
    /// Number of classes asked for (at most [`MAX_CLASSES`]; ignored by fixed thresholds).
    pub classes: usize,
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
    /// The classes the map was coloured with, and their counts.
    pub classes: Classes,
    /// Features without a value: not available, and hidden by statistical secrecy.
    pub no_data: usize,
    pub secret: usize,
    /// The text alternative for the HTML `alt`: `MapSpec::description`, followed, on a map that
    /// names only its extreme values, by a sentence saying so and pointing to the table.
    pub description: String,
}

const WIDTH: u32 = 1400;
const MARGIN: i32 = 32;
const LEGEND_W: i32 = 360;
const GAP: i32 = 28;
/// The most classes a map can have: the ColorBrewer ramps have nine colours.
pub const MAX_CLASSES: usize = 9;

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

    let values: Vec<f64> = features.iter().filter_map(|f| f.value.known()).collect();
    let classes = spec.method.classify(&values, spec.classes.clamp(1, MAX_CLASSES), spec.decimals);
    if classes.len() > MAX_CLASSES {
        return Err(RenderError::Classes {
            path: png_path,
            reason: format!("{} classes, more than the {MAX_CLASSES} colours of a ramp", classes.len()),
        });
    }
    let count = |state: MapState| features.iter().filter(|f| f.value.state() == state).count();
    let (no_data, secret) = (count(MapState::NoData), count(MapState::Secret));
    let extent = map_extent(background, features).ok_or_else(|| RenderError::Empty {
        path: png_path.clone(),
        reason: "no feature and no background geometry".to_string(),
    })?;

    let mut figure = MapFigure::layout(spec, &classes, extent, background, features).map_err(layout_error)?;
    figure.tips = features.iter().map(|f| areas::tip(spec, f)).collect();
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
    let mut desc = long_description(spec, &classes, features, &notes);
    if let Some(inset) = &figure.inset {
        desc.push('\n');
        desc.push_str(&inset.label);
    }
    let written = write_figure(&figure, out_dir, spec.file_stem, (spec.title, &desc), l.lang.code())?;
    Ok(RenderedMap { png: written.png, svg: written.svg, classes, no_data, secret, description })
}

/// A square of `side` metres with its lower-left corner at `(x, y)`, for the tests.
#[cfg(test)]
fn square(x: f64, y: f64, side: f64) -> geo::Polygon<f64> {
    use geo::polygon;
    polygon![(x: x, y: y), (x: x + side, y: y), (x: x + side, y: y + side), (x: x, y: y + side)]
}
