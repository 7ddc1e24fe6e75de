//! The example: a prior shift is caught, the unshifted half passes, the request log agrees with
//! the CSV it was made from, a stored reference gives the same figures.

use std::path::{Path, PathBuf};

use modelci_report::{Envelope, ToolName};
use modelci_test::harness::{Outcome, Run, repo, report_json};
use modelci_test::json_schema::{load, validate};
use serde_json::Value;

pub fn example(name: &str) -> PathBuf {
    repo().join("examples/drift").join(name)
}

pub fn drift_check(out: &Path, args: &[&str]) -> Outcome {
    Run::new(env!("CARGO_BIN_EXE_drift-check"))
        .arg("--output-dir")
        .arg(out)
        .args(args)
        .output()
}

pub(crate) fn psi_by_feature(report: &Value) -> Vec<(String, f64)> {
    let mut all: Vec<(String, f64)> = report["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap().to_owned(),
                f["psi"].as_f64().unwrap(),
            )
        })
        .collect();
    all.sort_by(|a, b| a.0.cmp(&b.0));
    all
}

#[test]
fn a_prior_shift_is_caught_and_reported() {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("r");
    let reference = example("reference.csv");
    let current = example("current.csv");
    let run = drift_check(
        &out,
        &[
            "--reference",
            reference.to_str().unwrap(),
            "--current",
            current.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.starts_with("drift-check: DRIFT: "),
        "{}",
        run.stdout
    );
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    let report = report_json(&out);
    let errors = validate(&load("schemas/drift-check.v1.json"), &report);
    assert!(errors.is_empty(), "{errors:#?}");
    let features = report["features"].as_array().unwrap();
    assert_eq!(features.len(), 31);
    // The size features move with the share of malignant tumours; the new clinic shows in `site`.
    let drifted: Vec<&str> = features
        .iter()
        .filter(|f| f["drifted"] == true)
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    for name in ["worst_area", "mean_radius", "site"] {
        assert!(drifted.contains(&name), "{name} not in {drifted:?}");
    }
    let site = features.iter().find(|f| f["name"] == "site").unwrap();
    assert_eq!(site["test"], "chi_squared");
    assert!(site["unseen_share"].as_f64().unwrap() > 0.1);
    // Drifted first, by PSI.
    let first_calm = features
        .iter()
        .position(|f| f["drifted"] == false)
        .unwrap_or(features.len());
    assert!(
        features[..first_calm]
            .windows(2)
            .all(|w| w[0]["psi"].as_f64() >= w[1]["psi"].as_f64())
    );
    let envelope = Envelope::read(&out.join("report.json")).unwrap();
    assert_eq!(envelope.tool.name, ToolName::DriftCheck);
    assert!(!envelope.verdict.passed);
    assert_eq!(envelope.metrics["drifted_features"], drifted.len() as f64);
    for chart in ["psi.png", "psi.svg", "feature-1.png", "feature-3.svg"] {
        assert!(out.join(chart).is_file(), "{chart}");
    }
    let markdown = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(markdown.starts_with("## ❌ drift-check: "), "{markdown}");
    assert!(
        markdown.contains("| worst\\_area | continuous |"),
        "{markdown}"
    );
    assert!(markdown.contains("![PSI per feature"), "{markdown}");
}

#[test]
fn the_unshifted_half_passes() {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("r");
    let run = drift_check(
        &out,
        &[
            "--reference",
            example("reference.csv").to_str().unwrap(),
            "--current",
            example("stable.csv").to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let report = report_json(&out);
    assert_eq!(report["drifted"], 0);
    assert!(
        report["verdict"]["summary"]
            .as_str()
            .unwrap()
            .starts_with("no drift")
    );
    assert!(
        std::fs::read_to_string(out.join("report.md"))
            .unwrap()
            .starts_with("## ✅ drift-check: no drift in 31 features")
    );
}

#[test]
fn the_request_log_gives_the_figures_of_the_csv_it_was_made_from() {
    let work = tempfile::tempdir().unwrap();
    let (from_csv, from_log) = (work.path().join("csv"), work.path().join("log"));
    let reference = example("reference.csv");
    let csv_run = drift_check(
        &from_csv,
        &[
            "--reference",
            reference.to_str().unwrap(),
            "--ignore",
            "site",
            "--current",
            example("current.csv").to_str().unwrap(),
        ],
    );
    assert_eq!(csv_run.code, 1, "{}", csv_run.stderr);
    let log_run = drift_check(
        &from_log,
        &[
            "--reference",
            reference.to_str().unwrap(),
            "--ignore",
            "site",
            "--current",
            example("requests.jsonl").to_str().unwrap(),
        ],
    );
    assert_eq!(log_run.code, 1, "{}", log_run.stderr);
    // The two malformed lines of the log are skipped with one warning each.
    let warnings: Vec<&str> = log_run
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect();
    assert_eq!(warnings.len(), 2, "{}", log_run.stderr);
    assert!(
        warnings[0].contains("line 4 skipped: not JSON"),
        "{}",
        warnings[0]
    );
    assert!(
        warnings[1].contains("line 8 skipped: input input-0"),
        "{}",
        warnings[1]
    );
    let (csv_report, log_report) = (report_json(&from_csv), report_json(&from_log));
    assert_eq!(log_report["data"]["bad_lines"], 2);
    assert_eq!(
        csv_report["data"]["current_rows"],
        log_report["data"]["current_rows"]
    );
    assert_eq!(psi_by_feature(&csv_report), psi_by_feature(&log_report));
    assert_eq!(psi_by_feature(&csv_report).len(), 30);
}

#[test]
fn a_stored_reference_gives_the_same_figures_and_a_window_takes_the_last_rows() {
    let work = tempfile::tempdir().unwrap();
    let stored = work.path().join("reference.json");
    let (first, second, windowed) = (
        work.path().join("a"),
        work.path().join("b"),
        work.path().join("w"),
    );
    let current = example("current.csv");
    let run = drift_check(
        &first,
        &[
            "--reference",
            example("reference.csv").to_str().unwrap(),
            "--write-reference",
            stored.to_str().unwrap(),
            "--current",
            current.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let run = drift_check(
        &second,
        &[
            "--reference",
            stored.to_str().unwrap(),
            "--current",
            current.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        report_json(&first)["features"],
        report_json(&second)["features"]
    );
    let run = drift_check(
        &windowed,
        &[
            "--reference",
            stored.to_str().unwrap(),
            "--current",
            current.to_str().unwrap(),
            "--window",
            "40",
        ],
    );
    assert!(run.code <= 1, "{}", run.stderr);
    let data = &report_json(&windowed)["data"];
    assert_eq!(data["current_rows"], 40);
    assert_eq!(data["current_rows_in_file"], 285);
    assert!(
        std::fs::read_to_string(windowed.join("report.md"))
            .unwrap()
            .contains("the last 40 of 285 rows")
    );
}
