//! The train-check report: `report.md` for people, `report.json` for machines, and the
//! training curves as PNG, SVG and inline Mermaid, built with `modelci-report` like every
//! modelci tool's report.
//!
//! Charts, per log file with at least two epochs: `loss` (every loss per epoch, train and
//! validation together) and `metrics` (the other metrics per epoch). The second log's charts
//! are `loss_2` and `metrics_2`, and so on.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use modelci_history::{History, checks::is_loss};
use modelci_report::markdown::{Align, details, table};
use modelci_report::{
    Chart, LineChart, ReportError, Series, ValueFormat, XAxis, code_span, escape_markdown, mermaid,
};
use serde::Serialize;

use crate::checks::logs::file_name;
use crate::checks::model::ModelFacts;
use crate::checks::{Check, Group, Status};

/// Metrics left out of the `metrics` chart: indices and schedules, not quality.
const NOT_PLOTTED: [&str; 6] = ["lr", "learning_rate", "step", "epoch", "time", "duration"];

pub use modelci_report::ChartFile;

/// The training curves of `histories`, not rendered yet.
#[must_use]
pub fn build_charts(histories: &[History]) -> Vec<(String, Chart)> {
    let mut charts = Vec::new();
    for (i, h) in histories.iter().filter(|h| h.epochs.len() >= 2).enumerate() {
        let suffix = if i == 0 {
            String::new()
        } else {
            format!("_{}", i + 1)
        };
        #[allow(clippy::cast_precision_loss)]
        let x: Vec<f64> = h.epochs.iter().map(|e| e.index as f64).collect();
        let file = file_name(h);
        let keys: Vec<&str> = h.keys().into_iter().collect();
        let series = |want_loss: bool| -> Vec<Series> {
            keys.iter()
                .filter(|k| is_loss(k) == want_loss)
                .filter(|k| want_loss || !NOT_PLOTTED.contains(&k.to_ascii_lowercase().as_str()))
                .filter(|k| h.points(k).len() >= 2)
                // An epoch that did not log the metric is missing (the line joins across it);
                // a logged NaN or infinity breaks the line and is marked.
                .map(|k| Series::with_missing(*k, &h.series(k)))
                .collect()
        };
        for (stem, title, y_label, list) in [
            ("loss", "Loss per epoch", "loss", series(true)),
            ("metrics", "Metrics per epoch", "value", series(false)),
        ] {
            if list.is_empty() {
                continue;
            }
            charts.push((
                format!("{stem}{suffix}"),
                Chart::from(LineChart {
                    title: format!("{title} ({file})"),
                    x_label: "epoch".into(),
                    y_label: y_label.into(),
                    x: XAxis::Values(x.clone()),
                    series: list,
                    y_range: None,
                    value_format: ValueFormat::Decimal { places: 3 },
                }),
            ));
        }
    }
    charts
}

/// Renders every chart as PNG and SVG into `dir`.
///
/// # Errors
/// [`ReportError`] naming the chart or file that could not be drawn or written.
pub fn render_charts(
    charts: Vec<(String, Chart)>,
    dir: &Path,
) -> Result<Vec<ChartFile>, ReportError> {
    modelci_report::envelope::render_files(charts, dir)
}

/// The one-line verdict, e.g. `passed: all 14 checks hold` or
/// `failed: 2 of 14 checks failed (final val_loss ≤ 0.01, …)`.
#[must_use]
pub fn verdict_text(checks: &[Check]) -> String {
    let judged = checks.iter().filter(|c| c.status != Status::Info).count();
    let failed: Vec<&str> = checks
        .iter()
        .filter(|c| c.status == Status::Fail)
        .map(|c| c.name.as_str())
        .collect();
    if failed.is_empty() {
        format!("passed: all {judged} checks hold")
    } else {
        format!(
            "failed: {} of {judged} checks failed ({})",
            failed.len(),
            failed.join("; ")
        )
    }
}

/// What `report.md` is made of.
#[derive(Debug)]
pub struct ReportInput<'a> {
    /// The checks, in run order.
    pub checks: &'a [Check],
    /// The model's figures.
    pub model: &'a ModelFacts,
    /// The training logs.
    pub histories: &'a [History],
    /// The rendered charts.
    pub charts: &'a [ChartFile],
}

