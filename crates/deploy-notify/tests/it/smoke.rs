//! The post-deploy smoke check over the Open Inference Protocol: against a real MLServer serving
//! the example's scikit-learn model (agreement 100%) and a deliberately different one
//! (agreement far below the threshold: status failure, exit 1), and against nothing at all.

use modelci_test::FakeServer;
use modelci_test::mlserver::{self, MlServer};
use serde_json::Value;

use crate::harness::{deploy_notify, digits, github_env};
use crate::receiver::{Receiver, dead_url};
use crate::schema::{validate, webhook_schema};

fn path(p: &std::path::Path) -> String {
    p.to_str().expect("utf-8").to_owned()
}

#[test]
fn mlserver_same_model_passes_and_a_different_model_fails() {
    let Some(exe) = mlserver::executable("the MLServer smoke-check test") else {
        return;
    };
    let served = MlServer::start(
        &exe,
        &[
            mlserver::sklearn_model("digits", &digits("sklearn/model.joblib")),
            mlserver::sklearn_model("digits-other", &digits("sklearn-other/model.joblib")),
        ],
        &[],
    );
    let fake = FakeServer::start();
    let hooks = Receiver::start();
    let hook = hooks.url("/h");
    let model = path(&digits("baseline.onnx"));
    let images = path(&digits("test"));
    let run = |name: &str, dataset: &str, extra: &[&str]| {
        let mut args = vec![
            "--environment",
            "production",
            "--version",
            "1.2.0",
            "--smoke-endpoint",
            &served.url,
            "--model-name",
            name,
            "--model",
            &model,
            "--dataset",
            dataset,
            "--webhook",
            &hook,
        ];
        args.extend_from_slice(extra);
        deploy_notify(&github_env(fake.github_url()), &args)
    };

    // 1. The served model is the local one: every answer agrees (the label output by default).
    let r = run("digits", &images, &["--samples", "40"]);
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("smoke check: 40/40 agreed (100.0%)"),
        "{}",
        r.stdout
    );
    let statuses = fake.deployment_statuses();
    let states: Vec<&str> = statuses.iter().map(|s| s.state.as_str()).collect();
    assert_eq!(states, ["in_progress", "success"]);
    let description = statuses[1].description.clone().unwrap_or_default();
    assert!(
        description.starts_with("agreement 100.0% (40/40), minimum 99.0%"),
        "{description}"
    );
    let body = hooks.received()[0].body.clone();
    assert!(validate(&webhook_schema(), &body).is_empty(), "{body:#}");
    let smoke = &body["smoke_check"];
    assert_eq!(smoke["endpoint"], served.url.as_str());
    assert_eq!(smoke["model_name"], "digits");
    assert_eq!(
        (smoke["samples"].as_u64(), smoke["agreed"].as_u64()),
        (Some(40), Some(40))
    );
    assert_eq!(smoke["agreement"], 1.0);
    assert_eq!(smoke["passed"], Value::Bool(true));
    assert_eq!(smoke["error"], Value::Null);
    let p50 = smoke["latency_p50_ms"].as_f64().expect("p50");
    let p95 = smoke["latency_p95_ms"].as_f64().expect("p95");
    assert!(p50 > 0.0 && p95 >= p50, "p50 {p50} p95 {p95}");

    // 2. Same model, probabilities asked for by name (scikit-learn's predict_proba), NumPy data.
    let r = run(
        "digits",
        &path(&digits("test.npz")),
        &["--samples", "25", "--output-name", "predict_proba"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("smoke check: 25/25 agreed (100.0%)"),
        "{}",
        r.stdout
    );

    // 3. A different model behind the endpoint: agreement drops, status failure, exit 1.
    let r = run("digits-other", &images, &["--samples", "40"]);
    assert_eq!(r.code, 1, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    let line = r
        .stderr
        .lines()
        .find(|l| l.starts_with("deploy-notify: smoke check failed: agreement "))
        .unwrap_or_else(|| panic!("no failure line in {}", r.stderr));
    assert!(line.ends_with("is below the minimum 99.0%"), "{line}");
    let last = fake.deployment_statuses().pop().expect("status");
    assert_eq!(last.state, "failure");
    let body = hooks.received().pop().expect("webhook").body;
    assert_eq!(body["status"], "failure");
    let agreement = body["smoke_check"]["agreement"]
        .as_f64()
        .expect("agreement");
    assert!(agreement < 0.9, "{agreement}");
    assert_eq!(body["smoke_check"]["passed"], Value::Bool(false));
    assert!(
        !body["smoke_check"]["disagreements"]
            .as_array()
            .expect("list")
            .is_empty()
    );
}

#[test]
fn unreachable_endpoint_records_failure_and_exits_1_with_one_clear_line() {
    let fake = FakeServer::start();
    let endpoint = dead_url("");
    let model = path(&digits("baseline.onnx"));
    let dataset = path(&digits("test.npz"));
    let args = [
        "--environment",
        "production",
        "--version",
        "1.2.0",
        "--smoke-endpoint",
        &endpoint,
        "--model",
        &model,
        "--dataset",
        &dataset,
        "--ready-timeout",
        "1",
    ];
    let r = deploy_notify(&github_env(fake.github_url()), &args);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", r.stderr);
    let expected = format!(
        "deploy-notify: smoke check failed: cannot reach the model server at {endpoint}/v2/health/ready (tried for 1s): "
    );
    assert!(lines[0].starts_with(&expected), "{}", lines[0]);
    assert!(
        lines[0].to_lowercase().contains("connection refused"),
        "{}",
        lines[0]
    );
    let statuses = fake.deployment_statuses();
    let states: Vec<&str> = statuses.iter().map(|s| s.state.as_str()).collect();
    assert_eq!(states, ["in_progress", "failure"]);
    assert!(
        statuses[1]
            .description
            .as_deref()
            .is_some_and(|d| d.starts_with("smoke check failed: cannot reach")),
        "{statuses:?}"
    );
}

#[test]
fn a_server_answering_nonsense_fails_the_check_with_the_reason() {
    let fake = FakeServer::start();
    // Answers 200 "ok" to everything: ready, but the inference answer is not JSON.
    let nonsense = Receiver::start();
    let endpoint = nonsense.url("");
    let model = path(&digits("baseline.onnx"));
    let dataset = path(&digits("test.csv"));
    let args = [
        "--environment",
        "production",
        "--version",
        "1.2.0",
        "--smoke-endpoint",
        &endpoint,
        "--model-name",
        "digits",
        "--model",
        &model,
        "--dataset",
        &dataset,
        "--samples",
        "3",
    ];
    let r = deploy_notify(&github_env(fake.github_url()), &args);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "smoke check failed: unexpected answer from {endpoint}/v2/models/digits/infer: the answer is not JSON"
        )),
        "{}",
        r.stderr
    );
    let paths: Vec<String> = nonsense.received().into_iter().map(|g| g.path).collect();
    assert_eq!(
        paths[..3],
        [
            "/v2/health/ready",
            "/v2/models/digits/ready",
            "/v2/models/digits/infer"
        ]
    );
    let infer = nonsense.received()[2].body.clone();
    assert_eq!(infer["inputs"][0]["name"], "input");
    assert_eq!(infer["inputs"][0]["datatype"], "FP32");
    assert_eq!(infer["inputs"][0]["shape"], serde_json::json!([1, 64]));
    assert_eq!(
        infer["inputs"][0]["data"].as_array().map(Vec::len),
        Some(64)
    );
    assert_eq!(
        fake.deployment_statuses().pop().map(|s| s.state).as_deref(),
        Some("failure")
    );
}
