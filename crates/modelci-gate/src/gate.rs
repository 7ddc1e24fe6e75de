//! Gates: parsing `METRIC=AMOUNT` flags and judging measured values against them.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::amount::{Amount, parse_amount, parse_value};
use crate::metric::{self, Direction, MetricDef};

/// The four kinds of gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GateKind {
    /// The candidate may be worse than the baseline by at most the amount.
    Tolerance,
    /// The candidate must be better than the baseline by at least the amount.
    MinImprovement,
    /// The candidate's value must be at least the amount.
    Min,
    /// The candidate's value must be at most the amount.
    Max,
}

impl GateKind {
    /// The command-line flag of this kind.
    #[must_use]
    pub fn flag(self) -> &'static str {
        match self {
            Self::Tolerance => "--tolerance",
            Self::MinImprovement => "--min-improvement",
            Self::Min => "--min",
            Self::Max => "--max",
        }
    }

    /// Whether the gate compares against the baseline.
    #[must_use]
    pub fn is_relative(self) -> bool {
        matches!(self, Self::Tolerance | Self::MinImprovement)
    }
}

/// A gate as the user wrote it, parsed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gate {
    /// Which kind.
    pub kind: GateKind,
    /// The metric it judges.
    pub metric: &'static MetricDef,
    /// The amount.
    pub amount: Amount,
    /// The text the user wrote (`accuracy=0.5pt`).
    pub text: String,
}

impl fmt::Display for Gate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind.flag(), self.text)
    }
}

/// Why a gate cannot be parsed or judged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GateError {
    /// The flag value is not `METRIC=AMOUNT`, names an unknown metric, or has a bad amount.
    #[error("{flag} {text}: {reason}")]
    Parse {
        /// The flag.
        flag: &'static str,
        /// What the user wrote.
        text: String,
        /// What is wrong.
        reason: String,
    },
    /// The metric was not measured in this run (e.g. `mae` for a classifier).
    #[error("{flag} {text}: metric `{metric}` is not measured in this run")]
    NotMeasured {
        /// The flag.
        flag: &'static str,
        /// What the user wrote.
        text: String,
        /// The metric.
        metric: &'static str,
    },
}

impl Gate {
    /// Parses `METRIC=AMOUNT` for a gate of `kind`.
    ///
    /// # Errors
    /// [`GateError::Parse`] naming the flag, the text and the problem.
    pub fn parse(kind: GateKind, text: &str) -> Result<Self, GateError> {
        let fail = |reason: String| GateError::Parse {
            flag: kind.flag(),
            text: text.to_owned(),
            reason,
        };
        let (name, value) = text
            .split_once('=')
            .ok_or_else(|| fail("expected METRIC=AMOUNT".into()))?;
        let metric = metric::find(name).ok_or_else(|| {
            fail(format!(
                "unknown metric `{}`; known metrics: {}",
                name.trim(),
                metric::known_names()
            ))
        })?;
        let amount = if kind.is_relative() {
            parse_amount(value, metric.unit).map_err(|e| fail(e.to_string()))?
        } else {
            Amount::Absolute(parse_value(value, metric.unit).map_err(|e| fail(e.to_string()))?)
        };
        Ok(Self {
            kind,
            metric,
            amount,
            text: text.trim().to_owned(),
        })
    }

    /// Judges the gate on measured values.
    ///
    /// # Errors
    /// [`GateError::NotMeasured`] when the metric (or, for relative gates, the baseline's value)
    /// is missing.
    pub fn judge(&self, values: &MetricValues) -> Result<GateResult, GateError> {
        let missing = || GateError::NotMeasured {
            flag: self.kind.flag(),
            text: self.text.clone(),
            metric: self.metric.name,
        };
        let (baseline, candidate) = values.get(self.metric.name).ok_or_else(missing)?;
        let candidate = candidate.ok_or_else(missing)?;
        let higher = self.metric.direction == Direction::HigherIsBetter;
        // `bound` is the value the candidate is compared against; `at_least` says which side passes.
        let (bound, at_least) = match self.kind {
            GateKind::Min => (self.amount.absolute(0.0), true),
            GateKind::Max => (self.amount.absolute(0.0), false),
            GateKind::Tolerance | GateKind::MinImprovement => {
                let baseline = baseline.ok_or_else(missing)?;
                let step = self.amount.absolute(baseline);
                let allowed_worse = if self.kind == GateKind::Tolerance {
                    step
                } else {
                    -step
                };
                if higher {
                    (baseline - allowed_worse, true)
                } else {
                    (baseline + allowed_worse, false)
                }
            }
        };
        // A tiny epsilon absorbs float noise such as 0.9 - 0.005 != 0.895 exactly.
        let eps = 1e-12 * bound.abs().max(1.0);
        let passed = if at_least {
            candidate >= bound - eps
        } else {
            candidate <= bound + eps
        };
        Ok(GateResult {
            gate: self.to_string(),
            kind: self.kind,
            metric: self.metric.name,
            baseline: *baseline,
            candidate,
            bound,
            comparison: if at_least { ">=" } else { "<=" },
            passed,
        })
    }
}

