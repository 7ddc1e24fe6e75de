//! What happened, in one value that every notification renders.

use serde::Serialize;

use crate::metrics::KeyMetric;
use crate::smoke::SmokeReport;

/// How the deployment ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Deployed, and the smoke check (if any) passed.
    Success,
    /// The smoke check failed or could not reach the model.
    Failure,
}

impl Status {
    /// `success` or `failure`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
        }
    }
}

/// Links worth a click.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Links {
    /// The deployed service (`--url`).
    pub environment: Option<String>,
    /// The CI run that deployed.
    pub run: Option<String>,
    /// The release page of the tag, when the ref is the version tag and the host is known.
    pub release: Option<String>,
}

/// Where the deployment was recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recorded {
    /// `github` or `gitlab`.
    pub host: &'static str,
    /// The host's deployment id.
    pub id: u64,
}

/// Everything the notifications say.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Model name.
    pub model: String,
    /// Model version (semver).
    pub version: String,
    /// Environment.
    pub environment: String,
    /// Git ref deployed.
    pub git_ref: String,
    /// Commit deployed, when known.
    pub commit: Option<String>,
    /// `owner/repo` or GitLab project path, when known.
    pub repository: Option<String>,
    /// Final status.
    pub status: Status,
    /// Links.
    pub links: Links,
    /// The recorded deployment, if any.
    pub deployment: Option<Recorded>,
    /// The smoke check, if one ran.
    pub smoke: Option<SmokeReport>,
    /// Key metrics from `--report`.
    pub metrics: Vec<KeyMetric>,
}

impl Summary {
    /// One line: `digits 1.4.0 deployed to production: success (agreement 100.0%)`.
    #[must_use]
    pub fn headline(&self) -> String {
        let mut line = format!(
            "{} {} deployed to {}: {}",
            self.model,
            self.version,
            self.environment,
            self.status.name()
        );
        if let Some(smoke) = &self.smoke {
            line.push_str(&format!(" ({})", smoke.short()));
        }
        line
    }
}
