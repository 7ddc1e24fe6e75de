//! Which code host, which repository, which token, and whether it is a job token: worked out
//! once, here, for every binary (issue 13 item 2, issue 12).
//!
//! Before, five places (the sticky comment, deploy-notify's deployment record, publish's
//! release targets, and the GitHub and GitLab release baselines) each had their own rules and
//! spelled variable names as literals. [`resolve_host`] has one order for each answer:
//!
//! - **Host**: the caller's choice (`publish --to github`, a `github-release:` baseline), else
//!   the detected one ([`CiContext::forge`]).
//! - **API URL**: a flag, else the detected host's when it is the same kind, else
//!   `GITHUB_API_URL` / `CI_API_V4_URL`, else the public host. The web root follows the same
//!   order (`GITHUB_SERVER_URL` / `CI_SERVER_URL`), else it is derived from the API URL.
//! - **Repository**: a flag, else the detected repository when it is on the same kind of host
//!   (a GitLab project by its path, readable in messages and web links, else its id), else
//!   `GITHUB_REPOSITORY` / `CI_PROJECT_ID` / `CI_PROJECT_PATH` (the id first, as the release
//!   links `publish` writes have always used it).
//! - **Token**: [`crate::resolve_token`]'s precedence (`MODELCI_*_TOKEN` first), and on GitLab
//!   the CI job token as a last resort, flagged [`HostToken::is_job_token`] so each caller
//!   decides whether a job token can do its job (releases and packages: yes; notes and
//!   deployments: no).

use crate::context::{CiContext, Forge, ForgeKind, Provider, Repository};
use crate::env::Env;
use crate::env_vars::EnvVars;
use crate::secret::Secret;
use crate::token::{TokenChoice, resolve_token};

/// The public GitHub API.
const GITHUB_API: &str = "https://api.github.com";
/// The public GitLab API.
const GITLAB_API: &str = "https://gitlab.com/api/v4";

/// Where and as whom to talk to a code host.
#[derive(Debug, Clone)]
pub struct Host {
    /// GitHub or GitLab.
    pub kind: ForgeKind,
    /// REST API root without a trailing `/` (`https://HOST/api/v3` on GitHub Enterprise Server,
    /// `https://HOST/api/v4` on GitLab).
    pub api_url: String,
    /// Web root without a trailing `/`, for links.
    pub web_url: String,
    /// `owner/repo` on GitHub; the project path (or numeric id) on GitLab, not URL-encoded.
    pub project: String,
    /// The token, `None` when none is set.
    pub token: Option<HostToken>,
}

/// A token for the host and where it came from.
#[derive(Debug, Clone)]
pub struct HostToken {
    /// The secret (prints as `***`).
    pub secret: Secret,
    /// The environment variable it was read from.
    pub source: &'static str,
    /// GitLab's `CI_JOB_TOKEN`: accepted for releases and generic packages, not for notes,
    /// uploads or deployments.
    pub is_job_token: bool,
}

/// What the user chose on the command line; `None` fields come from the environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct HostChoice<'a> {
    /// The host (`publish --to github`), instead of the detected one.
    pub kind: Option<ForgeKind>,
    /// The API root (`--github-api-url`, `--gitlab-api-url`).
    pub api_url: Option<&'a str>,
    /// The repository or project (`--github-repo`, `--gitlab-project`).
    pub project: Option<&'a str>,
}

/// Why no host could be worked out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HostError {
    /// Nothing chose a host and none was detected.
    #[error("cannot tell which code host this {provider} run is on")]
    NoHost {
        /// The CI system detected.
        provider: Provider,
    },
    /// The host is known but the repository is not.
    #[error("cannot tell which {kind} repository this run is for")]
    NoProject {
        /// The host.
        kind: ForgeKind,
    },
}

