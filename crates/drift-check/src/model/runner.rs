//! Runs the monitored ONNX model on feature rows: batches of `--batch-size` rows as one
//! `[N, F]` float tensor, spread over `--jobs` workers (each with its own copy of the model);
//! the predictions come back in row order, whatever the number of workers.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use modelci_eval::output::OutputForm;
use modelci_eval::{Engine, Model};

use super::feed::Feed;
use super::rows::{PredictionRow, from_prediction};

/// A loaded model and the rows waiting for it; each prediction goes to the sink, in row order.
pub struct Runner<'s> {
    path: PathBuf,
    workers: Vec<Model>,
    batch_size: usize,
    width: usize,
    feed: Feed,
    class_names: Option<Vec<String>>,
    form: Option<OutputForm>,
    pending: Vec<f32>,
    labels: Vec<Option<String>>,
    done: u64,
    sink: &'s mut dyn FnMut(PredictionRow),
}

impl std::fmt::Debug for Runner<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runner")
            .field("path", &self.path)
            .field("workers", &self.workers.len())
            .finish_non_exhaustive()
    }
}

/// How the model runs.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Rows per batch.
    pub batch_size: usize,
    /// Workers.
    pub jobs: usize,
    /// Class names, in the order of the model's outputs.
    pub class_names: Option<Vec<String>>,
}

impl<'s> Runner<'s> {
    /// Loads `path` in `engine` for rows of the `features` named.
    ///
    /// # Errors
    /// The model cannot be read or loaded, or does not take the features (see [`Feed`]).
    pub fn new(
        path: &Path,
        engine: &Engine,
        features: &[String],
        options: RunOptions,
        sink: &'s mut dyn FnMut(PredictionRow),
    ) -> anyhow::Result<Self> {
        let model = Model::load_with(path, engine)?;
        let feed = Feed::plan(path, &model.signature().inputs, features)?;
        let mut workers = Vec::with_capacity(options.jobs.max(1));
        for _ in 1..options.jobs.max(1) {
            workers.push(model.fork()?);
        }
        workers.insert(0, model);
        Ok(Self {
            path: path.to_owned(),
            workers,
            batch_size: options.batch_size.max(1),
            width: feed.width(),
            feed,
            class_names: options.class_names,
            form: None,
            pending: Vec::new(),
            labels: Vec::new(),
            done: 0,
            sink,
        })
    }

    /// Adds one row of features (in the reference's order) and its label.
    ///
    /// # Errors
    /// As [`Runner::flush`].
    pub fn push(&mut self, features: &[f32], label: Option<String>) -> anyhow::Result<()> {
        self.pending.extend_from_slice(features);
        self.labels.push(label);
        if self.labels.len() >= self.batch_size * self.workers.len() {
            self.flush()?;
        }
        Ok(())
    }

    /// Runs the rows waiting.
    ///
    /// # Errors
    /// The model fails on a batch or gives outputs that are neither classes nor values.
    pub fn flush(&mut self) -> anyhow::Result<()> {
        if self.labels.is_empty() {
            return Ok(());
        }
        let chunk = self.batch_size * self.width;
        let pending = std::mem::take(&mut self.pending);
        let batches: Vec<&[f32]> = pending.chunks(chunk).collect();
        let (width, feed) = (self.width, &self.feed);
        let results: Vec<anyhow::Result<Vec<modelci_eval::OutputTensor>>> =
            std::thread::scope(|scope| {
                let handles: Vec<_> = self
                    .workers
                    .iter_mut()
                    .zip(&batches)
                    .map(|(model, data)| {
                        scope.spawn(move || -> anyhow::Result<_> {
                            Ok(model.run_inputs(&feed.inputs(data))?)
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| {
                        h.join()
                            .unwrap_or_else(|_| Err(anyhow::anyhow!("a worker panicked")))
                    })
                    .collect()
            });
        let mut labels = std::mem::take(&mut self.labels).into_iter();
        for (outputs, data) in results.into_iter().zip(&batches) {
            let outputs = outputs?;
            let batch = data.len() / width;
            let form = match self.form {
                Some(form) => form,
                None => {
                    let form = OutputForm::detect(&outputs, batch)
                        .with_context(|| self.path.display().to_string())?;
                    self.form = Some(form);
                    form
                }
            };
            for row in 0..batch {
                let prediction = form.read(&outputs, row).map_err(|why| {
                    anyhow::anyhow!(
                        "{}: the output for row {} has {why}",
                        self.path.display(),
                        self.done + 1
                    )
                })?;
                let mut predicted = from_prediction(prediction, self.class_names.as_deref());
                predicted.label = labels.next().flatten();
                self.done += 1;
                (self.sink)(predicted);
            }
        }
        Ok(())
    }

    /// The name of the output the predictions are read from (once a batch ran).
    #[must_use]
    pub fn output_name(&self) -> String {
        let index = match self.form {
            Some(
                OutputForm::Scores { index, .. }
                | OutputForm::Labels { index }
                | OutputForm::Values { index },
            ) => index,
            None => 0,
        };
        self.workers
            .first()
            .and_then(|m| m.signature().outputs.get(index))
            .map_or_else(String::new, |o| o.name.clone())
    }

    /// Runs the last rows.
    ///
    /// # Errors
    /// As [`Runner::flush`].
    pub fn finish(mut self) -> anyhow::Result<()> {
        self.flush()
    }
}
