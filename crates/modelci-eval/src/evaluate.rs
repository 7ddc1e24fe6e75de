//! The evaluation loop: stream a dataset once through one or two models, accumulating metrics,
//! pair statistics and timings.
//!
//! Each model gets its own input layout (a baseline may take flat features where the candidate
//! takes NCHW images), but both see the same samples in the same order, which is what the pair
//! statistics need. Only `Model::run` is timed; plans are prepared, and run once untimed, before
//! the clock starts.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use modelci_metrics::{
    ClassificationAccumulator, ClassificationMetrics, LatencySummary, PairAccumulator, PairMetrics,
    RegressionAccumulator, RegressionMetrics,
};
use serde::Serialize;

use crate::dataset::{Batch, Dataset};
use crate::engine::Model;
use crate::error::EvalError;
use crate::layout::{InputLayout, LayoutOverride};
use crate::output::{OutputForm, Prediction};
use crate::preprocess::Preprocess;
use crate::signature::ModelSignature;

/// Default number of samples per batch.
pub const DEFAULT_BATCH_SIZE: usize = 32;

/// Default number of bootstrap resamples for the accuracy-delta interval.
pub const DEFAULT_BOOTSTRAP: usize = 1000;

/// What kind of prediction the models make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Task {
    /// Class indices.
    Classification,
    /// Continuous values.
    Regression,
}

/// Options of an evaluation run.
#[derive(Debug, Clone)]
pub struct EvaluationOptions {
    /// Samples per batch.
    pub batch_size: usize,
    /// k of the top-k accuracy.
    pub top_k: usize,
    /// Layout overrides, applied to every model.
    pub layout: LayoutOverride,
    /// Scaling and normalisation.
    pub preprocess: Preprocess,
    /// Bootstrap resamples for the accuracy-delta interval (0 turns it off).
    pub bootstrap: usize,
    /// How many flipped samples of each kind to name in the report.
    pub keep_flips: usize,
}

impl Default for EvaluationOptions {
    fn default() -> Self {
        Self {
            batch_size: DEFAULT_BATCH_SIZE,
            top_k: 2,
            layout: LayoutOverride::default(),
            preprocess: Preprocess::default(),
            bootstrap: DEFAULT_BOOTSTRAP,
            keep_flips: modelci_metrics::pair::DEFAULT_FLIPS_KEPT,
        }
    }
}

/// The result for one model.
#[derive(Debug, Clone, Serialize)]
pub struct ModelEvaluation {
    /// The model file.
    pub path: PathBuf,
    /// Its size in bytes.
    pub file_size: u64,
    /// Its declared interface and parameter count.
    pub signature: ModelSignature,
    /// The input shape fed per sample (batch axis excluded).
    pub input_shape: Vec<usize>,
    /// Classification metrics, for classifiers.
    pub classification: Option<ClassificationMetrics>,
    /// Regression metrics, for regressors.
    pub regression: Option<RegressionMetrics>,
    /// Latency per batch and throughput.
    pub latency: Option<LatencySummary>,
}

/// The result of an evaluation run.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    /// Classification or regression.
    pub task: Task,
    /// Number of samples evaluated.
    pub samples: u64,
    /// Class names in class-index order (empty for regression).
    pub class_names: Vec<String>,
    /// One entry per model, in the order given.
    pub models: Vec<ModelEvaluation>,
    /// Statistics between the first two models, for classifiers.
    pub pair: Option<PairMetrics>,
}

/// Per-model state during the loop.
struct Runner<'m> {
    model: &'m mut Model,
    layout: InputLayout,
    form: Option<OutputForm>,
    classification: Option<ClassificationAccumulator>,
    regression: RegressionAccumulator,
    full_batches: Vec<Duration>,
    partial: Option<(usize, Duration)>,
    input: Vec<f32>,
    /// Batch sizes already run once untimed.
    warmed: std::collections::HashSet<usize>,
}

