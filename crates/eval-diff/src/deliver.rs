//! The report in the terms [`modelci_post`] delivers it in, and posting an existing report folder
//! (`--post-from`, the second half of the two-workflow pattern).

use std::path::Path;

use anyhow::{Context as _, anyhow};
use modelci_cli::{ExitStatus, Failure, Session};
use modelci_gate::GateResult;
use modelci_post::{GateOutcome, Metric, Report};

use crate::args::Args;
use crate::comparison::MetricRow;
use crate::markdown;

/// Gate results in the form CI reports take.
pub(crate) fn gate_outcomes(gates: &[GateResult]) -> Vec<GateOutcome> {
    gates
        .iter()
        .map(|g| {
            let unit =
                modelci_gate::metric::find(g.metric).map_or(modelci_gate::Unit::Value, |m| m.unit);
            let measured = match g.baseline {
                Some(b) => format!(
                    "{} (baseline {})",
                    markdown::value(unit, g.candidate),
                    markdown::value(unit, b)
                ),
                None => markdown::value(unit, g.candidate),
            };
            let message = format!(
                "{}: candidate {} must be {} {}",
                if g.passed { "passed" } else { "failed" },
                markdown::value(unit, g.candidate),
                g.comparison,
                markdown::value(unit, g.bound)
            );
            GateOutcome {
                name: g.gate.clone(),
                passed: g.passed,
                measured,
                message,
            }
        })
        .collect()
}

/// Headline numbers: each metric of the candidate, the baseline and the change.
pub(crate) fn metrics(rows: &[MetricRow]) -> Vec<Metric> {
    rows.iter()
        .flat_map(|r| {
            [
                Metric {
                    name: format!("candidate_{}", r.name),
                    value: r.candidate,
                },
                Metric {
                    name: format!("baseline_{}", r.name),
                    value: r.baseline,
                },
                Metric {
                    name: format!("delta_{}", r.name),
                    value: r.delta,
                },
            ]
        })
        .collect()
}

/// `--post-from DIR`: posts the report an earlier eval-diff run wrote to DIR.
pub(crate) fn post_existing(
    dir: &Path,
    args: &Args,
    session: &mut Session,
) -> Result<ExitStatus, Failure> {
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read_to_string(&path)
            .with_context(|| format!("{}: cannot read the report", path.display()))
    };
    let markdown_text = read("report.md").map_err(Failure::bad_input)?;
    let json: serde_json::Value =
        serde_json::from_str(&read("report.json").map_err(Failure::bad_input)?).map_err(|e| {
            Failure::bad_input(anyhow!(
                "{}: not a JSON report: {e}",
                dir.join("report.json").display()
            ))
        })?;
    let verdict = &json["verdict"];
    let (Some(passed), Some(summary)) = (verdict["passed"].as_bool(), verdict["summary"].as_str())
    else {
        return Err(Failure::bad_input(anyhow!(
            "{}: not an eval-diff report (no verdict.passed / verdict.summary)",
            dir.join("report.json").display()
        )));
    };
    let gates: Vec<GateResult> = Vec::new();
    let mut outcomes = gate_outcomes(&gates);
    if let Some(list) = json["gates"].as_array() {
        outcomes = list
            .iter()
            .map(|g| GateOutcome {
                name: g["gate"].as_str().unwrap_or("gate").to_owned(),
                passed: g["passed"].as_bool().unwrap_or(false),
                measured: g["candidate"].to_string(),
                message: format!(
                    "candidate must be {} {}",
                    g["comparison"].as_str().unwrap_or("?"),
                    g["bound"]
                ),
            })
            .collect();
    }
    let metrics = json["comparison"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .filter_map(|r| {
                    Some((
                        r["name"].as_str()?,
                        r["candidate"].as_f64()?,
                        r["baseline"].as_f64()?,
                        r["delta"].as_f64()?,
                    ))
                })
                .flat_map(|(name, c, b, d)| {
                    [
                        Metric {
                            name: format!("candidate_{name}"),
                            value: c,
                        },
                        Metric {
                            name: format!("baseline_{name}"),
                            value: b,
                        },
                        Metric {
                            name: format!("delta_{name}"),
                            value: d,
                        },
                    ]
                })
                .collect()
        })
        .unwrap_or_default();
    let delivery = Report {
        tool: "eval-diff",
        dir: dir.to_owned(),
        markdown: markdown_text,
        passed,
        verdict: summary.to_owned(),
        gates: outcomes,
        metrics,
    };
    // The evaluating job already failed on its gates; this job only reports.
    session.finish(&delivery, &args.posting, ExitStatus::Success)
}
