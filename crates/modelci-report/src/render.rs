//! Turning a [`Chart`] into PNG and SVG, in memory or as files.
//!
//! Drawing happens in memory (an RGB buffer for PNG, a string for SVG), so a file is only
//! written once the whole image exists, and then atomically (see [`crate::atomic`]). That also
//! makes output deterministic: the same chart always gives the same bytes.

use std::io;
use std::path::{Path, PathBuf};

use plotters::backend::RGBPixel;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use crate::atomic::write_atomic;
use crate::chart::Chart;
use crate::draw;
use crate::error::ReportError;
use crate::font;
use crate::svg_pictures::{PictureSvg, add_pictures};

/// The files [`render`] wrote for one chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenderedChart {
    /// The PNG, for attaching or uploading.
    pub png: PathBuf,
    /// The SVG, for viewing at any zoom.
    pub svg: PathBuf,
}

/// The canvas size, in pixels, at which `chart` is drawn.
///
/// Bar and line charts are 800x400; heat maps grow with their rows and columns.
pub fn chart_size(chart: &Chart) -> (u32, u32) {
    draw::size(chart)
}

/// Draws `chart` and encodes it as PNG (8-bit RGB).
pub fn render_png_bytes(chart: &Chart) -> Result<Vec<u8>, ReportError> {
    chart.validate()?;
    font::ensure_registered()?;
    let (w, h) = draw::size(chart);
    let draw_err = |message| ReportError::Draw {
        title: chart.title().to_string(),
        format: "PNG",
        message,
    };
    let mut pixels = vec![0u8; w as usize * h as usize * 3];
    {
        let backend = BitMapBackend::<RGBPixel>::with_buffer_and_format(&mut pixels, (w, h))
            .map_err(|e| draw_err(e.to_string()))?;
        let root = backend.into_drawing_area();
        draw::draw(&root, chart).map_err(draw_err)?;
        root.present().map_err(|e| draw_err(e.to_string()))?;
    }
    encode_png(&pixels, (w, h)).map_err(|source| ReportError::Encode {
        title: chart.title().to_string(),
        source,
    })
}

/// Draws `chart` as an SVG document.
///
/// Text is left to the viewer's fonts; see [`crate::font`] for what that means.
pub fn render_svg_string(chart: &Chart) -> Result<String, ReportError> {
    chart.validate()?;
    font::ensure_registered()?;
    let draw_err = |message| ReportError::Draw {
        title: chart.title().to_string(),
        format: "SVG",
        message,
    };
    let mut svg = String::new();
    let mut pictures = Vec::new();
    {
        let root = PictureSvg::new(&mut svg, draw::size(chart), &mut pictures).into_drawing_area();
        draw::draw(&root, chart).map_err(draw_err)?;
        root.present().map_err(|e| draw_err(e.to_string()))?;
    }
    add_pictures(&mut svg, &pictures);
    Ok(svg)
}

/// Renders `chart` as a PNG file at `path`, replacing it atomically.
pub fn render_png(chart: &Chart, path: &Path) -> Result<(), ReportError> {
    write_atomic(path, &render_png_bytes(chart)?)
}

/// Renders `chart` as an SVG file at `path`, replacing it atomically.
pub fn render_svg(chart: &Chart, path: &Path) -> Result<(), ReportError> {
    write_atomic(path, render_svg_string(chart)?.as_bytes())
}

/// Renders `chart` as `dir/stem.png` and `dir/stem.svg`.
///
/// `stem` must be a plain file name without extension (no `/`, `\` or `..`); `dir` must exist.
/// Both images are drawn before either file is written.
pub fn render(chart: &Chart, dir: &Path, stem: &str) -> Result<RenderedChart, ReportError> {
    let png = dir.join(format!("{stem}.png"));
    let svg = dir.join(format!("{stem}.svg"));
    if stem.is_empty() || stem.contains(['/', '\\']) || stem == "." || stem == ".." {
        return Err(ReportError::Write {
            path: png,
            source: io::Error::new(
                io::ErrorKind::InvalidInput,
                "the file stem must be a plain name",
            ),
        });
    }
    let png_bytes = render_png_bytes(chart)?;
    let svg_text = render_svg_string(chart)?;
    write_atomic(&png, &png_bytes)?;
    write_atomic(&svg, svg_text.as_bytes())?;
    Ok(RenderedChart { png, svg })
}

/// `pixels` (8-bit RGB, `w` x `h`) as a PNG file's bytes.
pub(crate) fn encode_png(pixels: &[u8], (w, h): (u32, u32)) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Balanced);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(pixels)?;
    writer.finish()?;
    Ok(out)
}
