//! Command-line arguments. The doc comments are the `--help` text.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

const EXAMPLES: &str = "\
Examples:
  # Bundle a model with the metrics of its eval-diff report, into ./modelci-bundle/ (with the
  # drift reference the report names when eval-diff ran with --reference-stats):
  publish --model models/new.onnx --name digits --version 1.2.0 --report modelci-report/report.json

  # A drift reference made elsewhere (drift-check --write-reference), for drift-check:
  publish --model models/new.onnx --name digits --version 1.2.0 --drift-reference reference.json

  # Release it on GitHub (tag v1.2.0; token from GITHUB_TOKEN) and copy it to a folder:
  publish --model models/new.onnx --name digits --version 1.2.0 --to github --to dir:/srv/models

  # GitLab generic package + release, and an OCI registry:
  publish --model m.onnx --name digits --version 1.2.0 --to gitlab --to oci://registry.example.com/ml/digits

  # A KServe modelcar image (linux/amd64 + linux/arm64) holding a Triton model repository:
  publish --model m.onnx --name digits --version 1.2.0 --layout triton \
    --to oci://registry.example.com/ml/digits --as image \
    --busybox amd64=busybox-static/amd64/busybox --busybox arm64=busybox-static/arm64/busybox

  # ... and the KServe InferenceService that serves it (then: kubectl apply -f digits.yaml):
  publish ... --layout triton --to oci://registry.example.com/ml/digits --as image \
    --busybox amd64=busybox --kserve-manifest digits.yaml --kserve-cpu 1 --kserve-memory 2Gi

  # See what would happen, without sending anything:
  publish --model m.onnx --name digits --version 1.2.0 --to github --dry-run

  # Check a downloaded bundle (and SHA256SUMS beside it):
  publish verify digits-1.2.0.zip

Targets (--to, repeatable):
  github            a GitHub Release for the tag: draft, assets uploaded and verified, published
  gitlab            generic package NAME/VERSION/FILE, then a release with links to the files
  oci://HOST/REPO   an OCI artifact tagged VERSION (--as artifact), or a KServe modelcar
                    image with the layout under /models (--as image)
  dir:PATH          PATH/NAME/VERSION/ with the bundle, SHA256SUMS and manifest.json

Bundles are byte-identical for the same inputs; the creation time comes from SOURCE_DATE_EPOCH
(or the commit time), never the clock.

Exit codes: 0 published (or verified), 1 verify found a problem, 2 bad input or usage,
3 the code host or registry failed.";

/// Publish a model as a versioned, checksummed bundle.
///
/// Builds NAME-VERSION.zip (the model files, manifest.json with checksums, signatures and
/// metrics, a Hugging Face model card) plus SHA256SUMS, and publishes it to each target.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "publish",
    version,
    disable_version_flag = true,
    args_conflicts_with_subcommands = true,
    after_long_help = EXAMPLES,
    after_help = "Run with --help for examples."
)]
pub struct Args {
    /// `verify BUNDLE.zip`: check a bundle instead of publishing.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Check this bundle instead of publishing (same as `publish verify BUNDLE.zip`).
    #[arg(long, value_name = "BUNDLE.zip", conflicts_with_all = ["models", "name", "version"])]
    pub verify: Option<PathBuf>,

    /// An ONNX model file to bundle (repeatable; stored under its file name).
    #[arg(long = "model", value_name = "MODEL.onnx")]
    pub models: Vec<PathBuf>,

    /// Bundle name: letters, digits, `.`, `-`, `_`.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,

    /// Semantic version, e.g. 1.2.0 (no leading `v`; the tag gets it).
    #[arg(long, value_name = "X.Y.Z")]
    pub version: Option<String>,

    /// An eval-diff or quantize report.json whose metrics go into the manifest and model card.
    /// The drift reference it names (`eval-diff --reference-stats`) is bundled too.
    #[arg(long, value_name = "report.json")]
    pub report: Option<PathBuf>,

    /// A drift reference (JSON, e.g. from `eval-diff --reference-stats` or
    /// `drift-check --write-reference`) to bundle as drift-reference.json, instead of the one
    /// --report names.
    #[arg(long, value_name = "FILE")]
    pub drift_reference: Option<PathBuf>,

    /// Where to publish (repeatable): github, gitlab, oci://HOST/REPO, dir:PATH.
    #[arg(long = "to", value_name = "TARGET")]
    pub to: Vec<String>,

    /// Serving layout, in the bundle (under `serving/`) and the image (under `/models`):
    /// `plain` (the model file), `triton` (model repository with config.pbtxt) or `mlserver`
    /// (model-settings.json and an onnxruntime runtime class).
    #[arg(long, value_enum, default_value_t = LayoutArg::Plain, value_name = "LAYOUT")]
    pub layout: LayoutArg,

    /// Triton's max_batch_size when every input and output has a dynamic leading (batch)
    /// dimension (`--layout triton`); 0 turns batching off.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub max_batch_size: u32,

    /// What `--to oci://` pushes: `artifact` (the bundle files, ORAS-compatible) or `image`
    /// (an OCI image KServe mounts as a modelcar: the layout under /models, a static busybox).
    #[arg(long = "as", value_enum, default_value_t = OciKind::Artifact, value_name = "KIND")]
    pub oci_kind: OciKind,

