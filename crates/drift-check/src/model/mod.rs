//! The model side of a drift check: what the model predicted on the current data (from the
//! responses in a request log, or by running `--model`), compared with what it predicted on the
//! reference data.
//!
//! - [`rows`]: one prediction per row (class or value, top-1 score, label when known);
//! - [`feed`]: feature rows as the model's inputs (one `[N, F]` tensor, or one per input by
//!   name);
//! - [`runner`]: runs the ONNX model on feature rows, in batches, over `--jobs` workers;
//! - [`csv_input`]: feature rows and labels of a CSV dataset, in the reference's order;
//! - `dataset_run`: the model run on an image folder or NumPy file through eval-diff's
//!   evaluation loop and preprocessing flags;
//! - [`log`]: predictions and labels of a V2 request log (responses and labels joined to their
//!   request by id), or its request rows for the model;
//! - [`mae`]: a regressor's mean absolute error on labelled rows;
//! - [`tally`]: the current predictions counted as they come (their memory is a byte per
//!   labelled row);
//! - [`summary`]: a [`modelci_drift::PredictionReference`] built from predictions;
//! - [`checks`]: the four checks, with gates: prediction drift and score shift here,
//!   [`estimate`] (accuracy from the scores), [`accuracy`] (on labels), [`mae`] (regressors).

pub mod accuracy;
pub mod checks;
pub mod csv_input;
pub(crate) mod dataset_run;
pub mod estimate;
pub mod feed;
pub mod log;
pub mod mae;
pub mod report;
pub mod rows;
pub mod runner;
pub mod summary;
pub mod tally;

pub use rows::{Predicted, PredictionRow};

use std::path::Path;

use anyhow::bail;
use modelci_cli::flags::ModelSettings;
use modelci_drift::{PredictionReference, Reference};

use crate::current::dataset::{is_dataset, reads_as_dataset};
use crate::current::is_log;
use runner::{RunOptions, Runner};
use tally::Tally;

/// How the monitored model runs, from the command line.
#[derive(Debug, Clone, Copy)]
pub struct ModelRun<'a> {
    /// The ONNX model.
    pub path: &'a Path,
    /// `--batch-size`, `--class-names`, `--engine`, `--jobs`, `--threads`.
    pub settings: &'a ModelSettings,
    /// `--label-column`.
    pub label_column: &'a str,
}

impl ModelRun<'_> {
    /// The model loaded for the reference's features (named from `data` when one is
    /// categorical).
    fn runner<'s>(
        &self,
        data: &Path,
        reference: &Reference,
        sink: &'s mut dyn FnMut(PredictionRow),
    ) -> anyhow::Result<Runner<'s>> {
        csv_input::numeric_features(data, reference)?;
        let engine = self.settings.resolve_engine()?;
        Runner::new(
            self.path,
            &engine,
            &reference
                .features
                .iter()
                .map(|f| f.name.clone())
                .collect::<Vec<_>>(),
            RunOptions {
                batch_size: self.settings.batch_size,
                jobs: self.settings.jobs.max(1),
                class_names: self.settings.dataset.class_names.clone(),
            },
            sink,
        )
    }

    /// Runs the model on a reference dataset (CSV, image folder, NumPy file) and summarises its predictions (the
    /// performance is measured when the CSV has the label column).
    ///
    /// # Errors
    /// The model cannot run on the reference's rows.
    pub fn on_reference(
        &self,
        csv: &Path,
        reference: &Reference,
    ) -> anyhow::Result<PredictionReference> {
        let mut rows = Vec::new();
        let mut keep = |row: PredictionRow| rows.push(row);
        if is_dataset(csv) {
            let output = dataset_run::run(self, csv, 0, &mut keep)?;
            return summary::summarise(&rows, self.path, &output, None);
        }
        let mut runner = self.runner(csv, reference, &mut keep)?;
        csv_input::read(
            csv,
            reference,
            self.label_column,
            0,
            &mut |features, label| runner.push(features, label),
        )?;
        runner.flush()?;
        let output = runner.output_name();
        runner.finish()?;
        summary::summarise(
            &rows,
            self.path,
            &output,
            self.settings.dataset.class_names.as_deref(),
        )
    }

    /// Runs the model on the current data (a CSV, an image folder or NumPy file, or the
    /// requests of a log), after its first
    /// `skip` rows, into `tally`; warns about requests whose labels are not one per row.
    ///
    /// # Errors
    /// The model cannot run on the current rows.
    pub fn on_current(
        &self,
        current: &Path,
        reference: &Reference,
        (skip, tally): (u64, &mut Tally),
        warn: &mut dyn FnMut(String),
    ) -> anyhow::Result<()> {
        let mut count = |row: PredictionRow| tally.add(&row);
        if reads_as_dataset(current, self.settings.dataset.text.is_some()) {
            dataset_run::run(self, current, skip, &mut count)?;
            return Ok(());
        }
        let mut runner = self.runner(current, reference, &mut count)?;
        let mut push = |features: &[f32], label: Option<String>| runner.push(features, label);
        if is_log(current) {
            let mislabelled = log::requests(current, reference, skip, &mut push)?;
            warn_mislabelled(current, mislabelled, warn);
        } else {
            csv_input::read(current, reference, self.label_column, skip, &mut push)?;
        }
        runner.finish()
    }
}

