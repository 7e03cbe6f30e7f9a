//! Charts: line charts of quarterly series and "need vs reach" scatter plots.
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

use std::path::{Path, PathBuf};

use plotters::chart::ChartBuilder;
use plotters::coord::Shift;
use plotters::element::{Circle, PathElement, Polygon as PxPolygon};
use plotters::prelude::{DrawingArea, DrawingBackend};
use plotters::style::text_anchor::{HPos, VPos};
use plotters::style::{Color, RGBColor, TRANSPARENT, WHITE};

use super::choropleth::rgb;
use super::frame::{Footer, Header, draw_rect, draw_text};
use super::output::{DrawResult, Figure, check_stem, write_figure};
use super::text::{self, BODY, INK, INK_SOFT, SMALL, line_height};
use super::{RenderError, ensure_fonts};

/// One line of a line chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Name shown in the legend.
    pub label: String,
    /// `(period label such as "2025-T3", value)`; `None` leaves a gap.
    pub points: Vec<(String, Option<f64>)>,
}

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
const LEGEND_ROW_H: i32 = 34;
const LEGEND_KEY_W: i32 = 44;
const LEGEND_ITEM_GAP: i32 = 36;

const GRID: RGBColor = RGBColor(0xdd, 0xdd, 0xdd);
const MEDIAN: RGBColor = RGBColor(0x70, 0x70, 0x70);
/// Series colours (Okabe–Ito and Tol), each ≥ 3:1 against white.
const SERIES_COLOURS: [u32; 6] = [0x0072b2, 0xd55e00, 0x009e73, 0xaa3377, 0x332288, 0x666666];
/// Scatter points.
const POINT: u32 = 0x0072b2;

/// Marker shapes, so that series differ by more than their colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
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
fn series_style(i: usize) -> (RGBColor, Marker) {
    let n = SERIES_COLOURS.len();
    (rgb(SERIES_COLOURS[i % n]), MARKERS[(i + i / n) % MARKERS.len()])
}

/// Line chart of quarterly series (one line per series, markers with distinct shapes as well as
/// colours, gaps for None, legend).
pub fn line_chart(spec: &ChartSpec, series: &[Series], out_dir: &Path) -> Result<RenderedChart, RenderError> {
    ensure_fonts()?;
    check_stem(spec.file_stem)?;
    let png_path = out_dir.join(format!("{}.png", spec.file_stem));
    let periods = periods(series);
    if periods.is_empty() {
        return Err(RenderError::Empty { path: png_path, reason: "no series or no period".to_string() });
    }
    let values: Vec<f64> =
        series.iter().flat_map(|s| s.points.iter().filter_map(|p| p.1)).filter(|v| v.is_finite()).collect();
    let (y_min, y_max) = value_range(&values, true);

    let mut notes = Vec::new();
    let empty: Vec<&str> = series
        .iter()
        .filter(|s| !s.points.iter().any(|p| p.1.is_some_and(f64::is_finite)))
        .map(|s| s.label.as_str())
        .collect();
    if !empty.is_empty() {
        notes.push(format!("Aucune donnée pour : {}.", empty.join(", ")));
    }
    let lines: Vec<Vec<Option<f64>>> = series.iter().map(|s| values_by_period(s, &periods)).collect();
    if lines.iter().any(|l| has_gap(l)) {
        notes.push("Les interruptions des courbes signalent des trimestres sans donnée.".to_string());
    }

    let figure = LineFigure::layout(spec, series, periods, lines, (y_min, y_max), &notes.join(" "))
        .map_err(|message| RenderError::Draw { path: png_path.clone(), message })?;
    let desc = line_description(spec, series, &figure.periods, &figure.lines);
    let written = write_figure(&figure, out_dir, spec.file_stem, spec.title, &desc)?;
    Ok(RenderedChart { png: written.png, svg: written.svg, description: spec.description.to_string() })
}

