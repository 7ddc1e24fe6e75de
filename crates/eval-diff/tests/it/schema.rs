//! eval-diff's `report.json` on the example matches `schemas/eval-diff.v1.json`, and the typed
//! envelope every reader uses (publish, deploy-notify, `--post-from`) reads it back.

use std::path::Path;

use modelci_report::{Envelope, ToolName};
use modelci_test::harness::{Outcome, Run, digits, report_json};
use modelci_test::json_schema::{load, validate};

/// eval-diff on the example's models and `dataset`, the report in `out`.
fn run_example(out: &Path, dataset: &str, extra: &[&str]) -> Outcome {
    Run::new(env!("CARGO_BIN_EXE_eval-diff"))
        .args(["--quiet", "--output-dir"])
        .arg(out)
        .arg("--baseline")
        .arg(digits("baseline.onnx"))
        .arg("--candidate")
        .arg(digits("candidate.onnx"))
        .arg("--dataset")
        .arg(digits(dataset))
        .args(extra)
        .output()
}

#[test]
fn the_example_report_matches_its_schema_and_readers_read_it() {
    let work = tempfile::tempdir().expect("temp dir");
    let out = work.path().join("report");
    let r = run_example(&out, "test", &["--min", "accuracy=0.9"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let errors = validate(&load("schemas/eval-diff.v1.json"), &report_json(&out));
    assert!(errors.is_empty(), "{errors:#?}");

    let envelope = Envelope::read(&out.join("report.json")).expect("the envelope reads");
    assert_eq!(envelope.tool.name, ToolName::EvalDiff);
    assert_eq!(envelope.verdict.gates, 1);
    assert!(
        envelope.metrics["accuracy"] > 0.99,
        "{:?}",
        envelope.metrics
    );
    // metrics, per_class_f1, two confusion matrices and the flipped samples' contact sheet.
    assert_eq!(envelope.charts.len(), 5);
}

#[test]
fn the_schema_refuses_a_renamed_field() {
    let work = tempfile::tempdir().expect("temp dir");
    let out = work.path().join("report");
    let r = run_example(&out, "test.npz", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut report = report_json(&out);
    let object = report.as_object_mut().expect("object");
    let verdict = object.remove("verdict").expect("verdict");
    object.insert("outcome".into(), verdict);
    let errors = validate(&load("schemas/eval-diff.v1.json"), &report);
    assert!(
        errors
            .iter()
            .any(|e| e.contains("missing required `verdict`"))
            && errors
                .iter()
                .any(|e| e.contains("unexpected property `outcome`")),
        "{errors:#?}"
    );
    let text = serde_json::to_vec(&report).expect("JSON");
    assert!(
        Envelope::from_slice(&text, &out.join("report.json")).is_err(),
        "the typed readers refuse it too"
    );
}
