//! The model checks on a real classifier: a logistic regression fitted by
//! scripts/drift_classifier.py (numpy) and exported to ONNX, run by drift-check (`--model`) or
//! answered by onnxruntime in a KServe-style payload log (CloudEvents, request and response on
//! separate lines with one id).

use std::path::Path;
use std::process::Command;

use modelci_test::harness::{external_required, repo, report_json};
use modelci_test::json_schema::{load, validate};
use serde_json::{Value, json};

use crate::bad_input::refused;
use crate::example::drift_check;

/// `MODELCI_PYTHON`, or `None` (after saying why) without it.
pub(crate) fn python() -> Option<std::ffi::OsString> {
    let python = std::env::var_os("MODELCI_PYTHON");
    if python.is_none() {
        let why =
            "MODELCI_PYTHON is not set (numpy, onnx and onnxruntime: scripts/ci/python-onnx.sh)";
        assert!(
            !external_required(),
            "{why}; required because MODELCI_REQUIRE_EXTERNAL=1"
        );
        eprintln!("skipped: {why}");
    }
    python
}

/// The generated classifier and data, or `None` (after saying why) without `MODELCI_PYTHON`.
pub(crate) fn fixtures() -> Option<tempfile::TempDir> {
    let python = python()?;
    let dir = tempfile::tempdir().unwrap();
    let script = repo().join("scripts/drift_classifier.py");
    run_python(&python, &[script.as_os_str(), dir.path().as_os_str()]);
    Some(dir)
}

/// Runs `python` with `args`; panics with its standard error when it fails.
pub(crate) fn run_python(python: &std::ffi::OsStr, args: &[&std::ffi::OsStr]) {
    let made = Command::new(python).args(args).output().unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
}

fn path(dir: &Path, name: &str) -> String {
    dir.join(name).to_str().unwrap().to_owned()
}

/// drift-check with the model run by tract, the report in `dir/out`.
fn check(dir: &Path, out: &str, args: &[&str]) -> (i32, Value, String) {
    let out = dir.join(out);
    let run = drift_check(&out, args);
    let report = if out.join("report.json").exists() {
        report_json(&out)
    } else {
        Value::Null
    };
    (run.code, report, run.stderr)
}

pub(crate) fn model_check<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["model"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap()
}

