//! Jenkins multibranch pipelines: the code host has to be inferred from the Git remote.
//!
//! Jenkins itself knows nothing about GitHub or GitLab; the branch source plugin sets
//! `CHANGE_*` for pull/merge requests and the Git plugin sets `GIT_URL`. We guess the forge from
//! the host name (`github.com`, or a host containing `gitlab`) and let self-hosted users say it
//! outright with `MODELCI_FORGE` and `MODELCI_API_URL`.

use super::remote_url::{Remote, parse_remote, redact, repo_url_from_change_url};
use super::{DetectError, owned, parse_number, trim_url};
use crate::context::{ChangeRequest, CiContext, Forge, ForgeKind, Provider, Repository};
use crate::env::Env;
use crate::env_vars::EnvVars;
use crate::token::resolve_token;

pub(super) fn detect(env: &Env) -> Result<CiContext, DetectError> {
    let provider = Provider::Jenkins;
    let remote = find_remote(env)?;
    let change_id = env.get(EnvVars::CHANGE_ID);

    let (forge, repository) = match &remote {
        Some((var, remote)) => {
            let kind = forge_kind(env, remote)?;
            let forge = forge_for(env, kind, remote);
            let repository = match kind {
                ForgeKind::GitHub => Repository::github_slug(&remote.path).ok_or_else(|| {
                    DetectError::InvalidRemoteUrl {
                        var,
                        url: redact(env.get(var).unwrap_or_default()),
                    }
                })?,
                ForgeKind::GitLab => Repository::GitLab {
                    id: None,
                    path: Some(remote.path.clone()),
                },
            };
            (forge, Some(repository))
        }
        // A change build must know where to report; a plain build can run without a forge.
        None if change_id.is_some() => {
            return Err(DetectError::MissingVar {
                provider,
                var: EnvVars::GIT_URL,
            });
        }
        None => (Forge::None, None),
    };

    let commit_sha = owned(env.get(EnvVars::GIT_COMMIT));
    let change = change_id
        .map(|id| -> Result<ChangeRequest, DetectError> {
            Ok(ChangeRequest {
                number: parse_number(EnvVars::CHANGE_ID, id)?,
                base_ref: owned(env.get(EnvVars::CHANGE_TARGET)),
                head_ref: owned(env.get(EnvVars::CHANGE_BRANCH)),
                base_sha: None,
                head_sha: commit_sha.clone(),
                is_fork: env.get(EnvVars::CHANGE_FORK).is_some(),
            })
        })
        .transpose()?;

    let token = resolve_token(env, &forge);
    Ok(CiContext {
        provider,
        forge,
        repository,
        change,
        commit_sha,
        run_url: owned(env.get(EnvVars::BUILD_URL)),
        token,
    })
}

/// The remote from `GIT_URL`, or else from the change's web URL.
fn find_remote(env: &Env) -> Result<Option<(&'static str, Remote)>, DetectError> {
    if let Some(url) = env.get(EnvVars::GIT_URL) {
        return parse_remote(url)
            .map(|r| Some((EnvVars::GIT_URL, r)))
            .ok_or_else(|| DetectError::InvalidRemoteUrl {
                var: EnvVars::GIT_URL,
                url: redact(url),
            });
    }
    if let Some(url) = env.get(EnvVars::CHANGE_URL) {
        return parse_remote(repo_url_from_change_url(url))
            .map(|r| Some((EnvVars::CHANGE_URL, r)))
            .ok_or_else(|| DetectError::InvalidRemoteUrl {
                var: EnvVars::CHANGE_URL,
                url: redact(url),
            });
    }
    Ok(None)
}

fn forge_kind(env: &Env, remote: &Remote) -> Result<ForgeKind, DetectError> {
    if let Some(value) = env.get(EnvVars::MODELCI_FORGE) {
        return match value.trim().to_ascii_lowercase().as_str() {
            "github" => Ok(ForgeKind::GitHub),
            "gitlab" => Ok(ForgeKind::GitLab),
            _ => Err(DetectError::InvalidVar {
                var: EnvVars::MODELCI_FORGE,
                value: value.to_owned(),
                expected: "`github` or `gitlab`",
            }),
        };
    }
    if remote.host == "github.com" || remote.host == "www.github.com" {
        Ok(ForgeKind::GitHub)
    } else if remote.host.contains("gitlab") {
        Ok(ForgeKind::GitLab)
    } else {
        Err(DetectError::UnknownForge {
            host: remote.host.clone(),
        })
    }
}

