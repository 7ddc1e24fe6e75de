//! Image features: mean intensity per channel, the pixels' intensity distribution, the size.

use image::{DynamicImage, GenericImageView as _};

use super::{FeatureDef, FeatureKind, FeatureValue};
use crate::dataset::Values;

/// The channels features are computed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Channels {
    /// One gray channel.
    Gray,
    /// Red, green, blue.
    Rgb,
}

impl Channels {
    fn names(self) -> &'static [&'static str] {
        match self {
            Self::Gray => &["gray"],
            Self::Rgb => &["r", "g", "b"],
        }
    }

    /// Gray for grayscale images, else RGB.
    pub(super) fn of_image(image: &DynamicImage) -> Self {
        if image.color().has_color() {
            Self::Rgb
        } else {
            Self::Gray
        }
    }

    /// The channels a reference's feature names use (RGB unless they name `gray`).
    pub(super) fn of_names(names: &[String]) -> Self {
        if names.iter().any(|n| n.ends_with("[gray]")) {
            Self::Gray
        } else {
            Self::Rgb
        }
    }
}

/// The image features over `channels`; `pixels`: with the 8-bit intensity distributions.
pub(super) fn defs(channels: Channels, pixels: bool) -> Vec<FeatureDef> {
    let mut defs: Vec<FeatureDef> = channels
        .names()
        .iter()
        .map(|c| FeatureDef {
            name: format!("intensity_mean[{c}]"),
            kind: FeatureKind::Continuous,
        })
        .collect();
    if pixels {
        defs.extend(channels.names().iter().map(|c| FeatureDef {
            name: format!("pixel_intensity[{c}]"),
            kind: FeatureKind::Pixels,
        }));
    }
    defs.push(FeatureDef {
        name: "image_size".to_owned(),
        kind: FeatureKind::Categorical,
    });
    defs
}

/// The features of a decoded image file, converted to 8-bit `channels`.
pub(super) fn of_file(image: &DynamicImage, channels: Channels, out: &mut Vec<FeatureValue>) {
    let (width, height) = image.dimensions();
    let mut histograms: Vec<Box<[u64; 256]>> = Vec::new();
    match channels {
        Channels::Gray => {
            let mut histogram = Box::new([0u64; 256]);
            for &value in image.to_luma8().as_raw() {
                histogram[usize::from(value)] += 1;
            }
            histograms.push(histogram);
        }
        Channels::Rgb => {
            let mut three = [
                Box::new([0u64; 256]),
                Box::new([0u64; 256]),
                Box::new([0u64; 256]),
            ];
            for pixel in image.to_rgb8().as_raw().chunks_exact(3) {
                for (histogram, &value) in three.iter_mut().zip(pixel) {
                    histogram[usize::from(value)] += 1;
                }
            }
            histograms.extend(three);
        }
    }
    for histogram in &histograms {
        out.push(FeatureValue::Number(mean_of(histogram)));
    }
    out.extend(histograms.into_iter().map(FeatureValue::Pixels));
    out.push(FeatureValue::Category(format!("{width}x{height}")));
}

/// The mean intensity of a histogram (NaN for an image without pixels: missing).
fn mean_of(histogram: &[u64; 256]) -> f64 {
    let (mut sum, mut count) = (0u64, 0u64);
    for (value, &n) in (0u64..).zip(histogram.iter()) {
        sum += value * n;
        count += n;
    }
    #[allow(clippy::cast_precision_loss)]
    if count == 0 {
        f64::NAN
    } else {
        sum as f64 / count as f64
    }
}

/// Where height, width and channels are in an array image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ArrayAxes {
    height: usize,
    width: usize,
    channels: usize,
    /// Channels first (`[C, H, W]`), else last or absent.
    first: bool,
}

impl ArrayAxes {
    /// Reads `[H, W]`, `[H, W, C]` or `[C, H, W]` with C = 1, 3 or 4 (channels last is
    /// preferred when both ends could be channels).
    pub(super) fn of(shape: &[usize]) -> Option<Self> {
        let is_channels = |c: usize| matches!(c, 1 | 3 | 4);
        match *shape {
            [height, width] => Some(Self {
                height,
                width,
                channels: 1,
                first: false,
            }),
            [height, width, c] if is_channels(c) => Some(Self {
                height,
                width,
                channels: c,
                first: false,
            }),
            [c, height, width] if is_channels(c) => Some(Self {
                height,
                width,
                channels: c,
                first: true,
            }),
            _ => None,
        }
        .filter(|axes| axes.height * axes.width > 0)
    }

