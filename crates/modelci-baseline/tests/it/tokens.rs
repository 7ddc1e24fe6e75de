//! Issue 12: release baselines read with the tokens users give them, against the fake in its
//! realistic mode: Actions' `GITHUB_TOKEN` (an installation token, never sent to `GET /user`,
//! reading needs only `contents: read`), GitLab's `CI_JOB_TOKEN` (accepted by the releases and
//! generic packages APIs) and a GitLab project access token.

use modelci_baseline::{Source, resolve};
use modelci_ci::{CiContext, Env};
use modelci_test::{ACTIONS_TOKEN, FORK_TOKEN, GITLAB_PROJECT_ID, JOB_TOKEN, PROJECT_TOKEN};

use crate::harness::{context, digits, sha};

/// Resolves `source` and checks it is the example's `model`.
fn latest_is(model: &str, env: Env, work: &std::path::Path, source: &str) {
    let ctx = context(CiContext::local(), env, &work.join("cache"));
    let found = resolve(&source.parse::<Source>().expect("parses"), &ctx)
        .expect("resolves")
        .expect("found");
    assert_eq!(sha(&found.path), sha(&digits(model)));
}

#[test]
fn github_release_with_actions_token_and_a_read_only_fork_token() {
    let work = tempfile::tempdir().expect("tempdir");
    let server = crate::github::seeded(work.path());
    for token in [ACTIONS_TOKEN, FORK_TOKEN] {
        let env = Env::new()
            .with("GITHUB_REPOSITORY", crate::github::REPO)
            .with("GITHUB_API_URL", server.github_url())
            .with("GITHUB_TOKEN", token);
        // v1.0.0: v1.1.0 is a prerelease, v1.2.0 a draft.
        let dir = work.path().join(&token[..8]);
        latest_is("baseline.onnx", env, &dir, "github-release:latest");
    }
    assert!(server.requests().iter().all(|r| r.path != "/user"));
    server.assert_no_violations();
}

#[test]
fn gitlab_release_with_the_job_token_and_a_project_token() {
    let work = tempfile::tempdir().expect("tempdir");
    let server = crate::gitlab::seeded(work.path());
    for (name, token) in [("CI_JOB_TOKEN", JOB_TOKEN), ("GITLAB_TOKEN", PROJECT_TOKEN)] {
        let env = Env::new()
            .with("CI_API_V4_URL", server.gitlab_url())
            .with("CI_PROJECT_ID", GITLAB_PROJECT_ID.to_string())
            .with(name, token);
        // v1.1.0: v1.2.0 is upcoming, v1.3.0 has no bundle.
        let dir = work.path().join(name);
        latest_is("candidate.onnx", env, &dir, "gitlab-release:latest");
    }
    let job_requests: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.path == "/api/v4/user")
        .collect();
    assert!(
        job_requests.iter().all(|r| r.status == 200),
        "only the project token asks for its user: {job_requests:?}"
    );
    server.assert_no_violations();
}
