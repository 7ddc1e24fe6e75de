//! Snapshots of deploy-notify for the digits example (issue 13): what it prints and the
//! webhook and Slack messages it sends (deploy-notify writes no report.md), recording on the
//! fake GitHub. Paths, ports, the version and times are filtered (`modelci_test::snapshot`).

use modelci_test::FakeServer;
use modelci_test::harness::{Run, repo};
use modelci_test::snapshot::{json, settings};

use crate::harness::github_env;
use crate::receiver::Receiver;

#[test]
fn digits_example_messages_and_stdout() {
    let server = FakeServer::start();
    let hooks = Receiver::start();
    let report = repo().join("crates/publish/tests/fixtures/report.json");
    let mut run = Run::new(env!("CARGO_BIN_EXE_deploy-notify"));
    for (key, value) in github_env(server.github_url()) {
        run = run.env(key, value);
    }
    let run = run
        .args(["--environment", "production", "--version", "1.2.0"])
        .args(["--url", "https://models.example.com/digits"])
        .args(["--model-name", "digits", "--report"])
        .arg(&report)
        .args(["--no-comment", "--webhook"])
        .arg(hooks.url("/generic"))
        .arg("--slack-webhook")
        .arg(hooks.url("/services/T0/B0/slack-secret"))
        .output();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let received = hooks.received();
    let body = |suffix: &str| {
        received
            .iter()
            .find(|r| r.path.ends_with(suffix))
            .map(|r| r.body.clone())
            .expect("message received")
    };
    let volatile = |k: &str| matches!(k, "timestamp" | "time" | "created_at" | "ts");
    let mut settings = settings(&[]);
    settings.add_filter(r"127\.0\.0\.1:\d+", "[HOST]");
    settings.add_filter(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z", "[DATE]");
    settings.bind(|| {
        insta::assert_snapshot!("deploy_notify_stdout", run.stdout);
        insta::assert_snapshot!(
            "deploy_notify_webhook_json",
            json(&body("/generic"), &volatile)
        );
        insta::assert_snapshot!(
            "deploy_notify_slack_json",
            json(&body("slack-secret"), &volatile)
        );
    });
}
