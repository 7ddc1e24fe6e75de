//! One evaluation worker: its own instance of every model (its own tract plans or onnxruntime
//! session), turning a batch of samples into predictions and timings.
//!
//! A worker only runs models and reads their predictions; everything that depends on the order
//! of samples (metrics, flips, non-finite examples) is accumulated by [`crate::evaluate`] in
//! dataset order, so any number of workers gives the same figures as one.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use crate::cross::{CrossBatch, compare_outputs};
use crate::dataset::{Sample, SampleData};
use crate::engine::{InputTensor, Model};
use crate::error::EvalError;
use crate::feed::Feeder;
use crate::output::{OutputForm, Prediction};
use crate::preprocess::Preprocess;

/// What one model made of one batch.
#[derive(Debug, Clone)]
pub(crate) struct ModelOutcome {
    /// How its outputs read (detected on its first batch).
    pub form: OutputForm,
    /// One prediction per sample; `None` when its outputs held NaN or infinity.
    pub predictions: Vec<Option<Prediction>>,
}

/// What a worker made of one batch: one outcome per model, and the cross-check of the last
/// model against the other engine.
#[derive(Debug, Clone)]
pub(crate) struct BatchOutcome {
    /// In model order.
    pub models: Vec<ModelOutcome>,
    /// The last model in the other engine, compared output by output.
    pub cross: Option<CrossBatch>,
}

/// One model in one worker.
pub(crate) struct ModelRun<'m> {
    pub model: &'m mut Model,
    pub feeder: Feeder,
    /// Samples per run: the model's fixed batch, else the batch size.
    pub run_batch: usize,
    form: Option<OutputForm>,
    /// Timings of full runs, and of the last partial one.
    pub full_batches: Vec<Duration>,
    pub partial: Option<(usize, Duration)>,
    /// Batch sizes already run once untimed.
    warmed: HashSet<usize>,
    /// The inputs of the first full run, kept to time the model alone after a parallel pass.
    first_full: Option<Vec<InputTensor>>,
}

impl<'m> ModelRun<'m> {
    /// A model with its feeder; `run_batch` samples per run.
    pub fn new(model: &'m mut Model, feeder: Feeder, run_batch: usize) -> Self {
        Self {
            model,
            feeder,
            run_batch,
            form: None,
            full_batches: Vec::new(),
            partial: None,
            warmed: HashSet::new(),
            first_full: None,
        }
    }
}

/// A worker: every model of the evaluation, and optionally the last one in the other engine.
pub(crate) struct Worker<'m> {
    pub runs: Vec<ModelRun<'m>>,
    pub cross: Option<&'m mut Model>,
    pub preprocess: Preprocess,
    /// Keep the first full batch's inputs (the worker that times latency alone).
    pub keep_first: bool,
}

impl Worker<'_> {
    /// Runs every model on `batch`.
    pub fn process(&mut self, batch: &[Sample]) -> Result<BatchOutcome, EvalError> {
        let last = self.runs.len().saturating_sub(1);
        let mut models = Vec::with_capacity(self.runs.len());
        let mut cross = None;
        for (index, run) in self.runs.iter_mut().enumerate() {
            let mut predictions = Vec::with_capacity(batch.len());
            let mut form = None;
            for chunk in batch.chunks(run.run_batch) {
                let cross_model = if index == last {
                    self.cross.as_deref_mut()
                } else {
                    None
                };
                let (chunk_form, read, compared) =
                    predict_run(run, chunk, &self.preprocess, self.keep_first, cross_model)?;
                form = Some(chunk_form);
                predictions.extend(read);
                if let Some(compared) = compared {
                    cross
                        .get_or_insert_with(CrossBatch::default)
                        .merge(compared);
                }
            }
            let form = form.ok_or_else(|| {
                EvalError::incompatible(run.model.path(), "internal: an empty batch was run")
            })?;
            models.push(ModelOutcome { form, predictions });
        }
        Ok(BatchOutcome { models, cross })
    }

    /// Times the first full batch of every model again, `runs` times, with nothing else
    /// running: the latency of a parallel pass, measured on one worker with the others idle.
    pub fn time_alone(&mut self, runs: usize) -> Result<(), EvalError> {
        for run in &mut self.runs {
            let Some(inputs) = run.first_full.take() else {
                continue;
            };
            let mut timings = Vec::with_capacity(runs);
            for _ in 0..runs.max(1) {
                let started = Instant::now();
                run.model.run_inputs(&inputs)?;
                timings.push(started.elapsed());
            }
            run.full_batches = timings;
        }
        Ok(())
    }
}

/// What one run of a chunk gave: the output form, one prediction per sample (`None`: NaN or
/// infinity) and the cross-check of this chunk.
type RunOutcome = (OutputForm, Vec<Option<Prediction>>, Option<CrossBatch>);

/// Runs one chunk of at most `run.run_batch` samples (timed, after one untimed run per batch
/// size) and reads the predictions.
fn predict_run(
    run: &mut ModelRun<'_>,
    chunk: &[Sample],
    preprocess: &Preprocess,
    keep_first: bool,
    cross: Option<&mut Model>,
) -> Result<RunOutcome, EvalError> {
    let rows = if run.feeder.fixed_batch().is_some() {
        run.run_batch
    } else {
        chunk.len()
    };
    let data: Vec<&SampleData> = chunk.iter().map(|s| &s.data).collect();
    let inputs = run
        .feeder
        .build(&data, rows, preprocess)
        .map_err(|reason| {
            let first = chunk.first().map_or("", |s| s.id.as_str());
            EvalError::incompatible(
                run.model.path(),
                format!("cannot take sample `{first}`: {reason}"),
            )
        })?;
    if run.warmed.insert(rows) {
        // The first run of a plan touches cold caches and allocates; do it untimed so that
        // latency percentiles describe steady-state batches.
        let shapes: Vec<Vec<usize>> = inputs.iter().map(|i| i.shape.clone()).collect();
        run.model.prepare_inputs(&shapes)?;
        run.model.run_inputs(&inputs)?;
    }
    let started = Instant::now();
    let outputs = run.model.run_inputs(&inputs)?;
    let elapsed = started.elapsed();
    if chunk.len() == run.run_batch {
        run.full_batches.push(elapsed);
        if keep_first && run.first_full.is_none() {
            run.first_full = Some(inputs.clone());
        }
    } else {
        run.partial = Some((chunk.len(), elapsed));
    }
    let form = match run.form {
        Some(form) => form,
        None => {
            let form = OutputForm::detect(&outputs, rows)
                .map_err(|reason| EvalError::incompatible(run.model.path(), reason))?;
            run.form = Some(form);
            form
        }
    };
    let compared = match cross {
        Some(other) => Some(compare_outputs(
            &outputs,
            &other.run_inputs(&inputs)?,
            chunk.len(),
        )),
        None => None,
    };
    let predictions = chunk
        .iter()
        .enumerate()
        .map(|(row, sample)| match form.read(&outputs, row) {
            Ok(prediction) => Ok(Some(prediction)),
            Err("NaN" | "an infinite value") => Ok(None),
            Err(other) => Err(EvalError::incompatible(
                run.model.path(),
                format!(
                    "cannot read the prediction for sample `{}`: {other}",
                    sample.id
                ),
            )),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((form, predictions, compared))
}