    /// Gray for one channel, else RGB (a fourth channel is alpha).
    pub(super) fn channels(self) -> Channels {
        if self.channels == 1 {
            Channels::Gray
        } else {
            Channels::Rgb
        }
    }
}

/// The features of an array image: the mean of each stored channel (converted to `channels`:
/// gray is the ITU-R BT.601 luma of RGB, RGB repeats gray) and the size.
pub(super) fn of_array(
    axes: &ArrayAxes,
    channels: Channels,
    values: &Values,
    out: &mut Vec<FeatureValue>,
) {
    let pixels = axes.height * axes.width;
    let value = |index: usize| -> f64 {
        #[allow(clippy::cast_precision_loss)]
        match values {
            Values::Float(v) => v.get(index).map_or(f64::NAN, |&x| f64::from(x)),
            Values::Int(v) => v.get(index).map_or(f64::NAN, |&x| x as f64),
            Values::Bool(v) => v.get(index).map_or(f64::NAN, |&x| f64::from(u8::from(x))),
        }
    };
    let stored = axes.channels.min(3);
    let mut sums = vec![0.0f64; stored];
    for pixel in 0..pixels {
        for (channel, sum) in sums.iter_mut().enumerate() {
            let index = if axes.first {
                channel * pixels + pixel
            } else {
                pixel * axes.channels + channel
            };
            *sum += value(index);
        }
    }
    #[allow(clippy::cast_precision_loss)]
    let means: Vec<f64> = sums.iter().map(|s| s / pixels as f64).collect();
    let converted: Vec<f64> = match (channels, means.as_slice()) {
        (Channels::Gray, [gray]) => vec![*gray],
        (Channels::Gray, [r, g, b]) => vec![0.299 * r + 0.587 * g + 0.114 * b],
        (Channels::Rgb, [gray]) => vec![*gray; 3],
        (_, rgb) => rgb.to_vec(),
    };
    out.extend(converted.into_iter().map(FeatureValue::Number));
    out.push(FeatureValue::Category(format!(
        "{}x{}",
        axes.width, axes.height
    )));
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn an_rgb_image_gives_means_histograms_and_its_size() {
        let mut picture = image::RgbImage::new(2, 1);
        picture.put_pixel(0, 0, image::Rgb([10, 20, 30]));
        picture.put_pixel(1, 0, image::Rgb([30, 20, 255]));
        let mut out = Vec::new();
        of_file(&DynamicImage::ImageRgb8(picture), Channels::Rgb, &mut out);
        assert_eq!(out.len(), 7);
        assert_eq!(out[0], FeatureValue::Number(20.0));
        assert_eq!(out[2], FeatureValue::Number(142.5));
        let FeatureValue::Pixels(blue) = &out[5] else {
            panic!("pixels")
        };
        assert_eq!((blue[30], blue[255], blue.iter().sum::<u64>()), (1, 1, 2));
        assert_eq!(out[6], FeatureValue::Category("2x1".into()));
    }

    #[test]
    fn array_images_read_channels_first_or_last() {
        let hwc = ArrayAxes::of(&[1, 2, 3]).unwrap();
        let chw = ArrayAxes::of(&[3, 1, 2]).unwrap();
        assert!(!hwc.first && chw.first);
        let mut out = Vec::new();
        // Channels first: r = [1, 3], g = [5, 7], b = [9, 11].
        let values = Values::Float(vec![1.0, 3.0, 5.0, 7.0, 9.0, 11.0]);
        of_array(&chw, Channels::Rgb, &values, &mut out);
        assert_eq!(
            out[..3],
            [
                FeatureValue::Number(2.0),
                FeatureValue::Number(6.0),
                FeatureValue::Number(10.0)
            ]
        );
        assert_eq!(out[3], FeatureValue::Category("2x1".into()));
        assert!(ArrayAxes::of(&[5, 6, 7]).is_none());
    }
}
