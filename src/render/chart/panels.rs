//! Small multiples of quarterly series: one panel per area, every panel on the same y scale, with
//! a reference series (the territory) drawn in grey in each of them and the area's targets as
//! dashed marks.
//!
//! Input: a [`ChartSpec`], the periods (in order), the [`Reference`] series and one [`PanelSeries`]
//! per area, already in the order they are to be read (see [`order_by_latest`]). Output: a
//! [`RenderedChart`] (`<stem>.png`, `<stem>.svg`).
//!
//! Layout: title (and notice) on top; a legend row (the area's line, the reference, the target, and
//! the hatchings of secret and no-data quarters when some panel has one); the panels in a grid of up
//! to four columns, each titled with the area's name, its y ticks on the left and the first and last
//! period under it; the footnote and the credit at the bottom.
//!
//! Invariants:
//! - a missing quarter is never drawn as a value: the line stops, the quarter's column is hatched
//!   (crossed for secret, diagonal for no data, as on the maps) and labelled with the locale's word
//!   ("secret", "aucune donnée") when the label fits, horizontally over a run of quarters or upright
//!   in a single one; an area without any value gets a panel that says so;
//! - the area's line (blue, round markers), the reference (grey, square markers) and the target
//!   (dashed, diamond) differ by shape and dash as well as colour;
//! - the `<desc>` lists every value of every panel, the reference and the targets.

use std::path::Path;

use plotters::coord::Shift;
use plotters::element::PathElement;
use plotters::prelude::{DrawingArea, DrawingBackend};
use plotters::style::text_anchor::{HPos, VPos};
use plotters::style::{Color, FontTransform, RGBColor, WHITE};

use super::axes::{GRID, nice_ticks, tick_decimals};
use super::markers::{Marker, draw_dashed, draw_marker_sized, hatch_rect};
use super::{ChartSpec, GAP, MARGIN, RenderedChart, WIDTH};
use crate::locale::{Arg, Locale};
use crate::render::choropleth::{HATCH, MapState, MapValue};
use crate::render::frame::{Footer, Header, draw_rect, draw_text};
use crate::render::output::{DrawResult, Figure, check_stem, write_figure};
use crate::render::text::{self, BODY, INK, INK_SOFT, SMALL, line_height, wrap};
use crate::render::{RenderError, ensure_fonts};

/// The area's line: blue (5.2:1 on white).
pub(crate) const AREA_LINE: RGBColor = RGBColor(0x00, 0x72, 0xb2);
/// The reference line: mid grey (4.6:1 on white).
pub(crate) const REFERENCE_LINE: RGBColor = RGBColor(0x75, 0x75, 0x75);
/// The target marks: vermillion (3.9:1 on white).
pub(crate) const TARGET_LINE: RGBColor = RGBColor(0xd5, 0x5e, 0x00);

/// One panel: an area's values, one per period, and its targets in the same unit.
#[derive(Debug, Clone, PartialEq)]
pub struct PanelSeries {
    pub code: String,
    pub label: String,
    /// One value per period of the figure (a value, secret or no data).
    pub values: Vec<MapValue>,
    /// `(period index, target)`, drawn as a dashed mark over that period.
    pub targets: Vec<(usize, f64)>,
}

/// The reference series drawn in every panel (the territory as a whole).
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    pub label: String,
    /// One per period; `None` leaves a gap.
    pub values: Vec<Option<f64>>,
}

const COLUMNS: usize = 4;
const PANEL_GAP_X: i32 = 28;
const PANEL_GAP_Y: i32 = 26;
/// Room for the y tick labels, left of each plot.
const AXIS_W: i32 = 50;
const PANEL_PLOT_H: i32 = 150;
/// Room for the period labels under each plot.
const X_LABELS_H: i32 = 26;
const LEGEND_ROW_H: i32 = 34;
const LEGEND_KEY_W: i32 = 44;
const LEGEND_ITEM_GAP: i32 = 32;

