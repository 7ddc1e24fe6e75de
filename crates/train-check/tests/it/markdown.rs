//! Issue 18 item 4 (and issue 14's escaping policy): `report.md` rendered as GitHub renders it
//! (CommonMark + GFM, by comrak) with a hostile model file name and metric names shows every
//! name literally, with no stray backslash, no injected markup and no live mention.

use modelci_report::check::problems;

use crate::harness::{digits, train_check};

/// Metric names a training log could bring (CSV header cells).
const METRICS: [&str; 5] = [
    "acc|`x`",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "@everyone_*f1*",
    "~~gone~~ #1 & <b>",
];

#[test]
fn hostile_names_render_literally_in_report_md() {
    let dir = tempfile::tempdir().expect("tempdir");
    let model_name = "model_`|<img src=x onerror=alert(1)>@everyone.onnx";
    let model = dir.path().join(model_name);
    std::fs::copy(digits("candidate.onnx"), &model).expect("copy model");
    let mut log = format!("epoch,loss,val_loss,{}\n", METRICS.join(","));
    for epoch in 0..8 {
        let loss = 1.0 / f64::from(epoch + 1);
        let extra: Vec<String> = METRICS
            .iter()
            .map(|_| format!("{}", 0.5 + loss / 4.0))
            .collect();
        log.push_str(&format!(
            "{epoch},{loss},{},{}\n",
            loss * 1.1,
            extra.join(",")
        ));
    }
    let log_path = dir.path().join("history_`|_x.csv");
    std::fs::write(&log_path, log).expect("log");
    let out = dir.path().join("out");
    let r = train_check(&out, &[&"--model", &model, &"--metrics", &log_path]);
    assert!(r.code == 0 || r.code == 1, "{r:#?}");
    let md = std::fs::read_to_string(out.join("report.md")).expect("report.md");
    let mut data: Vec<&str> = METRICS.to_vec();
    data.push(model_name);
    data.push("history_`|_x.csv");
    let found = problems(&md, &data);
    assert!(found.is_empty(), "{found:#?}\n\n{md}");
}

#[test]
fn a_nan_loss_leaves_a_marked_gap_in_every_format() {
    // Issue 18: the Mermaid curve drew a NaN loss as 0 and the PNG bridged the gap.
    let dir = tempfile::tempdir().expect("tempdir");
    let log = "epoch,loss,val_loss\n0,1.0,1.1\n1,0.8,0.9\n2,nan,0.85\n3,0.6,0.8\n4,0.5,0.75\n";
    let log_path = dir.path().join("history.csv");
    std::fs::write(&log_path, log).expect("log");
    let out = dir.path().join("out");
    let r = train_check(
        &out,
        &[
            &"--model",
            &digits("candidate.onnx"),
            &"--metrics",
            &log_path,
        ],
    );
    assert!(r.code == 0 || r.code == 1, "{r:#?}");
    let md = std::fs::read_to_string(out.join("report.md")).expect("report.md");
    assert!(
        md.contains("\"2 ⚠ NaN\""),
        "the NaN epoch is marked in Mermaid: {md}"
    );
    assert!(
        md.contains("line [1, 0.8]\n"),
        "the loss line stops at the NaN: {md}"
    );
    assert!(
        !md.contains("line [1, 0.8, 0,"),
        "NaN is not drawn as 0: {md}"
    );
    assert_eq!(
        md.matches("```mermaid").count(),
        2,
        "the loss resumes after the gap in a second diagram: {md}"
    );
    assert!(
        md.contains("line [0.6, 0.5]\n"),
        "the loss after the gap is drawn: {md}"
    );
    let svg = std::fs::read_to_string(out.join("loss.svg")).expect("loss.svg");
    assert!(
        svg.lines().any(|l| l.trim() == "NaN"),
        "the SVG names the NaN"
    );
    assert!(out.join("loss.png").is_file());
}
