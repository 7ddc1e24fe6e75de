//! Recording on GitLab: a deployment created `running` for the tag and commit, then updated to
//! `success` or `failed` (validated against `fixtures/API.md` section 6 by the fake).

use modelci_test::{FakeServer, GITLAB_PROJECT, JOB_TOKEN};

use crate::harness::{SHA, deploy_notify, gitlab_env};
use crate::receiver::{Receiver, dead_url};

#[test]
fn records_a_gitlab_deployment_running_then_success() {
    let server = FakeServer::start();
    let hooks = Receiver::start();
    let hook = hooks.url("/h");
    let args = [
        "--environment",
        "production",
        "--version",
        "1.2.0",
        "--model-name",
        "digits",
        "--url",
        "https://models.example.com",
        "--webhook",
        &hook,
    ];
    let r = deploy_notify(&gitlab_env(server.gitlab_url()), &args);
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
    let deployments = server.deployments();
    assert_eq!(deployments.len(), 1);
    let d = &deployments[0];
    assert_eq!((d.host, d.repo.as_str()), ("gitlab", GITLAB_PROJECT));
    assert_eq!(d.environment, "production");
    assert_eq!(d.git_ref, "v1.2.0");
    assert_eq!(d.sha, SHA);
    assert_eq!(d.tag, Some(true));
    assert_eq!(d.request["status"], "running");
    assert_eq!(d.status.as_deref(), Some("success"));
    let states: Vec<String> = server
        .deployment_statuses()
        .into_iter()
        .map(|s| s.state)
        .collect();
    assert_eq!(states, ["running", "success"]);

    let body = &hooks.received()[0].body;
    assert_eq!(
        body["deployment"],
        serde_json::json!({"host": "gitlab", "id": d.id})
    );
    let web = server.gitlab_url().trim_end_matches("/api/v4").to_owned();
    assert_eq!(
        body["links"]["release"],
        format!("{web}/modelci/demo/-/releases/v1.2.0")
    );
    assert_eq!(
        body["links"]["run"],
        format!("{web}/modelci/demo/-/jobs/8001")
    );
    assert_eq!(body["repository"], GITLAB_PROJECT);
}

#[test]
fn a_failed_smoke_check_marks_the_gitlab_deployment_failed() {
    let server = FakeServer::start();
    let endpoint = dead_url("");
    let model = crate::harness::digits("baseline.onnx");
    let dataset = crate::harness::digits("test.npz");
    let args = [
        "--environment",
        "staging",
        "--version",
        "1.2.0",
        "--smoke-endpoint",
        &endpoint,
        "--model",
        model.to_str().expect("utf-8"),
        "--dataset",
        dataset.to_str().expect("utf-8"),
        "--ready-timeout",
        "1",
    ];
    let r = deploy_notify(&gitlab_env(server.gitlab_url()), &args);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let states: Vec<String> = server
        .deployment_statuses()
        .into_iter()
        .map(|s| s.state)
        .collect();
    assert_eq!(states, ["running", "failed"]);
}

#[test]
fn the_job_token_cannot_record_and_says_what_to_set() {
    let server = FakeServer::start();
    let mut env: Vec<(&str, String)> = gitlab_env(server.gitlab_url())
        .into_iter()
        .filter(|(k, _)| *k != "GITLAB_TOKEN")
        .collect();
    env.push(("CI_JOB_TOKEN", JOB_TOKEN.into()));
    let r = deploy_notify(&env, &["--environment", "production", "--version", "1.2.0"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("CI_JOB_TOKEN cannot record deployments"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("GITLAB_TOKEN"), "{}", r.stderr);
    assert!(server.deployments().is_empty());
    let r = deploy_notify(
        &env,
        &[
            "--environment",
            "production",
            "--version",
            "1.2.0",
            "--strict",
        ],
    );
    assert_eq!(r.code, 3, "{}", r.stderr);
}

#[test]
fn comments_on_the_merge_requests_of_the_deployed_commit_and_updates_on_the_next_deployment() {
    let server = FakeServer::start();
    server.seed_commit_pulls(GITLAB_PROJECT, SHA, &[3, 4]);
    let args = [
        "--environment",
        "production",
        "--version",
        "1.2.0",
        "--model-name",
        "digits",
        "--no-record",
    ];
    for _ in 0..2 {
        let r = deploy_notify(&gitlab_env(server.gitlab_url()), &args);
        assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
        assert!(!r.stderr.contains("warning"), "{}", r.stderr);
    }
    assert!(
        server.deployments().is_empty(),
        "--no-record records nothing"
    );
    for mr in [3, 4] {
        let notes = server.comments_by(GITLAB_PROJECT, mr, modelci_test::BOT_LOGIN);
        assert_eq!(
            notes.len(),
            1,
            "one sticky note on !{mr}, updated by the rerun"
        );
        assert!(
            notes[0]
                .body
                .contains("`digits` 1.2.0 deployed to production: success"),
            "{}",
            notes[0].body
        );
    }
    assert!(server.comments(GITLAB_PROJECT, 5).is_empty());
}

#[test]
fn a_job_token_cannot_comment_and_says_what_to_set() {
    let server = FakeServer::start();
    server.seed_commit_pulls(GITLAB_PROJECT, SHA, &[3]);
    let mut env = gitlab_env(server.gitlab_url());
    env.retain(|(k, _)| *k != "GITLAB_TOKEN");
    env.push(("CI_JOB_TOKEN", JOB_TOKEN.into()));
    let args = [
        "--environment",
        "production",
        "--version",
        "1.2.0",
        "--no-record",
    ];
    let r = deploy_notify(&env, &args);
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("cannot comment on the pull/merge requests of the deployed commit")
            && r.stderr.contains("set GITLAB_TOKEN"),
        "{}",
        r.stderr
    );
    assert!(server.comments(GITLAB_PROJECT, 3).is_empty());
    // The same with --strict is a failure of the code host step.
    let strict: Vec<&str> = args.iter().copied().chain(["--strict"]).collect();
    assert_eq!(deploy_notify(&env, &strict).code, 3);
}
