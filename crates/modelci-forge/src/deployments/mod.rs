//! Deployments: recording that a version went to an environment, and how it went (issue 6).
//!
//! - GitHub: `POST /repos/{o}/{r}/deployments` (for a ref, with `auto_merge: false` and
//!   `required_contexts: []` so that a release tag is deployable without merging or waiting on
//!   checks), then deployment statuses (`in_progress`, `success`/`failure`, with
//!   `environment_url` and `log_url`).
//! - GitLab: the deployments API (`POST /projects/:id/deployments` with status `running`,
//!   then `PUT .../deployments/:id` with `success`/`failed`); GitLab keeps no per-status URLs.
//!
//! [`Deployments`] extends [`Forge`], so one client also posts the sticky comment on the pull
//! requests a commit belongs to ([`Deployments::pulls_for_commit`]).

mod github;
mod gitlab;

use crate::{Forge, ForgeError};

/// A deployment to create.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDeployment {
    /// Environment name (`production`, `staging`, ...).
    pub environment: String,
    /// The branch or tag deployed (e.g. `v1.2.0`).
    pub git_ref: String,
    /// Whether `git_ref` is a tag (GitLab asks).
    pub is_tag: bool,
    /// The commit deployed. GitLab requires it; GitHub resolves `git_ref` itself.
    pub sha: Option<String>,
    /// One line for people (GitHub shows it).
    pub description: String,
    /// Extra data stored with the deployment (GitHub's `payload`), e.g. model and version.
    pub payload: serde_json::Value,
}

/// The state of a deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeploymentState {
    /// Being deployed or checked (GitHub `in_progress`, GitLab `running`).
    InProgress,
    /// Deployed and checked (`success`).
    Success,
    /// The deployment or its check failed (GitHub `failure`, GitLab `failed`).
    Failure,
}

impl DeploymentState {
    /// GitHub's name of the state.
    pub fn github_name(self) -> &'static str {
        match self {
            Self::InProgress => "in_progress",
            Self::Success => "success",
            Self::Failure => "failure",
        }
    }

    /// GitLab's name of the state.
    pub fn gitlab_name(self) -> &'static str {
        match self {
            Self::InProgress => "running",
            Self::Success => "success",
            Self::Failure => "failed",
        }
    }
}

/// A status to record on a deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeploymentStatus {
    /// The new state.
    pub state: DeploymentState,
    /// Where the deployed service is (GitHub `environment_url`).
    pub environment_url: Option<String>,
    /// The CI run that deployed (GitHub `log_url`).
    pub log_url: Option<String>,
    /// One line for people (at most 140 characters on GitHub; longer text is cut).
    pub description: String,
}

/// A deployment the host created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    /// The host's id of the deployment.
    pub id: u64,
    /// Its API URL, when the host gives one.
    pub url: Option<String>,
}

/// A code host that records deployments. Blocking, with the client's retry policy.
pub trait Deployments: Forge {
    /// Creates a deployment of `request.git_ref` to `request.environment`. Not idempotent: only
    /// failures proving the request was not applied (rate limiting) are retried.
    fn create_deployment(&self, request: &NewDeployment) -> Result<Deployment, ForgeError>;

    /// Records a new status of `deployment`.
    fn set_deployment_status(
        &self,
        deployment: &Deployment,
        status: &DeploymentStatus,
    ) -> Result<(), ForgeError>;

    /// Numbers of the pull requests (GitHub) or merge request iids (GitLab) `sha` belongs to,
    /// merged or open.
    fn pulls_for_commit(&self, sha: &str) -> Result<Vec<u64>, ForgeError>;
}

/// Cuts `text` to at most `max` characters (GitHub refuses longer descriptions).
pub(crate) fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_names_follow_each_host() {
        assert_eq!(DeploymentState::InProgress.github_name(), "in_progress");
        assert_eq!(DeploymentState::InProgress.gitlab_name(), "running");
        assert_eq!(DeploymentState::Failure.github_name(), "failure");
        assert_eq!(DeploymentState::Failure.gitlab_name(), "failed");
    }

    #[test]
    fn cuts_long_descriptions() {
        assert_eq!(cut("short", 140), "short");
        let long = "x".repeat(200);
        let c = cut(&long, 140);
        assert_eq!(c.chars().count(), 140);
        assert!(c.ends_with('…'));
    }
}
