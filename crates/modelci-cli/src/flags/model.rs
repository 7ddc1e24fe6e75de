//! The flags that say how a model runs on data: batching, labels, input layout,
//! preprocessing, and the engine (`--engine`, `--jobs`, `--threads`). eval-diff, train-check and quantize flatten [`ModelArgs`]; [`ModelArgs::settings`]
//! turns it into the evaluation core's options ([`modelci_eval`]).
//!
//! This is the one place to add a model-running flag (input shapes, resizing, tokenizers,
//! engine, jobs): declare it on [`ModelArgs`], carry it in [`ModelSettings`], and the three
//! binaries get it with the same name, help text and validation.
//! The text flags (`--tokenizer`, `--text-column`, `--max-length`, `--no-truncate`) are
//! [`TextArgs`], flattened by eval-diff alone: only its evaluation core reads texts.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use modelci_eval::layout::LayoutKind;
use modelci_eval::{
    DatasetOptions, EngineChoice, EngineOptions, EvaluationOptions, LayoutOverride, Preprocess,
    Resize, ShapeOverride, TextOptions,
};

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

/// The engine that runs the models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum EngineArg {
    /// tract: pure Rust, built in.
    Tract,
    /// onnxruntime: its shared library, from ORT_DYLIB_PATH or an installed `onnxruntime`
    /// Python package.
    Onnxruntime,
    /// onnxruntime when it is found, else tract.
    #[default]
    Auto,
}

impl From<EngineArg> for EngineChoice {
    fn from(engine: EngineArg) -> Self {
        match engine {
            EngineArg::Tract => Self::Tract,
            EngineArg::Onnxruntime => Self::OnnxRuntime,
            EngineArg::Auto => Self::Auto,
        }
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

    /// The shape of a model input, batch first, for dimensions the model leaves dynamic
    /// (repeatable; e.g. image=1x3x48x192; the batch follows --batch-size unless the model
    /// fixes it). Dimensions of .npz arrays come from the data.
    #[arg(long, value_name = "NAME=DIMS")]
    pub input_shape: Vec<ShapeOverride>,

    /// How images of another size are brought to the model's: scale both sides (stretch), keep
    /// the aspect ratio and pad (fit-pad), or fill and crop the centre (shorter-side-crop).
    #[arg(long, value_name = "MODE", default_value = "stretch", value_parser = ["stretch", "fit-pad", "shorter-side-crop"])]
    pub resize: String,

    /// The padding value of --resize fit-pad: a raw pixel value, 0-255, before --scale
    /// [default: 0].
    #[arg(long, value_name = "0-255")]
    pub pad_value: Option<u8>,

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

    /// The engine that runs the models: tract (built in), onnxruntime (its library from
    /// ORT_DYLIB_PATH or an installed `onnxruntime` Python package), or auto (onnxruntime
    /// when found, else tract).
    #[arg(long, value_name = "ENGINE", value_enum, default_value_t = EngineArg::Auto, env = "MODELCI_ENGINE", help_heading = "Engine")]
    pub engine: EngineArg,

    /// Workers that run batches in parallel, each with its own copy of the models; results
    /// are identical to --jobs 1 [default: the available cores, fewer when the dataset has
    /// under 32 batches per worker].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=256), help_heading = "Engine")]
    pub jobs: Option<u32>,

    /// onnxruntime's intra-op threads per worker [default: the available cores divided by
    /// --jobs, at least 1].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=256), help_heading = "Engine")]
    pub threads: Option<u32>,
}

/// Texts through a tokenizer: the flags of the binaries that evaluate text classifiers
/// (eval-diff flattens it; the tokenizer is built only into binaries whose `modelci-eval` has
/// the `text` feature).
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
#[command(next_help_heading = "Texts")]
pub struct TextArgs {
    /// A Hugging Face tokenizer.json: read the dataset (.csv or .jsonl) as texts and fill the
    /// model's input_ids, attention_mask and token_type_ids inputs.
    #[arg(long, value_name = "FILE")]
    pub tokenizer: Option<PathBuf>,

    /// The column (CSV) or field (JSON Lines) holding the text.
    #[arg(
        long,
        value_name = "NAME",
        default_value = "text",
        requires = "tokenizer"
    )]
    pub text_column: String,

    /// Tokens per text, special tokens included (needed when the model's sequence length is
    /// dynamic; else it must match the model's).
    #[arg(long, value_name = "N", requires = "tokenizer", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_length: Option<u32>,

    /// Refuse texts longer than the sequence length (exit 2, naming the row) instead of
    /// cutting them (cut texts are counted in the report).
    #[arg(long, requires = "tokenizer")]
    pub no_truncate: bool,
}