/// Evaluates `models` (one or two, same task) on `dataset`.
///
/// `progress` is called with the number of samples done after each batch.
///
/// # Errors
/// [`EvalError`] naming the model or dataset file when a model cannot take the samples, the
/// models disagree on the task or class count, a label does not fit, or an output is not finite.
pub fn evaluate(
    models: &mut [Model],
    dataset: &mut Dataset,
    options: &EvaluationOptions,
    progress: &mut dyn FnMut(usize),
) -> Result<Evaluation, EvalError> {
    let batch_size = options.batch_size.max(1);
    let mut runners = models
        .iter_mut()
        .map(|model| {
            let layout = InputLayout::derive(&model.signature().inputs[0], options.layout)
                .and_then(|layout| {
                    options
                        .preprocess
                        .validate(layout.channels)
                        .map(|()| layout)
                })
                .map_err(|reason| EvalError::incompatible(model.path(), reason))?;
            Ok(Runner {
                model,
                layout,
                form: None,
                classification: None,
                regression: RegressionAccumulator::default(),
                full_batches: Vec::new(),
                partial: None,
                input: Vec::new(),
                warmed: std::collections::HashSet::new(),
            })
        })
        .collect::<Result<Vec<_>, EvalError>>()?;
    let mut pair = PairAccumulator::new(options.keep_flips);
    let mut task: Option<Task> = None;
    let mut samples = 0u64;
    let dataset_path = dataset.path().to_owned();
    let dataset_classes = dataset.class_names().map(<[String]>::to_vec);

    let mut on_batch = |batch: Batch| -> Result<(), EvalError> {
        let mut predictions: Vec<Vec<Prediction>> = Vec::with_capacity(runners.len());
        for runner in &mut runners {
            predictions.push(runner.predict(&batch, batch_size, options)?);
        }
        // Task, class count and label checks, decided on the first batch.
        let first_task = match runners[0].form {
            Some(OutputForm::Values { .. }) => Task::Regression,
            _ => Task::Classification,
        };
        let task = *task.get_or_insert(first_task);
        if task == Task::Classification {
            check_classes(
                &mut runners,
                dataset_classes.as_deref(),
                &dataset_path,
                options.top_k,
            )?;
        }
        for (row, sample) in batch.iter().enumerate() {
            match task {
                Task::Classification => {
                    let classes = runners[0]
                        .classification
                        .as_ref()
                        .map_or(0, ClassificationAccumulator::classes);
                    let truth = class_of(sample.label, classes).ok_or_else(|| {
                        EvalError::dataset(
                            dataset_path.join(&sample.id),
                            format!(
                                "label {} is not a class index of the model's {classes} classes",
                                sample.label
                            ),
                        )
                    })?;
                    let mut predicted = Vec::with_capacity(runners.len());
                    for (runner, preds) in runners.iter_mut().zip(&predictions) {
                        let Prediction::Class { class, scores } = &preds[row] else {
                            return Err(EvalError::incompatible(
                                runner.model.path(),
                                "this model predicts values (regression) while the other predicts classes",
                            ));
                        };
                        if let Some(acc) = runner.classification.as_mut() {
                            acc.add(truth, *class, scores.as_deref());
                        }
                        predicted.push(*class);
                    }
                    if let [baseline, candidate, ..] = predicted[..] {
                        pair.add(truth, baseline, candidate, || sample.id.clone());
                    }
                }
                Task::Regression => {
                    for (runner, preds) in runners.iter_mut().zip(&predictions) {
                        let Prediction::Value(value) = preds[row] else {
                            return Err(EvalError::incompatible(
                                runner.model.path(),
                                "this model predicts classes while the other predicts values (regression)",
                            ));
                        };
                        runner.regression.add(sample.label, value);
                    }
                }
            }
        }
        samples += batch.len() as u64;
        progress(batch.len());
        Ok(())
    };
    dataset.stream(batch_size, &mut on_batch)?;

    let task = task.unwrap_or(Task::Classification);
    let class_names = match task {
        Task::Regression => Vec::new(),
        Task::Classification => {
            let classes = runners[0]
                .classification
                .as_ref()
                .map_or(0, ClassificationAccumulator::classes);
            let names = dataset_classes.unwrap_or_default();
            (0..classes)
                .map(|i| names.get(i).cloned().unwrap_or_else(|| i.to_string()))
                .collect()
        }
    };
    let models = runners
        .into_iter()
        .map(|runner| ModelEvaluation {
            path: runner.model.path().to_owned(),
            file_size: runner.model.file_size(),
            signature: runner.model.signature().clone(),
            input_shape: runner.layout.sample_shape.clone(),
            classification: runner
                .classification
                .as_ref()
                .map(ClassificationAccumulator::finish),
            regression: (task == Task::Regression).then(|| runner.regression.finish()),
            latency: runner.latency(batch_size),
        })
        .collect::<Vec<_>>();
    let pair =
        (task == Task::Classification && models.len() >= 2).then(|| pair.finish(options.bootstrap));
    Ok(Evaluation {
        task,
        samples,
        class_names,
        models,
        pair,
    })
}

