//! The model checks and their gates: prediction drift, score shift, accuracy estimated from the
//! scores, accuracy measured on labels.

use modelci_drift::monitor::{FeatureDrift, compare};
use modelci_drift::{Feature, FeatureSummary, PredictionReference};
use serde::Serialize;

use super::accuracy::{self, Measured};
use super::estimate::{self, Estimate};
use super::mae::{self, MeasuredError};
use super::tally::Tally;

/// Bootstrap resamples of the measured accuracy or error, on small data.
pub const BOOTSTRAP_RESAMPLES: usize = 2000;
/// Fewest resamples, on large data.
const MIN_RESAMPLES: usize = 200;
/// Draws the bootstrap may take in all (a resample draws one value per labelled row).
const MAX_DRAWS: usize = 200_000_000;

/// Resamples for `rows` labelled rows: 2000, fewer past 100 000 rows so that the draws stay
/// under 2·10⁸ (at least 200: on that much data the interval is narrow, and its ends from 200
/// resamples move by a fraction of its width).
#[must_use]
pub fn resamples(rows: usize) -> usize {
    (MAX_DRAWS / rows.max(1)).clamp(MIN_RESAMPLES, BOOTSTRAP_RESAMPLES)
}
/// Seed of the bootstrap, fixed so that a report is reproducible.
pub const BOOTSTRAP_SEED: u64 = 20;
/// Confidence level of the accuracy interval.
pub const LEVEL: f64 = 0.95;

/// The model gates, from the command line.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ModelGates {
    /// Predicted classes (or values) drift when their PSI reaches this.
    pub max_prediction_psi: f64,
    /// The top-1 scores shifted when their PSI reaches this.
    pub max_score_psi: f64,
    /// Measured accuracy drop tolerated, in percentage points.
    pub max_accuracy_drop: f64,
    /// A regressor's MAE may grow by this many percent of the reference's.
    pub max_error_increase: f64,
    /// Estimated accuracy drop tolerated (gated only when given).
    pub max_estimated_accuracy_drop: Option<f64>,
    /// The p-value gate of the tests (`--alpha`), as for features.
    pub alpha: Option<f64>,
    /// Where the current data's labels come from (`--label-column`, the log's labels, an
    /// image folder's class folders...): the hint when a labelled check cannot run.
    #[serde(skip)]
    pub labels_from: &'static str,
}

/// How a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Within its gate.
    Ok,
    /// Past its gate.
    Failed,
    /// Measured and shown, but not gated.
    Reported,
    /// Not run; the detail says why.
    NotChecked,
}

/// One model check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// `prediction drift`, `score shift`, `estimated accuracy`, `measured accuracy`.
    pub name: &'static str,
    /// Its outcome.
    pub state: State,
    /// The figure, e.g. `PSI 0.031`.
    pub measured: String,
    /// Why it failed or was not checked, or the gate it passed.
    pub detail: String,
}

/// Everything the model checks found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelOutcome {
    /// Where the current predictions came from.
    pub source: String,
    /// Current rows with a prediction.
    pub rows: u64,
    /// Warnings (another model than the reference's, unanswered requests).
    pub warnings: Vec<String>,
    /// Drift of the predicted classes or values.
    pub prediction: Option<FeatureDrift>,
    /// Shift of the top-1 scores.
    pub score: Option<FeatureDrift>,
    /// Accuracy estimated from the scores.
    pub estimate: Option<Estimate>,
    /// Accuracy measured on labels (classifiers).
    pub measured: Option<Measured>,
    /// Mean absolute error measured on labels (regressors).
    pub measured_error: Option<MeasuredError>,
    /// The four checks, in a fixed order.
    pub checks: Vec<Check>,
    /// Whether no check failed.
    pub passed: bool,
    /// The gates applied.
    pub gates: ModelGates,
}

impl ModelOutcome {
    /// The checks failed.
    #[must_use]
    pub fn failed(&self) -> usize {
        self.checks
            .iter()
            .filter(|c| c.state == State::Failed)
            .count()
    }
}

