//! Calibration for `--mode static`: run the calibration data (raw inputs from
//! `--calibration-data`, or the `--dataset`) through a copy of the model that exposes the
//! activations to quantize, and reduce each to a range.
//!
//! - `minmax`: the smallest and largest value seen;
//! - `percentile`: the P-th and (100-P)-th percentiles of a sample of the values (every value of
//!   small tensors; a regular stride of at most [`SAMPLES_PER_BATCH`] values per batch of large
//!   ones), which ignores rare outliers that would waste the 256 levels.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context as _, anyhow};
use modelci_cli::flags::ModelSettings;
use modelci_eval::engine::OutputData;
use modelci_eval::{Dataset, InputLayout, Model};
use modelci_onnx::ModelProto;
use modelci_quantize::Calibration;

use crate::inputs::Inputs;

/// Values kept per tensor and batch for the percentile method.
pub const SAMPLES_PER_BATCH: usize = 20_000;

/// How activation ranges are chosen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Method {
    /// Smallest and largest value.
    MinMax,
    /// The given percentile of the high end (and its mirror at the low end).
    Percentile(f64),
}

/// Where the calibration values come from.
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    /// A labelled dataset the evaluation core reads (images, `.npz`/`.npy` with labels, CSV),
    /// preprocessed for the model's input like an evaluation.
    Dataset {
        /// The dataset path.
        path: &'a Path,
        /// How the data is read and fed (labels, layout, preprocessing).
        settings: &'a ModelSettings,
    },
    /// Raw model inputs (`--calibration-data`), fed as they are.
    Inputs(&'a Inputs),
}

/// Measures the ranges of the activations `modelci_quantize::calibration::targets` names, and
/// counts the samples they were measured on.
///
/// # Errors
/// When the instrumented model cannot be written or run, or the data does not fit it (the
/// message names the file and, for raw inputs, both shapes).
pub fn calibrate(
    model: &ModelProto,
    exclude: &[String],
    source: Source<'_>,
    scratch: &Path,
    method: Method,
    batch_size: usize,
) -> anyhow::Result<(Calibration, u64)> {
    let targets = modelci_quantize::calibration::targets(model, exclude);
    let instrumented = modelci_quantize::calibration::instrument(model, &targets);
    let file = tempfile::Builder::new()
        .prefix(".quantize-calibration-")
        .suffix(".onnx")
        .tempfile_in(scratch)
        .context("writing the calibration model")?;
    std::fs::write(file.path(), modelci_onnx::encode(&instrumented))
        .context("writing the calibration model")?;
    let mut runner = Model::load(file.path()).context("loading the calibration model in tract")?;
    let mut seen = Seen {
        targets: &targets,
        input_name: runner.signature().inputs[0].name.clone(),
        collected: HashMap::new(),
        samples: 0,
    };
    match source {
        Source::Dataset { path, settings } => {
            from_dataset(&mut runner, path, settings, batch_size, &mut seen)?;
        }
        Source::Inputs(inputs) => from_inputs(&mut runner, inputs, batch_size, &mut seen)?,
    }
    let samples = seen.samples;
    Ok((
        Calibration {
            ranges: seen
                .collected
                .into_iter()
                .map(|(name, c)| (name, c.range(method)))
                .collect(),
        },
        samples,
    ))
}

/// The values seen so far, per target tensor.
struct Seen<'a> {
    targets: &'a [String],
    input_name: String,
    collected: HashMap<String, Collected>,
    samples: u64,
}

impl Seen<'_> {
    /// Records one batch: the model input (when it is a target) and the exposed activations.
    fn add(&mut self, batch: usize, input: &[f32], outputs: &[modelci_eval::OutputTensor]) {
        self.samples += batch as u64;
        if self.targets.contains(&self.input_name) {
            self.collected
                .entry(self.input_name.clone())
                .or_default()
                .add(input);
        }
        for out in outputs {
            if let (true, OutputData::F32(values)) = (self.targets.contains(&out.name), &out.data) {
                self.collected
                    .entry(out.name.clone())
                    .or_default()
                    .add(values);
            }
        }
    }
}

