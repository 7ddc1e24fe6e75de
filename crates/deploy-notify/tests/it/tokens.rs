//! Issue 12: `deploy-notify` with the token users give it (the README's release workflow passes
//! `GITHUB_TOKEN: ${{ github.token }}` with `deployments: write` and `pull-requests: write`),
//! against the fake in its realistic mode; a token without `deployments: write` is refused in
//! one line naming it; a GitLab project access token records and comments as its bot user.

use modelci_test::{
    ACTIONS_LOGIN, ACTIONS_TOKEN, FakeServer, GITLAB_PROJECT, PROJECT_BOT_LOGIN, PROJECT_TOKEN,
    Permissions, TokenKind,
};

use crate::harness::{GITHUB_REPO, SHA, deploy_notify, github_env, gitlab_env};

const ARGS: [&str; 6] = [
    "--environment",
    "production",
    "--version",
    "1.2.0",
    "--model-name",
    "digits",
];

fn with_token(
    mut env: Vec<(&'static str, String)>,
    name: &'static str,
    token: &str,
) -> Vec<(&'static str, String)> {
    env.retain(|(k, _)| *k != "GITHUB_TOKEN" && *k != "GITLAB_TOKEN");
    env.push((name, token.to_owned()));
    env
}

#[test]
fn actions_token_records_the_deployment_and_comments_as_github_actions() {
    let server = FakeServer::start();
    server.seed_commit_pulls(GITHUB_REPO, SHA, &[2]);
    let env = with_token(
        github_env(server.github_url()),
        "GITHUB_TOKEN",
        ACTIONS_TOKEN,
    );
    for _ in 0..2 {
        let r = deploy_notify(&env, &ARGS);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(!r.stderr.contains("warning"), "{}", r.stderr);
        assert!(!r.stderr.contains(ACTIONS_TOKEN));
    }
    assert_eq!(server.deployments().len(), 2, "one record per run");
    assert!(
        server
            .deployments()
            .iter()
            .all(|d| d.creator == ACTIONS_LOGIN)
    );
    assert_eq!(
        server.comments_by(GITHUB_REPO, 2, ACTIONS_LOGIN).len(),
        1,
        "one sticky comment across reruns"
    );
    assert!(server.requests().iter().all(|r| r.path != "/user"));
    server.assert_no_violations();
}

#[test]
fn token_without_deployments_write_warns_naming_it() {
    let server = FakeServer::start();
    let token = "ghs_noDeploymentsPermission000000000000";
    server.add_user(
        token,
        ACTIONS_LOGIN,
        TokenKind::Installation(Permissions {
            deployments_write: false,
            ..Permissions::WRITE_ALL
        }),
    );
    let env = with_token(github_env(server.github_url()), "GITHUB_TOKEN", token);
    let r = deploy_notify(&env, &ARGS);
    assert_eq!(r.code, 0, "a refused record is a warning: {}", r.stderr);
    let warning: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.contains("`deployments: write`"))
        .collect();
    assert_eq!(
        warning.len(),
        1,
        "one line naming the permission: {}",
        r.stderr
    );
    assert!(warning[0].contains("Resource not accessible by integration"));
    assert!(server.deployments().is_empty());
    let strict = deploy_notify(&env, &[&ARGS[..], &["--strict"]].concat());
    assert_eq!(strict.code, 3, "{}", strict.stderr);
}

#[test]
fn gitlab_project_access_token_records_and_comments_as_its_bot() {
    let server = FakeServer::start();
    let env = with_token(
        gitlab_env(server.gitlab_url()),
        "GITLAB_TOKEN",
        PROJECT_TOKEN,
    );
    let r = deploy_notify(&env, &ARGS);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains(PROJECT_TOKEN));
    let deployments = server.deployments();
    assert_eq!(deployments.len(), 1);
    assert_eq!(deployments[0].creator, PROJECT_BOT_LOGIN);
    assert_eq!(deployments[0].repo, GITLAB_PROJECT);
    server.assert_no_violations();
}
