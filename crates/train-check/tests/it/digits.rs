//! The shipped digits example: passes with sensible thresholds, fails (exit 1) with a readable
//! report when a threshold is tightened.

use crate::harness::{digits, report, statuses, train_check};

#[test]
fn example_passes_with_sensible_thresholds() {
    let out = tempfile::tempdir().expect("tempdir");
    let r = train_check(
        out.path(),
        &[
            &"--model",
            &digits("candidate.onnx"),
            &"--metrics",
            &digits("history.csv"),
            &"--metrics",
            &digits("metrics.json"),
            &"--min",
            &"val_accuracy=0.95",
            &"--max",
            &"val_loss=0.2",
            &"--min",
            &"test.accuracy=0.95",
            &"--max-size",
            &"1MB",
            &"--max-params",
            &"100k",
            &"--max-latency-ms",
            &"1s",
            &"--dataset",
            &digits("test"),
        ],
    );
    assert_eq!(r.code, 0, "{r:#?}");
    assert!(
        r.stdout.starts_with("train-check passed: all "),
        "{}",
        r.stdout
    );
    let json = report(out.path());
    assert_eq!(json["verdict"]["passed"], true);
    assert_eq!(json["verdict"]["failed"], 0);
    let names: Vec<String> = statuses(&json).into_iter().map(|(n, _)| n).collect();
    for expected in [
        "outputs finite",
        "final val_accuracy ≥ 0.95 (history.csv)",
        "final test.accuracy ≥ 0.95 (metrics.json)",
        "val_loss did not diverge (history.csv)",
        "loss best epoch is not the first (history.csv)",
        "latency, batch 1",
        "file size",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} missing: {names:#?}"
        );
    }
    // The real-data smoke run saw every test image.
    assert!(r.stdout.contains("360 real samples"), "{}", r.stdout);
    // Training curves: PNG, SVG, and the Mermaid version inline.
    for file in ["loss.png", "loss.svg", "metrics.png", "metrics.svg"] {
        assert!(out.path().join(file).is_file(), "{file} missing");
    }
    let md = std::fs::read_to_string(out.path().join("report.md")).expect("report.md");
    assert!(
        md.starts_with("## ✅ train-check candidate.onnx: passed"),
        "{md}"
    );
    assert!(
        md.contains("```mermaid\n") && md.contains("xychart-beta"),
        "{md}"
    );
    assert!(
        md.contains("![Loss per epoch (history.csv)](loss.png)"),
        "{md}"
    );
}

#[test]
fn tightened_threshold_fails_with_readable_report() {
    let out = tempfile::tempdir().expect("tempdir");
    let r = train_check(
        out.path(),
        &[
            &"--model",
            &digits("candidate.onnx"),
            &"--metrics",
            &digits("history.csv"),
            &"--min",
            &"val_accuracy=0.999",
            &"--max-size",
            &"1KB",
        ],
    );
    assert_eq!(r.code, 1, "{r:#?}");
    assert!(
        r.stdout.starts_with("train-check failed: 2 of "),
        "{}",
        r.stdout
    );
    let json = report(out.path());
    assert_eq!(json["verdict"]["failed"], 2);
    let failed: Vec<String> = statuses(&json)
        .into_iter()
        .filter(|(_, s)| s == "fail")
        .map(|(n, _)| n)
        .collect();
    assert_eq!(failed, ["final val_accuracy ≥ 0.999", "file size"]);
    let md = std::fs::read_to_string(out.path().join("report.md")).expect("report.md");
    assert!(
        md.starts_with("## ❌ train-check candidate.onnx: failed: 2 of"),
        "{md}"
    );
    assert!(
        md.contains("| ❌ FAIL | final val\\_accuracy ≥ 0.999 | 0.9861 (epoch 19) | ≥ 0.999 |"),
        "{md}"
    );
}

#[test]
fn baseline_probabilities_sum_to_one_and_signature_matches() {
    let out = tempfile::tempdir().expect("tempdir");
    let sig = crate::harness::write(
        out.path(),
        "signature.yaml",
        "inputs:\n  - name: input\n    type: float32\n    shape: [N, 1, 8, 8]\noutputs:\n  - name: logits\n    shape: [N, 10]\n",
    );
    let r = train_check(
        out.path(),
        &[&"--model", &digits("candidate.onnx"), &"--signature", &sig],
    );
    // The names in the signature file must be the candidate's real names; see the assertion.
    if r.code == 2 {
        panic!(
            "signature names differ from the example model: {}",
            r.stderr
        );
    }
    assert_eq!(r.code, 0, "{r:#?}");

    let r = train_check(out.path(), &[&"--model", &digits("baseline.onnx")]);
    assert_eq!(r.code, 0, "{r:#?}");
    let json = report(out.path());
    assert!(
        statuses(&json)
            .iter()
            .any(|(n, s)| n == "probabilities sum to 1: probabilities" && s == "pass"),
        "{:#?}",
        statuses(&json)
    );
}

#[test]
fn signature_with_wrong_shape_fails_the_check() {
    let out = tempfile::tempdir().expect("tempdir");
    let sig = crate::harness::write(
        out.path(),
        "signature.json",
        r#"{"outputs": [{"name": "logits", "type": "float32", "shape": ["N", 12]}]}"#,
    );
    let r = train_check(
        out.path(),
        &[&"--model", &digits("candidate.onnx"), &"--signature", &sig],
    );
    assert_eq!(r.code, 1, "{r:#?}");
    let json = report(out.path());
    let failed: Vec<(String, String)> = statuses(&json)
        .into_iter()
        .filter(|(_, s)| s == "fail")
        .collect();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].0, "signature: output logits");
    assert!(r.stdout.contains("shape differs"), "{}", r.stdout);
}

#[test]
fn help_documents_formats_and_exit_codes() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_train-check"))
        .arg("--help")
        .output()
        .expect("train-check runs");
    assert_eq!(output.status.code(), Some(0));
    let help = String::from_utf8_lossy(&output.stdout);
    for needle in [
        "--max-latency-ms",
        "PyTorch Lightning CSVLogger",
        "Exit codes: 0 all checks passed, 1 a check failed, 2 bad input or usage.",
    ] {
        assert!(
            help.contains(needle),
            "{needle} missing from --help:\n{help}"
        );
    }
}
