//! `--since`: only the records of a log from a time on, read from the CloudEvent `time` or a
//! `timestamp` field; untimed records and CSV rows are refused in one line.

use std::path::Path;

use modelci_test::harness::report_json;
use serde_json::Value;

use crate::bad_input::refused;
use crate::example::{drift_check, example};

/// The example's request log as CloudEvents (KServe's payload logger form): the first `old`
/// requests logged in 2020, the rest an hour ago; returns the log and the rows of each part.
fn timed_log(dir: &Path, old: usize) -> (String, u64, u64) {
    let text = std::fs::read_to_string(example("requests.jsonl")).unwrap();
    let recent = (chrono::Utc::now() - chrono::TimeDelta::try_hours(1).unwrap()).to_rfc3339();
    let (mut old_rows, mut new_rows) = (0, 0);
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        // The example's line that is not JSON stays as it is; the one whose tensor is short is
        // timed but counts no rows (both are skipped with a warning).
        let Ok(request) = serde_json::from_str::<Value>(line) else {
            out.push_str(line);
            out.push('\n');
            continue;
        };
        let tensor = &request["inputs"][0];
        let size: u64 = tensor["shape"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_u64)
            .product();
        let whole = tensor["data"].as_array().unwrap().len() as u64 == size;
        let rows = if whole {
            tensor["shape"][0].as_u64().unwrap()
        } else {
            0
        };
        let time = if i < old {
            old_rows += rows;
            "2020-01-01T00:00:00Z".to_owned()
        } else {
            new_rows += rows;
            recent.clone()
        };
        let event = serde_json::json!({
            "specversion": "1.0",
            "id": format!("req-{i}"),
            "type": "org.kubeflow.serving.inference.request",
            "source": "http://localhost:9081/",
            "time": time,
            "data": request,
        });
        out.push_str(&event.to_string());
        out.push('\n');
    }
    let path = dir.join("events.jsonl");
    std::fs::write(&path, out).unwrap();
    (path.to_str().unwrap().to_owned(), old_rows, new_rows)
}

fn run(dir: &Path, out: &str, log: &str, extra: &[&str]) -> Value {
    let reference = example("reference.csv");
    let mut args = vec![
        "--reference",
        reference.to_str().unwrap(),
        "--ignore",
        "site",
        "--current",
        log,
    ];
    args.extend(extra);
    let out = dir.join(out);
    let outcome = drift_check(&out, &args);
    assert!(
        outcome.code == 0 || outcome.code == 1,
        "{}\n{}",
        outcome.stdout,
        outcome.stderr
    );
    report_json(&out)
}

#[test]
fn only_the_records_since_a_time_are_counted() {
    let work = tempfile::tempdir().unwrap();
    let (log, old_rows, new_rows) = timed_log(work.path(), 20);
    assert!(old_rows > 0 && new_rows > 0);

    let all = run(work.path(), "all", &log, &[]);
    assert_eq!(all["data"]["current_rows"], old_rows + new_rows);

    for since in ["24h", "2021-01-01", "2021-01-01T00:00:00+01:00"] {
        let recent = run(work.path(), since, &log, &["--since", since]);
        assert_eq!(recent["data"]["current_rows"], new_rows, "{since}");
        assert_eq!(
            recent["data"]["current_rows_in_file"],
            old_rows + new_rows,
            "{since}"
        );
    }
    // --window takes the last N of the records since then.
    let windowed = run(work.path(), "w", &log, &["--since", "7d", "--window", "5"]);
    assert_eq!(windowed["data"]["current_rows"], 5);

    // A window from before every record counts them all.
    let everything = run(work.path(), "e", &log, &["--since", "2019-01-01"]);
    assert_eq!(everything["data"]["current_rows"], old_rows + new_rows);
}

#[test]
fn untimed_records_csv_rows_bad_times_and_an_empty_window_are_refused() {
    let work = tempfile::tempdir().unwrap();
    let reference = example("reference.csv");
    let untimed = example("requests.jsonl");
    let csv = example("current.csv");
    let (all_old, old_rows, _) = timed_log(work.path(), 38);
    let refused_since = |current: &str, since: &str, expected: &[&str]| {
        let args = [
            "--reference",
            reference.to_str().unwrap(),
            "--ignore",
            "site",
            "--current",
            current,
            "--since",
            since,
        ];
        refused(&args, expected);
    };
    refused_since(
        untimed.to_str().unwrap(),
        "24h",
        &["requests.jsonl: line 1:", "has no time", "--window N"],
    );
    refused_since(
        csv.to_str().unwrap(),
        "24h",
        &[
            "current.csv",
            "--since reads the time of each record",
            "--window N",
        ],
    );
    refused_since(
        csv.to_str().unwrap(),
        "yesterday",
        &["--since \"yesterday\"", "24h"],
    );
    refused_since(
        &all_old,
        "24h",
        &[
            "no rows to check",
            &format!("all {old_rows} are older than --since"),
        ],
    );
}
