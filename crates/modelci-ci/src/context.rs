//! What detection found out: where we run, which code host to talk to, and about which change.
//!
//! These are plain data types so that the binaries (and `modelci-forge`) can act on a
//! [`CiContext`] without ever asking which CI system produced it.

use std::fmt;

use crate::token::TokenChoice;

/// The CI system the process runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Provider {
    /// GitHub Actions (`GITHUB_ACTIONS=true`).
    GitHubActions,
    /// GitLab CI/CD (`GITLAB_CI=true`).
    GitLabCi,
    /// Jenkins, usually a multibranch pipeline (`JENKINS_URL` set).
    Jenkins,
    /// Travis CI (`TRAVIS=true`).
    Travis,
    /// No CI detected: a developer's machine. modelci only writes files.
    Local,
}

impl Provider {
    /// Human-readable name, for messages.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::GitHubActions => "GitHub Actions",
            Self::GitLabCi => "GitLab CI",
            Self::Jenkins => "Jenkins",
            Self::Travis => "Travis CI",
            Self::Local => "local",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The kind of code host, without its URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ForgeKind {
    /// github.com or GitHub Enterprise Server.
    GitHub,
    /// gitlab.com or a self-managed GitLab.
    GitLab,
}

impl fmt::Display for ForgeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::GitHub => "GitHub",
            Self::GitLab => "GitLab",
        })
    }
}

/// The code host to post comments and statuses to. URLs never end with `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Forge {
    /// GitHub; `api_url` is `https://api.github.com` or `https://HOST/api/v3` on Enterprise Server.
    GitHub {
        /// REST API root.
        api_url: String,
        /// Web root, e.g. `https://github.com`.
        web_url: String,
    },
    /// GitLab; `api_url` is the v4 API root, e.g. `https://gitlab.com/api/v4`.
    GitLab {
        /// REST API v4 root.
        api_url: String,
        /// Web root, e.g. `https://gitlab.com`.
        web_url: String,
    },
    /// No code host: write files only.
    None,
}

impl Forge {
    /// The kind of host, or `None` for [`Forge::None`].
    #[must_use]
    pub fn kind(&self) -> Option<ForgeKind> {
        match self {
            Self::GitHub { .. } => Some(ForgeKind::GitHub),
            Self::GitLab { .. } => Some(ForgeKind::GitLab),
            Self::None => None,
        }
    }

    /// The API root, if there is a host.
    #[must_use]
    pub fn api_url(&self) -> Option<&str> {
        match self {
            Self::GitHub { api_url, .. } | Self::GitLab { api_url, .. } => Some(api_url),
            Self::None => None,
        }
    }

    /// The web root, if there is a host.
    #[must_use]
    pub fn web_url(&self) -> Option<&str> {
        match self {
            Self::GitHub { web_url, .. } | Self::GitLab { web_url, .. } => Some(web_url),
            Self::None => None,
        }
    }
}

/// The repository (GitHub) or project (GitLab) the run belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Repository {
    /// A GitHub repository, `owner/name`.
    GitHub {
        /// User or organisation.
        owner: String,
        /// Repository name.
        name: String,
    },
    /// A GitLab project; at least one of `id` and `path` is set.
    GitLab {
        /// Numeric project id (known inside GitLab CI).
        id: Option<u64>,
        /// `namespace/project` path, possibly with nested groups.
        path: Option<String>,
    },
}

impl Repository {
    /// Parses a GitHub `owner/name` slug; `None` unless it has exactly two non-empty parts.
    #[must_use]
    pub fn github_slug(slug: &str) -> Option<Self> {
        let (owner, name) = slug.split_once('/')?;
        let ok = |s: &str| !s.is_empty() && !s.contains('/') && !s.contains(char::is_whitespace);
        (ok(owner) && ok(name)).then(|| Self::GitHub {
            owner: owner.to_owned(),
            name: name.to_owned(),
        })
    }

