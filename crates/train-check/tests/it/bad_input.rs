//! Issue 4's bad inputs, each a test: a clear one-line message, exit 2, no panic, no report.

use crate::harness::{assert_bad_input, digits, fixture, train_check, write};

fn candidate() -> std::path::PathBuf {
    digits("candidate.onnx")
}

#[test]
fn unparseable_metrics_file_names_the_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = write(
        dir.path(),
        "metrics.json",
        "{\n  \"val\": {\n    \"accuracy\": 0.9,\n  }\n}\n",
    );
    let r = train_check(dir.path(), &[&"--model", &candidate(), &"--metrics", &bad]);
    assert_bad_input(&r, &["metrics.json:4: does not parse as JSON"]);
    assert!(!dir.path().join("report.md").exists());
}

#[test]
fn unknown_metric_in_min_lists_the_known_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = train_check(
        dir.path(),
        &[
            &"--model",
            &candidate(),
            &"--metrics",
            &digits("history.csv"),
            &"--min",
            &"val_acc=0.9",
        ],
    );
    assert_bad_input(
        &r,
        &[
            "--min val_acc: no training log has a metric `val_acc`",
            "known metrics: accuracy, loss, val_accuracy, val_loss",
        ],
    );
}

#[test]
fn ragged_csv_row_names_the_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = write(
        dir.path(),
        "history.csv",
        "epoch,loss,val_loss\n0,1.0,1.1\n1,0.5\n2,0.4,0.45\n",
    );
    let r = train_check(dir.path(), &[&"--model", &candidate(), &"--metrics", &log]);
    assert_bad_input(
        &r,
        &["history.csv:3: ragged row: 2 cells where the header has 3 columns"],
    );
}

#[test]
fn yaml_with_non_numeric_leaf_names_key_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = write(
        dir.path(),
        "metrics.yaml",
        "train:\n  loss: 0.1\nval:\n  loss: 0.2\n  accuracy: very good\n",
    );
    let r = train_check(dir.path(), &[&"--model", &candidate(), &"--metrics", &log]);
    assert_bad_input(
        &r,
        &["metrics.yaml:5: `val.accuracy` is the string \"very good\", not a number"],
    );
}

#[test]
fn learning_thresholds_out_of_range() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = train_check(
        dir.path(),
        &[&"--model", &candidate(), &"--chance-margin", &"1.5"],
    );
    assert_bad_input(&r, &["--chance-margin 1.5"]);
    let r = train_check(
        dir.path(),
        &[&"--model", &candidate(), &"--min-loss-drop", &"1"],
    );
    assert_bad_input(&r, &["--min-loss-drop 1"]);
}

#[test]
fn input_shape_naming_no_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = train_check(
        dir.path(),
        &[
            &"--model",
            &fixture("dynamic_hw.onnx"),
            &"--input-shape",
            &"pixels=1x1x8x8",
        ],
    );
    assert_bad_input(&r, &["dynamic_hw.onnx", "no input `pixels`"]);
}

#[test]
fn dynamic_image_size_without_a_flag_names_the_flags() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = train_check(dir.path(), &[&"--model", &fixture("dynamic_hw.onnx")]);
    assert_bad_input(&r, &["dynamic_hw.onnx", "--image-size", "--input-shape"]);
}

#[test]
fn signature_naming_a_missing_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sig = write(
        dir.path(),
        "signature.yaml",
        "inputs:\n  - name: pixels\n    type: float32\n",
    );
    let r = train_check(
        dir.path(),
        &[&"--model", &candidate(), &"--signature", &sig],
    );
    assert_bad_input(
        &r,
        &[
            "signature.yaml: input `pixels` is not an input of",
            "candidate.onnx (its inputs: `",
        ],
    );
}

#[test]
fn negative_budget() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = train_check(dir.path(), &[&"--model", &candidate(), &"--max-size=-5MB"]);
    assert_bad_input(&r, &["--max-size -5MB: a budget cannot be negative"]);
    let r = train_check(
        dir.path(),
        &[&"--model", &candidate(), &"--max-latency-ms=-1"],
    );
    assert_bad_input(&r, &["--max-latency-ms -1: a budget cannot be negative"]);
}

#[test]
fn unitless_size_budget() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = train_check(
        dir.path(),
        &[&"--model", &candidate(), &"--max-size", &"10"],
    );
    assert_bad_input(&r, &["--max-size 10: give a unit, e.g. 10MB or 10KiB"]);
}

#[test]
fn missing_model_and_garbage_model() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = train_check(dir.path(), &[&"--model", &dir.path().join("nope.onnx")]);
    assert_bad_input(&r, &["nope.onnx"]);
    let r = train_check(dir.path(), &[&"--model", &fixture("garbage.onnx")]);
    assert_bad_input(&r, &["garbage.onnx: not a loadable ONNX model"]);
}
