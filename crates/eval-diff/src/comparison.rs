//! The metric-by-metric comparison of baseline and candidate: the rows of the report's main
//! table, and the values gates are judged on.

use modelci_eval::{Evaluation, ModelEvaluation};
use modelci_gate::metric::{self, Direction, MetricDef};
use modelci_gate::{MetricValues, Unit};
use serde::Serialize;

/// One row of the comparison table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricRow {
    /// Metric name, as gates and `report.json` name it.
    pub name: &'static str,
    /// Human label.
    pub label: String,
    /// Which way is better.
    pub direction: Direction,
    /// The unit.
    pub unit: Unit,
    /// Baseline value.
    pub baseline: f64,
    /// Candidate value.
    pub candidate: f64,
    /// `candidate - baseline`.
    pub delta: f64,
    /// The delta relative to the baseline, in percent (`None` when the baseline is 0).
    pub delta_pct: Option<f64>,
    /// Whether the candidate is better (`Some(false)` worse, `None` equal).
    pub better: Option<bool>,
}

/// The values of every metric measured for `model`, by metric name.
#[must_use]
#[allow(clippy::cast_precision_loss)]
pub fn model_values(model: &ModelEvaluation) -> Vec<(&'static str, f64)> {
    let mut values = Vec::new();
    if let Some(c) = &model.classification {
        values.push(("accuracy", c.accuracy));
        if let Some(top) = c.top_k {
            values.push(("top_k_accuracy", top.accuracy));
        }
        values.extend([
            ("macro_f1", c.macro_f1),
            ("weighted_f1", c.weighted_f1),
            ("macro_precision", c.macro_precision),
            ("macro_recall", c.macro_recall),
        ]);
    }
    if let Some(r) = &model.regression {
        values.extend([("mae", r.mae), ("rmse", r.rmse), ("r2", r.r2)]);
    }
    if let Some(l) = &model.latency {
        values.extend([
            ("latency_p50_ms", l.p50_ms),
            ("latency_p95_ms", l.p95_ms),
            ("throughput", l.throughput),
        ]);
    }
    values.push(("size", model.file_size as f64));
    values.push(("params", model.signature.parameters as f64));
    values
}

/// Values for gates: (baseline, candidate) per metric.
#[must_use]
pub fn gate_values(evaluation: &Evaluation) -> MetricValues {
    let mut values = MetricValues::new();
    let [baseline, candidate, ..] = evaluation.models.as_slice() else {
        return values;
    };
    for (name, v) in model_values(baseline) {
        values.entry(name).or_insert((None, None)).0 = Some(v);
    }
    for (name, v) in model_values(candidate) {
        values.entry(name).or_insert((None, None)).1 = Some(v);
    }
    if let Some(agreement) = crate::execution::agreement(evaluation.cross_check.as_ref()) {
        values.insert("cross_agreement", (None, Some(agreement)));
    }
    values
}

/// The comparison rows, in catalogue order, for metrics both models have.
#[must_use]
pub fn rows(evaluation: &Evaluation) -> Vec<MetricRow> {
    let values = gate_values(evaluation);
    let top_k = evaluation
        .models
        .first()
        .and_then(|m| m.classification.as_ref())
        .and_then(|c| c.top_k)
        .map(|t| t.k);
    metric::METRICS
        .iter()
        .filter_map(|def| {
            let (Some(baseline), Some(candidate)) = values.get(def.name).copied()? else {
                return None;
            };
            Some(row(def, baseline, candidate, top_k))
        })
        .collect()
}

fn row(def: &'static MetricDef, baseline: f64, candidate: f64, top_k: Option<usize>) -> MetricRow {
    let delta = candidate - baseline;
    let better = if delta == 0.0 {
        None
    } else {
        Some((delta > 0.0) == (def.direction == Direction::HigherIsBetter))
    };
    let label = match (def.name, top_k) {
        ("top_k_accuracy", Some(k)) => format!("Top-{k} accuracy"),
        _ => def.label.to_owned(),
    };
    MetricRow {
        name: def.name,
        label,
        direction: def.direction,
        unit: def.unit,
        baseline,
        candidate,
        delta,
        delta_pct: (baseline != 0.0).then(|| delta / baseline.abs() * 100.0),
        better,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direction_decides_better() {
        let accuracy = metric::find("accuracy").expect("known");
        assert_eq!(row(accuracy, 0.9, 0.95, None).better, Some(true));
        let size = metric::find("size").expect("known");
        let r = row(size, 100.0, 150.0, None);
        assert_eq!(r.better, Some(false));
        assert_eq!(r.delta_pct, Some(50.0));
        assert_eq!(row(size, 0.0, 0.0, None).better, None);
        let top = metric::find("top_k_accuracy").expect("known");
        assert_eq!(row(top, 0.9, 0.9, Some(3)).label, "Top-3 accuracy");
    }
}
