//! Scatter plots "need vs reach": every point with both coordinates drawn and labelled (labels moved
//! around their point to avoid overlaps), dashed medians, the points left out listed in a footnote
//! and in the `<desc>`.

use crate::locale::{Arg, Locale};
use std::path::Path;

use plotters::chart::ChartBuilder;
use plotters::coord::Shift;
use plotters::element::{Circle, PathElement};
use plotters::prelude::{DrawingArea, DrawingBackend};
use plotters::style::text_anchor::{HPos, VPos};
use plotters::style::{Color, RGBColor, TRANSPARENT, WHITE};

use super::axes::{GRID, tick_decimals, value_range};
use super::{ChartSpec, GAP, MARGIN, PLOT_H, RenderedChart, WIDTH};
use crate::render::choropleth::rgb;
use crate::render::frame::{Footer, Header, draw_text};
use crate::render::output::{DrawResult, Figure, check_stem, write_figure};
use crate::render::text::{self, BODY, INK, INK_SOFT, SMALL, line_height};
use crate::render::{RenderError, ensure_fonts};

const MEDIAN: RGBColor = RGBColor(0x70, 0x70, 0x70);
/// Scatter points.
const POINT: u32 = 0x0072b2;

/// The colours of a scatter plot's points and medians (for the contrast tests).
#[cfg(test)]
pub(crate) fn scatter_colours() -> [RGBColor; 2] {
    [rgb(POINT), MEDIAN]
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
        let names = Arg::List(missing.iter().map(|s| s.to_string()).collect());
        spec.locale.format("chart.not_drawn", &[("names", names)])
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
    let written =
        write_figure(&figure, out_dir, spec.file_stem, (spec.title, &desc), spec.locale.lang.code())?;
    Ok(RenderedChart { png: written.png, svg: written.svg, description: spec.description.to_string() })
}

/// A scatter plot laid out.
struct ScatterFigure {
    locale: Locale,
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
            locale: *spec.locale,
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
        let x_formatter = |x: &f64| self.locale.number(*x, xd);
        let y_formatter = |y: &f64| self.locale.number(*y, yd);
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
                let vt = self.locale.format("chart.median", &[("value", Arg::Number(mx, xd + 1))]);
                let ht = self.locale.format("chart.median", &[("value", Arg::Number(my, yd + 1))]);
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

/// The SVG `<desc>` of a scatter plot: the description, every point, the points left out.
fn scatter_description(
    spec: &ChartSpec,
    x_label: &str,
    points: &[(String, f64, f64)],
    missing: &[&str],
) -> String {
    let loc = spec.locale;
    let sep = loc.text("list.separator");
    let mut desc = spec.description.trim().to_string();
    if !points.is_empty() {
        let items: Vec<String> = points
            .iter()
            .map(|(l, x, y)| {
                let xy = [loc.number(*x, 1), loc.number(*y, 1)].join(sep);
                format!("{l} ({xy})")
            })
            .collect();
        let args = [
            ("x", Arg::Text(x_label.into())),
            ("y", Arg::Text(spec.y_label.into())),
            ("items", Arg::Text(items.join(sep))),
        ];
        desc.push('\n');
        desc.push_str(&loc.format("chart.points", &args));
    }
    if !missing.is_empty() {
        let names = Arg::List(missing.iter().map(|s| s.to_string()).collect());
        desc.push('\n');
        desc.push_str(&loc.format("chart.not_drawn", &[("names", names)]));
    }
    desc
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn medians() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }
}
