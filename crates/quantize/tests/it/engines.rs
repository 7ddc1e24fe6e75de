//! `--cross-check` (issue 17): the quantized model run in tract and in onnxruntime on the
//! verification inputs, with the `cross_agreement` gate.
//!
//! onnxruntime's library comes from the `onnxruntime` package of `MODELCI_PYTHON`'s
//! interpreter (`.ci/run` installs it with `scripts/ci/python-onnx.sh`). Without it these tests
//! say so on stderr and skip, or fail when `MODELCI_REQUIRE_EXTERNAL=1`.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use crate::harness::{Outcome, digits, quantize_env, report};

/// onnxruntime's shared library, found by asking `MODELCI_PYTHON` where its package is.
fn library() -> Option<PathBuf> {
    let found = std::env::var_os("MODELCI_PYTHON").and_then(|python| {
        let output = std::process::Command::new(python)
            .args([
                "-c",
                "import onnxruntime, os; print(os.path.dirname(onnxruntime.__file__))",
            ])
            .output()
            .ok()?;
        let package = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
        let mut libraries: Vec<PathBuf> = std::fs::read_dir(package.join("capi"))
            .ok()?
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("libonnxruntime.so."))
            })
            .collect();
        libraries.sort();
        libraries.pop()
    });
    if found.is_none() {
        let why = "no onnxruntime package for MODELCI_PYTHON (run scripts/ci/python-onnx.sh and export MODELCI_PYTHON)";
        assert!(
            std::env::var("MODELCI_REQUIRE_EXTERNAL").as_deref() != Ok("1"),
            "{why}; required because MODELCI_REQUIRE_EXTERNAL=1"
        );
        eprintln!("skipped: {why}");
    }
    found
}

/// quantize (dynamic int8) of the digits CNN, verified on the example's test images, with
/// `extra` flags and onnxruntime's library at `library`.
fn run(out: &Path, library: &Path, extra: &[&str]) -> Outcome {
    let output = out.join("candidate.int8.onnx");
    let candidate = digits("candidate.onnx");
    let test = digits("test");
    let mut args: Vec<&dyn AsRef<OsStr>> = vec![
        &"--input",
        &candidate,
        &"--output",
        &output,
        &"--dataset",
        &test,
    ];
    for flag in extra {
        args.push(flag);
    }
    quantize_env(out, &args, &[("ORT_DYLIB_PATH", library.as_os_str())])
}

#[test]
fn the_quantized_model_is_cross_checked_in_both_engines_either_way_round() {
    let Some(library) = library() else {
        return;
    };
    for (engine, other) in [("tract", "onnxruntime"), ("onnxruntime", "tract")] {
        let dir = tempfile::tempdir().expect("temp dir");
        let run = run(
            dir.path(),
            &library,
            &[
                "--engine",
                engine,
                "--cross-check",
                "--min",
                "cross_agreement=0.9",
            ],
        );
        assert_eq!(run.code, 0, "{engine}: {}", run.stderr);
        let json = report(dir.path());
        let cross = &json["cross_check"];
        assert_eq!(cross["engine"]["name"], other, "{cross}");
        let outputs = cross["outputs"].as_array().expect("outputs");
        assert_eq!(outputs.len(), 1, "{cross}");
        let output = &outputs[0];
        // The verification's samples (at most 256 of the 360 test images), all compared.
        assert_eq!(output["samples"], 256, "{output}");
        assert_eq!(output["top1_samples"], 256, "{output}");
        let agree = output["top1_agree"].as_u64().expect("count");
        assert!(agree >= 240, "{engine}: {output}");
        let diff = output["max_abs_diff"].as_f64().expect("difference");
        assert!(diff.is_finite() && diff < 1.0, "{engine}: {output}");
        let gate = json["gates"]
            .as_array()
            .expect("gates")
            .iter()
            .find(|g| {
                g["name"]
                    .as_str()
                    .is_some_and(|n| n.contains("cross_agreement"))
            })
            .expect("the cross_agreement gate");
        assert_eq!(gate["passed"], true, "{gate}");
        let md = std::fs::read_to_string(dir.path().join("report.md")).expect("report.md");
        assert!(
            md.contains(&format!("### Cross-check: {engine} vs {other}")),
            "{md}"
        );
        assert!(md.contains("| `logits` | 256 | "), "{md}");
    }
}

#[test]
fn a_cross_agreement_gate_above_the_measured_agreement_fails_with_exit_1() {
    let Some(library) = library() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let run = run(
        dir.path(),
        &library,
        &[
            "--engine",
            "tract",
            "--cross-check",
            "--min",
            "cross_agreement=1.5",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let json = report(dir.path());
    let failed: Vec<&serde_json::Value> = json["gates"]
        .as_array()
        .expect("gates")
        .iter()
        .filter(|g| g["passed"] == false)
        .collect();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(
        failed[0]["name"]
            .as_str()
            .is_some_and(|n| n.contains("cross_agreement >= 1.5")),
        "{failed:?}"
    );
}

#[test]
fn min_gates_need_the_cross_check_and_know_only_cross_agreement() {
    let dir = tempfile::tempdir().expect("temp dir");
    let nowhere = dir.path().join("no-such-library.so");
    for (extra, expected) in [
        (
            vec!["--engine", "tract", "--min", "cross_agreement=0.99"],
            "cross_agreement needs --cross-check",
        ),
        (
            vec![
                "--engine",
                "tract",
                "--cross-check",
                "--min",
                "accuracy=0.9",
            ],
            "quantize's --min knows only cross_agreement",
        ),
        (
            vec!["--engine", "tract", "--cross-check"],
            "--cross-check runs the quantized model in both engines",
        ),
    ] {
        let run = run(dir.path(), &nowhere, &extra);
        assert_eq!(run.code, 2, "{extra:?}: {}", run.stderr);
        assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
        assert!(run.stderr.contains(expected), "{extra:?}: {}", run.stderr);
        assert!(
            !dir.path().join("candidate.int8.onnx").exists(),
            "nothing is written on bad input"
        );
    }
}
