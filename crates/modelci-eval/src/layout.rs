//! How a model wants its samples: flat feature vectors, or images in NCHW, NHWC or HW order.
//!
//! The layout is derived from the model's declared input shape (batch axis first):
//! `[N, F]` → flat; `[N, H, W]` → grayscale image; `[N, C, H, W]` with C of 1 or 3 → NCHW;
//! `[N, H, W, C]` with C of 1 or 3 → NHWC. Flags override the guess (`--layout`) and give sizes
//! the model leaves dynamic (`--image-size`). [`InputLayout::fill`] converts one neutral sample
//! into the model's input values, resizing and converting images as needed.

use std::borrow::Cow;

use crate::dataset::{Array, SampleData, Values};
use crate::preprocess::Preprocess;
use crate::resize::Resize;
use crate::signature::{ElemType, TensorSpec};

/// The values of an array as floats (integers and booleans converted).
#[allow(clippy::cast_precision_loss)]
#[must_use]
pub fn float_values(values: &Values) -> Cow<'_, [f32]> {
    match values {
        Values::Float(v) => Cow::Borrowed(v),
        Values::Int(v) => Cow::Owned(v.iter().map(|&x| x as f32).collect()),
        Values::Bool(v) => Cow::Owned(v.iter().map(|&b| f32::from(u8::from(b))).collect()),
    }
}

/// The memory order of a model input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayoutKind {
    /// `[N, F]`: a flat feature vector (an image is flattened row by row, channels interleaved).
    Flat,
    /// `[N, C, H, W]`: channel planes.
    Nchw,
    /// `[N, H, W, C]`: interleaved channels.
    Nhwc,
    /// `[N, H, W]`: one grayscale plane.
    Hw,
}

impl std::str::FromStr for LayoutKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "flat" => Ok(Self::Flat),
            "nchw" => Ok(Self::Nchw),
            "nhwc" => Ok(Self::Nhwc),
            "hw" => Ok(Self::Hw),
            other => Err(format!(
                "unknown layout `{other}`: expected flat, nchw, nhwc or hw"
            )),
        }
    }
}

/// What the user says about the layout, overriding what is derived from the model.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LayoutOverride {
    /// The memory order.
    pub kind: Option<LayoutKind>,
    /// Image width and height, for models whose spatial size is dynamic (and to resize to).
    pub image_size: Option<(u32, u32)>,
}

/// `x3x?x?`: the dimensions after the batch, `?` where dynamic, for hints.
pub(crate) fn shape_hint(rest: &[crate::signature::Dim]) -> String {
    rest.iter()
        .map(|d| {
            d.fixed()
                .map_or_else(|| "x?".to_owned(), |v| format!("x{v}"))
        })
        .collect()
}

