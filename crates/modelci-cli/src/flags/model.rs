//! The flags that say how a model runs on data: batching, labels, input layout and
//! preprocessing. eval-diff, train-check and quantize flatten [`ModelArgs`]; [`ModelArgs::settings`]
//! turns it into the evaluation core's options ([`modelci_eval`]).
//!
//! This is the one place to add a model-running flag (input shapes, resizing, tokenizers,
//! engine, jobs): declare it on [`ModelArgs`], carry it in [`ModelSettings`], and the three
//! binaries get it with the same name, help text and validation.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use modelci_eval::layout::LayoutKind;
use modelci_eval::{DatasetOptions, EvaluationOptions, LayoutOverride, Preprocess};

/// The memory order of the model input, when the guess from its shape is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Layout {
    /// `[N, F]`: a flat feature vector.
    Flat,
    /// `[N, C, H, W]`: channel planes.
    Nchw,
    /// `[N, H, W, C]`: interleaved channels.
    Nhwc,
    /// `[N, H, W]`: one grayscale plane.
    Hw,
}

impl From<Layout> for LayoutKind {
    fn from(layout: Layout) -> Self {
        match layout {
            Layout::Flat => Self::Flat,
            Layout::Nchw => Self::Nchw,
            Layout::Nhwc => Self::Nhwc,
            Layout::Hw => Self::Hw,
        }
    }
}

/// An image size given as `WIDTHxHEIGHT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageSize {
    /// Width in pixels (at least 1).
    pub width: u32,
    /// Height in pixels (at least 1).
    pub height: u32,
}

/// Why a `--image-size` value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected WIDTHxHEIGHT with both at least 1, e.g. 224x224")]
pub struct ImageSizeError;

impl FromStr for ImageSize {
    type Err = ImageSizeError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (w, h) = text.split_once(['x', 'X']).ok_or(ImageSizeError)?;
        let width: u32 = w.trim().parse().map_err(|_| ImageSizeError)?;
        let height: u32 = h.trim().parse().map_err(|_| ImageSizeError)?;
        if width == 0 || height == 0 {
            return Err(ImageSizeError);
        }
        Ok(Self { width, height })
    }
}

fn finite(text: &str) -> Result<f32, String> {
    match text.parse::<f32>() {
        Ok(value) if value.is_finite() => Ok(value),
        _ => Err("expected a finite number, e.g. 0.00392".into()),
    }
}

/// How the model runs on data: batch size, labels, input layout and preprocessing.
#[derive(Debug, Clone, PartialEq, clap::Args)]
#[command(next_help_heading = "Data")]
pub struct ModelArgs {
    /// Samples per batch when a model runs on data (and the batch size timed besides batch 1).
    #[arg(long, value_name = "N", default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..))]
    pub batch_size: u32,

    /// Name of the label column of a CSV dataset.
    #[arg(long, value_name = "NAME", default_value = "label")]
    pub label_column: String,

    /// A text file with one class name per line, in the order of the model's outputs.
    #[arg(long, value_name = "FILE")]
    pub class_names: Option<PathBuf>,

    /// Memory order of the model input, when the guess from its shape is wrong.
    #[arg(long, value_name = "LAYOUT", value_enum)]
    pub layout: Option<Layout>,

    /// Resize images to WIDTHxHEIGHT (needed when the model's image size is dynamic).
    #[arg(long, value_name = "WxH")]
    pub image_size: Option<ImageSize>,

    /// Multiply raw values by this first [default: 1/255 for 8-bit images and arrays, else 1].
    #[arg(long, value_name = "FACTOR", value_parser = finite)]
    pub scale: Option<f32>,

    /// Subtract per channel after scaling (one value or one per channel, comma-separated).
    #[arg(
        long,
        value_name = "M[,M,M]",
        value_delimiter = ',',
        allow_hyphen_values = true,
        value_parser = finite
    )]
    pub mean: Vec<f32>,

    /// Divide per channel after subtracting the mean (one value or one per channel).
    #[arg(long, value_name = "S[,S,S]", value_delimiter = ',', value_parser = finite)]
    pub std: Vec<f32>,
}

/// Why the model-running flags could not be turned into settings.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelArgsError {
    /// `--class-names` cannot be read.
    #[error("{}: cannot read the class names", path.display())]
    ReadClassNames {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// `--class-names` holds no name.
    #[error("{}: no class names (expected one per line)", path.display())]
    NoClassNames {
        /// The file.
        path: PathBuf,
    },
}

