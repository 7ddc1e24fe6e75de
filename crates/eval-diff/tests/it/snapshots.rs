//! Snapshots of eval-diff on the digits example (issue 13): report.md, report.json and stdout,
//! with paths, the version and measured times filtered (`modelci_test::snapshot`).

use modelci_test::harness::{Run, digits, report_json};
use modelci_test::snapshot::{json, settings};

#[test]
fn digits_example_report_and_stdout() {
    let out = tempfile::tempdir().expect("temp dir");
    let run = Run::new(env!("CARGO_BIN_EXE_eval-diff"))
        .arg("--output-dir")
        .arg(out.path())
        .arg("--baseline")
        .arg(digits("baseline.onnx"))
        .arg("--candidate")
        .arg(digits("candidate.onnx"))
        .arg("--dataset")
        .arg(digits("test"))
        // The engine and the worker count are recorded; fix them so the report does not
        // depend on the machine.
        .args(["--engine", "tract", "--jobs", "1"])
        .output();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let markdown = std::fs::read_to_string(out.path().join("report.md")).expect("report.md");
    let mut settings = settings(&[out.path()]);
    // The latency and throughput rows compare two measured times: their change and its
    // direction vary from run to run.
    settings.add_filter(
        r"(?m)^(\| (?:Latency|Throughput)[^|]*)\|.*$",
        "$1| [timing row]",
    );
    settings.add_filter(
        r"(?m)^(  (?:Latency|Throughput) \S+(?: \S+)*) {2,}.*$",
        "$1  [timing row]",
    );
    settings.bind(|| {
        insta::assert_snapshot!("eval_diff_report_md", markdown);
        insta::assert_snapshot!(
            "eval_diff_report_json",
            json(&report_json(out.path()), &|_| false)
        );
        insta::assert_snapshot!("eval_diff_stdout", run.stdout);
    });
}