/// Scatter "need vs reach": x = need (e.g. poverty rate %), y = reach (participants per 1,000), each
/// point labelled with its short label; points with a None coordinate are left out and listed in a
/// footnote.
pub fn scatter(
    spec: &ChartSpec,
    x_label: &str,
    points: &[(String, Option<f64>, Option<f64>)],
    out_dir: &Path,
) -> Result<RenderedChart, RenderError> {
    ensure_fonts()?;
    check_stem(spec.file_stem)?;
    let png_path = out_dir.join(format!("{}.png", spec.file_stem));
    let mut shown = Vec::new();
    let mut missing = Vec::new();
    for (label, x, y) in points {
        match (x.filter(|v| v.is_finite()), y.filter(|v| v.is_finite())) {
            (Some(x), Some(y)) => shown.push((label.clone(), x, y)),
            _ => missing.push(label.as_str()),
        }
    }
    let footnote = if missing.is_empty() {
        String::new()
    } else {
        format!("Non représentés faute de donnée : {}.", missing.join(", "))
    };
    let xs: Vec<f64> = shown.iter().map(|p| p.1).collect();
    let ys: Vec<f64> = shown.iter().map(|p| p.2).collect();
    let figure = ScatterFigure::layout(
        spec,
        x_label,
        shown,
        value_range(&xs, false),
        value_range(&ys, false),
        &footnote,
    )
    .map_err(|message| RenderError::Draw { path: png_path.clone(), message })?;
    let desc = scatter_description(spec, x_label, &figure.points, &missing);
    let written = write_figure(&figure, out_dir, spec.file_stem, spec.title, &desc)?;
    Ok(RenderedChart { png: written.png, svg: written.svg, description: spec.description.to_string() })
}

/// The union of the series' periods: chronological when they all look like `2025-T3`, in order of
/// first appearance otherwise.
fn periods(series: &[Series]) -> Vec<String> {
    let mut periods: Vec<String> = Vec::new();
    for (p, _) in series.iter().flat_map(|s| &s.points) {
        if !periods.contains(p) {
            periods.push(p.clone());
        }
    }
    if periods.iter().all(|p| is_quarter(p)) {
        periods.sort();
    }
    periods
}

/// `2025-T3`.
fn is_quarter(p: &str) -> bool {
    let b = p.as_bytes();
    b.len() == 7
        && b[..4].iter().all(u8::is_ascii_digit)
        && &b[4..6] == b"-T"
        && (b'1'..=b'4').contains(&b[6])
}

fn values_by_period(series: &Series, periods: &[String]) -> Vec<Option<f64>> {
    periods
        .iter()
        .map(|p| series.points.iter().find(|(q, _)| q == p).and_then(|(_, v)| *v).filter(|v| v.is_finite()))
        .collect()
}

/// True when a value is missing between two known values.
fn has_gap(values: &[Option<f64>]) -> bool {
    let first = values.iter().position(Option::is_some);
    let last = values.iter().rposition(Option::is_some);
    match (first, last) {
        (Some(a), Some(b)) => values[a..=b].iter().any(Option::is_none),
        _ => false,
    }
}