/// The panels' order: the areas with a value in the last period, highest first (ties by name), then
/// the others by name (letters compared without their accents).
pub fn order_by_latest(panels: &[PanelSeries]) -> Vec<usize> {
    let latest = |p: &PanelSeries| p.values.last().and_then(|v| v.known());
    let mut order: Vec<usize> = (0..panels.len()).collect();
    order.sort_by(|&a, &b| {
        let (pa, pb) = (&panels[a], &panels[b]);
        match (latest(pa), latest(pb)) {
            (Some(x), Some(y)) => y.total_cmp(&x),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        }
        .then_with(|| sort_key(&pa.label).cmp(&sort_key(&pb.label)))
        .then_with(|| pa.code.cmp(&pb.code))
    });
    order
}

/// A name folded for sorting: lower case, French accents and ligatures to their base letters.
fn sort_key(name: &str) -> String {
    name.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'â' | 'ä' => "a",
            'ç' => "c",
            'é' | 'è' | 'ê' | 'ë' => "e",
            'î' | 'ï' => "i",
            'ô' | 'ö' => "o",
            'ù' | 'û' | 'ü' => "u",
            'ÿ' => "y",
            'œ' => "oe",
            'æ' => "ae",
            _ => "",
        })
        .zip(name.chars().flat_map(char::to_lowercase))
        .map(|(folded, c)| if folded.is_empty() { c.to_string() } else { folded.to_string() })
        .collect()
}

/// Draws one panel per area of `panels`, in their order, sharing one y scale, writes PNG and SVG.
pub fn series_panels(
    spec: &ChartSpec,
    periods: &[String],
    reference: &Reference,
    panels: &[PanelSeries],
    footnote: &str,
    out_dir: &Path,
) -> Result<RenderedChart, RenderError> {
    ensure_fonts()?;
    check_stem(spec.file_stem)?;
    let png_path = out_dir.join(format!("{}.png", spec.file_stem));
    if periods.is_empty() || panels.is_empty() {
        return Err(RenderError::Empty { path: png_path, reason: "no period or no panel".to_string() });
    }
    if reference.values.len() != periods.len() || panels.iter().any(|p| p.values.len() != periods.len()) {
        return Err(RenderError::Empty {
            path: png_path,
            reason: "a series without one value per period".to_string(),
        });
    }
    let figure = PanelsFigure::layout(spec, periods, reference, panels, footnote)
        .map_err(|message| RenderError::Draw { path: png_path.clone(), message })?;
    let desc = description(spec, periods, reference, panels);
    let written =
        write_figure(&figure, out_dir, spec.file_stem, (spec.title, &desc), spec.locale.lang.code())?;
    Ok(RenderedChart { png: written.png, svg: written.svg, description: spec.description.to_string() })
}

/// What a legend key shows.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Key {
    Area,
    Reference,
    Target,
    Missing(MapState),
}

struct PanelLayout {
    title: Vec<String>,
    /// Plot box.
    plot: [(i32, i32); 2],
    series: usize,
}

struct PanelsFigure {
    locale: Locale,
    height: u32,
    header: Header,
    footer: Footer,
    footer_y: i32,
    legend: Vec<(Key, String, (i32, i32))>,
    /// The y axis' title, once above the grid, and its top.
    axis_title: (String, i32),
    panels: Vec<PanelLayout>,
    periods: Vec<String>,
    reference: Vec<Option<f64>>,
    series: Vec<PanelSeries>,
    ticks: Vec<f64>,
    decimals: usize,
}

