//! Which token modelci uses to talk to the code host, and what to tell the user when there is
//! none that works.
//!
//! The precedence is fixed and documented so users can reason about it: a `MODELCI_*` token
//! always wins over the generic one, which lets a workflow keep `GITHUB_TOKEN` for other tools
//! and give modelci a token with different rights.

use std::fmt;

use crate::context::{Forge, ForgeKind};
use crate::env::Env;
use crate::env_vars::EnvVars;
use crate::secret::Secret;

/// What GitLab users are told when the job token is all there is.
pub const GITLAB_JOB_TOKEN_ONLY_MESSAGE: &str = "only `CI_JOB_TOKEN` is available, and the job token cannot write merge request notes\n\
hint: create a project access token with the `api` scope and add it as a masked CI/CD variable named `GITLAB_TOKEN` (or `MODELCI_GITLAB_TOKEN`)";

/// The outcome of looking for a code-host token.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum TokenChoice {
    /// A usable token, and the variable it came from.
    Found {
        /// The token.
        token: Secret,
        /// Name of the environment variable it was read from.
        source: &'static str,
    },
    /// GitLab only: `CI_JOB_TOKEN` is set but no real token is. The job token can read some
    /// APIs but cannot post merge request notes.
    GitLabJobTokenOnly {
        /// The job token, for the few read-only calls it allows.
        job_token: Secret,
    },
    /// A code host was detected but no token was found.
    Missing {
        /// The host that needs a token.
        forge: ForgeKind,
    },
    /// No code host, so no token is needed.
    NotNeeded,
}

impl TokenChoice {
    /// The token to send with write requests, if any.
    #[must_use]
    pub fn token(&self) -> Option<&Secret> {
        match self {
            Self::Found { token, .. } => Some(token),
            _ => None,
        }
    }

    /// A message for the user when modelci cannot write to the code host, `None` when it can
    /// (or does not need to).
    #[must_use]
    pub fn problem(&self) -> Option<String> {
        match self {
            Self::Found { .. } | Self::NotNeeded => None,
            Self::GitLabJobTokenOnly { .. } => Some(GITLAB_JOB_TOKEN_ONLY_MESSAGE.to_owned()),
            Self::Missing {
                forge: ForgeKind::GitHub,
            } => Some(
                "no GitHub token found, so no pull request comment will be posted\n\
                 hint: pass one to the step, e.g. `env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}`, \
                 or set `MODELCI_GITHUB_TOKEN`"
                    .to_owned(),
            ),
            Self::Missing {
                forge: ForgeKind::GitLab,
            } => Some(
                "no GitLab token found, so no merge request note will be posted\n\
                 hint: create a project access token with the `api` scope and add it as a masked \
                 CI/CD variable named `GITLAB_TOKEN` (or `MODELCI_GITLAB_TOKEN`)"
                    .to_owned(),
            ),
        }
    }
}

impl fmt::Display for TokenChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Found { source, .. } => write!(f, "token from `{source}`"),
            Self::GitLabJobTokenOnly { .. } => f.write_str("GitLab job token only"),
            Self::Missing { forge } => write!(f, "no {forge} token"),
            Self::NotNeeded => f.write_str("no token needed"),
        }
    }
}