/// Writes `report.md`.
#[must_use]
pub fn markdown(input: &ReportInput<'_>) -> String {
    let mut md = String::new();
    let failed = input.checks.iter().any(|c| c.status == Status::Fail);
    let icon = if failed { "❌" } else { "✅" };
    let model_name = input.model.path.file_name().map_or_else(
        || input.model.path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let _ = writeln!(
        md,
        "## {icon} train-check {}: {}\n",
        escape_markdown(&model_name),
        escape_markdown(&verdict_text(input.checks))
    );
    for group in [Group::Model, Group::Logs, Group::Budget] {
        let rows: Vec<Vec<String>> = input
            .checks
            .iter()
            .filter(|c| c.group == group)
            .map(|c| {
                vec![
                    format!("{} {}", c.status.icon(), c.status.word()),
                    escape_markdown(&c.name),
                    escape_markdown(&c.measured),
                    escape_markdown(&c.limit),
                ]
            })
            .collect();
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(
            md,
            "### {}\n\n{}",
            group.title(),
            table(&["", "Check", "Measured", "Limit"], &rows, &[])
        );
    }
    if !input.charts.is_empty() {
        md.push_str("### Training curves\n\n");
        for chart in input.charts {
            if chart.name == "loss"
                && let Some(diagrams) = mermaid::markdown(&chart.chart)
            {
                md.push_str(&diagrams);
                let names: Vec<String> = series_names(&chart.chart);
                let _ = writeln!(
                    md,
                    "*Lines in order: {}.*\n",
                    escape_markdown(&names.join(", "))
                );
            }
            let _ = writeln!(
                md,
                "![{}]({})\n",
                escape_markdown(&chart.title),
                chart.png.display()
            );
        }
    }
    md.push_str(&signature_details(input.model));
    md.push_str(&final_values_details(input.histories));
    let _ = writeln!(
        md,
        "\n<sub>train-check {} · report.json holds every figure</sub>",
        env!("CARGO_PKG_VERSION")
    );
    md
}

fn series_names(chart: &Chart) -> Vec<String> {
    match chart {
        Chart::Line(c) => c.series.iter().map(|s| s.name.clone()).collect(),
        _ => Vec::new(),
    }
}

fn signature_details(model: &ModelFacts) -> String {
    let sig = &model.signature;
    let rows: Vec<Vec<String>> = sig
        .inputs
        .iter()
        .map(|t| ("input", t))
        .chain(sig.outputs.iter().map(|t| ("output", t)))
        .map(|(kind, t)| {
            let dims = t.dims.as_ref().map_or_else(
                || "?".to_owned(),
                |d| {
                    d.iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                },
            );
            vec![
                kind.to_owned(),
                code_span(&t.name),
                t.elem_type.to_string(),
                format!("[{}]", escape_markdown(&dims)),
            ]
        })
        .collect();
    let body = format!(
        "{}\nopset {} · {} parameters · {}",
        table(&["", "Name", "Type", "Shape"], &rows, &[]),
        sig.opset,
        sig.parameters,
        escape_markdown(if sig.producer.is_empty() {
            "unknown producer"
        } else {
            &sig.producer
        })
    );
    format!("\n{}", details("Model signature", &body))
}

fn final_values_details(histories: &[History]) -> String {
    let mut out = String::new();
    for h in histories {
        let rows: Vec<Vec<String>> = h
            .final_values
            .iter()
            .map(|(k, v)| vec![escape_markdown(k), crate::checks::num(*v)])
            .collect();
        let summary = format!(
            "Final values: {} ({}, {} epochs)",
            file_name(h),
            h.format,
            h.epochs.len()
        );
        out.push('\n');
        out.push_str(&details(
            &summary,
            &table(
                &["Metric", "Final value"],
                &rows,
                &[Align::Left, Align::Right],
            ),
        ));
    }
    out
}

/// train-check's own fields of `report.json`, beside the shared [`modelci_report::Envelope`]
/// (`$schema`, `tool`, `verdict`, `metrics`, `charts`, `provenance`); the schema is
/// `schemas/train-check.v1.json`.
#[derive(Debug, Serialize)]
pub struct Report<'a> {
    /// Every check, in run order.
    pub checks: &'a [Check],
    /// The model's figures.
    pub model: &'a ModelFacts,
    /// The training logs, every epoch and final value.
    pub logs: &'a [History],
}

/// The headline numbers of the trained model under the gate metric names: `size`, `params`,
/// batch-1 latency, and with `--dataset` its accuracy or error.
#[must_use]
pub fn metrics(model: &ModelFacts) -> BTreeMap<String, f64> {
    let mut m = BTreeMap::new();
    #[allow(clippy::cast_precision_loss)]
    {
        m.insert("size".to_owned(), model.file_size as f64);
        m.insert("params".to_owned(), model.signature.parameters as f64);
    }
    if let Some(l) = model.latency.first() {
        m.insert("latency_p50_ms".to_owned(), l.p50_ms);
        m.insert("latency_p95_ms".to_owned(), l.p95_ms);
    }
    if let Some(ev) = &model.dataset {
        if let Some(c) = &ev.classification {
            m.insert("accuracy".to_owned(), c.accuracy);
            m.insert("macro_f1".to_owned(), c.macro_f1);
        }
        if let Some(r) = &ev.regression {
            m.insert("mae".to_owned(), r.mae);
            m.insert("rmse".to_owned(), r.rmse);
            m.insert("r2".to_owned(), r.r2);
        }
    }
    m.retain(|_, v| v.is_finite());
    m
}

/// The outcome of a run.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// Whether every check held.
    pub passed: bool,
    /// Checks with a limit (info rows excluded).
    pub checks: usize,
    /// Checks that failed.
    pub failed: usize,
    /// [`verdict_text`].
    pub summary: String,
}

impl Verdict {
    /// The verdict of `checks`.
    #[must_use]
    pub fn of(checks: &[Check]) -> Self {
        let failed = checks.iter().filter(|c| c.status == Status::Fail).count();
        Self {
            passed: failed == 0,
            checks: checks.iter().filter(|c| c.status != Status::Info).count(),
            failed,
            summary: verdict_text(checks),
        }
    }
}
