//! Command-line arguments. The doc comments are the `--help` text.

use std::path::PathBuf;

use clap::{Parser, ValueEnum};
use modelci_cli::flags::ModelArgs;
use modelci_cli::{OutputArgs, PostArgs};

const EXAMPLES: &str = "\
Examples:
  # int8 with run-time activation quantization (the default mode), checked on the test set:
  quantize --input model.onnx --output model.int8.onnx --dataset data/test \\
      --max-accuracy-drop 0.5 --min-size-reduction 3x

  # Smallest file, same runtime: int8 weights dequantized at load time
  quantize --input model.onnx --output model.w8.onnx --mode weight-only --per-channel

  # Half precision, inputs and outputs stay float32:
  quantize --input model.onnx --output model.fp16.onnx --mode fp16

  # Static QDQ, activation ranges from the data (the same data is then used for the comparison):
  quantize --input model.onnx --output model.qdq.onnx --mode static --dataset data/calib \\
      --calibration percentile

  # Static QDQ for any model (not only classifiers): calibrate on raw inputs, an array
  # [N, ...] of the model's input shape; verified on the probe input, no accuracy comparison:
  quantize --input model.onnx --output model.qdq.onnx --mode static \\
      --calibration-data calib.npy

Verification: the output and the original run in tract on the same inputs (the samples of
--calibration-data or --dataset, else generated inputs whose dynamic sizes come from
--input-shape or default to 224); every output is compared, NaN/inf count as failures. When a
model cannot run, the report says \"not verified\" (exit 1 with --require-verified).

Exit codes: 0 done (or nothing to quantize), 1 a gate or the verification failed (the output
is still written), 2 bad input or usage, 3 code-host failure.";

/// Quantize an ONNX model and report the accuracy and size it trades.
///
/// Reads an fp32 ONNX model (Constant weights and repeated opset imports are normalised),
/// rewrites it to int8 or fp16, writes it atomically, checks it loads and runs in tract with
/// outputs close to the original, and with --dataset compares both models on the data.
/// Static mode calibrates activation ranges on --calibration-data (raw inputs) or --dataset.
#[derive(Debug, Clone, Parser)]
#[command(name = "quantize", version, after_long_help = EXAMPLES, after_help = "Run with --help for examples.")]
pub struct Args {
    /// The fp32 model (ONNX file).
    #[arg(long, value_name = "MODEL.onnx")]
    pub input: PathBuf,

    /// Where the quantized model is written (atomically).
    #[arg(long, value_name = "OUT.onnx")]
    pub output: PathBuf,

    /// How to quantize.
    #[arg(long, value_name = "MODE", value_enum, default_value_t = ModeArg::Dynamic)]
    pub mode: ModeArg,

    /// One scale per output channel instead of one per tensor (int8 modes).
    #[arg(long)]
    pub per_channel: bool,

    /// Keep these nodes in fp32: a node name or an op type (repeatable, or comma-separated).
    #[arg(long, value_name = "NODE_OR_OP", value_delimiter = ',')]
    pub exclude: Vec<String>,

    /// Static mode: how activation ranges are chosen from the calibration data.
    #[arg(long, value_name = "METHOD", value_enum, default_value_t = CalibrationMethod::Minmax)]
    pub calibration: CalibrationMethod,

    /// Static mode with --calibration percentile: the percentile kept at the high end (its
    /// mirror at the low end).
    #[arg(long, value_name = "P", default_value_t = 99.99)]
    pub percentile: f64,

    /// Static mode: calibrate on these raw model inputs instead of the --dataset: a NumPy
    /// array [N, ...] whose samples have the model's input shape (.npy, or .npz with an array
    /// x), or a .npz with one array per model input named as the input (any dtype: integer
    /// inputs are fed, never quantized); no labels needed. The output is verified on these
    /// samples.
    #[arg(long, value_name = "FILE.npy")]
    pub calibration_data: Option<PathBuf>,

