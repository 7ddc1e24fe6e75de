//! A [`PredictionReference`] built from the model's predictions on the reference data.

use std::path::Path;

use anyhow::{Context as _, bail};
use modelci_drift::{
    CategoricalReference, ContinuousReference, FeatureSummary, Performance, PredictionReference,
};
use sha2::{Digest as _, Sha256};

use super::rows::{Predicted, PredictionRow};

/// Summarises predictions made by the model at `model` (its output `output`).
///
/// # Errors
/// No prediction, or the model file cannot be read for its digest.
pub fn summarise(
    rows: &[PredictionRow],
    model: &Path,
    output: &str,
    class_names: Option<&[String]>,
) -> anyhow::Result<PredictionReference> {
    let Some(first) = rows.first() else {
        bail!("{}: no prediction on the reference data", model.display());
    };
    let predicted = match first.predicted {
        Predicted::Class(_) => FeatureSummary::Categorical(
            CategoricalReference::from_values(rows.iter().map(|r| match &r.predicted {
                Predicted::Class(c) => Some(c.as_str()),
                Predicted::Value(_) => None,
            }))
            .map_err(|e| anyhow::anyhow!("{}: {e}", model.display()))?,
        ),
        Predicted::Value(_) => FeatureSummary::Continuous(
            ContinuousReference::from_values(rows.iter().map(|r| match r.predicted {
                Predicted::Value(v) => v,
                Predicted::Class(_) => f64::NAN,
            }))
            .map_err(|e| anyhow::anyhow!("{}: {e}", model.display()))?,
        ),
    };
    let scores: Vec<f64> = rows.iter().filter_map(|r| r.score).collect();
    let score = if scores.is_empty() {
        None
    } else {
        Some(
            ContinuousReference::from_values(scores)
                .map_err(|e| anyhow::anyhow!("{}: {e}", model.display()))?,
        )
    };
    let outcomes: Vec<bool> = rows.iter().filter_map(|r| r.correct(class_names)).collect();
    let errors: Vec<f64> = rows.iter().filter_map(PredictionRow::abs_error).collect();
    let performance = if !outcomes.is_empty() {
        Some(Performance {
            metric: "accuracy".into(),
            value: share(outcomes.iter().filter(|&&c| c).count(), outcomes.len()),
            rows: outcomes.len() as u64,
        })
    } else if !errors.is_empty() {
        #[allow(clippy::cast_precision_loss)]
        let mae = errors.iter().sum::<f64>() / errors.len() as f64;
        Some(Performance {
            metric: "mae".into(),
            value: mae,
            rows: errors.len() as u64,
        })
    } else {
        None
    };
    Ok(PredictionReference {
        output: output.to_owned(),
        model_sha256: Some(sha256_file(model)?),
        predicted,
        score,
        performance,
    })
}

/// `part / whole` as a share.
#[allow(clippy::cast_precision_loss)]
pub(crate) fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// The SHA-256 of a file, in lowercase hex.
///
/// # Errors
/// The file cannot be read.
pub fn sha256_file(path: &Path) -> anyhow::Result<String> {
    let mut file =
        std::fs::File::open(path).with_context(|| format!("{}: cannot read", path.display()))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}
