//! Parsing budgets (`--max-size 10MB`) and thresholds (`--min val_accuracy=0.95`).
//!
//! Amounts use `modelci-gate`'s parser so that every modelci tool reads `10MB` and `5ms` alike;
//! on top of it, a size needs a unit (is `10` bytes or megabytes?) and nothing may be negative.

use anyhow::{Context as _, anyhow, bail};
use modelci_gate::Unit;
use modelci_gate::amount::parse_value;
use serde::Serialize;

use crate::args::Args;

/// The budgets given on the command line.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Budgets {
    /// Largest model file, bytes.
    pub max_size: Option<Limit>,
    /// Most parameters.
    pub max_params: Option<Limit>,
    /// Largest p95 latency at batch 1, milliseconds.
    pub max_latency_ms: Option<Limit>,
}

/// A budget: its value in the base unit and the text the user wrote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Limit {
    /// Bytes, a count or milliseconds.
    pub value: f64,
    /// As given, e.g. `10MB`.
    pub text: String,
}

/// Whether a threshold is a floor or a ceiling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// `--min`: the final value must be at least the limit.
    Min,
    /// `--max`: the final value must be at most the limit.
    Max,
}

impl Bound {
    /// `≥` or `≤`.
    #[must_use]
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Min => "≥",
            Self::Max => "≤",
        }
    }

    /// The flag, `--min` or `--max`.
    #[must_use]
    pub fn flag(self) -> &'static str {
        match self {
            Self::Min => "--min",
            Self::Max => "--max",
        }
    }

    /// Whether `value` satisfies the bound (NaN never does).
    #[must_use]
    pub fn holds(self, value: f64, limit: f64) -> bool {
        match self {
            Self::Min => value >= limit,
            Self::Max => value <= limit,
        }
    }
}

/// A threshold on a logged metric's final value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Threshold {
    /// Floor or ceiling.
    pub bound: Bound,
    /// The metric as named in the logs.
    pub metric: String,
    /// The limit.
    pub limit: f64,
}

/// Parses the budget flags.
///
/// # Errors
/// A message naming the flag when an amount does not parse, is negative, or (for a size) has
/// no unit.
pub fn budgets(args: &Args) -> anyhow::Result<Budgets> {
    Ok(Budgets {
        max_size: args
            .max_size
            .as_deref()
            .map(|t| {
                let t = t.trim();
                if !t.chars().any(|c| c.is_ascii_alphabetic()) {
                    bail!("--max-size {t}: give a unit, e.g. {t}MB or {t}KiB");
                }
                amount("--max-size", t, Unit::Bytes)
            })
            .transpose()?,
        max_params: args
            .max_params
            .as_deref()
            .map(|t| amount("--max-params", t, Unit::Count))
            .transpose()?,
        max_latency_ms: args
            .max_latency_ms
            .as_deref()
            .map(|t| amount("--max-latency-ms", t, Unit::Millis))
            .transpose()?,
    })
}

fn amount(flag: &str, text: &str, unit: Unit) -> anyhow::Result<Limit> {
    let text = text.trim();
    let value = parse_value(text, unit).map_err(|e| anyhow!("{flag} {text}: {e}"))?;
    if value < 0.0 {
        bail!("{flag} {text}: a budget cannot be negative");
    }
    Ok(Limit {
        value,
        text: text.to_owned(),
    })
}

/// Parses the `--min` and `--max` thresholds (`METRIC=VALUE`).
///
/// # Errors
/// A message naming the flag when the text is not `METRIC=VALUE` with a number.
pub fn thresholds(args: &Args) -> anyhow::Result<Vec<Threshold>> {
    let mut out = Vec::new();
    for (bound, texts) in [(Bound::Min, &args.min), (Bound::Max, &args.max)] {
        for text in texts {
            let (metric, value) = text.split_once('=').with_context(|| {
                format!(
                    "{} {text}: expected METRIC=VALUE, e.g. val_accuracy=0.95",
                    bound.flag()
                )
            })?;
            let metric = metric.trim();
            if metric.is_empty() {
                bail!("{} {text}: the metric name is empty", bound.flag());
            }
            let limit = parse_value(value, Unit::Value)
                .map_err(|e| anyhow!("{} {text}: {e}", bound.flag()))?;
            out.push(Threshold {
                bound,
                metric: metric.to_owned(),
                limit,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use clap::Parser;

    use super::*;

    fn args(extra: &[&str]) -> Args {
        let mut argv = vec!["train-check", "--model", "m.onnx"];
        argv.extend_from_slice(extra);
        Args::parse_from(argv)
    }

    #[test]
    fn budgets_parse_with_units() {
        let b = budgets(&args(&[
            "--max-size",
            "10MB",
            "--max-params",
            "5k",
            "--max-latency-ms",
            "0.2s",
        ]))
        .unwrap();
        let value = |l: Option<Limit>| l.map(|l| l.value);
        assert_eq!(value(b.max_size), Some(10e6));
        assert_eq!(value(b.max_params), Some(5e3));
        assert_eq!(value(b.max_latency_ms), Some(200.0));
        let b = budgets(&args(&["--max-latency-ms", "5"])).unwrap();
        assert_eq!(value(b.max_latency_ms), Some(5.0));
    }

    #[test]
    fn unitless_or_negative_budgets_are_refused() {
        let err = budgets(&args(&["--max-size", "10"]))
            .unwrap_err()
            .to_string();
        assert_eq!(err, "--max-size 10: give a unit, e.g. 10MB or 10KiB");
        let err = budgets(&args(&["--max-size=-1MB"]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("cannot be negative"), "{err}");
        let err = budgets(&args(&["--max-latency-ms=-5"]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("cannot be negative"), "{err}");
    }

    #[test]
    fn thresholds_need_metric_and_number() {
        let t = thresholds(&args(&["--min", "val.accuracy=0.95", "--max", "loss=0.2"])).unwrap();
        assert_eq!(t[0].metric, "val.accuracy");
        assert_eq!(t[1].bound, Bound::Max);
        assert!(thresholds(&args(&["--min", "accuracy"])).is_err());
        assert!(thresholds(&args(&["--min", "accuracy=high"])).is_err());
    }
}
