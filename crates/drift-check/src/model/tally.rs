//! The current predictions, counted as they come: counters shaped by the reference's
//! predictions and scores (as the features' are), the sum of the top-1 scores, and per labelled
//! row one byte (correct or not) or one error, which the bootstrap intervals resample. The
//! predictions themselves are not kept.

use modelci_drift::PredictionReference;
use modelci_drift::monitor::Counts;

use super::rows::{Predicted, PredictionRow};

/// What the current predictions add up to.
#[derive(Debug, Clone)]
pub struct Tally {
    /// Rows with a prediction.
    pub rows: u64,
    /// The predicted classes or values, counted against the reference's predictions.
    pub predicted: Option<Counts>,
    /// Whether a prediction was not of the reference's kind (a value for classes, or the
    /// reverse).
    pub kinds_differ: bool,
    /// Whether the predictions are values (a regressor).
    pub regression: bool,
    /// The top-1 scores, counted against the reference's.
    pub scores: Option<Counts>,
    /// Sum of the top-1 scores.
    pub score_sum: f64,
    /// Predictions with a top-1 score.
    pub scored: u64,
    /// Per labelled row of a classifier: 2 when the prediction is right, else 0 (the outcome
    /// bits `modelci_metrics::stats::bootstrap_delta_ci` reads, with a baseline always wrong).
    pub outcomes: Vec<u8>,
    /// Per labelled row of a regressor: the absolute error.
    pub errors: Vec<f64>,
    class_names: Option<Vec<String>>,
}

impl Tally {
    /// Empty counters for the reference's predictions (if any).
    #[must_use]
    pub fn new(reference: Option<&PredictionReference>, class_names: Option<&[String]>) -> Self {
        Self {
            rows: 0,
            predicted: reference.map(|r| Counts::new(&r.predicted)),
            kinds_differ: false,
            regression: false,
            scores: reference
                .and_then(|r| r.score.as_ref())
                .map(|s| Counts::Continuous(modelci_drift::ContinuousCounts::new(s))),
            score_sum: 0.0,
            scored: 0,
            outcomes: Vec::new(),
            errors: Vec::new(),
            class_names: class_names.map(<[String]>::to_vec),
        }
    }

    /// Counts one prediction.
    pub fn add(&mut self, row: &PredictionRow) {
        self.rows += 1;
        match (&row.predicted, &mut self.predicted) {
            (Predicted::Class(class), Some(counts @ Counts::Categorical(_))) => {
                counts.add_text(class);
            }
            (Predicted::Value(value), Some(counts @ Counts::Continuous(_))) => {
                counts.add_number(*value);
            }
            (_, Some(_)) => self.kinds_differ = true,
            (_, None) => {}
        }
        if matches!(row.predicted, Predicted::Value(_)) {
            self.regression = true;
        }
        if let Some(score) = row.score {
            self.score_sum += score;
            self.scored += 1;
            if let Some(counts) = &mut self.scores {
                counts.add_number(score);
            }
        }
        if let Some(correct) = row.correct(self.class_names.as_deref()) {
            self.outcomes.push(u8::from(correct) << 1);
        }
        if let Some(error) = row.abs_error() {
            self.errors.push(error);
        }
    }

    /// The mean top-1 score (`None` without scores).
    #[must_use]
    #[allow(clippy::cast_precision_loss)]
    pub fn mean_score(&self) -> Option<f64> {
        (self.scored > 0).then(|| self.score_sum / self.scored as f64)
    }
}
