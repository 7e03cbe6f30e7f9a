//! Small multiples: one indicator on the same features over several periods (one panel per
//! quarter), classed with pooled breaks (the classes of all the panels' values together, see
//! [`Method::pooled`](crate::render::classify::Method::pooled)) so that a colour means the same
//! value on every panel.
//!
//! Input: a [`MapSpec`] (texts, palette direction, method, decimals), the features (geometry, name,
//! code; their `value` is ignored) in Lambert-93 metres and the [`Panel`]s, each with one value per
//! feature. Output: `<stem>.png` and `<stem>.svg` (accessible: a group titled and described, its
//! `<desc>` giving the classes and each panel's values, and each feature of each panel a
//! `<g role="img">` with its own `<title>`: name, code, period and value, see `areas`) and the
//! pooled classes.
//!
//! Layout: title (and notice) on top; the panels on the left in a grid of up to four columns, each
//! with its period above it, at one equal x/y scale shared by every panel, north up; on the right the
//! legend (its title, the method, one swatch per class with its bounds and the number of values in
//! it over all panels, then "no data" and "secret" rows when some panel has such a feature); the
//! credit line at the bottom.
//!
//! Invariants: the features are filled as on a single map (class colour, or white with diagonal
//! hatching for no data and crossed hatching for secret) with dark outlines; every panel has the same
//! extent and scale; the same inputs give the same bytes.

use std::path::{Path, PathBuf};

use geo::{BoundingRect, MapCoords, MultiPolygon, Rect, coord};
use plotters::coord::Shift;
use plotters::element::{PathElement, Polygon as PxPolygon};
use plotters::prelude::{DrawingArea, DrawingBackend};
use plotters::style::text_anchor::{HPos, VPos};
use plotters::style::{Color, WHITE};

use super::areas::{LAYER_OPEN, panel_tip, push_area};
use super::legend::{COUNT_W, SWATCH_W, draw_legend_heading};
use super::paint::{Fill, HATCH, HATCH_STEP, OUTLINE, PaintedFeature, paint, palette};
use super::{GAP, LEGEND_W, MARGIN, MAX_CLASSES, MapFeature, MapSpec, MapState, MapValue, WIDTH};
use crate::locale::{Arg, Locale};
use crate::render::classify::Classes;
use crate::render::contrast::outline_casing;
use crate::render::frame::{Footer, Header, draw_rect, draw_text};
use crate::render::output::{DrawResult, Figure, check_stem, write_figure};
use crate::render::text::{self, BODY, INK, SUBTITLE, line_height, wrap};
use crate::render::{RenderError, ensure_fonts};

/// One panel: its period ("2026-T3") and the value of each feature, in the features' order.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    pub title: String,
    pub values: Vec<MapValue>,
}

/// The files of a small-multiples figure and its pooled classes.
#[derive(Debug, Clone)]
pub struct RenderedMultiples {
    pub png: PathBuf,
    pub svg: PathBuf,
    /// The classes shared by every panel; their counts are over all panels.
    pub classes: Classes,
}

const COLUMNS: usize = 4;
const PANEL_GAP: i32 = 16;
const PANEL_PAD: f64 = 6.0;
const ROW_H: i32 = 36;
const SWATCH_H: i32 = 26;

struct PanelFigure {
    title: String,
    frame: [(i32, i32); 2],
    features: Vec<PaintedFeature>,
    /// Each feature's tooltip in this panel (name, code, period, value or why there is none).
    tips: Vec<String>,
}

struct MultiplesFigure {
    height: u32,
    header: Header,
    footer: Footer,
    footer_y: i32,
    panels: Vec<PanelFigure>,
    legend_x: i32,
    legend_y: i32,
    legend_title: Vec<String>,
    legend_method: Vec<String>,
    /// Swatch, label, count.
    legend_rows: Vec<(Fill, String, String)>,
}

fn fill_of(value: MapValue, classes: &Classes, colours: &[plotters::style::RGBColor]) -> Fill {
    match (value.state(), value.known().and_then(|v| classes.class_of(v))) {
        (MapState::Secret, _) => Fill::Secret,
        (MapState::Value, Some(c)) => colours.get(c).copied().map_or(Fill::NoData, Fill::Class),
        _ => Fill::NoData,
    }
}

fn values_count(l: &Locale, n: usize) -> String {
    let key = if n == 1 { "map.multiples_value_one" } else { "map.multiples_value_many" };
    l.format(key, &[("n", Arg::Count(n as u64))])
}

