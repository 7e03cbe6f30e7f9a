//! Map layout: the extent in Lambert-93, the frame at an equal x/y scale, and every element of the
//! figure (legend rows, painted features, symbols, labels, footnote) placed in pixels.

use geo::{BooleanOps, BoundingRect, Coord, InteriorPoint, MapCoords, MultiPolygon, Rect, coord};

use super::describe::extremes_note;
use super::inset::{INSET_H, Inset};
use super::legend::{COUNT_W, LegendRow, SWATCH_W, Swatch, row_height};
use super::paint::{BACKGROUND_FILL, Fill, HATCH_STEP, PaintedFeature, paint, palette};
use super::scale_bar::FURNITURE_H;
use super::{GAP, LEGEND_W, MARGIN, MapFeature, MapSpec, MapState, MapValue, WIDTH};
use crate::indicators::table::Direction;
use crate::locale::{Arg, Locale};
use crate::render::classify::Classes;
use crate::render::frame::{Footer, Header};
use crate::render::labels::{LabelMode, PlacedLabel, label_requests, place_labels};
use crate::render::symbols::{Symbol, SymbolCandidate, layout_symbols, needs_symbol};
use crate::render::text::{BODY, SUBTITLE, line_height, wrap};

/// Padding between the map frame and the extent.
pub(super) const FRAME_PAD: f64 = 16.0;
pub(super) const MAP_MIN_H: i32 = 560;
pub(super) const MAP_MAX_H: i32 = 1100;