    /// `ARCH=PATH` (repeatable; ARCH amd64 or arm64): the static busybox an `--as image` image
    /// carries for that platform, e.g. from Debian's busybox-static (GPL-2.0).
    #[arg(long = "busybox", value_name = "ARCH=PATH")]
    pub busybox: Vec<String>,

    /// Write a KServe InferenceService (serving.kserve.io/v1beta1) for the published image to
    /// FILE: storageUri the image pinned by digest, protocolVersion v2, modelFormat onnx, the
    /// runtime of the layout. Needs an image target (`--as image`) and the triton or mlserver
    /// layout.
    #[arg(long, value_name = "FILE", help_heading = "Kubernetes")]
    pub kserve_manifest: Option<PathBuf>,

    /// The InferenceService's name [default: NAME, lower-cased, `.` and `_` as `-`].
    #[arg(
        long,
        value_name = "NAME",
        requires = "kserve_manifest",
        help_heading = "Kubernetes"
    )]
    pub kserve_name: Option<String>,

    /// The InferenceService's namespace [default: none, kubectl's current one].
    #[arg(
        long,
        value_name = "NS",
        requires = "kserve_manifest",
        help_heading = "Kubernetes"
    )]
    pub kserve_namespace: Option<String>,

    /// The ServingRuntime [default: by layout, kserve-tritonserver for triton and
    /// kserve-mlserver for mlserver].
    #[arg(
        long,
        value_name = "NAME",
        requires = "kserve_manifest",
        help_heading = "Kubernetes"
    )]
    pub kserve_runtime: Option<String>,

    /// CPU request and limit of the predictor, a Kubernetes quantity (e.g. 500m, 2).
    #[arg(
        long,
        value_name = "QTY",
        requires = "kserve_manifest",
        help_heading = "Kubernetes"
    )]
    pub kserve_cpu: Option<String>,

    /// Memory request and limit of the predictor, a Kubernetes quantity (e.g. 2Gi).
    #[arg(
        long,
        value_name = "QTY",
        requires = "kserve_manifest",
        help_heading = "Kubernetes"
    )]
    pub kserve_memory: Option<String>,

    /// Release tag [default: vVERSION].
    #[arg(long, value_name = "TAG")]
    pub tag: Option<String>,

    /// Overwrite an already published release, package or folder whose files differ.
    #[arg(long)]
    pub replace: bool,

    /// Build the bundle and print what would be published, without sending any request.
    #[arg(long)]
    pub dry_run: bool,

    /// Where the bundle, SHA256SUMS and manifest.json are written.
    #[arg(long, value_name = "DIR", default_value = "modelci-bundle")]
    pub output_dir: PathBuf,

    /// Print the result as JSON on standard output.
    #[arg(long)]
    pub json: bool,

    /// The commit the model was built from [default: from CI, else `git rev-parse HEAD`].
    #[arg(long, value_name = "SHA", help_heading = "Provenance")]
    pub commit: Option<String>,

    /// The branch the commit belongs to [default: the PR's target branch or the pushed branch].
    #[arg(long, value_name = "BRANCH", help_heading = "Provenance")]
    pub branch: Option<String>,

    /// GitHub repository `owner/repo` [default: GITHUB_REPOSITORY].
    #[arg(long, value_name = "OWNER/REPO", help_heading = "Code host")]
    pub github_repo: Option<String>,

    /// GitHub API URL [default: GITHUB_API_URL, else https://api.github.com].
    #[arg(long, value_name = "URL", help_heading = "Code host")]
    pub github_api_url: Option<String>,

    /// GitLab project path or id [default: CI_PROJECT_ID / CI_PROJECT_PATH].
    #[arg(long, value_name = "PROJECT", help_heading = "Code host")]
    pub gitlab_project: Option<String>,

    /// GitLab API URL [default: CI_API_V4_URL, else https://gitlab.com/api/v4].
    #[arg(long, value_name = "URL", help_heading = "Code host")]
    pub gitlab_api_url: Option<String>,

    /// No progress output.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `--layout` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LayoutArg {
    /// The model file under its own name (the bundle as it always was).
    Plain,
    /// A Triton model repository: NAME/config.pbtxt + NAME/1/model.onnx.
    Triton,
    /// An MLServer model folder: NAME/model-settings.json + NAME/model.onnx + runtime class.
    Mlserver,
}

impl From<LayoutArg> for modelci_serving::Layout {
    fn from(l: LayoutArg) -> Self {
        match l {
            LayoutArg::Plain => Self::Plain,
            LayoutArg::Triton => Self::Triton,
            LayoutArg::Mlserver => Self::MlServer,
        }
    }
}

/// `--as` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OciKind {
    /// The bundle files as an ORAS-compatible OCI artifact.
    Artifact,
    /// An OCI image (multi-platform index) with the layout under /models.
    Image,
}

/// Subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Check a bundle: entry names (no absolute paths or `..`), manifest, every checksum, and
    /// SHA256SUMS beside it when present.
    Verify {
        /// The bundle.
        #[arg(value_name = "BUNDLE.zip")]
        bundle: PathBuf,
    },
}