/// Why a model input has no layout, or a sample does not fit it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LayoutError {
    /// The input declares no shape at all.
    #[error("input `{input}` declares no shape; modelci needs at least its rank")]
    NoShape {
        /// The input's name.
        input: String,
    },
    /// The input is a scalar, with no batch axis.
    #[error("input `{input}` is a scalar; expected a batch axis first")]
    Scalar {
        /// The input's name.
        input: String,
    },
    /// An image input whose width or height is dynamic, and no `--image-size`.
    #[error(
        "input {input} has a dynamic image size; give it with --image-size WIDTHxHEIGHT or --input-shape {name}=N{hint}"
    )]
    DynamicImageSize {
        /// The input, as `name type[dims]`.
        input: String,
        /// The input's name.
        name: String,
        /// Its dimensions after the batch axis, `?` where dynamic (`x3x?x?`).
        hint: String,
    },
    /// The rank or channel count fits none of the layouts.
    #[error(
        "cannot tell how to feed input {input}: expected [N, features], [N, H, W], [N, C, H, W] or [N, H, W, C] with 1 or 3 channels (use --layout)"
    )]
    Unrecognised {
        /// The input, as `name type[dims]`.
        input: String,
    },
    /// A dimension the layout needs fixed is dynamic.
    #[error("input {input} has a dynamic {what}; modelci needs it fixed")]
    Dynamic {
        /// The input, as `name type[dims]`.
        input: String,
        /// Which dimension ("feature count", "channel count").
        what: &'static str,
    },
    /// `--layout` names a layout of another rank.
    #[error("--layout does not fit input {input}")]
    OverrideMismatch {
        /// The input, as `name type[dims]`.
        input: String,
    },
    /// An image layout with neither 1 nor 3 channels.
    #[error("input {input} has {channels} channels; images have 1 (gray) or 3 (RGB)")]
    Channels {
        /// The input, as `name type[dims]`.
        input: String,
        /// Its channel count.
        channels: usize,
    },
    /// A sample holds several arrays for a one-input model.
    #[error("the sample holds {count} arrays ({names}) but the model takes one input")]
    ManyArrays {
        /// How many arrays.
        count: usize,
        /// Their labels, comma-separated.
        names: String,
    },
    /// An image whose pixel count does not give the model's flat feature count.
    #[error(
        "the model takes {features} features per sample; a {width}x{height} image has {pixels} pixels (x1 gray or x3 RGB) — resize with --image-size"
    )]
    ImageFeatures {
        /// Features the model takes per sample.
        features: usize,
        /// Image width.
        width: u32,
        /// Image height.
        height: u32,
        /// `width * height`.
        pixels: usize,
    },
    /// An array sample with another number of values than the model takes.
    #[error(
        "a sample has shape {shape:?} ({values} values) but the model takes {expected:?} ({expected_values} values) per sample"
    )]
    SampleShape {
        /// The sample's shape.
        shape: Vec<usize>,
        /// Its number of values.
        values: usize,
        /// The model's sample shape.
        expected: Vec<usize>,
        /// The model's number of values per sample.
        expected_values: usize,
    },
}

/// The feeding code (`feed.rs`) still speaks `String`; this keeps its `?` working.
impl From<LayoutError> for String {
    fn from(error: LayoutError) -> Self {
        error.to_string()
    }
}

/// The input a model takes for one sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputLayout {
    /// The memory order.
    pub kind: LayoutKind,
    /// The sample's shape, without the batch axis.
    pub sample_shape: Vec<usize>,
    /// Number of channels (1 for flat inputs unless derived from an image).
    pub channels: usize,
    /// Image size (width, height) when the layout is an image, or fixed by `--image-size`.
    pub image_size: Option<(u32, u32)>,
    /// How images of another size are brought to `image_size`.
    pub resize: Resize,
}

