//! Issue 16's "Done when": the verification proves what it claims, on real models
//! (`scripts/quantize_fixtures.py`), and the run says what it did in one line.

use std::path::{Path, PathBuf};

use crate::harness::{Outcome, digits, fixture, quantize, repo, report as read_report};

/// Runs quantize on `model` writing `q.onnx` in a fresh folder, with `extra` flags.
fn run(model: &Path, extra: &[&dyn AsRef<std::ffi::OsStr>]) -> (Outcome, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = dir.path().join("q.onnx");
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"--input", &model, &"--output", &output];
    args.extend_from_slice(extra);
    let outcome = quantize(&dir.path().join("report"), &args);
    (outcome, dir)
}

fn out(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("report")
}

#[test]
fn an_output_that_is_all_nan_fails_the_verification() {
    // Exact in fp32; in fp16 the constant 1e6 is infinite and h*inf - h*inf is NaN everywhere.
    let (r, dir) = run(&fixture("fp16_overflow.onnx"), &[&"--mode", &"fp16"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let report = read_report(&out(&dir));
    let probe = &report["probe"];
    assert_eq!(probe["verified"], true, "{probe}");
    assert_eq!(probe["passed"], false, "{probe}");
    let logits = &probe["outputs"][0];
    assert_eq!(logits["name"], "logits");
    let values = logits["non_finite"].as_u64().expect("count");
    assert_eq!(
        values,
        4 * 10,
        "every value of the generated batch: {probe}"
    );
    assert_eq!(logits["top1_agreement"], 0.0, "{probe}");
    assert_eq!(report["passed"], false);
    assert!(
        r.stdout.contains("FAILED") && r.stdout.contains("NaN or infinite"),
        "{}",
        r.stdout
    );
    assert!(dir.path().join("q.onnx").exists(), "written, then judged");
}

#[test]
fn a_dynamic_hw_model_is_verified_at_the_calibration_data_shape() {
    let model = repo().join("tests/fixtures/models/dynamic_hw.onnx");
    let calibration = fixture("dynamic_hw_calibration.npy");
    let (r, dir) = run(
        &model,
        &[&"--mode", &"static", &"--calibration-data", &calibration],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let probe = &read_report(&out(&dir))["probe"];
    assert_eq!(probe["verified"], true, "{probe}");
    assert_eq!(probe["source"], "calibration-data");
    assert_eq!(probe["samples"], 16);
    assert_eq!(probe["shapes"], serde_json::json!([[16, 1, 12, 20]]));
    assert!(probe["max_relative_error"].as_f64().expect("compared") < 0.05);

    // Without data: generated inputs of the documented default size, never 1x1.
    let (r, dir) = run(&model, &[&"--mode", &"dynamic"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let probe = &read_report(&out(&dir))["probe"];
    assert_eq!(probe["source"], "generated");
    assert_eq!(probe["shapes"], serde_json::json!([[4, 1, 224, 224]]));
    // And --input-shape, the flag eval-diff shares, sets them.
    let (r, dir) = run(
        &model,
        &[&"--mode", &"dynamic", &"--input-shape", &"input=Nx1x48x64"],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let probe = &read_report(&out(&dir))["probe"];
    assert_eq!(probe["shapes"], serde_json::json!([[4, 1, 48, 64]]));
}

#[test]
fn static_mode_quantizes_a_three_input_model_and_feeds_its_int64_input() {
    let (r, dir) = run(
        &fixture("three_inputs.onnx"),
        &[
            &"--mode",
            &"static",
            &"--calibration-data",
            &fixture("three_inputs_calibration.npz"),
        ],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let report = read_report(&out(&dir));
    assert_eq!(report["calibration"]["samples"], 32);
    let nodes: Vec<&str> = report["quantized"]
        .as_array()
        .expect("changes")
        .iter()
        .filter_map(|c| c["node"].as_str())
        .collect();
    assert!(nodes.contains(&"image_proj"), "{nodes:?}");
    let probe = &report["probe"];
    assert_eq!(probe["verified"], true, "{probe}");
    assert_eq!(probe["passed"], true, "{probe}");
    assert_eq!(
        probe["shapes"],
        serde_json::json!([[32, 64], [32, 8], [32, 1]])
    );
    let model = modelci_onnx::read(&dir.path().join("q.onnx")).expect("reads");
    let graph = model.graph.expect("graph");
    let position = graph
        .input
        .iter()
        .find(|i| i.name() == "position")
        .expect("the int64 input stays an input");
    let text = format!("{position:?}");
    assert!(text.contains("elem_type: Some(7)"), "int64 still: {text}");
    assert!(
        !graph
            .node
            .iter()
            .any(|n| n.op_type() == "QuantizeLinear" && n.input.iter().any(|i| i == "position")),
        "an integer input is fed, never quantized"
    );
}

#[test]
fn calibration_arrays_that_do_not_match_the_inputs_are_one_line_exit_2_nothing_written() {
    // A 1-input array for the 3-input model.
    let (r, dir) = run(
        &fixture("three_inputs.onnx"),
        &[
            &"--mode",
            &"static",
            &"--calibration-data",
            &fixture("dynamic_hw_calibration.npy"),
        ],
    );
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("dynamic_hw_calibration.npy")
            && r.stderr.contains("array `x`")
            && r.stderr.contains("image float32[N, 64]")
            && r.stderr.contains("position int64[N, 1]"),
        "{}",
        r.stderr
    );
    assert!(!dir.path().join("q.onnx").exists());
    // The 3 named arrays for a model whose one input is `input`.
    let (r, dir) = run(
        &fixture("matmul_3d.onnx"),
        &[
            &"--mode",
            &"static",
            &"--calibration-data",
            &fixture("three_inputs_calibration.npz"),
        ],
    );
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("three_inputs_calibration.npz")
            && r.stderr.contains("no array `input`")
            && r.stderr.contains("input float32[N, 6, 32]"),
        "{}",
        r.stderr
    );
    assert!(!dir.path().join("q.onnx").exists());
}

#[test]
fn an_opset_9_model_quantizes_dynamically() {
    let (r, dir) = run(&fixture("opset9_cnn.onnx"), &[&"--mode", &"dynamic"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let report = read_report(&out(&dir));
    assert_eq!(
        report["opset_upgrade"],
        serde_json::json!({"from": 9, "to": 11})
    );
    assert_eq!(report["probe"]["verified"], true, "{}", report["probe"]);
    assert_eq!(report["probe"]["passed"], true, "{}", report["probe"]);
    let model = modelci_onnx::read(&dir.path().join("q.onnx")).expect("reads");
    assert_eq!(modelci_onnx::opset_version(&model, ""), Some(11));
    let ops: Vec<&str> = model
        .graph
        .as_ref()
        .expect("graph")
        .node
        .iter()
        .map(|n| n.op_type())
        .collect();
    assert!(ops.contains(&"DynamicQuantizeLinear"), "{ops:?}");
    let md = std::fs::read_to_string(out(&dir).join("report.md")).expect("report.md");
    assert!(md.contains("Opset import raised from 9 to 11"), "{md}");
}

#[test]
fn a_resnet_run_prints_at_most_three_lines_and_lists_nodes_in_the_report() {
    let (r, dir) = run(&fixture("resnet_like.onnx"), &[&"--mode", &"dynamic"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(lines.len() <= 3, "{}", r.stdout);
    let first = lines[0];
    for part in [
        "dynamic",
        "node(s) rewritten",
        "smaller",
        "verified in tract",
    ] {
        assert!(first.contains(part), "`{part}` in {first}");
    }
    let md = std::fs::read_to_string(out(&dir).join("report.md")).expect("report.md");
    assert!(
        md.contains("<details>") && md.contains("block3.conv2"),
        "{md}"
    );
}

#[test]
fn a_model_that_cannot_be_run_is_not_verified_and_require_verified_fails() {
    use modelci_onnx::proto::type_proto::Value as TypeValue;
    // gemm.onnx with its input's shape removed: no input can be generated.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut model = modelci_onnx::read(&fixture("gemm.onnx")).expect("reads");
    let graph = model.graph.as_mut().expect("graph");
    if let Some(TypeValue::TensorType(t)) = graph.input[0]
        .r#type
        .as_mut()
        .and_then(|t| t.value.as_mut())
    {
        t.shape = None;
    }
    let input = dir.path().join("shapeless.onnx");
    std::fs::write(&input, modelci_onnx::encode(&model)).expect("write");
    let (r, d) = run(&input, &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("not verified: "), "{}", r.stdout);
    assert!(
        r.stdout.contains("--input-shape"),
        "the hint names a flag: {}",
        r.stdout
    );
    let report = read_report(&out(&d));
    assert_eq!(report["verified"], false);
    let md = std::fs::read_to_string(out(&d).join("report.md")).expect("report.md");
    assert!(
        md.starts_with("## ⚠️ quantize:") && md.contains("**Not verified**"),
        "{md}"
    );
    assert!(!md.contains("Verified"), "no claim of a verification: {md}");

    let (r, _d) = run(&input, &[&"--require-verified"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("FAILED: verified (--require-verified)"),
        "{}",
        r.stdout
    );
}

#[test]
fn dynamic_int8_accuracy_is_measured_at_batch_1_unless_a_batch_size_is_given() {
    let model = digits("candidate.onnx");
    let data = digits("test.npz");
    let (r, dir) = run(&model, &[&"--dataset", &data]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let report = read_report(&out(&dir));
    assert_eq!(report["dataset"]["batch_size"], 1);
    assert!(
        report["notes"][0]
            .as_str()
            .unwrap_or_default()
            .contains("batch size 1"),
        "{}",
        report["notes"]
    );
    assert!(r.stdout.contains("(batch 1)"), "{}", r.stdout);

    let (r, dir) = run(&model, &[&"--dataset", &data, &"--batch-size", &"64"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let report = read_report(&out(&dir));
    let dataset = &report["dataset"];
    assert_eq!(dataset["batch_size"], 64);
    let at_one = dataset["accuracy_quantized_batch1"]
        .as_f64()
        .expect("measured");
    let at_64 = dataset["accuracy_quantized"].as_f64().expect("measured");
    let warned = report["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .any(|w| {
            w.as_str()
                .unwrap_or_default()
                .contains("depends on the batch")
        });
    assert_eq!(warned, (at_one - at_64).abs() > 1e-12, "{report}");
}