impl PanelsFigure {
    fn layout(
        spec: &ChartSpec,
        periods: &[String],
        reference: &Reference,
        panels: &[PanelSeries],
        footnote: &str,
    ) -> Result<PanelsFigure, String> {
        let l = spec.locale;
        let inner_w = WIDTH as i32 - 2 * MARGIN;
        let header = Header::layout(spec.title, spec.notice, inner_w as u32)?;

        // Legend keys, flowing into rows under the title; the missing states only when present.
        let any = |state: MapState| panels.iter().flat_map(|p| &p.values).any(|v| v.state() == state);
        let mut keys = vec![
            (Key::Area, l.text("chart.panels_area").to_string()),
            (Key::Reference, reference.label.clone()),
        ];
        if panels.iter().any(|p| !p.targets.is_empty()) {
            keys.push((Key::Target, l.text("chart.panels_target").to_string()));
        }
        for (state, key) in [(MapState::Secret, "map.secret"), (MapState::NoData, "map.legend_no_data")] {
            if any(state) {
                keys.push((Key::Missing(state), l.text(key).to_string()));
            }
        }
        let mut legend = Vec::new();
        let (mut x, mut y) = (MARGIN, MARGIN + header.height + GAP);
        for (key, label) in keys {
            let w = LEGEND_KEY_W + 10 + text::width(&label, BODY, false)? as i32;
            if x > MARGIN && x + w > MARGIN + inner_w {
                x = MARGIN;
                y += LEGEND_ROW_H;
            }
            legend.push((key, label, (x, y + LEGEND_ROW_H / 2)));
            x += w + LEGEND_ITEM_GAP;
        }
        let axis_label_y = y + LEGEND_ROW_H + GAP / 2;
        let top = axis_label_y + line_height(SMALL) + GAP / 2;

        let columns = panels.len().min(COLUMNS) as i32;
        let panel_w = (inner_w - (columns - 1) * PANEL_GAP_X) / columns;
        let mut titles = Vec::with_capacity(panels.len());
        for p in panels {
            let mut lines = wrap(&p.label, BODY, true, panel_w as u32)?;
            lines.truncate(2);
            titles.push(lines);
        }
        let title_lines = titles.iter().map(Vec::len).max().unwrap_or(1).max(1) as i32;
        let title_h = title_lines * line_height(BODY) + 14;
        let row_h = title_h + PANEL_PLOT_H + X_LABELS_H + PANEL_GAP_Y;
        let layouts: Vec<PanelLayout> = titles
            .into_iter()
            .enumerate()
            .map(|(i, title)| {
                let (row, col) = ((i / COLUMNS) as i32, (i % COLUMNS) as i32);
                let x0 = MARGIN + col * (panel_w + PANEL_GAP_X);
                let y0 = top + row * row_h + title_h;
                PanelLayout { title, plot: [(x0 + AXIS_W, y0), (x0 + panel_w, y0 + PANEL_PLOT_H)], series: i }
            })
            .collect();
        let rows = panels.len().div_ceil(COLUMNS) as i32;
        let footer_y = top + rows * row_h - PANEL_GAP_Y + GAP;
        let footer = Footer::layout(Some(footnote).filter(|f| !f.is_empty()), spec.credit, inner_w as u32)?;
        let height = (footer_y + footer.height + MARGIN) as u32;

        let values: Vec<f64> = panels
            .iter()
            .flat_map(|p| p.values.iter().filter_map(|v| v.known()).chain(p.targets.iter().map(|t| t.1)))
            .chain(reference.values.iter().flatten().copied())
            .filter(|v| v.is_finite())
            .collect();
        let ticks = nice_ticks(values.iter().copied().fold(0.0, f64::max), 4);
        let decimals = tick_decimals(ticks.last().copied().unwrap_or(1.0));
        let axis_title = l.format("chart.panels_axis", &[("label", Arg::Text(spec.y_label.into()))]);
        Ok(PanelsFigure {
            locale: *l,
            height,
            header,
            footer,
            footer_y,
            legend,
            axis_title: (axis_title, axis_label_y),
            panels: layouts,
            periods: periods.to_vec(),
            reference: reference.values.clone(),
            series: panels.to_vec(),
            ticks,
            decimals,
        })
    }

    fn y_max(&self) -> f64 {
        self.ticks.last().copied().filter(|v| *v > 0.0).unwrap_or(1.0)
    }

    /// The pixel x of period `i` and the width of a period's column in the plot `plot`.
    fn slot(&self, plot: &[(i32, i32); 2], i: usize) -> (i32, f64) {
        let w = (plot[1].0 - plot[0].0) as f64 / self.periods.len() as f64;
        (plot[0].0 + (w * (i as f64 + 0.5)).round() as i32, w)
    }