/// The model-running flags, checked and in the evaluation core's terms.
#[derive(Debug, Clone, Default)]
pub struct ModelSettings {
    /// Samples per batch.
    pub batch_size: usize,
    /// How the dataset is read (label column, class names).
    pub dataset: DatasetOptions,
    /// Layout overrides for every model.
    pub layout: LayoutOverride,
    /// Scaling and normalisation.
    pub preprocess: Preprocess,
}

impl ModelSettings {
    /// Evaluation options with these settings and the core's defaults for the rest.
    #[must_use]
    pub fn evaluation_options(&self) -> EvaluationOptions {
        EvaluationOptions {
            batch_size: self.batch_size,
            layout: self.layout,
            preprocess: self.preprocess.clone(),
            ..EvaluationOptions::default()
        }
    }
}

impl ModelArgs {
    /// Reads the class-name file, if any, and returns the settings.
    ///
    /// # Errors
    /// [`ModelArgsError`] when `--class-names` cannot be read or is empty.
    pub fn settings(&self) -> Result<ModelSettings, ModelArgsError> {
        Ok(ModelSettings {
            batch_size: self.batch_size as usize,
            dataset: DatasetOptions {
                label_column: Some(self.label_column.clone()),
                class_names: self
                    .class_names
                    .as_deref()
                    .map(read_class_names)
                    .transpose()?,
            },
            layout: LayoutOverride {
                kind: self.layout.map(LayoutKind::from),
                image_size: self.image_size.map(|s| (s.width, s.height)),
            },
            preprocess: Preprocess {
                scale: self.scale,
                mean: self.mean.clone(),
                std: self.std.clone(),
            },
        })
    }
}

fn read_class_names(path: &Path) -> Result<Vec<String>, ModelArgsError> {
    let text = std::fs::read_to_string(path).map_err(|source| ModelArgsError::ReadClassNames {
        path: path.to_owned(),
        source,
    })?;
    let names: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    if names.is_empty() {
        return Err(ModelArgsError::NoClassNames {
            path: path.to_owned(),
        });
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        model: ModelArgs,
    }

    fn parse(args: &[&str]) -> Result<ModelArgs, clap::Error> {
        Cli::try_parse_from(std::iter::once("tool").chain(args.iter().copied())).map(|c| c.model)
    }

    #[test]
    fn flags_become_the_evaluation_options() {
        let settings = parse(&[
            "--layout",
            "nhwc",
            "--image-size",
            "32x24",
            "--scale",
            "0.5",
            "--mean",
            "-1,0,1",
            "--std",
            "2",
            "--batch-size",
            "4",
            "--label-column",
            "y",
        ])
        .expect("parses")
        .settings()
        .expect("settings");
        assert_eq!(settings.layout.kind, Some(LayoutKind::Nhwc));
        assert_eq!(settings.layout.image_size, Some((32, 24)));
        assert_eq!(settings.preprocess.scale, Some(0.5));
        assert_eq!(settings.preprocess.mean, [-1.0, 0.0, 1.0]);
        assert_eq!(settings.preprocess.std, [2.0]);
        assert_eq!(settings.dataset.label_column.as_deref(), Some("y"));
        let options = settings.evaluation_options();
        assert_eq!(options.batch_size, 4);
        assert_eq!(options.layout, settings.layout);
    }

    #[test]
    fn bad_values_are_refused_at_parse_time() {
        for args in [
            ["--image-size", "224"],
            ["--image-size", "0x5"],
            ["--scale", "NaN"],
            ["--layout", "chw"],
            ["--batch-size", "0"],
        ] {
            let error = parse(&args).expect_err("refused");
            assert!(
                matches!(
                    error.kind(),
                    clap::error::ErrorKind::ValueValidation | clap::error::ErrorKind::InvalidValue
                ),
                "{error}"
            );
            assert!(error.to_string().contains(args[0]), "{error}");
        }
    }

    #[test]
    fn class_names_are_read_one_per_line_and_an_empty_file_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("names.txt");
        std::fs::write(&file, "zero\n\n one \n").expect("write");
        let names = ModelArgs {
            class_names: Some(file.clone()),
            ..parse(&[]).expect("parses")
        }
        .settings()
        .expect("settings")
        .dataset
        .class_names;
        assert_eq!(names, Some(vec!["zero".to_owned(), "one".to_owned()]));
        std::fs::write(&file, "\n").expect("write");
        let error = ModelArgs {
            class_names: Some(file),
            ..parse(&[]).expect("parses")
        }
        .settings()
        .expect_err("empty");
        assert!(error.to_string().contains("no class names"), "{error}");
    }
}
