//! The model's side of a reference: what it predicted on the reference data.
//!
//! `eval-diff --reference-stats` records it next to the input features; `drift-check` compares
//! the predictions on current data with it (prediction drift, score shift), estimates accuracy
//! from the scores when no label is known, and measures the decay when labels are.

use serde::{Deserialize, Serialize};

use crate::{ContinuousReference, DriftError, FeatureSummary};

/// What the monitored model predicted on the reference data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PredictionReference {
    /// The model output the predictions come from.
    pub output: String,
    /// SHA-256 of the model file that made them (hex), so a check with another model is noticed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_sha256: Option<String>,
    /// Predicted classes (`kind: categorical`, one category per class label) or predicted
    /// values (`kind: continuous`, regression).
    #[serde(flatten)]
    pub predicted: FeatureSummary,
    /// The top-1 score (probability) of each prediction, for classifiers that give scores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<ContinuousReference>,
    /// The model's performance measured on the labelled reference data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub performance: Option<Performance>,
}

/// A performance figure measured on labelled data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Performance {
    /// The metric: `accuracy` for classifiers, `mae` for regressors.
    pub metric: String,
    /// Its value.
    pub value: f64,
    /// Labelled rows it was measured on.
    pub rows: u64,
}

impl PredictionReference {
    /// Checks a stored prediction reference before use.
    pub fn validate(&self) -> Result<(), DriftError> {
        match &self.predicted {
            FeatureSummary::Continuous(summary) => summary.validate()?,
            FeatureSummary::Categorical(summary) if summary.total() == 0 => {
                return Err(DriftError::EmptyReference);
            }
            FeatureSummary::Categorical(_) => {}
        }
        if let Some(score) = &self.score {
            score.validate()?;
        }
        if let Some(performance) = &self.performance
            && !(performance.value.is_finite() && performance.rows > 0)
        {
            return Err(DriftError::Inconsistent(
                "performance needs a finite value measured on at least one row",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::CategoricalReference;

    #[test]
    fn round_trips_with_the_kind_inline_and_refuses_empty_performance() {
        let reference = PredictionReference {
            output: "probabilities".into(),
            model_sha256: Some("ab".repeat(32)),
            predicted: FeatureSummary::Categorical(
                CategoricalReference::from_values([Some("cat"), Some("dog"), Some("cat")]).unwrap(),
            ),
            score: Some(ContinuousReference::from_values([0.9, 0.6, 0.8]).unwrap()),
            performance: Some(Performance {
                metric: "accuracy".into(),
                value: 2.0 / 3.0,
                rows: 3,
            }),
        };
        let json = serde_json::to_value(&reference).unwrap();
        assert_eq!(json["kind"], "categorical");
        assert_eq!(json["counts"]["cat"], 2);
        let back: PredictionReference = serde_json::from_value(json).unwrap();
        assert_eq!(back, reference);
        back.validate().unwrap();
        let mut broken = reference;
        broken.performance = Some(Performance {
            metric: "accuracy".into(),
            value: f64::NAN,
            rows: 0,
        });
        assert!(broken.validate().is_err());
    }
}
