//! Snapshots of publish on the digits example (issue 13): what it prints and the manifest it
//! writes beside the bundle (publish writes no report.md), then `publish verify`'s answer.
//! Paths and the version are filtered (`modelci_test::snapshot`); the bundle is byte-identical
//! for the same inputs, so its digest is part of the snapshot.

use modelci_test::harness::Run;
use modelci_test::snapshot::{json, settings};

use crate::harness::{COMMIT, EPOCH, model, report};

#[test]
fn digits_example_bundle_manifest_and_stdout() {
    let work = tempfile::tempdir().expect("temp dir");
    let run = Run::new(env!("CARGO_BIN_EXE_publish"))
        .current_dir(work.path())
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .arg("--model")
        .arg(model())
        .args(["--name", "digits", "--version", "1.2.0", "--report"])
        .arg(report())
        .args(["--commit", COMMIT, "--output-dir", "out"])
        .output();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(work.path().join("out/manifest.json")).expect("manifest.json"),
    )
    .expect("JSON");
    let sums = std::fs::read_to_string(work.path().join("out/SHA256SUMS")).expect("SHA256SUMS");
    let verify = Run::new(env!("CARGO_BIN_EXE_publish"))
        .current_dir(work.path())
        .args(["verify", "out/digits-1.2.0.zip"])
        .output();
    assert_eq!(verify.code, 0, "{}", verify.stderr);
    settings(&[work.path()]).bind(|| {
        insta::assert_snapshot!("publish_stdout", run.stdout);
        insta::assert_snapshot!("publish_manifest_json", json(&manifest, &|_| false));
        insta::assert_snapshot!("publish_sha256sums", sums);
        insta::assert_snapshot!("publish_verify_stdout", verify.stdout);
    });
}
