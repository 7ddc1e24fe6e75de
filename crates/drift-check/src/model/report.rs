//! The "Model" section of report.md, its charts and its report.json metrics.

use std::collections::BTreeMap;

use modelci_drift::monitor::{FeatureDrift, Test};
use modelci_report::escape::code_span_prose;
use modelci_report::markdown::{Align, table};
use modelci_report::{Chart, ChartFile, escape_markdown};

use crate::report::distribution_chart;

use super::checks::{ModelOutcome, State};

/// What the verdict line adds for the model checks: `; 1 model check failed`, or nothing.
#[must_use]
pub fn verdict(model: &ModelOutcome) -> String {
    match model.failed() {
        0 => String::new(),
        1 => "; 1 model check failed".to_owned(),
        n => format!("; {n} model checks failed"),
    }
}

/// The charts of the model checks: the predicted classes (or values) and the top-1 scores,
/// reference vs current.
#[must_use]
pub fn charts(model: &ModelOutcome) -> Vec<(String, Chart)> {
    let mut charts = Vec::new();
    let mut add = |name: &str, title: &str, drift: &FeatureDrift| {
        charts.push((
            name.to_owned(),
            distribution_chart(title.to_owned(), &drift.bins),
        ));
    };
    if let Some(drift) = &model.prediction {
        add(
            "model-predictions",
            "Predictions: reference vs current",
            drift,
        );
    }
    if let Some(drift) = &model.score {
        add("model-scores", "Top-1 score: reference vs current", drift);
    }
    charts
}

/// The model figures among report.json's metrics.
pub fn metrics(model: &ModelOutcome, metrics: &mut BTreeMap<String, f64>) {
    if let Some(drift) = &model.prediction {
        metrics.insert("prediction_psi".into(), drift.psi);
    }
    if let Some(drift) = &model.score {
        metrics.insert("score_psi".into(), drift.psi);
    }
    if let Some(estimate) = &model.estimate {
        metrics.insert("estimated_accuracy".into(), estimate.estimated_accuracy);
    }
    if let Some(measured) = &model.measured {
        metrics.insert("accuracy".into(), measured.accuracy);
    }
    if let Some(error) = &model.measured_error {
        metrics.insert("mae".into(), error.mae);
    }
}

/// The "Model" section of report.md.
#[must_use]
pub fn section(model: &ModelOutcome, charts: &[ChartFile]) -> String {
    let mut out = String::from("\n### Model\n\n");
    if !model.source.is_empty() {
        out.push_str(&format!(
            "Predictions on {} current rows, from {}.\n\n",
            model.rows,
            escape_markdown(&model.source)
        ));
    }
    for warning in &model.warnings {
        out.push_str(&format!("> ⚠️ {}\n\n", escape_markdown(warning)));
    }
    let rows: Vec<Vec<String>> = model
        .checks
        .iter()
        .map(|c| {
            vec![
                c.name.to_owned(),
                escape_markdown(&c.measured),
                match c.state {
                    State::Ok => "✅".to_owned(),
                    State::Failed => "❌".to_owned(),
                    State::Reported => "reported".to_owned(),
                    State::NotChecked => "not checked".to_owned(),
                },
                escape_markdown(&c.detail),
            ]
        })
        .collect();
    out.push_str(&table(
        &["check", "measured", "result", "detail"],
        &rows,
        &[Align::Left, Align::Left, Align::Left, Align::Left],
    ));
    out.push('\n');
    if let Some(drift) = &model.prediction {
        let (test, p) = match drift.test {
            Test::Ks {
                statistic, p_value, ..
            } => (format!("KS {statistic:.4}"), p_value),
            Test::ChiSquared {
                statistic, p_value, ..
            } => (format!("χ² {statistic:.2}"), p_value),
        };
        out.push_str(&format!(
            "Predictions: PSI {:.3}, {test} (p {p:.3e}).\n\n",
            drift.psi
        ));
        let bins: Vec<Vec<String>> = drift
            .bins
            .iter()
            .map(|b| {
                vec![
                    code_span_prose(&b.label),
                    format!("{:.1}%", b.reference * 100.0),
                    format!("{:.1}%", b.current * 100.0),
                ]
            })
            .collect();
        out.push_str(&table(
            &["prediction", "reference", "current"],
            &bins,
            &[Align::Left, Align::Right, Align::Right],
        ));
        out.push('\n');
    }
    if let Some(estimate) = &model.estimate {
        out.push_str(&format!(
            "Estimated accuracy: {:.1}% (estimate, assumes calibrated scores: the mean top-1 score), against {} {:.1}%.\n\n",
            estimate.estimated_accuracy * 100.0,
            if estimate.reference_is_accuracy {
                "the reference's measured accuracy"
            } else {
                "the reference's mean top-1 score"
            },
            estimate.reference * 100.0
        ));
    }
    if let Some(measured) = &model.measured {
        let interval = measured.interval.map_or_else(String::new, |i| {
            format!(
                ", {:.0}% bootstrap interval {:.1}% to {:.1}%",
                i.level * 100.0,
                i.low * 100.0,
                i.high * 100.0
            )
        });
        out.push_str(&format!(
            "Measured accuracy: {:.1}% on {} labelled rows{interval}.\n\n",
            measured.accuracy * 100.0,
            measured.rows
        ));
    }
    if let Some(error) = &model.measured_error {
        let interval = error.interval.map_or_else(String::new, |i| {
            format!(
                ", {:.0}% bootstrap interval {:.4} to {:.4}",
                i.level * 100.0,
                i.low,
                i.high
            )
        });
        out.push_str(&format!(
            "Measured error: MAE {:.4} on {} labelled rows{interval}.\n\n",
            error.mae, error.rows
        ));
    }
    for chart in charts.iter().filter(|c| c.name.starts_with("model-")) {
        out.push_str(&format!(
            "![{}]({})\n\n",
            escape_markdown(&chart.title),
            chart.png.display()
        ));
    }
    out
}
