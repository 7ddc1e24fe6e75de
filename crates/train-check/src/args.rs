//! Command-line arguments. The doc comments are the `--help` text.

use std::path::PathBuf;

use clap::Parser;
use modelci_cli::flags::ModelArgs;
use modelci_cli::{OutputArgs, PostArgs};

const EXAMPLES: &str = "\
Examples:
  # The example shipped with modelci: the CNN, its Keras history and DVC metrics:
  train-check --model examples/digits/candidate.onnx \\
      --metrics examples/digits/history.csv --metrics examples/digits/metrics.json \\
      --min val_accuracy=0.95 --max val_loss=0.2 --min test.accuracy=0.95 \\
      --max-size 1MB --max-latency-ms 50 --dataset examples/digits/test

  # Check the model's interface against a signature file and keep it small:
  train-check --model model.onnx --signature signature.yaml --max-size 10MB --max-params 5M

  # A PyTorch Lightning run:
  train-check --model model.onnx --metrics lightning_logs/version_0/metrics.csv \\
      --min val_acc=0.9 --trend-epochs 3

Training logs (--metrics, repeatable), chosen from the file:
  *.csv with epoch and step columns   PyTorch Lightning CSVLogger (sparse rows merged per epoch)
  other *.csv                         Keras CSVLogger, one row per epoch
  *.json / *.yaml, a mapping          DVC-style metrics, nested keys flattened with `.`
  *.json / *.yaml, a list             one object per epoch

Signature file (--signature, YAML or JSON); every key but `name` is optional:
  inputs:
    - name: input
      type: float32
      shape: [N, 1, 8, 8]     # numbers must match; names and `?` match any dynamic size
  outputs:
    - name: logits
      shape: [N, 10]

Exit codes: 0 all checks passed, 1 a check failed, 2 bad input or usage.";

/// A quality gate on a training run: the model, its training logs and its budgets.
///
/// Loads the ONNX model and checks its signature, runs it on zero, random and (with --dataset)
/// real inputs (outputs finite, probabilities summing to 1), measures size, parameters and
/// latency; reads the training logs and checks them for NaN/inf, final-metric thresholds, the
/// loss trend and divergence; writes report.md, report.json and training curves (PNG, SVG).
#[derive(Debug, Clone, Parser)]
#[command(name = "train-check", version, after_long_help = EXAMPLES, after_help = "Run with --help for examples.")]
pub struct Args {
    /// The trained model (ONNX file).
    #[arg(long, value_name = "MODEL.onnx")]
    pub model: PathBuf,

    /// A training log: DVC metrics (JSON/YAML), Keras or Lightning CSV, or a per-epoch list.
    #[arg(long, value_name = "FILE")]
    pub metrics: Vec<PathBuf>,

    /// Where the report goes, and progress output.
    #[command(flatten)]
    pub output: OutputArgs,

    /// Whether and how the report is posted.
    #[command(flatten)]
    pub posting: PostArgs,

    /// Floor for a metric's final value in the logs (e.g. val_accuracy=0.95, val.accuracy=0.95).
    #[arg(
        long,
        value_name = "METRIC=VALUE",
        help_heading = "Training-log checks"
    )]
    pub min: Vec<String>,

    /// Ceiling for a metric's final value in the logs (e.g. val_loss=0.2).
    #[arg(
        long,
        value_name = "METRIC=VALUE",
        help_heading = "Training-log checks"
    )]
    pub max: Vec<String>,

    /// The losses to check for trend and divergence [default: every metric named *loss*].
    #[arg(long, value_name = "METRIC", help_heading = "Training-log checks")]
    pub loss: Vec<String>,

    /// How many final epochs the loss must be non-increasing over.
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u32).range(2..), help_heading = "Training-log checks")]
    pub trend_epochs: u32,

    /// How far (relative) a loss may rise above its lowest value in those epochs.
    #[arg(
        long,
        value_name = "FRACTION",
        default_value_t = 0.1,
        help_heading = "Training-log checks"
    )]
    pub trend_tolerance: f64,

    /// The loss diverged when its final value exceeds K times its minimum.
    #[arg(
        long,
        value_name = "K",
        default_value_t = 2.0,
        help_heading = "Training-log checks"
    )]
    pub divergence_factor: f64,

    /// Expected inputs and outputs of the model (YAML or JSON; see --help for the format).
    #[arg(long, value_name = "FILE", help_heading = "Model checks")]
    pub signature: Option<PathBuf>,

    /// Also run the model on real data: an image folder, a .npz or a .csv (as in eval-diff).
    #[arg(long, value_name = "PATH", help_heading = "Model checks")]
    pub dataset: Option<PathBuf>,

    /// Timed runs per batch size for the latency percentiles.
    #[arg(long, value_name = "N", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..), help_heading = "Model checks")]
    pub latency_runs: u32,

    /// How the model runs on the --dataset.
    #[command(flatten)]
    pub running: ModelArgs,

    /// Budget: largest model file, with a unit (e.g. 10MB, 512KiB).
    #[arg(long, value_name = "SIZE", help_heading = "Budgets")]
    pub max_size: Option<String>,

    /// Budget: most parameters (e.g. 250000, 250k, 5M).
    #[arg(long, value_name = "COUNT", help_heading = "Budgets")]
    pub max_params: Option<String>,

    /// Budget: p95 latency of one sample (batch 1), in milliseconds (e.g. 5, 5ms, 0.2s).
    #[arg(long, value_name = "MS", help_heading = "Budgets")]
    pub max_latency_ms: Option<String>,
}
