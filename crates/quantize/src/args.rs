//! Command-line arguments. The doc comments are the `--help` text.

use std::path::PathBuf;

use clap::Parser;
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

Modes:
  dynamic      int8 weights, activations quantized at run time (MatMulInteger/ConvInteger)
  weight-only  int8 weights + DequantizeLinear; compute stays fp32
  fp16         fp16 weights and compute where safe; fp32 inputs and outputs
  static       QDQ: activation ranges calibrated on --calibration-data or --dataset
               (minmax or percentile)

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
    #[arg(long, value_name = "MODE", default_value = "dynamic", value_parser = ["dynamic", "weight-only", "fp16", "static"])]
    pub mode: String,

    /// One scale per output channel instead of one per tensor (int8 modes).
    #[arg(long)]
    pub per_channel: bool,

    /// Keep these nodes in fp32: a node name or an op type (repeatable, or comma-separated).
    #[arg(long, value_name = "NODE_OR_OP", value_delimiter = ',')]
    pub exclude: Vec<String>,

    /// Static mode: how activation ranges are chosen from the calibration data.
    #[arg(long, value_name = "METHOD", default_value = "minmax", value_parser = ["minmax", "percentile"])]
    pub calibration: String,

    /// Static mode with --calibration percentile: the percentile kept at the high end (its
    /// mirror at the low end).
    #[arg(long, value_name = "P", default_value_t = 99.99)]
    pub percentile: f64,

    /// Static mode: calibrate on these raw model inputs instead of the --dataset: a NumPy
    /// array [N, ...] whose samples have the model's input shape (.npy, or .npz with an array
    /// x), fed as they are, no labels needed. Without --dataset there is no accuracy
    /// comparison; the output is still verified on the probe input.
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

    /// Verification: largest output difference on the probe input, relative to the largest
    /// original output value.
    #[arg(
        long,
        value_name = "RATIO",
        default_value_t = 0.1,
        help_heading = "Gates"
    )]
    pub probe_tolerance: f64,

    /// How the models run on the --dataset and the calibration data.
    #[command(flatten)]
    pub running: ModelArgs,

    /// Whether and how the report is posted.
    #[command(flatten)]
    pub posting: PostArgs,
}
