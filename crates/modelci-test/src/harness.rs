//! Running a built modelci binary as a CI job would, and the repository's data.
//!
//! Every binary's integration tests use the same few things: the repository root, the digits
//! example, the model fixtures, and "run this executable with these flags and environment,
//! then tell me the exit code, what it printed and the report it wrote". [`Run`] starts from an
//! environment without the CI variables of the machine running the tests, so a test on a CI
//! runner behaves as it does on a laptop; a test that wants CI sets the variables itself.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The CI variables of the machine running the tests, kept away from the binary under test.
pub const HOST_CI_VARIABLES: &[&str] = &[
    "CI",
    "GITHUB_ACTIONS",
    "GITHUB_STEP_SUMMARY",
    "GITHUB_OUTPUT",
    "GITHUB_EVENT_PATH",
    "GITHUB_TOKEN",
    "GITLAB_CI",
    "GITLAB_TOKEN",
    "CI_JOB_TOKEN",
    "JENKINS_URL",
    "CI_NODE_INDEX",
    "CI_NODE_TOTAL",
    "MODELCI_SHARD",
    "TRAVIS",
    "MODELCI_GITHUB_TOKEN",
    "MODELCI_GITLAB_TOKEN",
];

/// The repository root.
///
/// # Panics
/// When the checkout has no root above this crate (never in a real checkout).
#[must_use]
#[allow(clippy::expect_used)]
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository root")
}

/// A file of the digits example (`examples/digits/`).
#[must_use]
pub fn digits(name: &str) -> PathBuf {
    repo().join("examples/digits").join(name)
}

/// A model fixture (`tests/fixtures/models/`).
#[must_use]
pub fn model_fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures/models").join(name)
}

/// What a run printed and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// One invocation of a binary under test.
#[derive(Debug)]
pub struct Run {
    command: Command,
}

impl Run {
    /// Prepares `exe` (pass `env!("CARGO_BIN_EXE_<name>")`) without the host's CI variables.
    #[must_use]
    pub fn new(exe: impl AsRef<OsStr>) -> Self {
        let mut command = Command::new(exe);
        for var in HOST_CI_VARIABLES {
            command.env_remove(var);
        }
        Self { command }
    }

    /// Adds one argument.
    #[must_use]
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.command.arg(arg);
        self
    }

    /// Adds arguments.
    #[must_use]
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.command.args(args);
        self
    }

    /// Sets an environment variable.
    #[must_use]
    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.command.env(key, value);
        self
    }

    /// Runs the binary in `dir` instead of the test's working folder.
    #[must_use]
    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.command.current_dir(dir);
        self
    }

    /// Runs the binary to the end.
    ///
    /// # Panics
    /// When the binary cannot be started or is killed by a signal: the test is broken, not the
    /// binary's behaviour.
    #[must_use]
    #[allow(clippy::expect_used)]
    pub fn output(mut self) -> Outcome {
        let output = self.command.output().expect("the binary under test starts");
        Outcome {
            code: output
                .status
                .code()
                .expect("exited, not killed by a signal"),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// Reads `report.json` from the report folder `dir`.
///
/// # Panics
/// When the file is missing or not JSON.
#[must_use]
#[allow(clippy::expect_used)]
pub fn report_json(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("report.json")).expect("report.json written");
    serde_json::from_str(&text).expect("report.json is JSON")
}

/// Replaces the value of every object key for which `volatile` is true (timings, paths,
/// versions) with `"[name]"`, at any depth, so the rest of a report can be snapshotted.
#[must_use]
pub fn scrub_json(value: &serde_json::Value, volatile: &dyn Fn(&str) -> bool) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => map
            .iter()
            .map(|(k, v)| {
                let v = if volatile(k) && !v.is_object() && !v.is_array() {
                    serde_json::Value::String(format!("[{k}]"))
                } else {
                    scrub_json(v, volatile)
                };
                (k.clone(), v)
            })
            .collect(),
        serde_json::Value::Array(items) => items.iter().map(|v| scrub_json(v, volatile)).collect(),
        other => other.clone(),
    }
}

/// Whether tests that need an external program (a real server, a cross-checker) must fail
/// instead of skipping: `MODELCI_REQUIRE_EXTERNAL=1`, as `.ci/run` sets.
pub fn external_required() -> bool {
    std::env::var("MODELCI_REQUIRE_EXTERNAL").is_ok_and(|v| v == "1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrubbing_replaces_volatile_leaves_only() {
        let v = serde_json::json!({"a": 1, "latency_ms": 3.2, "nested": [{"path": "/tmp/x", "b": "kept"}], "path": {"deep": 1}});
        let s = scrub_json(&v, &|k| k == "latency_ms" || k == "path");
        assert_eq!(
            s,
            serde_json::json!({"a": 1, "latency_ms": "[latency_ms]", "nested": [{"path": "[path]", "b": "kept"}], "path": {"deep": 1}})
        );
    }

    #[test]
    fn the_repository_holds_the_example() {
        assert!(digits("candidate.onnx").is_file());
        assert!(repo().join("Cargo.toml").is_file());
    }
}
