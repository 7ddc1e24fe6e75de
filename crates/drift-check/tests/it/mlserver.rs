//! A request log from a real model server: the example's current rows are sent to a real Seldon
//! MLServer serving a scikit-learn model of the reference data, and every request the server
//! accepted is logged with its response and an id, as a payload logger in front of it would
//! (KServe's logger pairs them the same way). drift-check reads that log like the CSV.

use std::process::Command;

use modelci_test::harness::{repo, report_json};
use modelci_test::mlserver::{self, MlServer};
use serde_json::{Value, json};

use crate::example::{drift_check, example};

/// Rows per request, as the example's requests.jsonl.
const BATCH: usize = 8;

/// The example's current rows without the `site` column (the model's 30 features).
fn current_rows() -> Vec<Vec<f64>> {
    rows_of("current.csv")
}

/// An example file's rows without the `site` column.
fn rows_of(name: &str) -> Vec<Vec<f64>> {
    let text = std::fs::read_to_string(example(name)).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let site = header.iter().position(|h| *h == "site").unwrap();
    lines
        .map(|line| {
            line.split(',')
                .enumerate()
                .filter(|(i, _)| *i != site)
                .map(|(_, v)| v.parse().unwrap())
                .collect()
        })
        .collect()
}

/// A real MLServer serving scripts/drift_model.py's model as `cancer` (trained into `dir`), or
/// `None` (after saying why) without MLServer.
pub(crate) fn serve_cancer(test: &str, dir: &std::path::Path) -> Option<MlServer> {
    let exe = mlserver::executable(test)?;
    let model = dir.join("cancer.joblib");
    let trained = Command::new(mlserver::python(&exe))
        .arg(repo().join("scripts/drift_model.py"))
        .arg(&model)
        .output()
        .unwrap();
    assert!(
        trained.status.success(),
        "{}",
        String::from_utf8_lossy(&trained.stderr)
    );
    Some(MlServer::start(
        &exe,
        &[mlserver::sklearn_model("cancer", &model)],
        &[],
    ))
}

