//! Choropleth maps: one value per feature (a QPV, an IRIS…), classed by quantiles and coloured with a
//! sequential ramp over light-grey context outlines.
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

use geo::orient::{Direction, Orient};
use geo::{
    BooleanOps, BoundingRect, Coord, InteriorPoint, LineString, MapCoords, MultiLineString, MultiPolygon,
    Rect, coord,
};
use plotters::coord::Shift;
use plotters::element::{Circle, PathElement, Polygon as PxPolygon};
use plotters::prelude::{DrawingArea, DrawingBackend};
use plotters::style::text_anchor::{HPos, VPos};
use plotters::style::{Color, RGBColor, WHITE};

use super::classes::ClassBreaks;
use super::frame::{Footer, Header, draw_rect, draw_text};
use super::labels::{EXTREMES, LabelMode, PlacedLabel, label_requests, place_labels};
use super::output::{DrawResult, Figure, check_stem, write_figure};
use super::symbols::{Symbol, SymbolCandidate, draw_symbol, draw_symbols, layout_symbols, needs_symbol};
use super::text::{self, BODY, INK, SMALL, SUBTITLE, line_height, wrap};
use super::{RenderError, ensure_fonts};

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

/// Legend entry of features without a value.
pub const NO_DATA_LABEL: &str = "Données non disponibles / secret statistique";

const WIDTH: u32 = 1400;
const MARGIN: i32 = 32;
const LEGEND_W: i32 = 360;
const GAP: i32 = 28;
/// Padding between the map frame and the extent.
const FRAME_PAD: f64 = 16.0;
const MAP_MIN_H: i32 = 560;
const MAP_MAX_H: i32 = 1100;
const SWATCH_W: i32 = 48;
const SWATCH_H: i32 = 30;
const ROW_H: i32 = 40;
/// Height kept at the bottom of the legend column for the north arrow and the scale bar.
const FURNITURE_H: i32 = 150;
/// Spacing of the no-data hatching, along the x axis, in pixels.
const HATCH_STEP: f64 = 11.0;

const BACKGROUND_FILL: RGBColor = RGBColor(0xee, 0xee, 0xee);
const BACKGROUND_LINE: RGBColor = RGBColor(0xb4, 0xb4, 0xb4);
pub(crate) const OUTLINE: RGBColor = RGBColor(0x33, 0x33, 0x33);
pub(crate) const HATCH: RGBColor = RGBColor(0x6e, 0x6e, 0x6e);

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
    match figure.symbols.len() {
        0 => {}
        1 => notes.push(
            "1 zone trop petite à cette échelle est représentée par un cercle de la couleur de sa classe."
                .to_string(),
        ),
        n => notes.push(format!(
            "{n} zones trop petites à cette échelle sont représentées par un cercle de la couleur de leur classe."
        )),
    }
    let mut description = spec.description.to_string();
    if figure.label_mode == LabelMode::Extremes {
        notes.push(extremes_note());
        description = format!("{} {}", spec.description.trim_end(), extremes_note());
    }
    let desc = long_description(spec, &classes, features, &notes);
    let written = write_figure(&figure, out_dir, spec.file_stem, spec.title, &desc)?;
    Ok(RenderedMap { png: written.png, svg: written.svg, classes, description })
}

/// The sequential YlOrRd ramp of ColorBrewer for `n` classes (1 to 5), light to dark; reversed when
/// higher values are better so that the dark end is always the bad one.
pub(crate) fn palette(n: usize, higher_is_better: bool) -> Vec<RGBColor> {
    let hexes: &[u32] = match n {
        0 => &[],
        1 => &[0xfd8d3c],
        2 => &[0xfecc5c, 0xe31a1c],
        3 => &[0xffeda0, 0xfeb24c, 0xf03b20],
        4 => &[0xffffb2, 0xfecc5c, 0xfd8d3c, 0xe31a1c],
        _ => &[0xffffb2, 0xfecc5c, 0xfd8d3c, 0xf03b20, 0xbd0026],
    };
    let mut colours: Vec<RGBColor> = hexes.iter().map(|h| rgb(*h)).collect();
    if higher_is_better {
        colours.reverse();
    }
    colours
}

/// `0xRRGGBB` as a plotters colour.
pub(crate) fn rgb(hex: u32) -> RGBColor {
    RGBColor((hex >> 16) as u8, (hex >> 8) as u8, hex as u8)
}

