//! Command-line arguments. The doc comments are the `--help` text.

use std::path::PathBuf;

use clap::Parser;

const EXAMPLES: &str = "\
Examples:
  # After deploying v1.4.0 to production from a GitHub Actions or GitLab CI job:
  deploy-notify --environment production --version 1.4.0 --url https://models.example.com \\
      --slack-webhook \"$SLACK_WEBHOOK_URL\" --report modelci-report/report.json

  # With a post-deploy smoke check against the served model (Open Inference Protocol):
  deploy-notify --environment staging --version 1.4.0 \\
      --smoke-endpoint https://models.example.com --model-name digits \\
      --model models/digits.onnx --dataset data/test --samples 64 --min-agreement 0.99

The deployment is recorded on the code host of the CI run (GitHub deployments, GitLab
deployments) with the token of GITHUB_TOKEN / GITLAB_TOKEN (or MODELCI_* overrides), marked in
progress, then success or failure with the environment URL and the run's URL. The pull requests
of the deployed commit get a comment (GitHub).

Exit codes: 0 deployed (and checked), 1 the smoke check failed, 2 bad input or usage,
3 the code host or a webhook failed (with --strict; otherwise a warning).";

/// Record a model deployment, smoke-check the served model, and notify.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "deploy-notify",
    disable_version_flag = true,
    after_long_help = EXAMPLES,
    after_help = "Run with --help for examples."
)]
pub struct Args {
    /// The environment deployed to (production, staging, ...).
    #[arg(long, value_name = "ENV")]
    pub environment: String,

    /// The model version deployed (semantic version, e.g. 1.4.0).
    #[arg(long, value_name = "X.Y.Z")]
    pub version: String,

    /// The git ref deployed [default: the tag vVERSION].
    #[arg(long = "ref", value_name = "REF")]
    pub git_ref: Option<String>,

    /// Where the deployed model is served (recorded as the environment URL).
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,

    /// The model's name in notifications and on the model server [default: the --model file
    /// name without extension, else the repository name].
    #[arg(long, value_name = "NAME")]
    pub model_name: Option<String>,

    /// A report.json (eval-diff, train-check) whose key metrics go into the notifications.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,

    /// POST the deployment as JSON (schema webhook-v1) to URL. Repeatable.
    #[arg(long, value_name = "URL", help_heading = "Notifications")]
    pub webhook: Vec<String>,

    /// POST a Slack message (Block Kit) to this incoming-webhook URL. Repeatable.
    #[arg(long, value_name = "URL", help_heading = "Notifications")]
    pub slack_webhook: Vec<String>,

    /// Do not comment on the pull requests of the deployed commit.
    #[arg(long, help_heading = "Notifications")]
    pub no_comment: bool,

    /// Base URL of the model server (Open Inference Protocol / KServe V2 REST).
    #[arg(long, value_name = "URL", requires_all = ["model", "dataset"], help_heading = "Smoke check")]
    pub smoke_endpoint: Option<String>,

    /// The local ONNX model the served one must agree with.
    #[arg(
        long,
        value_name = "M.onnx",
        requires = "smoke_endpoint",
        help_heading = "Smoke check"
    )]
    pub model: Option<PathBuf>,

    /// Samples to send: an image folder, .npz or .csv (as eval-diff reads them).
    #[arg(
        long,
        value_name = "PATH",
        requires = "smoke_endpoint",
        help_heading = "Smoke check"
    )]
    pub dataset: Option<PathBuf>,

    /// The engine that runs the local model: tract, onnxruntime or auto (onnxruntime when its
    /// library is found, as in eval-diff).
    #[arg(long, value_name = "ENGINE", value_enum, default_value_t = modelci_cli::flags::EngineArg::Auto, env = "MODELCI_ENGINE", requires = "smoke_endpoint", help_heading = "Smoke check")]
    pub engine: modelci_cli::flags::EngineArg,

    /// How many samples to send, spread evenly over the dataset.
    #[arg(long, value_name = "N", default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..), help_heading = "Smoke check")]
    pub samples: u32,

    /// Least share of samples on which the served model must answer like the local one.
    #[arg(
        long,
        value_name = "RATE",
        default_value_t = 0.99,
        help_heading = "Smoke check"
    )]
    pub min_agreement: f64,

    /// The output to ask the server for (e.g. predict_proba for scikit-learn models)
    /// [default: the server's choice].
    #[arg(long, value_name = "NAME", help_heading = "Smoke check")]
    pub output_name: Option<String>,

    /// Name of the label column of a CSV dataset.
    #[arg(
        long,
        value_name = "NAME",
        default_value = "label",
        help_heading = "Smoke check"
    )]
    pub label_column: String,

    /// Seconds to wait for the server and the model to be ready.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 60,
        help_heading = "Smoke check"
    )]
    pub ready_timeout: u64,

    /// Fail (exit 3) when the code host or a webhook fails, instead of warning.
    #[arg(long)]
    pub strict: bool,

    /// Do not record the deployment on the code host (notify only).
    #[arg(long)]
    pub no_record: bool,
}