/// Runs of consecutive known values, as `(index, value)`.
fn segments(values: &[Option<f64>]) -> Vec<Vec<(usize, f64)>> {
    let mut out: Vec<Vec<(usize, f64)>> = Vec::new();
    let mut current = Vec::new();
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => current.push((i, *v)),
            None if !current.is_empty() => out.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Axis range of `values` with a margin; starts at zero for non-negative values when zero is not
/// far (`zero_baseline`) or when the margin would cross it.
fn value_range(values: &[f64], zero_baseline: bool) -> (f64, f64) {
    let (min, max) =
        values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    if !(min.is_finite() && max.is_finite()) {
        return (0.0, 1.0);
    }
    let span = if max > min { max - min } else { min.abs().max(1.0) };
    let pad = 0.08 * span;
    let mut lo = if max > min { min - pad } else { min - span / 2.0 };
    let hi = if max > min { max + pad } else { max + span / 2.0 };
    if min >= 0.0 && (lo < 0.0 || (zero_baseline && min <= 0.5 * max)) {
        lo = 0.0;
    }
    (lo, hi)
}

/// Decimals of tick labels for an axis spanning `span`.
fn tick_decimals(span: f64) -> usize {
    if span < 2.0 {
        2
    } else if span < 20.0 {
        1
    } else {
        0
    }
}

/// Draws a marker of `size` (half-width in px) centred on `c`.
fn draw_marker<DB: DrawingBackend>(
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

/// A line chart laid out.
struct LineFigure {
    height: u32,
    header: Header,
    footer: Footer,
    plot: [(i32, i32); 2],
    y_label: String,
    y_range: (f64, f64),
    periods: Vec<String>,
    lines: Vec<Vec<Option<f64>>>,
    /// Legend items: series index, label, position of the key.
    legend: Vec<(usize, String, (i32, i32))>,
    footer_y: i32,
}

impl LineFigure {
    fn layout(
        spec: &ChartSpec,
        series: &[Series],
        periods: Vec<String>,
        lines: Vec<Vec<Option<f64>>>,
        y_range: (f64, f64),
        footnote: &str,
    ) -> Result<LineFigure, String> {
        let inner_w = WIDTH as i32 - 2 * MARGIN;
        let header = Header::layout(spec.title, spec.notice, inner_w as u32)?;
        let footer = Footer::layout(Some(footnote).filter(|f| !f.is_empty()), spec.credit, inner_w as u32)?;
        let plot_top = MARGIN + header.height + GAP;
        let plot = [(MARGIN, plot_top), (MARGIN + inner_w, plot_top + PLOT_H)];

        // Legend under the plot, items flowing into rows.
        let mut legend = Vec::new();
        let (mut x, mut y) = (MARGIN, plot[1].1 + GAP);
        for (i, s) in series.iter().enumerate() {
            let w = LEGEND_KEY_W + 10 + text::width(&s.label, BODY, false)? as i32;
            if x > MARGIN && x + w > MARGIN + inner_w {
                x = MARGIN;
                y += LEGEND_ROW_H;
            }
            legend.push((i, s.label.clone(), (x, y + LEGEND_ROW_H / 2)));
            x += w + LEGEND_ITEM_GAP;
        }
        let legend_bottom = if series.is_empty() { plot[1].1 } else { y + LEGEND_ROW_H };
        let footer_y = legend_bottom + GAP;
        let height = (footer_y + footer.height + MARGIN) as u32;
        Ok(LineFigure {
            height,
            header,
            footer,
            plot,
            y_label: spec.y_label.to_string(),
            y_range,
            periods,
            lines,
            legend,
            footer_y,
        })
    }
}

impl Figure for LineFigure {
    fn size(&self) -> (u32, u32) {
        (WIDTH, self.height)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        self.header.draw(root, (MARGIN, MARGIN), WIDTH as i32 - 2 * MARGIN)?;
        let [(x0, y0), (x1, y1)] = self.plot;
        let area = root.clone().shrink((x0, y0), ((x1 - x0) as u32, (y1 - y0) as u32));
        let n = self.periods.len();
        let (lo, hi) = self.y_range;
        let mut chart = ChartBuilder::on(&area)
            .margin_top(8)
            .margin_right(24)
            .x_label_area_size(44)
            .y_label_area_size(110)
            .build_cartesian_2d(-0.5..n as f64 - 0.5, lo..hi)
            .map_err(|e| e.to_string())?;
        let decimals = tick_decimals(hi - lo);
        let y_formatter = |y: &f64| crate::numbers::fr(*y, decimals);
        chart
            .configure_mesh()
            .disable_x_mesh()
            .bold_line_style(GRID.stroke_width(1))
            .light_line_style(TRANSPARENT)
            .axis_style(INK_SOFT.stroke_width(1))
            .x_labels(0)
            .y_labels(8)
            .y_label_formatter(&y_formatter)
            .label_style(text::font(SMALL, false).color(&INK))
            .axis_desc_style(text::font(BODY, false).color(&INK))
            .y_desc(self.y_label.as_str())
            .draw()
            .map_err(|e| e.to_string())?;

        // Period labels under the axis, as many as fit with 16 px between them, a tick for every period.
        let (_, axis_y) = chart.backend_coord(&(0.0, lo));
        let (left, _) = chart.backend_coord(&(-0.5, lo));
        let (right, _) = chart.backend_coord(&(n as f64 - 0.5, lo));
        let mut widest = 0;
        for period in &self.periods {
            widest = widest.max(text::width(period, SMALL, false)? as i32);
        }
        let every = n.div_ceil(((right - left) / (widest + 16)).max(1) as usize).max(1);
        let tick_style = text::style(SMALL, false, INK, HPos::Center, VPos::Top);
        for (i, period) in self.periods.iter().enumerate() {
            let (x, _) = chart.backend_coord(&(i as f64, lo));
            let long = i % every == 0;
            let tick = if long { 6 } else { 3 };
            root.draw(&PathElement::new(vec![(x, axis_y), (x, axis_y + tick)], INK_SOFT.stroke_width(1)))
                .map_err(|e| e.to_string())?;
            if long {
                draw_text(root, period, (x, axis_y + 10), &tick_style)?;
            }
        }

        for (i, values) in self.lines.iter().enumerate() {
            let (colour, marker) = series_style(i);
            for run in segments(values) {
                let pts: Vec<(i32, i32)> =
                    run.iter().map(|(x, y)| chart.backend_coord(&(*x as f64, *y))).collect();
                if pts.len() > 1 {
                    root.draw(&PathElement::new(pts.clone(), colour.stroke_width(3)))
                        .map_err(|e| e.to_string())?;
                }
                for p in pts {
                    draw_marker(root, marker, p, colour)?;
                }
            }
        }

        let label_style = text::style(BODY, false, INK, HPos::Left, VPos::Center);
        for (i, label, (x, y)) in &self.legend {
            let (colour, marker) = series_style(*i);
            root.draw(&PathElement::new(vec![(*x, *y), (x + LEGEND_KEY_W, *y)], colour.stroke_width(3)))
                .map_err(|e| e.to_string())?;
            draw_marker(root, marker, (x + LEGEND_KEY_W / 2, *y), colour)?;
            draw_text(root, label, (x + LEGEND_KEY_W + 10, *y), &label_style)?;
        }
        self.footer.draw(root, (MARGIN, self.footer_y))
    }
}

/// A scatter plot laid out.
struct ScatterFigure {
    height: u32,
    header: Header,
    footer: Footer,
    plot: [(i32, i32); 2],
    x_label: String,
    y_label: String,
    x_range: (f64, f64),
    y_range: (f64, f64),
    points: Vec<(String, f64, f64)>,
    footer_y: i32,
}

impl ScatterFigure {
    fn layout(
        spec: &ChartSpec,
        x_label: &str,
        points: Vec<(String, f64, f64)>,
        x_range: (f64, f64),
        y_range: (f64, f64),
        footnote: &str,
    ) -> Result<ScatterFigure, String> {
        let inner_w = WIDTH as i32 - 2 * MARGIN;
        let header = Header::layout(spec.title, spec.notice, inner_w as u32)?;
        let footer = Footer::layout(Some(footnote).filter(|f| !f.is_empty()), spec.credit, inner_w as u32)?;
        let plot_top = MARGIN + header.height + GAP;
        let plot = [(MARGIN, plot_top), (MARGIN + inner_w, plot_top + PLOT_H + 60)];
        let footer_y = plot[1].1 + GAP;
        let height = (footer_y + footer.height + MARGIN) as u32;
        Ok(ScatterFigure {
            height,
            header,
            footer,
            plot,
            x_label: x_label.to_string(),
            y_label: spec.y_label.to_string(),
            x_range,
            y_range,
            points,
            footer_y,
        })
    }
}

/// A box in pixels: left, top, right, bottom.
type PxBox = (i32, i32, i32, i32);

fn overlap(a: &PxBox, b: &PxBox) -> i64 {
    let w = (a.2.min(b.2) - a.0.max(b.0)).max(0) as i64;
    let h = (a.3.min(b.3) - a.1.max(b.1)).max(0) as i64;
    w * h
}

/// Where to put a label of `w` × `h` next to point `p`: the first of eight positions that stays in
/// `bounds` and overlaps nothing, else the least overlapping one. Returns the anchor, its alignment
/// and the box.
fn place_label(
    p: (i32, i32),
    (w, h): (i32, i32),
    obstacles: &[PxBox],
    bounds: PxBox,
) -> ((i32, i32), HPos, VPos, PxBox) {
    let (x, y) = p;
    let d = 11;
    let candidates = [
        ((x + d, y), HPos::Left, VPos::Center, (x + d, y - h / 2, x + d + w, y + h / 2)),
        ((x - d, y), HPos::Right, VPos::Center, (x - d - w, y - h / 2, x - d, y + h / 2)),
        ((x, y - d), HPos::Center, VPos::Bottom, (x - w / 2, y - d - h, x + w / 2, y - d)),
        ((x, y + d), HPos::Center, VPos::Top, (x - w / 2, y + d, x + w / 2, y + d + h)),
        ((x + 7, y - 7), HPos::Left, VPos::Bottom, (x + 7, y - 7 - h, x + 7 + w, y - 7)),
        ((x + 7, y + 7), HPos::Left, VPos::Top, (x + 7, y + 7, x + 7 + w, y + 7 + h)),
        ((x - 7, y - 7), HPos::Right, VPos::Bottom, (x - 7 - w, y - 7 - h, x - 7, y - 7)),
        ((x - 7, y + 7), HPos::Right, VPos::Top, (x - 7 - w, y + 7, x - 7, y + 7 + h)),
    ];
    let outside = |b: &PxBox| b.0 < bounds.0 || b.1 < bounds.1 || b.2 > bounds.2 || b.3 > bounds.3;
    let cost = |b: &PxBox| {
        obstacles.iter().map(|o| overlap(b, o)).sum::<i64>() + if outside(b) { 1_000_000 } else { 0 }
    };
    let mut best = candidates[0];
    let mut best_cost = i64::MAX;
    for c in candidates {
        let k = cost(&c.3);
        if k == 0 {
            return c;
        }
        if k < best_cost {
            best = c;
            best_cost = k;
        }
    }
    best
}

fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 { values[n / 2] } else { (values[n / 2 - 1] + values[n / 2]) / 2.0 })
}