/// Measured values by metric name: (baseline, candidate). The baseline is `None` for
/// single-model runs.
pub type MetricValues = BTreeMap<&'static str, (Option<f64>, Option<f64>)>;

/// The outcome of one gate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateResult {
    /// The gate as written (`--tolerance accuracy=0.5pt`).
    pub gate: String,
    /// Its kind.
    pub kind: GateKind,
    /// The metric judged.
    pub metric: &'static str,
    /// The baseline's value, if any.
    pub baseline: Option<f64>,
    /// The candidate's value.
    pub candidate: f64,
    /// The bound the candidate was compared against.
    pub bound: f64,
    /// `>=` or `<=`: how the candidate must compare with the bound.
    pub comparison: &'static str,
    /// Whether the gate passed.
    pub passed: bool,
}

/// Judges every gate.
///
/// # Errors
/// The first [`GateError::NotMeasured`].
pub fn evaluate_gates(gates: &[Gate], values: &MetricValues) -> Result<Vec<GateResult>, GateError> {
    gates.iter().map(|g| g.judge(values)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(name: &'static str, baseline: f64, candidate: f64) -> MetricValues {
        BTreeMap::from([(name, (Some(baseline), Some(candidate)))])
    }

    #[test]
    fn tolerance_on_higher_is_better() {
        let gate = Gate::parse(GateKind::Tolerance, "accuracy=0.5pt").expect("parses");
        assert!(
            gate.judge(&values("accuracy", 0.90, 0.896))
                .expect("measured")
                .passed
        );
        let failed = gate
            .judge(&values("accuracy", 0.90, 0.894))
            .expect("measured");
        assert!(!failed.passed);
        assert!((failed.bound - 0.895).abs() < 1e-12);
        // Exactly on the bound passes despite float noise.
        assert!(
            gate.judge(&values("accuracy", 0.90, 0.895))
                .expect("measured")
                .passed
        );
    }

    #[test]
    fn tolerance_on_lower_is_better_relative() {
        let gate = Gate::parse(GateKind::Tolerance, "size=10%").expect("parses");
        assert!(
            gate.judge(&values("size", 1000.0, 1100.0))
                .expect("measured")
                .passed
        );
        assert!(
            !gate
                .judge(&values("size", 1000.0, 1101.0))
                .expect("measured")
                .passed
        );
    }

    #[test]
    fn min_improvement_requires_beating_the_baseline() {
        let gate = Gate::parse(GateKind::MinImprovement, "macro_f1=0.01").expect("parses");
        assert!(
            gate.judge(&values("macro_f1", 0.80, 0.811))
                .expect("measured")
                .passed
        );
        assert!(
            !gate
                .judge(&values("macro_f1", 0.80, 0.805))
                .expect("measured")
                .passed
        );
        let latency = Gate::parse(GateKind::MinImprovement, "latency_p95_ms=10%").expect("parses");
        assert!(
            latency
                .judge(&values("latency_p95_ms", 10.0, 8.9))
                .expect("measured")
                .passed
        );
        assert!(
            !latency
                .judge(&values("latency_p95_ms", 10.0, 9.5))
                .expect("measured")
                .passed
        );
    }

    #[test]
    fn floors_and_ceilings() {
        let min = Gate::parse(GateKind::Min, "accuracy=0.95").expect("parses");
        assert!(
            !min.judge(&values("accuracy", 0.99, 0.94))
                .expect("measured")
                .passed
        );
        let max = Gate::parse(GateKind::Max, "size=10MB").expect("parses");
        assert!(
            max.judge(&values("size", 0.0, 9e6))
                .expect("measured")
                .passed
        );
        assert!(
            !max.judge(&values("size", 0.0, 11e6))
                .expect("measured")
                .passed
        );
    }

    #[test]
    fn parse_errors_name_the_flag_and_the_problem() {
        let err = Gate::parse(GateKind::Min, "acc=0.9").expect_err("unknown metric");
        let text = err.to_string();
        assert!(
            text.starts_with("--min acc=0.9: unknown metric `acc`"),
            "{text}"
        );
        assert!(Gate::parse(GateKind::Max, "size").is_err());
        assert!(Gate::parse(GateKind::Max, "size=ten").is_err());
        let gate = Gate::parse(GateKind::Min, "mae=3").expect("parses");
        assert!(matches!(
            gate.judge(&MetricValues::new()),
            Err(GateError::NotMeasured { .. })
        ));
    }
}