/// The text of the SVG `<desc>`: the description, the legend with the number of features per class,
/// the `notes` on how the map is drawn and, for small maps, the value of each feature.
fn long_description(
    spec: &MapSpec,
    classes: &ClassBreaks,
    features: &[MapFeature],
    notes: &[String],
) -> String {
    let mut counts = vec![0usize; classes.len()];
    let mut missing = 0;
    for f in features {
        match f.value.filter(|v| v.is_finite()) {
            Some(v) if !classes.is_empty() => counts[classes.class_of(v)] += 1,
            _ => missing += 1,
        }
    }
    let zones = |n: usize| if n > 1 { format!("{n} zones") } else { format!("{n} zone") };
    let mut entries: Vec<String> = classes
        .labels(spec.decimals)
        .iter()
        .zip(&counts)
        .map(|(l, n)| format!("{l} : {}", zones(*n)))
        .collect();
    entries.push(format!("{} : {}", NO_DATA_LABEL.to_lowercase(), zones(missing)));
    let mut desc =
        format!("{}\nLégende ({}) : {}.", spec.description.trim(), spec.legend_title, entries.join(" ; "));
    for note in notes {
        desc.push('\n');
        desc.push_str(note);
    }
    if !features.is_empty() && features.len() <= 50 {
        let items: Vec<String> = features
            .iter()
            .map(|f| {
                let v = f
                    .value
                    .filter(|v| v.is_finite())
                    .map_or("n.d.".to_string(), |v| crate::numbers::fr(v, spec.decimals));
                format!("{} ({}) : {v}", f.label, f.code)
            })
            .collect();
        desc.push_str(&format!("\nValeurs : {}.", items.join(" ; ")));
    }
    desc
}

/// The map extent in Lambert-93: the features' bounding box, grown to the background outlines that
/// touch it unless that makes it more than four times larger, then padded by 4 % (at least 200 m).
fn map_extent(background: &[MultiPolygon<f64>], features: &[MapFeature]) -> Option<Rect<f64>> {
    let finite = |r: &Rect<f64>| {
        r.min().x.is_finite() && r.min().y.is_finite() && r.max().x.is_finite() && r.max().y.is_finite()
    };
    let feature_box =
        features.iter().filter_map(|f| f.geometry.bounding_rect()).filter(finite).reduce(union_rect);
    let background_boxes: Vec<Rect<f64>> =
        background.iter().filter_map(|g| g.bounding_rect()).filter(finite).collect();
    let extent = match feature_box {
        Some(fb) => {
            let grown =
                background_boxes.iter().filter(|b| rects_touch(b, &fb)).fold(fb, |a, b| union_rect(a, *b));
            let limit = 4.0 * fb.width().max(fb.height()).max(1000.0);
            if grown.width() <= limit && grown.height() <= limit { grown } else { fb }
        }
        None => background_boxes.into_iter().reduce(union_rect)?,
    };
    let pad = (0.04 * extent.width().max(extent.height())).max(200.0);
    Some(Rect::new(
        coord! { x: extent.min().x - pad, y: extent.min().y - pad },
        coord! { x: extent.max().x + pad, y: extent.max().y + pad },
    ))
}

