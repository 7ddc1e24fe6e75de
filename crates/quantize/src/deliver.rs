//! The report in the terms [`modelci_post`] delivers it in (`modelci_cli::Session::finish`).

use std::path::Path;

use modelci_post::{GateOutcome, Metric};

use crate::report::Report;

/// The report, its Markdown and its folder, ready to deliver.
pub(crate) fn post_report(report: &Report, markdown: String, dir: &Path) -> modelci_post::Report {
    let mut metrics = vec![
        Metric {
            name: "size_original".into(),
            #[allow(clippy::cast_precision_loss)]
            value: report.input.size as f64,
        },
        Metric {
            name: "size_quantized".into(),
            #[allow(clippy::cast_precision_loss)]
            value: report.output.size as f64,
        },
        Metric {
            name: "size_reduction".into(),
            value: report.size_reduction,
        },
    ];
    if let Some(d) = &report.dataset {
        for (name, value) in [
            ("accuracy_original", d.accuracy_original),
            ("accuracy_quantized", d.accuracy_quantized),
            ("accuracy_delta_pt", d.accuracy_delta_pt),
            ("agreement", d.agreement),
            ("latency_ratio", d.latency_ratio),
        ] {
            if let Some(value) = value {
                metrics.push(Metric {
                    name: name.into(),
                    value,
                });
            }
        }
    }
    modelci_post::Report {
        tool: "quantize",
        dir: dir.to_owned(),
        markdown,
        passed: report.passed,
        verdict: report.summary.clone(),
        gates: report
            .gates
            .iter()
            .map(|g| GateOutcome {
                name: g.name.clone(),
                passed: g.passed,
                measured: g.measured.clone(),
                message: format!(
                    "{}: {} (measured {})",
                    if g.passed { "passed" } else { "failed" },
                    g.name,
                    g.measured
                ),
            })
            .collect(),
        metrics,
    }
}