/// A dashed line from `a` to `b` (horizontal or vertical), dashes of 8 px every 14 px.
fn draw_dashed<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    a: (i32, i32),
    b: (i32, i32),
    colour: RGBColor,
) -> DrawResult {
    let len = ((b.0 - a.0).abs()).max((b.1 - a.1).abs());
    let (dx, dy) = ((b.0 - a.0).signum(), (b.1 - a.1).signum());
    let mut t = 0;
    while t < len {
        let e = (t + 8).min(len);
        root.draw(&PathElement::new(
            vec![(a.0 + dx * t, a.1 + dy * t), (a.0 + dx * e, a.1 + dy * e)],
            colour.stroke_width(2),
        ))
        .map_err(|e| e.to_string())?;
        t += 14;
    }
    Ok(())
}

impl Figure for ScatterFigure {
    fn size(&self) -> (u32, u32) {
        (WIDTH, self.height)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        self.header.draw(root, (MARGIN, MARGIN), WIDTH as i32 - 2 * MARGIN)?;
        let [(x0, y0), (x1, y1)] = self.plot;
        let area = root.clone().shrink((x0, y0), ((x1 - x0) as u32, (y1 - y0) as u32));
        let (xl, xh) = self.x_range;
        let (yl, yh) = self.y_range;
        let mut chart = ChartBuilder::on(&area)
            .margin_top(8)
            .margin_right(24)
            .x_label_area_size(70)
            .y_label_area_size(110)
            .build_cartesian_2d(xl..xh, yl..yh)
            .map_err(|e| e.to_string())?;
        let (xd, yd) = (tick_decimals(xh - xl), tick_decimals(yh - yl));
        let x_formatter = |x: &f64| crate::numbers::fr(*x, xd);
        let y_formatter = |y: &f64| crate::numbers::fr(*y, yd);
        chart
            .configure_mesh()
            .bold_line_style(GRID.stroke_width(1))
            .light_line_style(TRANSPARENT)
            .axis_style(INK_SOFT.stroke_width(1))
            .x_labels(10)
            .y_labels(8)
            .x_label_formatter(&x_formatter)
            .y_label_formatter(&y_formatter)
            .label_style(text::font(SMALL, false).color(&INK))
            .axis_desc_style(text::font(BODY, false).color(&INK))
            .x_desc(self.x_label.as_str())
            .y_desc(self.y_label.as_str())
            .draw()
            .map_err(|e| e.to_string())?;

        let (px0, py0) = chart.backend_coord(&(xl, yh));
        let (px1, py1) = chart.backend_coord(&(xh, yl));
        let bounds: PxBox = (px0 + 2, py0 + 2, px1 - 2, py1 - 2);
        let pixels: Vec<(i32, i32)> =
            self.points.iter().map(|(_, x, y)| chart.backend_coord(&(*x, *y))).collect();
        let mut obstacles: Vec<PxBox> = pixels.iter().map(|(x, y)| (x - 8, y - 8, x + 8, y + 8)).collect();

        // Medians, dashed, labelled at the far end of each line.
        let note = text::style(SMALL, false, INK_SOFT, HPos::Right, VPos::Bottom);
        if self.points.len() >= 3 {
            let mut xs: Vec<f64> = self.points.iter().map(|p| p.1).collect();
            let mut ys: Vec<f64> = self.points.iter().map(|p| p.2).collect();
            if let (Some(mx), Some(my)) = (median(&mut xs), median(&mut ys)) {
                let (vx, _) = chart.backend_coord(&(mx, yl));
                let (_, hy) = chart.backend_coord(&(xl, my));
                draw_dashed(root, (vx, py0), (vx, py1), MEDIAN)?;
                draw_dashed(root, (px0, hy), (px1, hy), MEDIAN)?;
                let vt = format!("médiane {}", crate::numbers::fr(mx, xd + 1));
                let ht = format!("médiane {}", crate::numbers::fr(my, yd + 1));
                let (vw, hw) =
                    (text::width(&vt, SMALL, false)? as i32, text::width(&ht, SMALL, false)? as i32);
                let lh = line_height(SMALL);
                draw_text(root, &vt, (vx - 6, py0 + lh + 2), &note)?;
                obstacles.push((vx - 6 - vw, py0 + 2, vx - 6, py0 + lh + 2));
                draw_text(root, &ht, (px1 - 6, hy - 4), &note)?;
                obstacles.push((px1 - 6 - hw, hy - 4 - lh, px1 - 6, hy - 4));
            }
        }

        for p in &pixels {
            root.draw(&Circle::new(*p, 8, WHITE.filled())).map_err(|e| e.to_string())?;
            root.draw(&Circle::new(*p, 7, rgb(POINT).filled())).map_err(|e| e.to_string())?;
        }
        let h = line_height(SMALL) - 4;
        for ((label, _, _), p) in self.points.iter().zip(&pixels) {
            let w = text::width(label, SMALL, false)? as i32;
            let (anchor, hpos, vpos, bx) = place_label(*p, (w, h), &obstacles, bounds);
            draw_text(root, label, anchor, &text::style(SMALL, false, INK, hpos, vpos))?;
            obstacles.push(bx);
        }
        self.footer.draw(root, (MARGIN, self.footer_y))
    }
}

