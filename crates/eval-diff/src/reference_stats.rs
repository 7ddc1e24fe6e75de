//! `--reference-stats`: the drift reference of the evaluation data, for drift-check and release
//! bundles.
//!
//! Input features come from [`modelci_eval::features`] (the extraction drift-check also runs on
//! current data), read in a second pass over the dataset after the evaluation. The candidate's
//! predictions are collected while it is evaluated: predicted classes (named as the dataset
//! names its classes) or regression values, the top-1 score of classifiers with scores, and the
//! accuracy (or MAE) on the labelled samples. Scores count as probabilities when every row lies
//! in [0, 1] and sums to 1 (within 1e-3), as a softmax or scikit-learn's `probabilities` output
//! gives them; otherwise they are logits and the top-1 score is their softmax.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, anyhow, bail};
use modelci_drift::{
    CategoricalReference, ContinuousReference, FeatureSummary, Performance, PredictionReference,
    Reference,
};
use modelci_eval::evaluate::SampleOutcome;
use modelci_eval::features::{Extractor, ReferenceBuilder};
use modelci_eval::output::Prediction;
use modelci_eval::{Dataset, Evaluation, Task};
use serde::Serialize;

/// The default file name, in the output folder.
pub(crate) const DEFAULT_NAME: &str = "drift-reference.json";

/// Where the reference goes: `--reference-stats FILE`, or the default name in `output_dir`
/// for `--reference-stats` alone.
pub(crate) fn target(flag: Option<Option<&Path>>, output_dir: &Path) -> Option<PathBuf> {
    flag.map(|path| path.map_or_else(|| output_dir.join(DEFAULT_NAME), Path::to_path_buf))
}

/// What report.json says about the reference file.
#[derive(Debug, Clone, Serialize)]
pub struct Written {
    /// The file: relative to report.json's folder when inside it, else absolute.
    pub file: PathBuf,
    /// SHA-256 of its content.
    pub sha256: String,
    /// Features summarised.
    pub features: usize,
    /// Samples summarised.
    pub rows: u64,
}

/// The candidate's predictions while it is evaluated.
#[derive(Debug, Default)]
pub(crate) struct Predictions {
    /// Index of the candidate among the evaluated models.
    model: usize,
    classes: BTreeMap<usize, u64>,
    values: Vec<f64>,
    missing: u64,
    /// Top-1 score as the model gave it, and as a softmax of the scores.
    raw_top: Vec<f64>,
    softmax_top: Vec<f64>,
    /// Whether every score row so far lay in [0, 1] and summed to 1.
    probabilities: bool,
    labelled: u64,
    correct: u64,
    absolute_error: f64,
}

impl Predictions {
    /// Collects the predictions of model `model` (the candidate's index).
    pub(crate) fn new(model: usize) -> Self {
        Self {
            model,
            probabilities: true,
            ..Self::default()
        }
    }

    /// Records one sample.
    pub(crate) fn observe(&mut self, sample: &SampleOutcome<'_>) {
        let Some(Some(prediction)) = sample.predictions.get(self.model) else {
            self.missing += 1;
            return;
        };
        let labelled = sample.label.is_finite();
        match prediction {
            Prediction::Class { class, scores } => {
                *self.classes.entry(*class).or_insert(0) += 1;
                if let Some(scores) = scores {
                    self.scores(scores);
                }
                if labelled {
                    self.labelled += 1;
                    #[allow(clippy::cast_precision_loss)]
                    if sample.label == *class as f64 {
                        self.correct += 1;
                    }
                }
            }
            Prediction::Value(value) => {
                self.values.push(*value);
                if labelled {
                    self.labelled += 1;
                    self.absolute_error += (value - sample.label).abs();
                }
            }
        }
    }

    fn scores(&mut self, scores: &[f32]) {
        let top = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let sum: f64 = scores.iter().map(|&s| f64::from(s)).sum();
        if !(scores.iter().all(|s| (0.0..=1.0).contains(s)) && (sum - 1.0).abs() <= 1e-3) {
            self.probabilities = false;
        }
        let top = f64::from(top);
        let exp_sum: f64 = scores.iter().map(|&s| (f64::from(s) - top).exp()).sum();
        self.raw_top.push(top);
        self.softmax_top.push(1.0 / exp_sum);
    }