/// Runs every model check. `current` is `Err(reason)` when there are no current predictions.
#[must_use]
pub fn assess(
    reference: Option<&PredictionReference>,
    current: Result<(&Tally, String), String>,
    gates: ModelGates,
    warnings: Vec<String>,
) -> ModelOutcome {
    let (tally, source) = match current {
        Ok((tally, source)) => (tally, source),
        Err(reason) => {
            let reason = match reference {
                Some(_) => reason,
                None => "the reference has no predictions, and there are none on the current data"
                    .to_owned(),
            };
            return not_checked(reason, warnings, gates);
        }
    };
    let Some(reference) = reference else {
        let mut outcome = not_checked(
            "the reference has no predictions (a dataset reference given with --model gets them, and --write-reference keeps them)".to_owned(),
            warnings,
            gates,
        );
        outcome.source = source;
        outcome.rows = tally.rows;
        outcome.measured = accuracy::measure(&tally.outcomes, None);
        outcome.measured_error = mae::measure(&tally.errors, None);
        return outcome;
    };
    let mut checks = Vec::with_capacity(4);
    let prediction = prediction_drift(reference, tally);
    checks.push(match &prediction {
        Ok(drift) => psi_check(
            "prediction drift",
            drift,
            gates.max_prediction_psi,
            gates.alpha,
            "--max-prediction-psi",
        ),
        Err(reason) => skip("prediction drift", reason.clone()),
    });
    let score = score_shift(reference, tally);
    checks.push(match &score {
        Ok(drift) => psi_check(
            "score shift",
            drift,
            gates.max_score_psi,
            gates.alpha,
            "--max-score-psi",
        ),
        Err(reason) => skip("score shift", reason.clone()),
    });
    let estimate = estimate::estimate(reference, tally);
    checks.push(match &estimate {
        Some(e) => estimate::check(e, gates.max_estimated_accuracy_drop),
        None => skip(
            "estimated accuracy",
            if reference.score.is_none() {
                "the reference has no scores".to_owned()
            } else {
                "the current predictions have no scores".to_owned()
            },
        ),
    });
    let regression = tally.regression;
    let reference_mae = reference
        .performance
        .as_ref()
        .filter(|p| p.metric == "mae")
        .map(|p| p.value);
    let measured_error = if regression {
        mae::measure(&tally.errors, reference_mae)
    } else {
        None
    };
    let reference_accuracy = reference
        .performance
        .as_ref()
        .filter(|p| p.metric == "accuracy")
        .map(|p| p.value);
    let measured = accuracy::measure(&tally.outcomes, reference_accuracy);
    checks.push(match (&measured, &measured_error) {
        (Some(m), _) => accuracy::check(m, gates.max_accuracy_drop),
        (None, Some(e)) => mae::check(e, gates.max_error_increase),
        (None, None) if regression => skip(
            "measured error",
            format!(
                "no numeric label on the current data ({})",
                gates.labels_from
            ),
        ),
        (None, None) => skip(
            "measured accuracy",
            format!("no label on the current data ({})", gates.labels_from),
        ),
    });
    let passed = checks.iter().all(|c| c.state != State::Failed);
    ModelOutcome {
        source,
        rows: tally.rows,
        warnings,
        prediction: prediction.ok(),
        score: score.ok(),
        estimate,
        measured,
        measured_error,
        checks,
        passed,
        gates,
    }
}

fn not_checked(reason: String, warnings: Vec<String>, gates: ModelGates) -> ModelOutcome {
    let checks = [
        "prediction drift",
        "score shift",
        "estimated accuracy",
        "measured accuracy",
    ]
    .into_iter()
    .map(|name| skip(name, reason.clone()))
    .collect();
    ModelOutcome {
        source: String::new(),
        rows: 0,
        warnings,
        prediction: None,
        score: None,
        estimate: None,
        measured: None,
        measured_error: None,
        checks,
        passed: true,
        gates,
    }
}

fn skip(name: &'static str, reason: String) -> Check {
    Check {
        name,
        state: State::NotChecked,
        measured: String::new(),
        detail: reason,
    }
}

fn prediction_drift(
    reference: &PredictionReference,
    tally: &Tally,
) -> Result<FeatureDrift, String> {
    if tally.kinds_differ {
        return Err(
            "the reference's predictions and the current ones are not of one kind (classes vs values)"
                .to_owned(),
        );
    }
    let feature = Feature {
        name: "prediction".into(),
        summary: reference.predicted.clone(),
    };
    let counts = tally
        .predicted
        .as_ref()
        .ok_or_else(|| "no prediction counted".to_owned())?;
    compare(&feature, counts).map_err(|e| e.to_string())
}

fn score_shift(reference: &PredictionReference, tally: &Tally) -> Result<FeatureDrift, String> {
    let Some(score) = &reference.score else {
        return Err("the reference has no scores".to_owned());
    };
    let (Some(counts), true) = (&tally.scores, tally.scored > 0) else {
        return Err("the current predictions have no scores".to_owned());
    };
    let feature = Feature {
        name: "top-1 score".into(),
        summary: FeatureSummary::Continuous(score.clone()),
    };
    compare(&feature, counts).map_err(|e| e.to_string())
}

fn psi_check(
    name: &'static str,
    drift: &FeatureDrift,
    max_psi: f64,
    alpha: Option<f64>,
    flag: &str,
) -> Check {
    let mut reasons = Vec::new();
    if drift.psi.is_nan() || drift.psi >= max_psi {
        reasons.push(format!("PSI {:.3} ≥ {max_psi} ({flag})", drift.psi));
    }
    let p = drift.test.p_value();
    if let Some(alpha) = alpha
        && (p.is_nan() || p < alpha)
    {
        reasons.push(format!("p {p:.2e} < {alpha} (--alpha)"));
    }
    Check {
        name,
        state: if reasons.is_empty() {
            State::Ok
        } else {
            State::Failed
        },
        measured: format!("PSI {:.3}", drift.psi),
        detail: if reasons.is_empty() {
            format!("PSI below {max_psi} ({flag})")
        } else {
            reasons.join("; ")
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resamples_shrink_on_large_data_within_bounds() {
        assert_eq!(resamples(0), BOOTSTRAP_RESAMPLES);
        assert_eq!(resamples(1000), BOOTSTRAP_RESAMPLES);
        assert_eq!(resamples(200_000), 1000);
        assert_eq!(resamples(1_000_000), 200);
        assert_eq!(resamples(50_000_000), 200);
    }
}