    fn y_px(&self, plot: &[(i32, i32); 2], v: f64) -> i32 {
        let h = (plot[1].1 - plot[0].1) as f64;
        plot[1].1 - (v / self.y_max() * h).round() as i32
    }

    fn draw_panel<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, p: &PanelLayout) -> DrawResult {
        let s = &self.series[p.series];
        let [(x0, y0), (x1, y1)] = p.plot;
        let title_style = text::style(BODY, true, INK, HPos::Left, VPos::Bottom);
        let mut ty = y0 - 14 - (p.title.len() as i32 - 1) * line_height(BODY);
        for line in &p.title {
            draw_text(root, line, (x0 - AXIS_W, ty), &title_style)?;
            ty += line_height(BODY);
        }
        // Grid and y ticks.
        let tick_style = text::style(SMALL, false, INK, HPos::Right, VPos::Center);
        for t in &self.ticks {
            let y = self.y_px(&p.plot, *t);
            root.draw(&PathElement::new(vec![(x0, y), (x1, y)], GRID.stroke_width(1)))
                .map_err(|e| e.to_string())?;
            draw_text(root, &self.locale.number(*t, self.decimals), (x0 - 6, y), &tick_style)?;
        }
        // Missing quarters: hatched columns (labelled after the lines, on top of them).
        let runs = missing_runs(&s.values);
        for (state, start, end) in &runs {
            hatch_rect(root, self.run_rect(&p.plot, *start, *end), *state == MapState::Secret)?;
        }
        // Axes.
        root.draw(&PathElement::new(vec![(x0, y0), (x0, y1), (x1, y1)], INK_SOFT.stroke_width(1)))
            .map_err(|e| e.to_string())?;
        let n = self.periods.len();
        for i in 0..n {
            let (x, _) = self.slot(&p.plot, i);
            let long = i == 0 || i + 1 == n;
            root.draw(&PathElement::new(
                vec![(x, y1), (x, y1 + if long { 6 } else { 3 })],
                INK_SOFT.stroke_width(1),
            ))
            .map_err(|e| e.to_string())?;
        }
        // The first and last periods, flush with the plot's edges.
        let first_style = text::style(SMALL, false, INK, HPos::Left, VPos::Top);
        draw_text(root, &self.periods[0], (x0, y1 + 8), &first_style)?;
        if n > 1 {
            let last_style = text::style(SMALL, false, INK, HPos::Right, VPos::Top);
            draw_text(root, &self.periods[n - 1], (x1, y1 + 8), &last_style)?;
        }
        // The reference, then the area's line on top, then the targets.
        self.draw_line(root, &p.plot, &self.reference, REFERENCE_LINE, 2, Marker::Square, 4)?;
        let values: Vec<Option<f64>> = s.values.iter().map(|v| v.known()).collect();
        self.draw_line(root, &p.plot, &values, AREA_LINE, 3, Marker::Circle, 5)?;
        for (i, target) in &s.targets {
            let (cx, w) = self.slot(&p.plot, *i);
            let half = (w * 0.5).round().max(10.0) as i32;
            let y = self.y_px(&p.plot, *target);
            draw_dashed(root, (cx - half, y), (cx + half, y), TARGET_LINE)?;
            draw_marker_sized(root, Marker::Diamond, (cx, y), TARGET_LINE, 6)?;
        }
        for (state, start, end) in runs {
            self.label_run(root, &p.plot, state, start, end)?;
        }
        Ok(())
    }

    /// The rectangle of the periods `start..=end` in `plot`.
    fn run_rect(&self, plot: &[(i32, i32); 2], start: usize, end: usize) -> [(i32, i32); 2] {
        let (left, w) = self.slot(plot, start);
        let (right, _) = self.slot(plot, end);
        let half = (w / 2.0).round() as i32;
        [(left - half, plot[0].1), (right + half, plot[1].1)]
    }

    /// The locale's word for a run of missing periods: across the run when it fits, else upright in
    /// each of its periods when it fits there; else the legend alone says it.
    fn label_run<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        plot: &[(i32, i32); 2],
        state: MapState,
        start: usize,
        end: usize,
    ) -> DrawResult {
        let [(left, y0), (right, y1)] = self.run_rect(plot, start, end);
        let word = match state {
            MapState::Secret => self.locale.text("table.secret"),
            _ => self.locale.text("chart.panel_no_data"),
        };
        let word_w = text::width(word, SMALL, false)? as i32;
        let cy = (y0 + y1) / 2;
        let style = text::style(SMALL, false, INK, HPos::Center, VPos::Center);
        if word_w + 8 <= right - left {
            let cx = (left + right) / 2;
            draw_rect(
                root,
                [(cx - word_w / 2 - 4, cy - 11), (cx + word_w / 2 + 4, cy + 11)],
                WHITE.filled(),
            )?;
            draw_text(root, word, (cx, cy), &style)?;
        } else if word_w + 8 <= y1 - y0 {
            let style = style.transform(FontTransform::Rotate270);
            for i in start..=end {
                let (cx, _) = self.slot(plot, i);
                let r = [(cx - 10, cy - word_w / 2 - 4), (cx + 10, cy + word_w / 2 + 4)];
                draw_rect(root, r, WHITE.filled())?;
                draw_text(root, word, (cx, cy), &style)?;
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments, reason = "one line's style, spelled out")]
    fn draw_line<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        plot: &[(i32, i32); 2],
        values: &[Option<f64>],
        colour: RGBColor,
        width: u32,
        marker: Marker,
        size: i32,
    ) -> DrawResult {
        let points: Vec<Option<(i32, i32)>> = values
            .iter()
            .enumerate()
            .map(|(i, v)| v.map(|v| (self.slot(plot, i).0, self.y_px(plot, v))))
            .collect();
        for run in points.split(Option::is_none) {
            let run: Vec<(i32, i32)> = run.iter().flatten().copied().collect();
            if run.len() > 1 {
                root.draw(&PathElement::new(run.clone(), colour.stroke_width(width)))
                    .map_err(|e| e.to_string())?;
            }
            for p in run {
                draw_marker_sized(root, marker, p, colour, size)?;
            }
        }
        Ok(())
    }
}

