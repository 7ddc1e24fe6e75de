//! The evaluation loop: stream a dataset once through one or two models, accumulating metrics,
//! pair statistics and timings.
//!
//! Each model gets its own input layout (a baseline may take flat features where the candidate
//! takes NCHW images), but both see the same samples in the same order, which is what the pair
//! statistics need. Only `Model::run` is timed; plans are prepared, and run once untimed, before
//! the clock starts.
//!
//! With `jobs > 1` the batches are run by several [`Worker`]s ([`crate::parallel`]), each with
//! its own instance of every model; their outcomes come back in dataset order and are
//! accumulated here exactly as with one worker, so every metric, flip list and statistic is the
//! same. Latency is then measured after the pass, on one worker with the others idle.

use std::path::PathBuf;
use std::time::Duration;

use modelci_metrics::{
    ClassificationAccumulator, ClassificationMetrics, LatencySummary, PairAccumulator, PairMetrics,
    RegressionAccumulator, RegressionMetrics,
};
use serde::{Deserialize, Serialize};

use crate::cross::{CrossBatch, CrossCheck};
use crate::dataset::{Batch, Dataset, DatasetKind};
use crate::engine::{EngineInfo, Model};
use crate::error::EvalError;
use crate::feed::{Feeder, Preprocessing, ShapeOverride, Source};
use crate::layout::LayoutOverride;
use crate::output::{OutputForm, Prediction};
use crate::preprocess::Preprocess;
use crate::resize::Resize;
use crate::signature::ModelSignature;
use crate::worker::{BatchOutcome, ModelRun, Worker};

/// How many names of samples with NaN/inf outputs a report keeps.
pub const NON_FINITE_KEPT: usize = 10;

/// Default number of samples per batch.
pub const DEFAULT_BATCH_SIZE: usize = 32;

/// Default number of bootstrap resamples for the accuracy-delta interval.
pub const DEFAULT_BOOTSTRAP: usize = 1000;

/// Without `--jobs`, every worker needs this many batches of the dataset
/// (BENCHMARKS.md, "Engines": on the 450-sample digits set a second worker's sessions and
/// plans cost more than its share of the batches saves).
pub const MIN_BATCHES_PER_WORKER: usize = 32;

/// At most this many timed runs of one batch measure latency after a parallel pass.
pub const LATENCY_RUNS_ALONE: usize = 30;

/// What kind of prediction the models make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
    /// `--jobs`: workers running batches in parallel (at least 1).
    pub jobs: usize,
    /// Whether `jobs` was asked for (`--jobs`). When it was not, a dataset too small to keep
    /// several workers busy runs on fewer: every worker must get at least
    /// [`MIN_BATCHES_PER_WORKER`] batches, as each loads its own sessions and builds its own
    /// plans before its first batch.
    pub jobs_given: bool,
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
            jobs: 1,
            jobs_given: false,
        }
    }
}

/// The result for one model.
#[derive(Debug, Clone, Serialize, Deserialize)]
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
    /// The timed runs [`ModelEvaluation::latency`] summarises (not in reports: eval-diff's
    /// shard files keep them to merge the latency of several runs).
    #[serde(skip)]
    pub timings: Timings,
}

/// The timed runs of one model: what its latency summary is computed from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Timings {
    /// Samples per run: the model's fixed batch, else the batch size.
    pub run_batch: usize,
    /// Durations of the runs of `run_batch` samples.
    pub full_batches: Vec<Duration>,
    /// The last, smaller run: (samples, duration).
    pub partial: Option<(usize, Duration)>,
}

impl Timings {
    /// Latency per batch and throughput: over the full runs, else over the partial one.
    #[must_use]
    pub fn summary(&self) -> Option<LatencySummary> {
        if self.full_batches.is_empty() {
            let (size, duration) = self.partial?;
            return LatencySummary::from_batches(size as u64, &[duration]);
        }
        LatencySummary::from_batches(self.run_batch as u64, &self.full_batches)
    }
}

/// One sample as the models saw it, handed to [`evaluate_observed`]'s observer in dataset
/// order (eval-diff's shard files are made of these).
#[derive(Debug, Clone, Copy)]
pub struct SampleOutcome<'a> {
    /// The sample's name.
    pub id: &'a str,
    /// Its label.
    pub label: crate::dataset::Label,
    /// Classification or regression (decided on the first batch).
    pub task: Task,
    /// The number of classes the models score (0 for regression).
    pub classes: usize,
    /// One prediction per model, in model order; `None` when its outputs held NaN or infinity.
    pub predictions: &'a [Option<&'a Prediction>],
}

/// Samples whose outputs held NaN or infinity. They are a result, not bad input: metrics are
/// computed on the other samples, and the binaries fail their gate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NonFinite {
    /// How many samples.
    pub samples: u64,
    /// The first of them by name (at most [`NON_FINITE_KEPT`]).
    pub examples: Vec<String>,
}

