//! Token precedence and keeping tokens out of logs.

use modelci_ci::output::workflow_command::add_mask_command;
use modelci_ci::{Env, GITLAB_JOB_TOKEN_ONLY_MESSAGE, Provider, Secret, TokenChoice, detect};

use crate::{env_fixture, no_files};

#[test]
fn github_precedence_through_detect() {
    let env = Env::new()
        .with("TRAVIS", "true")
        .with("TRAVIS_REPO_SLUG", "o/r")
        .with("GITHUB_TOKEN", "generic-token")
        .with("MODELCI_GITHUB_TOKEN", "modelci-token");
    let ctx = detect(&env, &no_files).expect("ok");
    assert_eq!(ctx.provider, Provider::Travis);
    match &ctx.token {
        TokenChoice::Found { token, source } => {
            assert_eq!(token.expose(), "modelci-token");
            assert_eq!(*source, "MODELCI_GITHUB_TOKEN");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn job_token_only_explains_what_to_do() {
    let ctx = detect(&env_fixture("gitlab/merge_request.env"), &no_files).expect("ok");
    let problem = ctx.token.problem().expect("a problem");
    assert_eq!(problem, GITLAB_JOB_TOKEN_ONLY_MESSAGE);
    assert!(problem.contains("cannot write merge request notes"));
    assert!(problem.contains("`api` scope"));
    assert!(problem.contains("masked CI/CD variable named `GITLAB_TOKEN`"));
}

#[test]
fn tokens_never_appear_in_debug_output() {
    let env = env_fixture("gitlab/merge_request.env").with("GITLAB_TOKEN", "glpat-SECRETVALUE");
    let ctx = detect(&env, &no_files).expect("ok");
    for shown in [
        format!("{ctx:?}"),
        format!("{ctx:#?}"),
        format!("{env:?}"),
        format!("{}", ctx.token),
    ] {
        assert!(!shown.contains("SECRETVALUE"), "{shown}");
        assert!(!shown.contains("job-token-value-not-real"), "{shown}");
    }
    let secret = Secret::new("glpat-SECRETVALUE");
    assert_eq!(format!("{secret}|{secret:?}"), "***|***");
}

#[test]
fn add_mask_line() {
    assert_eq!(
        add_mask_command(&Secret::new("ghs_16C7e42F292c6912E7710c838347Ae178B4a")),
        "::add-mask::ghs_16C7e42F292c6912E7710c838347Ae178B4a\n"
    );
}
