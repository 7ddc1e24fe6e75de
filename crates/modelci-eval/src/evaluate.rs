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

use crate::dataset::{Batch, Dataset, DatasetKind, Sample, SampleData};
use crate::engine::Model;
use crate::error::EvalError;
use crate::feed::{Feeder, Preprocessing, ShapeOverride, Source};
use crate::layout::LayoutOverride;
use crate::output::{OutputForm, Prediction};
use crate::preprocess::Preprocess;
use crate::resize::Resize;
use crate::signature::ModelSignature;

/// How many names of samples with NaN/inf outputs a report keeps.
pub const NON_FINITE_KEPT: usize = 10;

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
    /// `--input-shape`: shapes of inputs the models leave dynamic.
    pub input_shapes: Vec<ShapeOverride>,
    /// `--resize`: how images are brought to the model's size.
    pub resize: Resize,
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
            input_shapes: Vec::new(),
            resize: Resize::default(),
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
    /// The input shape fed per sample (batch axis excluded); the first input's.
    pub input_shape: Vec<usize>,
    /// Every input's shape per sample (batch axis excluded), in input order.
    pub input_shapes: Vec<Vec<usize>>,
    /// The batch size the model fixes, if any (it was run at that size).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_batch: Option<usize>,
    /// Samples whose outputs held NaN or infinity: left out of this model's metrics.
    pub non_finite: NonFinite,
    /// Layout, size, resizing, scale and normalisation, for a model fed through a layout
    /// (`None` for inputs fed by name).
    pub preprocessing: Option<Preprocessing>,
    /// Classification metrics, for classifiers.
    pub classification: Option<ClassificationMetrics>,
    /// Regression metrics, for regressors.
    pub regression: Option<RegressionMetrics>,
    /// Latency per batch and throughput.
    pub latency: Option<LatencySummary>,
}

/// Samples whose outputs held NaN or infinity. They are a result, not bad input: metrics are
/// computed on the other samples, and the binaries fail their gate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NonFinite {
    /// How many samples.
    pub samples: u64,
    /// The first of them by name (at most [`NON_FINITE_KEPT`]).
    pub examples: Vec<String>,
}

impl NonFinite {
    fn add(&mut self, id: &str) {
        self.samples += 1;
        if self.examples.len() < NON_FINITE_KEPT {
            self.examples.push(id.to_owned());
        }
    }
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
    feeder: Feeder,
    /// Samples per run: the model's fixed batch, else the batch size.
    run_batch: usize,
    form: Option<OutputForm>,
    classification: Option<ClassificationAccumulator>,
    regression: RegressionAccumulator,
    full_batches: Vec<Duration>,
    partial: Option<(usize, Duration)>,
    non_finite: NonFinite,
    /// Batch sizes already run once untimed.
    warmed: std::collections::HashSet<usize>,
}