    /// The prediction side of the reference.
    fn finish(
        self,
        task: Task,
        output: String,
        class_names: &[String],
        model_sha256: String,
    ) -> anyhow::Result<PredictionReference> {
        let (predicted, performance) = match task {
            Task::Classification => {
                let counts: BTreeMap<String, u64> = self
                    .classes
                    .iter()
                    .map(|(&class, &n)| {
                        let name = class_names
                            .get(class)
                            .cloned()
                            .unwrap_or_else(|| class.to_string());
                        (name, n)
                    })
                    .collect();
                if counts.is_empty() {
                    bail!("the candidate predicted no class (every output was NaN or infinite)");
                }
                #[allow(clippy::cast_precision_loss)]
                let accuracy = (self.labelled > 0).then(|| Performance {
                    metric: "accuracy".to_owned(),
                    value: self.correct as f64 / self.labelled as f64,
                    rows: self.labelled,
                });
                (
                    FeatureSummary::Categorical(CategoricalReference {
                        counts,
                        missing: self.missing,
                    }),
                    accuracy,
                )
            }
            Task::Regression => {
                let mut values = self.values;
                values.extend(std::iter::repeat_n(f64::NAN, self.missing as usize));
                #[allow(clippy::cast_precision_loss)]
                let mae = (self.labelled > 0).then(|| Performance {
                    metric: "mae".to_owned(),
                    value: self.absolute_error / self.labelled as f64,
                    rows: self.labelled,
                });
                (
                    FeatureSummary::Continuous(
                        ContinuousReference::from_values(values)
                            .context("the candidate predicted no finite value")?,
                    ),
                    mae,
                )
            }
        };
        let tops = if self.probabilities {
            self.raw_top
        } else {
            self.softmax_top
        };
        let score = if tops.is_empty() {
            None
        } else {
            Some(ContinuousReference::from_values(tops)?)
        };
        Ok(PredictionReference {
            output,
            model_sha256: Some(model_sha256),
            predicted,
            score,
            performance,
        })
    }
}

/// Everything the reference is made of.
pub(crate) struct Inputs<'a> {
    /// Where it goes.
    pub path: &'a Path,
    /// The folder report.json is written to.
    pub output_dir: &'a Path,
    /// The candidate's file.
    pub candidate: &'a Path,
    /// The evaluation (task, class names, the candidate's signature).
    pub evaluation: &'a Evaluation,
    /// The candidate's index in `evaluation.models`.
    pub model: usize,
}

/// Summarises the dataset's features and the predictions, writes the reference atomically.
///
/// # Errors
/// One line naming the dataset or the file: samples that are not features, a feature without
/// a single value, an unwritable file.
pub(crate) fn write(
    inputs: &Inputs<'_>,
    dataset: &mut Dataset,
    predictions: Predictions,
) -> anyhow::Result<Written> {
    let model = inputs
        .evaluation
        .models
        .get(inputs.model)
        .ok_or_else(|| anyhow!("the candidate was not evaluated"))?;
    let input = model.signature.inputs.first().map(|i| i.name.clone());
    let mut extractor = Extractor::for_dataset(dataset, input.as_deref())?;
    let mut builder = ReferenceBuilder::new();
    extractor.stream(dataset, &mut |defs, values| {
        builder.add(defs, values);
        Ok(())
    })?;
    let rows = builder.rows();
    let features = builder.finish(extractor.defs()).map_err(|(name, error)| {
        anyhow!("{}: feature {name:?}: {error}", dataset.path().display())
    })?;
    let output = model
        .signature
        .outputs
        .iter()
        .find(|o| o.dims.as_ref().is_some_and(|d| d.len() == 2))
        .or_else(|| model.signature.outputs.first())
        .map_or_else(String::new, |o| o.name.clone());
    let sha256 = modelci_baseline::digest::sha256_file(inputs.candidate)
        .with_context(|| format!("{}: cannot read", inputs.candidate.display()))?;
    let source = dataset.path().file_name().map_or_else(
        || dataset.path().display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let mut reference = Reference::new(source, rows, features);
    reference.predictions = Some(predictions.finish(
        inputs.evaluation.task,
        output,
        &inputs.evaluation.class_names,
        sha256,
    )?);
    reference
        .validate()
        .with_context(|| format!("{}: the reference is not usable", inputs.path.display()))?;
    let json = serde_json::to_vec_pretty(&reference)?;
    modelci_report::write_atomic(inputs.path, &json).with_context(|| {
        format!(
            "{}: cannot write the drift reference",
            inputs.path.display()
        )
    })?;
    Ok(Written {
        file: relative_to(inputs.path, inputs.output_dir),
        sha256: modelci_bundle::digest::sha256_hex(&json),
        features: reference.features.len(),
        rows,
    })
}

/// `path` relative to `dir` when it lies inside, else absolute.
fn relative_to(path: &Path, dir: &Path) -> PathBuf {
    let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    let base = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_owned());
    absolute
        .strip_prefix(&base)
        .map_or(absolute.clone(), Path::to_path_buf)
}
