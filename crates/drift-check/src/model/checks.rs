//! The model checks and their gates: prediction drift, score shift, accuracy estimated from the
//! scores, accuracy measured on labels.

use modelci_drift::monitor::{Counts, FeatureDrift, compare};
use modelci_drift::{ContinuousReference, Feature, FeatureSummary, PredictionReference};
use modelci_metrics::stats::{Interval, bootstrap_delta_ci};
use serde::Serialize;

use super::mae::{self, MeasuredError};
use super::rows::{Predicted, PredictionRow};
use super::summary::share;

/// Bootstrap resamples of the measured accuracy.
pub const BOOTSTRAP_RESAMPLES: usize = 2000;
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
    current: Result<(&[PredictionRow], String), String>,
    class_names: Option<&[String]>,
    gates: ModelGates,
    warnings: Vec<String>,
) -> ModelOutcome {
    let (rows, source) = match current {
        Ok((rows, source)) => (rows, source),
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
            "the reference has no predictions (write one with --model and a labelled CSV reference, or eval-diff --reference-stats)".to_owned(),
            warnings,
            gates,
        );
        outcome.source = source;
        outcome.rows = rows.len() as u64;
        outcome.measured = measured(rows, None, class_names);
        outcome.measured_error = mae::measure(rows, None);
        return outcome;
    };
    let mut checks = Vec::with_capacity(4);
    let prediction = prediction_drift(reference, rows);
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
    let score = score_shift(reference, rows);
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
    let estimate = estimate(reference, rows);
    checks.push(match &estimate {
        Some(e) => estimate_check(e, gates.max_estimated_accuracy_drop),
        None => skip(
            "estimated accuracy",
            if reference.score.is_none() {
                "the reference has no scores".to_owned()
            } else {
                "the current predictions have no scores".to_owned()
            },
        ),
    });
    let regression = rows
        .iter()
        .any(|r| matches!(r.predicted, Predicted::Value(_)));
    let reference_mae = reference
        .performance
        .as_ref()
        .filter(|p| p.metric == "mae")
        .map(|p| p.value);
    let measured_error = if regression {
        mae::measure(rows, reference_mae)
    } else {
        None
    };
    let reference_accuracy = reference
        .performance
        .as_ref()
        .filter(|p| p.metric == "accuracy")
        .map(|p| p.value);
    let measured = measured(rows, reference_accuracy, class_names);
    checks.push(match (&measured, &measured_error) {
        (Some(m), _) => measured_check(m, gates.max_accuracy_drop),
        (None, Some(e)) => mae::check(e, gates.max_error_increase),
        (None, None) if regression => skip(
            "measured error",
            "no numeric label on the current data (--label-column, or labels in the log)"
                .to_owned(),
        ),
        (None, None) => skip(
            "measured accuracy",
            "no label on the current data (--label-column, or labels in the log)".to_owned(),
        ),
    });
    let passed = checks.iter().all(|c| c.state != State::Failed);
    ModelOutcome {
        source,
        rows: rows.len() as u64,
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
    rows: &[PredictionRow],
) -> Result<FeatureDrift, String> {
    let feature = Feature {
        name: "prediction".into(),
        summary: reference.predicted.clone(),
    };
    let mut counts = Counts::new(&feature.summary);
    for row in rows {
        match (&row.predicted, &reference.predicted) {
            (Predicted::Class(class), FeatureSummary::Categorical(_)) => counts.add_text(class),
            (Predicted::Value(value), FeatureSummary::Continuous(_)) => counts.add_number(*value),
            _ => {
                return Err(
                    "the reference's predictions and the current ones are not of one kind (classes vs values)"
                        .to_owned(),
                );
            }
        }
    }
    compare(&feature, &counts).map_err(|e| e.to_string())
}

fn score_shift(
    reference: &PredictionReference,
    rows: &[PredictionRow],
) -> Result<FeatureDrift, String> {
    let Some(score) = &reference.score else {
        return Err("the reference has no scores".to_owned());
    };
    if rows.iter().all(|r| r.score.is_none()) {
        return Err("the current predictions have no scores".to_owned());
    }
    let feature = Feature {
        name: "top-1 score".into(),
        summary: FeatureSummary::Continuous(score.clone()),
    };
    let mut counts = Counts::new(&feature.summary);
    rows.iter()
        .filter_map(|r| r.score)
        .for_each(|s| counts.add_number(s));
    compare(&feature, &counts).map_err(|e| e.to_string())
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

fn estimate(reference: &PredictionReference, rows: &[PredictionRow]) -> Option<Estimate> {
    let scores: Vec<f64> = rows.iter().filter_map(|r| r.score).collect();
    if scores.is_empty() {
        return None;
    }
    let estimated = scores.iter().sum::<f64>() / scores.len() as f64;
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

fn estimate_check(estimate: &Estimate, gate: Option<f64>) -> Check {
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

/// A change in percentage points, in words: `3.5 pp above`, `47.5 pp below`.
fn points(change: f64) -> String {
    if change >= 0.0 {
        format!("{change:.1} pp above")
    } else {
        format!("{:.1} pp below", -change)
    }
}

fn measured(
    rows: &[PredictionRow],
    reference: Option<f64>,
    class_names: Option<&[String]>,
) -> Option<Measured> {
    let outcomes: Vec<u8> = rows
        .iter()
        .filter_map(|r| r.correct(class_names))
        .map(|c| u8::from(c) << 1)
        .collect();
    if outcomes.is_empty() {
        return None;
    }
    let correct = outcomes.iter().filter(|&&o| o != 0).count();
    let accuracy = share(correct, outcomes.len());
    // The bootstrap of "candidate minus baseline" with a baseline that is always wrong is the
    // bootstrap of the accuracy itself.
    let interval = bootstrap_delta_ci(&outcomes, BOOTSTRAP_RESAMPLES, LEVEL, BOOTSTRAP_SEED);
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

fn measured_check(measured: &Measured, max_drop: f64) -> Check {
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
