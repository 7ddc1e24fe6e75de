//! The measured error of a regressor on labelled rows: the mean absolute error (MAE) with a
//! percentile bootstrap interval (seeded, so a report is reproducible), and its gate.

use modelci_metrics::latency::percentile;
use modelci_metrics::stats::Interval;
use serde::Serialize;

use super::checks::{BOOTSTRAP_SEED, Check, LEVEL, State, resamples};

/// The error measured on labelled current rows.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MeasuredError {
    /// Mean absolute error on the labelled rows.
    pub mae: f64,
    /// Labelled rows.
    pub rows: u64,
    /// Bootstrap interval of the MAE.
    pub interval: Option<Interval>,
    /// The reference's MAE, when it has one.
    pub reference: Option<f64>,
    /// `(mae / reference - 1) * 100`: how much larger the error got, in percent.
    pub increase_percent: Option<f64>,
}

/// The mean absolute error of the rows with a numeric label, from their absolute errors
/// (`None` without one).
#[must_use]
pub fn measure(errors: &[f64], reference: Option<f64>) -> Option<MeasuredError> {
    if errors.is_empty() {
        return None;
    }
    let mae = mean(errors);
    Some(MeasuredError {
        mae,
        rows: errors.len() as u64,
        interval: mean_interval(errors, resamples(errors.len()), LEVEL, BOOTSTRAP_SEED),
        reference,
        increase_percent: reference
            .filter(|r| *r > 0.0)
            .map(|r| (mae / r - 1.0) * 100.0),
    })
}

#[allow(clippy::cast_precision_loss)]
fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len().max(1) as f64
}

/// Percentile bootstrap interval of the mean of `values`, resampled with replacement.
#[must_use]
pub fn mean_interval(values: &[f64], resamples: usize, level: f64, seed: u64) -> Option<Interval> {
    let n = values.len();
    if n == 0 || resamples == 0 {
        return None;
    }
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut means: Vec<f64> = (0..resamples)
        .map(|_| {
            #[allow(clippy::cast_precision_loss)]
            let total = (0..n).map(|_| values[rng.usize(..n)]).sum::<f64>() / n as f64;
            total
        })
        .collect();
    means.sort_by(f64::total_cmp);
    let alpha = (1.0 - level) / 2.0;
    Some(Interval {
        low: percentile(&means, alpha * 100.0),
        high: percentile(&means, (1.0 - alpha) * 100.0),
        level,
    })
}

/// The gate: fails when the MAE grew by more than `max_increase` percent of the reference's and
/// the interval lies above the reference's MAE.
#[must_use]
pub fn check(measured: &MeasuredError, max_increase: f64) -> Check {
    let interval = measured
        .interval
        .map_or_else(String::new, |i| format!(" [{:.4}, {:.4}]", i.low, i.high));
    let figure = format!(
        "MAE {:.4}{interval} on {} labelled rows",
        measured.mae, measured.rows
    );
    let (Some(increase), Some(reference)) = (measured.increase_percent, measured.reference) else {
        return Check {
            name: "measured error",
            state: State::Reported,
            measured: figure,
            detail: "the reference has no MAE to compare with; not gated".to_owned(),
        };
    };
    let above = measured.interval.is_some_and(|i| i.low > reference);
    let failed = increase > max_increase && above;
    let direction = if increase >= 0.0 { "above" } else { "below" };
    let detail = format!(
        "{:.1}% {direction} the reference's MAE {reference:.4}",
        increase.abs()
    );
    Check {
        name: "measured error",
        state: if failed { State::Failed } else { State::Ok },
        measured: figure,
        detail: if failed {
            format!(
                "{detail}: more than {max_increase}% (--max-error-increase), its interval above the reference's"
            )
        } else if increase > max_increase {
            format!(
                "{detail}: more than {max_increase}% (--max-error-increase), but its interval reaches the reference's"
            )
        } else {
            format!("{detail}; within {max_increase}% (--max-error-increase)")
        },
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_interval_is_seeded_and_holds_the_mean() {
        let values: Vec<f64> = (0..200).map(|i| f64::from(i % 17)).collect();
        let a = mean_interval(&values, 500, 0.95, 7).unwrap();
        let b = mean_interval(&values, 500, 0.95, 7).unwrap();
        assert_eq!(a, b);
        let m = mean(&values);
        assert!(a.low < m && m < a.high, "{a:?} {m}");
        assert!(mean_interval(&[], 10, 0.95, 1).is_none());
    }
}
