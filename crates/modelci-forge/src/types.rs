//! Plain data shared by every code host: users, comments, Markdown, configuration.

use crate::{RetryPolicy, Token};

/// Which code host to talk to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ForgeKind {
    /// GitHub.com or GitHub Enterprise Server.
    GitHub,
    /// GitLab.com or self-managed GitLab.
    GitLab,
}

impl ForgeKind {
    /// The name used in messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::GitHub => "GitHub",
            Self::GitLab => "GitLab",
        }
    }

    /// The public API URL used when none is configured.
    pub fn default_api_url(self) -> &'static str {
        match self {
            Self::GitHub => "https://api.github.com",
            Self::GitLab => "https://gitlab.com/api/v4",
        }
    }

    /// `github` or `gitlab`: the host in source schemes (`github-release:`) and records.
    pub fn id(self) -> &'static str {
        match self {
            Self::GitHub => "github",
            Self::GitLab => "gitlab",
        }
    }

    /// The web page of the release of `tag` of `project`, under the host's web root `web_url`.
    pub fn release_page(self, web_url: &str, project: &str, tag: &str) -> String {
        let web_url = web_url.trim_end_matches('/');
        match self {
            Self::GitHub => format!("{web_url}/{project}/releases/tag/{tag}"),
            Self::GitLab => format!("{web_url}/{project}/-/releases/{tag}"),
        }
    }

    /// The host's limit on a comment body, in characters.
    pub fn max_comment_chars(self) -> usize {
        match self {
            Self::GitHub => 65_536,
            Self::GitLab => 1_000_000,
        }
    }
}

/// Everything needed to build a client for one repository.
#[derive(Debug, Clone)]
pub struct ForgeConfig {
    /// GitHub or GitLab.
    pub kind: ForgeKind,
    /// API base URL; `None` for the public host. GitHub Enterprise Server:
    /// `https://HOST/api/v3`; self-managed GitLab: `https://HOST/api/v4`.
    pub api_url: Option<String>,
    /// `owner/repo` on GitHub; the project path (`group/sub/project`) or numeric id on GitLab.
    pub repo: String,
    /// The API token.
    pub token: Token,
    /// Retry budget for transient failures.
    pub retry: RetryPolicy,
}

impl ForgeConfig {
    /// A configuration with the public API URL and the default retry policy.
    pub fn new(kind: ForgeKind, repo: impl Into<String>, token: Token) -> Self {
        Self {
            kind,
            api_url: None,
            repo: repo.into(),
            token,
            retry: RetryPolicy::default(),
        }
    }
}

impl From<modelci_ci::ForgeKind> for ForgeKind {
    /// The host `modelci-ci` detected or resolved, as this crate names it.
    fn from(kind: modelci_ci::ForgeKind) -> Self {
        match kind {
            modelci_ci::ForgeKind::GitHub => Self::GitHub,
            _ => Self::GitLab,
        }
    }
}

impl ForgeConfig {
    /// The configuration for a host worked out by [`modelci_ci::resolve_host`] (kind, API URL,
    /// repository, token and whether it is GitLab's job token), with the default retry policy;
    /// `None` when the host has no token.
    pub fn from_host(host: &modelci_ci::Host) -> Option<Self> {
        let token = host.token.as_ref()?;
        let token = if token.is_job_token {
            Token::gitlab_job(token.secret.expose())
        } else {
            Token::new(token.secret.expose())
        };
        Some(Self {
            kind: host.kind.into(),
            api_url: Some(host.api_url.clone()),
            repo: host.project.clone(),
            token,
            retry: RetryPolicy::default(),
        })
    }
}

/// A user account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Login (GitHub) or username (GitLab).
    pub login: String,
    /// Numeric id.
    pub id: u64,
}

/// A comment's id (GitHub issue comment id, GitLab note id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CommentId(pub u64);

/// A comment on a pull request (GitHub) or merge request (GitLab).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// Its id; ids grow with creation time on both hosts.
    pub id: CommentId,
    /// Author's login/username.
    pub author: String,
    /// The author is a bot account: GitHub `type: "Bot"` (`github-actions[bot]`,
    /// `<app-slug>[bot]`), GitLab `bot: true` (project and group access tokens).
    pub author_is_bot: bool,
    /// Markdown body.
    pub body: String,
    /// Web or API link to the comment, when the host gives one.
    pub url: Option<String>,
}

/// Markdown that displays an uploaded file (e.g. `![chart](/uploads/…/chart.png)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Markdown(pub String);

impl std::fmt::Display for Markdown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
