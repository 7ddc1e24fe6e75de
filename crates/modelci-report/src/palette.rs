//! Colours shared by every chart.
//!
//! Series colours follow the Okabe-Ito palette, which stays distinguishable for the common forms
//! of colour blindness; the heat map uses a single-hue sequential blue scale whose lightness
//! alone carries the value. Keeping them in one place keeps all reports consistent.

use plotters::style::RGBColor;

/// Series colours in order: blue (baseline), orange (candidate), then the rest of Okabe-Ito.
pub const SERIES: [RGBColor; 7] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0x00, 0x00, 0x00), // black
];

/// Bars above zero in a [`crate::DeltaBars`] chart (Okabe-Ito bluish green).
pub const POSITIVE: RGBColor = RGBColor(0x00, 0x9E, 0x73);
/// Bars below zero in a [`crate::DeltaBars`] chart (Okabe-Ito vermillion).
pub const NEGATIVE: RGBColor = RGBColor(0xD5, 0x5E, 0x00);

/// Gate limits drawn on charts (Okabe-Ito reddish purple, distinct from both bar colours).
pub const GATE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);

/// Text, titles and labels.
pub const TEXT: RGBColor = RGBColor(0x22, 0x22, 0x22);
/// Secondary text (tick labels, zero counts).
pub const MUTED: RGBColor = RGBColor(0x66, 0x66, 0x66);
/// Axis lines.
pub const AXIS: RGBColor = RGBColor(0x55, 0x55, 0x55);
/// Horizontal grid lines.
pub const GRID: RGBColor = RGBColor(0xE3, 0xE3, 0xE3);
/// Page background.
pub const BACKGROUND: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);

/// The colour of series `index`, cycling through [`SERIES`].
pub fn series(index: usize) -> RGBColor {
    SERIES[index % SERIES.len()]
}

/// Stops of the heat map's sequential scale, light to dark.
const SEQUENTIAL: [(u8, u8, u8); 5] = [
    (0xF7, 0xFB, 0xFF),
    (0xC6, 0xDB, 0xEF),
    (0x6B, 0xAE, 0xD6),
    (0x21, 0x71, 0xB5),
    (0x08, 0x30, 0x6B),
];

/// The sequential colour for `t` in `0..=1` (clamped; NaN is treated as 0).
pub fn sequential(t: f64) -> RGBColor {
    let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
    let scaled = t * (SEQUENTIAL.len() - 1) as f64;
    let i = (scaled.floor() as usize).min(SEQUENTIAL.len() - 2);
    let f = scaled - i as f64;
    let (a, b) = (SEQUENTIAL[i], SEQUENTIAL[i + 1]);
    let mix = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// A readable text colour on top of `background`: white on dark, near-black on light.
pub fn text_on(background: RGBColor) -> RGBColor {
    let lin = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let luminance =
        0.2126 * lin(background.0) + 0.7152 * lin(background.1) + 0.0722 * lin(background.2);
    if luminance < 0.3 { BACKGROUND } else { TEXT }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn sequential_ends_and_contrast() {
        assert_eq!(sequential(0.0), RGBColor(0xF7, 0xFB, 0xFF));
        assert_eq!(sequential(1.0), RGBColor(0x08, 0x30, 0x6B));
        assert_eq!(sequential(f64::NAN), sequential(0.0));
        assert_eq!(text_on(sequential(0.0)), TEXT);
        assert_eq!(text_on(sequential(1.0)), BACKGROUND);
    }
}
