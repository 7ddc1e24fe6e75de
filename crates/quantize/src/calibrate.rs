//! Calibration for `--mode static`: run the dataset through a copy of the model that exposes
//! the activations to quantize, and reduce each to a range.
//!
//! - `minmax`: the smallest and largest value seen;
//! - `percentile`: the P-th and (100-P)-th percentiles of a sample of the values (every value of
//!   small tensors; a regular stride of at most [`SAMPLES_PER_BATCH`] values per batch of large
//!   ones), which ignores rare outliers that would waste the 256 levels.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context as _, anyhow};
use modelci_eval::engine::OutputData;
use modelci_eval::{Dataset, DatasetOptions, InputLayout, LayoutOverride, Model, Preprocess};
use modelci_onnx::ModelProto;
use modelci_quantize::Calibration;

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

/// Measures the ranges of the activations `modelci_quantize::calibration::targets` names.
///
/// # Errors
/// When the instrumented model cannot be written or run, or the dataset does not fit it.
pub fn calibrate(
    model: &ModelProto,
    exclude: &[String],
    dataset: &Path,
    scratch: &Path,
    method: Method,
    batch_size: usize,
    label_column: &str,
) -> anyhow::Result<Calibration> {
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
    let input_name = runner.signature().inputs[0].name.clone();
    let layout = InputLayout::derive(&runner.signature().inputs[0], LayoutOverride::default())
        .map_err(|e| anyhow!("{}: {e}", dataset.display()))?;
    let options = DatasetOptions {
        label_column: Some(label_column.to_owned()),
        class_names: None,
    };
    let mut data = Dataset::open(dataset, &options)?;
    let mut seen: HashMap<String, Collected> = HashMap::new();
    let pre = Preprocess::default();
    let mut input = Vec::new();
    data.stream(batch_size, &mut |batch| {
        input.clear();
        for sample in &batch {
            layout
                .fill(&sample.data, &pre, &mut input)
                .map_err(|reason| {
                    modelci_eval::EvalError::incompatible(
                        dataset,
                        format!("sample `{}`: {reason}", sample.id),
                    )
                })?;
        }
        let outputs = runner.run(&layout.batch_shape(batch.len()), &input)?;
        if targets.contains(&input_name) {
            seen.entry(input_name.clone()).or_default().add(&input);
        }
        for out in outputs {
            if let (true, OutputData::F32(values)) = (targets.contains(&out.name), &out.data) {
                seen.entry(out.name.clone()).or_default().add(values);
            }
        }
        Ok(())
    })?;
    Ok(Calibration {
        ranges: seen
            .into_iter()
            .map(|(name, c)| (name, c.range(method)))
            .collect(),
    })
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
