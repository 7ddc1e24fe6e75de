//! GitLab CI: everything is in predefined variables, nothing to read from disk.
//!
//! Variable meanings follow GitLab's `doc/ci/variables/predefined_variables.md`. The merge request
//! variables exist only in merge request pipelines, so a branch pipeline has no change.

use super::{DetectError, owned, parse_number, trim_url};
use crate::context::{ChangeRequest, CiContext, Forge, Provider, Repository};
use crate::env::Env;
use crate::env_vars::EnvVars;
use crate::token::resolve_token;

pub(super) fn detect(env: &Env) -> Result<CiContext, DetectError> {
    let provider = Provider::GitLabCi;
    let server = env.get(EnvVars::CI_SERVER_URL).map(trim_url);
    let api = env.get(EnvVars::CI_API_V4_URL).map(trim_url);
    let (api_url, web_url) = match (api, server) {
        (Some(api), Some(web)) => (api, web),
        (None, Some(web)) => (format!("{web}/api/v4"), web),
        (Some(api), None) => {
            let web = api.strip_suffix("/api/v4").unwrap_or(&api).to_owned();
            (api, web)
        }
        (None, None) => {
            return Err(DetectError::MissingVar {
                provider,
                var: EnvVars::CI_SERVER_URL,
            });
        }
    };
    let forge = Forge::GitLab { api_url, web_url };

    let id = env
        .get(EnvVars::CI_PROJECT_ID)
        .map(|v| {
            v.trim()
                .parse::<u64>()
                .map_err(|_| DetectError::InvalidVar {
                    var: EnvVars::CI_PROJECT_ID,
                    value: v.to_owned(),
                    expected: "a numeric project id",
                })
        })
        .transpose()?;
    let path = owned(env.get(EnvVars::CI_PROJECT_PATH));
    if id.is_none() && path.is_none() {
        return Err(DetectError::MissingVar {
            provider,
            var: EnvVars::CI_PROJECT_ID,
        });
    }

    let commit_sha = owned(env.get(EnvVars::CI_COMMIT_SHA));
    let change = match env.get(EnvVars::CI_MERGE_REQUEST_IID) {
        Some(iid) => Some(ChangeRequest {
            number: parse_number(EnvVars::CI_MERGE_REQUEST_IID, iid)?,
            base_ref: owned(env.get(EnvVars::CI_MERGE_REQUEST_TARGET_BRANCH_NAME)),
            head_ref: owned(env.get(EnvVars::CI_MERGE_REQUEST_SOURCE_BRANCH_NAME)),
            base_sha: owned(env.get(EnvVars::CI_MERGE_REQUEST_DIFF_BASE_SHA)),
            // Set only in merged results pipelines, where CI_COMMIT_SHA is the merge commit.
            head_sha: owned(env.get(EnvVars::CI_MERGE_REQUEST_SOURCE_BRANCH_SHA))
                .or_else(|| commit_sha.clone()),
            is_fork: match (
                env.get(EnvVars::CI_MERGE_REQUEST_SOURCE_PROJECT_ID),
                env.get(EnvVars::CI_MERGE_REQUEST_PROJECT_ID),
            ) {
                (Some(source), Some(target)) => source != target,
                _ => false,
            },
        }),
        None => None,
    };
    let run_url = owned(
        env.get(EnvVars::CI_JOB_URL)
            .or_else(|| env.get(EnvVars::CI_PIPELINE_URL)),
    );

    let token = resolve_token(env, &forge);
    Ok(CiContext {
        provider,
        forge,
        repository: Some(Repository::GitLab { id, path }),
        change,
        commit_sha,
        run_url,
        token,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Env {
        Env::new()
            .with("GITLAB_CI", "true")
            .with("CI_PROJECT_ID", "7")
            .with("CI_COMMIT_SHA", "c0ffee")
    }

    #[test]
    fn api_url_derived_from_server_url() {
        let ctx = detect(&env().with("CI_SERVER_URL", "https://git.example:8443/")).expect("ok");
        assert_eq!(ctx.forge.api_url(), Some("https://git.example:8443/api/v4"));
        assert_eq!(ctx.forge.web_url(), Some("https://git.example:8443"));
    }

    #[test]
    fn server_url_derived_from_api_url() {
        let ctx = detect(&env().with("CI_API_V4_URL", "https://git.example/api/v4")).expect("ok");
        assert_eq!(ctx.forge.web_url(), Some("https://git.example"));
    }

    #[test]
    fn no_urls_is_an_error() {
        let err = detect(&env()).expect_err("no url");
        assert!(err.to_string().contains("CI_SERVER_URL"));
    }

    #[test]
    fn non_numeric_project_id() {
        let err = detect(
            &env()
                .with("CI_SERVER_URL", "https://gitlab.com")
                .with("CI_PROJECT_ID", "abc"),
        )
        .expect_err("bad id");
        assert_eq!(
            err.to_string(),
            "`CI_PROJECT_ID` is `abc`, expected a numeric project id"
        );
    }

    #[test]
    fn fork_when_source_project_differs() {
        let ctx = detect(
            &env()
                .with("CI_SERVER_URL", "https://gitlab.com")
                .with("CI_MERGE_REQUEST_IID", "3")
                .with("CI_MERGE_REQUEST_PROJECT_ID", "7")
                .with("CI_MERGE_REQUEST_SOURCE_PROJECT_ID", "8"),
        )
        .expect("ok");
        assert!(ctx.change.expect("mr").is_fork);
    }
}
