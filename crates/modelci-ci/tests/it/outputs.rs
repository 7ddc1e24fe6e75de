//! The CI-native writers, through files in a temporary directory.

use std::fs;

use modelci_ci::output::annotations::{gate_annotations, render_annotations};
use modelci_ci::output::dotenv::write_dotenv;
use modelci_ci::output::junit::{junit_xml, write_junit};
use modelci_ci::output::openmetrics::write_metrics_txt;
use modelci_ci::output::step_output::append_outputs;
use modelci_ci::output::step_summary::{STEP_SUMMARY_LIMIT, append_step_summary};
use modelci_ci::{GateOutcome, Metric, OutputError};

fn gates() -> Vec<GateOutcome> {
    vec![
        GateOutcome {
            name: "accuracy >= 0.90".into(),
            passed: true,
            measured: "0.912".into(),
            message: "accuracy 0.912 is above 0.90".into(),
        },
        GateOutcome {
            name: "latency <&>\"' p95".into(),
            passed: false,
            measured: "12.4 ms > 10 ms".into(),
            message: "p95 latency regressed by 24%\nbaseline: 10.0 ms".into(),
        },
    ]
}

#[test]
fn junit_is_well_formed_with_escaped_names() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("junit.xml");
    write_junit(&path, "modelci <gates>", &gates()).expect("write");
    let xml = fs::read_to_string(&path).expect("read");
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");

    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .expect("testsuite");
    assert_eq!(suite.attribute("name"), Some("modelci <gates>"));
    assert_eq!(suite.attribute("tests"), Some("2"));
    assert_eq!(suite.attribute("failures"), Some("1"));

    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 2);
    assert_eq!(cases[1].attribute("name"), Some("latency <&>\"' p95"));
    assert!(cases[0].children().all(|c| !c.has_tag_name("failure")));
    let failure = cases[1]
        .children()
        .find(|c| c.has_tag_name("failure"))
        .expect("failure");
    assert_eq!(
        failure.attribute("message"),
        Some("p95 latency regressed by 24%")
    );
    assert_eq!(
        failure.text(),
        Some("p95 latency regressed by 24%\nbaseline: 10.0 ms\nmeasured: 12.4 ms > 10 ms")
    );
    insta::assert_snapshot!(xml);
}

#[test]
fn junit_drops_characters_xml_cannot_hold() {
    let gate = GateOutcome {
        name: "bell\u{7}name".into(),
        passed: false,
        measured: "nul\u{0}".into(),
        message: "esc\u{1b}[31m red".into(),
    };
    let xml = junit_xml("s", &[gate]);
    roxmltree::Document::parse(&xml).expect("well-formed XML");
    assert!(xml.contains("name=\"bellname\""));
}

#[test]
fn annotations_escape_properties_and_data() {
    let out = render_annotations(&gate_annotations(&gates()));
    assert_eq!(
        out,
        "::error title=Gate failed%3A latency <&>\"' p95::p95 latency regressed by 24%25%0Abaseline: 10.0 ms (measured: 12.4 ms > 10 ms)\n"
    );
}

#[test]
fn summary_is_capped_at_one_mebibyte() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("summary.md");
    fs::write(&path, "# Earlier step output\n").expect("seed");
    let row = "| class | 0.91 | 0.93 | +0.02 |\n";
    let markdown = format!("## Report\n\n{}", row.repeat(40_000));
    assert!(markdown.len() > STEP_SUMMARY_LIMIT);

    let written =
        append_step_summary(&path, &markdown, Some("https://ci.example/run/1")).expect("append");
    assert!(written.truncated);
    let text = fs::read_to_string(&path).expect("read");
    assert!(text.len() <= STEP_SUMMARY_LIMIT, "{}", text.len());
    assert!(text.len() > STEP_SUMMARY_LIMIT - 1024, "cut far too much");
    assert!(text.starts_with("# Earlier step output\n## Report"));
    assert!(text.ends_with(
        "> **Note:** this summary was truncated to fit GitHub's 1 MiB limit. See the [full report](https://ci.example/run/1).\n"
    ));
    // Every table row before the note is whole.
    let body = text.split("\n\n> **Note:**").next().unwrap_or_default();
    assert!(body.ends_with("| +0.02 |"), "{}", &body[body.len() - 40..]);

    // A small addition still fits in the slack left by cutting at a line boundary...
    let slack = STEP_SUMMARY_LIMIT - text.len();
    let fits = "x".repeat(slack);
    let again = append_step_summary(&path, &fits, None).expect("append");
    assert!(!again.truncated);
    let text = fs::read_to_string(&path).expect("read");
    assert_eq!(text.len(), STEP_SUMMARY_LIMIT);
    // ...and once the file is full, a further append writes nothing rather than break the limit.
    let again = append_step_summary(&path, "more", None).expect("append");
    assert_eq!(again.bytes, 0);
    assert!(again.truncated);
    assert_eq!(fs::read_to_string(&path).expect("read").len(), text.len());
}

#[test]
fn small_summary_is_appended_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("summary.md");
    let written = append_step_summary(&path, "## ok\n", None).expect("append");
    assert!(!written.truncated);
    assert_eq!(fs::read_to_string(&path).expect("read"), "## ok\n");
}

#[test]
fn step_outputs_single_and_multi_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("output");
    append_outputs(&path, &[("passed", "false"), ("summary", "line 1\nline 2")]).expect("ok");
    let text = fs::read_to_string(&path).expect("read");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("passed=false"));
    let header = lines.next().expect("heredoc header");
    let delim = header.strip_prefix("summary<<").expect("heredoc");
    assert_eq!(lines.next(), Some("line 1"));
    assert_eq!(lines.next(), Some("line 2"));
    assert_eq!(lines.next(), Some(delim));
    assert_eq!(lines.next(), None);
}

#[test]
fn metrics_and_dotenv_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let metrics = dir.path().join("metrics.txt");
    write_metrics_txt(
        &metrics,
        &[
            Metric {
                name: "accuracy/top-1".into(),
                value: 0.912,
            },
            Metric {
                name: "latency p95 (ms)".into(),
                value: 12.4,
            },
        ],
    )
    .expect("metrics");
    assert_eq!(
        fs::read_to_string(&metrics).expect("read"),
        "accuracy_top_1 0.912\nlatency_p95_ms 12.4\n# EOF\n"
    );

    let env_file = dir.path().join("modelci.env");
    write_dotenv(&env_file, &[("MODELCI_PASSED", "false")]).expect("dotenv");
    assert_eq!(
        fs::read_to_string(&env_file).expect("read"),
        "MODELCI_PASSED=false\n"
    );
    let err = write_dotenv(&env_file, &[("REPORT", "a\nb")]).expect_err("multi-line");
    assert!(matches!(err, OutputError::MultilineValue { .. }));
    // The refused write left the previous file alone.
    assert_eq!(
        fs::read_to_string(&env_file).expect("read"),
        "MODELCI_PASSED=false\n"
    );
}