impl TextArgs {
    /// The dataset's text options, when `--tokenizer` is given.
    #[must_use]
    pub fn options(&self) -> Option<TextOptions> {
        self.tokenizer.as_ref().map(|tokenizer| TextOptions {
            tokenizer: tokenizer.clone(),
            text_column: Some(self.text_column.clone()),
            max_length: self.max_length.map(|n| n as usize),
            truncate: !self.no_truncate,
        })
    }
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
    /// `--resize` and `--pad-value` do not go together.
    #[error("{0}")]
    Resize(String),
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
    /// `--input-shape`: shapes of inputs the models leave dynamic.
    pub input_shapes: Vec<ShapeOverride>,
    /// `--resize` and `--pad-value`.
    pub resize: Resize,
    /// `--engine` and `--threads`.
    pub engine: EngineOptions,
    /// `--jobs`: workers running batches in parallel.
    pub jobs: usize,
    /// Whether `--jobs` was given (without it, small datasets run on fewer workers).
    pub jobs_given: bool,
}

impl ModelSettings {
    /// The engine `--engine` asks for, found from the process environment (`ORT_DYLIB_PATH`,
    /// `VIRTUAL_ENV`, `python3`).
    ///
    /// # Errors
    /// [`modelci_eval::EvalError::Engine`] when onnxruntime was asked for and cannot be used
    /// (the message says where it looked and how to install it).
    pub fn resolve_engine(&self) -> Result<modelci_eval::Engine, modelci_eval::EvalError> {
        modelci_eval::Engine::resolve(&self.engine, &|name| std::env::var(name).ok())
    }

    /// Evaluation options with these settings and the core's defaults for the rest.
    #[must_use]
    pub fn evaluation_options(&self) -> EvaluationOptions {
        EvaluationOptions {
            batch_size: self.batch_size,
            layout: self.layout,
            preprocess: self.preprocess.clone(),
            input_shapes: self.input_shapes.clone(),
            resize: self.resize,
            jobs: self.jobs.max(1),
            jobs_given: self.jobs_given,
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
                text: None,
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
            input_shapes: self.input_shape.clone(),
            resize: Resize::parse(&self.resize, self.pad_value).map_err(ModelArgsError::Resize)?,
            engine: EngineOptions {
                choice: self.engine.into(),
                threads: self.threads(),
            },
            jobs: self.jobs(),
            jobs_given: self.jobs.is_some(),
        })
    }

    /// `--jobs`, or the available cores.
    #[must_use]
    pub fn jobs(&self) -> usize {
        self.jobs.map_or_else(available_cores, |n| n as usize)
    }

    /// `--threads`, or the available cores shared among the workers.
    #[must_use]
    pub fn threads(&self) -> usize {
        self.threads
            .map_or_else(|| (available_cores() / self.jobs()).max(1), |n| n as usize)
    }
}

/// The cores this process may use (1 when unknown).
fn available_cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
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

    #[derive(Debug, Parser)]
    struct TextCli {
        #[command(flatten)]
        text: TextArgs,
    }

    #[test]
    fn text_flags_become_text_options_and_need_a_tokenizer() {
        let parse = |args: &[&str]| {
            TextCli::try_parse_from(std::iter::once("tool").chain(args.iter().copied()))
                .map(|c| c.text)
        };
        assert_eq!(parse(&[]).expect("parses").options(), None);
        let options = parse(&[
            "--tokenizer",
            "t.json",
            "--text-column",
            "body",
            "--max-length",
            "16",
            "--no-truncate",
        ])
        .expect("parses")
        .options()
        .expect("text options");
        assert_eq!(options.tokenizer, PathBuf::from("t.json"));
        assert_eq!(options.text_column.as_deref(), Some("body"));
        assert_eq!(options.max_length, Some(16));
        assert!(!options.truncate);
        let error = parse(&["--max-length", "16"]).expect_err("needs --tokenizer");
        assert!(error.to_string().contains("--tokenizer"), "{error}");
        let error = parse(&["--tokenizer", "t.json", "--max-length", "0"]).expect_err("zero");
        assert!(error.to_string().contains("--max-length"), "{error}");
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
