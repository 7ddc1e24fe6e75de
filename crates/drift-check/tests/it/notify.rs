//! `--slack-webhook` / `--webhook`: drift and recovery announced to a local receiver, healthy
//! runs quiet, webhook URLs never printed or written.

use std::path::Path;

use modelci_test::harness::{Outcome, Run, report_json};
use modelci_test::receiver::{Receiver, dead_url};
use modelci_test::{ACTIONS_TOKEN, FakeServer};

use crate::example::example;

const SLACK_PATH: &str = "/services/T0AAA/B0BBB/SlackSecret123";
const HOOK_PATH: &str = "/hooks/drift?token=HookSecret456";

fn check(out: &Path, current: &str, extra: &[String], env: &[(&str, String)]) -> Outcome {
    let mut run = Run::new(env!("CARGO_BIN_EXE_drift-check"))
        .arg("--output-dir")
        .arg(out)
        .arg("--reference")
        .arg(example("reference.csv"))
        .args(["--ignore", "site", "--current"])
        .arg(example(current))
        .args(extra);
    for (k, v) in env {
        run = run.env(k, v);
    }
    run.output()
}

fn hooks(receiver: &Receiver) -> Vec<String> {
    vec![
        "--slack-webhook".into(),
        receiver.url(SLACK_PATH),
        "--webhook".into(),
        receiver.url(HOOK_PATH),
    ]
}

fn assert_no_secrets(out: &Path, run: &Outcome) {
    let report_md = std::fs::read_to_string(out.join("report.md")).unwrap_or_default();
    let report_json = std::fs::read_to_string(out.join("report.json")).unwrap_or_default();
    for text in [&run.stdout, &run.stderr, &report_md, &report_json] {
        for secret in ["SlackSecret123", "HookSecret456", "services/T0AAA"] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
    }
}

#[test]
fn drift_is_announced_with_the_top_features_and_healthy_runs_are_quiet() {
    let work = tempfile::tempdir().unwrap();
    let receiver = Receiver::start();
    let out = work.path().join("drift");
    let run = check(&out, "current.csv", &hooks(&receiver), &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_no_secrets(&out, &run);
    let received = receiver.received();
    assert_eq!(received.len(), 2, "{received:?}");
    let slack = received.iter().find(|r| r.path == SLACK_PATH).unwrap();
    let generic = received.iter().find(|r| r.path == HOOK_PATH).unwrap();
    assert!(generic.content_type.starts_with("application/json"));

    let report = report_json(&out);
    let drifted: Vec<&str> = report["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["drifted"] == true)
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert!(!drifted.is_empty());
    let body = &generic.body;
    assert_eq!(body["$schema"], drift_check::notify::SCHEMA);
    assert_eq!(body["event"], "drift");
    assert_eq!(body["passed"], false);
    assert_eq!(body["drifted"], drifted.len());
    assert_eq!(body["verdict"], report["verdict"]["summary"]);
    let top: Vec<&str> = body["top_drifted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(top, drifted[..drifted.len().min(5)]);
    assert!(
        slack.body["text"]
            .as_str()
            .unwrap()
            .starts_with(":warning: drift-check (default): "),
        "{}",
        slack.body
    );
    assert!(
        slack.body.to_string().contains(top[0]),
        "the top feature is named: {}",
        slack.body
    );

    let stable = check(
        &work.path().join("stable"),
        "stable.csv",
        &hooks(&receiver),
        &[],
    );
    assert_eq!(stable.code, 0, "{}\n{}", stable.stdout, stable.stderr);
    assert_eq!(receiver.received().len(), 2, "a healthy run sends nothing");
}

#[test]
fn recovery_is_announced_when_the_issue_closes() {
    let work = tempfile::tempdir().unwrap();
    let receiver = Receiver::start();
    let server = FakeServer::start();
    let env = crate::issue::github_schedule(&server, ACTIONS_TOKEN);
    let mut args = hooks(&receiver);
    args.extend(["--issue".into(), "--issue-key".into(), "production".into()]);

    let drift = check(&work.path().join("1"), "current.csv", &args, &env);
    assert_eq!(drift.code, 1, "{}\n{}", drift.stdout, drift.stderr);
    let first = receiver.received();
    let generic = first.iter().find(|r| r.path == HOOK_PATH).unwrap();
    assert_eq!(generic.body["monitor"], "production");
    assert_eq!(
        generic.body["links"]["run"],
        "https://github.com/modelci/demo/actions/runs/4242"
    );
    let issue = generic.body["links"]["issue"].as_str().unwrap();
    assert!(issue.contains("/issues/"), "{issue}");

    let healthy = check(&work.path().join("2"), "stable.csv", &args, &env);
    assert_eq!(healthy.code, 0, "{}\n{}", healthy.stdout, healthy.stderr);
    let all = receiver.received();
    assert_eq!(all.len(), 4, "{all:?}");
    let recovered = all[2..].iter().find(|r| r.path == HOOK_PATH).unwrap();
    assert_eq!(recovered.body["event"], "recovered");
    assert_eq!(recovered.body["passed"], true);
    assert_eq!(recovered.body["top_drifted"], serde_json::json!([]));
    server.assert_no_violations();
}

#[test]
fn a_dead_webhook_is_a_warning_naming_its_host_only() {
    let work = tempfile::tempdir().unwrap();
    let dead = dead_url(SLACK_PATH);
    let out = work.path().join("r");
    let run = check(&out, "current.csv", &["--slack-webhook".into(), dead], &[]);
    assert_eq!(run.code, 1, "the drift stays the news: {}", run.stderr);
    assert!(
        run.stderr
            .contains("warning: Slack webhook http://127.0.0.1:"),
        "{}",
        run.stderr
    );
    assert_no_secrets(&out, &run);
}
