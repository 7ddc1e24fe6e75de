//! The checks of a run, each one row of the report.
//!
//! - [`model`]: the model file: signature, smoke inference, size, parameters, latency;
//! - [`signature`]: reading the expected signature file and comparing it with the model's;
//! - [`logs`]: the training logs: NaN/inf, final thresholds, loss trend, divergence;
//! - [`budget`]: parsing the budget and threshold flags.

pub mod budget;
pub mod logs;
pub mod model;
pub mod signature;

use serde::Serialize;

/// Which part of the run a check is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    /// The model file and its inference.
    Model,
    /// The training logs.
    Logs,
    /// Size, parameter and latency budgets.
    Budget,
}

impl Group {
    /// The section title in reports.
    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            Self::Model => "Model",
            Self::Logs => "Training logs",
            Self::Budget => "Budgets",
        }
    }
}

/// How a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The check held.
    Pass,
    /// The check failed; the run exits 1.
    Fail,
    /// A measurement without a limit (no budget was given for it).
    Info,
}

impl Status {
    /// `pass`, `fail` or `info`.
    #[must_use]
    pub fn word(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "FAIL",
            Self::Info => "info",
        }
    }

    /// An icon for Markdown.
    #[must_use]
    pub fn icon(self) -> &'static str {
        match self {
            Self::Pass => "✅",
            Self::Fail => "❌",
            Self::Info => "ℹ️",
        }
    }

    /// `Pass` when `ok`, else `Fail`.
    #[must_use]
    pub fn from_bool(ok: bool) -> Self {
        if ok { Self::Pass } else { Self::Fail }
    }
}

/// One row of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// The part of the run it is about.
    pub group: Group,
    /// What was checked, e.g. `final val_accuracy ≥ 0.95`.
    pub name: String,
    /// The outcome.
    pub status: Status,
    /// What was measured, e.g. `0.9861 (epoch 19)`.
    pub measured: String,
    /// The limit it was held to, or empty for a measurement.
    pub limit: String,
}

impl Check {
    /// A check row.
    pub fn new(
        group: Group,
        name: impl Into<String>,
        status: Status,
        measured: impl Into<String>,
        limit: impl Into<String>,
    ) -> Self {
        Self {
            group,
            name: name.into(),
            status,
            measured: measured.into(),
            limit: limit.into(),
        }
    }
}

/// A number for a report cell: up to 4 significant decimals, no exponent for usual values.
#[must_use]
pub fn num(value: f64) -> String {
    if !value.is_finite() {
        return if value.is_nan() {
            "NaN".into()
        } else if value > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    let abs = value.abs();
    let text = if abs != 0.0 && !(1e-4..1e7).contains(&abs) {
        format!("{value:.3e}")
    } else if abs >= 100.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.4}")
    };
    if text.contains('.') && !text.contains('e') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::num;

    #[test]
    fn numbers_read_well() {
        assert_eq!(num(0.986_111), "0.9861");
        assert_eq!(num(2.0), "2");
        assert_eq!(num(123.456), "123.5");
        assert_eq!(num(f64::NAN), "NaN");
        assert_eq!(num(0.000_01), "1.000e-5");
    }
}
