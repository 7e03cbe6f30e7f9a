//! Drawing one figure on both backends and writing the files atomically.
//!
//! Input: a [`Figure`] (anything that can paint itself on a plotters drawing area of a fixed size),
//! the output folder, the file stem, the title and the text alternative. Output: `<stem>.png`
//! (bitmap backend) and `<stem>.svg` (SVG backend, made accessible by `svg_a11y`).
//!
//! Invariants: each file is first written under a hidden temporary name in the output folder and
//! then renamed over the final name ([`crate::io::atomic`]), so a reader never sees a half-written
//! file; nothing in the
//! drawing depends on time, randomness or hash order, so the same inputs give the same bytes.

use std::io::Write;
use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::{BitMapBackend, DrawingArea, DrawingBackend, IntoDrawingArea, SVGBackend};
use plotters::style::WHITE;

use super::svg_a11y::{SvgText, make_accessible};
use super::{RenderError, ensure_fonts};
use crate::io::{IoError, atomic};

fn io_error(e: IoError) -> RenderError {
    RenderError::Io { path: e.path, source: e.source }
}

/// What drawing code returns: plotters errors are turned into their message.
pub(crate) type DrawResult = Result<(), String>;

/// A figure of a fixed size in pixels that can paint itself on any plotters backend.
pub(crate) trait Figure {
    /// Width and height in pixels.
    fn size(&self) -> (u32, u32);
    /// Paints the figure on `root` (already filled with white), in pixel coordinates.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult;
    /// The SVG layer of the figure's areas, each with its own `<title>` (a map's QPV), appended on
    /// top of the SVG drawing; `None` for a figure that is one image (see `svg_a11y`).
    fn svg_areas(&self) -> Option<String> {
        None
    }
}

/// The two files written for a figure.
pub(crate) struct Written {
    pub png: PathBuf,
    pub svg: PathBuf,
}

/// Checks that `stem` is a plain file name (no folder, not hidden, not empty).
pub(crate) fn check_stem(stem: &str) -> Result<(), RenderError> {
    let reason = if stem.is_empty() {
        Some("it is empty")
    } else if stem.starts_with('.') {
        Some("it starts with a dot")
    } else if stem.contains(['/', '\\']) || stem.contains('\0') {
        Some("it contains a path separator")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(RenderError::InvalidStem { stem: stem.to_string(), reason }),
        None => Ok(()),
    }
}

/// Draws `figure` as `<out_dir>/<stem>.png` and `<out_dir>/<stem>.svg` (creating `out_dir`), the
/// SVG titled `title`, described by `desc`, in the language `lang` (ISO 639-1).
pub(crate) fn write_figure<F: Figure>(
    figure: &F,
    out_dir: &Path,
    stem: &str,
    (title, desc): (&str, &str),
    lang: &str,
) -> Result<Written, RenderError> {
    ensure_fonts()?;
    check_stem(stem)?;
    atomic::create_dir(out_dir).map_err(io_error)?;
    let png = out_dir.join(format!("{stem}.png"));
    let svg = out_dir.join(format!("{stem}.svg"));
    let draw_error = |path: &Path| {
        let path = path.to_path_buf();
        move |message: String| RenderError::Draw { path, message }
    };

    // The bitmap encoder picks the format from the extension: the temporary name ends in .png.
    let tmp_png = atomic::temp_beside_with(&png, ".png").map_err(io_error)?;
    {
        let root = BitMapBackend::new(tmp_png.path(), figure.size()).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string()).map_err(draw_error(&png))?;
        figure.draw(&root).map_err(draw_error(&png))?;
        root.present().map_err(|e| e.to_string()).map_err(draw_error(&png))?;
    }
    atomic::persist(tmp_png, &png).map_err(io_error)?;

    let mut document = String::new();
    {
        let root = SVGBackend::with_string(&mut document, figure.size()).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string()).map_err(draw_error(&svg))?;
        figure.draw(&root).map_err(draw_error(&svg))?;
        root.present().map_err(|e| e.to_string()).map_err(draw_error(&svg))?;
    }
    let areas = figure.svg_areas();
    let text = SvgText { id: stem, title, desc, lang, areas: areas.as_deref() };
    let document = make_accessible(&document, &text).map_err(draw_error(&svg))?;
    let mut tmp_svg = atomic::temp_beside(&svg).map_err(io_error)?;
    tmp_svg.write_all(document.as_bytes()).map_err(|source| RenderError::Io { path: svg.clone(), source })?;
    atomic::persist(tmp_svg, &svg).map_err(io_error)?;

    Ok(Written { png, svg })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_must_be_plain_names() {
        assert!(check_stem("eligibility_thd30").is_ok());
        assert!(check_stem("").is_err());
        assert!(check_stem(".hidden").is_err());
        assert!(check_stem("../x").is_err());
        assert!(check_stem("a\\b").is_err());
    }

    struct Square;
    impl Figure for Square {
        fn size(&self) -> (u32, u32) {
            (40, 30)
        }
        fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
            root.draw(&plotters::element::Rectangle::new(
                [(5, 5), (20, 20)],
                plotters::style::ShapeStyle::from(&plotters::style::BLACK).filled(),
            ))
            .map_err(|e| e.to_string())
        }
    }

    #[test]
    fn writes_both_files_and_no_temporary() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let out = dir.path().join("figures");
        let written = write_figure(&Square, &out, "square", ("Un carré", "Un carré noir."), "fr")?;
        assert!(written.png.is_file() && written.svg.is_file());
        let names: Vec<String> = std::fs::read_dir(&out)?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
        let svg = std::fs::read_to_string(&written.svg)?;
        assert!(svg.contains(r#"role="img""#) && svg.contains("<title id=\"square-title\">Un carré</title>"));
        Ok(())
    }
}