#[test]
fn shifted_data_drifts_the_predictions_and_drops_the_accuracy_stable_data_does_not() {
    let Some(work) = fixtures() else { return };
    let dir = work.path();
    let (reference, model) = (path(dir, "reference.csv"), path(dir, "model.onnx"));
    // Runs on `current` and checks the report against its schema.
    let run = |current: &str, out: &str| {
        let current = path(dir, current);
        let (code, report, stderr) = check(
            dir,
            out,
            &[
                "--reference",
                &reference,
                "--model",
                &model,
                "--engine",
                "tract",
                "--current",
                &current,
            ],
        );
        let errors = validate(&load("schemas/drift-check.v1.json"), &report);
        assert!(errors.is_empty(), "{errors:#?}");
        (code, report, stderr)
    };
    let (code, stable, stderr) = run("stable.csv", "stable");
    assert_eq!(code, 0, "{stderr}");
    // The label column is the answer key, not a feature.
    let names: Vec<&str> = stable["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert!(!names.contains(&"label"), "{names:?}");
    assert_eq!(names.len(), 4);
    for name in ["prediction drift", "score shift", "measured accuracy"] {
        assert_eq!(
            model_check(&stable, name)["state"],
            "ok",
            "{name}: {:#?}",
            stable["model"]
        );
    }
    assert_eq!(
        model_check(&stable, "estimated accuracy")["state"],
        "reported"
    );
    let measured = &stable["model"]["measured"];
    assert_eq!(measured["rows"], 1000);
    // The reference's accuracy, measured by drift-check on the labelled reference CSV.
    let reference_accuracy = measured["reference"].as_f64().unwrap();
    assert!(
        (0.75..0.9).contains(&reference_accuracy),
        "{reference_accuracy}"
    );
    assert!(
        measured["drop_points"].as_f64().unwrap().abs() < 5.0,
        "{measured}"
    );
    assert!(stable["model"]["prediction"]["psi"].as_f64().unwrap() < 0.1);
    // Calibrated scores: the estimate lands near the measured accuracy.
    let estimate = stable["model"]["estimate"]["estimated_accuracy"]
        .as_f64()
        .unwrap();
    assert!(
        (estimate - measured["accuracy"].as_f64().unwrap()).abs() < 0.05,
        "{estimate}"
    );

    let (code, shifted, stderr) = run("shifted.csv", "shifted");
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(model_check(&shifted, "prediction drift")["state"], "failed");
    assert!(shifted["model"]["prediction"]["psi"].as_f64().unwrap() >= 0.25);
    assert_eq!(
        model_check(&shifted, "measured accuracy")["state"],
        "failed"
    );
    let measured = &shifted["model"]["measured"];
    assert!(
        measured["drop_points"].as_f64().unwrap() > 20.0,
        "{measured}"
    );
    let (low, high) = (
        measured["drop_interval_points"][0].as_f64().unwrap(),
        measured["drop_interval_points"][1].as_f64().unwrap(),
    );
    assert!(0.0 < low && low < high, "{measured}");
    assert!(
        shifted["verdict"]["summary"]
            .as_str()
            .unwrap()
            .contains("2 model checks failed"),
        "{}",
        shifted["verdict"]
    );
    let markdown = std::fs::read_to_string(dir.join("shifted/report.md")).unwrap();
    assert!(markdown.contains("### Model"), "{markdown}");
    assert!(
        markdown.contains("estimate, assumes calibrated scores"),
        "{markdown}"
    );
    assert!(dir.join("shifted/model-scores.png").exists());
    // The model checks are gates of the delivered report, like the features.
    let junit = std::fs::read_to_string(dir.join("shifted/junit.xml")).unwrap();
    for name in ["prediction drift", "score shift", "measured accuracy"] {
        assert!(junit.contains(&format!("name=\"{name}\"")), "{junit}");
    }
    assert!(dir.join("shifted/model-predictions.png").exists());
}

#[test]
fn the_responses_in_a_log_give_the_figures_of_running_the_model() {
    let Some(work) = fixtures() else { return };
    let dir = work.path();
    let stored = path(dir, "reference.json");
    let model = path(dir, "model.onnx");
    // The reference with the model's predictions, measured once on the labelled CSV.
    let (code, _, stderr) = check(
        dir,
        "write",
        &[
            "--reference",
            &path(dir, "reference.csv"),
            "--model",
            &model,
            "--engine",
            "tract",
            "--current",
            &path(dir, "stable.csv"),
            "--write-reference",
            &stored,
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let written: Value = serde_json::from_slice(&std::fs::read(&stored).unwrap()).unwrap();
    assert_eq!(written["predictions"]["output"], "probabilities");
    assert_eq!(written["predictions"]["performance"]["rows"], 2000);

    let (code, ran, stderr) = with_model(dir, "ran", &stored, &model, "shifted.csv");
    assert_eq!(code, 1, "{stderr}");
    assert!(
        !stderr.contains("differs from the reference's model"),
        "{stderr}"
    );
    // Labels from the requests' parameters, predictions from the logged responses.
    let logged = from_log(dir, "logged", &stored, "shifted.jsonl");
    assert_eq!(logged["model"]["source"], "the responses in the log");
    assert_eq!(logged["model"]["rows"], 1000);
    same_figures(&ran, &logged);
    // The requests of the log through the model, labels from the requests.
    let (_, through, stderr) = with_model(dir, "through", &stored, &model, "shifted.jsonl");
    assert_eq!(through["model"]["rows"], 1000, "{stderr}");
    same_figures(&ran, &through);

    // The same log with each request and its response in one record, and the labels arriving
    // later on lines of their own, joined by id.
    let text = std::fs::read_to_string(dir.join("shifted.jsonl")).unwrap();
    let events: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut records = String::new();
    let mut labels = String::new();
    for pair in events.chunks(2) {
        let (mut request, response) = (pair[0]["data"].clone(), pair[1]["data"].clone());
        let id = pair[0]["id"].clone();
        let row_labels = request["parameters"]["labels"].take();
        request.as_object_mut().unwrap().remove("parameters");
        records.push_str(&format!(
            "{}\n",
            json!({ "id": id, "request": request, "response": response })
        ));
        labels.push_str(&format!("{}\n", json!({ "id": id, "labels": row_labels })));
    }
    std::fs::write(dir.join("joined.jsonl"), records.clone() + &labels).unwrap();
    // One request's labels one short: its rows count as unlabelled, with a warning.
    let mut short: Vec<Value> = labels
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    short[0]["labels"].as_array_mut().unwrap().pop();
    let short: String = short.iter().map(|v| format!("{v}\n")).collect();
    std::fs::write(dir.join("short.jsonl"), records + &short).unwrap();
    let (code, report, stderr) = check(
        dir,
        "short",
        &[
            "--reference",
            &stored,
            "--current",
            &path(dir, "short.jsonl"),
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("1 request(s) have labels that are not one per row"),
        "{stderr}"
    );
    assert_eq!(report["model"]["measured"]["rows"], 990);
    let joined = from_log(dir, "joined", &stored, "joined.jsonl");
    same_figures(&ran, &joined);
    // A client that reuses one id for every request: each request still gets its response.
    let reused: String = events
        .iter()
        .map(|event| {
            let mut event = event.clone();
            event["id"] = json!("0");
            event["data"]["id"] = json!("0");
            format!("{event}\n")
        })
        .collect();
    std::fs::write(dir.join("reused.jsonl"), reused).unwrap();
    same_figures(&ran, &from_log(dir, "reused", &stored, "reused.jsonl"));

    // --window: the last rows of the CSV through the model, the last responses of the log.
    let (_, ran_window, stderr) = check(
        dir,
        "ran-window",
        &[
            "--reference",
            &stored,
            "--model",
            &model,
            "--engine",
            "tract",
            "--window",
            "300",
            "--current",
            &path(dir, "shifted.csv"),
        ],
    );
    assert_eq!(ran_window["model"]["rows"], 300, "{stderr}");
    let (_, log_window, stderr) = check(
        dir,
        "log-window",
        &[
            "--reference",
            &stored,
            "--window",
            "300",
            "--current",
            &path(dir, "shifted.jsonl"),
        ],
    );
    assert_eq!(log_window["model"]["rows"], 300, "{stderr}");
    same_figures(&ran_window, &log_window);
    assert_ne!(ran_window["model"]["measured"], ran["model"]["measured"]);

    // Another model than the reference's: said in the report and on stderr.
    let (_, other, stderr) = with_model(
        dir,
        "other",
        &stored,
        &path(dir, "other.onnx"),
        "stable.csv",
    );
    assert!(
        stderr.contains("differs from the reference's model"),
        "{stderr}"
    );
    assert!(
        other["model"]["warnings"][0]
            .as_str()
            .unwrap()
            .contains("sha256"),
        "{}",
        other["model"]
    );
}

/// drift-check running `model` (tract) on `current`.
fn with_model(
    dir: &Path,
    out: &str,
    reference: &str,
    model: &str,
    current: &str,
) -> (i32, Value, String) {
    check(
        dir,
        out,
        &[
            "--reference",
            reference,
            "--model",
            model,
            "--engine",
            "tract",
            "--current",
            &path(dir, current),
        ],
    )
}

/// drift-check on a log without --model: the drift is caught, no line is skipped.
fn from_log(dir: &Path, out: &str, reference: &str, log: &str) -> Value {
    let (code, report, stderr) = check(
        dir,
        out,
        &["--reference", reference, "--current", &path(dir, log)],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        !stderr.contains("warning:"),
        "every line of the log is read: {stderr}"
    );
    report
}

/// The model figures of two runs on the same rows: equal predictions, accuracy and interval;
/// scores equal to float precision (onnxruntime wrote the log, tract ran the model).
fn same_figures(a: &Value, b: &Value) {
    let (a, b) = (&a["model"], &b["model"]);
    assert_eq!(a["prediction"], b["prediction"], "prediction drift");
    assert_eq!(
        a["measured"], b["measured"],
        "measured accuracy and its bootstrap interval"
    );
    let close = |x: &Value, y: &Value| (x.as_f64().unwrap() - y.as_f64().unwrap()).abs() < 1e-6;
    assert!(
        close(&a["score"]["psi"], &b["score"]["psi"]),
        "{} vs {}",
        a["score"]["psi"],
        b["score"]["psi"]
    );
    assert!(close(
        &a["estimate"]["estimated_accuracy"],
        &b["estimate"]["estimated_accuracy"]
    ));
    let states = |m: &Value| {
        m["checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["state"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(states(a), states(b));
}

#[test]
fn a_regressor_fed_one_input_per_feature_by_name_shows_its_predicted_values_drift_and_its_error_grow()
 {
    let Some(work) = fixtures() else { return };
    let dir = work.path();
    let reference = path(dir, "regression_reference.csv");
    let run = |current: &str| {
        let (code, report, stderr) = with_model(
            dir,
            &format!("out-{current}"),
            &reference,
            &path(dir, "regressor.onnx"),
            current,
        );
        let errors = validate(&load("schemas/drift-check.v1.json"), &report);
        assert!(errors.is_empty(), "{errors:#?}");
        (code, report["model"].clone(), stderr)
    };
    let (code, stable, stderr) = run("regression_stable.csv");
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stable["prediction"]["test"], "ks", "{stable}");
    assert!(
        stable["prediction"]["psi"].as_f64().unwrap() < 0.1,
        "{stable}"
    );
    assert_eq!(stable["checks"][3]["name"], "measured error");
    assert_eq!(stable["checks"][3]["state"], "ok", "{stable}");
    // The noise is N(0, 0.5): the MAE of a good fit is near 0.5 * sqrt(2 / pi) = 0.399.
    let mae = stable["measured_error"]["mae"].as_f64().unwrap();
    assert!((mae - 0.399).abs() < 0.05, "{mae}");
    let (code, shifted, stderr) = run("regression_shifted.csv");
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(shifted["checks"][0]["state"], "failed", "{shifted}");
    // x0 moved by 1 and the model weighs it 3: the predicted values moved far.
    assert!(
        shifted["prediction"]["statistic"].as_f64().unwrap() > 0.3,
        "{shifted}"
    );
    // The labels gained 2: the error grew about fivefold, the interval well above.
    assert_eq!(shifted["checks"][3]["state"], "failed", "{shifted}");
    let error = &shifted["measured_error"];
    assert!(
        error["increase_percent"].as_f64().unwrap() > 200.0,
        "{error}"
    );
    assert!(error["interval"]["low"].as_f64().unwrap() > error["reference"].as_f64().unwrap());
}

#[test]
fn the_bootstrap_interval_is_the_same_on_every_run() {
    let Some(work) = fixtures() else { return };
    let dir = work.path();
    let args = [
        "--reference",
        &path(dir, "reference.csv"),
        "--model",
        &path(dir, "model.onnx"),
        "--engine",
        "tract",
        "--jobs",
        "2",
        "--batch-size",
        "7",
        "--current",
        &path(dir, "shifted.csv"),
    ];
    let (_, first, _) = check(dir, "first", &args);
    let mut one_job = args.to_vec();
    one_job[7] = "1";
    let (_, second, _) = check(dir, "second", &one_job);
    let interval = &first["model"]["measured"]["interval"];
    assert!(
        interval["low"].as_f64().unwrap() < interval["high"].as_f64().unwrap(),
        "{interval}"
    );
    assert_eq!(first["model"], second["model"]);
}

#[test]
fn without_predictions_the_model_checks_are_not_checked_never_ok() {
    let Some(work) = fixtures() else { return };
    let dir = work.path();
    let (code, report, stderr) = check(
        dir,
        "none",
        &[
            "--reference",
            &path(dir, "reference.csv"),
            "--current",
            &path(dir, "shifted.csv"),
        ],
    );
    assert_eq!(code, 1, "x0 drifts: {stderr}");
    let checks = report["model"]["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 4);
    for check in checks {
        assert_eq!(check["state"], "not_checked", "{check}");
        assert!(
            check["detail"].as_str().unwrap().contains("no predictions"),
            "{check}"
        );
    }
    let markdown = std::fs::read_to_string(dir.join("none/report.md")).unwrap();
    assert!(markdown.contains("not checked"), "{markdown}");
    // A stored reference without predictions and a log with responses: the accuracy on the
    // log's labels is shown, but there is nothing to compare the predictions with.
    let stored = path(dir, "data-only.json");
    let (code, _, stderr) = check(
        dir,
        "write",
        &[
            "--reference",
            &path(dir, "reference.csv"),
            "--current",
            &path(dir, "stable.csv"),
            "--write-reference",
            &stored,
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let (_, report, stderr) = check(
        dir,
        "data-only",
        &[
            "--reference",
            &stored,
            "--current",
            &path(dir, "shifted.jsonl"),
        ],
    );
    let model = &report["model"];
    assert_eq!(model["rows"], 1000, "{stderr}");
    assert_eq!(model["measured"]["rows"], 1000, "{model}");
    for check in model["checks"].as_array().unwrap() {
        assert_eq!(check["state"], "not_checked", "{check}");
        assert!(
            check["detail"]
                .as_str()
                .unwrap()
                .contains("--write-reference"),
            "{check}"
        );
    }
    // A categorical feature cannot be fed to the model: one line naming the flag that leaves it out.
    let csv = std::fs::read_to_string(dir.join("reference.csv")).unwrap();
    let with_site: String = csv
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                format!("{l},site\n")
            } else {
                format!("{l},north\n")
            }
        })
        .collect();
    std::fs::write(dir.join("site.csv"), with_site).unwrap();
    let (code, _, stderr) = check(
        dir,
        "site",
        &[
            "--reference",
            &path(dir, "site.csv"),
            "--model",
            &path(dir, "model.onnx"),
            "--current",
            &path(dir, "site.csv"),
        ],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--ignore \"site\""), "{stderr}");
    // A model of other features: named before any row is run.
    let example = crate::example::example("reference.csv");
    refused(
        &[
            "--reference",
            example.to_str().unwrap(),
            "--ignore",
            "site",
            "--model",
            &path(dir, "model.onnx"),
            "--current",
            example.to_str().unwrap(),
        ],
        &["does not take rows of the reference's 30 features"],
    );
}

#[test]
fn bad_model_flags_and_models_are_refused_in_one_line() {
    let reference = crate::example::example("reference.csv");
    let current = crate::example::example("stable.csv");
    let base = [
        "--reference",
        reference.to_str().unwrap(),
        "--ignore",
        "site",
        "--current",
        current.to_str().unwrap(),
    ];
    let with = |extra: &[&'static str]| {
        base.iter()
            .copied()
            .chain(extra.iter().copied())
            .collect::<Vec<_>>()
    };
    refused(
        &with(&["--max-prediction-psi", "0"]),
        &["--max-prediction-psi"],
    );
    refused(&with(&["--max-accuracy-drop=-1"]), &["--max-accuracy-drop"]);
    refused(&with(&["--layout", "nchw"]), &["--layout", "images"]);
    refused(
        &with(&["--model", "/nonexistent/model.onnx"]),
        &["/nonexistent/model.onnx"],
    );
    let work = tempfile::tempdir().unwrap();
    let garbage = work.path().join("garbage.onnx");
    std::fs::write(&garbage, b"not a model").unwrap();
    let garbage = garbage.to_str().unwrap().to_owned();
    let args: Vec<&str> = base
        .iter()
        .copied()
        .chain(["--model", garbage.as_str(), "--engine", "tract"])
        .collect();
    refused(&args, &["garbage.onnx"]);
}

#[test]
fn onnxruntime_gives_the_figures_of_tract() {
    let Some(work) = fixtures() else { return };
    let dir = work.path();
    let python = std::path::PathBuf::from(std::env::var_os("MODELCI_PYTHON").unwrap());
    let venv = python.parent().unwrap().parent().unwrap().to_owned();
    let args = |engine: &'static str, out: &str| {
        modelci_test::harness::Run::new(env!("CARGO_BIN_EXE_drift-check"))
            .arg("--output-dir")
            .arg(dir.join(out))
            .args(["--reference", &path(dir, "reference.csv")])
            .args(["--model", &path(dir, "model.onnx"), "--engine", engine])
            .args(["--current", &path(dir, "shifted.csv")])
            .env("VIRTUAL_ENV", &venv)
            .output()
    };
    let tract = args("tract", "tract");
    let ort = args("onnxruntime", "ort");
    assert_eq!(ort.code, 1, "{}", ort.stderr);
    assert_eq!(tract.code, 1, "{}", tract.stderr);
    same_figures(
        &report_json(&dir.join("tract")),
        &report_json(&dir.join("ort")),
    );
}

#[test]
fn class_names_name_the_predictions_and_labels_given_as_indices_still_match() {
    let Some(work) = fixtures() else { return };
    let dir = work.path();
    std::fs::write(dir.join("names.txt"), "benign\nmalignant\n").unwrap();
    let names = path(dir, "names.txt");
    let (reference, model) = (path(dir, "reference.csv"), path(dir, "model.onnx"));
    let current = path(dir, "shifted.csv");
    let base = [
        "--reference",
        reference.as_str(),
        "--model",
        model.as_str(),
        "--engine",
        "tract",
        "--current",
        current.as_str(),
    ];
    let (_, plain, _) = check(dir, "plain", &base);
    let named_args: Vec<&str> = base
        .iter()
        .copied()
        .chain(["--class-names", names.as_str()])
        .collect();
    let (code, named, stderr) = check(dir, "named", &named_args);
    assert_eq!(code, 1, "{stderr}");
    let labels: Vec<&str> = named["model"]["prediction"]["bins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["benign", "malignant"]);
    assert_eq!(named["model"]["measured"], plain["model"]["measured"]);
    assert_eq!(
        named["model"]["prediction"]["psi"],
        plain["model"]["prediction"]["psi"]
    );
}