/// Runs of consecutive missing values with the same state: `(state, first, last)` indices.
fn missing_runs(values: &[MapValue]) -> Vec<(MapState, usize, usize)> {
    let mut runs: Vec<(MapState, usize, usize)> = Vec::new();
    for (i, v) in values.iter().enumerate() {
        let state = v.state();
        if state == MapState::Value {
            continue;
        }
        match runs.last_mut() {
            Some((s, _, end)) if *s == state && *end + 1 == i => *end = i,
            _ => runs.push((state, i, i)),
        }
    }
    runs
}

impl Figure for PanelsFigure {
    fn size(&self) -> (u32, u32) {
        (WIDTH, self.height)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        self.header.draw(root, (MARGIN, MARGIN), WIDTH as i32 - 2 * MARGIN)?;
        let label_style = text::style(BODY, false, INK, HPos::Left, VPos::Center);
        let axis_style = text::style(SMALL, false, INK, HPos::Left, VPos::Top);
        draw_text(root, &self.axis_title.0, (MARGIN, self.axis_title.1), &axis_style)?;
        for (key, label, (x, y)) in &self.legend {
            let (x, y) = (*x, *y);
            let mid = (x + LEGEND_KEY_W / 2, y);
            match key {
                Key::Area | Key::Reference => {
                    let (colour, width, marker, size) = if *key == Key::Area {
                        (AREA_LINE, 3, Marker::Circle, 5)
                    } else {
                        (REFERENCE_LINE, 2, Marker::Square, 4)
                    };
                    root.draw(&PathElement::new(
                        vec![(x, y), (x + LEGEND_KEY_W, y)],
                        colour.stroke_width(width),
                    ))
                    .map_err(|e| e.to_string())?;
                    draw_marker_sized(root, marker, mid, colour, size)?;
                }
                Key::Target => {
                    draw_dashed(root, (x, y), (x + LEGEND_KEY_W, y), TARGET_LINE)?;
                    draw_marker_sized(root, Marker::Diamond, mid, TARGET_LINE, 6)?;
                }
                Key::Missing(state) => {
                    let r = [(x + 8, y - 12), (x + LEGEND_KEY_W - 8, y + 12)];
                    hatch_rect(root, r, *state == MapState::Secret)?;
                    draw_rect(root, r, HATCH.stroke_width(1))?;
                }
            }
            draw_text(root, label, (x + LEGEND_KEY_W + 10, y), &label_style)?;
        }
        for p in &self.panels {
            self.draw_panel(root, p)?;
        }
        self.footer.draw(root, (MARGIN, self.footer_y))
    }
}