impl InputLayout {
    /// Derives the layout of a model input.
    ///
    /// # Errors
    /// [`LayoutError`] when the shape has no fixed size where one is needed, or no layout fits.
    pub fn derive(input: &TensorSpec, over: LayoutOverride) -> Result<Self, LayoutError> {
        let Some(dims) = &input.dims else {
            return Err(LayoutError::NoShape {
                input: input.name.clone(),
            });
        };
        let Some((_, rest)) = dims.split_first() else {
            return Err(LayoutError::Scalar {
                input: input.name.clone(),
            });
        };
        let fixed: Vec<Option<usize>> = rest.iter().map(crate::signature::Dim::fixed).collect();
        let size = |w: Option<usize>, h: Option<usize>| -> Result<(u32, u32), LayoutError> {
            match (over.image_size, w, h) {
                (Some(size), _, _) => Ok(size),
                (None, Some(w), Some(h)) => Ok((
                    u32::try_from(w).unwrap_or(u32::MAX),
                    u32::try_from(h).unwrap_or(u32::MAX),
                )),
                _ => Err(LayoutError::DynamicImageSize {
                    input: input.to_string(),
                    name: input.name.clone(),
                    hint: shape_hint(rest),
                }),
            }
        };
        let guessed = match fixed.len() {
            1 => LayoutKind::Flat,
            2 => LayoutKind::Hw,
            3 if matches!(fixed[0], Some(1 | 3)) => LayoutKind::Nchw,
            3 if matches!(fixed[2], Some(1 | 3)) => LayoutKind::Nhwc,
            _ => {
                return Err(LayoutError::Unrecognised {
                    input: input.to_string(),
                });
            }
        };
        let kind = over.kind.unwrap_or(guessed);
        let need = |d: Option<usize>, what: &'static str| {
            d.ok_or_else(|| LayoutError::Dynamic {
                input: input.to_string(),
                what,
            })
        };
        let (sample_shape, channels, image_size) = match (kind, fixed.as_slice()) {
            (LayoutKind::Flat, [f]) => (vec![need(*f, "feature count")?], 1, over.image_size),
            (LayoutKind::Hw, [h, w]) => {
                let (w, h) = size(*w, *h)?;
                (vec![h as usize, w as usize], 1, Some((w, h)))
            }
            (LayoutKind::Nchw, [c, h, w]) => {
                let c = need(*c, "channel count")?;
                let (w, h) = size(*w, *h)?;
                (vec![c, h as usize, w as usize], c, Some((w, h)))
            }
            (LayoutKind::Nhwc, [h, w, c]) => {
                let c = need(*c, "channel count")?;
                let (w, h) = size(*w, *h)?;
                (vec![h as usize, w as usize, c], c, Some((w, h)))
            }
            _ => {
                return Err(LayoutError::OverrideMismatch {
                    input: input.to_string(),
                });
            }
        };
        if kind != LayoutKind::Flat && !matches!(channels, 1 | 3) {
            return Err(LayoutError::Channels {
                input: input.to_string(),
                channels,
            });
        }
        Ok(Self {
            kind,
            sample_shape,
            channels,
            image_size,
            resize: Resize::default(),
        })
    }

    /// Number of values per sample.
    #[must_use]
    pub fn sample_len(&self) -> usize {
        self.sample_shape.iter().product()
    }

    /// The full input shape for a batch of `batch` samples.
    #[must_use]
    pub fn batch_shape(&self, batch: usize) -> Vec<usize> {
        let mut shape = Vec::with_capacity(self.sample_shape.len() + 1);
        shape.push(batch);
        shape.extend_from_slice(&self.sample_shape);
        shape
    }

    /// Appends the model input values of one sample to `out`.
    ///
    /// # Errors
    /// [`LayoutError`] when the sample cannot be turned into this layout.
    pub fn fill(
        &self,
        sample: &SampleData,
        pre: &Preprocess,
        out: &mut Vec<f32>,
    ) -> Result<(), LayoutError> {
        match sample {
            SampleData::Image(image) => self.fill_image(image, pre, out),
            SampleData::Arrays(arrays) => match arrays.as_slice() {
                [array] => {
                    let from_u8 = array.dtype == ElemType::U8;
                    let values = float_values(&array.values);
                    self.fill_array(&values, &array.shape, from_u8, pre, out)
                }
                many => {
                    let names: Vec<&str> = many.iter().map(Array::label).collect();
                    Err(LayoutError::ManyArrays {
                        count: many.len(),
                        names: names.join(", "),
                    })
                }
            },
        }
    }

    fn fill_image(
        &self,
        image: &image::DynamicImage,
        pre: &Preprocess,
        out: &mut Vec<f32>,
    ) -> Result<(), LayoutError> {
        let (width, height, channels) = match self.kind {
            LayoutKind::Flat => {
                let (w, h) = self.image_size.unwrap_or((image.width(), image.height()));
                let pixels = w as usize * h as usize;
                let features = self.sample_len();
                match features.checked_div(pixels) {
                    Some(c @ (1 | 3)) if c * pixels == features => (w, h, c),
                    _ => {
                        return Err(LayoutError::ImageFeatures {
                            features,
                            width: w,
                            height: h,
                            pixels,
                        });
                    }
                }
            }
            _ => {
                let (w, h) = self.image_size.unwrap_or((image.width(), image.height()));
                (w, h, self.channels)
            }
        };
        let resized;
        let image = if (image.width(), image.height()) == (width, height) {
            image
        } else {
            resized = self.resize.apply(image, width, height);
            &resized
        };
        let scale = pre.scale_for(true);
        let pixels: Vec<u8> = if channels == 1 {
            image.to_luma8().into_raw()
        } else {
            image.to_rgb8().into_raw()
        };
        let plane = width as usize * height as usize;
        match self.kind {
            LayoutKind::Nchw => {
                for c in 0..channels {
                    out.extend(
                        (0..plane)
                            .map(|i| pre.apply(f32::from(pixels[i * channels + c]), scale, c)),
                    );
                }
            }
            _ => out.extend(
                pixels
                    .iter()
                    .enumerate()
                    .map(|(i, &p)| pre.apply(f32::from(p), scale, i % channels)),
            ),
        }
        Ok(())
    }

    fn fill_array(
        &self,
        values: &[f32],
        shape: &[usize],
        from_u8: bool,
        pre: &Preprocess,
        out: &mut Vec<f32>,
    ) -> Result<(), LayoutError> {
        if values.len() != self.sample_len() {
            return Err(LayoutError::SampleShape {
                shape: shape.to_vec(),
                values: values.len(),
                expected: self.sample_shape.clone(),
                expected_values: self.sample_len(),
            });
        }
        let scale = pre.scale_for(from_u8);
        let c = self.channels;
        let transpose = match (self.kind, shape) {
            // An HWC array fed to an NCHW model.
            (LayoutKind::Nchw, [h, w, last])
                if c > 1 && *last == c && [c, *h, *w] == self.sample_shape[..] =>
            {
                Some(true)
            }
            // A CHW array fed to an NHWC model.
            (LayoutKind::Nhwc, [first, h, w])
                if c > 1 && *first == c && [*h, *w, c] == self.sample_shape[..] =>
            {
                Some(false)
            }
            _ => None,
        };
        match transpose {
            Some(to_planes) => {
                let plane = values.len() / c;
                if to_planes {
                    for ch in 0..c {
                        out.extend((0..plane).map(|i| pre.apply(values[i * c + ch], scale, ch)));
                    }
                } else {
                    out.extend((0..values.len()).map(|i| {
                        let (pixel, ch) = (i / c, i % c);
                        pre.apply(values[ch * plane + pixel], scale, ch)
                    }));
                }
            }
            None => {
                let plane = (values.len() / c).max(1);
                let channel_of = |i: usize| match self.kind {
                    LayoutKind::Nchw => i / plane,
                    LayoutKind::Nhwc => i % c,
                    LayoutKind::Flat | LayoutKind::Hw => 0,
                };
                out.extend(
                    values
                        .iter()
                        .enumerate()
                        .map(|(i, &v)| pre.apply(v, scale, channel_of(i))),
                );
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signature::Dim;

    fn spec(dims: &[Dim]) -> TensorSpec {
        TensorSpec {
            name: "input".into(),
            elem_type: ElemType::F32,
            dims: Some(dims.to_vec()),
        }
    }

    fn n() -> Dim {
        Dim::Symbolic("N".into())
    }

    #[test]
    fn derives_the_common_layouts() {
        let flat = InputLayout::derive(&spec(&[n(), Dim::Fixed(64)]), LayoutOverride::default())
            .expect("flat");
        assert_eq!(
            (flat.kind, flat.sample_shape.clone()),
            (LayoutKind::Flat, vec![64])
        );
        let nchw = InputLayout::derive(
            &spec(&[n(), Dim::Fixed(3), Dim::Fixed(32), Dim::Fixed(24)]),
            LayoutOverride::default(),
        )
        .expect("nchw");
        assert_eq!(
            (nchw.kind, nchw.channels, nchw.image_size),
            (LayoutKind::Nchw, 3, Some((24, 32)))
        );
        let nhwc = InputLayout::derive(
            &spec(&[n(), Dim::Fixed(8), Dim::Fixed(8), Dim::Fixed(1)]),
            LayoutOverride::default(),
        )
        .expect("nhwc");
        assert_eq!(nhwc.kind, LayoutKind::Nhwc);
    }

    #[test]
    fn dynamic_image_size_needs_a_flag() {
        let dynamic = spec(&[n(), Dim::Fixed(3), Dim::Unknown, Dim::Unknown]);
        let err = InputLayout::derive(&dynamic, LayoutOverride::default()).expect_err("dynamic");
        assert!(
            matches!(&err, LayoutError::DynamicImageSize { name, hint, .. } if name == "input" && hint == "x3x?x?"),
            "{err:?}"
        );
        assert!(err.to_string().contains("--image-size"), "{err}");
        let sized = InputLayout::derive(
            &dynamic,
            LayoutOverride {
                kind: None,
                image_size: Some((10, 20)),
            },
        )
        .expect("sized");
        assert_eq!(sized.sample_shape, vec![3, 20, 10]);
    }

    #[test]
    fn rgb_image_goes_to_planes_for_nchw_and_interleaved_for_nhwc() {
        let mut img = image::RgbImage::new(2, 1);
        img.put_pixel(0, 0, image::Rgb([255, 0, 0]));
        img.put_pixel(1, 0, image::Rgb([0, 255, 0]));
        let sample = SampleData::Image(image::DynamicImage::ImageRgb8(img));
        let pre = Preprocess::default();
        let nchw = InputLayout {
            kind: LayoutKind::Nchw,
            sample_shape: vec![3, 1, 2],
            channels: 3,
            image_size: Some((2, 1)),
            resize: Resize::default(),
        };
        let mut out = Vec::new();
        nchw.fill(&sample, &pre, &mut out).expect("fits");
        assert_eq!(out, vec![1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);
        let nhwc = InputLayout {
            kind: LayoutKind::Nhwc,
            sample_shape: vec![1, 2, 3],
            channels: 3,
            image_size: Some((2, 1)),
            resize: Resize::default(),
        };
        out.clear();
        nhwc.fill(&sample, &pre, &mut out).expect("fits");
        assert_eq!(out, vec![1.0, 0.0, 0.0, 0.0, 1.0, 0.0]);
    }

    #[test]
    fn hwc_array_is_transposed_for_nchw_models() {
        let sample = SampleData::Arrays(vec![Array::floats(
            vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            vec![1, 2, 3],
        )]);
        let nchw = InputLayout {
            kind: LayoutKind::Nchw,
            sample_shape: vec![3, 1, 2],
            channels: 3,
            image_size: Some((2, 1)),
            resize: Resize::default(),
        };
        let mut out = Vec::new();
        nchw.fill(&sample, &Preprocess::default(), &mut out)
            .expect("fits");
        assert_eq!(out, vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
    }

    #[test]
    fn wrong_feature_count_is_explained() {
        let flat = InputLayout {
            kind: LayoutKind::Flat,
            sample_shape: vec![10],
            channels: 1,
            image_size: None,
            resize: Resize::default(),
        };
        let sample = SampleData::Arrays(vec![Array::floats(vec![0.0; 4], vec![4])]);
        let err = flat
            .fill(&sample, &Preprocess::default(), &mut Vec::new())
            .expect_err("mismatch");
        assert_eq!(
            err,
            LayoutError::SampleShape {
                shape: vec![4],
                values: 4,
                expected: vec![10],
                expected_values: 10
            }
        );
        let message = err.to_string();
        assert!(
            message.contains("[4]") && message.contains("[10]"),
            "{message}"
        );
    }
}
