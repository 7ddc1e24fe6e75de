//! The mlserver layout served by a real Seldon MLServer (`MODELCI_MLSERVER`, installed by
//! scripts/ci/mlserver.sh) and smoke-checked by `deploy-notify --smoke-endpoint` against the same
//! ONNX model run locally.
//!
//! The server needs onnxruntime beside mlserver; the test lends it the onnxruntime package of
//! `MODELCI_PYTHON` (scripts/ci/python-onnx.sh; both venvs come from the same `python3`) through
//! `PYTHONPATH`, as a deployment would `pip install onnxruntime` into the server's image.

use std::path::{Path, PathBuf};
use std::process::Command;

use modelci_serving::Layout;
use modelci_test::mlserver::MlServer;

use crate::harness::{digits, external_required, render, text, write};

/// A program the test needs, or `None` (after saying why) when it may skip.
fn needed(var: &str, hint: &str) -> Option<PathBuf> {
    let found = std::env::var_os(var)
        .map(PathBuf::from)
        .filter(|p| p.is_file());
    if found.is_none() {
        let why = format!("{var} is not set to an executable: {hint}");
        assert!(!external_required(), "MODELCI_REQUIRE_EXTERNAL=1: {why}");
        eprintln!("skipping the MLServer layout test: {why}");
    }
    found
}

/// `deploy-notify`, built beside this test (cargo builds every binary of the workspace for
/// `cargo test --workspace`).
fn deploy_notify() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let path = exe.parent()?.parent()?.join("deploy-notify");
    if !path.is_file() {
        let why = "deploy-notify is not built: run `cargo build -p deploy-notify` (or `cargo test --workspace`)";
        assert!(!external_required(), "MODELCI_REQUIRE_EXTERNAL=1: {why}");
        eprintln!("skipping the MLServer layout test: {why}");
        return None;
    }
    Some(path)
}

/// A folder holding only a link to the onnxruntime package of `python`.
fn onnxruntime_path(python: &Path, into: &Path) -> PathBuf {
    let out = Command::new(python)
        .args([
            "-c",
            "import os, onnxruntime; print(os.path.dirname(onnxruntime.__file__))",
        ])
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let package = String::from_utf8(out.stdout).expect("utf-8");
    let dir = into.join("pythonpath");
    std::fs::create_dir_all(&dir).expect("folder");
    std::os::unix::fs::symlink(package.trim(), dir.join("onnxruntime")).expect("link");
    dir
}

#[test]
fn mlserver_serves_the_layout_and_deploy_notify_agrees() {
    let Some(mlserver) = needed("MODELCI_MLSERVER", "run scripts/ci/mlserver.sh") else {
        return;
    };
    let Some(python) = needed("MODELCI_PYTHON", "run scripts/ci/python-onnx.sh") else {
        return;
    };
    let Some(deploy_notify) = deploy_notify() else {
        return;
    };
    let model = digits("candidate.onnx");
    let files = render(Layout::MlServer, &model, 8);
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "digits/model-settings.json",
            "digits/model.onnx",
            "digits/modelci_onnx_runtime.py"
        ]
    );
    let settings: serde_json::Value =
        serde_json::from_str(&text(&files, "digits/model-settings.json")).expect("JSON");
    assert_eq!(
        settings["inputs"][0]["shape"],
        serde_json::json!([-1, 1, 8, 8])
    );

    let work = tempfile::tempdir().expect("temp dir");
    let root = work.path().join("models");
    write(&files, &root);
    let pythonpath = onnxruntime_path(&python, work.path());
    let server = MlServer::serve(
        &mlserver,
        &root,
        &["digits"],
        &[("PYTHONPATH", pythonpath.to_str().expect("utf-8"))],
    );
    let url = server.url.clone();

    let run = Command::new(&deploy_notify)
        .args([
            "--environment",
            "test",
            "--version",
            "1.2.0",
            "--no-record",
            "--no-comment",
        ])
        .args(["--smoke-endpoint", &url, "--model-name", "digits"])
        .arg("--model")
        .arg(&model)
        .arg("--dataset")
        .arg(digits("test.npz"))
        .args(["--samples", "20", "--ready-timeout", "120"])
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITLAB_CI")
        .output()
        .expect("deploy-notify runs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(
        run.status.code(),
        Some(0),
        "stdout: {stdout}\nstderr: {stderr}\nmlserver log:\n{}",
        server.log()
    );
    assert!(
        stdout.contains("smoke check: 20/20 agreed (100.0%)"),
        "{stdout}"
    );
}
