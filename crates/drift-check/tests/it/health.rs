//! `--endpoint`: the example's current rows sent to a real Seldon MLServer serving
//! scripts/drift_model.py's model; a healthy endpoint passes with its latency, a wrong model
//! name and a stopped server fail the gate at a 100% error rate, in one clear line.

use std::path::Path;

use modelci_test::harness::{Outcome, report_json};
use modelci_test::json_schema::{load, validate};
use serde_json::Value;

use crate::example::{drift_check, example};

fn check(out: &Path, current: &str, endpoint: &str, model: &str, extra: &[&str]) -> Outcome {
    let reference = example("reference.csv");
    let current = example(current);
    let mut args = vec![
        "--reference",
        reference.to_str().unwrap(),
        "--ignore",
        "site",
        "--current",
        current.to_str().unwrap(),
        "--endpoint",
        endpoint,
        "--model-name",
        model,
        "--samples",
        "20",
    ];
    args.extend(extra);
    drift_check(out, &args)
}

fn health(out: &Path) -> Value {
    let report = report_json(out);
    let errors = validate(&load("schemas/drift-check.v1.json"), &report);
    assert!(errors.is_empty(), "{errors:?}");
    report["data"]["endpoint_health"].clone()
}

#[test]
fn a_served_model_is_healthy_and_a_wrong_name_or_a_stopped_server_fails_the_gate() {
    let work = tempfile::tempdir().unwrap();
    let Some(server) =
        crate::mlserver::serve_cancer("the drift-check endpoint health test", work.path())
    else {
        return;
    };
    let url = server.url.clone();

    // Healthy: the stable rows (no drift), each answered.
    let out = work.path().join("healthy");
    let run = check(&out, "stable.csv", &url, "cancer", &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("drift-check: ok: endpoint "),
        "{}",
        run.stdout
    );
    let h = health(&out);
    assert_eq!(h["requests"], 20);
    assert_eq!(h["errors"], 0);
    assert_eq!(h["passed"], true);
    let (p50, p95) = (
        h["latency_p50_ms"].as_f64().unwrap(),
        h["latency_p95_ms"].as_f64().unwrap(),
    );
    assert!(0.0 < p50 && p50 <= p95, "{h}");
    let markdown = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(markdown.contains("✅ Endpoint health:"), "{markdown}");

    // The request log's bodies are sent as logged: the example's log holds [N, 30] tensors,
    // and one request whose tensor is one value short, which the server refuses (MLServer's
    // worker also fails the request after it, as seen on 1.7): past the default 1% gate.
    let out = work.path().join("log");
    let run = check(
        &out,
        "requests.jsonl",
        &url,
        "cancer",
        &["--max-drifted", "30"],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let h = health(&out);
    let errors = h["errors"].as_u64().unwrap();
    assert_eq!(h["requests"], 20);
    assert!((1..=2).contains(&errors), "{h}");
    assert!(
        h["first_error"]
            .as_str()
            .unwrap()
            .contains("/v2/models/cancer/infer answered"),
        "{h}"
    );
    let out = work.path().join("log-tolerant");
    let run = check(
        &out,
        "requests.jsonl",
        &url,
        "cancer",
        &["--max-drifted", "30", "--max-error-rate", "10"],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);

    // A tight latency gate fails on the latency alone.
    let out = work.path().join("slow");
    let run = check(
        &out,
        "stable.csv",
        &url,
        "cancer",
        &["--max-latency-p95-ms", "0"],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("--max-latency-p95-ms"),
        "{}",
        run.stdout
    );

    // A wrong model name: every request refused.
    let out = work.path().join("wrong");
    let run = check(&out, "stable.csv", &url, "no-such-model", &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let line: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("drift-check: FAILED: endpoint"))
        .collect();
    assert_eq!(line.len(), 1, "{}", run.stdout);
    assert!(
        line[0].contains("20 of 20 requests failed (100.0%)")
            && line[0].contains("--max-error-rate")
            && line[0].contains("404"),
        "{}",
        line[0]
    );
    let h = health(&out);
    assert_eq!(h["error_rate"], 100.0);
    assert_eq!(h["latency_p95_ms"], Value::Null);

    // A stopped server.
    drop(server);
    let out = work.path().join("stopped");
    let run = check(&out, "stable.csv", &url, "cancer", &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("20 of 20 requests failed (100.0%)")
            && run.stdout.contains("cannot reach the model server"),
        "{}",
        run.stdout
    );
    assert_eq!(health(&out)["passed"], false);
}

#[test]
fn endpoint_flags_come_together_and_categorical_csv_features_are_refused() {
    let reference = example("reference.csv");
    let stable = example("stable.csv");
    crate::bad_input::refused(
        &[
            "--reference",
            reference.to_str().unwrap(),
            "--current",
            stable.to_str().unwrap(),
            "--endpoint",
            "http://127.0.0.1:9",
            "--model-name",
            "m",
        ],
        &["stable.csv", "feature \"site\" is categorical", "--ignore"],
    );
    let work = tempfile::tempdir().unwrap();
    let run = drift_check(
        &work.path().join("r"),
        &[
            "--reference",
            reference.to_str().unwrap(),
            "--current",
            stable.to_str().unwrap(),
            "--endpoint",
            "http://127.0.0.1:9",
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--model-name"), "{}", run.stderr);
}
