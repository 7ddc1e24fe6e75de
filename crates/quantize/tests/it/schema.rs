//! quantize's `report.json` on the example matches `schemas/quantize.v1.json`, and the typed
//! envelope every reader uses (publish puts its metrics in the bundle manifest) reads it back.

use modelci_report::{Envelope, ToolName};
use modelci_test::harness::{Run, digits, report_json};
use modelci_test::json_schema::{load, validate};

#[test]
fn the_example_report_matches_its_schema_and_readers_read_it() {
    let work = tempfile::tempdir().expect("temp dir");
    let out = work.path().join("report");
    let r = Run::new(env!("CARGO_BIN_EXE_quantize"))
        .args(["--quiet", "--no-post", "--output-dir"])
        .arg(&out)
        .arg("--input")
        .arg(digits("candidate.onnx"))
        .arg("--output")
        .arg(work.path().join("int8.onnx"))
        .arg("--dataset")
        .arg(digits("test.npz"))
        .output();
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report = report_json(&out);
    let errors = validate(&load("schemas/quantize.v1.json"), &report);
    assert!(errors.is_empty(), "{errors:#?}");
    let envelope = Envelope::read(&out.join("report.json")).expect("the envelope reads");
    assert_eq!(envelope.tool.name, ToolName::Quantize);
    assert_eq!(envelope.verdict.passed, report["passed"]);
    assert!(
        envelope.metrics["accuracy"] > 0.99,
        "{:?}",
        envelope.metrics
    );
    assert!(envelope.metrics.contains_key("agreement"));
}
