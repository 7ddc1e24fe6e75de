//! GitHub Actions: the environment says where we are, the event payload says which pull request.
//!
//! `GITHUB_HEAD_REF`/`GITHUB_BASE_REF` carry branch names but not the PR number or commits, so for
//! pull request events we read the webhook payload at `GITHUB_EVENT_PATH`. Events without a pull
//! request (push, `workflow_dispatch`, release, ...) never touch the file.

use std::path::Path;

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::{DetectError, ReadFile, owned, require, require_github_slug, trim_url};
use crate::context::{ChangeRequest, CiContext, Forge, Provider};
use crate::env::Env;
use crate::env_vars::EnvVars;
use crate::token::resolve_token;

/// The API root on github.com, used when `GITHUB_API_URL` is unset.
const DEFAULT_API_URL: &str = "https://api.github.com";
/// The web root on github.com, used when `GITHUB_SERVER_URL` is unset.
const DEFAULT_SERVER_URL: &str = "https://github.com";

/// Events whose payload has a top-level `pull_request` object.
const PULL_REQUEST_EVENTS: &[&str] = &[
    "pull_request",
    "pull_request_target",
    "pull_request_review",
    "pull_request_review_comment",
];

#[derive(Deserialize)]
struct PullRequestEvent {
    pull_request: PullRequest,
}

#[derive(Deserialize)]
struct PullRequest {
    number: u64,
    base: Branch,
    head: Branch,
}

#[derive(Deserialize)]
struct Branch {
    #[serde(rename = "ref")]
    name: Option<String>,
    sha: Option<String>,
    /// `null` when the head repository (a fork) has been deleted.
    repo: Option<Repo>,
}

#[derive(Deserialize)]
struct Repo {
    id: Option<u64>,
    full_name: Option<String>,
    #[serde(default)]
    fork: bool,
}

#[derive(Deserialize)]
struct WorkflowRunEvent {
    workflow_run: WorkflowRun,
}

#[derive(Deserialize)]
struct WorkflowRun {
    head_sha: Option<String>,
    #[serde(default)]
    pull_requests: Vec<PullRequest>,
    head_repository: Option<Repo>,
    repository: Option<Repo>,
}

pub(super) fn detect(env: &Env, read_file: ReadFile<'_>) -> Result<CiContext, DetectError> {
    let provider = Provider::GitHubActions;
    let (slug, repository) = require_github_slug(env, provider, EnvVars::GITHUB_REPOSITORY)?;
    let web_url = trim_url(
        env.get(EnvVars::GITHUB_SERVER_URL)
            .unwrap_or(DEFAULT_SERVER_URL),
    );
    let forge = Forge::GitHub {
        api_url: trim_url(env.get(EnvVars::GITHUB_API_URL).unwrap_or(DEFAULT_API_URL)),
        web_url: web_url.clone(),
    };
    let run_url = env
        .get(EnvVars::GITHUB_RUN_ID)
        .map(|id| format!("{web_url}/{slug}/actions/runs/{id}"));
    let mut commit_sha = owned(env.get(EnvVars::GITHUB_SHA));

    let event = env.get(EnvVars::GITHUB_EVENT_NAME).unwrap_or_default();
    let change = if PULL_REQUEST_EVENTS.contains(&event) {
        let payload: PullRequestEvent = read_event(env, read_file, event)?;
        Some(payload.pull_request.into_change())
    } else if event == "workflow_run" {
        // The run evaluates the commit of the run that triggered it, not `GITHUB_SHA` (the
        // default branch's head). GitHub leaves `pull_requests` empty for fork PRs.
        let payload: WorkflowRunEvent = read_event(env, read_file, event)?;
        let run = payload.workflow_run;
        if run.head_sha.is_some() {
            commit_sha.clone_from(&run.head_sha);
        }
        let run_is_fork = match (&run.head_repository, &run.repository) {
            (Some(head), Some(base)) => head.full_name != base.full_name,
            _ => false,
        };
        run.pull_requests.into_iter().next().map(|pr| {
            let mut change = pr.into_change();
            change.is_fork |= run_is_fork;
            change
        })
    } else {
        None
    };

    let token = resolve_token(env, &forge);
    Ok(CiContext {
        provider,
        forge,
        repository: Some(repository),
        change,
        commit_sha,
        run_url,
        token,
    })
}

