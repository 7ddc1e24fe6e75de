//! Running the built binary, and paths to the repository's data.

use std::path::{Path, PathBuf};
use std::process::Command;

pub use modelci_test::harness::{digits, repo};

/// A model fixture.
pub fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures/models").join(name)
}

/// What a run printed and how it ended.
#[derive(Debug)]
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs train-check with `args`, writing the report to `out`; few latency runs to stay fast.
pub fn train_check(out: &Path, args: &[&dyn AsRef<std::ffi::OsStr>]) -> Outcome {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_train-check"));
    cmd.arg("--output-dir").arg(out).arg("--quiet").args([
        "--latency-runs",
        "3",
        "--batch-size",
        "8",
    ]);
    for a in args {
        cmd.arg(a.as_ref());
    }
    let output = cmd.output().expect("train-check runs");
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

/// The checks of a report as `(name, status)`.
pub fn statuses(report: &serde_json::Value) -> Vec<(String, String)> {
    report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| {
            (
                c["name"].as_str().expect("name").to_owned(),
                c["status"].as_str().expect("status").to_owned(),
            )
        })
        .collect()
}

/// Asserts a bad-input exit: code 2, one `train-check: error:` line containing every `needle`,
/// nothing on stdout, no panic.
pub fn assert_bad_input(outcome: &Outcome, needles: &[&str]) {
    assert_eq!(outcome.code, 2, "{outcome:#?}");
    assert!(
        outcome.stderr.starts_with("train-check: error: "),
        "{outcome:#?}"
    );
    assert!(!outcome.stderr.contains("panicked"), "{outcome:#?}");
    for needle in needles {
        assert!(
            outcome.stderr.contains(needle),
            "stderr lacks {needle:?}: {outcome:#?}"
        );
    }
}

/// Writes `text` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write test file");
    path
}