/// Evaluates `models` (one or two, same task) on `dataset`.
///
/// `progress` is called with the number of samples done after each batch.
///
/// # Errors
/// [`EvalError`] naming the model or dataset file when a model cannot take the samples, the
/// models disagree on the task or class count, or a label does not fit. Outputs that are not
/// finite are a result ([`ModelEvaluation::non_finite`]), not an error.
pub fn evaluate(
    models: &mut [Model],
    dataset: &mut Dataset,
    options: &EvaluationOptions,
    progress: &mut dyn FnMut(usize),
) -> Result<Evaluation, EvalError> {
    let batch_size = options.batch_size.max(1);
    let signatures: Vec<&ModelSignature> = models.iter().map(Model::signature).collect();
    crate::feed::check_shape_names(&options.input_shapes, &signatures)
        .map_err(|reason| EvalError::incompatible(dataset.path(), reason))?;
    let named: Vec<(&std::path::Path, &ModelSignature)> =
        models.iter().map(|m| (m.path(), m.signature())).collect();
    dataset.prepare(&named)?;
    let arrays = dataset.arrays();
    let source = match dataset.kind() {
        DatasetKind::ImageFolder => Source::Images,
        _ => Source::Arrays(&arrays),
    };
    let mut runners = models
        .iter_mut()
        .map(|model| {
            let feeder = Feeder::new(
                model.signature(),
                source,
                options.layout,
                &options.input_shapes,
            )
            .and_then(|feeder| {
                let channels = feeder.layout().map_or(1, |l| l.channels);
                options
                    .preprocess
                    .validate(channels)
                    .map(|()| feeder)
                    .map_err(String::from)
            })
            .map(|feeder| feeder.with_resize(options.resize))
            .map_err(|reason| EvalError::incompatible(model.path(), reason))?;
            Ok(Runner {
                model,
                run_batch: feeder.fixed_batch().unwrap_or(batch_size),
                feeder,
                form: None,
                classification: None,
                regression: RegressionAccumulator::default(),
                full_batches: Vec::new(),
                partial: None,
                non_finite: NonFinite::default(),
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
        let mut predictions: Vec<Vec<Option<Prediction>>> = Vec::with_capacity(runners.len());
        for runner in &mut runners {
            predictions.push(runner.predict(&batch, options)?);
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
                        let Some(prediction) = &preds[row] else {
                            predicted.push(None);
                            continue;
                        };
                        let Prediction::Class { class, scores } = prediction else {
                            return Err(EvalError::incompatible(
                                runner.model.path(),
                                "this model predicts values (regression) while the other predicts classes",
                            ));
                        };
                        if let Some(acc) = runner.classification.as_mut() {
                            acc.add(truth, *class, scores.as_deref());
                        }
                        predicted.push(Some(*class));
                    }
                    // Pair statistics need both predictions; a sample with NaN in either
                    // model's outputs is counted there instead.
                    if let [Some(baseline), Some(candidate), ..] = predicted[..] {
                        pair.add(truth, baseline, candidate, || sample.id.clone());
                    }
                }
                Task::Regression => {
                    for (runner, preds) in runners.iter_mut().zip(&predictions) {
                        let Some(prediction) = &preds[row] else {
                            continue;
                        };
                        let Prediction::Value(value) = *prediction else {
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
            input_shape: runner
                .feeder
                .sample_shapes()
                .into_iter()
                .next()
                .unwrap_or_default(),
            input_shapes: runner.feeder.sample_shapes(),
            fixed_batch: runner.feeder.fixed_batch(),
            non_finite: runner.non_finite.clone(),
            preprocessing: runner.feeder.preprocessing(&options.preprocess),
            classification: runner
                .classification
                .as_ref()
                .map(ClassificationAccumulator::finish),
            regression: (task == Task::Regression).then(|| runner.regression.finish()),
            latency: runner.latency(),
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
    /// Runs `batch` in runs of the model's batch size (timed) and reads the predictions;
    /// `None` for a sample whose outputs are not finite.
    fn predict(
        &mut self,
        batch: &Batch,
        options: &EvaluationOptions,
    ) -> Result<Vec<Option<Prediction>>, EvalError> {
        let mut predictions = Vec::with_capacity(batch.len());
        for chunk in batch.chunks(self.run_batch) {
            predictions.extend(self.predict_run(chunk, options)?);
        }
        Ok(predictions)
    }

    fn predict_run(
        &mut self,
        chunk: &[Sample],
        options: &EvaluationOptions,
    ) -> Result<Vec<Option<Prediction>>, EvalError> {
        let rows = if self.feeder.fixed_batch().is_some() {
            self.run_batch
        } else {
            chunk.len()
        };
        let data: Vec<&SampleData> = chunk.iter().map(|s| &s.data).collect();
        let inputs = self
            .feeder
            .build(&data, rows, &options.preprocess)
            .map_err(|reason| {
                let first = chunk.first().map_or("", |s| s.id.as_str());
                EvalError::incompatible(
                    self.model.path(),
                    format!("cannot take sample `{first}`: {reason}"),
                )
            })?;
        if self.warmed.insert(rows) {
            // The first run of a plan touches cold caches and allocates; do it untimed so that
            // latency percentiles describe steady-state batches.
            let shapes: Vec<Vec<usize>> = inputs.iter().map(|i| i.shape.clone()).collect();
            self.model.prepare_inputs(&shapes)?;
            self.model.run_inputs(&inputs)?;
        }
        let started = Instant::now();
        let outputs = self.model.run_inputs(&inputs)?;
        let elapsed = started.elapsed();
        if chunk.len() == self.run_batch {
            self.full_batches.push(elapsed);
        } else {
            self.partial = Some((chunk.len(), elapsed));
        }
        let form = match self.form {
            Some(form) => form,
            None => {
                let form = OutputForm::detect(&outputs, rows)
                    .map_err(|reason| EvalError::incompatible(self.model.path(), reason))?;
                self.form = Some(form);
                form
            }
        };
        chunk
            .iter()
            .enumerate()
            .map(|(row, sample)| match form.read(&outputs, row) {
                Ok(prediction) => Ok(Some(prediction)),
                Err("NaN" | "an infinite value") => {
                    self.non_finite.add(&sample.id);
                    Ok(None)
                }
                Err(other) => Err(EvalError::incompatible(
                    self.model.path(),
                    format!(
                        "cannot read the prediction for sample `{}`: {other}",
                        sample.id
                    ),
                )),
            })
            .collect()
    }

    fn latency(&self) -> Option<LatencySummary> {
        if self.full_batches.is_empty() {
            let (size, duration) = self.partial?;
            return LatencySummary::from_batches(size as u64, &[duration]);
        }
        LatencySummary::from_batches(self.run_batch as u64, &self.full_batches)
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
