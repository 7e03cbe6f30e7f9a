//! Line charts of quarterly series: the periods (union of the series', chronological for quarters),
//! one line per series with gaps where a value is missing, the legend under the plot, and the
//! `<desc>` listing every value.

use crate::locale::{Arg, Locale};
use std::path::Path;

use plotters::chart::ChartBuilder;
use plotters::coord::Shift;
use plotters::element::PathElement;
use plotters::prelude::{DrawingArea, DrawingBackend};
use plotters::style::text_anchor::{HPos, VPos};
use plotters::style::{Color, TRANSPARENT};

use super::axes::{GRID, tick_decimals, value_range};
use super::markers::{draw_marker, series_style};
use super::{ChartSpec, GAP, MARGIN, PLOT_H, RenderedChart, WIDTH};
use crate::render::frame::{Footer, Header, draw_text};
use crate::render::output::{DrawResult, Figure, check_stem, write_figure};
use crate::render::text::{self, BODY, INK, INK_SOFT, SMALL};
use crate::render::{RenderError, ensure_fonts};

/// One line of a line chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Name shown in the legend.
    pub label: String,
    /// `(period label such as "2025-T3", value)`; `None` leaves a gap.
    pub points: Vec<(String, Option<f64>)>,
}

const LEGEND_ROW_H: i32 = 34;
const LEGEND_KEY_W: i32 = 44;
const LEGEND_ITEM_GAP: i32 = 36;

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
        let names = Arg::List(empty.iter().map(|s| s.to_string()).collect());
        notes.push(spec.locale.format("chart.no_data_for", &[("names", names)]));
    }
    let lines: Vec<Vec<Option<f64>>> = series.iter().map(|s| values_by_period(s, &periods)).collect();
    if lines.iter().any(|l| has_gap(l)) {
        notes.push(spec.locale.text("chart.gaps").to_string());
    }

    let figure = LineFigure::layout(spec, series, periods, lines, (y_min, y_max), &notes.join(" "))
        .map_err(|message| RenderError::Draw { path: png_path.clone(), message })?;
    let desc = line_description(spec, series, &figure.periods, &figure.lines);
    let written =
        write_figure(&figure, out_dir, spec.file_stem, (spec.title, &desc), spec.locale.lang.code())?;
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
        && (&b[4..6] == b"-T" || &b[4..6] == b"-Q")
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

/// A line chart laid out.
struct LineFigure {
    locale: Locale,
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
            locale: *spec.locale,
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
        let y_formatter = |y: &f64| self.locale.number(*y, decimals);
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

/// The SVG `<desc>` of a line chart: the description, then every value of every series.
fn line_description(
    spec: &ChartSpec,
    series: &[Series],
    periods: &[String],
    lines: &[Vec<Option<f64>>],
) -> String {
    let l = spec.locale;
    let mut desc = spec.description.trim().to_string();
    desc.push('\n');
    desc.push_str(&l.format("chart.values", &[("label", Arg::Text(spec.y_label.into()))]));
    for (s, values) in series.iter().zip(lines) {
        let items: Vec<String> = periods
            .iter()
            .zip(values)
            .map(|(p, v)| format!("{p} {}", l.number(v.unwrap_or(f64::NAN), 1)))
            .collect();
        let items = Arg::Text(items.join(l.text("list.separator")));
        desc.push('\n');
        desc.push_str(
            &l.format("chart.series_values", &[("name", Arg::Text(s.label.clone())), ("items", items)]),
        );
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
        assert!(
            is_quarter("2026-T4")
                && !is_quarter("2026-T5")
                && is_quarter("2026-Q1")
                && !is_quarter("2026-X1")
        );
        assert_eq!(values_by_period(&a, &periods(std::slice::from_ref(&a))), vec![Some(2.0), Some(1.0)]);
    }

    #[test]
    fn gaps_split_lines() {
        let v = [Some(1.0), None, Some(2.0), Some(3.0), None];
        assert_eq!(segments(&v), vec![vec![(0, 1.0)], vec![(2, 2.0), (3, 3.0)]]);
        assert!(has_gap(&v));
        assert!(!has_gap(&[None, Some(1.0), Some(2.0), None]));
    }
}
