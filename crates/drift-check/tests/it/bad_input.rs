//! Bad input: one line naming the file and the problem, exit 2, no report.

use std::path::Path;

use crate::example::{drift_check, example};

pub fn refused(args: &[&str], expected: &[&str]) {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("r");
    let run = drift_check(&out, args);
    assert_eq!(
        run.code, 2,
        "{args:?}\nstdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| !l.starts_with("warning:"))
        .collect();
    assert_eq!(errors.len(), 1, "{}", run.stderr);
    for part in expected {
        assert!(errors[0].contains(part), "{part:?} not in {}", errors[0]);
    }
    assert!(!out.join("report.json").exists());
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn current_data_without_the_reference_columns() {
    let work = tempfile::tempdir().unwrap();
    let current = write(work.path(), "current.csv", "mean_radius,other\n1,2\n");
    refused(
        &[
            "--reference",
            example("reference.csv").to_str().unwrap(),
            "--current",
            &current,
        ],
        &[
            "current.csv",
            "\"mean_texture\"",
            "not columns of the current data",
        ],
    );
}

#[test]
fn a_log_whose_tensors_match_neither_names_nor_positions() {
    let work = tempfile::tempdir().unwrap();
    let log = write(
        work.path(),
        "requests.jsonl",
        "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]}]}\n",
    );
    refused(
        &[
            "--reference",
            example("reference.csv").to_str().unwrap(),
            "--current",
            &log,
        ],
        &[
            "requests.jsonl: line 1",
            "x (3 per row)",
            "31 columns by position",
        ],
    );
}

#[test]
fn more_malformed_lines_than_allowed() {
    refused(
        &[
            "--reference",
            example("reference.csv").to_str().unwrap(),
            "--ignore",
            "site",
            "--current",
            example("requests.jsonl").to_str().unwrap(),
            "--max-bad-lines",
            "1",
        ],
        &["requests.jsonl: line 8", "more than --max-bad-lines 1"],
    );
}

#[test]
fn an_empty_current_file_and_a_foreign_reference() {
    let work = tempfile::tempdir().unwrap();
    let empty = write(work.path(), "empty.jsonl", "\n\n");
    refused(
        &[
            "--reference",
            example("reference.csv").to_str().unwrap(),
            "--current",
            &empty,
        ],
        &["empty.jsonl: no rows to check"],
    );
    let foreign = write(
        work.path(),
        "ref.json",
        "{\"$schema\":\"https://example.com/x\",\"rows\":1,\"source\":\"x\",\"features\":[]}",
    );
    refused(
        &[
            "--reference",
            &foreign,
            "--current",
            example("current.csv").to_str().unwrap(),
        ],
        &["ref.json: unusable drift reference"],
    );
    refused(
        &[
            "--reference",
            example("reference.csv").to_str().unwrap(),
            "--ignore",
            "nope",
            "--current",
            &empty,
        ],
        &["--ignore \"nope\" is not a feature"],
    );
}

#[test]
fn hostile_feature_names_stay_text_in_the_report() {
    let work = tempfile::tempdir().unwrap();
    let header = "\"a|b <img src=x onerror=alert(1)> @everyone\",\"[x](javascript:alert(1))\"";
    let reference = write(
        work.path(),
        "reference.csv",
        &format!("{header}\n1,red\n2,blue\n3,red\n"),
    );
    let current = write(
        work.path(),
        "current.csv",
        &format!("{header}\n9,green\n9,green\n"),
    );
    let out = work.path().join("r");
    let run = drift_check(&out, &["--reference", &reference, "--current", &current]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let markdown = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(!markdown.contains("<img"), "{markdown}");
    // `[x](javascript:…)` only as escaped text (`\[x\](…`), never a link.
    assert!(
        !markdown.replace("\\]", "").contains("](javascript:"),
        "{markdown}"
    );
    assert!(!markdown.contains(" @everyone"), "{markdown}");
    // Table rows keep their 8 cells: the `|` in the name does not split one.
    for row in markdown
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains("PSI "))
    {
        assert_eq!(row.matches(" | ").count(), 7, "{row}");
    }
}

#[test]
fn every_hostile_name_renders_literally_as_github_shows_it() {
    use modelci_report::check::{HOSTILE, problems};
    let work = tempfile::tempdir().unwrap();
    // One CSV column per hostile name (quoted, so `|`, `,` and line breaks stay in the name),
    // numbers in the reference, shifted numbers now: every feature drifts and is in the table.
    let header: Vec<String> = HOSTILE
        .iter()
        .map(|h| format!("\"{}\"", h.replace('"', "\"\"")))
        .collect();
    let row = |v: u32| vec![v.to_string(); HOSTILE.len()].join(",");
    let reference_text = format!("{}\n{}\n{}\n{}\n", header.join(","), row(1), row(2), row(3));
    let current_text = format!("{}\n{}\n{}\n", header.join(","), row(9), row(9));
    let reference = write(work.path(), "ref_erence.csv", &reference_text);
    let current = write(work.path(), "cur*rent*.csv", &current_text);
    let out = work.path().join("r");
    let run = drift_check(&out, &["--reference", &reference, "--current", &current]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let markdown = std::fs::read_to_string(out.join("report.md")).unwrap();
    let found = problems(&markdown, &HOSTILE);
    assert!(found.is_empty(), "{found:#?}\n{markdown}");
    let files = problems(&markdown, &["ref_erence.csv", "cur*rent*.csv"]);
    assert!(files.is_empty(), "{files:#?}");
}

/// A malformed row of a CSV (as current data or as the reference) is refused naming the file
/// and the row, whether the file is otherwise plain or needs the csv crate's reading (a stray
/// quote before the bad row).
#[test]
fn a_csv_row_with_missing_fields_names_its_row() {
    let work = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(example("current.csv")).unwrap();
    let mut lines = good.lines();
    let header = lines.next().unwrap();
    let first = lines.next().unwrap();
    let plain = format!("{header}\n{first}\n{first}\n1.5,2.5\n");
    let quoted = format!(
        "{header}\n{}\n{first}\n1.5,2.5\n",
        first.replacen(',', "\",", 1)
    );
    for (name, text) in [("plain.csv", plain), ("quoted.csv", quoted)] {
        let bad = write(work.path(), name, &text);
        let reference = example("reference.csv");
        let current = example("current.csv");
        refused(
            &[
                "--reference",
                reference.to_str().unwrap(),
                "--current",
                &bad,
            ],
            &[name, "row 4", "fields"],
        );
        refused(
            &["--reference", &bad, "--current", current.to_str().unwrap()],
            &[name, "row 4", "fields"],
        );
    }
}
