//! Bringing an image to the size a model takes, the way it was trained (`--resize`):
//! - `stretch` (the default): both sides scaled independently to the target, aspect ratio
//!   lost — what most classifiers trained on `Resize((H, W))` expect;
//! - `fit-pad`: scaled to fit inside the target keeping the aspect ratio, centred, the rest
//!   filled with the padding value (`--pad-value`, a raw 0–255 pixel value) — letterboxing,
//!   as detectors and OCR models are trained;
//! - `shorter-side-crop`: scaled so the shorter side fills the target, then the centre cut
//!   out — torchvision's `Resize(s)` + `CenterCrop(s)`.
//!
//! Resampling is bilinear (`Triangle`) in every mode.

use image::imageops::{self, FilterType};
use image::{DynamicImage, GenericImageView as _};
use serde::{Deserialize, Serialize};

/// How an image is brought to the model's size.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "mode")]
pub enum Resize {
    /// Scale both sides to the target.
    #[default]
    Stretch,
    /// Keep the aspect ratio, pad the rest with `pad` (a raw pixel value).
    FitPad {
        /// The padding value, 0–255, before scaling and normalisation.
        pad: u8,
    },
    /// Keep the aspect ratio, fill the target, crop the centre.
    ShorterSideCrop,
}

impl Resize {
    /// Reads `--resize` and `--pad-value`.
    ///
    /// # Errors
    /// A message naming the flag when the mode is unknown, or a padding value is given for a
    /// mode that does not pad.
    pub fn parse(mode: &str, pad: Option<u8>) -> Result<Self, String> {
        match (mode, pad) {
            ("stretch", None) => Ok(Self::Stretch),
            ("fit-pad", pad) => Ok(Self::FitPad {
                pad: pad.unwrap_or(0),
            }),
            ("shorter-side-crop", None) => Ok(Self::ShorterSideCrop),
            ("stretch" | "shorter-side-crop", Some(_)) => Err(format!(
                "--pad-value only applies to --resize fit-pad, not {mode}"
            )),
            (other, _) => Err(format!(
                "--resize {other}: expected stretch, fit-pad or shorter-side-crop"
            )),
        }
    }

    /// `stretch`, `fit-pad (pad 0)` or `shorter-side-crop`, for reports.
    #[must_use]
    pub fn describe(self) -> String {
        match self {
            Self::Stretch => "stretch".to_owned(),
            Self::FitPad { pad } => format!("fit-pad (pad {pad})"),
            Self::ShorterSideCrop => "shorter-side-crop".to_owned(),
        }
    }

    /// `image` brought to `width` x `height` in this mode; the same image when it already has
    /// that size.
    #[must_use]
    pub fn apply(self, image: &DynamicImage, width: u32, height: u32) -> DynamicImage {
        let (w, h) = image.dimensions();
        if (w, h) == (width, height) {
            return image.clone();
        }
        match self {
            Self::Stretch => image.resize_exact(width, height, FilterType::Triangle),
            Self::FitPad { pad } => {
                let scale = f64::min(
                    f64::from(width) / f64::from(w),
                    f64::from(height) / f64::from(h),
                );
                let (nw, nh) = scaled(w, h, scale, width, height);
                let inner = image.resize_exact(nw, nh, FilterType::Triangle).to_rgba8();
                let mut canvas =
                    image::RgbaImage::from_pixel(width, height, image::Rgba([pad, pad, pad, 255]));
                imageops::overlay(
                    &mut canvas,
                    &inner,
                    i64::from((width - nw) / 2),
                    i64::from((height - nh) / 2),
                );
                DynamicImage::ImageRgba8(canvas)
            }
            Self::ShorterSideCrop => {
                let scale = f64::max(
                    f64::from(width) / f64::from(w),
                    f64::from(height) / f64::from(h),
                );
                let (nw, nh) = scaled(w, h, scale, u32::MAX, u32::MAX);
                let (nw, nh) = (nw.max(width), nh.max(height));
                let big = image.resize_exact(nw, nh, FilterType::Triangle);
                big.crop_imm((nw - width) / 2, (nh - height) / 2, width, height)
            }
        }
    }
}

/// `w` x `h` scaled by `scale`, rounded, at least 1 and at most the limits.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn scaled(w: u32, h: u32, scale: f64, max_w: u32, max_h: u32) -> (u32, u32) {
    let side = |v: u32, max: u32| ((f64::from(v) * scale).round() as u32).clamp(1, max);
    (side(w, max_w), side(h, max_h))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gray(w: u32, h: u32, value: u8) -> DynamicImage {
        DynamicImage::ImageLuma8(image::GrayImage::from_pixel(w, h, image::Luma([value])))
    }

    #[test]
    fn fit_pad_letterboxes_with_the_padding_value() {
        let out = Resize::FitPad { pad: 7 }
            .apply(&gray(4, 2, 200), 4, 4)
            .to_luma8();
        assert_eq!(out.dimensions(), (4, 4));
        assert_eq!(out.get_pixel(0, 0).0, [7], "top band is padding");
        assert_eq!(out.get_pixel(0, 3).0, [7], "bottom band is padding");
        assert_eq!(out.get_pixel(2, 1).0, [200], "the image sits in the middle");
    }

    #[test]
    fn shorter_side_crop_keeps_the_centre() {
        let mut img = image::GrayImage::from_pixel(6, 2, image::Luma([0]));
        for y in 0..2 {
            img.put_pixel(2, y, image::Luma([255]));
            img.put_pixel(3, y, image::Luma([255]));
        }
        let out = Resize::ShorterSideCrop
            .apply(&DynamicImage::ImageLuma8(img), 2, 2)
            .to_luma8();
        assert_eq!(out.dimensions(), (2, 2));
        assert!(out.pixels().all(|p| p.0[0] == 255), "{out:?}");
    }

    #[test]
    fn parses_the_flags() {
        assert_eq!(Resize::parse("stretch", None), Ok(Resize::Stretch));
        assert_eq!(
            Resize::parse("fit-pad", Some(114)),
            Ok(Resize::FitPad { pad: 114 })
        );
        assert!(Resize::parse("stretch", Some(3)).is_err());
        assert!(Resize::parse("squash", None).is_err());
    }
}