impl PullRequest {
    fn into_change(self) -> ChangeRequest {
        let is_fork = match (&self.head.repo, &self.base.repo) {
            // A deleted head repository can only have been a fork.
            (None, _) => true,
            (Some(head), Some(base)) => {
                head.fork
                    || match (&head.full_name, &base.full_name) {
                        (Some(h), Some(b)) => h != b,
                        // `workflow_run`'s short PR objects have ids but no names.
                        _ => head.id.is_some() && base.id.is_some() && head.id != base.id,
                    }
            }
            (Some(head), None) => head.fork,
        };
        ChangeRequest {
            number: self.number,
            base_ref: self.base.name,
            head_ref: self.head.name,
            base_sha: self.base.sha,
            head_sha: self.head.sha,
            is_fork,
        }
    }
}

fn read_event<T: DeserializeOwned>(
    env: &Env,
    read_file: ReadFile<'_>,
    event: &str,
) -> Result<T, DetectError> {
    let path = Path::new(require(
        env,
        Provider::GitHubActions,
        EnvVars::GITHUB_EVENT_PATH,
    )?);
    let text = read_file(path).map_err(|source| DetectError::ReadEvent {
        path: path.to_owned(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| DetectError::ParseEvent {
        event: event.to_owned(),
        path: path.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use std::io;

    use super::*;

    fn env() -> Env {
        Env::new()
            .with("GITHUB_ACTIONS", "true")
            .with("GITHUB_REPOSITORY", "octo/repo")
            .with("GITHUB_RUN_ID", "99")
            .with("GITHUB_SHA", "abc")
            .with("GITHUB_EVENT_PATH", "/event.json")
    }

    fn payload(json: &'static str) -> impl Fn(&Path) -> io::Result<String> {
        move |_| Ok(json.to_owned())
    }

    #[test]
    fn defaults_to_github_com() {
        let ctx = detect(&env().with("GITHUB_EVENT_NAME", "push"), &payload("")).expect("ok");
        assert_eq!(
            ctx.forge,
            Forge::GitHub {
                api_url: DEFAULT_API_URL.into(),
                web_url: DEFAULT_SERVER_URL.into()
            }
        );
        assert_eq!(
            ctx.run_url.as_deref(),
            Some("https://github.com/octo/repo/actions/runs/99")
        );
    }

    #[test]
    fn deleted_head_repo_counts_as_fork() {
        let json = r#"{"pull_request":{"number":3,
            "base":{"ref":"main","sha":"b","repo":{"full_name":"octo/repo","fork":false}},
            "head":{"ref":"x","sha":"h","repo":null}}}"#;
        let ctx = detect(
            &env().with("GITHUB_EVENT_NAME", "pull_request"),
            &payload(json),
        )
        .expect("ok");
        assert!(ctx.change.expect("pr").is_fork);
    }

    #[test]
    fn workflow_run_short_pr_objects_compare_repo_ids() {
        let json = r#"{"workflow_run":{"head_sha":"h1","pull_requests":[{"number":5,
            "base":{"ref":"main","sha":"b1","repo":{"id":1,"url":"u","name":"repo"}},
            "head":{"ref":"f","sha":"h1","repo":{"id":2,"url":"u2","name":"repo"}}}]}}"#;
        let ctx = detect(
            &env().with("GITHUB_EVENT_NAME", "workflow_run"),
            &payload(json),
        )
        .expect("ok");
        let change = ctx.change.expect("pr");
        assert_eq!(change.number, 5);
        assert!(change.is_fork);
        assert_eq!(ctx.commit_sha.as_deref(), Some("h1"));
    }

    #[test]
    fn broken_payload_names_event_and_path() {
        let err = detect(
            &env().with("GITHUB_EVENT_NAME", "pull_request"),
            &payload("{\"pull_request\": {}}"),
        )
        .expect_err("broken");
        assert_eq!(
            err.to_string(),
            "the GitHub `pull_request` event payload `/event.json` is not valid"
        );
    }

    #[test]
    fn bad_repository_slug() {
        let err =
            detect(&env().with("GITHUB_REPOSITORY", "nope"), &payload("")).expect_err("bad slug");
        assert_eq!(
            err.to_string(),
            "`GITHUB_REPOSITORY` is `nope`, expected `owner/repo`"
        );
    }
}
