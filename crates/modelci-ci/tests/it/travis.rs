//! Travis CI detection: pull request and push builds.

use modelci_ci::{Env, Forge, Provider, detect};

use crate::no_files;

fn travis() -> Env {
    Env::new()
        .with("TRAVIS", "true")
        .with("TRAVIS_REPO_SLUG", "octo-org/classifier")
        .with("TRAVIS_COMMIT", "d0c5a1e")
        .with(
            "TRAVIS_BUILD_WEB_URL",
            "https://app.travis-ci.com/octo-org/classifier/builds/1",
        )
}

#[test]
fn pull_request_build() {
    let env = travis()
        .with("TRAVIS_PULL_REQUEST", "42")
        .with("TRAVIS_BRANCH", "main")
        .with("TRAVIS_PULL_REQUEST_BRANCH", "feature")
        .with("TRAVIS_PULL_REQUEST_SHA", "feedbee")
        .with("TRAVIS_PULL_REQUEST_SLUG", "octo-org/classifier");
    let ctx = detect(&env, &no_files).expect("ok");
    assert_eq!(ctx.provider, Provider::Travis);
    assert!(matches!(ctx.forge, Forge::GitHub { .. }));
    let change = ctx.change.expect("pr");
    assert_eq!(change.number, 42);
    assert_eq!(change.base_ref.as_deref(), Some("main"));
    assert_eq!(change.head_ref.as_deref(), Some("feature"));
    assert_eq!(change.head_sha.as_deref(), Some("feedbee"));
    assert!(!change.is_fork);
    assert_eq!(ctx.commit_sha.as_deref(), Some("d0c5a1e"));

    let fork = env.with("TRAVIS_PULL_REQUEST_SLUG", "forker/classifier");
    assert!(
        detect(&fork, &no_files)
            .expect("ok")
            .change
            .expect("pr")
            .is_fork
    );
}

#[test]
fn push_build() {
    let env = travis()
        .with("TRAVIS_PULL_REQUEST", "false")
        .with("TRAVIS_BRANCH", "main");
    let ctx = detect(&env, &no_files).expect("ok");
    assert!(ctx.change.is_none());
    assert_eq!(
        ctx.run_url.as_deref(),
        Some("https://app.travis-ci.com/octo-org/classifier/builds/1")
    );
    assert_eq!(
        ctx.repository.map(|r| r.to_string()).as_deref(),
        Some("octo-org/classifier")
    );
}
