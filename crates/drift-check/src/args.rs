//! Command-line arguments. The doc comments are the `--help` text.

use std::path::PathBuf;

use clap::Parser;
use modelci_cli::flags::ModelArgs;
use modelci_cli::{OutputArgs, PostArgs};

const EXAMPLES: &str = "\
Examples:
  # The example shipped with modelci: the evaluation data against a week of production rows:
  drift-check --reference examples/drift/reference.csv --current examples/drift/current.csv

  # Keep the reference's summary for later runs, then check a KServe/MLServer payload log:
  drift-check --reference eval.csv --write-reference reference.json --current requests.jsonl
  drift-check --reference reference.json --current requests.jsonl --window 10000

  # Monitor the latest release: its bundle's drift-reference.json is the reference:
  drift-check --reference github-release:latest --current requests.jsonl --issue

  # Images against the reference eval-diff made while evaluating the release candidate:
  eval-diff --baseline a.onnx --candidate b.onnx --dataset data/test --reference-stats
  drift-check --reference modelci-report/drift-reference.json --current production-images/

  # The example's request log holds the 30 numbers the model is sent, not the `site` column:
  drift-check --reference examples/drift/reference.csv --ignore site \\
      --current examples/drift/requests.jsonl

  # The model checks: run the model on the labelled reference and on the current rows:
  drift-check --reference eval.csv --model model.onnx --current labelled.csv \\
      --write-reference reference.json
  # ...then later, from a KServe payload log with the responses:
  drift-check --reference reference.json --current payloads.jsonl

Reference (--reference): a drift reference file (JSON written by --write-reference or by
eval-diff --reference-stats), or a dataset: a CSV with a header row (numeric columns are
continuous features, others categorical; --categorical COLUMN forces a numeric column to be
categorical), an image folder (class folders, as eval-diff reads it) or a NumPy .npz/.npy
(x). Images give intensity_mean[CH], pixel_intensity[CH] and image_size features; an .npz of
vectors [N, F] one feature per column. Or a release bundle carrying drift-reference.json: a
bundle .zip, a folder written by `publish --to dir:` (PATH/NAME/VERSION),
github-release:latest|TAG, gitlab-release:latest|TAG, gitlab-package:NAME@VERSION or
oci://HOST/REPO:TAG, downloaded, checked against its manifest.json and cached like eval-diff's
--baseline; the report records which release, version and sha256 it was.