/// Works out the host, repository and token (see the [module docs](self) for the order).
///
/// # Errors
/// [`HostError`] when no host is chosen or detected, or the repository is unknown.
pub fn resolve_host(
    context: &CiContext,
    env: &Env,
    choice: &HostChoice<'_>,
) -> Result<Host, HostError> {
    let kind = choice
        .kind
        .or_else(|| context.forge.kind())
        .ok_or(HostError::NoHost {
            provider: context.provider,
        })?;
    let detected = (context.forge.kind() == Some(kind)).then_some(&context.forge);
    let (api_var, web_var, public) = match kind {
        ForgeKind::GitHub => (
            EnvVars::GITHUB_API_URL,
            EnvVars::GITHUB_SERVER_URL,
            GITHUB_API,
        ),
        ForgeKind::GitLab => (EnvVars::CI_API_V4_URL, EnvVars::CI_SERVER_URL, GITLAB_API),
    };
    let api_url = choice
        .api_url
        .map(str::to_owned)
        .or_else(|| detected.and_then(Forge::api_url).map(str::to_owned))
        .or_else(|| env.get(api_var).map(str::to_owned))
        .unwrap_or_else(|| public.to_owned())
        .trim_end_matches('/')
        .to_owned();
    let web_url = choice
        .api_url
        .is_none()
        .then(|| {
            detected
                .and_then(Forge::web_url)
                .map(str::to_owned)
                .or_else(|| env.get(web_var).map(str::to_owned))
        })
        .flatten()
        .filter(|w| !w.is_empty())
        .unwrap_or_else(|| web_root(kind, &api_url))
        .trim_end_matches('/')
        .to_owned();
    let project = choice
        .project
        .map(str::to_owned)
        .or_else(|| detected_project(context.repository.as_ref(), kind))
        .or_else(|| match kind {
            ForgeKind::GitHub => env.get(EnvVars::GITHUB_REPOSITORY).map(str::to_owned),
            ForgeKind::GitLab => env
                .get(EnvVars::CI_PROJECT_ID)
                .or_else(|| env.get(EnvVars::CI_PROJECT_PATH))
                .map(str::to_owned),
        })
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .ok_or(HostError::NoProject { kind })?;
    let forge = match kind {
        ForgeKind::GitHub => Forge::GitHub {
            api_url: api_url.clone(),
            web_url: web_url.clone(),
        },
        ForgeKind::GitLab => Forge::GitLab {
            api_url: api_url.clone(),
            web_url: web_url.clone(),
        },
    };
    let token = match resolve_token(env, &forge) {
        TokenChoice::Found { token, source } => Some(HostToken {
            secret: token,
            source,
            is_job_token: false,
        }),
        TokenChoice::GitLabJobTokenOnly { job_token } => Some(HostToken {
            secret: job_token,
            source: EnvVars::CI_JOB_TOKEN,
            is_job_token: true,
        }),
        _ => None,
    };
    Ok(Host {
        kind,
        api_url,
        web_url,
        project,
        token,
    })
}

/// The detected repository, when it is on a `kind` host: GitHub `owner/repo`, a GitLab
/// project's path (else its id).
fn detected_project(repository: Option<&Repository>, kind: ForgeKind) -> Option<String> {
    match (repository?, kind) {
        (r @ Repository::GitHub { .. }, ForgeKind::GitHub) => Some(r.to_string()),
        (Repository::GitLab { path: Some(p), .. }, ForgeKind::GitLab) => Some(p.clone()),
        (Repository::GitLab { id: Some(id), .. }, ForgeKind::GitLab) => Some(id.to_string()),
        _ => None,
    }
}

