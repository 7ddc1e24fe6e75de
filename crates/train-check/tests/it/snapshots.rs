//! Snapshots of train-check on the digits example (issue 13): report.md, report.json and
//! stdout, with paths, the version and measured times filtered (`modelci_test::snapshot`).

use modelci_test::harness::{Run, digits, report_json};
use modelci_test::snapshot::{json, settings};

#[test]
fn digits_example_report_and_stdout() {
    let out = tempfile::tempdir().expect("temp dir");
    let run = Run::new(env!("CARGO_BIN_EXE_train-check"))
        .arg("--output-dir")
        .arg(out.path())
        .arg("--model")
        .arg(digits("candidate.onnx"))
        .args(["--metrics"])
        .arg(digits("history.csv"))
        .args(["--metrics"])
        .arg(digits("metrics.json"))
        .args(["--min", "val_accuracy=0.95", "--max", "val_loss=0.2"])
        .args(["--min", "test.accuracy=0.95", "--max-size", "1MB"])
        .args([
            "--max-params",
            "100k",
            "--max-latency-ms",
            "1s",
            "--dataset",
        ])
        .arg(digits("test"))
        .output();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let markdown = std::fs::read_to_string(out.path().join("report.md")).expect("report.md");
    settings(&[out.path()]).bind(|| {
        insta::assert_snapshot!("train_check_report_md", markdown);
        insta::assert_snapshot!(
            "train_check_report_json",
            json(&report_json(out.path()), &|_| false)
        );
        insta::assert_snapshot!("train_check_stdout", run.stdout);
    });
}
