//! `--issue` in scheduled pipelines against the fake code host: one issue per key, opened on
//! drift, updated, closed when the data is healthy again.

use std::path::Path;

use modelci_test::harness::{Outcome, Run};
use modelci_test::{ACTIONS_LOGIN, ACTIONS_TOKEN, FakeServer};

use crate::example::example;

const REPO: &str = "modelci/demo";

pub(crate) fn github_schedule(server: &FakeServer, token: &str) -> Vec<(&'static str, String)> {
    vec![
        ("GITHUB_ACTIONS", "true".into()),
        ("GITHUB_EVENT_NAME", "schedule".into()),
        ("GITHUB_REF", "refs/heads/main".into()),
        ("GITHUB_REPOSITORY", REPO.into()),
        ("GITHUB_API_URL", server.github_url()),
        ("GITHUB_SERVER_URL", "https://github.com".into()),
        ("GITHUB_RUN_ID", "4242".into()),
        (
            "GITHUB_SHA",
            "0123456789abcdef0123456789abcdef01234567".into(),
        ),
        ("GITHUB_TOKEN", token.into()),
    ]
}

fn gitlab_schedule(
    server: &FakeServer,
    token: (&'static str, &str),
) -> Vec<(&'static str, String)> {
    let api = server.gitlab_url();
    let web = api.trim_end_matches("/api/v4").to_owned();
    vec![
        ("GITLAB_CI", "true".into()),
        ("CI_PIPELINE_SOURCE", "schedule".into()),
        ("CI_SERVER_URL", web.clone()),
        ("CI_API_V4_URL", api),
        ("CI_PROJECT_ID", modelci_test::GITLAB_PROJECT_ID.to_string()),
        ("CI_PROJECT_PATH", modelci_test::GITLAB_PROJECT.into()),
        (
            "CI_COMMIT_SHA",
            "0123456789abcdef0123456789abcdef01234567".into(),
        ),
        ("CI_COMMIT_REF_NAME", "main".into()),
        ("CI_JOB_URL", format!("{web}/modelci/demo/-/jobs/8001")),
        (token.0, token.1.into()),
    ]
}

fn monitor(out: &Path, env: &[(&'static str, String)], current: &str, key: &str) -> Outcome {
    let summary = out.join("summary.md");
    std::fs::create_dir_all(out).unwrap();
    let mut run = Run::new(env!("CARGO_BIN_EXE_drift-check"))
        .arg("--output-dir")
        .arg(out.join("r"))
        .args(["--issue", "--issue-key", key, "--reference"])
        .arg(example("reference.csv"))
        .arg("--current")
        .arg(example(current))
        .env("GITHUB_STEP_SUMMARY", &summary);
    for (k, v) in env {
        run = run.env(k, v);
    }
    run.output()
}

#[test]
fn github_scheduled_runs_open_update_and_close_one_issue() {
    let server = FakeServer::start();
    let work = tempfile::tempdir().unwrap();
    let env = github_schedule(&server, ACTIONS_TOKEN);
    let first = monitor(&work.path().join("1"), &env, "current.csv", "production");
    assert_eq!(first.code, 1, "{}\n{}", first.stdout, first.stderr);
    assert!(
        first.stdout.contains("drift-check: issue opened #"),
        "{}",
        first.stdout
    );
    let second = monitor(&work.path().join("2"), &env, "current.csv", "production");
    assert_eq!(second.code, 1, "{}", second.stderr);
    assert!(
        second.stdout.contains("drift-check: issue updated #"),
        "{}",
        second.stdout
    );
    let issues = server.issues();
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0].author, ACTIONS_LOGIN);
    assert!(
        issues[0].title.starts_with("drift-check (production): "),
        "{}",
        issues[0].title
    );
    assert!(
        issues[0]
            .body
            .contains("<!-- modelci:drift-check:production -->")
    );
    assert!(
        issues[0].body.contains("| worst\\_area | continuous |"),
        "{}",
        issues[0].body
    );
    assert!(
        !issues[0].body.contains("!["),
        "charts are files of the run, not links: {}",
        issues[0].body
    );
    assert!(
        issues[0]
            .body
            .contains("https://github.com/modelci/demo/actions/runs/4242"),
        "{}",
        issues[0].body
    );

    let healthy = monitor(&work.path().join("3"), &env, "stable.csv", "production");
    assert_eq!(healthy.code, 0, "{}\n{}", healthy.stdout, healthy.stderr);
    assert!(
        healthy.stdout.contains("drift-check: issue closed #"),
        "{}",
        healthy.stdout
    );
    let issues = server.issues();
    assert_eq!(issues[0].state, "closed");
    let comments = server.comments(REPO, issues[0].number);
    assert_eq!(comments.len(), 1);
    assert!(
        comments[0]
            .body
            .starts_with("✅ drift-check (production): no drift"),
        "{}",
        comments[0].body
    );
    server.assert_no_violations();
}

#[test]
fn gitlab_scheduled_runs_open_and_close_the_issue() {
    let server = FakeServer::start();
    let work = tempfile::tempdir().unwrap();
    let env = gitlab_schedule(&server, ("GITLAB_TOKEN", modelci_test::PROJECT_TOKEN));
    let drifted = monitor(&work.path().join("1"), &env, "current.csv", "staging");
    assert_eq!(drifted.code, 1, "{}\n{}", drifted.stdout, drifted.stderr);
    assert!(
        drifted.stdout.contains("issue opened #"),
        "{}",
        drifted.stdout
    );
    let healthy = monitor(&work.path().join("2"), &env, "stable.csv", "staging");
    assert_eq!(healthy.code, 0, "{}\n{}", healthy.stdout, healthy.stderr);
    let issues = server.issues();
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].state, "closed");
    server.assert_no_violations();
}

#[test]
fn the_job_token_cannot_keep_the_issue_and_says_which_token_can() {
    let server = FakeServer::start();
    let work = tempfile::tempdir().unwrap();
    let env = gitlab_schedule(&server, ("CI_JOB_TOKEN", modelci_test::JOB_TOKEN));
    // Drift stays the news (exit 1); the issue trouble is one error line.
    let drifted = monitor(&work.path().join("1"), &env, "current.csv", "production");
    assert_eq!(drifted.code, 1, "{}\n{}", drifted.stdout, drifted.stderr);
    let error: Vec<&str> = drifted
        .stderr
        .lines()
        .filter(|l| l.contains("error:"))
        .collect();
    assert_eq!(error.len(), 1, "{}", drifted.stderr);
    assert!(error[0].contains("--issue"), "{}", error[0]);
    assert!(
        error[0].contains("`api` scope") && error[0].contains("CI_JOB_TOKEN cannot"),
        "{}",
        error[0]
    );
    // Healthy: the host's refusal is the outcome, exit 3.
    let healthy = monitor(&work.path().join("2"), &env, "stable.csv", "production");
    assert_eq!(healthy.code, 3, "{}\n{}", healthy.stdout, healthy.stderr);
    assert_eq!(
        healthy.stderr.matches("GitLab refused").count(),
        1,
        "{}",
        healthy.stderr
    );
    assert!(server.issues().is_empty());
}
