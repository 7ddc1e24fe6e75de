//! Calibration for `--mode static`: run the calibration data (raw inputs from
//! `--calibration-data`, or the `--dataset`; every model input by name, any element type)
//! through a copy of the model that exposes the activations to quantize, and reduce each to a
//! range.
//!
//! - `minmax`: the smallest and largest value seen;
//! - `percentile`: the P-th and (100-P)-th percentiles of a sample of the values (every value of
//!   small tensors; a regular stride of at most [`SAMPLES_PER_BATCH`] values per batch of large
//!   ones), which ignores rare outliers that would waste the 256 levels.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context as _;
use modelci_cli::flags::ModelSettings;
use modelci_eval::engine::OutputData;
use modelci_eval::{Engine, InputData, InputTensor, Model, OutputTensor};
use modelci_onnx::ModelProto;
use modelci_quantize::Calibration;

use crate::feed::{Feed, Origin};

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

/// Measures the ranges of the activations `modelci_quantize::calibration::targets` names on
/// the samples of `data` (raw inputs or a dataset, every model input fed by name; integer
/// inputs are fed and never measured), and counts the samples they were measured on.
///
/// # Errors
/// When the instrumented model cannot be written or run, or the data does not fit it (one
/// line naming the file, the array and the input expected).
pub fn calibrate(
    model: &ModelProto,
    exclude: &[String],
    data: (&Path, Origin),
    settings: &ModelSettings,
    scratch: &Path,
    method: Method,
    engine: &Engine,
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
    let mut runner =
        Model::load_with(file.path(), engine).context("loading the calibration model")?;
    let signature = runner.signature().clone();
    let mut seen = Seen {
        targets: &targets,
        input_names: signature.inputs.iter().map(|i| i.name.clone()).collect(),
        collected: HashMap::new(),
        samples: 0,
    };
    let (path, origin) = data;
    let mut feed = Feed::open(path, origin, &signature, settings, settings.batch_size)?;
    feed.for_each(usize::MAX, &mut |batch, real| {
        let outputs = runner.run_inputs(batch)?;
        seen.add(real, batch, &outputs);
        Ok(())
    })
    .with_context(|| format!("{}: running the calibration samples", path.display()))?;
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
    input_names: Vec<String>,
    collected: HashMap<String, Collected>,
    samples: u64,
}

impl Seen<'_> {
    /// Records one batch: the float model inputs that are targets, and the exposed
    /// activations (padding rows of a fixed batch size are measured too: they repeat a real
    /// sample, so no range widens).
    fn add(&mut self, real: usize, inputs: &[InputTensor], outputs: &[OutputTensor]) {
        self.samples += real as u64;
        for (name, input) in self.input_names.iter().zip(inputs) {
            if let (true, InputData::F32(values)) = (self.targets.contains(name), &input.data) {
                self.collected.entry(name.clone()).or_default().add(values);
            }
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
