//! The example's CNN: int8 keeps accuracy within half a point and is at least 3x smaller.

use crate::harness::{digits, quantize, report};

fn check_cnn(mode: &str, per_channel: bool) -> serde_json::Value {
    check_cnn_with(mode, per_channel, &[])
}

fn check_cnn_with(mode: &str, per_channel: bool, extra: &[&str]) -> serde_json::Value {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = dir.path().join("cnn.int8.onnx");
    let out = dir.path().join("report");
    let (input, test) = (digits("candidate.onnx"), digits("test"));
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![
        &"--input",
        &input,
        &"--output",
        &output,
        &"--mode",
        &mode,
        &"--dataset",
        &test,
        &"--max-accuracy-drop",
        &"0.5",
        &"--min-size-reduction",
        &"3x",
    ];
    if per_channel {
        args.push(&"--per-channel");
    }
    for e in extra {
        args.push(e);
    }
    let run = quantize(&out, &args);
    assert_eq!(run.code, 0, "{mode}: {}\n{}", run.stdout, run.stderr);
    let r = report(&out);
    let input = std::fs::metadata(digits("candidate.onnx"))
        .expect("input")
        .len();
    let written = std::fs::metadata(&output).expect("output written").len();
    assert_eq!(r["output"]["size"].as_u64(), Some(written));
    assert!(
        input as f64 / written as f64 >= 3.0,
        "{mode}: {input} -> {written} bytes"
    );
    let d = &r["dataset"];
    assert_eq!(d["samples"], 360);
    let delta = d["accuracy_delta_pt"].as_f64().expect("accuracy delta");
    assert!(delta >= -0.5, "{mode}: accuracy {delta} pt");
    assert!(d["agreement"].as_f64().expect("agreement") >= 0.98);
    assert!(d["latency_ratio"].as_f64().expect("latency ratio") > 0.0);
    assert_eq!(d["per_class"].as_array().expect("per class").len(), 10);
    assert_eq!(r["quantized"].as_array().expect("changes").len(), 3);
    // The quantized model's numbers under eval-diff's names, for `publish --report`.
    assert_eq!(r["metrics"]["accuracy"], d["accuracy_quantized"]);
    assert_eq!(r["metrics"]["size"].as_f64(), Some(written as f64));
    assert_eq!(r["metrics"]["agreement"], d["agreement"]);
    assert!(
        r["gates"]
            .as_array()
            .expect("gates")
            .iter()
            .all(|g| g["passed"] == true)
    );
    let md = std::fs::read_to_string(out.join("report.md")).expect("report.md");
    assert!(md.contains("accuracy") && md.contains("x smaller"), "{md}");
    for chart in ["size.png", "size.svg", "metrics.png", "per_class_f1.svg"] {
        assert!(out.join(chart).is_file(), "{chart} missing");
    }
    r
}

#[test]
fn cnn_weight_only_int8_keeps_accuracy_and_is_3x_smaller() {
    check_cnn("weight-only", false);
}

#[test]
fn cnn_dynamic_int8_keeps_accuracy_and_is_3x_smaller() {
    let r = check_cnn("dynamic", false);
    assert_eq!(r["mode"], "dynamic");
}

#[test]
fn cnn_dynamic_per_channel_keeps_accuracy_and_is_3x_smaller() {
    let r = check_cnn("dynamic", true);
    assert_eq!(r["per_channel"], true);
}

#[test]
fn cnn_static_qdq_min_max_keeps_accuracy_and_is_3x_smaller() {
    let r = check_cnn("static", false);
    let md = serde_json::to_string(&r["quantized"]).expect("json");
    assert!(md.contains("conv1") && md.contains("fc"), "{md}");
}

#[test]
fn cnn_static_qdq_percentile_per_channel_keeps_accuracy_and_is_3x_smaller() {
    check_cnn_with(
        "static",
        true,
        &["--calibration", "percentile", "--percentile", "99.9"],
    );
}

#[test]
fn a_failed_gate_exits_1_and_still_writes_the_output() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = dir.path().join("cnn.onnx");
    let run = quantize(
        &dir.path().join("report"),
        &[
            &"--input",
            &digits("candidate.onnx"),
            &"--output",
            &output,
            &"--mode",
            &"fp16",
            &"--min-size-reduction",
            &"3",
        ],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("FAILED: size reduction >= 3.00x"),
        "{}",
        run.stdout
    );
    assert!(
        output.is_file(),
        "the output is written even when a gate fails"
    );
    let r = report(&dir.path().join("report"));
    assert_eq!(r["passed"], false);
}
