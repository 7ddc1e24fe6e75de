//! Running the built binary, and paths to the repository's data.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository root")
}

/// A path inside the digits example.
pub fn digits(name: &str) -> PathBuf {
    repo().join("examples/digits").join(name)
}

/// A quantize test model.
pub fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures/quantize").join(name)
}

/// The test models every mode must handle: (file, the input model's path).
pub fn test_models() -> Vec<PathBuf> {
    vec![
        digits("candidate.onnx"),
        repo().join("tests/fixtures/models/nhwc_cnn.onnx"),
        repo().join("tests/fixtures/models/seven_classes.onnx"),
        fixture("gemm.onnx"),
        fixture("conv_bias.onnx"),
        fixture("matmul_3d.onnx"),
        fixture("constant_weights.onnx"),
        fixture("skl_mlp.onnx"),
    ]
}

/// The modes, with and without per-channel scales.
pub const MODES: &[(&str, bool)] = &[
    ("dynamic", false),
    ("dynamic", true),
    ("weight-only", false),
    ("weight-only", true),
    ("fp16", false),
    ("static", false),
    ("static", true),
];

/// What a run printed and how it ended.
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs quantize with `args`, writing the report to `out`.
pub fn quantize(out: &Path, args: &[&dyn AsRef<std::ffi::OsStr>]) -> Outcome {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_quantize"));
    cmd.arg("--output-dir")
        .arg(out)
        .arg("--quiet")
        .arg("--no-post");
    // Keep CI variables of the machine running the tests out of the run.
    for var in [
        "GITHUB_ACTIONS",
        "GITLAB_CI",
        "CI",
        "GITHUB_STEP_SUMMARY",
        "GITHUB_OUTPUT",
        "JENKINS_URL",
        "TRAVIS",
    ] {
        cmd.env_remove(var);
    }
    for a in args {
        cmd.arg(a.as_ref());
    }
    let output = cmd.output().expect("quantize runs");
    Outcome {
        code: output
            .status
            .code()
            .expect("exited, not killed by a signal"),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Reads `report.json` from `out`.
pub fn report(out: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(out.join("report.json")).expect("report.json written");
    serde_json::from_str(&text).expect("report.json is JSON")
}

/// Static mode's calibration data for a test model, when one fits it (the comparison after
/// quantizing needs a classifier whose classes cover the labels).
pub fn static_dataset(model: &Path) -> Option<PathBuf> {
    let name = model.file_name()?.to_str()?;
    match name {
        "candidate.onnx" | "nhwc_cnn.onnx" | "conv_bias.onnx" => Some(digits("test")),
        "gemm.onnx" | "constant_weights.onnx" | "skl_mlp.onnx" => Some(digits("test.csv")),
        _ => None,
    }
}

/// The arguments of one mode's run on `model` writing `output`.
pub fn mode_args(
    model: &Path,
    output: &Path,
    mode: &str,
    per_channel: bool,
) -> Vec<std::ffi::OsString> {
    let mut args: Vec<std::ffi::OsString> = vec![
        "--input".into(),
        model.into(),
        "--output".into(),
        output.into(),
        "--mode".into(),
        mode.into(),
    ];
    if per_channel {
        args.push("--per-channel".into());
    }
    if mode == "static" {
        args.push("--dataset".into());
        args.push(static_dataset(model).expect("a calibration dataset").into());
        if per_channel {
            args.push("--calibration".into());
            args.push("percentile".into());
        }
    }
    args
}

/// Whether the mode applies to the model (static needs fitting calibration data).
pub fn applies(model: &Path, mode: &str) -> bool {
    mode != "static" || static_dataset(model).is_some()
}

/// A file name for a mode's output.
pub fn output_name(model: &Path, mode: &str, per_channel: bool) -> String {
    format!(
        "{}-{mode}{}.onnx",
        model
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("model"),
        if per_channel { "-pc" } else { "" }
    )
}
