//! The report in the terms [`modelci_post`] delivers it in, and posting an existing report folder
//! (`--post-from`, the second half of the two-workflow pattern).

use std::path::Path;

use anyhow::{Context as _, anyhow};
use modelci_cli::{ExitStatus, Failure, Session};
use modelci_gate::GateResult;
use modelci_post::{GateOutcome, Metric, Report};
use modelci_report::{Envelope, ToolName};
use serde::Deserialize;

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

/// What `--post-from` reads back from an earlier run's `report.json`: the shared envelope and
/// eval-diff's gates and comparison rows.
#[derive(Debug, Deserialize)]
struct Posted {
    #[serde(flatten)]
    envelope: Envelope,
    #[serde(default)]
    gates: Vec<PostedGate>,
    #[serde(default)]
    comparison: Vec<PostedRow>,
}

/// A gate of `report.json` (`modelci_gate::GateResult` as serialised).
#[derive(Debug, Deserialize)]
struct PostedGate {
    gate: String,
    passed: bool,
    candidate: f64,
    comparison: String,
    bound: f64,
}

/// A comparison row of `report.json` ([`MetricRow`] as serialised).
#[derive(Debug, Deserialize)]
struct PostedRow {
    name: String,
    baseline: f64,
    candidate: f64,
    delta: f64,
}

/// `--post-from DIR`: posts the report an earlier eval-diff run wrote to DIR.
pub(crate) fn post_existing(
    dir: &Path,
    args: &Args,
    session: &mut Session,
) -> Result<ExitStatus, Failure> {
    let md_path = dir.join("report.md");
    let json_path = dir.join("report.json");
    let markdown_text = std::fs::read_to_string(&md_path)
        .with_context(|| format!("{}: cannot read the report", md_path.display()))
        .map_err(Failure::bad_input)?;
    let bytes = std::fs::read(&json_path)
        .with_context(|| format!("{}: cannot read the report", json_path.display()))
        .map_err(Failure::bad_input)?;
    let posted: Posted = serde_json::from_slice(&bytes).map_err(|e| {
        Failure::bad_input(anyhow!(
            "{}: not an eval-diff report.json ({e})",
            json_path.display()
        ))
    })?;
    if posted.envelope.tool.name != ToolName::EvalDiff {
        return Err(Failure::bad_input(anyhow!(
            "{}: a {} report, not an eval-diff one",
            json_path.display(),
            posted.envelope.tool.name
        )));
    }
    let gates = posted
        .gates
        .iter()
        .map(|g| GateOutcome {
            name: g.gate.clone(),
            passed: g.passed,
            measured: g.candidate.to_string(),
            message: format!("candidate must be {} {}", g.comparison, g.bound),
        })
        .collect();
    let metrics = posted
        .comparison
        .iter()
        .flat_map(|r| {
            [
                ("candidate", r.candidate),
                ("baseline", r.baseline),
                ("delta", r.delta),
            ]
            .map(|(side, value)| Metric {
                name: format!("{side}_{}", r.name),
                value,
            })
        })
        .collect();
    let delivery = Report {
        tool: "eval-diff",
        dir: dir.to_owned(),
        markdown: markdown_text,
        passed: posted.envelope.verdict.passed,
        verdict: posted.envelope.verdict.summary,
        gates,
        metrics,
    };
    // The evaluating job already failed on its gates; this job only reports.
    session.finish(&delivery, &args.posting, ExitStatus::Success)
}
