//! Issues: one sticky issue per (tool, key) that opens when something is wrong, is updated
//! while it stays wrong and closes with a comment when it is right again (drift-check's
//! monitoring issue, issue 20).
//!
//! - GitHub: `GET /repos/{o}/{r}/issues?state=open&labels=L` (pull requests, which GitHub lists
//!   among issues, are skipped), `POST /repos/{o}/{r}/issues`, `PATCH .../issues/{n}` for the body
//!   and for closing, the issue-comments API for the closing comment. Needs `issues: write`.
//! - GitLab: `GET /projects/:id/issues?state=opened&labels=L`, `POST /projects/:id/issues`,
//!   `PUT /projects/:id/issues/:iid` (`state_event=close` to close), issue notes for the closing
//!   comment. Needs a token with the `api` scope; the CI job token cannot.
//!
//! Our issue is the open one carrying the label and the hidden [`Marker`] of the (tool, key) in
//! its body, so two monitors (two environments) keep separate issues and a person's issue with
//! the same label is never touched.

mod github;
mod gitlab;

use crate::error::decode;
use crate::{Forge, ForgeError, Marker};

/// An issue as this crate reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// The issue's number (GitHub) or iid (GitLab).
    pub number: u64,
    /// Its title.
    pub title: String,
    /// Its body (Markdown).
    pub body: String,
    /// Where people see it.
    pub url: Option<String>,
}

/// The issue operations the sticky issue needs.
pub trait Issues: Forge {
    /// Open issues carrying `label` (pull/merge requests left out), newest first, all pages.
    fn open_issues(&self, label: &str) -> Result<Vec<Issue>, ForgeError>;

    /// Opens an issue with `label`.
    fn create_issue(&self, title: &str, body: &str, label: &str) -> Result<Issue, ForgeError>;

    /// Replaces an issue's title and body.
    fn update_issue(&self, number: u64, title: &str, body: &str) -> Result<Issue, ForgeError>;

    /// Comments on an issue, then closes it.
    fn close_issue(&self, number: u64, comment: &str) -> Result<(), ForgeError>;
}

/// What the monitored thing looks like now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    /// Something is wrong: the issue is opened or updated with this title and body.
    Failing {
        /// The issue's title.
        title: String,
        /// The report (the marker is added).
        body: String,
    },
    /// All is well: an open issue is closed with this comment.
    Healthy {
        /// The closing comment.
        comment: String,
    },
}

/// What [`sync`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueOutcome {
    /// A new issue was opened.
    Opened(Issue),
    /// Our open issue was updated.
    Updated(Issue),
    /// Our open issue was closed.
    Closed(u64),
    /// Healthy and no issue open: nothing to do.
    Quiet,
}

/// Brings the sticky issue of `marker` in line with `health`.
///
/// # Errors
/// [`ForgeError`] from the host ([`ForgeError::Forbidden`] when the token may not write issues).
pub fn sync(
    forge: &dyn Issues,
    marker: &Marker,
    label: &str,
    health: &Health,
) -> Result<IssueOutcome, ForgeError> {
    let tag = marker.to_string();
    let ours: Vec<Issue> = forge
        .open_issues(label)?
        .into_iter()
        .filter(|issue| issue.body.contains(&tag))
        .collect();
    match health {
        Health::Failing { title, body } => {
            let body = format!("{tag}\n{body}");
            match ours.first() {
                Some(open) => forge
                    .update_issue(open.number, title, &body)
                    .map(IssueOutcome::Updated),
                None => forge
                    .create_issue(title, &body, label)
                    .map(IssueOutcome::Opened),
            }
        }
        Health::Healthy { comment } => match ours.first() {
            Some(open) => {
                // Duplicates left by concurrent runs are closed too.
                for issue in &ours {
                    forge.close_issue(issue.number, comment)?;
                }
                Ok(IssueOutcome::Closed(open.number))
            }
            None => Ok(IssueOutcome::Quiet),
        },
    }
}

/// Builds the issue client for `config.kind` (the same clients as [`crate::connect`]).
///
/// # Errors
/// [`ForgeError::Config`] for a bad URL or repository.
pub fn connect_issues(config: &crate::ForgeConfig) -> Result<Box<dyn Issues>, ForgeError> {
    let url = config
        .api_url
        .as_deref()
        .unwrap_or(config.kind.default_api_url());
    Ok(match config.kind {
        crate::ForgeKind::GitHub => Box::new(crate::GitHub::new(
            url,
            &config.repo,
            &config.token,
            config.retry.clone(),
        )?),
        crate::ForgeKind::GitLab => Box::new(crate::GitLab::new(
            url,
            &config.repo,
            &config.token,
            config.retry.clone(),
        )?),
    })
}