fn union_rect(a: Rect<f64>, b: Rect<f64>) -> Rect<f64> {
    Rect::new(
        coord! { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
        coord! { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
    )
}

fn rects_touch(a: &Rect<f64>, b: &Rect<f64>) -> bool {
    a.min().x <= b.max().x && b.min().x <= a.max().x && a.min().y <= b.max().y && b.min().y <= a.max().y
}

/// A feature ready to paint, in pixels.
struct PaintedFeature {
    /// One bridged point list per polygon (holes joined to the exterior by a zero-width cut).
    fills: Vec<Vec<(i32, i32)>>,
    /// Every ring, closed, for the outlines.
    rings: Vec<Vec<(i32, i32)>>,
    /// Fill colour; `None` for no data (white with hatching).
    colour: Option<RGBColor>,
    /// Hatching segments for no-data features.
    hatch: Vec<Vec<(i32, i32)>>,
}

/// What a legend row shows beside its text.
#[derive(Debug, Clone, Copy)]
enum Swatch {
    /// A class colour.
    Class(RGBColor),
    /// White with hatching: no data.
    NoData,
    /// A sample symbol: features too small for their colour to show.
    Symbol,
}

/// A legend row.
struct LegendRow {
    swatch: Swatch,
    lines: Vec<String>,
}

/// Legend entry of the symbols drawn over features too small to see.
const SYMBOL_LABEL: &str = "Zone trop petite à cette échelle : cercle de la couleur de sa classe";
/// Footnote and text alternative of a map that names only the extreme values.
fn extremes_note() -> String {
    format!(
        "Seules les zones aux {EXTREMES} valeurs les plus élevées et aux {EXTREMES} plus faibles sont \
         nommées sur la carte ; la liste complète des valeurs figure dans le tableau qui accompagne la carte."
    )
}
/// Footnote of a map where symbols were pushed aside.
const LEADER_NOTE: &str =
    "Les cercles trop proches sont écartés les uns des autres ; un trait les relie à leur zone.";

/// Everything laid out, in pixels.
struct MapFigure {
    height: u32,
    header: Header,
    footer: Footer,
    footer_y: i32,
    /// Map frame corners.
    frame: [(i32, i32); 2],
    background: Vec<PaintedFeature>,
    features: Vec<PaintedFeature>,
    /// Symbols over the features too small to show their colour, in drawing order.
    symbols: Vec<Symbol>,
    label_mode: LabelMode,
    labels: Vec<PlacedLabel>,
    legend_x: i32,
    legend_y: i32,
    legend_title: Vec<String>,
    legend_rows: Vec<LegendRow>,
    /// Pixels per metre.
    scale: f64,
}

/// Where the map goes on the page and how Lambert-93 metres become pixels.
struct MapFrame {
    /// Map frame corners.
    frame: [(i32, i32); 2],
    /// Top of the map frame and of the legend.
    top: i32,
    /// Pixels per metre.
    scale: f64,
    /// Pixel position of the extent's top-left corner.
    origin: (f64, f64),
    /// The extent's top-left corner in metres.
    corner: (f64, f64),
}

impl MapFrame {
    /// The frame for a map `map_w` pixels wide under a header `header_h` high, at least as high as
    /// the legend (`legend_h`), the extent centred at an equal x/y scale.
    fn new(extent: Rect<f64>, map_w: i32, header_h: i32, legend_h: i32) -> MapFrame {
        let (ext_w, ext_h) = (extent.width(), extent.height());
        let wanted_h = (map_w as f64 * ext_h / ext_w).round() as i32;
        let map_h = wanted_h.clamp(MAP_MIN_H.max(legend_h), MAP_MAX_H.max(legend_h));
        let top = MARGIN + header_h + GAP;
        let frame = [(MARGIN, top), (MARGIN + map_w, top + map_h)];
        let scale = ((map_w as f64 - 2.0 * FRAME_PAD) / ext_w).min((map_h as f64 - 2.0 * FRAME_PAD) / ext_h);
        let origin = (
            MARGIN as f64 + (map_w as f64 - ext_w * scale) / 2.0,
            top as f64 + (map_h as f64 - ext_h * scale) / 2.0,
        );
        MapFrame { frame, top, scale, origin, corner: (extent.min().x, extent.max().y) }
    }

    /// Lambert-93 metres to pixels, y down.
    fn to_px(&self, c: Coord<f64>) -> Coord<f64> {
        coord! {
            x: self.origin.0 + (c.x - self.corner.0) * self.scale,
            y: self.origin.1 + (self.corner.1 - c.y) * self.scale,
        }
    }
}

impl MapFigure {
    fn layout(
        spec: &MapSpec,
        classes: &ClassBreaks,
        extent: Rect<f64>,
        background: &[MultiPolygon<f64>],
        features: &[MapFeature],
    ) -> Result<MapFigure, String> {
        let inner_w = WIDTH as i32 - 2 * MARGIN;
        let header = Header::layout(spec.title, spec.notice, inner_w as u32)?;

        // Legend column.
        let legend_title = wrap(spec.legend_title, SUBTITLE, true, LEGEND_W as u32)?;
        let label_w = (LEGEND_W - SWATCH_W - 14) as u32;
        let colours = palette(classes.len(), spec.higher_is_better);
        let mut legend_rows: Vec<LegendRow> = classes
            .labels(spec.decimals)
            .into_iter()
            .zip(colours.iter())
            .map(|(label, colour)| LegendRow { swatch: Swatch::Class(*colour), lines: vec![label] })
            .collect();
        legend_rows
            .push(LegendRow { swatch: Swatch::NoData, lines: wrap(NO_DATA_LABEL, BODY, false, label_w)? });
        let legend_h = |rows: &[LegendRow]| {
            legend_title.len() as i32 * line_height(SUBTITLE)
                + 12
                + rows.iter().map(row_height).sum::<i32>()
                + FURNITURE_H
        };

        // Map frame: as wide as the room left by the legend, as high as the extent's aspect asks.
        // The features that are too small to show their colour are chosen at this scale; if there
        // are some, the legend gains a row, which may make the frame (never the features) larger.
        let map_w = inner_w - LEGEND_W - GAP;
        let mut geometry = MapFrame::new(extent, map_w, header.height, legend_h(&legend_rows));
        let fills: Vec<Option<RGBColor>> = features
            .iter()
            .map(|f| {
                f.value
                    .filter(|v| v.is_finite() && !classes.is_empty())
                    .and_then(|v| colours.get(classes.class_of(v)).copied())
            })
            .collect();
        let specks: Vec<bool> = features
            .iter()
            .map(|f| {
                f.geometry
                    .bounding_rect()
                    .is_some_and(|r| needs_symbol(r.width() * geometry.scale, r.height() * geometry.scale))
            })
            .collect();
        if specks.iter().any(|s| *s) {
            legend_rows
                .push(LegendRow { swatch: Swatch::Symbol, lines: wrap(SYMBOL_LABEL, BODY, false, label_w)? });
            geometry = MapFrame::new(extent, map_w, header.height, legend_h(&legend_rows));
        }
        let MapFrame { frame, top, scale, .. } = geometry;
        let frame_rect = Rect::new(
            coord! { x: frame[0].0 as f64, y: frame[0].1 as f64 },
            coord! { x: frame[1].0 as f64, y: frame[1].1 as f64 },
        );

        let background: Vec<PaintedFeature> = background
            .iter()
            .filter_map(|g| {
                let px = g.map_coords(|c| geometry.to_px(c));
                let bbox = px.bounding_rect()?;
                if !rects_touch(&bbox, &frame_rect) {
                    return None;
                }
                let inside = bbox.min().x >= frame_rect.min().x
                    && bbox.min().y >= frame_rect.min().y
                    && bbox.max().x <= frame_rect.max().x
                    && bbox.max().y <= frame_rect.max().y;
                let clipped = if inside { px } else { px.intersection(&frame_rect.to_polygon()) };
                Some(paint(&clipped, Some(BACKGROUND_FILL)))
            })
            .collect();

        let mut painted = Vec::with_capacity(features.len());
        let mut anchors = Vec::with_capacity(features.len());
        let mut boxes = Vec::with_capacity(features.len());
        let mut candidates = Vec::new();
        for (i, (f, colour)) in features.iter().zip(&fills).enumerate() {
            let px = f.geometry.map_coords(|c| geometry.to_px(c));
            let mut p = paint(&px, *colour);
            if colour.is_none() {
                p.hatch = hatch(&px, HATCH_STEP);
            }
            painted.push(p);
            let anchor = px.interior_point().map(|pt| (pt.x(), pt.y()));
            anchors.push(anchor.map(|(x, y)| (x.round() as i32, y.round() as i32)));
            let bbox = px.bounding_rect();
            boxes.push(bbox.map(|r| {
                (
                    r.min().x.floor() as i32,
                    r.min().y.floor() as i32,
                    r.max().x.ceil() as i32,
                    r.max().y.ceil() as i32,
                )
            }));
            // Chosen at the first scale, even if the frame grew a little since.
            if let (true, Some(anchor)) = (specks[i], anchor) {
                let badness = f.value.map(|v| if spec.higher_is_better { -v } else { v });
                candidates.push(SymbolCandidate {
                    feature: i,
                    anchor,
                    colour: *colour,
                    badness,
                    code: &f.code,
                });
            }
        }
        let symbols = layout_symbols(&candidates, frame);

        // Labels go around the symbol of a feature that has one; symbols and specks stay uncovered.
        let mut obstacles = Vec::with_capacity(2 * symbols.len());
        for s in &symbols {
            if let Some(speck) = boxes[s.feature] {
                obstacles.push(speck);
            }
            obstacles.push(s.bbox());
            boxes[s.feature] = Some(s.bbox());
        }
        let label_mode = LabelMode::for_map(features.len(), symbols.len());
        let requests = label_requests(features, label_mode, spec.decimals);
        let labels =
            place_labels(&requests, &anchors, &boxes, &obstacles, frame, label_mode == LabelMode::Extremes)?;

        let mut notes = Vec::new();
        if label_mode == LabelMode::Extremes {
            notes.push(extremes_note());
        }
        if symbols.iter().any(|s| s.leader().is_some()) {
            notes.push(LEADER_NOTE.to_string());
        }
        let footnote = (!notes.is_empty()).then(|| notes.join(" "));
        let footer = Footer::layout(footnote.as_deref(), spec.credit, inner_w as u32)?;
        let footer_y = frame[1].1 + GAP;
        let height = (footer_y + footer.height + MARGIN) as u32;

        Ok(MapFigure {
            height,
            header,
            footer,
            footer_y,
            frame,
            background,
            features: painted,
            symbols,
            label_mode,
            labels,
            legend_x: WIDTH as i32 - MARGIN - LEGEND_W,
            legend_y: top,
            legend_title,
            legend_rows,
            scale,
        })
    }

    fn draw_legend<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let x = self.legend_x;
        let mut y = self.legend_y;
        let title_style = text::style(SUBTITLE, true, INK, HPos::Left, VPos::Top);
        for line in &self.legend_title {
            draw_text(root, line, (x, y), &title_style)?;
            y += line_height(SUBTITLE);
        }
        y += 12;
        let label_style = text::style(BODY, false, INK, HPos::Left, VPos::Center);
        for row in &self.legend_rows {
            let h = row_height(row);
            let swatch = [(x, y + (h - SWATCH_H) / 2 - 4), (x + SWATCH_W, y + (h + SWATCH_H) / 2 - 4)];
            match row.swatch {
                Swatch::Class(colour) => draw_rect(root, swatch, colour.filled())?,
                Swatch::NoData => {
                    let rect = Rect::new(
                        coord! { x: swatch[0].0 as f64, y: swatch[0].1 as f64 },
                        coord! { x: swatch[1].0 as f64, y: swatch[1].1 as f64 },
                    );
                    for segment in hatch(&MultiPolygon::new(vec![rect.to_polygon()]), HATCH_STEP) {
                        root.draw(&PathElement::new(segment, HATCH.stroke_width(1)))
                            .map_err(|e| e.to_string())?;
                    }
                }
                Swatch::Symbol => {}
            }
            match row.swatch {
                Swatch::Symbol => {
                    // A speck with its symbol, as on the map.
                    let (cx, cy) = ((swatch[0].0 + swatch[1].0) / 2, (swatch[0].1 + swatch[1].1) / 2);
                    draw_rect(root, [(cx - 2, cy - 2), (cx + 2, cy + 2)], OUTLINE.filled())?;
                    draw_symbol(root, (cx, cy), Some(WHITE), &[])?;
                }
                _ => draw_rect(root, swatch, OUTLINE.stroke_width(1))?,
            }
            let lh = line_height(BODY);
            let mut ty = (swatch[0].1 + swatch[1].1) / 2 - (row.lines.len() as i32 - 1) * lh / 2;
            for line in &row.lines {
                draw_text(root, line, (x + SWATCH_W + 14, ty), &label_style)?;
                ty += lh;
            }
            y += h;
        }
        Ok(())
    }

    /// North arrow and scale bar at the bottom of the legend column.
    fn draw_furniture<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let x = self.legend_x;
        let bottom = self.frame[1].1;
        // North arrow: an arrowhead with a notch, "N" above it.
        let (cx, top) = (x + 18, bottom - 104);
        draw_text(root, "N", (cx, top), &text::style(SUBTITLE, true, INK, HPos::Center, VPos::Top))?;
        let tip = top + 30;
        let head = vec![(cx, tip), (cx + 14, tip + 42), (cx, tip + 32), (cx - 14, tip + 42)];
        root.draw(&PxPolygon::new(head.clone(), INK.filled())).map_err(|e| e.to_string())?;

        // Scale bar: a round length close to 170 px, in two halves.
        let (metres, px) = scale_bar_length(self.scale, 170.0);
        let (bx, by) = (x + 64, bottom - 62);
        let half = px / 2;
        draw_rect(root, [(bx, by), (bx + half, by + 10)], INK.filled())?;
        draw_rect(root, [(bx + half, by), (bx + px, by + 10)], WHITE.filled())?;
        draw_rect(root, [(bx, by), (bx + px, by + 10)], INK.stroke_width(1))?;
        let tick = text::style(SMALL, false, INK, HPos::Center, VPos::Top);
        draw_text(root, "0", (bx, by + 16), &tick)?;
        draw_text(root, &format_distance(metres), (bx + px, by + 16), &tick)?;
        let note = text::style(SMALL, false, INK, HPos::Left, VPos::Bottom);
        draw_text(root, "Lambert-93 (EPSG:2154)", (bx, by - 10), &note)?;
        Ok(())
    }
}

