//! Cross-check with the reference tools: every output passes `onnx.checker.check_model`
//! (full check) and runs in onnxruntime with outputs close to the original.
//!
//! Needs a Python with onnx and onnxruntime: `MODELCI_PYTHON` (set by
//! `scripts/ci/python-onnx.sh`). Without it the test is skipped with a message, unless
//! `MODELCI_REQUIRE_EXTERNAL=1` (CI), where it fails.

use std::path::PathBuf;
use std::process::Command;

use crate::harness::{MODES, applies, mode_args, output_name, quantize, test_models};

fn python() -> Option<PathBuf> {
    let required = std::env::var("MODELCI_REQUIRE_EXTERNAL").is_ok_and(|v| v == "1");
    let found = std::env::var_os("MODELCI_PYTHON")
        .map(PathBuf::from)
        .filter(|p| {
            Command::new(p)
                .args(["-c", "import onnx, onnxruntime"])
                .status()
                .is_ok_and(|s| s.success())
        });
    if found.is_none() {
        let message = "MODELCI_PYTHON is not set to a python with onnx and onnxruntime \
                       (run scripts/ci/python-onnx.sh and export MODELCI_PYTHON)";
        assert!(
            !required,
            "{message}; required because MODELCI_REQUIRE_EXTERNAL=1"
        );
        eprintln!("skipping the onnxruntime cross-check: {message}");
    }
    found
}

#[test]
fn every_output_passes_the_onnx_checker_and_runs_in_onnxruntime() {
    let Some(python) = python() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let mut pairs: Vec<(PathBuf, PathBuf, &str)> = Vec::new();
    for model in test_models() {
        for &(mode, per_channel) in MODES {
            let output = dir.path().join(output_name(&model, mode, per_channel));
            if !applies(&model, mode) {
                continue;
            }
            let owned = mode_args(&model, &output, mode, per_channel);
            let args: Vec<&dyn AsRef<std::ffi::OsStr>> = owned
                .iter()
                .map(|a| a as &dyn AsRef<std::ffi::OsStr>)
                .collect();
            let run = quantize(&dir.path().join("report"), &args);
            assert!(run.code == 0, "{}: {}", model.display(), run.stderr);
            if output.exists() {
                pairs.push((model.clone(), output, mode));
            }
        }
    }
    // Every model in every mode (seven_classes in fp16 has nothing to quantize: its output is
    // the normalised model, checked too).
    assert_eq!(
        pairs.len(),
        test_models().len() * MODES.len(),
        "outputs: {:?}",
        pairs.iter().map(|p| &p.1).collect::<Vec<_>>()
    );
    assert!(
        pairs
            .iter()
            .any(|(m, _, mode)| m.ends_with("matmul_3d.onnx") && *mode == "static"),
        "matmul_3d is cross-checked in static mode"
    );
    // An opset raised from 9 to 11, and static mode on a model with an int64 input.
    let calibration = crate::harness::fixture("three_inputs_calibration.npz");
    for (name, mode, extra) in [
        ("opset9_cnn.onnx", "dynamic", None),
        ("three_inputs.onnx", "static", Some(&calibration)),
    ] {
        let model = crate::harness::fixture(name);
        let output = dir.path().join(format!("extra-{name}"));
        let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> =
            vec![&"--input", &model, &"--output", &output, &"--mode", &mode];
        if let Some(data) = &extra {
            args.push(&"--calibration-data");
            args.push(data);
        }
        let run = quantize(&dir.path().join("report"), &args);
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        pairs.push((model, output, mode));
    }
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/crosscheck.py");
    let mut cmd = Command::new(&python);
    cmd.arg(&script);
    for (original, quantized, _) in &pairs {
        cmd.arg(original).arg(quantized);
    }
    let output = cmd.output().expect("python runs");
    assert!(
        output.status.success(),
        "crosscheck.py failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8_lossy(&output.stdout);
    let results: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(results.len(), pairs.len());
    for (result, (_, quantized, mode)) in results.iter().zip(&pairs) {
        let name = quantized.display();
        assert!(
            result["checker"].is_null(),
            "{name}: onnx.checker: {}",
            result["checker"]
        );
        assert!(
            result["ort"].is_null(),
            "{name}: onnxruntime: {}",
            result["ort"]
        );
        let err = result["max_relative_error"].as_f64().expect("compared");
        let limit = if *mode == "fp16" { 0.01 } else { 0.05 };
        assert!(
            err <= limit,
            "{name}: onnxruntime output differs by {err} of the output range"
        );
    }
}
