//! Running the built binary with a clean environment in a temporary folder.

use std::path::{Path, PathBuf};
use std::process::Command;

pub use modelci_test::harness::repo;

/// The example's candidate model.
pub fn model() -> PathBuf {
    repo().join("examples/digits/candidate.onnx")
}

/// The second example model.
pub fn baseline_model() -> PathBuf {
    repo().join("examples/digits/baseline.onnx")
}

/// An eval-diff report of the digits example.
pub fn report() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/report.json")
}

/// A fixed `SOURCE_DATE_EPOCH` (2026-11-27T10:10:45Z).
pub const EPOCH: &str = "1795774245";
/// A fixed commit.
pub const COMMIT: &str = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";

/// What a run printed and how it ended.
#[derive(Debug)]
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `publish` in `cwd` with only `PATH`, `HOME` and `vars` in its environment.
pub fn publish(
    cwd: &Path,
    vars: &[(&str, String)],
    args: &[&dyn AsRef<std::ffi::OsStr>],
) -> Outcome {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_publish"));
    cmd.env_clear().current_dir(cwd);
    for key in ["PATH", "HOME"] {
        if let Ok(v) = std::env::var(key) {
            cmd.env(key, v);
        }
    }
    for (k, v) in vars {
        cmd.env(k, v);
    }
    for a in args {
        cmd.arg(a.as_ref());
    }
    let output = cmd.output().expect("publish runs");
    Outcome {
        code: output
            .status
            .code()
            .expect("exited, not killed by a signal"),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The usual bundle arguments for version `version`, writing to `out`.
pub fn bundle_args(out: &Path, version: &str) -> Vec<std::ffi::OsString> {
    vec![
        "--model".into(),
        model().into(),
        "--name".into(),
        "digits".into(),
        "--version".into(),
        version.into(),
        "--report".into(),
        report().into(),
        "--commit".into(),
        COMMIT.into(),
        "--output-dir".into(),
        out.into(),
    ]
}

/// `bundle_args` plus `extra`, as the slice `publish` takes.
pub fn with(base: &[std::ffi::OsString], extra: &[&str]) -> Vec<std::ffi::OsString> {
    let mut v = base.to_vec();
    v.extend(extra.iter().map(std::ffi::OsString::from));
    v
}

/// Borrows a list of arguments as `publish` takes them.
pub fn refs(v: &[std::ffi::OsString]) -> Vec<&dyn AsRef<std::ffi::OsStr>> {
    v.iter().map(|a| a as &dyn AsRef<std::ffi::OsStr>).collect()
}