impl Figure for MapFigure {
    fn size(&self) -> (u32, u32) {
        (WIDTH, self.height)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let fill_and_outline = |items: &[PaintedFeature], line: RGBColor, width: u32| -> DrawResult {
            for item in items {
                let fill = item.colour.unwrap_or(WHITE).filled();
                for points in &item.fills {
                    root.draw(&PxPolygon::new(points.clone(), fill)).map_err(|e| e.to_string())?;
                }
                for segment in &item.hatch {
                    root.draw(&PathElement::new(segment.clone(), HATCH.stroke_width(1)))
                        .map_err(|e| e.to_string())?;
                }
            }
            for item in items {
                for ring in &item.rings {
                    root.draw(&PathElement::new(ring.clone(), line.stroke_width(width)))
                        .map_err(|e| e.to_string())?;
                }
            }
            Ok(())
        };
        fill_and_outline(&self.background, BACKGROUND_LINE, 1)?;
        fill_and_outline(&self.features, OUTLINE, 2)?;
        draw_symbols(root, &self.symbols)?;

        let label_style = text::style(SMALL, false, INK, HPos::Center, VPos::Center);
        // A label's leader line ends on a dot at the centre of its feature.
        for leader in self.labels.iter().filter_map(|l| l.leader) {
            root.draw(&PathElement::new(leader.to_vec(), INK.stroke_width(1))).map_err(|e| e.to_string())?;
            root.draw(&Circle::new(leader[0], 2, INK.filled())).map_err(|e| e.to_string())?;
        }
        for label in &self.labels {
            let (cx, cy) = label.centre;
            let (hw, hh) = label.half;
            draw_rect(root, [(cx - hw, cy - hh), (cx + hw, cy + hh)], WHITE.mix(0.8).filled())?;
            draw_text(root, &label.text, (cx, cy), &label_style)?;
        }

        self.header.draw(root, (MARGIN, MARGIN), WIDTH as i32 - 2 * MARGIN)?;
        self.draw_legend(root)?;
        self.draw_furniture(root)?;
        self.footer.draw(root, (MARGIN, self.footer_y))
    }
}

