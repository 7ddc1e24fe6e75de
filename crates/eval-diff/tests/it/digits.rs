//! The digits example: every figure must match what scikit-learn computed on onnxruntime's
//! predictions, whichever dataset form is read.

use crate::harness::{assert_close, digits, eval_diff, floats, reference, report};

fn check_against_reference(dataset: &str) {
    let out = tempfile::tempdir().expect("temp dir");
    let run = eval_diff(
        out.path(),
        &[
            &"--baseline",
            &digits("baseline.onnx"),
            &"--candidate",
            &digits("candidate.onnx"),
            &"--dataset",
            &digits(dataset),
        ],
    );
    assert_eq!(run.code, 0, "no gates, so success; stderr: {}", run.stderr);
    let got = report(out.path());
    let want = reference();
    assert_eq!(got["dataset"]["samples"], 360);
    for who in ["baseline", "candidate"] {
        let g = &got[who];
        let w = &want[who];
        let c = &g["classification"];
        assert_close(
            &format!("{who} accuracy"),
            g["metrics"]["accuracy"].as_f64().expect("number"),
            w["accuracy"].as_f64().expect("number"),
        );
        assert_close(
            &format!("{who} top-2"),
            c["top_k"]["accuracy"].as_f64().expect("number"),
            w["top2_accuracy"].as_f64().expect("number"),
        );
        assert_close(
            &format!("{who} macro F1"),
            c["macro_f1"].as_f64().expect("number"),
            w["f1_macro"].as_f64().expect("number"),
        );
        assert_close(
            &format!("{who} weighted F1"),
            c["weighted_f1"].as_f64().expect("number"),
            w["f1_weighted"].as_f64().expect("number"),
        );
        let per_class = c["per_class"].as_array().expect("per-class array");
        for (metric, key) in [
            ("precision", "precision"),
            ("recall", "recall"),
            ("f1", "f1"),
        ] {
            let want = floats(&w[key]);
            for (class, (got, want)) in per_class.iter().zip(want).enumerate() {
                assert_close(
                    &format!("{who} {metric} of class {class}"),
                    got[metric].as_f64().expect("number"),
                    want,
                );
            }
        }
        assert_eq!(
            c["confusion"], w["confusion_matrix"],
            "{who} confusion matrix"
        );
    }
    let pair = &got["pair"];
    let want_pair = &want["pair"];
    assert_close(
        "agreement",
        pair["agreement"].as_f64().expect("number"),
        want_pair["agreement"].as_f64().expect("number"),
    );
    assert_close(
        "McNemar p",
        pair["mcnemar_p"].as_f64().expect("number"),
        want_pair["mcnemar_exact_p"].as_f64().expect("number"),
    );
    assert_eq!(
        pair["improved"],
        want_pair["n_candidate_right_baseline_wrong"]
    );
    assert_eq!(
        pair["regressed"],
        want_pair["n_baseline_right_candidate_wrong"]
    );
}

#[test]
fn image_folder_matches_scikit_learn() {
    check_against_reference("test");
}

#[test]
fn npz_matches_scikit_learn() {
    check_against_reference("test.npz");
}

#[test]
fn csv_matches_scikit_learn() {
    check_against_reference("test.csv");
}

#[test]
fn report_files_are_complete() {
    let out = tempfile::tempdir().expect("temp dir");
    let run = eval_diff(
        out.path(),
        &[
            &"--baseline",
            &digits("baseline.onnx"),
            &"--candidate",
            &digits("candidate.onnx"),
            &"--dataset",
            &digits("test"),
            &"--tolerance",
            &"accuracy=0.5pt",
            &"--max",
            &"size=1MB",
        ],
    );
    assert_eq!(run.code, 0, "both gates hold; stderr: {}", run.stderr);
    assert!(
        run.stdout
            .starts_with("eval-diff passed: all 2 gate(s) hold"),
        "{}",
        run.stdout
    );
    for chart in [
        "metrics",
        "per_class_f1",
        "confusion_baseline",
        "confusion_candidate",
    ] {
        let png = std::fs::read(out.path().join(format!("{chart}.png"))).expect("PNG written");
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{chart}.png is a PNG");
        let svg =
            std::fs::read_to_string(out.path().join(format!("{chart}.svg"))).expect("SVG written");
        assert!(svg.contains("<svg"), "{chart}.svg is an SVG");
    }
    let md = std::fs::read_to_string(out.path().join("report.md")).expect("report.md");
    assert!(md.starts_with("## ✅ eval-diff passed"), "{md}");
    assert!(
        md.contains("| Accuracy | 96.67% | 99.72% | +3.06 pp |"),
        "{md}"
    );
    assert!(
        md.contains("```mermaid\n") && md.contains("\nxychart-beta\n"),
        "{md}"
    );
    assert!(md.contains("fixed **11** and broke **0**"), "{md}");
    assert!(
        md.contains("![Change vs baseline (candidate - baseline), percentage points](metrics.png)"),
        "{md}"
    );
    assert!(
        md.contains("](flipped_samples.png)"),
        "the fixed samples are shown: {md}"
    );
    let json = report(out.path());
    assert_eq!(json["verdict"]["passed"], true);
    assert_eq!(json["gates"].as_array().map(Vec::len), Some(2));
    let accuracy = json["candidate"]["metrics"]["accuracy"]
        .as_f64()
        .expect("number");
    assert!((0.0..=1.0).contains(&accuracy));
}

#[test]
fn failing_gate_exits_1_and_still_writes_the_report() {
    let out = tempfile::tempdir().expect("temp dir");
    let run = eval_diff(
        out.path(),
        &[
            &"--baseline",
            &digits("baseline.onnx"),
            &"--candidate",
            &digits("candidate.onnx"),
            &"--dataset",
            &digits("test.npz"),
            &"--tolerance",
            &"size=10%",
            &"--min",
            &"accuracy=0.95",
        ],
    );
    assert_eq!(
        run.code, 1,
        "the CNN is far larger than the linear model; stderr: {}",
        run.stderr
    );
    let json = report(out.path());
    assert_eq!(json["verdict"]["passed"], false);
    assert_eq!(json["verdict"]["failed"], 1);
    let md = std::fs::read_to_string(out.path().join("report.md")).expect("report.md");
    assert!(
        md.starts_with("## ❌ eval-diff failed: 1 of 2 gate(s) failed (--tolerance size=10%)"),
        "{md}"
    );
    assert!(md.contains("❌ **fail**"), "{md}");
}

#[test]
fn nhwc_model_is_fed_correctly() {
    let out = tempfile::tempdir().expect("temp dir");
    let run = eval_diff(
        out.path(),
        &[
            &"--baseline",
            &digits("candidate.onnx"),
            &"--candidate",
            &crate::harness::fixture("nhwc_cnn.onnx"),
            &"--dataset",
            &digits("test"),
        ],
    );
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    let json = report(out.path());
    assert_eq!(
        json["pair"]["agreement"], 1.0,
        "same weights, other layout: identical predictions"
    );
    assert_close(
        "NHWC accuracy",
        json["candidate"]["metrics"]["accuracy"]
            .as_f64()
            .expect("number"),
        reference()["candidate"]["accuracy"]
            .as_f64()
            .expect("number"),
    );
}
