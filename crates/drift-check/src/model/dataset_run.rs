//! Runs the monitored model on a dataset eval-diff reads (an image folder, a NumPy `.npz` or
//! `.npy` file) through [`modelci_eval`]'s evaluation loop, with the same preprocessing flags
//! eval-diff takes (`--image-size`, `--layout`, `--scale`, `--mean`, `--std`, ...). Classes are
//! named as eval-diff `--reference-stats` names them (the dataset's class names, else their
//! index), and so are the labels (an image folder's class folders, an `.npz`'s label array).

use std::path::Path;

use modelci_eval::evaluate::evaluate_observed;
use modelci_eval::{Dataset, Model, Task};

use super::ModelRun;
use super::rows::{PredictionRow, from_prediction};

/// Opens the dataset with the model flags; a NumPy file without labels is read unlabelled.
fn open(run: &ModelRun<'_>, path: &Path) -> anyhow::Result<Dataset> {
    match Dataset::open(path, &run.settings.dataset) {
        Ok(dataset) => Ok(dataset),
        Err(error) if path.is_dir() => Err(error.into()),
        Err(error) => Dataset::open_unlabelled(path).map_err(|_| error.into()),
    }
}

/// Runs the model on the samples of `path` after the first `skip`, handing each prediction
/// (with its label when the dataset has one) to `sink`, in dataset order; returns the name of
/// the output the predictions were read from.
///
/// # Errors
/// One line naming the dataset or the model: unreadable, or the model does not take its
/// samples.
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "a classifier's label is a class index"
)]
pub(crate) fn run(
    run: &ModelRun<'_>,
    path: &Path,
    skip: u64,
    sink: &mut dyn FnMut(PredictionRow),
) -> anyhow::Result<String> {
    let engine = run.settings.resolve_engine()?;
    let mut models = vec![Model::load_with(run.path, &engine)?];
    let mut dataset = open(run, path)?;
    let skip = usize::try_from(skip)
        .unwrap_or(usize::MAX)
        .min(dataset.len());
    if skip > 0 {
        dataset.select(skip..dataset.len());
    }
    let names: Vec<String> = dataset
        .class_names()
        .map(<[String]>::to_vec)
        .unwrap_or_default();
    let named = |class: usize| {
        names
            .get(class)
            .cloned()
            .unwrap_or_else(|| class.to_string())
    };
    let options = run.settings.evaluation_options();
    evaluate_observed(
        &mut models,
        None,
        &mut dataset,
        &options,
        &mut |_| {},
        &mut |sample| {
            let Some(Some(prediction)) = sample.predictions.first() else {
                return;
            };
            let mut row = from_prediction((*prediction).clone(), Some(&names));
            row.label = sample.label.is_finite().then(|| match sample.task {
                Task::Classification => named(sample.label as usize),
                Task::Regression => sample.label.to_string(),
            });
            sink(row);
        },
    )?;
    let signature = models[0].signature();
    Ok(signature
        .outputs
        .iter()
        .find(|o| o.dims.as_ref().is_some_and(|d| d.len() == 2))
        .or_else(|| signature.outputs.first())
        .map_or_else(String::new, |o| o.name.clone()))
}