fn row_height(row: &LegendRow) -> i32 {
    ROW_H.max(row.lines.len() as i32 * line_height(BODY) + 10)
}

/// Turns a pixel-space multipolygon into point lists for plotters.
fn paint(px: &MultiPolygon<f64>, colour: Option<RGBColor>) -> PaintedFeature {
    let mut fills = Vec::new();
    let mut rings = Vec::new();
    for polygon in px.iter() {
        let polygon = polygon.orient(Direction::Default);
        let exterior = ring_points(polygon.exterior());
        if exterior.len() < 3 {
            continue;
        }
        let holes: Vec<Vec<(i32, i32)>> =
            polygon.interiors().iter().map(ring_points).filter(|h| h.len() >= 3).collect();
        fills.push(bridge(&exterior, &holes));
        for ring in std::iter::once(&exterior).chain(&holes) {
            let mut closed = ring.clone();
            closed.push(ring[0]);
            rings.push(closed);
        }
    }
    PaintedFeature { fills, rings, colour, hatch: Vec::new() }
}

/// The ring's vertices rounded to pixels, without the closing repeat nor consecutive duplicates.
fn ring_points(ring: &LineString<f64>) -> Vec<(i32, i32)> {
    let mut points: Vec<(i32, i32)> =
        ring.coords().map(|c| (c.x.round() as i32, c.y.round() as i32)).collect();
    points.dedup();
    if points.len() > 1 && points.first() == points.last() {
        points.pop();
    }
    points
}