impl NonFinite {
    /// Counts one more sample, keeping its name while there is room.
    pub fn add(&mut self, id: &str) {
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
    /// The engine, the workers and how latency was measured.
    pub execution: Execution,
    /// The last model run in the other engine too (`--cross-check`).
    pub cross_check: Option<CrossCheck>,
}

/// How the evaluation ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Execution {
    /// The engine that ran the models, its version and session options.
    pub engine: EngineInfo,
    /// Workers that ran batches in parallel, each with its own plan or session.
    pub jobs: usize,
    /// How the latency figures were measured.
    pub latency: LatencyMethod,
    /// Wall time of the evaluation phase: every batch read, run by every model on every
    /// worker (plans, warm-up runs and the cross-check included) and scored, in seconds.
    pub evaluation_seconds: f64,
    /// Samples per second over [`Execution::evaluation_seconds`], all workers busy: the
    /// evaluation's throughput (each model's `throughput` counts its timed runs only).
    pub evaluation_throughput: f64,
}

/// How latency was measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "method")]
pub enum LatencyMethod {
    /// Every batch of the dataset was timed, on the only worker.
    EveryBatch,
    /// After a parallel pass, one worker ran its first full batch again `runs` times while the
    /// others were idle.
    RepeatedAlone {
        /// Timed runs.
        runs: usize,
    },
}

impl LatencyMethod {
    /// One line for a report.
    #[must_use]
    pub fn describe(self) -> String {
        match self {
            Self::EveryBatch => "every batch timed on one worker".to_owned(),
            Self::RepeatedAlone { runs } => format!(
                "after the parallel pass, one batch run {runs} times on one worker with the others idle"
            ),
        }
    }
}

/// Per-model accumulators, filled in dataset order.
struct Tally {
    path: PathBuf,
    form: Option<OutputForm>,
    classification: Option<ClassificationAccumulator>,
    regression: RegressionAccumulator,
    non_finite: NonFinite,
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
    evaluate_cross(models, None, dataset, options, progress)
}

/// Evaluates `models` as [`evaluate`] does and, when `cross` is given (the last model loaded
/// in the other engine), compares the last model's outputs between the two engines on every
/// batch ([`Evaluation::cross_check`]).
///
/// # Errors
/// As [`evaluate`]; and the other engine's error when it cannot run the model.
pub fn evaluate_cross(
    models: &mut [Model],
    cross: Option<&mut Model>,
    dataset: &mut Dataset,
    options: &EvaluationOptions,
    progress: &mut dyn FnMut(usize),
) -> Result<Evaluation, EvalError> {
    evaluate_observed(models, cross, dataset, options, progress, &mut |_| {})
}