impl Runner<'_> {
    /// Fills the model input for `batch`, runs it (timed) and reads the predictions.
    fn predict(
        &mut self,
        batch: &Batch,
        batch_size: usize,
        options: &EvaluationOptions,
    ) -> Result<Vec<Prediction>, EvalError> {
        self.input.clear();
        for sample in batch {
            self.layout
                .fill(&sample.data, &options.preprocess, &mut self.input)
                .map_err(|reason| {
                    EvalError::incompatible(
                        self.model.path(),
                        format!("cannot take sample `{}`: {reason}", sample.id),
                    )
                })?;
        }
        let shape = self.layout.batch_shape(batch.len());
        if self.warmed.insert(batch.len()) {
            // The first run of a plan touches cold caches and allocates; do it untimed so that
            // latency percentiles describe steady-state batches.
            self.model.prepare(&shape)?;
            self.model.run(&shape, &self.input)?;
        }
        let started = Instant::now();
        let outputs = self.model.run(&shape, &self.input)?;
        let elapsed = started.elapsed();
        if batch.len() == batch_size {
            self.full_batches.push(elapsed);
        } else {
            self.partial = Some((batch.len(), elapsed));
        }
        let form = match self.form {
            Some(form) => form,
            None => {
                let form = OutputForm::detect(&outputs, batch.len())
                    .map_err(|reason| EvalError::incompatible(self.model.path(), reason))?;
                self.form = Some(form);
                form
            }
        };
        batch
            .iter()
            .enumerate()
            .map(|(row, sample)| {
                form.read(&outputs, row).map_err(|what| match what {
                    "NaN" | "an infinite value" => EvalError::NonFinite {
                        path: self.model.path().to_owned(),
                        what,
                        sample: sample.id.clone(),
                    },
                    other => EvalError::incompatible(
                        self.model.path(),
                        format!(
                            "cannot read the prediction for sample `{}`: {other}",
                            sample.id
                        ),
                    ),
                })
            })
            .collect()
    }

    fn latency(&self, batch_size: usize) -> Option<LatencySummary> {
        if self.full_batches.is_empty() {
            let (size, duration) = self.partial?;
            return LatencySummary::from_batches(size as u64, &[duration]);
        }
        LatencySummary::from_batches(batch_size as u64, &self.full_batches)
    }
}

/// On the first batch: creates the accumulators, and checks that every model has the same
/// number of classes and that the dataset's classes fit.
fn check_classes(
    runners: &mut [Runner<'_>],
    dataset_classes: Option<&[String]>,
    dataset_path: &std::path::Path,
    top_k: usize,
) -> Result<(), EvalError> {
    if runners.iter().all(|r| r.classification.is_some()) {
        return Ok(());
    }
    let counts: Vec<Option<usize>> = runners
        .iter()
        .map(|r| r.form.and_then(OutputForm::classes))
        .collect();
    let known: Vec<usize> = counts.iter().flatten().copied().collect();
    if let Some(&first) = known.first()
        && let Some(other) = known.iter().position(|&c| c != first)
    {
        return Err(EvalError::incompatible(
            runners[other].model.path(),
            format!(
                "this model outputs {} classes but {} outputs {first}; both must score the same classes",
                known[other],
                runners[0].model.path().display()
            ),
        ));
    }
    let classes = known
        .first()
        .copied()
        .or(dataset_classes.map(<[String]>::len))
        .unwrap_or(0);
    if let Some(names) = dataset_classes
        && names.len() > classes
    {
        return Err(EvalError::dataset(
            dataset_path,
            format!(
                "the dataset has {} classes but {} outputs {classes}; class folders must match the model's outputs (name them 0..{} or pass --class-names)",
                names.len(),
                runners[0].model.path().display(),
                classes.saturating_sub(1)
            ),
        ));
    }
    for runner in runners {
        runner.classification = Some(ClassificationAccumulator::new(classes, top_k));
    }
    Ok(())
}

/// The class index of a label, when it is a whole number in `0..classes`.
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss
)]
fn class_of(label: f64, classes: usize) -> Option<usize> {
    (label.fract() == 0.0 && label >= 0.0 && label < classes as f64).then_some(label as usize)
}
