//! Samples into named feature values: what a drift reference summarises and what drift-check
//! counts on current data, computed in this one place so both sides agree.
//!
//! Feature names by dataset kind:
//! - tabular data (a CSV file, or an `.npz` whose samples are vectors `[F]`): one continuous
//!   feature per column, named as the CSV column, or `INPUT[i]` for an `.npz` (`INPUT` is the
//!   model input's name when known, else the array's name, `x`). drift-check maps a single
//!   `[N, F]` request tensor by position onto these, so the names only label the report.
//!   Several named arrays of one value each (an `.npz` with one array per model input) give one
//!   feature per array, named as the array.
//! - images (an image folder, or an `.npz` whose samples are `[H, W]`, `[H, W, C]` or
//!   `[C, H, W]` with 1, 3 or 4 channels), read before any resizing:
//!   `intensity_mean[CH]`, the mean intensity of each channel per image (continuous);
//!   `pixel_intensity[CH]`, the distribution of every pixel's intensity (image files, 8-bit:
//!   at most 256 values, so the summary is exact and counting is per value, not per pixel);
//!   and `image_size`, the `WxH` of each image (categorical). `CH` is `gray` when the
//!   reference's first image is grayscale, else `r`, `g`, `b` (alpha is ignored; other images
//!   are converted to those channels). Intensities are on the 8-bit scale, 0–255 (for an
//!   `.npz`, the stored values as they are).
//! - texts (read with a tokenizer): `length_tokens` (tokens of the text, special tokens and
//!   padding aside), `length_chars` (Unicode scalar values) and `oov_rate` (share of its
//!   tokens that are the tokenizer's unknown token), per text.

mod builder;
mod image;

use std::path::Path;

use crate::dataset::{Dataset, DatasetKind, Sample, SampleData, Values};
use crate::error::EvalError;

pub use builder::ReferenceBuilder;

/// How a feature is summarised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeatureKind {
    /// Numbers: one per sample.
    Continuous,
    /// Labels: one per sample.
    Categorical,
    /// 8-bit intensities: a histogram of 256 counts per sample, summarised as one continuous
    /// distribution over every pixel.
    Pixels,
}

/// A named feature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureDef {
    /// Its name, as the reference file stores it.
    pub name: String,
    /// How it is summarised.
    pub kind: FeatureKind,
}

/// One feature's value for one sample.
#[derive(Debug, Clone, PartialEq)]
pub enum FeatureValue {
    /// A number (NaN: missing).
    Number(f64),
    /// A category.
    Category(String),
    /// Counts of the intensities 0..=255 over the sample's pixels.
    Pixels(Box<[u64; 256]>),
}

/// What a sample looks like, decided from the dataset (and, for images, its first image or
/// the reference).
#[derive(Debug, Clone)]
enum Layout {
    /// One vector per sample: one feature per element.
    Columns,
    /// One value per named array.
    Named,
    /// Decoded image files.
    ImageFiles,
    /// Arrays shaped as images.
    ImageArrays(image::ArrayAxes),
    /// Texts.
    Text,
}

/// Turns a dataset's samples into feature values (see the module documentation for names).
#[derive(Debug, Clone)]
pub struct Extractor {
    layout: Layout,
    /// Known once the channels are (images: at the first sample, or from the reference).
    defs: Vec<FeatureDef>,
    channels: Option<image::Channels>,
}

