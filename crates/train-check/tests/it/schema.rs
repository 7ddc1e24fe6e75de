//! train-check's `report.json` on the example matches `schemas/train-check.v1.json`, and the
//! typed envelope every reader uses reads it back.

use modelci_report::{Envelope, ToolName};
use modelci_test::harness::{Run, digits, report_json};
use modelci_test::json_schema::{load, validate};

#[test]
fn the_example_report_matches_its_schema_and_readers_read_it() {
    let work = tempfile::tempdir().expect("temp dir");
    let out = work.path().join("report");
    let r = Run::new(env!("CARGO_BIN_EXE_train-check"))
        .args(["--quiet", "--latency-runs", "3", "--output-dir"])
        .arg(&out)
        .arg("--model")
        .arg(digits("candidate.onnx"))
        .arg("--metrics")
        .arg(digits("history.csv"))
        .arg("--dataset")
        .arg(digits("test.npz"))
        .output();
    assert_eq!(r.code, 0, "{}", r.stderr);
    let errors = validate(&load("schemas/train-check.v1.json"), &report_json(&out));
    assert!(errors.is_empty(), "{errors:#?}");
    let envelope = Envelope::read(&out.join("report.json")).expect("the envelope reads");
    assert_eq!(envelope.tool.name, ToolName::TrainCheck);
    assert!(envelope.verdict.passed);
    assert!(
        envelope.metrics["accuracy"] > 0.99,
        "{:?}",
        envelope.metrics
    );
    assert!(envelope.metrics["size"] > 0.0);
    assert!(!envelope.charts.is_empty());
}
