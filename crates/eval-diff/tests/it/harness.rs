//! Running the built binary in a fresh temporary folder, and paths to the repository's data.

use std::path::{Path, PathBuf};
use std::process::Command;

pub use modelci_test::harness::{digits, repo};

/// A model fixture.
pub fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures/models").join(name)
}

/// What a run printed and how it ended.
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs eval-diff with `args`, writing the report to `out`.
pub fn eval_diff(out: &Path, args: &[&dyn AsRef<std::ffi::OsStr>]) -> Outcome {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_eval-diff"));
    cmd.arg("--output-dir").arg(out).arg("--quiet");
    for a in args {
        cmd.arg(a.as_ref());
    }
    let output = cmd.output().expect("eval-diff runs");
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

/// The example's scikit-learn reference.
pub fn reference() -> serde_json::Value {
    let text = std::fs::read_to_string(digits("reference.json")).expect("reference.json");
    serde_json::from_str(&text).expect("reference is JSON")
}

/// A JSON array of numbers as `f64`s.
pub fn floats(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

/// Asserts two floats agree to 1e-12 (the same computation in another language).
pub fn assert_close(what: &str, got: f64, want: f64) {
    assert!(
        (got - want).abs() <= 1e-12,
        "{what}: got {got}, scikit-learn says {want}"
    );
}
