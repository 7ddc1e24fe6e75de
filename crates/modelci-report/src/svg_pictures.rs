//! SVG documents with pictures in them (contact sheets).
//!
//! plotters' SVG backend embeds a bitmap only with its `bitmap_encoder` feature, which builds a
//! second image library (image 0.24, with its own PNG, JPEG and BMP code) into every binary
//! that draws a chart, and writes the picture under a `data:png` address that browsers do not
//! recognise as an image. [`PictureSvg`] is that backend with its bitmaps written by us
//! instead: each becomes an `<image>` element holding a PNG (encoded as the charts' PNGs are)
//! under `data:image/png;base64,`, added at the end of the document, above everything drawn
//! before it.

use base64::Engine as _;
use plotters::prelude::SVGBackend;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};

/// The SVG backend, with pictures set aside as `<image>` elements.
pub(crate) struct PictureSvg<'a> {
    svg: SVGBackend<'a>,
    pictures: &'a mut Vec<String>,
}

impl<'a> PictureSvg<'a> {
    /// Draws into `target` (an SVG document of `size` once the drawing area is dropped); the
    /// pictures go to `pictures`, for [`add_pictures`].
    pub(crate) fn new(
        target: &'a mut String,
        size: (u32, u32),
        pictures: &'a mut Vec<String>,
    ) -> Self {
        Self {
            svg: SVGBackend::with_string(target, size),
            pictures,
        }
    }
}

/// Puts the pictures into the finished document, just before its end tag.
pub(crate) fn add_pictures(svg: &mut String, pictures: &[String]) {
    if pictures.is_empty() {
        return;
    }
    let end = svg.rfind("</svg>").unwrap_or(svg.len());
    svg.insert_str(end, &pictures.concat());
}

/// The `<image>` element of an RGB picture at `(x, y)`.
fn image_element((x, y): BackendCoord, (w, h): (u32, u32), rgb: &[u8]) -> Result<String, String> {
    let png = crate::render::encode_png(rgb, (w, h)).map_err(|e| e.to_string())?;
    let data = base64::engine::general_purpose::STANDARD.encode(png);
    Ok(format!(
        "<image x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" href=\"data:image/png;base64,{data}\"/>\n"
    ))
}

type SvgError = <SVGBackend<'static> as DrawingBackend>::ErrorType;

impl DrawingBackend for PictureSvg<'_> {
    type ErrorType = SvgError;

    fn get_size(&self) -> (u32, u32) {
        self.svg.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<SvgError>> {
        self.svg.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<SvgError>> {
        self.svg.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<SvgError>> {
        self.svg.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<SvgError>> {
        self.svg.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<SvgError>> {
        self.svg.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<SvgError>> {
        self.svg.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<SvgError>> {
        self.svg.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<SvgError>> {
        self.svg.fill_polygon(vert, style)
    }

    fn draw_text<TStyle: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &TStyle,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<SvgError>> {
        self.svg.draw_text(text, style, pos)
    }

    fn estimate_text_size<TStyle: BackendTextStyle>(
        &self,
        text: &str,
        style: &TStyle,
    ) -> Result<(u32, u32), DrawingErrorKind<SvgError>> {
        self.svg.estimate_text_size(text, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<SvgError>> {
        let element = image_element(pos, size, src)
            .map_err(|message| DrawingErrorKind::DrawingError(std::io::Error::other(message)))?;
        self.pictures.push(element);
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::chart::Chart;
    use crate::contact::{ContactSheet, Thumbnail, Tile, TileGroup};

    /// A contact sheet's SVG holds each picture as a PNG that decodes to the picture drawn,
    /// once, under an address browsers show.
    #[test]
    fn contact_sheet_pictures_are_embedded_pngs() {
        // Two pixels side by side, red then blue: fitted to the tile's 96 pixels, 96 x 48.
        let picture = Thumbnail {
            width: 2,
            height: 1,
            rgb: vec![255, 0, 0, 0, 0, 255],
        };
        let tile = |id: &str, image| Tile {
            id: id.to_owned(),
            lines: vec!["true: cat".to_owned()],
            image,
        };
        let sheet = ContactSheet {
            title: "Flipped".to_owned(),
            groups: vec![TileGroup {
                title: "Broken".to_owned(),
                tiles: vec![tile("a.png", Some(picture)), tile("b.png", None)],
            }],
        };
        let svg = crate::render::render_svg_string(&Chart::ContactSheet(sheet)).unwrap();
        assert_eq!(svg.matches("<image ").count(), 1, "{svg}");
        assert!(svg.trim_end().ends_with("</svg>"));
        let prefix = "href=\"data:image/png;base64,";
        let start = svg.find(prefix).unwrap() + prefix.len();
        let data = &svg[start..start + svg[start..].find('"').unwrap()];
        let png = base64::engine::general_purpose::STANDARD
            .decode(data)
            .unwrap();
        let mut reader = png::Decoder::new(std::io::Cursor::new(png))
            .read_info()
            .unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).unwrap();
        assert_eq!((info.width, info.height), (96, 48));
        assert_eq!(&pixels[..3], &[255, 0, 0]);
        assert_eq!(&pixels[pixels.len() - 3..], &[0, 0, 255]);
        assert!(svg.contains("width=\"96\" height=\"48\""));
    }
}