/// Evaluates as [`evaluate_cross`] does, and hands every sample's predictions to `observe`,
/// in dataset order, after its checks passed.
///
/// # Errors
/// As [`evaluate_cross`].
pub fn evaluate_observed(
    models: &mut [Model],
    cross: Option<&mut Model>,
    dataset: &mut Dataset,
    options: &EvaluationOptions,
    progress: &mut dyn FnMut(usize),
    observe: &mut dyn FnMut(SampleOutcome<'_>),
) -> Result<Evaluation, EvalError> {
    let batch_size = options.batch_size.max(1);
    let jobs = workers(options, dataset.len(), batch_size);
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
    let feeders = models
        .iter()
        .map(|model| {
            Feeder::new(
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
            .map_err(|reason| EvalError::incompatible(model.path(), reason))
        })
        .collect::<Result<Vec<_>, EvalError>>()?;
    let engine = models
        .first()
        .map(|m| m.engine().clone())
        .ok_or_else(|| EvalError::dataset(dataset.path(), "internal: no model to evaluate"))?;
    let cross_engine = cross.as_ref().map(|m| m.engine().clone());
    let mut tallies: Vec<Tally> = models
        .iter()
        .map(|m| Tally {
            path: m.path().to_owned(),
            form: None,
            classification: None,
            regression: RegressionAccumulator::default(),
            non_finite: NonFinite::default(),
        })
        .collect();
    // Workers 1.. get their own instances of every model (and of the cross-check model).
    let mut forks: Vec<(Vec<Model>, Option<Model>)> = (1..jobs)
        .map(|_| {
            let own = models
                .iter()
                .map(Model::fork)
                .collect::<Result<Vec<_>, _>>()?;
            let other = cross.as_deref().map(Model::fork).transpose()?;
            Ok((own, other))
        })
        .collect::<Result<_, EvalError>>()?;
    let keep_first = jobs > 1;
    let mut workers = vec![make_worker(
        models.iter_mut().collect(),
        cross,
        &feeders,
        batch_size,
        options,
        keep_first,
    )];
    for (own, other) in &mut forks {
        workers.push(make_worker(
            own.iter_mut().collect(),
            other.as_mut(),
            &feeders,
            batch_size,
            options,
            false,
        ));
    }

    let mut pair = PairAccumulator::new(options.keep_flips);
    let mut task: Option<Task> = None;
    let mut samples = 0u64;
    let mut cross_total: Option<CrossBatch> = None;
    let dataset_path = dataset.path().to_owned();
    let dataset_classes = dataset.class_names().map(<[String]>::to_vec);
    let mut absorb = |batch: &Batch, outcome: BatchOutcome| -> Result<(), EvalError> {
        for (tally, model) in tallies.iter_mut().zip(&outcome.models) {
            tally.form.get_or_insert(model.form);
        }
        if let Some(compared) = outcome.cross {
            cross_total
                .get_or_insert_with(CrossBatch::default)
                .merge(compared);
        }
        // Task, class count and label checks, decided on the first batch.
        let first_task = match tallies[0].form {
            Some(OutputForm::Values { .. }) => Task::Regression,
            _ => Task::Classification,
        };
        let task = *task.get_or_insert(first_task);
        if task == Task::Classification {
            check_classes(
                &mut tallies,
                dataset_classes.as_deref(),
                &dataset_path,
                options.top_k,
            )?;
        }
        for (row, sample) in batch.iter().enumerate() {
            let truth = match task {
                Task::Regression => 0,
                Task::Classification => {
                    let classes = tallies[0]
                        .classification
                        .as_ref()
                        .map_or(0, ClassificationAccumulator::classes);
                    class_of(sample.label, classes).ok_or_else(|| {
                        EvalError::dataset(
                            dataset_path.join(&sample.id),
                            format!(
                                "label {} is not a class index of the model's {classes} classes",
                                sample.label
                            ),
                        )
                    })?
                }
            };
            let mut predicted = Vec::with_capacity(tallies.len());
            for (tally, model) in tallies.iter_mut().zip(&outcome.models) {
                let Some(prediction) = model.predictions.get(row).and_then(Option::as_ref) else {
                    tally.non_finite.add(&sample.id);
                    predicted.push(None);
                    continue;
                };
                match (task, prediction) {
                    (Task::Classification, Prediction::Class { class, scores }) => {
                        if let Some(acc) = tally.classification.as_mut() {
                            acc.add(truth, *class, scores.as_deref());
                        }
                        predicted.push(Some((truth, *class)));
                    }
                    (Task::Regression, Prediction::Value(value)) => {
                        tally.regression.add(sample.label, *value);
                        predicted.push(None);
                    }
                    (Task::Classification, _) => {
                        return Err(EvalError::incompatible(
                            &tally.path,
                            "this model predicts values (regression) while the other predicts classes",
                        ));
                    }
                    (Task::Regression, _) => {
                        return Err(EvalError::incompatible(
                            &tally.path,
                            "this model predicts classes while the other predicts values (regression)",
                        ));
                    }
                }
            }
            // Pair statistics need both predictions; a sample with NaN in either model's
            // outputs is counted there instead.
            if let [Some((truth, baseline)), Some((_, candidate)), ..] = predicted[..] {
                pair.add(truth, baseline, candidate, || sample.id.clone());
            }
            let seen: Vec<Option<&Prediction>> = outcome
                .models
                .iter()
                .map(|m| m.predictions.get(row).and_then(Option::as_ref))
                .collect();
            observe(SampleOutcome {
                id: &sample.id,
                label: sample.label,
                task,
                classes: tallies[0]
                    .classification
                    .as_ref()
                    .map_or(0, ClassificationAccumulator::classes),
                predictions: &seen,
            });
        }
        samples += batch.len() as u64;
        progress(batch.len());
        Ok(())
    };
    let started = std::time::Instant::now();
    crate::parallel::run(&mut workers, dataset, batch_size, &mut absorb)?;
    let evaluation_seconds = started.elapsed().as_secs_f64();

    // Latency: every batch on the only worker, or the first full batch again on worker 0
    // with the others idle.
    let latency = if jobs > 1 {
        let full: usize = workers
            .iter()
            .flat_map(|w| w.runs.first())
            .map(|r| r.full_batches.len())
            .sum();
        let runs = full.clamp(1, LATENCY_RUNS_ALONE);
        let partials: Vec<Option<(usize, Duration)>> = (0..tallies.len())
            .map(|i| {
                workers
                    .iter()
                    .find_map(|w| w.runs.get(i).and_then(|r| r.partial))
            })
            .collect();
        let mut first = workers.swap_remove(0);
        drop(workers);
        first.time_alone(runs)?;
        for (run, partial) in first.runs.iter_mut().zip(partials) {
            if run.full_batches.is_empty() {
                run.partial = partial;
            }
        }
        workers = vec![first];
        LatencyMethod::RepeatedAlone { runs }
    } else {
        LatencyMethod::EveryBatch
    };

    let task = task.unwrap_or(Task::Classification);
    let class_names = match task {
        Task::Regression => Vec::new(),
        Task::Classification => {
            let classes = tallies[0]
                .classification
                .as_ref()
                .map_or(0, ClassificationAccumulator::classes);
            let names = dataset_classes.unwrap_or_default();
            (0..classes)
                .map(|i| names.get(i).cloned().unwrap_or_else(|| i.to_string()))
                .collect()
        }
    };
    let Some(first) = workers.into_iter().next() else {
        return Err(EvalError::dataset(
            &dataset_path,
            "internal: no worker left",
        ));
    };
    let models = first
        .runs
        .into_iter()
        .zip(tallies)
        .map(|(run, tally)| {
            let timings = Timings {
                run_batch: run.run_batch,
                full_batches: run.full_batches.clone(),
                partial: run.partial,
            };
            ModelEvaluation {
                path: tally.path.clone(),
                file_size: run.model.file_size(),
                signature: run.model.signature().clone(),
                input_shape: run
                    .feeder
                    .sample_shapes()
                    .into_iter()
                    .next()
                    .unwrap_or_default(),
                input_shapes: run.feeder.sample_shapes(),
                fixed_batch: run.feeder.fixed_batch(),
                non_finite: tally.non_finite.clone(),
                preprocessing: run.feeder.preprocessing(&options.preprocess),
                classification: tally
                    .classification
                    .as_ref()
                    .map(ClassificationAccumulator::finish),
                regression: (task == Task::Regression).then(|| tally.regression.finish()),
                latency: timings.summary(),
                timings,
            }
        })
        .collect::<Vec<_>>();
    let pair =
        (task == Task::Classification && models.len() >= 2).then(|| pair.finish(options.bootstrap));
    let cross_check = cross_engine.map(|engine| CrossCheck {
        engine,
        outputs: cross_total.map(|c| c.outputs).unwrap_or_default(),
    });
    Ok(Evaluation {
        task,
        samples,
        class_names,
        models,
        pair,
        execution: Execution {
            engine,
            jobs,
            latency,
            evaluation_seconds,
            evaluation_throughput: per_second(samples, evaluation_seconds),
        },
        cross_check,
    })
}

/// How many workers evaluate `samples` in batches of `batch_size`: `--jobs` when given, else
/// at most one per [`MIN_BATCHES_PER_WORKER`] batches of the dataset (at least one).
fn workers(options: &EvaluationOptions, samples: usize, batch_size: usize) -> usize {
    let jobs = options.jobs.max(1);
    if options.jobs_given {
        return jobs;
    }
    let batches = samples.div_ceil(batch_size.max(1));
    jobs.min((batches / MIN_BATCHES_PER_WORKER).max(1))
}

/// `samples` per second over `seconds` (0 when no time was measured).
#[allow(clippy::cast_precision_loss)]
fn per_second(samples: u64, seconds: f64) -> f64 {
    if seconds > 0.0 {
        samples as f64 / seconds
    } else {
        0.0
    }
}

/// A worker over `models` (in order) with their feeders.
fn make_worker<'m>(
    models: Vec<&'m mut Model>,
    cross: Option<&'m mut Model>,
    feeders: &[Feeder],
    batch_size: usize,
    options: &EvaluationOptions,
    keep_first: bool,
) -> Worker<'m> {
    Worker {
        runs: models
            .into_iter()
            .zip(feeders)
            .map(|(model, feeder)| {
                let run_batch = feeder.fixed_batch().unwrap_or(batch_size);
                ModelRun::new(model, feeder.clone(), run_batch)
            })
            .collect(),
        cross,
        preprocess: options.preprocess.clone(),
        keep_first,
    }
}

/// On the first batch: creates the accumulators, and checks that every model has the same
/// number of classes and that the dataset's classes fit.
fn check_classes(
    runners: &mut [Tally],
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
            &runners[other].path,
            format!(
                "this model outputs {} classes but {} outputs {first}; both must score the same classes",
                known[other],
                runners[0].path.display()
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
                runners[0].path.display(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_datasets_get_fewer_workers_unless_jobs_was_given() {
        let default = EvaluationOptions {
            jobs: 2,
            ..EvaluationOptions::default()
        };
        // 450 samples in batches of 32: 15 batches, not enough for two workers.
        assert_eq!(workers(&default, 450, 32), 1);
        assert_eq!(workers(&default, 32 * 64, 32), 2);
        assert_eq!(workers(&default, 100_000, 32), 2);
        let given = EvaluationOptions {
            jobs_given: true,
            ..default
        };
        assert_eq!(workers(&given, 450, 32), 2);
        assert_eq!(workers(&EvaluationOptions::default(), 0, 32), 1);
    }
}
