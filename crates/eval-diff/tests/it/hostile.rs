//! Issue 14's hostile inputs that reach eval-diff: a symbolic-link loop in the dataset, a file
//! name that tries to inject a workflow command, an unbounded `--bootstrap`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::harness::digits;

/// A small image folder: three digits of classes 0 and 1 copied from the example.
fn small_dataset(dir: &Path) -> PathBuf {
    let ds = dir.join("ds");
    for class in ["0", "1"] {
        std::fs::create_dir_all(ds.join(class)).expect("mkdir");
        let mut names: Vec<_> = std::fs::read_dir(digits("test").join(class))
            .expect("example class folder")
            .map(|e| e.expect("entry").file_name())
            .collect();
        names.sort();
        for name in names.iter().take(3) {
            std::fs::copy(
                digits("test").join(class).join(name),
                ds.join(class).join(name),
            )
            .expect("copy");
        }
    }
    ds
}

/// Runs eval-diff on the example's models and `dataset`, killing it after `limit`.
fn run_bounded(out: &Path, dataset: &Path, extra: &[&str], limit: Duration) -> (i32, String) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_eval-diff"))
        .arg("--output-dir")
        .arg(out)
        .arg("--quiet")
        .arg("--baseline")
        .arg(digits("baseline.onnx"))
        .arg("--candidate")
        .arg(digits("candidate.onnx"))
        .arg("--dataset")
        .arg(dataset)
        .args(extra)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("eval-diff starts");
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let mut stderr = String::new();
            std::io::Read::read_to_string(
                &mut child.stderr.take().expect("stderr piped"),
                &mut stderr,
            )
            .expect("stderr");
            return (status.code().expect("exited, not killed"), stderr);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("eval-diff ran longer than {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_in_the_dataset_ends() {
    // Issue 14 #1: `ln -s .. ds/0/up` made eval-diff run forever, growing 100 MB/s.
    let dir = tempfile::tempdir().expect("tempdir");
    let ds = small_dataset(dir.path());
    std::os::unix::fs::symlink("..", ds.join("0/up")).expect("symlink");
    let out = dir.path().join("out");
    let (code, stderr) = run_bounded(&out, &ds, &[], Duration::from_secs(120));
    assert!(code == 0 || code == 1, "exit {code}: {stderr}");
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("report.json")).expect("report.json"),
    )
    .expect("json");
    assert_eq!(report["dataset"]["files"], 6, "{:#}", report["dataset"]);
}

#[cfg(unix)]
#[test]
fn a_file_name_cannot_inject_a_workflow_command() {
    // Issue 14 #8: a file named `x\n::error title=INJECTED::pwned\n.png` was echoed raw.
    let dir = tempfile::tempdir().expect("tempdir");
    let ds = small_dataset(dir.path());
    std::fs::write(
        ds.join("0").join("x\n::error title=INJECTED::pwned\n.png"),
        b"not a png",
    )
    .expect("write");
    let (code, stderr) = run_bounded(&dir.path().join("out"), &ds, &[], Duration::from_secs(120));
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("eval-diff: error: "), "{stderr}");
    assert!(
        stderr.contains(r"x\n::error title=INJECTED::pwned\n.png"),
        "{stderr}"
    );
    assert!(!stderr.lines().any(|l| l.starts_with("::")), "{stderr}");
}

#[test]
fn bootstrap_is_bounded() {
    // Issue 14 #13: `--bootstrap 100000000` took 1.16 GB.
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, stderr) = run_bounded(
        &dir.path().join("out"),
        &digits("test.npz"),
        &["--bootstrap", "100000000"],
        Duration::from_secs(60),
    );
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("--bootstrap"), "{stderr}");
}
