//! Issue 12: `publish` with the tokens users give it, against the fake in its realistic mode:
//! Actions' `GITHUB_TOKEN` with `contents: write` on github.com and on GitHub Enterprise Server
//! (where assets go to the `upload_url` under `/api/uploads`), a token without `contents:
//! write` (refused in one line naming it), and GitLab's job token (accepted for packages and
//! releases).

use std::path::Path;

use modelci_test::{
    ACTIONS_LOGIN, ACTIONS_TOKEN, FORK_TOKEN, FakeServer, GITLAB_PROJECT, JOB_TOKEN,
};

use crate::harness::{EPOCH, Outcome, bundle_args, publish, refs, with};

const REPO: &str = "Codertocat/Hello-World";

fn github(api_url: String, token: &str, work: &Path) -> Outcome {
    let env = vec![
        ("SOURCE_DATE_EPOCH", EPOCH.to_owned()),
        ("GITHUB_REPOSITORY", REPO.to_owned()),
        ("GITHUB_API_URL", api_url),
        ("GITHUB_TOKEN", token.to_owned()),
    ];
    let args = with(
        &bundle_args(&work.join("out"), "1.2.0"),
        &["--to", "github"],
    );
    publish(work, &env, &refs(&args))
}

#[test]
fn actions_token_publishes_on_enterprise_server_through_the_upload_url() {
    let server = FakeServer::start();
    let work = tempfile::tempdir().expect("temp dir");
    let r = github(server.github_enterprise_url(), ACTIONS_TOKEN, work.path());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let releases = server.releases();
    assert_eq!(releases.len(), 1);
    assert!(!releases[0].draft);
    assert_eq!(releases[0].author.0, ACTIONS_LOGIN);
    assert_eq!(releases[0].assets.len(), 3);
    let uploads: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/assets"))
        .collect();
    assert_eq!(uploads.len(), 3, "{uploads:?}");
    assert!(
        uploads
            .iter()
            .all(|u| u.path.starts_with("/api/uploads/repos/")),
        "Enterprise Server uploads go to https://HOST/api/uploads/...: {uploads:?}"
    );
    assert!(!r.stderr.contains(ACTIONS_TOKEN) && !r.stdout.contains(ACTIONS_TOKEN));
    server.assert_no_violations();
    // A rerun finds everything in place.
    let again = github(server.github_enterprise_url(), ACTIONS_TOKEN, work.path());
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(server.releases()[0].assets.len(), 3);
    server.assert_no_violations();
}

#[test]
fn actions_token_publishes_on_github_com() {
    let server = FakeServer::start();
    let work = tempfile::tempdir().expect("temp dir");
    let r = github(server.github_url(), ACTIONS_TOKEN, work.path());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(server.releases()[0].assets.len(), 3);
    server.assert_no_violations();
}

#[test]
fn token_without_contents_write_is_refused_naming_it() {
    let server = FakeServer::start();
    let work = tempfile::tempdir().expect("temp dir");
    let r = github(server.github_url(), FORK_TOKEN, work.path());
    assert_eq!(r.code, 3, "{}", r.stderr);
    let error: Vec<&str> = r.stderr.lines().filter(|l| l.contains("error")).collect();
    assert_eq!(error.len(), 1, "one line: {}", r.stderr);
    assert!(
        error[0].contains("`contents: write`")
            && error[0].contains("Resource not accessible by integration"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains(FORK_TOKEN));
    assert!(server.releases().is_empty());
}

#[test]
fn gitlab_job_token_publishes_packages_and_the_release() {
    let server = FakeServer::start();
    let work = tempfile::tempdir().expect("temp dir");
    let env = vec![
        ("SOURCE_DATE_EPOCH", EPOCH.to_owned()),
        ("CI_API_V4_URL", server.gitlab_url()),
        ("CI_PROJECT_ID", "42".to_owned()),
        ("CI_PROJECT_PATH", GITLAB_PROJECT.to_owned()),
        ("CI_JOB_TOKEN", JOB_TOKEN.to_owned()),
    ];
    let args = with(
        &bundle_args(&work.path().join("out"), "1.2.0"),
        &["--to", "gitlab"],
    );
    let r = publish(work.path(), &env, &refs(&args));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(server.packages().len(), 3);
    assert_eq!(server.gitlab_releases().len(), 1);
    assert!(
        server.requests().iter().all(|r| r.path != "/api/v4/user"),
        "a job token connects through GET /job"
    );
    server.assert_no_violations();
}
