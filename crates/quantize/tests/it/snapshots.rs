//! Snapshots of quantize on the digits example (issue 13): report.md, report.json and stdout,
//! with paths, the version and measured times filtered (`modelci_test::snapshot`).

use modelci_test::harness::{Run, digits, report_json};
use modelci_test::snapshot::{json, settings};

#[test]
fn digits_example_report_and_stdout() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("report");
    let run = Run::new(env!("CARGO_BIN_EXE_quantize"))
        .arg("--output-dir")
        .arg(&out)
        .arg("--input")
        .arg(digits("candidate.onnx"))
        .arg("--output")
        .arg(dir.path().join("cnn.int8.onnx"))
        .args(["--mode", "dynamic", "--dataset"])
        .arg(digits("test"))
        .args(["--max-accuracy-drop", "0.5", "--min-size-reduction", "3x"])
        .output();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let markdown = std::fs::read_to_string(out.join("report.md")).expect("report.md");
    let mut settings = settings(&[dir.path()]);
    // The latency ratio of two measured times varies from run to run.
    settings.add_filter(
        r"(?m)^(\| latency [^|]*\|.*\|) \d+(?:\.\d+)?x \|$",
        "$1 [ratio] |",
    );
    // The latency note appears when tract runs the quantized model slower (it does, on this
    // model, by a factor that varies from run to run); only its presence is snapshotted.
    settings.add_filter(
        r"(?m)^Latency: tract ran the quantized model \d+(?:\.\d+)?x slower.*$",
        "Latency: tract ran the quantized model [ratio]x slower [note]",
    );
    settings.add_filter(r"\d+(?:\.\d+)?x slower", "[ratio]x slower");
    settings.bind(|| {
        insta::assert_snapshot!("quantize_report_md", markdown);
        insta::assert_snapshot!("quantize_report_json", json(&report_json(&out), &|_| false));
        insta::assert_snapshot!("quantize_stdout", run.stdout);
    });
}
