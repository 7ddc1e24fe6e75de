//! Command-line arguments. The doc comments are the `--help` text.

use std::path::PathBuf;

use clap::Parser;
use modelci_cli::flags::{ModelArgs, TextArgs};
use modelci_cli::{OutputArgs, PostArgs};

const EXAMPLES: &str = "\
Examples:
  # Compare two models on an image folder (one sub-folder per class); fail if accuracy drops
  # by more than half a point or the model grows by more than 10%:
  eval-diff --baseline models/prod.onnx --candidate models/new.onnx --dataset data/test \\
      --tolerance accuracy=0.5pt --tolerance size=10%

  # The example shipped with modelci:
  eval-diff --baseline examples/digits/baseline.onnx --candidate examples/digits/candidate.onnx \\
      --dataset examples/digits/test --min accuracy=0.95

  # NumPy arrays (x, y) or CSV (features + a `label` column) work the same way:
  eval-diff --baseline a.onnx --candidate b.onnx --dataset test.npz --max latency_p95_ms=5ms
  eval-diff --baseline a.onnx --candidate b.onnx --dataset test.csv --label-column target

  # A text classifier on a CSV of texts (columns `text` and `label`), with its tokenizer:
  eval-diff --baseline examples/text/model.onnx --candidate examples/text/model.onnx \\
      --dataset examples/text/test.csv --tokenizer examples/text/tokenizer.json

  # In a pull request: the baseline is the latest release bundle (verified, cached):
  eval-diff --baseline github-release:latest --candidate models/new.onnx --dataset data/test
  eval-diff --baseline gitlab-release:latest --candidate models/new.onnx --dataset data/test
  eval-diff --baseline git:main:models/prod.onnx --candidate models/new.onnx --dataset data/test

  # Spread a large dataset over 4 CI jobs, then make one report from their shard files:
  eval-diff --baseline prod.onnx --candidate new.onnx --dataset data/test --shard 2/4 \\
      --output-dir shard-2
  eval-diff merge shard-1 shard-2 shard-3 shard-4 --tolerance accuracy=0.5pt

  # Add the trend of accuracy, macro F1 and model size over the last 5 releases:
  eval-diff --baseline github-release:latest --candidate models/new.onnx --dataset data/test \\
      --history 5

Gates (repeatable; METRIC=AMOUNT):
  --tolerance        the candidate may be worse than the baseline by at most AMOUNT
  --min-improvement  the candidate must beat the baseline by at least AMOUNT
  --min / --max      absolute floor / ceiling for the candidate
  AMOUNT: 0.005 (metric's unit), 0.5pt (percentage points), 10% (of the baseline), 10MB, 5ms
  METRIC: accuracy, top_k_accuracy, macro_f1, weighted_f1, macro_precision, macro_recall,
          mae, rmse, r2, latency_p50_ms, latency_p95_ms, throughput, size, params,
          cross_agreement (with --cross-check: candidate's top-1 agreement between engines)

In CI (GitHub Actions, GitLab CI, Jenkins, Travis) the report is also posted as a sticky
pull/merge request comment when a token is set (GITHUB_TOKEN / GITLAB_TOKEN, or MODELCI_*
overrides), and written as the job summary, annotations, junit.xml, metrics.txt and report.env.

Exit codes: 0 all gates passed, 1 a gate failed, 2 bad input or usage, 3 code-host failure.";

/// Compare a candidate ONNX model with its baseline on a dataset.
///
/// Runs both models on every sample, computes accuracy, per-class precision/recall/F1, confusion
/// matrices, agreement, prediction flips, the exact McNemar test, latency and size, judges the
/// gates, and writes report.md, report.json and charts (PNG and SVG) to the output folder.
#[derive(Debug, Clone, Parser)]
#[command(name = "eval-diff", version, after_long_help = EXAMPLES, after_help = "Run with --help for examples.", args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct Args {
    /// The model to beat: an ONNX file, github-release:latest|TAG, gitlab-release:latest|TAG,
    /// gitlab-package:NAME@VERSION, oci://HOST/REPO:TAG, git:REF:PATH or auto. Optional inside a pull/merge request, where
    /// `auto` is the default (the latest release bundle built from the target branch, else the
    /// candidate's path on the target branch).
    #[arg(long, value_name = "SOURCE")]
    pub baseline: Option<String>,

    /// The baseline model must have exactly this SHA-256 (64 hex digits); otherwise it is
    /// refused before anything is evaluated.
    #[arg(long, value_name = "HEX")]
    pub baseline_sha256: Option<String>,

    /// The new model (ONNX file).
    #[arg(long, value_name = "MODEL.onnx", required_unless_present = "post_from")]
    pub candidate: Option<PathBuf>,

    /// Test data: a folder of class folders of images, a .npz with arrays x and y, or a .csv
    /// (with --tokenizer: a .csv or .jsonl of texts).
    #[arg(long, value_name = "PATH", required_unless_present = "post_from")]
    pub dataset: Option<PathBuf>,

    /// Also write a drift reference of the dataset and the candidate's predictions on it
    /// (input-feature summaries, predicted classes or values, top-1 scores, accuracy or MAE)
    /// for drift-check and release bundles; without FILE, drift-reference.json in the output
    /// folder. report.json names the file (`reference_stats`), and `publish --report` bundles
    /// it. Not with --shard.
    #[arg(long, value_name = "FILE", num_args = 0..=1, conflicts_with = "post_from")]
    #[allow(clippy::option_option)]
    pub reference_stats: Option<Option<PathBuf>>,

    /// Where the report goes, and progress output.
    #[command(flatten)]
    pub output: OutputArgs,

    /// The gates the report is judged on.
    #[command(flatten)]
    pub gates: GateArgs,

    /// How the models run on the data.
    #[command(flatten)]
    pub running: ModelArgs,

    /// Also run the candidate in the other engine (tract and onnxruntime) on the same inputs:
    /// the report gets the largest output difference and the top-1 agreement per output, and
    /// the gate metric cross_agreement (e.g. --min cross_agreement=0.999).
    #[arg(long, conflicts_with = "post_from", help_heading = "Engine")]
    pub cross_check: bool,

    /// Texts through a tokenizer (text classifiers).
    #[command(flatten)]
    pub text: TextArgs,

    /// k of the top-k accuracy.
    #[arg(long, value_name = "K", default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..), help_heading = "Statistics")]
    pub top_k: u32,

    /// Bootstrap resamples for the confidence interval of the accuracy delta (0: off; at most
    /// 100000, see docs/limits.md).
    #[arg(
        long,
        value_name = "N",
        default_value_t = 1000,
        value_parser = clap::value_parser!(u32).range(0..=100_000),
        help_heading = "Statistics"
    )]
    pub bootstrap: u32,

    /// Whether and how the report is posted.
    #[command(flatten)]
    pub posting: PostArgs,

    /// Do not evaluate: post the report already in DIR (the second half of the two-workflow
    /// pattern, in a `workflow_run` job that downloaded the first job's artifact).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["baseline", "baseline_sha256", "candidate", "dataset"], help_heading = "Posting")]
    pub post_from: Option<PathBuf>,

    /// Add the trend over the last N published releases (GitHub, or GitLab in GitLab CI) that
    /// carry a modelci bundle (the metrics and model size in their manifest.json, this PR's
    /// candidate as the last point) to the report. Default: 10 inside a pull/merge request,
    /// else 0 (off).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=100), conflicts_with = "post_from", help_heading = "Report")]
    pub history: Option<u32>,

    /// Evaluate only shard K of N (1-based; a balanced, contiguous 1/N of the samples in
    /// dataset order) and write `shard-K-of-N.jsonl` to the output folder instead of a report;
    /// nothing is posted. `eval-diff merge` makes the report. Default: MODELCI_SHARD, or
    /// CI_NODE_INDEX/CI_NODE_TOTAL in a GitLab `parallel: N` job (MODELCI_SHARD=off: no shard).
    #[arg(long, value_name = "K/N", conflicts_with_all = ["post_from", "cross_check"], help_heading = "Sharding")]
    pub shard: Option<modelci_ci::Shard>,

    /// `merge`: one report from the shard files of a sharded run.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// Check that shard files belong together (same models, dataset, settings; every shard
    /// once) and make the report of the whole dataset from them: the same report, gates,
    /// comment and exit code as one unsharded run.
    Merge(MergeArgs),
}

