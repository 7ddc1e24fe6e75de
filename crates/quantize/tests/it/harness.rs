//! Running the built binary, and paths to the repository's data.

use std::path::{Path, PathBuf};
use std::process::Command;

pub use modelci_test::harness::{digits, repo};

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
    quantize_env(out, args, &[])
}

/// Runs quantize with `args` and these environment variables set, writing the report to `out`.
pub fn quantize_env(
    out: &Path,
    args: &[&dyn AsRef<std::ffi::OsStr>],
    env: &[(&str, &std::ffi::OsStr)],
) -> Outcome {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_quantize"));
    cmd.envs(env.iter().copied());
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

/// Static mode's calibration data for a test model: `--dataset` where the model is a
/// classifier whose classes cover the dataset's labels (calibration on the data, then the
/// comparison), otherwise `--calibration-data` with raw inputs of the model's input shape.
pub fn static_data(model: &Path) -> Option<(&'static str, PathBuf)> {
    let name = model.file_name()?.to_str()?;
    match name {
        "candidate.onnx" | "nhwc_cnn.onnx" | "conv_bias.onnx" => {
            Some(("--dataset", digits("test")))
        }
        "gemm.onnx" | "constant_weights.onnx" | "skl_mlp.onnx" => {
            Some(("--dataset", digits("test.csv")))
        }
        "matmul_3d.onnx" => Some(("--calibration-data", fixture("matmul_3d_calibration.npy"))),
        "seven_classes.onnx" => Some((
            "--calibration-data",
            fixture("seven_classes_calibration.npy"),
        )),
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
        let (flag, path) = static_data(model).expect("calibration data for every test model");
        args.push(flag.into());
        args.push(path.into());
        if per_channel {
            args.push("--calibration".into());
            args.push("percentile".into());
        }
    }
    args
}

/// Whether the mode applies to the model (static needs calibration data; every test model
/// has some).
pub fn applies(model: &Path, mode: &str) -> bool {
    mode != "static" || static_data(model).is_some()
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

/// A NumPy `.npy` file (format 1.0, little-endian float32, C order), as `np.save` writes it.
pub fn npy_f32(shape: &[usize], values: &[f32]) -> Vec<u8> {
    assert_eq!(
        shape.iter().product::<usize>(),
        values.len(),
        "shape and values"
    );
    let dims: Vec<String> = shape.iter().map(ToString::to_string).collect();
    let shape = match dims.as_slice() {
        [one] => format!("({one},)"),
        _ => format!("({})", dims.join(", ")),
    };
    let mut header = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}");
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend(
        u16::try_from(header.len())
            .expect("short header")
            .to_le_bytes(),
    );
    bytes.extend(header.as_bytes());
    for v in values {
        bytes.extend(v.to_le_bytes());
    }
    bytes
}