/// Draws `panels` of `features` as small multiples with pooled classes, writes PNG and SVG.
pub fn small_multiples(
    spec: &MapSpec,
    features: &[MapFeature],
    panels: &[Panel],
    out_dir: &Path,
) -> Result<RenderedMultiples, RenderError> {
    ensure_fonts()?;
    check_stem(spec.file_stem)?;
    let png_path = out_dir.join(format!("{}.png", spec.file_stem));
    let draw_error = |message: String| RenderError::Draw { path: png_path.clone(), message };
    if panels.is_empty() || panels.iter().any(|p| p.values.len() != features.len()) {
        return Err(RenderError::Empty {
            path: png_path,
            reason: "no panel, or a panel without one value per feature".to_string(),
        });
    }
    let known: Vec<Vec<f64>> =
        panels.iter().map(|p| p.values.iter().filter_map(|v| v.known()).collect()).collect();
    let series: Vec<&[f64]> = known.iter().map(Vec::as_slice).collect();
    let classes = spec.method.pooled(&series, spec.classes.clamp(1, MAX_CLASSES), spec.decimals);
    if classes.len() > MAX_CLASSES {
        return Err(RenderError::Classes {
            path: png_path,
            reason: format!("{} classes, more than the {MAX_CLASSES} colours of a ramp", classes.len()),
        });
    }
    let extent = features
        .iter()
        .filter_map(|f| f.geometry.bounding_rect())
        .reduce(|a, b| {
            Rect::new(
                coord! { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
                coord! { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
            )
        })
        .filter(|r| r.width() > 0.0 && r.height() > 0.0)
        .ok_or_else(|| RenderError::Empty { path: png_path.clone(), reason: "no feature geometry".into() })?;

    let l = spec.locale;
    let header =
        Header::layout(spec.title, spec.notice, (WIDTH as i32 - 2 * MARGIN) as u32).map_err(draw_error)?;
    let top = MARGIN + header.height + GAP;
    let grid_w = WIDTH as i32 - 2 * MARGIN - LEGEND_W - GAP;
    let columns = panels.len().min(COLUMNS) as i32;
    let panel_w = (grid_w - (columns - 1) * PANEL_GAP) / columns;
    let scale = (panel_w as f64 - 2.0 * PANEL_PAD) / extent.width();
    let map_h = (extent.height() * scale + 2.0 * PANEL_PAD).ceil() as i32;
    let title_h = line_height(BODY) + 6;
    let colours = palette(classes.len(), spec.direction);
    let mut painted = Vec::with_capacity(panels.len());
    for (i, panel) in panels.iter().enumerate() {
        let (row, col) = ((i / COLUMNS) as i32, (i % COLUMNS) as i32);
        let x0 = MARGIN + col * (panel_w + PANEL_GAP);
        let y0 = top + row * (title_h + map_h + PANEL_GAP) + title_h;
        let to_px = |c: geo::Coord<f64>| {
            coord! {
                x: x0 as f64 + PANEL_PAD + (c.x - extent.min().x) * scale,
                y: y0 as f64 + PANEL_PAD + (extent.max().y - c.y) * scale,
            }
        };
        let features_in = features;
        let features = features
            .iter()
            .zip(&panel.values)
            .map(|(f, v)| {
                let px: MultiPolygon<f64> = f.geometry.map_coords(to_px);
                let fill = fill_of(*v, &classes, &colours);
                let mut p = paint(&px, fill.colour());
                p.hatch = fill.hatching(&px, HATCH_STEP);
                p
            })
            .collect();
        let tips = features_tips(spec, features_in, panel);
        painted.push(PanelFigure {
            title: panel.title.clone(),
            frame: [(x0, y0), (x0 + panel_w, y0 + map_h)],
            features,
            tips,
        });
    }
    let rows = panels.len().div_ceil(COLUMNS) as i32;
    let grid_bottom = top + rows * (title_h + map_h + PANEL_GAP) - PANEL_GAP;

    let legend_title = wrap(spec.legend_title, SUBTITLE, true, LEGEND_W as u32).map_err(draw_error)?;
    let method = l.format("map.multiples_method", &[("summary", Arg::Text(classes.summary(l)))]);
    let legend_method = wrap(&method, BODY, false, LEGEND_W as u32).map_err(draw_error)?;
    let mut legend_rows: Vec<(Fill, String, String)> = (0..classes.len())
        .map(|i| (Fill::Class(colours[i]), classes.full_label(i, l), values_count(l, classes.counts[i])))
        .collect();
    for (state, fill, key) in [
        (MapState::NoData, Fill::NoData, "map.legend_no_data"),
        (MapState::Secret, Fill::Secret, "map.secret"),
    ] {
        let n = panels.iter().flat_map(|p| &p.values).filter(|v| v.state() == state).count();
        if n > 0 {
            legend_rows.push((fill, l.text(key).to_string(), values_count(l, n)));
        }
    }
    let legend_h = (legend_title.len() as i32) * line_height(SUBTITLE)
        + 12
        + legend_method.len() as i32 * line_height(BODY)
        + 8
        + legend_rows.len() as i32 * ROW_H;
    let footer = Footer::layout(None, spec.credit, (WIDTH as i32 - 2 * MARGIN) as u32).map_err(draw_error)?;
    let footer_y = grid_bottom.max(top + legend_h) + GAP;
    let height = (footer_y + footer.height + MARGIN) as u32;
    let figure = MultiplesFigure {
        height,
        header,
        footer,
        footer_y,
        panels: painted,
        legend_x: WIDTH as i32 - MARGIN - LEGEND_W,
        legend_y: top,
        legend_title,
        legend_method,
        legend_rows,
    };
    let desc = description(spec, &classes, features, panels);
    let written = write_figure(&figure, out_dir, spec.file_stem, (spec.title, &desc), l.lang.code())?;
    Ok(RenderedMultiples { png: written.png, svg: written.svg, classes })
}

/// The tooltips of the features in `panel`, in the features' order.
fn features_tips(spec: &MapSpec, features: &[MapFeature], panel: &Panel) -> Vec<String> {
    features.iter().zip(&panel.values).map(|(f, v)| panel_tip(spec, f, &panel.title, *v)).collect()
}

/// The `<desc>`: the description, the pooled classes, then each panel's values.
fn description(spec: &MapSpec, classes: &Classes, features: &[MapFeature], panels: &[Panel]) -> String {
    let l = spec.locale;
    let sep = l.text("list.separator");
    let mut desc = spec.description.trim().to_string();
    desc.push('\n');
    desc.push_str(&l.format("map.multiples_method", &[("summary", Arg::Text(classes.summary(l)))]));
    let labels: Vec<String> = (0..classes.len()).map(|i| classes.full_label(i, l)).collect();
    desc.push('\n');
    desc.push_str(&l.format(
        "map.legend",
        &[("title", Arg::Text(spec.legend_title.to_string())), ("entries", Arg::Text(labels.join(sep)))],
    ));
    for p in panels {
        let items: Vec<String> = features
            .iter()
            .zip(&p.values)
            .map(|(f, v)| {
                let value = match v {
                    MapValue::Secret => l.text("map.state_secret").to_string(),
                    v => l.number(v.known().unwrap_or(f64::NAN), spec.decimals),
                };
                l.format("map.value", &[("name", Arg::Text(f.label.clone())), ("value", Arg::Text(value))])
            })
            .collect();
        desc.push('\n');
        desc.push_str(&l.format(
            "map.multiples_panel",
            &[("period", Arg::Text(p.title.clone())), ("items", Arg::Text(items.join(sep)))],
        ));
    }
    desc
}

impl Figure for MultiplesFigure {
    fn size(&self) -> (u32, u32) {
        (WIDTH, self.height)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let err = |e: plotters::drawing::DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
        let title_style = text::style(BODY, true, INK, HPos::Left, VPos::Bottom);
        for panel in &self.panels {
            let [(x0, y0), _] = panel.frame;
            draw_text(root, &panel.title, (x0, y0 - 4), &title_style)?;
            for item in &panel.features {
                let fill = item.colour.unwrap_or(WHITE).filled();
                for points in &item.fills {
                    root.draw(&PxPolygon::new(points.clone(), fill)).map_err(err)?;
                }
                for segment in &item.hatch {
                    root.draw(&PathElement::new(segment.clone(), HATCH.stroke_width(1))).map_err(err)?;
                }
            }
            for item in &panel.features {
                let casing = outline_casing(item.colour);
                for ring in &item.rings {
                    if let Some(casing) = casing {
                        root.draw(&PathElement::new(ring.clone(), casing.stroke_width(3))).map_err(err)?;
                    }
                    root.draw(&PathElement::new(ring.clone(), OUTLINE.stroke_width(1))).map_err(err)?;
                }
            }
            draw_rect(root, panel.frame, OUTLINE.mix(0.5).stroke_width(1))?;
        }
        self.header.draw(root, (MARGIN, MARGIN), WIDTH as i32 - 2 * MARGIN)?;

        let x = self.legend_x;
        let mut y = draw_legend_heading(root, (x, self.legend_y), &self.legend_title, &self.legend_method)?;
        y += 8;
        let label_style = text::style(BODY, false, INK, HPos::Left, VPos::Center);
        let count_style = text::style(BODY, false, INK, HPos::Right, VPos::Center);
        for (fill, label, count) in &self.legend_rows {
            let swatch = [(x, y + (ROW_H - SWATCH_H) / 2), (x + SWATCH_W, y + (ROW_H + SWATCH_H) / 2)];
            if let Some(colour) = fill.colour() {
                draw_rect(root, swatch, colour.filled())?;
            }
            let rect = Rect::new(
                coord! { x: swatch[0].0 as f64, y: swatch[0].1 as f64 },
                coord! { x: swatch[1].0 as f64, y: swatch[1].1 as f64 },
            );
            for segment in fill.hatching(&MultiPolygon::new(vec![rect.to_polygon()]), HATCH_STEP) {
                root.draw(&PathElement::new(segment, HATCH.stroke_width(1))).map_err(err)?;
            }
            draw_rect(root, swatch, OUTLINE.stroke_width(1))?;
            let centre = y + ROW_H / 2;
            let max_label = (LEGEND_W - SWATCH_W - 14 - COUNT_W) as u32;
            let label = wrap(label, BODY, false, max_label)?.into_iter().next().unwrap_or_default();
            draw_text(root, &label, (x + SWATCH_W + 14, centre), &label_style)?;
            draw_text(root, count, (x + LEGEND_W, centre), &count_style)?;
            y += ROW_H;
        }
        self.footer.draw(root, (MARGIN, self.footer_y))
    }

    /// Every feature of every panel, each with its own `<title>` (see `areas`).
    fn svg_areas(&self) -> Option<String> {
        let mut out = String::from(LAYER_OPEN);
        for panel in &self.panels {
            for (feature, tip) in panel.features.iter().zip(&panel.tips) {
                push_area(&mut out, tip, &feature.fills, std::iter::empty());
            }
        }
        out.push_str("</g>\n");
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::table::Direction;
    use crate::locale::Lang;
    use crate::render::choropleth::square;
    use crate::render::classify::Method;

    #[test]
    fn pooled_classes_colour_every_panel_alike_and_count_every_value()
    -> Result<(), Box<dyn std::error::Error>> {
        let locale = Locale::new(Lang::Fr);
        let spec = MapSpec {
            file_stem: "reach_quarters",
            title: "Participants pour 1 000 habitants, par trimestre",
            legend_title: "pour 1 000 habitants",
            unit: "",
            direction: Direction::HigherIsBetter,
            decimals: 1,
            method: &Method::Jenks,
            classes: 2,
            credit: "Source : test.",
            notice: None,
            description: "Petits multiples.",
            locale: &locale,
        };
        let f = |code: &str, x: f64| MapFeature {
            code: code.into(),
            label: code.into(),
            geometry: MultiPolygon::new(vec![square(x, 0.0, 1000.0)]),
            value: MapValue::NoData,
        };
        let features = [f("A", 0.0), f("B", 1500.0), f("C", 3000.0)];
        let panel =
            |title: &str, values: [MapValue; 3]| Panel { title: title.into(), values: values.to_vec() };
        let v = MapValue::Value;
        let panels = [
            panel("2026-T1", [v(10.0), v(12.0), MapValue::Secret]),
            panel("2026-T2", [v(30.0), v(55.0), v(60.0)]),
        ];
        let dir = tempfile::tempdir()?;
        let m = small_multiples(&spec, &features, &panels, dir.path())?;
        // Pooled: the second panel's low value (30) falls in the first panel's class.
        assert_eq!(m.classes.breaks.bounds, [10.0, 50.0, 60.0], "pooled over both panels");
        assert_eq!(m.classes.counts, [3, 2], "five values over the two panels");
        let svg = std::fs::read_to_string(&m.svg)?;
        assert!(svg.contains("2026-T1") && svg.contains("2026-T2"), "panel titles");
        assert!(svg.contains("Secret statistique") && !svg.contains("Donnée non disponible"));
        assert!(svg.contains(">\n3 valeurs\n<") && svg.contains(">\n2 valeurs\n<"), "legend counts");
        assert!(svg.contains(">\n1 valeur\n<"), "one secret value");
        assert!(svg.contains("2026-T1 : A : 10,0 ; B : 12,0 ; C : secret statistique."), "{svg}");
        // Each shape of each panel has its own title, on top of the drawing.
        let titles: Vec<&str> =
            svg.split("<g role=\"img\"><title>").skip(1).filter_map(|t| t.split("</title>").next()).collect();
        assert_eq!(titles.len(), 6, "three features in two panels");
        assert_eq!(titles[0], "A (A), 2026-T1 : 10,0");
        assert_eq!(titles[2], "C (C), 2026-T1 : secret statistique");
        assert_eq!(titles[5], "C (C), 2026-T2 : 60,0");
        assert!(svg.contains(r#"role="group""#), "a group of titled images");
        let again = small_multiples(&spec, &features, &panels, dir.path())?;
        assert_eq!(std::fs::read(&again.png)?, std::fs::read(&m.png)?, "deterministic");
        // A panel without one value per feature is refused.
        let short = [Panel { title: "x".into(), values: vec![v(1.0)] }];
        assert!(small_multiples(&spec, &features, &short, dir.path()).is_err());
        Ok(())
    }
}
