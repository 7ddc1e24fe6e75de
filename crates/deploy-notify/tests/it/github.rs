//! Recording on GitHub (deployment, `in_progress`, `success` with URLs), Slack and generic
//! webhooks, the pull request comment, and webhook faults.

use modelci_test::{BOT_LOGIN, FakeServer};
use serde_json::Value;

use crate::harness::{GITHUB_REPO, SHA, deploy_notify, github_env};
use crate::receiver::{Receiver, dead_url};
use crate::schema::{validate, webhook_schema};

const RUN_URL: &str = "https://github.com/Codertocat/Hello-World/actions/runs/4242";
const ENV_URL: &str = "https://models.example.com/digits";

/// A report as eval-diff writes it (only the parts deploy-notify reads).
fn eval_report(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("report.json");
    let report = serde_json::json!({
        "$schema": "https://modelci.dev/schemas/eval-diff/v1",
        "comparison": [
            {"name": "accuracy", "candidate": 0.9722, "baseline": 0.9667, "delta": 0.0055},
            {"name": "latency_p95_ms", "candidate": 0.5, "baseline": 0.4, "delta": 0.1},
            {"name": "throughput", "candidate": 1000.0, "baseline": 900.0, "delta": 100.0}
        ]
    });
    std::fs::write(&path, report.to_string()).expect("report");
    path
}

fn texts(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| texts(x, out)),
        Value::Object(o) => o.values().for_each(|x| texts(x, out)),
        _ => {}
    }
}

#[test]
fn records_the_deployment_notifies_and_comments_on_the_pull_requests() {
    let server = FakeServer::start();
    server.seed_commit_pulls(GITHUB_REPO, SHA, &[2, 5]);
    let hooks = Receiver::start();
    let work = tempfile::tempdir().expect("temp dir");
    let report = eval_report(work.path());
    let slack = hooks.url("/services/T0/B0/slack-secret");
    let generic = hooks.url("/generic");
    let args = [
        "--environment",
        "production",
        "--version",
        "1.2.0",
        "--url",
        ENV_URL,
        "--model-name",
        "digits",
        "--report",
        report.to_str().expect("utf-8"),
        "--slack-webhook",
        &slack,
        "--webhook",
        &generic,
    ];
    let r = deploy_notify(&github_env(server.github_url()), &args);
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);

    // The deployment, as GitHub received it (the fake checked it against the OpenAPI schema).
    let deployments = server.deployments();
    assert_eq!(deployments.len(), 1);
    let d = &deployments[0];
    assert_eq!((d.host, d.repo.as_str()), ("github", GITHUB_REPO));
    assert_eq!(d.environment, "production");
    assert_eq!(d.git_ref, "v1.2.0");
    assert_eq!(d.request["auto_merge"], Value::Bool(false));
    assert_eq!(d.request["required_contexts"], serde_json::json!([]));
    assert_eq!(d.payload["model"], "digits");
    assert_eq!(d.payload["version"], "1.2.0");
    assert!(
        r.stdout.contains(&format!("deployment: github #{}", d.id)),
        "{}",
        r.stdout
    );

    let statuses = server.deployment_statuses();
    let states: Vec<&str> = statuses.iter().map(|s| s.state.as_str()).collect();
    assert_eq!(states, ["in_progress", "success"]);
    assert!(statuses.iter().all(|s| s.deployment_id == d.id));
    let last = &statuses[1];
    assert_eq!(last.environment_url.as_deref(), Some(ENV_URL));
    assert_eq!(last.log_url.as_deref(), Some(RUN_URL));

    // Both webhooks, field by field.
    let got = hooks.received();
    assert_eq!(got.len(), 2, "{got:?}");
    let slack_msg = got
        .iter()
        .find(|g| g.path.ends_with("slack-secret"))
        .expect("slack message");
    assert!(slack_msg.content_type.starts_with("application/json"));
    let m = &slack_msg.body;
    assert_eq!(
        m["text"],
        ":white_check_mark: digits 1.2.0 deployed to production: success"
    );
    let blocks = m["blocks"].as_array().expect("blocks");
    assert_eq!(blocks[0]["type"], "header");
    assert_eq!(blocks[0]["text"]["text"], "digits 1.2.0 → production");
    let fields: Vec<&str> = blocks[1]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| f["text"].as_str().expect("text"))
        .collect();
    assert_eq!(
        fields,
        [
            "*Model*\ndigits",
            "*Version*\n1.2.0",
            "*Environment*\nproduction",
            "*Status*\n:white_check_mark: success"
        ]
    );
    let metric_fields: Vec<&str> = blocks[2]["fields"]
        .as_array()
        .expect("metric fields")
        .iter()
        .map(|f| f["text"].as_str().expect("text"))
        .collect();
    assert_eq!(
        metric_fields,
        ["*accuracy*\n0.9722", "*latency_p95_ms*\n0.5"]
    );
    let context = blocks[3]["elements"][0]["text"].as_str().expect("context");
    assert!(
        context.contains(
            "<https://github.com/Codertocat/Hello-World/releases/tag/v1.2.0|Release v1.2.0>"
        ),
        "{context}"
    );
    assert!(
        context.contains(&format!("<{RUN_URL}|CI run>")),
        "{context}"
    );
    assert!(
        context.contains(&format!("<{ENV_URL}|production>")),
        "{context}"
    );

    let hook = &got
        .iter()
        .find(|g| g.path == "/generic")
        .expect("generic webhook")
        .body;
    let errors = validate(&webhook_schema(), hook);
    assert!(
        errors.is_empty(),
        "webhook body breaks schema/webhook-v1.json: {errors:?}\n{hook:#}"
    );
    assert_eq!(
        hook["$schema"],
        "https://modelci.dev/schemas/deploy-notify/webhook/v1"
    );
    assert_eq!(
        hook["model"],
        serde_json::json!({"name": "digits", "version": "1.2.0"})
    );
    assert_eq!(hook["environment"], "production");
    assert_eq!(hook["status"], "success");
    assert_eq!(hook["ref"], "v1.2.0");
    assert_eq!(hook["commit"], SHA);
    assert_eq!(hook["repository"], GITHUB_REPO);
    assert_eq!(hook["links"]["run"], RUN_URL);
    assert_eq!(hook["links"]["environment"], ENV_URL);
    assert_eq!(
        hook["deployment"],
        serde_json::json!({"host": "github", "id": d.id})
    );
    assert_eq!(hook["smoke_check"], Value::Null);
    assert_eq!(hook["metrics"]["accuracy"], 0.9722);

    // One comment on each pull request of the commit; a second deployment updates them.
    for pr in [2, 5] {
        let c = server.comments_by(GITHUB_REPO, pr, BOT_LOGIN);
        assert_eq!(c.len(), 1, "PR {pr}");
        assert!(
            c[0].body.contains("deployed to production: success"),
            "{}",
            c[0].body
        );
        assert!(
            c[0].body
                .contains("[CI run](https://github.com/Codertocat/Hello-World/actions/runs/4242)")
        );
    }
    let args2 = [
        "--environment",
        "production",
        "--version",
        "1.2.1",
        "--model-name",
        "digits",
    ];
    let r = deploy_notify(&github_env(server.github_url()), &args2);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for pr in [2, 5] {
        let c = server.comments_by(GITHUB_REPO, pr, BOT_LOGIN);
        assert_eq!(c.len(), 1, "PR {pr}: still one comment");
        assert!(c[0].body.contains("1.2.1"), "{}", c[0].body);
    }
    assert_eq!(server.deployments().len(), 2);
}

