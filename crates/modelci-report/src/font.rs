//! The one font every chart uses, compiled into the binary.
//!
//! plotters' `ab_glyph` feature never looks at system fonts: text only renders once a font has
//! been registered under the family name the charts ask for. Embedding DejaVu Sans (see
//! `assets/README.md` for its origin and licence) makes PNG output identical on a bare CI
//! container and on a laptop.
//!
//! # SVG
//!
//! plotters' SVG backend does not embed glyphs: it writes
//! `<text font-family="..." font-size="...">` and leaves the font to the viewer. We register the
//! font under a CSS fallback list ([`FONT_FAMILY`]), so a viewer uses DejaVu Sans when it has it
//! (most Linux desktops) and otherwise Verdana, Arial or its own sans-serif. Such a viewer's text
//! may be a few percent wider or narrower than in the PNG; layouts keep slack for that. plotters
//! also sizes SVG text at `size / 1.24` while ab_glyph scales PNG glyphs by the font's full
//! ascent-to-descent height, so SVG text is about 6% smaller than PNG text: harmless.

use std::sync::OnceLock;

use plotters::style::{FontFamily, FontStyle, register_font};

use crate::error::ReportError;

/// DejaVu Sans (Book), from Debian's `fonts-dejavu-core`.
pub const DEJAVU_SANS: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

/// The family name charts ask plotters for; also what SVG files carry as `font-family`.
///
/// It is a CSS font list on purpose (see the module docs); for ab_glyph it is only a key.
pub const FONT_FAMILY: &str = "DejaVu Sans, Verdana, Arial, sans-serif";

/// Registers the embedded font with plotters, once per process.
///
/// Every renderer calls this first; calling it again is free.
pub fn ensure_registered() -> Result<(), ReportError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        let normal = register_font(FONT_FAMILY, FontStyle::Normal, DEJAVU_SANS).is_ok();
        // A bold face is not embedded; registering the regular face under Bold keeps plotters
        // from failing if a caller asks for bold.
        let bold = register_font(FONT_FAMILY, FontStyle::Bold, DEJAVU_SANS).is_ok();
        normal && bold
    });
    if ok { Ok(()) } else { Err(ReportError::Font) }
}

/// The plotters family for [`FONT_FAMILY`].
pub(crate) fn family() -> FontFamily<'static> {
    FontFamily::Name(FONT_FAMILY)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn registers_and_measures_text() {
        ensure_registered().unwrap();
        ensure_registered().unwrap();
        let font = plotters::style::FontDesc::new(family(), 20.0, FontStyle::Normal);
        let (w, h) = font.box_size("Accuracy").unwrap();
        assert!(w > 50 && w < 150, "width {w}");
        assert!(h > 10, "height {h}");
    }
}
