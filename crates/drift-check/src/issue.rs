//! The sticky monitoring issue (`--issue`): opened on the code host when features drift,
//! updated on each failing run, closed with a comment when the data is healthy again.
//!
//! One issue per `--issue-key` (e.g. the environment), found by the hidden marker
//! `<!-- modelci:drift-check:KEY -->` among the open issues with `--issue-label`. The host,
//! repository and token are those of the CI run ([`modelci_ci::resolve_host`]), as for the
//! other tools; GitHub needs `issues: write`, GitLab a token with the `api` scope (the CI job
//! token cannot write issues).

use modelci_ci::HostChoice;
use modelci_forge::issues::sync;
use modelci_forge::{ForgeConfig, ForgeError, Health, IssueOutcome, Marker, connect_issues};

/// Why the issue could not be kept.
#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    /// No code host, repository or token could be worked out.
    #[error("--issue: {0}")]
    NoHost(String),
    /// The host refused or failed (its message already says why; no error chain).
    #[error("--issue: {0}")]
    Forge(ForgeError),
}

impl From<ForgeError> for IssueError {
    fn from(error: ForgeError) -> Self {
        Self::Forge(error)
    }
}

/// What the issue should say.
#[derive(Debug)]
pub struct IssueReport<'a> {
    /// The one-line verdict.
    pub verdict: &'a str,
    /// Whether features drifted beyond the gates.
    pub failing: bool,
    /// The report's Markdown (images are left out: they are files of the CI run).
    pub markdown: &'a str,
    /// Where the whole report is (the CI run), when known.
    pub run_url: Option<&'a str>,
}

/// Brings the monitoring issue in line with the report.
///
/// # Errors
/// [`IssueError`] when the host, repository or token is unknown, or the host refuses.
pub fn keep(
    session: &modelci_cli::Session,
    key: &str,
    label: &str,
    report: &IssueReport<'_>,
) -> Result<IssueOutcome, IssueError> {
    let host = modelci_ci::resolve_host(session.ci(), session.env(), &HostChoice::default())
        .map_err(|e| IssueError::NoHost(e.to_string()))?;
    let config = ForgeConfig::from_host(&host).ok_or_else(|| {
        IssueError::NoHost(
            "no token to write issues with (set GITHUB_TOKEN or GITLAB_TOKEN)".into(),
        )
    })?;
    let forge = connect_issues(&config)?;
    let run = report
        .run_url
        .map_or_else(String::new, |url| format!("\n\nCharts and files: {url}\n"));
    let health = if report.failing {
        let body: String = report
            .markdown
            .lines()
            .filter(|line| !line.starts_with("!["))
            .collect::<Vec<_>>()
            .join("\n");
        Health::Failing {
            title: format!("drift-check ({key}): {}", report.verdict),
            body: format!("{body}{run}"),
        }
    } else {
        Health::Healthy {
            comment: format!("✅ drift-check ({key}): {}; closing.{run}", report.verdict),
        }
    };
    Ok(sync(
        forge.as_ref(),
        &Marker::new("drift-check", key),
        label,
        &health,
    )?)
}

/// One line for standard output about what happened to the issue.
pub fn describe(outcome: &IssueOutcome) -> String {
    let at = |url: &Option<String>| {
        url.as_deref()
            .map_or_else(String::new, |u| format!(": {u}"))
    };
    match outcome {
        IssueOutcome::Opened(issue) => format!("issue opened #{}{}", issue.number, at(&issue.url)),
        IssueOutcome::Updated(issue) => {
            format!("issue updated #{}{}", issue.number, at(&issue.url))
        }
        IssueOutcome::Closed(number) => format!("issue closed #{number}"),
        IssueOutcome::Quiet => "no issue open".to_owned(),
    }
}
