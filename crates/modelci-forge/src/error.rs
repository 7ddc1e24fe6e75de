//! The one error type of this crate, with messages written for the person reading CI logs.
//!
//! Messages never contain a token: tokens live in [`crate::Token`], whose `Debug` prints `***`,
//! and no variant stores one.

use std::path::PathBuf;
use std::time::Duration;

/// What went wrong talking to a code host.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ForgeError {
    /// The host refused the token (401).
    #[error(
        "{host} rejected the token (401 Unauthorized): check that it is set, not expired and has API access"
    )]
    Unauthorized {
        /// `GitHub` or `GitLab`.
        host: &'static str,
    },
    /// The token may not do this here (403, or GitLab's 401 to a CI job token where job tokens
    /// are not accepted): typically a pull request from a fork, a token without the permission,
    /// or a CI job token. The message names the permission to add
    /// ([`crate::permissions::hint`]). Callers usually warn and exit 0.
    #[error(
        "{host} refused to let this token {action} (\"{message}\"): {}",
        crate::permissions::hint(.host, .action)
    )]
    Forbidden {
        /// `GitHub` or `GitLab`.
        host: &'static str,
        /// What was attempted, e.g. `create a comment`.
        action: &'static str,
        /// The host's own message, e.g. `Resource not accessible by integration`.
        message: String,
    },
    /// The repository, change or comment does not exist (404).
    #[error(
        "{host} could not find what was needed to {action} (404): check the repository and the pull/merge request number"
    )]
    NotFound {
        /// `GitHub` or `GitLab`.
        host: &'static str,
        /// What was attempted.
        action: &'static str,
    },
    /// The host refused the request as invalid (400, 422, ...); retrying cannot help.
    #[error("{host} rejected the request to {action} ({status}): {message}")]
    Rejected {
        /// `GitHub` or `GitLab`.
        host: &'static str,
        /// What was attempted.
        action: &'static str,
        /// HTTP status.
        status: u16,
        /// The host's own message.
        message: String,
    },
    /// The host failed (5xx); retrying may help.
    #[error("{host} failed to {action} ({status}): {message}")]
    Server {
        /// `GitHub` or `GitLab`.
        host: &'static str,
        /// What was attempted.
        action: &'static str,
        /// HTTP status.
        status: u16,
        /// The host's own message.
        message: String,
        /// How long the host asked us to wait, if it said.
        retry_after: Option<Duration>,
    },
    /// The host is rate limiting us (429, or GitHub's secondary rate limit 403).
    #[error("{host} is rate limiting requests to {action}{}", .retry_after.map(|d| format!(" (asked to wait {}s)", d.as_secs())).unwrap_or_default())]
    RateLimited {
        /// `GitHub` or `GitLab`.
        host: &'static str,
        /// What was attempted.
        action: &'static str,
        /// How long the host asked us to wait, if it said.
        retry_after: Option<Duration>,
    },
    /// The request did not get an HTTP answer (DNS, TLS, connection reset, timeout).
    #[error("could not reach {host} to {action}: {message}")]
    Transport {
        /// `GitHub` or `GitLab`.
        host: &'static str,
        /// What was attempted.
        action: &'static str,
        /// What the HTTP client said.
        message: String,
    },
    /// Retries did not help within the time budget.
    #[error("gave up after {attempts} attempts in {}s: {last}", .elapsed.as_secs())]
    GaveUp {
        /// Attempts made.
        attempts: u32,
        /// Time spent.
        elapsed: Duration,
        /// The last error.
        #[source]
        last: Box<ForgeError>,
    },
    /// The host has no API for this (e.g. image uploads on GitHub); callers fall back.
    #[error("{host} has no API to {what}")]
    Unsupported {
        /// `GitHub` or `GitLab`.
        host: &'static str,
        /// What is missing.
        what: &'static str,
    },
    /// The host answered something this crate does not understand.
    #[error("unexpected answer from {host} to {action}: {message}")]
    Decode {
        /// `GitHub` or `GitLab`.
        host: &'static str,
        /// What was attempted.
        action: &'static str,
        /// What did not parse.
        message: String,
    },
    /// The client configuration is invalid (URL, repository name, token kind).
    #[error("invalid forge configuration: {message}")]
    Config {
        /// What is wrong.
        message: String,
    },
    /// A local file could not be read.
    #[error("cannot read `{}`", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

impl ForgeError {
    /// True for failures that may clear up by themselves (5xx, 429, secondary rate limit,
    /// transport errors).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Server { .. } | Self::RateLimited { .. } | Self::Transport { .. }
        )
    }

    /// True when the token lacks permission (403), including after retries.
    pub fn is_forbidden(&self) -> bool {
        match self {
            Self::Forbidden { .. } => true,
            Self::GaveUp { last, .. } => last.is_forbidden(),
            _ => false,
        }
    }

    /// How long the host asked us to wait, if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Server { retry_after, .. } | Self::RateLimited { retry_after, .. } => {
                *retry_after
            }
            _ => None,
        }
    }

    /// True when the request certainly did not take effect (rate limited, or no connection),
    /// so even a non-idempotent request may be sent again.
    pub(crate) fn surely_not_applied(&self) -> bool {
        matches!(self, Self::RateLimited { .. })
    }
}

/// Parses a JSON answer of `host` to `action`; a body that is not the expected JSON is
/// [`ForgeError::Decode`].
pub(crate) fn decode<T: serde::de::DeserializeOwned>(
    host: &'static str,
    action: &'static str,
    bytes: &[u8],
) -> Result<T, ForgeError> {
    serde_json::from_slice(bytes).map_err(|e| ForgeError::Decode {
        host,
        action,
        message: e.to_string(),
    })
}