#[test]
fn user_text_is_escaped_in_slack_and_the_comment() {
    let server = FakeServer::start();
    server.seed_commit_pulls(GITHUB_REPO, SHA, &[2]);
    let hooks = Receiver::start();
    let work = tempfile::tempdir().expect("temp dir");
    let report = work.path().join("metrics.json");
    std::fs::write(&report, r#"{"test": {"f1<b>&": 0.5}}"#).expect("report");
    let slack = hooks.url("/slack");
    let args = [
        "--environment",
        "qa <eu> & *co*",
        "--version",
        "1.2.0",
        "--model-name",
        "digits",
        "--report",
        report.to_str().expect("utf-8"),
        "--slack-webhook",
        &slack,
    ];
    let r = deploy_notify(&github_env(server.github_url()), &args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let msg = &hooks.received()[0].body;
    assert_eq!(
        msg["text"],
        ":white_check_mark: digits 1.2.0 deployed to qa &lt;eu&gt; &amp; *co*: success"
    );
    let mut all = Vec::new();
    texts(&msg["blocks"], &mut all);
    // Header blocks are plain text (shown as is); every mrkdwn text is escaped.
    for t in all.iter().filter(|t| !t.contains('→')) {
        assert!(
            !t.contains("<eu>") && !t.contains("f1<b>"),
            "unescaped: {t}"
        );
    }
    assert!(
        all.iter()
            .any(|t| t == "*Environment*\nqa &lt;eu&gt; &amp; *co*"),
        "{all:?}"
    );
    assert!(
        all.iter().any(|t| t == "*test.f1&lt;b&gt;&amp;*\n0.5"),
        "{all:?}"
    );
    let c = server.comments_by(GITHUB_REPO, 2, BOT_LOGIN);
    assert!(!c[0].body.contains("<eu>"), "{}", c[0].body);
    assert!(c[0].body.contains("&lt;eu&gt;"), "{}", c[0].body);
    assert_eq!(server.deployments()[0].environment, "qa <eu> & *co*");
}

#[test]
fn webhook_down_is_a_warning_and_the_deployment_is_still_recorded() {
    let server = FakeServer::start();
    let failing = Receiver::start();
    failing.answer(500);
    let down = dead_url("/services/T0/B0/very-secret");
    let broken = failing.url("/hook");
    let args = [
        "--environment",
        "staging",
        "--version",
        "2.0.0-rc.1",
        "--model-name",
        "digits",
        "--slack-webhook",
        &down,
        "--webhook",
        &broken,
    ];
    let r = deploy_notify(&github_env(server.github_url()), &args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("warning: could not notify Slack webhook http://127.0.0.1:"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("unreachable after 3 attempt(s)"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("answered 500 after 3 attempt(s)"),
        "{}",
        r.stderr
    );
    assert!(
        !r.stderr.contains("very-secret") && !r.stdout.contains("very-secret"),
        "the webhook URL is a secret"
    );
    assert!(
        r.stdout.contains("::warning::"),
        "a GitHub annotation too: {}",
        r.stdout
    );
    assert_eq!(failing.received().len(), 3, "bounded retries on 500");
    let statuses: Vec<String> = server
        .deployment_statuses()
        .into_iter()
        .map(|s| s.state)
        .collect();
    assert_eq!(statuses, ["in_progress", "success"]);

    // --strict: the same trouble is exit 3, and the deployment is still recorded.
    let mut strict = args.to_vec();
    strict.push("--strict");
    let r = deploy_notify(&github_env(server.github_url()), &strict);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("deploy-notify: error: 2 problem(s) with --strict"),
        "{}",
        r.stderr
    );
    assert_eq!(server.deployments().len(), 2);
    assert_eq!(server.deployment_statuses().len(), 4);
}

#[test]
fn a_code_host_refusal_is_a_warning_or_exit_3_with_strict() {
    let server = FakeServer::start();
    server.forbid_writes(GITHUB_REPO);
    let hooks = Receiver::start();
    let hook = hooks.url("/h");
    let args = [
        "--environment",
        "production",
        "--version",
        "1.0.0",
        "--webhook",
        &hook,
    ];
    let r = deploy_notify(&github_env(server.github_url()), &args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("warning: could not record the deployment on GitHub"),
        "{}",
        r.stderr
    );
    // Notified anyway, without a deployment id; the model name defaults to the repository's.
    let body = &hooks.received()[0].body;
    assert_eq!(body["deployment"], Value::Null);
    assert_eq!(body["model"]["name"], "Hello-World");
    let mut strict = args.to_vec();
    strict.push("--strict");
    assert_eq!(
        deploy_notify(&github_env(server.github_url()), &strict).code,
        3
    );
    assert!(server.deployments().is_empty());
}

#[test]
fn no_record_still_notifies_and_comments() {
    let server = FakeServer::start();
    server.seed_commit_pulls(GITHUB_REPO, SHA, &[7]);
    let hooks = Receiver::start();
    let hook = hooks.url("/h");
    let args = [
        "--environment",
        "production",
        "--version",
        "1.0.0",
        "--no-record",
        "--webhook",
        &hook,
    ];
    let r = deploy_notify(&github_env(server.github_url()), &args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(server.deployments().is_empty());
    assert_eq!(hooks.received()[0].body["deployment"], Value::Null);
    assert_eq!(server.comments_by(GITHUB_REPO, 7, BOT_LOGIN).len(), 1);
    // --no-comment too: nothing more on the pull request.
    let mut quiet = args.to_vec();
    quiet.push("--no-comment");
    let r = deploy_notify(&github_env(server.github_url()), &quiet);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let c = server.comments_by(GITHUB_REPO, 7, BOT_LOGIN);
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].updated_at, c[0].created_at, "not updated");
}

#[test]
fn status_failures_are_retried_or_warned_and_the_final_status_still_lands() {
    use modelci_test::FaultKind;
    // Two 502s on the first status: retried within the budget, nothing to warn about.
    let server = FakeServer::start();
    server.inject(Some("POST"), "/statuses", 2, FaultKind::Status(502));
    let args = [
        "--environment",
        "production",
        "--version",
        "1.0.0",
        "--no-comment",
    ];
    let r = deploy_notify(&github_env(server.github_url()), &args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
    let states: Vec<String> = server
        .deployment_statuses()
        .into_iter()
        .map(|s| s.state)
        .collect();
    assert_eq!(states, ["in_progress", "success"]);

    // A refused in_progress status (422, not retried): a warning, and the final status is still
    // set on the deployment that was created.
    let server = FakeServer::start();
    server.inject(Some("POST"), "/statuses", 1, FaultKind::Status(422));
    let r = deploy_notify(&github_env(server.github_url()), &args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("warning: could not set the deployment status: GitHub rejected"),
        "{}",
        r.stderr
    );
    let statuses = server.deployment_statuses();
    assert_eq!(statuses.len(), 1);
    assert_eq!(statuses[0].state, "success");
    assert_eq!(statuses[0].deployment_id, server.deployments()[0].id);
}
