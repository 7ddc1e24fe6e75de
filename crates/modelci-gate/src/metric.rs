//! The catalogue of metrics a gate can name, with direction and unit.

use serde::Serialize;

/// Which way is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// Larger values are better (accuracy, F1, throughput).
    HigherIsBetter,
    /// Smaller values are better (latency, size, error).
    LowerIsBetter,
}

/// The unit of a metric, which decides how amounts are parsed and values printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unit {
    /// A share in [0, 1]; `pt` amounts are percentage points.
    Fraction,
    /// Milliseconds.
    Millis,
    /// Bytes.
    Bytes,
    /// A count.
    Count,
    /// Samples per second.
    PerSecond,
    /// A plain number in the data's own unit.
    Value,
}

/// A metric that gates and reports can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MetricDef {
    /// The name used on the command line and in `report.json`.
    pub name: &'static str,
    /// A short human label for reports.
    pub label: &'static str,
    /// Which way is better.
    pub direction: Direction,
    /// The unit.
    pub unit: Unit,
}

const fn def(
    name: &'static str,
    label: &'static str,
    direction: Direction,
    unit: Unit,
) -> MetricDef {
    MetricDef {
        name,
        label,
        direction,
        unit,
    }
}

/// Every metric known to gates, in report order.
pub const METRICS: &[MetricDef] = &[
    def(
        "accuracy",
        "Accuracy",
        Direction::HigherIsBetter,
        Unit::Fraction,
    ),
    def(
        "top_k_accuracy",
        "Top-k accuracy",
        Direction::HigherIsBetter,
        Unit::Fraction,
    ),
    def(
        "macro_f1",
        "Macro F1",
        Direction::HigherIsBetter,
        Unit::Fraction,
    ),
    def(
        "weighted_f1",
        "Weighted F1",
        Direction::HigherIsBetter,
        Unit::Fraction,
    ),
    def(
        "macro_precision",
        "Macro precision",
        Direction::HigherIsBetter,
        Unit::Fraction,
    ),
    def(
        "macro_recall",
        "Macro recall",
        Direction::HigherIsBetter,
        Unit::Fraction,
    ),
    def("mae", "MAE", Direction::LowerIsBetter, Unit::Value),
    def("rmse", "RMSE", Direction::LowerIsBetter, Unit::Value),
    def("r2", "R²", Direction::HigherIsBetter, Unit::Value),
    def(
        "latency_p50_ms",
        "Latency p50 (ms/batch)",
        Direction::LowerIsBetter,
        Unit::Millis,
    ),
    def(
        "latency_p95_ms",
        "Latency p95 (ms/batch)",
        Direction::LowerIsBetter,
        Unit::Millis,
    ),
    def(
        "throughput",
        "Throughput (samples/s)",
        Direction::HigherIsBetter,
        Unit::PerSecond,
    ),
    def("size", "File size", Direction::LowerIsBetter, Unit::Bytes),
    def(
        "params",
        "Parameters",
        Direction::LowerIsBetter,
        Unit::Count,
    ),
    // eval-diff --cross-check (issue 17): the candidate's top-1 agreement between tract and
    // onnxruntime, lowest over its outputs with classes.
    def(
        "cross_agreement",
        "Cross-engine top-1 agreement",
        Direction::HigherIsBetter,
        Unit::Fraction,
    ),
];

/// Looks a metric up by name (case-insensitive; `-` and `_` are the same).
#[must_use]
pub fn find(name: &str) -> Option<&'static MetricDef> {
    let wanted = name.trim().to_ascii_lowercase().replace('-', "_");
    METRICS.iter().find(|m| m.name == wanted)
}

/// The names of every metric, comma-separated, for error messages.
#[must_use]
pub fn known_names() -> String {
    METRICS
        .iter()
        .map(|m| m.name)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_is_forgiving_about_case_and_dashes() {
        assert_eq!(
            find("Latency-P95-ms").map(|m| m.name),
            Some("latency_p95_ms")
        );
        assert!(find("acc").is_none());
        assert!(known_names().contains("accuracy"));
    }
}