fn forge_for(env: &Env, kind: ForgeKind, remote: &Remote) -> Forge {
    let web_url = if remote.host == "www.github.com" {
        "https://github.com".to_owned()
    } else {
        remote.web_url.clone()
    };
    let api_url = env.get(EnvVars::MODELCI_API_URL).map(trim_url);
    match kind {
        ForgeKind::GitHub => Forge::GitHub {
            api_url: api_url.unwrap_or_else(|| {
                if remote.host == "github.com" || remote.host == "www.github.com" {
                    "https://api.github.com".to_owned()
                } else {
                    // GitHub Enterprise Server serves its REST API under /api/v3.
                    format!("{web_url}/api/v3")
                }
            }),
            web_url,
        },
        ForgeKind::GitLab => Forge::GitLab {
            api_url: api_url.unwrap_or_else(|| format!("{web_url}/api/v4")),
            web_url,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Env {
        Env::new().with("JENKINS_URL", "https://ci.example/")
    }

    #[test]
    fn plain_build_without_remote_has_no_forge() {
        let ctx = detect(&env()).expect("ok");
        assert_eq!(ctx.forge, Forge::None);
        assert!(ctx.change.is_none());
    }

    #[test]
    fn change_without_remote_is_an_error() {
        let err = detect(&env().with("CHANGE_ID", "4")).expect_err("no remote");
        assert_eq!(
            err.to_string(),
            "Jenkins detected, but `GIT_URL` is not set"
        );
    }

    #[test]
    fn change_url_is_a_fallback_remote() {
        let ctx = detect(
            &env()
                .with("CHANGE_ID", "4")
                .with("CHANGE_URL", "https://github.com/o/r/pull/4"),
        )
        .expect("ok");
        assert_eq!(
            ctx.repository.map(|r| r.to_string()).as_deref(),
            Some("o/r")
        );
    }

    #[test]
    fn unknown_host_asks_for_override() {
        let err = detect(&env().with("GIT_URL", "https://git.corp.example/o/r.git"))
            .expect_err("unknown");
        let msg = err.to_string();
        assert!(msg.contains("`git.corp.example`"), "{msg}");
        assert!(msg.contains("MODELCI_FORGE=github"), "{msg}");
    }

    #[test]
    fn override_github_enterprise_defaults_to_api_v3() {
        let ctx = detect(
            &env()
                .with("GIT_URL", "git@git.corp.example:o/r.git")
                .with("MODELCI_FORGE", "GitHub"),
        )
        .expect("ok");
        assert_eq!(ctx.forge.api_url(), Some("https://git.corp.example/api/v3"));
    }

    #[test]
    fn look_alike_github_host_is_not_github() {
        let err =
            detect(&env().with("GIT_URL", "https://notgithub.com/o/r.git")).expect_err("unknown");
        assert!(matches!(err, DetectError::UnknownForge { .. }));
    }

    #[test]
    fn bad_override_value() {
        let err = detect(
            &env()
                .with("GIT_URL", "https://github.com/o/r")
                .with("MODELCI_FORGE", "bitbucket"),
        )
        .expect_err("bad");
        assert_eq!(
            err.to_string(),
            "`MODELCI_FORGE` is `bitbucket`, expected `github` or `gitlab`"
        );
    }

    #[test]
    fn invalid_git_url_is_redacted_in_the_error() {
        let err = detect(&env().with("GIT_URL", "https://u:hunter2@github.com/")).expect_err("bad");
        let msg = err.to_string();
        assert!(!msg.contains("hunter2"), "{msg}");
    }

    #[test]
    fn github_path_must_be_owner_repo() {
        let err = detect(&env().with("GIT_URL", "https://github.com/a/b/c.git")).expect_err("bad");
        assert!(matches!(err, DetectError::InvalidRemoteUrl { .. }));
    }
}
