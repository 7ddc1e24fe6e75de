//! Delivering a finished report where reviewers read it.
//!
//! Every modelci binary ends the same way: a `report.md` (and charts) in a folder, a verdict,
//! and gate outcomes. [`deliver`] takes that and, depending on where it runs ([`modelci_ci`]):
//!
//! - writes the CI-native outputs: on GitHub Actions the job summary, step outputs and
//!   annotations for failed gates; everywhere `junit.xml`, `metrics.txt` and `report.env` in the
//!   report folder (GitLab's `artifacts:reports` pick them up);
//! - posts or updates the sticky comment on the pull/merge request ([`modelci_forge`]), with the
//!   charts uploaded (GitLab) or linked from the run's artifacts (GitHub), never through a
//!   third-party image host; on GitHub, [`Options::image_branch`] opts into committing the PNGs
//!   to a branch of the repository so the comment shows them (public repositories);
//! - turns code-host trouble into warnings (fork PRs, missing tokens) unless `strict`.
//!
//! Sections: the report is split at its `<details>` blocks ([`sections`]); when a comment is
//! too long for the host, the collapsible details go first and the comment says where the full
//! report is.

mod comment;
mod error;
mod native;
pub mod sections;

use std::path::{Path, PathBuf};

pub use error::PostError;
pub use modelci_ci::{CiContext, Env, GateOutcome, Metric};
pub use modelci_forge::sticky::Mode;

/// A finished report to deliver.
#[derive(Debug, Clone)]
pub struct Report {
    /// The tool that wrote it (`eval-diff`), used in the comment marker and report names.
    pub tool: &'static str,
    /// The folder holding `report.md`, the charts and where CI reports are written.
    pub dir: PathBuf,
    /// The Markdown report; images are referenced by file name relative to `dir`.
    pub markdown: String,
    /// Whether every gate passed.
    pub passed: bool,
    /// The one-line verdict.
    pub verdict: String,
    /// Gate outcomes, for annotations and JUnit.
    pub gates: Vec<GateOutcome>,
    /// Headline numbers, for `metrics.txt` and step outputs.
    pub metrics: Vec<Metric>,
}

/// Whether to post a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PostSwitch {
    /// Post when the run is for a pull/merge request and a token is available.
    #[default]
    Auto,
    /// Post; a missing pull request or token is an error.
    Always,
    /// Never post (CI-native outputs are still written).
    Never,
}

/// How to deliver.
#[derive(Debug, Clone)]
pub struct Options {
    /// Whether to post a comment.
    pub post: PostSwitch,
    /// What to do with an existing comment.
    pub mode: Mode,
    /// Distinguishes comments of the same tool on one PR (matrix jobs).
    pub key: String,
    /// Turn code-host refusals (fork PRs, 403) into errors instead of warnings.
    pub strict: bool,
    /// GitHub only: commit the report's PNG charts to this existing branch (as
    /// `modelci/<tool>/<key>/<pr-number>/<file>`) and show them in the comment. Meant for
    /// public repositories, where the files are readable without a token. A failure is a
    /// warning and the chart falls back to the link to the run's artifacts.
    pub image_branch: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            post: PostSwitch::Auto,
            mode: Mode::Update,
            key: "default".into(),
            strict: false,
            image_branch: None,
        }
    }
}

/// What [`deliver`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delivered {
    /// The CI system detected.
    pub provider: String,
    /// Link to the comment, when one was posted or updated.
    pub comment_url: Option<String>,
    /// Files written (CI reports), for the user's information.
    pub files: Vec<PathBuf>,
    /// Things the user should know (no token, fork PR, …), already printed.
    pub warnings: Vec<String>,
}

/// Delivers `report` according to `options` in the CI environment `env`.
///
/// # Errors
/// [`PostError`]: the environment is inconsistent (e.g. an unreadable event payload), a CI
/// output file cannot be written, or the code host failed (after retries) or refused with
/// `strict` set.
pub fn deliver(report: &Report, options: &Options, env: &Env) -> Result<Delivered, PostError> {
    let context = modelci_ci::detect(env, &|p: &Path| std::fs::read_to_string(p))?;
    deliver_in(report, options, &context, env)
}

/// Delivers `report` according to `options` in a CI context the caller already detected
/// (`modelci_cli::Session` detects once per run), with `env` its environment.
///
/// # Errors
/// As [`deliver`], except that the environment is not read again.
pub fn deliver_in(
    report: &Report,
    options: &Options,
    context: &CiContext,
    env: &Env,
) -> Result<Delivered, PostError> {
    let mut delivered = Delivered {
        provider: context.provider.to_string(),
        ..Delivered::default()
    };
    native::write(report, context, env, &mut delivered)?;
    comment::post(report, options, context, env, &mut delivered)?;
    native::write_step_outputs(report, context, env, &delivered)?;
    Ok(delivered)
}

/// Prints a warning on standard error (and as a GitHub annotation when `github` is true).
fn warn(delivered: &mut Delivered, github: bool, message: &str) {
    use std::io::Write as _;
    let first = message.lines().next().unwrap_or(message);
    // Warnings carry names and values from data and hosts' answers: one escaped line.
    let _ = writeln!(
        std::io::stderr().lock(),
        "warning: {}",
        modelci_ci::sanitize::sanitize(message)
    );
    if github {
        let _ = writeln!(
            std::io::stdout().lock(),
            "::warning::{}",
            modelci_ci::output::workflow_command::escape_data(message)
        );
    }
    delivered.warnings.push(first.to_owned());
}