    /// Test data to compare the original and the quantized model on: a folder of class
    /// folders of images, a .npz with arrays x and y, or a .csv.
    #[arg(long, value_name = "PATH")]
    pub dataset: Option<PathBuf>,

    /// Where the report goes, and progress output.
    #[command(flatten)]
    pub output_args: OutputArgs,

    /// Allow --output to be the same file as --input (replaced atomically).
    #[arg(long)]
    pub in_place: bool,

    /// Write the output even when it is larger than the input.
    #[arg(long)]
    pub force: bool,

    /// Gate: accuracy may drop by at most this many percentage points (needs --dataset).
    #[arg(long, value_name = "POINTS", help_heading = "Gates")]
    pub max_accuracy_drop: Option<f64>,

    /// Gate: the output must be at least this much smaller: a factor (`3`, `3x`) or the share
    /// saved (`66%`).
    #[arg(long, value_name = "FACTOR", help_heading = "Gates")]
    pub min_size_reduction: Option<String>,

    /// Verification: largest output difference on the verification inputs, relative to the
    /// largest original output value.
    #[arg(
        long,
        value_name = "RATIO",
        default_value_t = 0.1,
        help_heading = "Gates"
    )]
    pub probe_tolerance: f64,

    /// Exit 1 when the output could not be verified (a model did not run in the engine, so
    /// no output was compared); without it that is reported as "not verified" and exits 0.
    #[arg(long, help_heading = "Gates")]
    pub require_verified: bool,

    /// Gate: a value must be at least VALUE; quantize knows cross_agreement (with
    /// --cross-check: the quantized model's lowest top-1 agreement between the engines), e.g.
    /// --min cross_agreement=0.999.
    #[arg(long, value_name = "METRIC=VALUE", help_heading = "Gates")]
    pub min: Vec<String>,

    /// How the models run on the --dataset and the calibration data.
    #[command(flatten)]
    pub running: ModelArgs,

    /// Also run the quantized model in the other engine (tract and onnxruntime) on the
    /// verification inputs: the report gets the largest output difference and the top-1
    /// agreement per output, and the gate metric cross_agreement (--min cross_agreement=0.999).
    #[arg(long, help_heading = "Engine")]
    pub cross_check: bool,

    /// Whether and how the report is posted.
    #[command(flatten)]
    pub posting: PostArgs,

    /// Whether `--batch-size` was given (set by `main` from the command line, see
    /// [`batch_size_given`]): dynamic int8 is evaluated at batch 1 unless it was.
    #[arg(skip)]
    pub batch_size_given: bool,
}

/// `--mode`: how to quantize.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
    /// int8 weights, activations quantized at run time (MatMulInteger/ConvInteger).
    Dynamic,
    /// int8 weights + DequantizeLinear; compute stays fp32.
    WeightOnly,
    /// fp16 weights and compute where safe; fp32 inputs and outputs.
    Fp16,
    /// QDQ with activation ranges calibrated on --calibration-data or --dataset.
    Static,
}

impl From<ModeArg> for modelci_quantize::Mode {
    fn from(mode: ModeArg) -> Self {
        match mode {
            ModeArg::Dynamic => Self::Dynamic,
            ModeArg::WeightOnly => Self::WeightOnly,
            ModeArg::Fp16 => Self::Fp16,
            ModeArg::Static => Self::Static,
        }
    }
}

/// `--calibration`: how static mode picks activation ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CalibrationMethod {
    /// The smallest and largest value seen.
    Minmax,
    /// The --percentile of the values (and its mirror), ignoring rare outliers.
    Percentile,
}

impl CalibrationMethod {
    /// The name as the flag spells it.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Minmax => "minmax",
            Self::Percentile => "percentile",
        }
    }
}

/// Whether `--batch-size` was given on the command line (dynamic int8 evaluates at batch 1
/// unless it was).
#[must_use]
pub fn batch_size_given() -> bool {
    use clap::CommandFactory as _;
    Args::command()
        .try_get_matches()
        .ok()
        .and_then(|m| m.value_source("batch_size"))
        == Some(clap::parser::ValueSource::CommandLine)
}