/// The map extent in Lambert-93: the features' bounding box, grown to the background outlines that
/// touch it unless that makes it more than four times larger, then padded by 4 % (at least 200 m).
pub(super) fn map_extent(background: &[MultiPolygon<f64>], features: &[MapFeature]) -> Option<Rect<f64>> {
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

pub(super) fn rects_touch(a: &Rect<f64>, b: &Rect<f64>) -> bool {
    a.min().x <= b.max().x && b.min().x <= a.max().x && a.min().y <= b.max().y && b.min().y <= a.max().y
}

/// "0 zone", "1 zone", "4 zones" ("0 areas" in English): the count of a legend row.
pub(super) fn zones(l: &Locale, n: usize) -> String {
    let key = match n {
        0 => "map.zone_zero",
        1 => "map.zone_one",
        _ => "map.zone_many",
    };
    l.format(key, &[("n", Arg::Count(n as u64))])
}

/// Everything laid out, in pixels.
pub(super) struct MapFigure {
    pub(super) height: u32,
    pub(super) header: Header,
    pub(super) footer: Footer,
    pub(super) footer_y: i32,
    /// Map frame corners.
    pub(super) frame: [(i32, i32); 2],
    pub(super) background: Vec<PaintedFeature>,
    pub(super) features: Vec<PaintedFeature>,
    /// The tooltip of each feature, in the same order (see `areas`); empty until the caller sets it.
    pub(super) tips: Vec<String>,
    /// Symbols over the features too small to show their colour, in drawing order.
    pub(super) symbols: Vec<Symbol>,
    pub(super) label_mode: LabelMode,
    pub(super) labels: Vec<PlacedLabel>,
    pub(super) legend_x: i32,
    pub(super) legend_y: i32,
    pub(super) legend_title: Vec<String>,
    /// The method and number of classes, under the legend title.
    pub(super) legend_method: Vec<String>,
    pub(super) legend_rows: Vec<LegendRow>,
    /// Pixels per metre.
    pub(super) scale: f64,
    /// The language of the map's furniture (scale bar).
    pub(super) locale: crate::locale::Locale,
    /// The locator inset, above the north arrow; `None` without background geometry.
    pub(super) inset: Option<Inset>,
}

/// Where the map goes on the page and how Lambert-93 metres become pixels.
pub(super) struct MapFrame {
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

    /// The extent in metres that the frame shows.
    fn shown(&self) -> Rect<f64> {
        let metres = |(x, y): (i32, i32)| {
            coord! {
                x: self.corner.0 + (x as f64 - self.origin.0) / self.scale,
                y: self.corner.1 - (y as f64 - self.origin.1) / self.scale,
            }
        };
        Rect::new(metres(self.frame[0]), metres(self.frame[1]))
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
    pub(super) fn layout(
        spec: &MapSpec,
        classes: &Classes,
        extent: Rect<f64>,
        background: &[MultiPolygon<f64>],
        features: &[MapFeature],
    ) -> Result<MapFigure, String> {
        let inner_w = WIDTH as i32 - 2 * MARGIN;
        let header = Header::layout(spec.title, spec.notice, inner_w as u32)?;

        // Legend column.
        let legend_title = wrap(spec.legend_title, SUBTITLE, true, LEGEND_W as u32)?;
        let l = spec.locale;
        let legend_method = if classes.is_empty() {
            Vec::new()
        } else {
            wrap(&classes.summary(l), BODY, false, LEGEND_W as u32)?
        };
        let label_w = (LEGEND_W - SWATCH_W - 14 - COUNT_W) as u32;
        let colours = palette(classes.len(), spec.direction);
        let mut legend_rows = Vec::with_capacity(classes.len() + 3);
        for (i, (label, colour)) in classes.labels_in(l).into_iter().zip(&colours).enumerate() {
            let mut lines = vec![label];
            if let Some(single) = classes.single_label(i, l) {
                lines.extend(wrap(&single, BODY, false, label_w)?);
            }
            legend_rows.push(LegendRow {
                swatch: Swatch::Fill(Fill::Class(*colour)),
                lines,
                count: Some(zones(l, classes.counts[i])),
            });
        }
        // "No data" and "secret" rows only when the map has such features.
        let state_count = |state: MapState| features.iter().filter(|f| f.value.state() == state).count();
        for (fill, key, state) in [
            (Fill::NoData, "map.legend_no_data", MapState::NoData),
            (Fill::Secret, "map.secret", MapState::Secret),
        ] {
            let n = state_count(state);
            if n > 0 {
                legend_rows.push(LegendRow {
                    swatch: Swatch::Fill(fill),
                    lines: wrap(l.text(key), BODY, false, label_w)?,
                    count: Some(zones(l, n)),
                });
            }
        }
        let legend_h = |rows: &[LegendRow]| {
            legend_title.len() as i32 * line_height(SUBTITLE)
                + 12
                + legend_method.len() as i32 * line_height(BODY)
                + if legend_method.is_empty() { 0 } else { 8 }
                + rows.iter().map(row_height).sum::<i32>()
                + FURNITURE_H
                + if background.is_empty() { 0 } else { INSET_H }
        };

        // Map frame: as wide as the room left by the legend, as high as the extent's aspect asks.
        // The features that are too small to show their colour are chosen at this scale; if there
        // are some, the legend gains a row, which may make the frame (never the features) larger.
        let map_w = inner_w - LEGEND_W - GAP;
        let mut geometry = MapFrame::new(extent, map_w, header.height, legend_h(&legend_rows));
        let fills: Vec<Fill> = features
            .iter()
            .map(|f| match f.value {
                MapValue::Secret => Fill::Secret,
                v => v
                    .known()
                    .and_then(|v| classes.class_of(v))
                    .and_then(|c| colours.get(c).copied())
                    .map_or(Fill::NoData, Fill::Class),
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
            legend_rows.push(LegendRow {
                swatch: Swatch::Symbol,
                lines: wrap(spec.locale.text("map.symbol"), BODY, false, label_w + COUNT_W as u32)?,
                count: None,
            });
            geometry = MapFrame::new(extent, map_w, header.height, legend_h(&legend_rows));
        }
        let inset_at = (WIDTH as i32 - MARGIN - LEGEND_W, geometry.frame[1].1 - FURNITURE_H - INSET_H + 10);
        let inset = Inset::layout(background, features, geometry.shown(), inset_at, l)?;
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
        for (i, (f, fill)) in features.iter().zip(&fills).enumerate() {
            let px = f.geometry.map_coords(|c| geometry.to_px(c));
            let mut p = paint(&px, fill.colour());
            p.hatch = fill.hatching(&px, HATCH_STEP);
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
                let badness =
                    f.value.known().map(|v| if spec.direction == Direction::HigherIsBetter { -v } else { v });
                candidates.push(SymbolCandidate { feature: i, anchor, fill: *fill, badness, code: &f.code });
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
        let requests = label_requests(features, label_mode, spec.decimals, spec.locale);
        let labels =
            place_labels(&requests, &anchors, &boxes, &obstacles, frame, label_mode == LabelMode::Extremes)?;

        let mut notes = Vec::new();
        if label_mode == LabelMode::Extremes {
            notes.push(extremes_note(spec.locale));
        }
        if symbols.iter().any(|s| s.leader().is_some()) {
            notes.push(spec.locale.text("map.spread").to_string());
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
            tips: Vec::new(),
            symbols,
            label_mode,
            labels,
            legend_x: WIDTH as i32 - MARGIN - LEGEND_W,
            legend_y: top,
            legend_title,
            legend_method,
            legend_rows,
            scale,
            locale: *spec.locale,
            inset,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::choropleth::square;
    use crate::render::classify::Method;
    use crate::render::ensure_fonts;

    #[test]
    fn extent_covers_features_and_touching_background() {
        let feature = MapFeature {
            code: "QP067001".into(),
            label: "A".into(),
            geometry: MultiPolygon::new(vec![square(1000.0, 1000.0, 500.0)]),
            value: MapValue::Value(1.0),
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
            unit: "%",
            direction: Direction::HigherIsWorse,
            decimals: 0,
            method: &Method::Quantiles,
            classes: 5,
            credit: "",
            notice: None,
            description: "Carte.",
            locale: &crate::locale::Locale::default(),
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
                value: MapValue::Value(i as f64),
            })
            .collect();
        features.push(MapFeature {
            code: "QP9".into(),
            label: "Grand".into(),
            geometry: MultiPolygon::new(vec![square(80_000.0, 60_000.0, 30_000.0)]),
            value: MapValue::Secret,
        });
        let classes = Method::Quantiles.classify(&[0.0, 1.0, 2.0, 3.0], 5, 0);
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
        // Three classes (rounded quantiles of four values), the secret row and the symbol; no
        // "no data" row (there is none).
        let swatches: Vec<Swatch> = figure.legend_rows.iter().map(|r| r.swatch).collect();
        assert_eq!(swatches.len(), 5, "{swatches:?}");
        assert!(matches!(swatches[3], Swatch::Fill(Fill::Secret)));
        assert!(!swatches.iter().any(|s| matches!(s, Swatch::Fill(Fill::NoData))));
        assert_eq!(figure.legend_rows[0].count.as_deref(), Some("1 zone"));
        assert_eq!(figure.legend_method, ["Quantiles, 3 classes sur 5 demandées"]);
        assert_eq!(figure.legend_rows[2].count.as_deref(), Some("2 zones"));
        assert_eq!(figure.label_mode, LabelMode::Extremes);
        Ok(())
    }
}