fn from_dataset(
    runner: &mut Model,
    dataset: &Path,
    settings: &ModelSettings,
    batch_size: usize,
    seen: &mut Seen<'_>,
) -> anyhow::Result<()> {
    let layout = InputLayout::derive(&runner.signature().inputs[0], settings.layout)
        .map_err(|e| anyhow!("{}: {e}", dataset.display()))?;
    let mut data = Dataset::open(dataset, &settings.dataset)?;
    let pre = &settings.preprocess;
    let mut input = Vec::new();
    data.stream(batch_size, &mut |batch| {
        input.clear();
        for sample in &batch {
            layout
                .fill(&sample.data, pre, &mut input)
                .map_err(|reason| {
                    modelci_eval::EvalError::incompatible(
                        dataset,
                        format!("sample `{}`: {reason}", sample.id),
                    )
                })?;
        }
        let outputs = runner.run(&layout.batch_shape(batch.len()), &input)?;
        seen.add(batch.len(), &input, &outputs);
        Ok(())
    })?;
    Ok(())
}

/// Feeds raw inputs in batches of `batch_size` (or the model's fixed batch size).
fn from_inputs(
    runner: &mut Model,
    inputs: &Inputs,
    batch_size: usize,
    seen: &mut Seen<'_>,
) -> anyhow::Result<()> {
    let spec = &runner.signature().inputs[0];
    let declared = spec.dims.as_ref().map(|dims| {
        let text: Vec<String> = dims.iter().map(ToString::to_string).collect();
        (dims.clone(), format!("[{}]", text.join(", ")))
    });
    let mut batch_size = batch_size.max(1);
    if let Some((dims, text)) = &declared {
        let fits = dims.len() == inputs.shape.len()
            && dims
                .iter()
                .zip(&inputs.shape)
                .skip(1)
                .all(|(d, &n)| d.fixed().is_none_or(|f| f == n));
        if !fits {
            return Err(anyhow!(
                "{}: the calibration array has shape {:?} but the model's input `{}` is {text} (expected [samples, ...] with the model's sample shape)",
                inputs.path.display(),
                inputs.shape,
                spec.name,
            ));
        }
        if let Some(fixed) = dims.first().and_then(modelci_eval::Dim::fixed) {
            if fixed == 0 || !inputs.samples().is_multiple_of(fixed) {
                return Err(anyhow!(
                    "{}: the model's input `{}` is {text}, a fixed batch of {fixed}, but the calibration array has {} samples (use a multiple of {fixed})",
                    inputs.path.display(),
                    spec.name,
                    inputs.samples(),
                ));
            }
            batch_size = fixed;
        }
    }
    let per_sample = inputs.sample_len();
    let sample_shape = &inputs.shape[1..];
    for chunk in inputs.values.chunks(batch_size * per_sample.max(1)) {
        let batch = chunk.len() / per_sample.max(1);
        let mut shape = vec![batch];
        shape.extend_from_slice(sample_shape);
        let outputs = runner
            .run(&shape, chunk)
            .with_context(|| format!("{}: running the calibration batch", inputs.path.display()))?;
        seen.add(batch, chunk, &outputs);
    }
    Ok(())
}

#[derive(Default)]
struct Collected {
    min: f32,
    max: f32,
    sample: Vec<f32>,
}

impl Collected {
    fn add(&mut self, values: &[f32]) {
        for &v in values.iter().filter(|v| v.is_finite()) {
            self.min = self.min.min(v);
            self.max = self.max.max(v);
        }
        let stride = values.len().div_ceil(SAMPLES_PER_BATCH).max(1);
        self.sample
            .extend(values.iter().step_by(stride).filter(|v| v.is_finite()));
    }

    fn range(mut self, method: Method) -> (f32, f32) {
        match method {
            Method::MinMax => (self.min, self.max),
            Method::Percentile(p) => {
                if self.sample.is_empty() {
                    return (self.min, self.max);
                }
                self.sample.sort_by(f32::total_cmp);
                let last = self.sample.len() - 1;
                #[allow(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    clippy::cast_precision_loss
                )]
                let at = |q: f64| self.sample[((q / 100.0) * last as f64).round() as usize];
                (at(100.0 - p), at(p))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Collected, Method};

    #[test]
    fn percentile_ignores_the_outlier_min_max_keeps_it() {
        let mut c = Collected::default();
        let mut values: Vec<f32> = (0..1000).map(|i| i as f32 / 1000.0).collect();
        values.push(100.0);
        c.add(&values);
        let mut d = Collected::default();
        d.add(&values);
        assert_eq!(c.range(Method::MinMax), (0.0, 100.0));
        let (low, high) = d.range(Method::Percentile(99.0));
        assert!(low < 0.02 && (0.98..1.0).contains(&high), "{low} {high}");
    }
}
