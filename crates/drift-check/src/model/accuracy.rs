//! Accuracy measured on labelled current rows: a seeded bootstrap interval (modelci-metrics'),
//! the drop against the reference's accuracy, and its gate.

use modelci_metrics::stats::{Interval, bootstrap_delta_ci};
use serde::Serialize;

use super::checks::{BOOTSTRAP_SEED, Check, LEVEL, State, resamples};
use super::summary::share;

/// Accuracy measured on labelled current rows.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Measured {
    /// Accuracy on the labelled rows.
    pub accuracy: f64,
    /// Labelled rows.
    pub rows: u64,
    /// Bootstrap interval of the accuracy.
    pub interval: Option<Interval>,
    /// The reference's accuracy, when it has one.
    pub reference: Option<f64>,
    /// `reference - accuracy` in percentage points.
    pub drop_points: Option<f64>,
    /// The interval of the drop, in percentage points (low, high).
    pub drop_interval_points: Option<(f64, f64)>,
}

/// A change in percentage points, in words: `3.5 pp above`, `47.5 pp below`.
pub(crate) fn points(change: f64) -> String {
    if change >= 0.0 {
        format!("{change:.1} pp above")
    } else {
        format!("{:.1} pp below", -change)
    }
}

/// The accuracy of the labelled rows, from their outcomes (2 right, 0 wrong: see
/// [`super::tally::Tally::outcomes`]); `None` without a labelled row.
#[must_use]
pub fn measure(outcomes: &[u8], reference: Option<f64>) -> Option<Measured> {
    if outcomes.is_empty() {
        return None;
    }
    let correct = outcomes.iter().filter(|&&o| o != 0).count();
    let accuracy = share(correct, outcomes.len());
    // The bootstrap of "candidate minus baseline" with a baseline that is always wrong is the
    // bootstrap of the accuracy itself.
    let interval = bootstrap_delta_ci(outcomes, resamples(outcomes.len()), LEVEL, BOOTSTRAP_SEED);
    Some(Measured {
        accuracy,
        rows: outcomes.len() as u64,
        interval,
        reference,
        drop_points: reference.map(|r| (r - accuracy) * 100.0),
        drop_interval_points: reference
            .zip(interval)
            .map(|(r, i)| ((r - i.high) * 100.0, (r - i.low) * 100.0)),
    })
}

/// The gate: fails when the accuracy dropped by more than `max_drop` points and the interval
/// of the drop excludes 0.
#[must_use]
pub fn check(measured: &Measured, max_drop: f64) -> Check {
    let interval = measured.interval.map_or_else(String::new, |i| {
        format!(" [{:.1}%, {:.1}%]", i.low * 100.0, i.high * 100.0)
    });
    let figure = format!(
        "{:.1}%{interval} on {} labelled rows",
        measured.accuracy * 100.0,
        measured.rows
    );
    let (Some(drop), Some(reference)) = (measured.drop_points, measured.reference) else {
        return Check {
            name: "measured accuracy",
            state: State::Reported,
            measured: figure,
            detail: "the reference has no accuracy to compare with; not gated".to_owned(),
        };
    };
    let excludes_zero = measured
        .drop_interval_points
        .is_some_and(|(low, _)| low > 0.0);
    let failed = drop > max_drop && excludes_zero;
    let detail = format!(
        "{} the reference's {:.1}%",
        points(-drop),
        reference * 100.0
    );
    Check {
        name: "measured accuracy",
        state: if failed { State::Failed } else { State::Ok },
        measured: figure,
        detail: if failed {
            format!(
                "{detail}: a drop past {max_drop} pp (--max-accuracy-drop), its interval excludes 0"
            )
        } else if drop > max_drop {
            format!(
                "{detail}: past {max_drop} pp (--max-accuracy-drop), but its interval includes 0"
            )
        } else {
            format!("{detail}; within {max_drop} pp (--max-accuracy-drop)")
        },
    }
}
