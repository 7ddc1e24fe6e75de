//! Regression models.

use crate::harness::{eval_diff, fixture, report};

#[test]
fn regression_matches_scikit_learn() {
    let out = tempfile::tempdir().expect("temp dir");
    let run = eval_diff(
        out.path(),
        &[
            &"--baseline",
            &fixture("regression.onnx"),
            &"--candidate",
            &fixture("regression.onnx"),
            &"--dataset",
            &fixture("regression.csv"),
            &"--label-column",
            &"target",
            &"--max",
            &"rmse=100",
        ],
    );
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    let got = report(out.path());
    assert_eq!(got["task"], "regression");
    let want: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("regression_reference.json")).expect("reference"),
    )
    .expect("JSON");
    for (ours, theirs) in [
        ("mae", "mean_absolute_error"),
        ("rmse", "root_mean_squared_error"),
        ("r2", "r2_score"),
    ] {
        let g = got["candidate"]["metrics"][ours].as_f64().expect("number");
        let w = want[theirs].as_f64().expect("number");
        // float32 model outputs summed in f64 here and in numpy: agree to ~1e-6 relative.
        assert!(
            (g - w).abs() <= 1e-5 * w.abs().max(1.0),
            "{ours}: got {g}, scikit-learn says {w}"
        );
    }
    assert!(got["pair"].is_null(), "no flips for regression");
}