/// `eval-diff merge SHARD...`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_long_help = MERGE_EXAMPLES)]
pub struct MergeArgs {
    /// A shard file (shard-K-of-N.jsonl), or a folder of them (a `--shard` run's output
    /// folder, or one the artifacts of every shard job were downloaded into); every shard of
    /// the run, once.
    #[arg(value_name = "SHARD", required = true)]
    pub shards: Vec<PathBuf>,

    /// Where the report goes, and progress output.
    #[command(flatten)]
    pub output: OutputArgs,

    /// The gates the report is judged on.
    #[command(flatten)]
    pub gates: GateArgs,

    /// The image folder the shards were evaluated on, for the pictures of flipped samples
    /// (default: the dataset path the shards record, when it exists here).
    #[arg(long, value_name = "PATH", help_heading = "Report")]
    pub dataset: Option<PathBuf>,

    /// Whether and how the report is posted.
    #[command(flatten)]
    pub posting: PostArgs,

    /// Add the trend over the last N published releases, as in a single run.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=100), help_heading = "Report")]
    pub history: Option<u32>,
}

const MERGE_EXAMPLES: &str = "\
Examples:
  # Four CI jobs, each with its own shard:
  eval-diff --baseline prod.onnx --candidate new.onnx --dataset data/test --shard 2/4 \\
      --output-dir shard-2
  # One job after them, with every shard's folder downloaded:
  eval-diff merge shard-1 shard-2 shard-3 shard-4 --tolerance accuracy=0.5pt

Exit codes: 0 all gates passed, 1 a gate failed, 2 bad input (a missing, duplicated, foreign,
truncated or edited shard), 3 code-host failure.";

/// The gates (repeatable), shared by a run and `eval-diff merge`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct GateArgs {
    /// Gate: the candidate may be worse than the baseline by at most AMOUNT (e.g. accuracy=0.5pt).
    #[arg(long, value_name = "METRIC=AMOUNT", help_heading = "Gates")]
    pub tolerance: Vec<String>,

    /// Gate: the candidate must beat the baseline by at least AMOUNT (e.g. macro_f1=0.01).
    #[arg(long, value_name = "METRIC=AMOUNT", help_heading = "Gates")]
    pub min_improvement: Vec<String>,

    /// Gate: the candidate's value must be at least VALUE (e.g. accuracy=0.95).
    #[arg(long, value_name = "METRIC=VALUE", help_heading = "Gates")]
    pub min: Vec<String>,

    /// Gate: the candidate's value must be at most VALUE (e.g. latency_p95_ms=5ms, size=10MB).
    #[arg(long, value_name = "METRIC=VALUE", help_heading = "Gates")]
    pub max: Vec<String>,
}