/// The SVG `<desc>` of a line chart: the description, then every value of every series.
fn line_description(
    spec: &ChartSpec,
    series: &[Series],
    periods: &[String],
    lines: &[Vec<Option<f64>>],
) -> String {
    let mut desc = spec.description.trim().to_string();
    desc.push_str(&format!("\nValeurs ({}) :", spec.y_label));
    for (s, values) in series.iter().zip(lines) {
        let items: Vec<String> = periods
            .iter()
            .zip(values)
            .map(|(p, v)| format!("{p} {}", v.map_or("n.d.".to_string(), |v| crate::numbers::fr(v, 1))))
            .collect();
        desc.push_str(&format!("\n{} : {}.", s.label, items.join(" ; ")));
    }
    desc
}

/// The SVG `<desc>` of a scatter plot: the description, every point, the points left out.
fn scatter_description(
    spec: &ChartSpec,
    x_label: &str,
    points: &[(String, f64, f64)],
    missing: &[&str],
) -> String {
    let mut desc = spec.description.trim().to_string();
    if !points.is_empty() {
        let items: Vec<String> = points
            .iter()
            .map(|(l, x, y)| format!("{l} ({} ; {})", crate::numbers::fr(*x, 1), crate::numbers::fr(*y, 1)))
            .collect();
        desc.push_str(&format!("\nPoints ({x_label} ; {}) : {}.", spec.y_label, items.join(" ; ")));
    }
    if !missing.is_empty() {
        desc.push_str(&format!("\nNon représentés faute de donnée : {}.", missing.join(", ")));
    }
    desc
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(label: &str, points: &[(&str, Option<f64>)]) -> Series {
        Series { label: label.into(), points: points.iter().map(|(p, v)| (p.to_string(), *v)).collect() }
    }

    #[test]
    fn quarters_are_sorted_and_merged() {
        let a = series("A", &[("2025-T3", Some(1.0)), ("2025-T1", Some(2.0))]);
        let b = series("B", &[("2025-T2", None), ("2025-T3", Some(3.0))]);
        assert_eq!(periods(&[a.clone(), b]), vec!["2025-T1", "2025-T2", "2025-T3"]);
        let c = series("C", &[("hiver", Some(1.0)), ("été", Some(2.0))]);
        assert_eq!(periods(&[c]), vec!["hiver", "été"]);
        assert!(is_quarter("2026-T4") && !is_quarter("2026-T5") && !is_quarter("2026-Q1"));
        assert_eq!(values_by_period(&a, &periods(std::slice::from_ref(&a))), vec![Some(2.0), Some(1.0)]);
    }

    #[test]
    fn gaps_split_lines() {
        let v = [Some(1.0), None, Some(2.0), Some(3.0), None];
        assert_eq!(segments(&v), vec![vec![(0, 1.0)], vec![(2, 2.0), (3, 3.0)]]);
        assert!(has_gap(&v));
        assert!(!has_gap(&[None, Some(1.0), Some(2.0), None]));
    }

    #[test]
    fn ranges_have_margins() {
        assert_eq!(value_range(&[], true), (0.0, 1.0));
        let (lo, hi) = value_range(&[20.0, 80.0], true);
        assert_eq!(lo, 0.0);
        assert!(hi > 80.0);
        let (lo, hi) = value_range(&[90.0, 95.0], true);
        assert!(lo > 80.0 && lo < 90.0 && hi > 95.0);
        let (lo, hi) = value_range(&[5.0, 5.0], false);
        assert!(lo < 5.0 && hi > 5.0 && lo >= 0.0);
        let (lo, _) = value_range(&[-3.0, 4.0], false);
        assert!(lo < -3.0);
    }

    #[test]
    fn labels_avoid_obstacles() {
        let obstacle = (110, 90, 200, 110);
        let (_, h, _, bx) = place_label((100, 100), (50, 20), &[obstacle], (0, 0, 400, 400));
        assert!(matches!(h, HPos::Right));
        assert_eq!(overlap(&bx, &obstacle), 0);
        // Near the right edge the label goes left.
        let (_, h, _, _) = place_label((390, 100), (50, 20), &[], (0, 0, 400, 400));
        assert!(matches!(h, HPos::Right));
    }

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

    #[test]
    fn medians() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }
}
