//! Turning raw pixel or array values into model inputs: scale, then normalise.
//!
//! `input = (raw * scale - mean[c]) / std[c]`, with `c` the channel. The default scale is 1/255
//! for 8-bit sources (image files, `uint8` arrays), so pixels land in [0, 1], and 1 for
//! everything else. Mean and std default to 0 and 1; one value applies to every channel.

/// Why `--mean`/`--std` do not fit a model input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PreprocessError {
    /// A list has several values, but not one per channel.
    #[error(
        "{flag} has {count} values but the model input has {channels} channel(s); give one value or one per channel"
    )]
    ChannelCount {
        /// `--mean` or `--std`.
        flag: &'static str,
        /// How many values it has.
        count: usize,
        /// The input's channel count.
        channels: usize,
    },
    /// A standard deviation of zero would divide by zero.
    #[error("--std must not contain 0")]
    ZeroStd,
}

/// The evaluation loop still speaks `String` where it joins feeding errors; this keeps it short.
impl From<PreprocessError> for String {
    fn from(error: PreprocessError) -> Self {
        error.to_string()
    }
}

/// How raw values become model inputs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Preprocess {
    /// Factor applied first; `None` means 1/255 for 8-bit sources and 1 otherwise.
    pub scale: Option<f32>,
    /// Subtracted per channel after scaling (one value, or one per channel).
    pub mean: Vec<f32>,
    /// Divides per channel after subtracting the mean (one value, or one per channel).
    pub std: Vec<f32>,
}

impl Preprocess {
    /// Checks that mean and std have one value or one per channel, and no zero std.
    ///
    /// # Errors
    /// [`PreprocessError`] saying which list does not fit.
    pub fn validate(&self, channels: usize) -> Result<(), PreprocessError> {
        for (flag, values) in [("--mean", &self.mean), ("--std", &self.std)] {
            if values.len() > 1 && values.len() != channels {
                return Err(PreprocessError::ChannelCount {
                    flag,
                    count: values.len(),
                    channels,
                });
            }
        }
        if self.std.contains(&0.0) {
            return Err(PreprocessError::ZeroStd);
        }
        Ok(())
    }

    /// The scale for a source that is (or is not) 8-bit.
    #[must_use]
    pub fn scale_for(&self, from_u8: bool) -> f32 {
        self.scale
            .unwrap_or(if from_u8 { 1.0 / 255.0 } else { 1.0 })
    }

    /// Applies scaling and normalisation to one value of channel `channel`.
    #[must_use]
    pub fn apply(&self, raw: f32, scale: f32, channel: usize) -> f32 {
        let pick = |values: &[f32], default: f32| match values {
            [] => default,
            [one] => *one,
            many => many.get(channel).copied().unwrap_or(default),
        };
        (raw * scale - pick(&self.mean, 0.0)) / pick(&self.std, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_scales_bytes_to_unit_range() {
        let p = Preprocess::default();
        assert!((p.apply(255.0, p.scale_for(true), 0) - 1.0).abs() < 1e-7);
        assert!((p.apply(0.5, p.scale_for(false), 0) - 0.5).abs() < 1e-7);
    }

    #[test]
    fn per_channel_normalisation() {
        let p = Preprocess {
            scale: Some(1.0),
            mean: vec![0.5, 0.0, 1.0],
            std: vec![0.5, 1.0, 2.0],
        };
        assert!(p.validate(3).is_ok());
        assert!((p.apply(1.0, 1.0, 0) - 1.0).abs() < 1e-7);
        assert!((p.apply(3.0, 1.0, 2) - 1.0).abs() < 1e-7);
        assert_eq!(
            p.validate(1),
            Err(PreprocessError::ChannelCount {
                flag: "--mean",
                count: 3,
                channels: 1
            }),
            "three means for one channel"
        );
        let zero = Preprocess {
            std: vec![0.0],
            ..Preprocess::default()
        };
        assert_eq!(zero.validate(1), Err(PreprocessError::ZeroStd));
    }
}
