//! Training logs in every supported format, and histories that must fail: a diverging loss,
//! NaN in a log, a loss still rising at the end.

use std::path::Path;

use crate::harness::{digits, report, statuses, train_check, write};

fn failed(out: &Path) -> Vec<String> {
    statuses(&report(out))
        .into_iter()
        .filter(|(_, s)| s == "fail")
        .map(|(n, _)| n)
        .collect()
}

/// A Keras-style history whose validation loss falls, then blows up.
fn diverging_history() -> String {
    let mut text = String::from("epoch,accuracy,loss,val_accuracy,val_loss\n");
    let val = [1.2, 0.6, 0.3, 0.2, 0.25, 0.4, 0.7, 1.1];
    for (epoch, v) in val.iter().enumerate() {
        let loss = 1.0 / (epoch as f64 + 1.0);
        text.push_str(&format!(
            "{epoch},{},{loss},{},{v}\n",
            0.5 + 0.05 * epoch as f64,
            0.6
        ));
    }
    text
}

#[test]
fn diverging_history_fails_with_exit_1() {
    let out = tempfile::tempdir().expect("tempdir");
    let log = write(out.path(), "history.csv", &diverging_history());
    let r = train_check(
        out.path(),
        &[&"--model", &digits("candidate.onnx"), &"--metrics", &log],
    );
    assert_eq!(r.code, 1, "{r:#?}");
    assert_eq!(
        failed(out.path()),
        [
            "val_loss non-increasing over epochs 3–7",
            "val_loss did not diverge"
        ]
    );
    assert!(
        r.stdout
            .contains("final 1.1 (epoch 7), min 0.2 (epoch 3): 5.5×"),
        "{}",
        r.stdout
    );
    let md = std::fs::read_to_string(out.path().join("report.md")).expect("report.md");
    assert!(
        md.contains("## ❌ train-check candidate.onnx: failed: 2 of"),
        "{md}"
    );
    assert!(out.path().join("loss.png").is_file());
}

#[test]
fn nan_in_a_log_fails_the_finiteness_check() {
    let out = tempfile::tempdir().expect("tempdir");
    let log = write(
        out.path(),
        "history.json",
        r#"[{"epoch": 0, "loss": 1.0}, {"epoch": 1, "loss": 0.5}, {"epoch": 2, "loss": NaN}]"#,
    );
    let r = train_check(
        out.path(),
        &[&"--model", &digits("candidate.onnx"), &"--metrics", &log],
    );
    assert_eq!(r.code, 1, "{r:#?}");
    assert!(
        failed(out.path()).contains(&"no NaN/inf in history.json (per-epoch list)".to_owned()),
        "{:?}",
        failed(out.path())
    );
    assert!(r.stdout.contains("loss = NaN at epoch 2"), "{}", r.stdout);
}

#[test]
fn lightning_metrics_csv_is_merged_per_epoch() {
    let out = tempfile::tempdir().expect("tempdir");
    let log = write(
        out.path(),
        "metrics.csv",
        "epoch,step,train_loss_step,val_loss,val_acc,train_loss_epoch\n\
         0,9,0.9,,,\n0,9,,0.8,0.7,\n0,9,,,,0.85\n\
         1,19,0.6,,,\n1,19,,0.5,0.85,\n1,19,,,,0.55\n\
         2,29,0.4,,,\n2,29,,0.45,0.9,\n2,29,,,,0.42\n",
    );
    let r = train_check(
        out.path(),
        &[
            &"--model",
            &digits("candidate.onnx"),
            &"--metrics",
            &log,
            &"--min",
            &"val_acc=0.85",
            &"--loss",
            &"val_loss",
        ],
    );
    assert_eq!(r.code, 0, "{r:#?}");
    let json = report(out.path());
    assert_eq!(json["logs"][0]["format"], "lightning_csv");
    assert_eq!(json["logs"][0]["epochs"].as_array().map(Vec::len), Some(3));
    let names: Vec<String> = statuses(&json).into_iter().map(|(n, _)| n).collect();
    assert!(
        names.contains(&"val_loss did not diverge".to_owned()),
        "{names:?}"
    );
    assert!(
        !names.iter().any(|n| n.contains("train_loss_step")),
        "--loss limits the losses: {names:?}"
    );
}

#[test]
fn dvc_yaml_and_crlf_keras_logs() {
    let out = tempfile::tempdir().expect("tempdir");
    let yaml = write(
        out.path(),
        "metrics.yaml",
        "val:\n  accuracy: 0.97\n  loss: 0.1\n",
    );
    let csv = std::fs::read_to_string(digits("history.csv"))
        .expect("history.csv")
        .replace('\n', "\r\n");
    let csv = write(out.path(), "history_crlf.csv", &csv);
    let r = train_check(
        out.path(),
        &[
            &"--model",
            &digits("candidate.onnx"),
            &"--metrics",
            &yaml,
            &"--metrics",
            &csv,
            &"--min",
            &"val.accuracy=0.95",
            &"--max",
            &"val_loss=0.2",
        ],
    );
    assert_eq!(r.code, 0, "{r:#?}");
    let json = report(out.path());
    assert_eq!(json["logs"][0]["format"], "dvc");
    assert_eq!(json["logs"][1]["format"], "keras_csv");
}