impl Extractor {
    /// The extractor for `dataset`'s samples; `input` names the model input tabular features
    /// are named after (`INPUT[i]`; else the array's own name).
    ///
    /// # Errors
    /// [`EvalError::Dataset`] when the samples are neither tabular, images nor texts (several
    /// arrays of more than one value, e.g. token ids read from an `.npz`).
    pub fn for_dataset(dataset: &Dataset, input: Option<&str>) -> Result<Self, EvalError> {
        let arrays = dataset.arrays();
        let (layout, defs) = match dataset.kind() {
            DatasetKind::ImageFolder => (Layout::ImageFiles, Vec::new()),
            DatasetKind::Text => (Layout::Text, text_defs()),
            DatasetKind::Csv => {
                let names = dataset.column_names().unwrap_or_default();
                (Layout::Columns, continuous(names))
            }
            DatasetKind::Npz => match arrays.as_slice() {
                [single] if single.shape.len() == 1 => {
                    let base = input.or(single.name.as_deref()).unwrap_or("x").to_owned();
                    let count = single.shape[0];
                    (
                        Layout::Columns,
                        continuous((0..count).map(|i| format!("{base}[{i}]")).collect()),
                    )
                }
                [single] => match image::ArrayAxes::of(&single.shape) {
                    Some(axes) => (Layout::ImageArrays(axes), Vec::new()),
                    None => {
                        return Err(EvalError::dataset(
                            dataset.path(),
                            format!(
                                "drift statistics read vectors [F] or images [H, W], [H, W, C], [C, H, W] (C = 1, 3 or 4) per sample, not {:?}",
                                single.shape
                            ),
                        ));
                    }
                },
                several => {
                    if let Some(wide) = several
                        .iter()
                        .find(|a| a.shape.iter().product::<usize>() != 1)
                    {
                        return Err(EvalError::dataset(
                            dataset.path(),
                            format!(
                                "drift statistics read one value per named array, but `{}` holds {:?} per sample",
                                wide.name.as_deref().unwrap_or("x"),
                                wide.shape
                            ),
                        ));
                    }
                    let names = several
                        .iter()
                        .map(|a| a.name.clone().unwrap_or_else(|| "x".to_owned()))
                        .collect();
                    (Layout::Named, continuous(names))
                }
            },
        };
        Ok(Self {
            layout,
            defs,
            channels: None,
        })
    }

    /// Fixes the image channels to those of a reference's features (current data is
    /// converted to them); nothing to do for other datasets.
    pub fn channels_of(&mut self, reference_names: &[String]) {
        if self.is_images() && self.channels.is_none() {
            let channels = image::Channels::of_names(reference_names);
            self.set_channels(channels);
        }
    }

    /// Whether the samples are images.
    #[must_use]
    pub fn is_images(&self) -> bool {
        matches!(self.layout, Layout::ImageFiles | Layout::ImageArrays(_))
    }

    /// The features, in order (for images, empty until the channels are known).
    #[must_use]
    pub fn defs(&self) -> &[FeatureDef] {
        &self.defs
    }

    fn set_channels(&mut self, channels: image::Channels) {
        self.channels = Some(channels);
        self.defs = image::defs(channels, matches!(self.layout, Layout::ImageFiles));
    }

    /// Reads every sample of `dataset` (its [`Dataset::select`]ion) and hands its feature
    /// values, in the order of [`Extractor::defs`], to `consume`. Texts are measured without
    /// being tokenized for a model (no [`Dataset::prepare`] needed).
    ///
    /// # Errors
    /// [`EvalError::Dataset`] naming the dataset when a sample cannot be read or does not
    /// have the shape the first one had; `consume`'s error.
    pub fn stream(
        &mut self,
        dataset: &mut Dataset,
        consume: &mut Consume<'_>,
    ) -> Result<(), EvalError> {
        if matches!(self.layout, Layout::Text) {
            let defs = self.defs.clone();
            dataset.each_text_stats(&mut |stats| consume(&defs, text_values(stats)))?;
            return Ok(());
        }
        let path = dataset.path().to_owned();
        dataset.stream(STREAM_BATCH, &mut |batch| {
            for sample in batch {
                let mut values = Vec::with_capacity(self.defs.len());
                self.extract(&path, &sample, &mut values)?;
                consume(&self.defs, values)?;
            }
            Ok(())
        })
    }