/// The web root for an API root: `https://api.github.com` → `https://github.com`, otherwise the
/// API root without `/api/v3` or `/api/v4`.
fn web_root(kind: ForgeKind, api_url: &str) -> String {
    let api_url = api_url.trim_end_matches('/');
    if kind == ForgeKind::GitHub && api_url == GITHUB_API {
        return "https://github.com".to_owned();
    }
    api_url
        .strip_suffix("/api/v3")
        .or_else(|| api_url.strip_suffix("/api/v4"))
        .unwrap_or(api_url)
        .to_owned()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn gitlab_ci() -> CiContext {
        let mut c = CiContext::local();
        c.provider = Provider::GitLabCi;
        c.forge = Forge::GitLab {
            api_url: "https://gl.example/api/v4".into(),
            web_url: "https://gl.example".into(),
        };
        c.repository = Some(Repository::GitLab {
            id: Some(42),
            path: Some("group/sub/proj".into()),
        });
        c
    }

    #[test]
    fn detected_gitlab_with_job_token_only() {
        let env = Env::new().with(EnvVars::CI_JOB_TOKEN, "job");
        let host = resolve_host(&gitlab_ci(), &env, &HostChoice::default()).unwrap();
        assert_eq!(host.kind, ForgeKind::GitLab);
        assert_eq!(host.api_url, "https://gl.example/api/v4");
        assert_eq!(host.web_url, "https://gl.example");
        assert_eq!(host.project, "group/sub/proj");
        let token = host.token.unwrap();
        assert!(token.is_job_token);
        assert_eq!(token.source, "CI_JOB_TOKEN");
        assert_eq!(token.secret.expose(), "job");
    }

    #[test]
    fn project_token_wins_over_the_job_token() {
        let env = Env::new()
            .with(EnvVars::CI_JOB_TOKEN, "job")
            .with(EnvVars::GITLAB_TOKEN, "glpat");
        let token = resolve_host(&gitlab_ci(), &env, &HostChoice::default())
            .unwrap()
            .token
            .unwrap();
        assert!(!token.is_job_token);
        assert_eq!(token.source, "GITLAB_TOKEN");
    }

    #[test]
    fn choice_beats_detection_and_environment() {
        let env = Env::new()
            .with(EnvVars::GITHUB_REPOSITORY, "env/repo")
            .with(EnvVars::GITHUB_API_URL, "https://ghe.example/api/v3")
            .with(EnvVars::GITHUB_TOKEN, "ghs_x");
        let choice = HostChoice {
            kind: Some(ForgeKind::GitHub),
            api_url: None,
            project: Some("flag/repo"),
        };
        // Detected GitLab, asked for GitHub: GitHub's variables are used.
        let host = resolve_host(&gitlab_ci(), &env, &choice).unwrap();
        assert_eq!(host.project, "flag/repo");
        assert_eq!(host.api_url, "https://ghe.example/api/v3");
        assert_eq!(host.web_url, "https://ghe.example");
        assert_eq!(host.token.unwrap().source, "GITHUB_TOKEN");
        let local = resolve_host(
            &CiContext::local(),
            &Env::new(),
            &HostChoice {
                kind: Some(ForgeKind::GitHub),
                ..HostChoice::default()
            },
        );
        assert!(matches!(
            local,
            Err(HostError::NoProject {
                kind: ForgeKind::GitHub
            })
        ));
    }

    #[test]
    fn public_hosts_and_missing_pieces() {
        let env = Env::new().with(EnvVars::GITHUB_REPOSITORY, "o/r");
        let host = resolve_host(
            &CiContext::local(),
            &env,
            &HostChoice {
                kind: Some(ForgeKind::GitHub),
                ..HostChoice::default()
            },
        )
        .unwrap();
        assert_eq!(host.api_url, "https://api.github.com");
        assert_eq!(host.web_url, "https://github.com");
        assert!(host.token.is_none());
        let err = resolve_host(&CiContext::local(), &env, &HostChoice::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot tell which code host this local run is on"
        );
        let env = Env::new().with(EnvVars::CI_PROJECT_ID, "7");
        let host = resolve_host(
            &CiContext::local(),
            &env,
            &HostChoice {
                kind: Some(ForgeKind::GitLab),
                ..HostChoice::default()
            },
        )
        .unwrap();
        assert_eq!(
            (host.api_url.as_str(), host.project.as_str()),
            (GITLAB_API, "7")
        );
        assert_eq!(host.web_url, "https://gitlab.com");
    }

    #[test]
    fn debug_hides_the_token() {
        let env = Env::new().with(EnvVars::GITLAB_TOKEN, "glpat-leak");
        let host = resolve_host(&gitlab_ci(), &env, &HostChoice::default()).unwrap();
        assert!(!format!("{host:?}").contains("glpat-leak"));
    }
}