/// The predictions on the current data and where they came from, or why there are none:
/// `--model` run on the current rows after the first `skip` (with a warning when it is not the
/// model the reference's predictions came from), else the responses of a log (its last
/// `window` rows; `texts`: the current file is read as texts, never as a log).
///
/// # Errors
/// The model cannot run on the current data, or the log cannot be read.
pub fn current_predictions(
    reference: &Reference,
    run: Option<&ModelRun<'_>>,
    (current, skip, window, texts): (&Path, u64, u64, bool),
    class_names: Option<&[String]>,
    warn: &mut dyn FnMut(String),
) -> anyhow::Result<Result<(Tally, String), String>> {
    let mut tally = Tally::new(reference.predictions.as_ref(), class_names);
    if let Some(run) = run {
        if let Some(expected) = reference
            .predictions
            .as_ref()
            .and_then(|p| p.model_sha256.as_deref())
        {
            let actual = summary::sha256_file(run.path)?;
            if actual != expected {
                warn(format!(
                    "{}: sha256 {actual} differs from the reference's model ({expected}): its predictions were made by another model",
                    run.path.display()
                ));
            }
        }
        run.on_current(current, reference, (skip, &mut tally), warn)?;
        return Ok(Ok((
            tally,
            format!("{} run on the current data", run.path.display()),
        )));
    }
    if texts || !is_log(current) {
        return Ok(Err(
            "no predictions on the current data: give --model M.onnx".to_owned(),
        ));
    }
    let rows = from_responses(current, window, class_names, warn)?;
    rows.iter().for_each(|row| tally.add(row));
    Ok(if rows.is_empty() {
        Err("the log has no responses, and no --model was given".to_owned())
    } else {
        Ok((tally, "the responses in the log".to_owned()))
    })
}

/// The current predictions from the responses of a log: the last `keep` of them (the window),
/// and a warning when requests went unanswered.
///
/// # Errors
/// The log cannot be read.
pub fn from_responses(
    current: &Path,
    keep: u64,
    class_names: Option<&[String]>,
    warn: &mut dyn FnMut(String),
) -> anyhow::Result<Vec<PredictionRow>> {
    let mut found = log::responses(current, class_names)?;
    // A log of requests alone has no responses at all: nothing to warn about.
    if found.unanswered > 0 && !found.rows.is_empty() {
        warn(format!(
            "{}: {} request row(s) have no response in the log; the model checks leave them out",
            current.display(),
            found.unanswered
        ));
    }
    warn_mislabelled(current, found.mislabelled, warn);
    let extra = found
        .rows
        .len()
        .saturating_sub(usize::try_from(keep).unwrap_or(usize::MAX));
    found.rows.drain(..extra);
    Ok(found.rows)
}

/// A warning for requests whose labels are not one per row.
fn warn_mislabelled(log: &Path, requests: u64, warn: &mut dyn FnMut(String)) {
    if requests > 0 {
        warn(format!(
            "{}: {requests} request(s) have labels that are not one per row; their rows count as unlabelled",
            log.display()
        ));
    }
}

/// Refuses the model flags that only apply to images, for CSV rows and request logs (fed to the
/// model as they are).
///
/// # Errors
/// Naming the first such flag given.
pub fn refuse_image_flags(args: &modelci_cli::flags::ModelArgs) -> anyhow::Result<()> {
    let given = [
        ("--layout", args.layout.is_some()),
        ("--image-size", args.image_size.is_some()),
        ("--input-shape", !args.input_shape.is_empty()),
        ("--resize", args.resize != "stretch"),
        ("--pad-value", args.pad_value.is_some()),
        ("--scale", args.scale.is_some()),
        ("--mean", !args.mean.is_empty()),
        ("--std", !args.std.is_empty()),
    ];
    if let Some((flag, _)) = given.iter().find(|(_, on)| *on) {
        bail!(
            "{flag} applies to images (an image folder or NumPy file as --current or --reference); drift-check feeds the model CSV rows and request logs as they are"
        );
    }
    Ok(())
}