    /// The features of one sample (not a text), in the order of [`Extractor::defs`].
    fn extract(
        &mut self,
        path: &Path,
        sample: &Sample,
        out: &mut Vec<FeatureValue>,
    ) -> Result<(), EvalError> {
        let bad = |reason: String| EvalError::dataset(path, reason);
        match (&self.layout, &sample.data) {
            (Layout::ImageFiles, SampleData::Image(picture)) => {
                if self.channels.is_none() {
                    self.set_channels(image::Channels::of_image(picture));
                }
                let channels = self.channels.unwrap_or(image::Channels::Gray);
                image::of_file(picture, channels, out);
            }
            (Layout::ImageArrays(axes), SampleData::Arrays(arrays)) => {
                let axes = *axes;
                if self.channels.is_none() {
                    self.set_channels(axes.channels());
                }
                let channels = self.channels.unwrap_or(image::Channels::Gray);
                let [array] = arrays.as_slice() else {
                    return Err(bad(format!("sample {}: expected one array", sample.id)));
                };
                image::of_array(&axes, channels, &array.values, out);
            }
            (Layout::Columns | Layout::Named, SampleData::Arrays(arrays)) => {
                for array in arrays {
                    push_numbers(&array.values, out);
                }
                if out.len() != self.defs.len() {
                    return Err(bad(format!(
                        "sample {}: {} values where {} features were expected",
                        sample.id,
                        out.len(),
                        self.defs.len()
                    )));
                }
            }
            _ => {
                return Err(bad(format!(
                    "sample {}: not the kind of data the dataset started with",
                    sample.id
                )));
            }
        }
        Ok(())
    }
}

/// Receives each sample's feature values with the features' definitions.
pub type Consume<'a> = dyn FnMut(&[FeatureDef], Vec<FeatureValue>) -> Result<(), EvalError> + 'a;

/// Samples read at a time.
const STREAM_BATCH: usize = 64;

/// The text features of one text.
#[allow(clippy::cast_precision_loss)]
fn text_values(stats: TextStats) -> Vec<FeatureValue> {
    let rate = if stats.tokens == 0 {
        0.0
    } else {
        stats.unknown as f64 / stats.tokens as f64
    };
    vec![
        FeatureValue::Number(stats.tokens as f64),
        FeatureValue::Number(stats.chars as f64),
        FeatureValue::Number(rate),
    ]
}

/// Length and unknown tokens of one text, for the text features.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextStats {
    /// Tokens of the text (special tokens and padding aside, before any truncation).
    pub tokens: usize,
    /// Characters (Unicode scalar values).
    pub chars: usize,
    /// Tokens that are the tokenizer's unknown token.
    pub unknown: usize,
}

/// The text features' definitions.
fn text_defs() -> Vec<FeatureDef> {
    continuous(vec![
        "length_tokens".to_owned(),
        "length_chars".to_owned(),
        "oov_rate".to_owned(),
    ])
}

fn continuous(names: Vec<String>) -> Vec<FeatureDef> {
    names
        .into_iter()
        .map(|name| FeatureDef {
            name,
            kind: FeatureKind::Continuous,
        })
        .collect()
}

/// Appends an array's values as numbers. A 32-bit float becomes the double of its shortest
/// decimal text (`0.1f32` is 0.1, not 0.100000001…), the number a CSV or a JSON request holds.
fn push_numbers(values: &Values, out: &mut Vec<FeatureValue>) {
    match values {
        Values::Float(v) => out.extend(v.iter().map(|&x| FeatureValue::Number(widen(x)))),
        #[allow(clippy::cast_precision_loss)]
        Values::Int(v) => out.extend(v.iter().map(|&x| FeatureValue::Number(x as f64))),
        Values::Bool(v) => out.extend(
            v.iter()
                .map(|&x| FeatureValue::Number(if x { 1.0 } else { 0.0 })),
        ),
    }
}

/// The double of a float's shortest decimal text.
#[must_use]
pub fn widen(value: f32) -> f64 {
    if !value.is_finite() {
        return f64::from(value);
    }
    value
        .to_string()
        .parse::<f64>()
        .unwrap_or_else(|_| f64::from(value))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn floats_widen_to_their_decimal_text() {
        assert_eq!(widen(0.1), 0.1);
        assert_eq!(widen(-3.25), -3.25);
        assert!(widen(f32::NAN).is_nan());
        assert_ne!(f64::from(0.1f32), 0.1);
    }
}
