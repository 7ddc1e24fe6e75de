//! GitLab CI detection from a merge request pipeline's predefined variables.

use modelci_ci::{Forge, Provider, Repository, TokenChoice, detect};

use crate::{env_fixture, no_files};

#[test]
fn merge_request_pipeline() {
    let env = env_fixture("gitlab/merge_request.env");
    let ctx = detect(&env, &no_files).expect("ok");
    assert_eq!(ctx.provider, Provider::GitLabCi);
    assert_eq!(
        ctx.forge,
        Forge::GitLab {
            api_url: "https://gitlab.example.com/api/v4".into(),
            web_url: "https://gitlab.example.com".into()
        }
    );
    let repo = ctx.repository.clone().expect("repo");
    assert_eq!(
        repo,
        Repository::GitLab {
            id: Some(4242),
            path: Some("ml-team/vision/classifier".into())
        }
    );
    assert_eq!(repo.gitlab_api_id().as_deref(), Some("4242"));
    let change = ctx.change.clone().expect("mr");
    assert_eq!(change.number, 17);
    assert_eq!(change.base_ref.as_deref(), Some("main"));
    assert_eq!(
        change.head_ref.as_deref(),
        Some("feature/int8-quantization")
    );
    assert_eq!(
        change.base_sha.as_deref(),
        Some("1b6e0c9d8a7f6e5d4c3b2a1908f7e6d5c4b3a291")
    );
    // The source branch SHA is empty outside merged results pipelines: the commit is the head.
    assert_eq!(change.head_sha, ctx.commit_sha);
    assert!(!change.is_fork);
    assert_eq!(
        ctx.run_url.as_deref(),
        Some("https://gitlab.example.com/ml-team/vision/classifier/-/jobs/987654")
    );
    // Only the job token is in the fixture.
    assert!(matches!(ctx.token, TokenChoice::GitLabJobTokenOnly { .. }));
    insta::assert_debug_snapshot!(ctx);
}

#[test]
fn merged_results_pipeline_uses_source_branch_sha() {
    let env = env_fixture("gitlab/merge_request.env")
        .with("CI_MERGE_REQUEST_SOURCE_BRANCH_SHA", "5ource5ha");
    let ctx = detect(&env, &no_files).expect("ok");
    assert_eq!(
        ctx.change.expect("mr").head_sha.as_deref(),
        Some("5ource5ha")
    );
}

#[test]
fn branch_pipeline_has_no_change() {
    let env = env_fixture("gitlab/merge_request.env")
        .without("CI_MERGE_REQUEST_IID")
        .without("CI_JOB_URL");
    let ctx = detect(&env, &no_files).expect("ok");
    assert!(ctx.change.is_none());
    assert_eq!(
        ctx.run_url.as_deref(),
        Some("https://gitlab.example.com/ml-team/vision/classifier/-/pipelines/123456")
    );
}

#[test]
fn fork_merge_request() {
    let env =
        env_fixture("gitlab/merge_request.env").with("CI_MERGE_REQUEST_SOURCE_PROJECT_ID", "9999");
    let ctx = detect(&env, &no_files).expect("ok");
    assert!(ctx.change.expect("mr").is_fork);
}

#[test]
fn bad_iid() {
    let env = env_fixture("gitlab/merge_request.env").with("CI_MERGE_REQUEST_IID", "!17");
    let err = detect(&env, &no_files).expect_err("bad");
    assert_eq!(
        err.to_string(),
        "`CI_MERGE_REQUEST_IID` is `!17`, expected a positive number"
    );
}

#[test]
fn project_access_token_wins_over_job_token() {
    let env = env_fixture("gitlab/merge_request.env").with("GITLAB_TOKEN", "glpat-xyz");
    let ctx = detect(&env, &no_files).expect("ok");
    assert_eq!(ctx.token.token().map(|t| t.expose()), Some("glpat-xyz"));
    assert!(ctx.token.problem().is_none());
}