/// The `<desc>`: the description, the reference's values, then each panel's values and targets.
fn description(
    spec: &ChartSpec,
    periods: &[String],
    reference: &Reference,
    panels: &[PanelSeries],
) -> String {
    let l = spec.locale;
    let sep = l.text("list.separator");
    let value = |v: MapValue| match v.state() {
        MapState::Value => l.number(v.known().unwrap_or(f64::NAN), 1),
        MapState::Secret => l.text("table.secret").to_string(),
        MapState::NoData => l.text("chart.panel_no_data").to_string(),
    };
    let mut desc = spec.description.trim().to_string();
    desc.push('\n');
    desc.push_str(&l.format("chart.values", &[("label", Arg::Text(spec.y_label.into()))]));
    let line = |name: &str, values: Vec<String>| {
        let items: Vec<String> = periods.iter().zip(values).map(|(p, v)| format!("{p} {v}")).collect();
        l.format(
            "chart.series_values",
            &[("name", Arg::Text(name.into())), ("items", Arg::Text(items.join(sep)))],
        )
    };
    desc.push('\n');
    desc.push_str(&line(
        &reference.label,
        reference.values.iter().map(|v| value(MapValue::from(*v))).collect(),
    ));
    for p in panels {
        desc.push('\n');
        desc.push_str(&line(&p.label, p.values.iter().map(|v| value(*v)).collect()));
        for (i, t) in &p.targets {
            desc.push(' ');
            desc.push_str(&l.format(
                "chart.panels_target_value",
                &[
                    ("period", Arg::Text(periods.get(*i).cloned().unwrap_or_default())),
                    ("value", Arg::Text(l.number(*t, 1))),
                ],
            ));
        }
    }
    desc
}

#[cfg(test)]
mod tests {
    use super::*;

    fn panel(label: &str, values: Vec<MapValue>) -> PanelSeries {
        PanelSeries { code: label.to_uppercase(), label: label.into(), values, targets: Vec::new() }
    }

    #[test]
    fn panels_are_ordered_by_the_latest_value_then_by_name() {
        let v = MapValue::Value;
        let panels = [
            panel("Zénith", vec![v(1.0), MapValue::Secret]),
            panel("Écluse", vec![v(9.0), MapValue::NoData]),
            panel("Bas", vec![v(1.0), v(2.0)]),
            panel("Haut", vec![v(1.0), v(7.5)]),
            panel("Moyen", vec![MapValue::Secret, v(2.0)]),
        ];
        let names: Vec<&str> =
            order_by_latest(&panels).into_iter().map(|i| panels[i].label.as_str()).collect();
        assert_eq!(names, ["Haut", "Bas", "Moyen", "Écluse", "Zénith"]);
        assert_eq!(sort_key("Écluse Œuvre"), "ecluse oeuvre");
    }

    #[test]
    fn missing_values_make_runs_by_state() {
        let v = MapValue::Value(1.0);
        let runs = missing_runs(&[MapValue::Secret, MapValue::Secret, v, MapValue::NoData, MapValue::Secret]);
        assert_eq!(runs, [(MapState::Secret, 0, 1), (MapState::NoData, 3, 3), (MapState::Secret, 4, 4)]);
        assert!(missing_runs(&[v, v]).is_empty());
    }
}
