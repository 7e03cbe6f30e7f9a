//! Charts: line charts of quarterly series and "need vs reach" scatter plots.
//!
//! Table of contents:
//! - here: what a chart says and how its file is named ([`ChartSpec`]), the files written
//!   ([`RenderedChart`]) and the page geometry both kinds share;
//! - `line`: [`line_chart`], one line per [`Series`] over the union of their periods;
//! - `scatter`: [`scatter()`], labelled points with dashed medians;
//! - `panels`: [`series_panels`], small multiples of quarterly series, one panel per area on one y
//!   scale, with a reference line and targets;
//! - `axes`: axis ranges with a margin, tick decimals and the grid colour;
//! - `markers`: the colour and marker shape of each series, and drawing a marker.
//!
//! Input: a [`ChartSpec`] (texts and file stem) and either [`Series`] of `(period, value)` points or
//! `(label, x, y)` points. Output: a [`RenderedChart`]: `<stem>.png` (1200 px wide) and `<stem>.svg`.
//!
//! Invariants:
//! - line charts: one line per series with its own colour *and* marker shape (circle, square,
//!   triangle, diamond, inverted triangle, cross), a legend under the plot, gaps where a value is
//!   `None`; periods are the union of the series' periods, in chronological order when they all look
//!   like `2025-T3`, in order of first appearance otherwise;
//! - scatter plots: every point with both coordinates is drawn and labelled (labels are moved around
//!   their point to avoid overlaps); points with a missing coordinate are left out and listed in a
//!   footnote; dashed lines mark the medians when there are at least three points;
//! - the SVG `<desc>` repeats the data as text, so the figure does not rely on sight.

use std::path::PathBuf;

mod axes;
mod line;
mod markers;
mod panels;
mod scatter;

pub use line::{Series, line_chart};
#[cfg(test)]
pub(crate) use markers::SERIES_COLOURS;
#[cfg(test)]
pub(crate) use panels::{AREA_LINE, REFERENCE_LINE, TARGET_LINE};
pub use panels::{PanelSeries, Reference, order_by_latest, series_panels};
pub use scatter::scatter;
#[cfg(test)]
pub(crate) use scatter::scatter_colours;

/// What a chart says and how its file is named.
#[derive(Debug, Clone, Copy)]
pub struct ChartSpec<'a> {
    /// `"reach_trend"` writes `<out_dir>/reach_trend.png` and `.svg`.
    pub file_stem: &'a str,
    pub title: &'a str,
    /// Label of the y axis, with its unit.
    pub y_label: &'a str,
    /// Source and credit line printed at the bottom.
    pub credit: &'a str,
    /// Printed prominently in a banner under the title when `Some`.
    pub notice: Option<&'a str>,
    /// Text alternative (RGAA): goes into the SVG `<desc>` and is returned for the HTML `alt`.
    pub description: &'a str,
    /// The language of every text the chart adds (notes, numbers, medians).
    pub locale: &'a crate::locale::Locale,
}

/// The files of a chart and its text alternative.
#[derive(Debug, Clone)]
pub struct RenderedChart {
    pub png: PathBuf,
    pub svg: PathBuf,
    /// The text alternative (`ChartSpec::description`), for the HTML `alt`.
    pub description: String,
}

const WIDTH: u32 = 1200;
const MARGIN: i32 = 32;
const GAP: i32 = 20;
const PLOT_H: i32 = 580;