    /// The project reference for GitLab API paths: the id, or else the URL-encoded path
    /// (`group%2Fproject`). `None` for a GitHub repository.
    #[must_use]
    pub fn gitlab_api_id(&self) -> Option<String> {
        match self {
            Self::GitLab { id: Some(id), .. } => Some(id.to_string()),
            Self::GitLab {
                id: None,
                path: Some(path),
            } => Some(path.replace('/', "%2F")),
            _ => None,
        }
    }
}

impl fmt::Display for Repository {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::GitHub { owner, name } => write!(f, "{owner}/{name}"),
            Self::GitLab { path: Some(p), .. } => f.write_str(p),
            Self::GitLab { id: Some(id), .. } => write!(f, "project {id}"),
            Self::GitLab { .. } => f.write_str("unknown project"),
        }
    }
}

/// A pull request (GitHub) or merge request (GitLab) the run belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeRequest {
    /// PR number or MR iid: the number in the change's URL.
    pub number: u64,
    /// Target branch, e.g. `main`.
    pub base_ref: Option<String>,
    /// Source branch.
    pub head_ref: Option<String>,
    /// Commit the change is compared against (GitHub `base.sha`, GitLab diff base).
    pub base_sha: Option<String>,
    /// Latest commit of the change's source branch.
    pub head_sha: Option<String>,
    /// Whether the change comes from a fork. On GitHub, a fork's `pull_request` run gets a
    /// read-only token, so commenting may fail.
    pub is_fork: bool,
}

/// Everything modelci needs to know about the CI run it is part of.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CiContext {
    /// The CI system.
    pub provider: Provider,
    /// The code host to talk to.
    pub forge: Forge,
    /// The repository or project, when there is a code host.
    pub repository: Option<Repository>,
    /// The pull or merge request, if this run is for one.
    pub change: Option<ChangeRequest>,
    /// The commit the run built. For GitHub pull requests this is the merge commit; use
    /// `change.head_sha` for the commit the author sees.
    pub commit_sha: Option<String>,
    /// Web page of the run (job), for linking artifacts and the full report.
    pub run_url: Option<String>,
    /// Which token to use, or why there is none.
    pub token: TokenChoice,
}

impl CiContext {
    /// The context of a local run: no code host, no change, files only.
    #[must_use]
    pub fn local() -> Self {
        Self {
            provider: Provider::Local,
            forge: Forge::None,
            repository: None,
            change: None,
            commit_sha: None,
            run_url: None,
            token: TokenChoice::NotNeeded,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_slug_needs_two_parts() {
        assert_eq!(
            Repository::github_slug("octo/repo"),
            Some(Repository::GitHub {
                owner: "octo".into(),
                name: "repo".into()
            })
        );
        for bad in ["octo", "octo/", "/repo", "a/b/c", "a b/c", ""] {
            assert_eq!(Repository::github_slug(bad), None, "{bad}");
        }
    }

    #[test]
    fn gitlab_api_id_prefers_id_then_encoded_path() {
        let both = Repository::GitLab {
            id: Some(42),
            path: Some("g/p".into()),
        };
        assert_eq!(both.gitlab_api_id().as_deref(), Some("42"));
        let path = Repository::GitLab {
            id: None,
            path: Some("group/sub/p".into()),
        };
        assert_eq!(path.gitlab_api_id().as_deref(), Some("group%2Fsub%2Fp"));
        assert_eq!(path.to_string(), "group/sub/p");
        let gh = Repository::github_slug("o/r");
        assert_eq!(gh.and_then(|r| r.gitlab_api_id()), None);
    }

    #[test]
    fn forge_accessors() {
        let f = Forge::GitLab {
            api_url: "https://g/api/v4".into(),
            web_url: "https://g".into(),
        };
        assert_eq!(f.kind(), Some(ForgeKind::GitLab));
        assert_eq!(f.api_url(), Some("https://g/api/v4"));
        assert_eq!(f.web_url(), Some("https://g"));
        assert_eq!(Forge::None.kind(), None);
    }
}