/// Picks the token for `forge` from `env`.
///
/// GitHub: `MODELCI_GITHUB_TOKEN`, then `GITHUB_TOKEN`. GitLab: `MODELCI_GITLAB_TOKEN`, then
/// `GITLAB_TOKEN`, and if only `CI_JOB_TOKEN` is set, [`TokenChoice::GitLabJobTokenOnly`].
#[must_use]
pub fn resolve_token(env: &Env, forge: &Forge) -> TokenChoice {
    let Some(kind) = forge.kind() else {
        return TokenChoice::NotNeeded;
    };
    let candidates: &[&'static str] = match kind {
        ForgeKind::GitHub => &[EnvVars::MODELCI_GITHUB_TOKEN, EnvVars::GITHUB_TOKEN],
        ForgeKind::GitLab => &[EnvVars::MODELCI_GITLAB_TOKEN, EnvVars::GITLAB_TOKEN],
    };
    for &source in candidates {
        if let Some(value) = env.get(source).map(str::trim).filter(|v| !v.is_empty()) {
            return TokenChoice::Found {
                token: Secret::new(value),
                source,
            };
        }
    }
    if kind == ForgeKind::GitLab
        && let Some(job_token) = env.get(EnvVars::CI_JOB_TOKEN)
    {
        return TokenChoice::GitLabJobTokenOnly {
            job_token: Secret::new(job_token),
        };
    }
    TokenChoice::Missing { forge: kind }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn github() -> Forge {
        Forge::GitHub {
            api_url: "https://api.github.com".into(),
            web_url: "https://github.com".into(),
        }
    }

    fn gitlab() -> Forge {
        Forge::GitLab {
            api_url: "https://gitlab.com/api/v4".into(),
            web_url: "https://gitlab.com".into(),
        }
    }

    #[test]
    fn modelci_token_wins_on_github() {
        let env = Env::new()
            .with("GITHUB_TOKEN", "generic")
            .with("MODELCI_GITHUB_TOKEN", "specific");
        let choice = resolve_token(&env, &github());
        assert_eq!(choice.token().map(Secret::expose), Some("specific"));
        assert_eq!(choice.to_string(), "token from `MODELCI_GITHUB_TOKEN`");
        let env = env.without("MODELCI_GITHUB_TOKEN");
        let choice = resolve_token(&env, &github());
        assert_eq!(choice.token().map(Secret::expose), Some("generic"));
        assert!(choice.problem().is_none());
    }

    #[test]
    fn gitlab_tokens_are_not_used_for_github() {
        let env = Env::new()
            .with("GITLAB_TOKEN", "x")
            .with("CI_JOB_TOKEN", "y");
        let choice = resolve_token(&env, &github());
        assert!(matches!(
            choice,
            TokenChoice::Missing {
                forge: ForgeKind::GitHub
            }
        ));
        assert!(choice.problem().is_some_and(|m| m.contains("GITHUB_TOKEN")));
    }

    #[test]
    fn gitlab_precedence_and_job_token_fallback() {
        let env = Env::new()
            .with("CI_JOB_TOKEN", "job")
            .with("GITLAB_TOKEN", "pat")
            .with("MODELCI_GITLAB_TOKEN", "mine");
        let c = resolve_token(&env, &gitlab());
        assert_eq!(c.token().map(Secret::expose), Some("mine"));
        let env = env.without("MODELCI_GITLAB_TOKEN");
        let c = resolve_token(&env, &gitlab());
        assert_eq!(c.token().map(Secret::expose), Some("pat"));
        let env = env.without("GITLAB_TOKEN");
        let c = resolve_token(&env, &gitlab());
        assert!(matches!(c, TokenChoice::GitLabJobTokenOnly { .. }));
        assert!(c.token().is_none());
        assert_eq!(c.problem().as_deref(), Some(GITLAB_JOB_TOKEN_ONLY_MESSAGE));
        let env = env.without("CI_JOB_TOKEN");
        assert!(matches!(
            resolve_token(&env, &gitlab()),
            TokenChoice::Missing {
                forge: ForgeKind::GitLab
            }
        ));
    }

    #[test]
    fn blank_tokens_are_ignored() {
        let env = Env::new()
            .with("MODELCI_GITHUB_TOKEN", "  ")
            .with("GITHUB_TOKEN", "real");
        let c = resolve_token(&env, &github());
        assert_eq!(c.token().map(Secret::expose), Some("real"));
    }

    #[test]
    fn no_forge_needs_no_token() {
        let env = Env::new().with("GITHUB_TOKEN", "x");
        assert!(matches!(
            resolve_token(&env, &Forge::None),
            TokenChoice::NotNeeded
        ));
    }

    #[test]
    fn debug_of_a_choice_hides_the_token() {
        let env = Env::new().with("GITHUB_TOKEN", "ghp_leak");
        let c = resolve_token(&env, &github());
        assert!(!format!("{c:?}").contains("ghp_leak"));
    }
}
