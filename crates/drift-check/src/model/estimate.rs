//! Accuracy estimated without labels: the mean top-1 score, an estimate that assumes
//! calibrated scores, against the reference's accuracy (else its mean top-1 score).

use modelci_drift::{ContinuousReference, PredictionReference};
use serde::Serialize;

use super::accuracy::points;
use super::checks::{Check, State};
use super::tally::Tally;

/// Accuracy estimated from the scores.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// Mean top-1 score of the current predictions.
    pub estimated_accuracy: f64,
    /// What it is compared with: the reference's measured accuracy, else its mean top-1 score.
    pub reference: f64,
    /// Whether `reference` is the measured accuracy (else the mean score).
    pub reference_is_accuracy: bool,
    /// `reference - estimated_accuracy`, in percentage points.
    pub drop_points: f64,
}

/// The mean of a continuous reference, from its points (exact while it keeps every value).
#[allow(clippy::cast_precision_loss)]
fn reference_mean(reference: &ContinuousReference) -> f64 {
    let mut previous = 0u64;
    let mut sum = 0.0;
    for (point, &upto) in reference.points.iter().zip(&reference.at_or_below) {
        sum += point * (upto - previous) as f64;
        previous = upto;
    }
    sum / reference.total.max(1) as f64
}

/// The estimate (`None` without scores on either side).
#[must_use]
pub fn estimate(reference: &PredictionReference, tally: &Tally) -> Option<Estimate> {
    let estimated = tally.mean_score()?;
    let (baseline, is_accuracy) = match (&reference.performance, &reference.score) {
        (Some(p), _) if p.metric == "accuracy" => (p.value, true),
        (_, Some(score)) => (reference_mean(score), false),
        _ => return None,
    };
    Some(Estimate {
        estimated_accuracy: estimated,
        reference: baseline,
        reference_is_accuracy: is_accuracy,
        drop_points: (baseline - estimated) * 100.0,
    })
}

/// Reported, or gated by `--max-estimated-accuracy-drop` when given.
#[must_use]
pub fn check(estimate: &Estimate, gate: Option<f64>) -> Check {
    let measured = format!(
        "{:.1}% (estimate, assumes calibrated scores)",
        estimate.estimated_accuracy * 100.0
    );
    let against = if estimate.reference_is_accuracy {
        "the reference's accuracy"
    } else {
        "the reference's mean top-1 score"
    };
    let drop = format!("{} {against}", points(-estimate.drop_points));
    match gate {
        None => Check {
            name: "estimated accuracy",
            state: State::Reported,
            measured,
            detail: format!("{drop}; not gated (--max-estimated-accuracy-drop)"),
        },
        Some(max) => Check {
            name: "estimated accuracy",
            state: if estimate.drop_points > max {
                State::Failed
            } else {
                State::Ok
            },
            measured,
            detail: if estimate.drop_points > max {
                format!("{drop}: a drop past {max} pp (--max-estimated-accuracy-drop)")
            } else {
                format!("{drop}; within {max} pp (--max-estimated-accuracy-drop)")
            },
        },
    }
}