/// One point list for a polygon with holes: each hole is joined to its nearest exterior vertex by a
/// zero-width cut travelled both ways. The two edges of a cut cancel under both the even-odd and
/// the non-zero fill rules (exterior and holes have opposite orientations), so the hole stays open.
fn bridge(exterior: &[(i32, i32)], holes: &[Vec<(i32, i32)>]) -> Vec<(i32, i32)> {
    let mut at_vertex: Vec<Vec<usize>> = vec![Vec::new(); exterior.len()];
    for (h, hole) in holes.iter().enumerate() {
        let (hx, hy) = (hole[0].0 as i64, hole[0].1 as i64);
        let nearest = exterior
            .iter()
            .enumerate()
            .min_by_key(|(_, (x, y))| (*x as i64 - hx).pow(2) + (*y as i64 - hy).pow(2))
            .map_or(0, |(i, _)| i);
        at_vertex[nearest].push(h);
    }
    let mut points = Vec::with_capacity(exterior.len() + holes.iter().map(|h| h.len() + 2).sum::<usize>());
    for (i, vertex) in exterior.iter().enumerate() {
        points.push(*vertex);
        for &h in &at_vertex[i] {
            points.extend_from_slice(&holes[h]);
            points.push(holes[h][0]);
            points.push(*vertex);
        }
    }
    points
}