Current data (--current): a CSV with the reference's columns (others are ignored), an image
folder or NumPy file summarised as eval-diff --reference-stats does, or JSON Lines
(*.jsonl, *.ndjson) where each line is an Open Inference Protocol request body
({\"inputs\": [{\"name\", \"shape\", \"datatype\", \"data\"}]}) or a logged record holding one under
\"request\". Tensors map to features by name (one tensor per feature), or, for a single tensor
of shape [N, F], by position in the reference's column order.

Checks, per feature: PSI over the reference's deciles (continuous) or categories (categorical;
new categories in one extra bin), read with the usual bands (< 0.1 stable, 0.1-0.25 moderate,
>= 0.25 significant); the two-sample Kolmogorov-Smirnov test (continuous) or chi-squared test
(categorical), reported with its p-value. A feature drifts when its PSI reaches --max-psi, or
with --alpha when its test's p-value falls below it.

Model checks: with --model M.onnx the model runs on the current rows (one [N, F] float tensor of
the reference's features; a CSV reference given with --model is run too, its labels giving the
reference's accuracy); without it, the responses of a request log are the predictions (joined to
their request by id when logged on separate lines). Labels: the CSV's --label-column, or
\"labels\"/\"label\" in a log record or its request's \"parameters\". Prediction drift (PSI of the
predicted classes, --max-prediction-psi), score shift (PSI of the top-1 score, --max-score-psi),
estimated accuracy (the mean top-1 score: an estimate that assumes calibrated scores; gated only
with --max-estimated-accuracy-drop), measured accuracy with labels (bootstrap interval; fails past
--max-accuracy-drop points when the interval of the drop excludes 0); for a regressor, the
mean absolute error with labels (fails past --max-error-increase percent when its interval lies
above the reference's). Without predictions the checks are \"not checked\".

Monitoring issue (--issue): in a scheduled pipeline, one issue per --issue-key is opened when
features drift, updated on each failing run and closed when the data is healthy again (GitHub:
GITHUB_TOKEN with `issues: write`; GitLab: GITLAB_TOKEN with the `api` scope).

Exit codes: 0 no drift beyond the gates, 1 drift (features or model checks), 2 bad input or usage, 3 the code host failed.";

/// Has production data drifted from the data the model was evaluated on?
///
/// Compares current data (production rows or request logs) with a reference (the evaluation
/// data, or its summary), feature by feature; writes report.md, report.json and charts, and
/// fails when features drifted beyond the gates.
#[derive(Debug, Clone, Parser)]
#[command(name = "drift-check", version, after_long_help = EXAMPLES, after_help = "Run with --help for examples.")]
pub struct Args {
    /// The reference: a drift reference file (.json), a dataset (a CSV, an image folder, a
    /// NumPy .npz/.npy), or a release bundle (a .zip, a published folder,
    /// github-release:latest|TAG, gitlab-release:…, gitlab-package:NAME@VERSION,
    /// oci://HOST/REPO:TAG).
    #[arg(long, value_name = "SOURCE")]
    pub reference: PathBuf,

    /// The current data: a CSV, an image folder, a NumPy .npz/.npy, or JSON Lines of V2
    /// inference requests.
    #[arg(long, value_name = "FILE")]
    pub current: PathBuf,

    /// Only the last N rows of the current data (the latest requests of a log).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub window: Option<u64>,

    /// Writes the reference's summary to FILE (from a dataset reference), for later runs.
    #[arg(long, value_name = "FILE")]
    pub write_reference: Option<PathBuf>,

    /// A numeric reference column to treat as categorical (repeatable).
    #[arg(long, value_name = "COLUMN")]
    pub categorical: Vec<String>,

    /// A reference column not to check, e.g. an id or a column the model is not sent
    /// (repeatable).
    #[arg(long, value_name = "COLUMN")]
    pub ignore: Vec<String>,

    /// A feature drifts when its PSI reaches this value.
    #[arg(
        long,
        value_name = "PSI",
        default_value_t = 0.25,
        help_heading = "Gates"
    )]
    pub max_psi: f64,

    /// A feature also drifts when its KS/chi-squared p-value falls below this (off by default:
    /// on large windows, tiny harmless shifts are significant).
    #[arg(long, value_name = "P", help_heading = "Gates")]
    pub alpha: Option<f64>,

    /// How many drifted features are tolerated before the check fails.
    #[arg(long, value_name = "N", default_value_t = 0, help_heading = "Gates")]
    pub max_drifted: usize,

    /// Keeps one issue on the code host for this monitor: opened when features drift, updated
    /// while they do, closed with a comment when the data is healthy again.
    #[arg(long, help_heading = "Monitoring issue")]
    pub issue: bool,

    /// Tells monitors apart: one issue per key (e.g. the environment).
    #[arg(
        long,
        value_name = "KEY",
        default_value = "default",
        help_heading = "Monitoring issue"
    )]
    pub issue_key: String,

    /// The label of monitoring issues (created by the host if missing).
    #[arg(
        long,
        value_name = "LABEL",
        default_value = "modelci-drift",
        help_heading = "Monitoring issue"
    )]
    pub issue_label: String,

    /// The monitored ONNX model: run on the current data (and on a CSV reference without
    /// predictions) for the model checks. Without it, predictions come from the responses in a
    /// request log.
    #[arg(long, value_name = "M.onnx", help_heading = "Model")]
    pub model: Option<PathBuf>,

    /// The predicted classes drift when their PSI reaches this value.
    #[arg(
        long,
        value_name = "PSI",
        default_value_t = 0.25,
        help_heading = "Gates"
    )]
    pub max_prediction_psi: f64,

    /// The top-1 score distribution shifted when its PSI reaches this value.
    #[arg(
        long,
        value_name = "PSI",
        default_value_t = 0.25,
        help_heading = "Gates"
    )]
    pub max_score_psi: f64,

    /// Measured accuracy (with labels) may drop this many percentage points below the
    /// reference's; the check fails past it when the bootstrap interval of the drop excludes 0.
    #[arg(long, value_name = "PP", default_value_t = 5.0, help_heading = "Gates")]
    pub max_accuracy_drop: f64,

    /// A regressor's mean absolute error (with labels) may grow by this many percent of the
    /// reference's; the check fails past it when the bootstrap interval lies above the
    /// reference's MAE.
    #[arg(
        long,
        value_name = "PCT",
        default_value_t = 20.0,
        help_heading = "Gates"
    )]
    pub max_error_increase: f64,

    /// Also gate the accuracy estimated from the scores (no labels; assumes calibrated
    /// scores): fails when it is this many percentage points below the reference's [default:
    /// reported, not gated].
    #[arg(long, value_name = "PP", help_heading = "Gates")]
    pub max_estimated_accuracy_drop: Option<f64>,

    /// How the model runs (batch size, label column, engine, workers).
    #[command(flatten)]
    pub model_args: ModelArgs,

    /// Malformed lines of a JSON Lines log skipped with a warning; one more is an error.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub max_bad_lines: u64,

    /// POST a Slack message (Block Kit) to this incoming-webhook URL when features drift, and
    /// when the data is healthy again (--issue closed the monitoring issue). Repeatable.
    #[arg(long, value_name = "URL", help_heading = "Notifications")]
    pub slack_webhook: Vec<String>,

    /// POST the outcome as JSON (schema drift-check webhook v1: verdict, top drifted features,
    /// links to the run and the issue) to URL, on drift and on recovery. Repeatable.
    #[arg(long, value_name = "URL", help_heading = "Notifications")]
    pub webhook: Vec<String>,

    /// Only the log records from WHEN on: a duration back from now (24h, 7d; units s, m, h, d,
    /// w) or a time (2026-12-01T08:00:00Z, 2026-12-01). Each request record needs a time: the
    /// CloudEvent `time` KServe's and Seldon's payload loggers send, or a `timestamp` /
    /// `@timestamp` field. With --window N, the last N rows of those.
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,

    /// Also checks the served model: sends --samples Open Inference Protocol (KServe V2)
    /// requests to this server (http://HOST:PORT) and gates the error rate and the latency p95.
    /// The requests are the current data's: a log's request bodies as logged, or a CSV's rows
    /// one per request (one FP64 tensor [1, F] named --input-name, the reference's features).
    #[arg(
        long,
        value_name = "URL",
        requires = "model_name",
        help_heading = "Endpoint health"
    )]
    pub endpoint: Option<String>,

    /// The model's name on the --endpoint server.
    #[arg(
        long,
        value_name = "NAME",
        requires = "endpoint",
        help_heading = "Endpoint health"
    )]
    pub model_name: Option<String>,

    /// Requests sent to --endpoint (fewer when the current data holds fewer).
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..), help_heading = "Endpoint health")]
    pub samples: u64,

    /// The tensor name of requests built from CSV rows.
    #[arg(
        long,
        value_name = "NAME",
        default_value = "input-0",
        help_heading = "Endpoint health"
    )]
    pub input_name: String,

    /// The endpoint fails when more than this share of its requests fail, in percent.
    #[arg(
        long,
        value_name = "PERCENT",
        default_value_t = 1.0,
        help_heading = "Endpoint health"
    )]
    pub max_error_rate: f64,

    /// The endpoint fails when its latency p95 exceeds this, in milliseconds.
    #[arg(
        long,
        value_name = "MS",
        default_value_t = 1000.0,
        help_heading = "Endpoint health"
    )]
    pub max_latency_p95_ms: f64,

    /// Where the report goes, and progress output.
    #[command(flatten)]
    pub output: OutputArgs,

    /// Whether and how the report is posted.
    #[command(flatten)]
    pub posting: PostArgs,
}
