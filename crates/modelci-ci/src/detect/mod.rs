//! Turns an environment into a [`CiContext`]: which CI system, which code host, which change.
//!
//! [`detect`] is a pure function of an [`Env`] and a file reader (for GitHub's event payload),
//! so every provider is tested from recorded values without touching the machine. Each provider
//! lives in its own submodule; this one only decides which of them applies and holds the error
//! type they share.

mod github;
mod gitlab;
mod jenkins;
mod remote_url;
mod travis;

use std::io;
use std::path::{Path, PathBuf};

use crate::context::{CiContext, Provider, Repository};
use crate::env::Env;
use crate::env_vars::EnvVars;

/// Why the environment could not be understood.
///
/// Every message names the variable or file at fault, so a user can fix their CI configuration
/// from the message alone.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DetectError {
    /// A variable the provider always sets is missing.
    #[error("{provider} detected, but `{var}` is not set")]
    MissingVar {
        /// The provider that was detected.
        provider: Provider,
        /// The missing variable.
        var: &'static str,
    },
    /// A variable has a value we cannot use.
    #[error("`{var}` is `{value}`, expected {expected}")]
    InvalidVar {
        /// The variable.
        var: &'static str,
        /// Its value (never a token's).
        value: String,
        /// What would have been valid.
        expected: &'static str,
    },
    /// The GitHub event payload could not be read.
    #[error("could not read the GitHub event payload `{}`", path.display())]
    ReadEvent {
        /// The payload's path (`GITHUB_EVENT_PATH`).
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The GitHub event payload is not the JSON we expect for its event.
    #[error("the GitHub `{event}` event payload `{}` is not valid", path.display())]
    ParseEvent {
        /// The event name (`GITHUB_EVENT_NAME`).
        event: String,
        /// The payload's path.
        path: PathBuf,
        /// What was wrong with it.
        #[source]
        source: serde_json::Error,
    },
    /// A Git remote URL could not be parsed into host and repository.
    #[error("cannot find a host and repository in the Git remote `{url}` (from `{var}`)")]
    InvalidRemoteUrl {
        /// The variable holding the URL.
        var: &'static str,
        /// The URL, with any credentials removed.
        url: String,
    },
    /// The Git host is neither GitHub nor GitLab by its name, and no override is set.
    #[error(
        "cannot tell whether `{host}` is GitHub or GitLab\n\
         hint: set `MODELCI_FORGE=github` or `MODELCI_FORGE=gitlab`, and `MODELCI_API_URL` for a self-hosted API"
    )]
    UnknownForge {
        /// The Git host name.
        host: String,
    },
}

/// Reads the file at a path to a string; the seam that keeps [`detect`] pure.
pub type ReadFile<'a> = &'a dyn Fn(&Path) -> io::Result<String>;

/// Works out the CI context from `env`, reading GitHub's event payload through `read_file`.
///
/// Providers are tried in a fixed order: GitHub Actions, GitLab CI, Jenkins, Travis; with none
/// of them, the run is [`Provider::Local`].
///
/// # Errors
///
/// A [`DetectError`] when a provider is detected but its variables (or GitHub's event payload)
/// are missing or malformed. A local run never fails.
pub fn detect(env: &Env, read_file: ReadFile<'_>) -> Result<CiContext, DetectError> {
    if env.is_true(EnvVars::GITHUB_ACTIONS) {
        github::detect(env, read_file)
    } else if env.is_true(EnvVars::GITLAB_CI) {
        gitlab::detect(env)
    } else if env.get(EnvVars::JENKINS_URL).is_some() {
        jenkins::detect(env)
    } else if env.is_true(EnvVars::TRAVIS) {
        travis::detect(env)
    } else {
        Ok(CiContext::local())
    }
}

/// [`detect`] on the process environment and the real file system.
///
/// # Errors
///
/// As [`detect`].
pub fn detect_from_process() -> Result<CiContext, DetectError> {
    detect(&Env::from_process(), &|path| std::fs::read_to_string(path))
}

/// The value of `var`, or [`DetectError::MissingVar`].
fn require<'e>(
    env: &'e Env,
    provider: Provider,
    var: &'static str,
) -> Result<&'e str, DetectError> {
    env.get(var)
        .ok_or(DetectError::MissingVar { provider, var })
}

/// A GitHub `owner/repo` from `var`, required, as text and parsed.
fn require_github_slug<'e>(
    env: &'e Env,
    provider: Provider,
    var: &'static str,
) -> Result<(&'e str, Repository), DetectError> {
    let slug = require(env, provider, var)?;
    let repository = Repository::github_slug(slug).ok_or_else(|| DetectError::InvalidVar {
        var,
        value: slug.to_owned(),
        expected: "`owner/repo`",
    })?;
    Ok((slug, repository))
}

/// Parses a positive change number (PR number, MR iid).
fn parse_number(var: &'static str, value: &str) -> Result<u64, DetectError> {
    value
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| DetectError::InvalidVar {
            var,
            value: value.to_owned(),
            expected: "a positive number",
        })
}

/// A URL without trailing slashes, so joining with `/path` never doubles them.
fn trim_url(url: &str) -> String {
    url.trim().trim_end_matches('/').to_owned()
}

fn owned(value: Option<&str>) -> Option<String> {
    value.map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_files(path: &Path) -> io::Result<String> {
        Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("no file {}", path.display()),
        ))
    }

    #[test]
    fn nothing_set_is_local() {
        let ctx = detect(&Env::new(), &no_files).expect("local");
        assert_eq!(ctx.provider, Provider::Local);
        assert!(ctx.change.is_none());
    }

    #[test]
    fn github_actions_false_is_not_github() {
        let env = Env::new().with("GITHUB_ACTIONS", "false");
        let ctx = detect(&env, &no_files).expect("local");
        assert_eq!(ctx.provider, Provider::Local);
    }

    #[test]
    fn parse_number_rejects_garbage() {
        assert_eq!(parse_number("X", " 12 ").ok(), Some(12));
        for bad in ["0", "-1", "abc", ""] {
            let err = parse_number("X", bad).expect_err(bad);
            assert!(err.to_string().contains("a positive number"));
        }
    }

    #[test]
    fn missing_var_message_names_provider_and_variable() {
        let err = require(&Env::new(), Provider::GitLabCi, "CI_PROJECT_ID").expect_err("missing");
        assert_eq!(
            err.to_string(),
            "GitLab CI detected, but `CI_PROJECT_ID` is not set"
        );
    }

    #[test]
    fn trim_url_drops_trailing_slashes() {
        assert_eq!(
            trim_url(" https://x.example/api/ "),
            "https://x.example/api"
        );
        assert_eq!(trim_url("https://x.example//"), "https://x.example");
    }
}