/// Diagonal hatching (lines rising to the right, `step` px apart along x) clipped to `px`.
pub(crate) fn hatch(px: &MultiPolygon<f64>, step: f64) -> Vec<Vec<(i32, i32)>> {
    let Some(bbox) = px.bounding_rect() else {
        return Vec::new();
    };
    let (min, max) = (bbox.min(), bbox.max());
    // Lines x + y = c on a fixed grid of c, so neighbouring features' hatching lines up.
    let first = ((min.x + min.y) / step).floor() as i64;
    let last = ((max.x + max.y) / step).ceil() as i64;
    let lines: Vec<LineString<f64>> = (first..=last)
        .map(|k| {
            let c = k as f64 * step;
            LineString::from(vec![(c - max.y, max.y), (c - min.y, min.y)])
        })
        .collect();
    px.clip(&MultiLineString::new(lines), false)
        .iter()
        .map(|ls| ls.coords().map(|c| (c.x.round() as i32, c.y.round() as i32)).collect::<Vec<_>>())
        .filter(|s: &Vec<(i32, i32)>| s.len() >= 2)
        .collect()
}

/// A round length (1, 2 or 5 × 10^k metres) drawn close to `target_px` pixels, and its length in
/// pixels, for a scale of `scale` pixels per metre.
fn scale_bar_length(scale: f64, target_px: f64) -> (f64, i32) {
    let target_m = target_px / scale;
    if !(target_m.is_finite() && target_m > 0.0) {
        return (0.0, 0);
    }
    let magnitude = 10f64.powf(target_m.log10().floor());
    let metres = [5.0, 2.0, 1.0].iter().map(|m| m * magnitude).find(|m| *m <= target_m).unwrap_or(magnitude);
    (metres, (metres * scale).round() as i32)
}

