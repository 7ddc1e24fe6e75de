//! Travis CI: always a GitHub repository, with `TRAVIS_PULL_REQUEST` telling PR from push.

use super::{DetectError, owned, parse_number, require_github_slug, trim_url};
use crate::context::{ChangeRequest, CiContext, Forge, Provider};
use crate::env::Env;
use crate::env_vars::EnvVars;
use crate::token::resolve_token;

pub(super) fn detect(env: &Env) -> Result<CiContext, DetectError> {
    let provider = Provider::Travis;
    let (slug, repository) = require_github_slug(env, provider, EnvVars::TRAVIS_REPO_SLUG)?;
    let forge = Forge::GitHub {
        api_url: env
            .get(EnvVars::MODELCI_API_URL)
            .map_or_else(|| "https://api.github.com".to_owned(), trim_url),
        web_url: "https://github.com".to_owned(),
    };
    let change = match env.get(EnvVars::TRAVIS_PULL_REQUEST) {
        None | Some("false") => None,
        Some(number) => Some(ChangeRequest {
            number: parse_number(EnvVars::TRAVIS_PULL_REQUEST, number)?,
            // For a pull request build, TRAVIS_BRANCH is the target branch.
            base_ref: owned(env.get(EnvVars::TRAVIS_BRANCH)),
            head_ref: owned(env.get(EnvVars::TRAVIS_PULL_REQUEST_BRANCH)),
            base_sha: None,
            head_sha: owned(env.get(EnvVars::TRAVIS_PULL_REQUEST_SHA)),
            is_fork: env
                .get(EnvVars::TRAVIS_PULL_REQUEST_SLUG)
                .is_some_and(|head| head != slug),
        }),
    };
    let token = resolve_token(env, &forge);
    Ok(CiContext {
        provider,
        forge,
        repository: Some(repository),
        change,
        commit_sha: owned(env.get(EnvVars::TRAVIS_COMMIT)),
        run_url: owned(env.get(EnvVars::TRAVIS_BUILD_WEB_URL)),
        token,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_pull_request_value() {
        let env = Env::new()
            .with("TRAVIS", "true")
            .with("TRAVIS_REPO_SLUG", "o/r")
            .with("TRAVIS_PULL_REQUEST", "yes");
        let err = detect(&env).expect_err("bad");
        assert_eq!(
            err.to_string(),
            "`TRAVIS_PULL_REQUEST` is `yes`, expected a positive number"
        );
    }

    #[test]
    fn missing_slug() {
        let err = detect(&Env::new().with("TRAVIS", "true")).expect_err("missing");
        assert_eq!(
            err.to_string(),
            "Travis CI detected, but `TRAVIS_REPO_SLUG` is not set"
        );
    }
}
