//! The local side of the smoke check: the samples, preprocessed for the local ONNX model, and
//! that model's answers ([`modelci_eval`], the same loading and preprocessing as eval-diff).

use std::collections::BTreeSet;
use std::path::Path;

use modelci_eval::output::{OutputForm, Prediction};
use modelci_eval::{
    Dataset, DatasetOptions, EvalError, InputLayout, LayoutOverride, Model, Preprocess,
};

/// What a model answered for one sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Answer {
    /// A class index.
    Class(usize),
    /// A regression value.
    Value(f64),
}

/// Samples ready to send, with the local model's answers.
#[derive(Debug, Clone)]
pub struct LocalSamples {
    /// The model input's name (sent as the tensor name).
    pub input_name: String,
    /// One sample's shape, without the batch axis.
    pub sample_shape: Vec<usize>,
    /// Each sample's values, row-major, as the local model got them.
    pub features: Vec<Vec<f32>>,
    /// Each sample's file name or row, for messages.
    pub ids: Vec<String>,
    /// The local model's answer for each sample.
    pub answers: Vec<Answer>,
}

/// Loads `model` (in `engine`, `--engine`) and `dataset`, picks `count` samples spread evenly over the dataset (so that an
/// image folder sorted by class is not sampled from its first class only), and runs the model.
///
/// # Errors
/// [`EvalError`] naming the file: unreadable model or dataset, a model that cannot take the
/// samples, outputs that are neither classes nor values.
pub fn prepare(
    model_path: &Path,
    dataset_path: &Path,
    label_column: &str,
    count: usize,
    engine: &modelci_eval::Engine,
) -> Result<LocalSamples, EvalError> {
    let mut model = Model::load_with(model_path, engine)?;
    let spec = model.signature().inputs[0].clone();
    let layout = InputLayout::derive(&spec, LayoutOverride::default())
        .map_err(|reason| EvalError::incompatible(model_path, reason))?;
    let pre = Preprocess::default();
    let options = DatasetOptions {
        label_column: Some(label_column.to_owned()),
        class_names: None,
        text: None,
    };
    let mut dataset = Dataset::open(dataset_path, &options)?;
    let total = dataset.len();
    if total == 0 {
        return Err(EvalError::dataset(
            dataset_path,
            "the dataset has no samples",
        ));
    }
    let n = count.min(total);
    let chosen: BTreeSet<usize> = (0..n).map(|i| i * total / n).collect();
    let mut features = Vec::with_capacity(n);
    let mut ids = Vec::with_capacity(n);
    let mut index = 0usize;
    dataset.stream(64, &mut |batch| {
        for sample in batch {
            if chosen.contains(&index) {
                let mut values = Vec::with_capacity(layout.sample_len());
                layout
                    .fill(&sample.data, &pre, &mut values)
                    .map_err(|reason| {
                        EvalError::incompatible(dataset_path.join(&sample.id), reason)
                    })?;
                features.push(values);
                ids.push(sample.id);
            }
            index += 1;
        }
        Ok(())
    })?;
    let flat: Vec<f32> = features.iter().flatten().copied().collect();
    let batch = features.len();
    let outputs = model.run(&layout.batch_shape(batch), &flat)?;
    let form = OutputForm::detect(&outputs, batch)
        .map_err(|reason| EvalError::incompatible(model_path, reason))?;
    let answers = (0..batch)
        .map(|row| match form.read(&outputs, row) {
            Ok(Prediction::Class { class, .. }) => Ok(Answer::Class(class)),
            Ok(Prediction::Value(v)) => Ok(Answer::Value(v)),
            Err(why) => Err(EvalError::incompatible(
                model_path,
                format!("output for sample {} has {why}", ids[row]),
            )),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(LocalSamples {
        input_name: spec.name,
        sample_shape: layout.sample_shape.clone(),
        features,
        ids,
        answers,
    })
}