/// "500 m", "2 km", "2,5 km".
fn format_distance(metres: f64) -> String {
    if metres < 1000.0 {
        format!("{} m", crate::numbers::fr(metres, 0))
    } else {
        let km = metres / 1000.0;
        let decimals = if km.fract() == 0.0 { 0 } else { 1 };
        format!("{} km", crate::numbers::fr(km, decimals))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Polygon, polygon};

    fn square(x: f64, y: f64, side: f64) -> Polygon<f64> {
        polygon![(x: x, y: y), (x: x + side, y: y), (x: x + side, y: y + side), (x: x, y: y + side)]
    }

    #[test]
    fn palette_dark_end_is_the_bad_end() {
        let luminance = |c: &RGBColor| 0.2126 * c.0 as f64 + 0.7152 * c.1 as f64 + 0.0722 * c.2 as f64;
        for n in 1..=5 {
            let low_is_bad = palette(n, true);
            let high_is_bad = palette(n, false);
            assert_eq!(low_is_bad.len(), n);
            if n > 1 {
                assert!(luminance(&low_is_bad[0]) < luminance(&low_is_bad[n - 1]));
                assert!(luminance(&high_is_bad[0]) > luminance(&high_is_bad[n - 1]));
            }
        }
        assert!(palette(0, true).is_empty());
    }

    #[test]
    fn bridged_hole_keeps_every_vertex() {
        let exterior = vec![(0, 0), (100, 0), (100, 100), (0, 100)];
        let hole = vec![(40, 40), (40, 60), (60, 60), (60, 40)];
        let points = bridge(&exterior, std::slice::from_ref(&hole));
        assert_eq!(points.len(), 4 + 4 + 2);
        // The hole is entered from its nearest exterior vertex, (0, 0), and left back to it.
        assert_eq!(points[0], (0, 0));
        assert_eq!(&points[1..5], hole.as_slice());
        assert_eq!(points[5], (40, 40));
        assert_eq!(points[6], (0, 0));
    }

    #[test]
    fn hatching_stays_inside() {
        let px = MultiPolygon::new(vec![square(10.0, 10.0, 100.0)]);
        let segments = hatch(&px, HATCH_STEP);
        assert!(segments.len() > 10);
        for s in &segments {
            for (x, y) in s {
                assert!((10..=110).contains(x) && (10..=110).contains(y), "({x}, {y})");
            }
        }
    }

    #[test]
    fn extent_covers_features_and_touching_background() {
        let feature = MapFeature {
            code: "QP067001".into(),
            label: "A".into(),
            geometry: MultiPolygon::new(vec![square(1000.0, 1000.0, 500.0)]),
            value: Some(1.0),
        };
        let commune = MultiPolygon::new(vec![square(0.0, 0.0, 3000.0)]);
        let far_away = MultiPolygon::new(vec![square(1e6, 1e6, 10.0)]);
        let huge = MultiPolygon::new(vec![square(-1e5, -1e5, 3e5)]);
        let e = map_extent(&[commune, far_away], std::slice::from_ref(&feature))
            .unwrap_or(Rect::new(coord! { x: 0.0, y: 0.0 }, coord! { x: 0.0, y: 0.0 }));
        assert!(e.min().x < 0.0 && e.max().x > 3000.0 && e.max().x < 4000.0);
        let e = map_extent(&[huge], std::slice::from_ref(&feature));
        assert!(e.is_some_and(|e| e.width() < 1000.0));
        assert!(map_extent(&[], &[]).is_none());
    }

    #[test]
    fn specks_at_the_edges_get_symbols_inside_the_frame() -> Result<(), Box<dyn std::error::Error>> {
        ensure_fonts()?;
        let spec = MapSpec {
            file_stem: "x",
            title: "T",
            legend_title: "%",
            higher_is_better: false,
            decimals: 0,
            credit: "",
            notice: None,
            description: "Carte.",
        };
        // 200 m squares at the four corners of a 200 km × 150 km region, and one big square.
        let corners = [(0.0, 0.0), (200_000.0, 0.0), (0.0, 150_000.0), (200_000.0, 150_000.0)];
        let mut features: Vec<MapFeature> = corners
            .iter()
            .enumerate()
            .map(|(i, (x, y))| MapFeature {
                code: format!("QP{i}"),
                label: format!("Q{i}"),
                geometry: MultiPolygon::new(vec![square(*x, *y, 200.0)]),
                value: Some(i as f64),
            })
            .collect();
        features.push(MapFeature {
            code: "QP9".into(),
            label: "Grand".into(),
            geometry: MultiPolygon::new(vec![square(80_000.0, 60_000.0, 30_000.0)]),
            value: None,
        });
        let classes = ClassBreaks::quantiles(&[0.0, 1.0, 2.0, 3.0], 5, 0);
        let extent = map_extent(&[], &features).ok_or("no extent")?;
        let figure = MapFigure::layout(&spec, &classes, extent, &[], &features)?;
        assert_eq!(figure.symbols.len(), 4, "the big square needs no symbol");
        let [(l, t), (r, b)] = figure.frame;
        for s in &figure.symbols {
            let bb = s.bbox();
            assert!(bb.0 > l && bb.1 > t && bb.2 < r && bb.3 < b, "{bb:?} outside {:?}", figure.frame);
            assert!(s.leader().is_none(), "an edge symbol stays on its feature");
        }
        assert!(matches!(figure.legend_rows.last().map(|r| r.swatch), Some(Swatch::Symbol)));
        assert_eq!(figure.label_mode, LabelMode::Extremes);
        Ok(())
    }

    #[test]
    fn scale_bar_is_round() {
        assert_eq!(scale_bar_length(0.1, 170.0), (1000.0, 100));
        assert_eq!(scale_bar_length(0.05, 170.0).0, 2000.0);
        assert_eq!(format_distance(500.0), "500 m");
        assert_eq!(format_distance(2000.0), "2 km");
        assert_eq!(format_distance(2500.0), "2,5 km");
    }

    #[test]
    fn description_counts_classes_and_missing() {
        let spec = MapSpec {
            file_stem: "x",
            title: "T",
            legend_title: "% des locaux",
            higher_is_better: true,
            decimals: 1,
            credit: "",
            notice: None,
            description: "Carte.",
        };
        let f = |code: &str, value| MapFeature {
            code: code.into(),
            label: code.into(),
            geometry: MultiPolygon::new(vec![square(0.0, 0.0, 1.0)]),
            value,
        };
        let features = [f("A", Some(10.0)), f("B", Some(20.0)), f("C", None)];
        let classes = ClassBreaks::quantiles(&[10.0, 20.0], 5, 1);
        let d = long_description(&spec, &classes, &features, &[]);
        assert!(d.starts_with("Carte.\nLégende (% des locaux) : [10,0 ; 15,0[ : 1 zone"), "{d}");
        assert!(d.contains("secret statistique : 1 zone"), "{d}");
        assert!(d.contains("C (C) : n.d."), "{d}");
    }
}
