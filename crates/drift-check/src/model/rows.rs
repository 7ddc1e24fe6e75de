//! One prediction per row of data.

use modelci_drift::category_key;
use modelci_eval::output::Prediction;

/// Receives one row of features (in the reference's order) and its label.
pub type FeatureRow<'a> = dyn FnMut(&[f32], Option<String>) -> anyhow::Result<()> + 'a;

/// What the model predicted for one row.
#[derive(Debug, Clone, PartialEq)]
pub enum Predicted {
    /// A class: its name (from `--class-names`) or index, or the label a server answered.
    Class(String),
    /// A regression value.
    Value(f64),
}

/// One row's prediction, its top-1 score and its label.
#[derive(Debug, Clone, PartialEq)]
pub struct PredictionRow {
    /// The prediction.
    pub predicted: Predicted,
    /// The top-1 score (probability) when the model gives scores.
    pub score: Option<f64>,
    /// The true label, when the data has one.
    pub label: Option<String>,
}

impl PredictionRow {
    /// Whether the prediction equals the label (`None` without a label or for a regression).
    /// Numbers compare by value (`1`, `1.0`); a label given as a class index matches that
    /// class's name.
    #[must_use]
    pub fn correct(&self, class_names: Option<&[String]>) -> Option<bool> {
        let label = self.label.as_deref()?;
        let Predicted::Class(class) = &self.predicted else {
            return None;
        };
        let label = class_names
            .and_then(|names| names.get(label.trim().parse::<usize>().ok()?))
            .map_or(label, String::as_str);
        Some(category_key(label.trim()) == category_key(class.trim()))
    }
}

impl PredictionRow {
    /// `|prediction - label|` of a regression with a numeric label.
    #[must_use]
    pub fn abs_error(&self) -> Option<f64> {
        let Predicted::Value(value) = self.predicted else {
            return None;
        };
        let label: f64 = self.label.as_deref()?.trim().parse().ok()?;
        label.is_finite().then(|| (value - label).abs())
    }
}

/// The top-1 score of per-class scores: the largest, read as a probability when the scores
/// are probabilities (each in [0, 1], summing to 1 within 1e-3), else after a softmax (logits).
#[must_use]
pub fn top_score(scores: &[f32]) -> Option<f64> {
    let max = scores.iter().copied().map(f64::from).reduce(f64::max)?;
    let sum: f64 = scores.iter().copied().map(f64::from).sum();
    let probabilities =
        scores.iter().all(|&s| (0.0..=1.0).contains(&s)) && (sum - 1.0).abs() <= 1e-3;
    if probabilities {
        return Some(max);
    }
    let total: f64 = scores.iter().map(|&s| (f64::from(s) - max).exp()).sum();
    Some(1.0 / total)
}

/// A model's prediction as a row: the class named by `class_names` (else its index).
#[must_use]
pub fn from_prediction(prediction: Prediction, class_names: Option<&[String]>) -> PredictionRow {
    match prediction {
        Prediction::Class { class, scores } => PredictionRow {
            predicted: Predicted::Class(
                class_names
                    .and_then(|names| names.get(class).cloned())
                    .unwrap_or_else(|| class.to_string()),
            ),
            score: scores.as_deref().and_then(top_score),
            label: None,
        },
        Prediction::Value(value) => PredictionRow {
            predicted: Predicted::Value(value),
            score: None,
            label: None,
        },
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn top_scores_of_probabilities_and_logits() {
        assert!((top_score(&[0.2, 0.7, 0.1]).unwrap() - 0.7).abs() < 1e-6);
        // Logits [0, ln 3]: softmax gives 0.25, 0.75.
        let logits = [0.0, 3f32.ln()];
        assert!((top_score(&logits).unwrap() - 0.75).abs() < 1e-6);
        assert_eq!(top_score(&[]), None);
    }

    #[test]
    fn labels_match_by_value_and_by_class_index() {
        let row = |class: &str, label: &str| PredictionRow {
            predicted: Predicted::Class(class.into()),
            score: None,
            label: Some(label.into()),
        };
        assert_eq!(row("1", "1.0").correct(None), Some(true));
        assert_eq!(row("0", "1").correct(None), Some(false));
        let names = ["benign".to_owned(), "malignant".to_owned()];
        assert_eq!(row("malignant", "1").correct(Some(&names)), Some(true));
        assert_eq!(
            row("malignant", "malignant").correct(Some(&names)),
            Some(true)
        );
        let unlabelled = PredictionRow {
            label: None,
            ..row("1", "1")
        };
        assert_eq!(unlabelled.correct(None), None);
    }
}