#[test]
fn a_request_log_captured_in_front_of_a_real_mlserver_is_read() {
    let work = tempfile::tempdir().unwrap();
    let Some(server) = serve_cancer("the drift-check MLServer log test", work.path()) else {
        return;
    };

    let client = reqwest::blocking::Client::new();
    let rows = current_rows();
    let mut log = String::new();
    let mut predicted_malignant = 0usize;
    for (k, batch) in rows.chunks(BATCH).enumerate() {
        let id = format!("req-{k}");
        let request = json!({
            "id": id,
            "inputs": [{
                "name": "input-0",
                "shape": [batch.len(), 30],
                "datatype": "FP64",
                "data": batch.concat(),
            }],
        });
        let answer = client
            .post(format!("{}/v2/models/cancer/infer", server.url))
            .header("content-type", "application/json")
            .body(request.to_string())
            .send()
            .unwrap();
        let status = answer.status();
        let body = answer.text().unwrap();
        assert!(status.is_success(), "{status}: {body}\n{}", server.log());
        let response: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(response["id"], id, "MLServer echoes the request id");
        let predictions = response["outputs"][0]["data"].as_array().unwrap();
        assert_eq!(predictions.len(), batch.len(), "{body}");
        predicted_malignant += predictions.iter().filter(|p| p.as_i64() == Some(0)).count();
        log.push_str(&json!({ "id": id, "request": request, "response": response }).to_string());
        log.push('\n');
    }
    // The served model's predictions on the reference rows: the prediction side of the
    // reference, built by the library as eval-diff --reference-stats would.
    let mut reference_predictions = Vec::new();
    for batch in rows_of("reference.csv").chunks(64) {
        let request = json!({
            "inputs": [{
                "name": "input-0",
                "shape": [batch.len(), 30],
                "datatype": "FP64",
                "data": batch.concat(),
            }],
        });
        let response: Value = client
            .post(format!("{}/v2/models/cancer/infer", server.url))
            .header("content-type", "application/json")
            .body(request.to_string())
            .send()
            .unwrap()
            .json()
            .unwrap();
        for p in response["outputs"][0]["data"].as_array().unwrap() {
            reference_predictions.push(p.to_string());
        }
    }
    drop(server);
    // The current half was resampled to 80% malignant: the served model sees the shift too.
    assert!(
        predicted_malignant * 2 > rows.len(),
        "{predicted_malignant} of {} predicted malignant",
        rows.len()
    );
    let log_path = work.path().join("payloads.jsonl");
    std::fs::write(&log_path, log).unwrap();

    let reference = example("reference.csv");
    let (from_log, from_csv) = (work.path().join("log"), work.path().join("csv"));
    let args = |current: &str| {
        vec![
            "--reference".to_owned(),
            reference.to_str().unwrap().to_owned(),
            "--ignore".to_owned(),
            "site".to_owned(),
            "--current".to_owned(),
            current.to_owned(),
        ]
    };
    let log_args = args(log_path.to_str().unwrap());
    let csv_args = args(example("current.csv").to_str().unwrap());
    let log_run = drift_check(
        &from_log,
        &log_args.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let csv_run = drift_check(
        &from_csv,
        &csv_args.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert_eq!(log_run.code, 1, "the shift is caught: {}", log_run.stderr);
    assert_eq!(csv_run.code, 1, "{}", csv_run.stderr);
    assert!(
        !log_run.stderr.contains("warning:"),
        "no line of a real server's log is skipped: {}",
        log_run.stderr
    );
    let (log_report, csv_report) = (report_json(&from_log), report_json(&from_csv));
    assert_eq!(log_report["data"]["bad_lines"], 0);
    assert_eq!(log_report["data"]["current_rows"], rows.len() as u64);
    assert_eq!(
        log_report["features"], csv_report["features"],
        "the log gives the CSV's figures"
    );

    // The responses of the log are the model's predictions: with a reference that knows what
    // the model predicted on the reference rows, the shift to malignant cases shows in them.
    let stored = work.path().join("reference.json");
    let stable = example("stable.csv");
    let write_args = [
        "--reference",
        reference.to_str().unwrap(),
        "--ignore",
        "site",
        "--current",
        stable.to_str().unwrap(),
        "--write-reference",
        stored.to_str().unwrap(),
    ];
    drift_check(&work.path().join("write"), &write_args);
    let mut summary: modelci_drift::Reference =
        serde_json::from_slice(&std::fs::read(&stored).unwrap()).unwrap();
    summary.predictions = Some(modelci_drift::PredictionReference {
        output: "predict".into(),
        model_sha256: None,
        predicted: modelci_drift::FeatureSummary::Categorical(
            modelci_drift::CategoricalReference::from_values(
                reference_predictions.iter().map(|p| Some(p.as_str())),
            )
            .unwrap(),
        ),
        score: None,
        performance: None,
    });
    std::fs::write(&stored, serde_json::to_vec(&summary).unwrap()).unwrap();
    let model_dir = work.path().join("model");
    let model_run = drift_check(
        &model_dir,
        &[
            "--reference",
            stored.to_str().unwrap(),
            "--current",
            log_path.to_str().unwrap(),
        ],
    );
    assert_eq!(model_run.code, 1, "{}", model_run.stderr);
    let model = &report_json(&model_dir)["model"];
    assert_eq!(model["source"], "the responses in the log");
    assert_eq!(model["rows"], rows.len() as u64);
    let bins = model["prediction"]["bins"].as_array().unwrap();
    let malignant = bins.iter().find(|b| b["label"] == "0").unwrap();
    let share = predicted_malignant as f64 / rows.len() as f64;
    assert!(
        (malignant["current"].as_f64().unwrap() - share).abs() < 1e-12,
        "{malignant}"
    );
    assert!(
        malignant["reference"].as_f64().unwrap() < 0.5,
        "{malignant}"
    );
    let checks = model["checks"].as_array().unwrap();
    assert_eq!(checks[0]["name"], "prediction drift");
    assert_eq!(checks[0]["state"], "failed", "{}", checks[0]);
    // MLServer's scikit-learn runtime answers classes without scores.
    assert_eq!(checks[1]["state"], "not_checked", "{}", checks[1]);
}
