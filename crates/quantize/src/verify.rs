//! Does the quantized model still work? A probe run in tract, and the dataset comparison.
//!
//! The probe feeds the same deterministic pseudo-random input (values in [0, 1), four samples)
//! to both models and measures the largest output difference relative to the largest original
//! output value. It needs no data, so every run is verified; `--dataset` then measures what
//! users care about through the evaluation core.

use std::path::Path;

use modelci_cli::flags::ModelSettings;
use modelci_eval::engine::OutputData;
use modelci_eval::output::OutputForm;
use modelci_eval::{Dataset, EvalError, Evaluation, InputLayout, Model};
use serde::Serialize;

/// Samples in the probe batch.
pub const PROBE_BATCH: usize = 4;

/// What the probe found.
#[derive(Debug, Clone, Serialize)]
pub struct Probe {
    /// Whether the original model runs in tract (without it there is nothing to compare).
    pub original_runs: bool,
    /// Whether the quantized model loads and runs in tract.
    pub quantized_runs: bool,
    /// Why a model did not load or run.
    pub error: Option<String>,
    /// The input shape fed.
    pub shape: Vec<usize>,
    /// Largest |original - quantized| over all float outputs, relative to the largest
    /// |original| value.
    pub max_relative_error: Option<f64>,
    /// Share of probe samples with the same predicted class (argmax or label output).
    pub agreement: Option<f64>,
}

/// Runs the probe on both files.
#[must_use]
pub fn probe(original: &Path, quantized: &Path) -> Probe {
    let mut probe = Probe {
        original_runs: false,
        quantized_runs: false,
        error: None,
        shape: Vec::new(),
        max_relative_error: None,
        agreement: None,
    };
    let reference = match Model::load(original).and_then(|mut m| {
        let shape = probe_shape(&m);
        let input = probe_input(shape.iter().product());
        m.run(&shape, &input).map(|out| (shape, input, out))
    }) {
        Ok(r) => r,
        Err(e) => {
            probe.error = Some(format!(
                "the original does not run in tract, so the output was not compared: {e}"
            ));
            return probe;
        }
    };
    probe.original_runs = true;
    let (shape, input, expected) = reference;
    probe.shape.clone_from(&shape);
    let got = match Model::load(quantized).and_then(|mut m| m.run(&shape, &input)) {
        Ok(out) => out,
        Err(e) => {
            probe.error = Some(format!("the quantized model does not run in tract: {e}"));
            return probe;
        }
    };
    probe.quantized_runs = true;
    let mut max_diff = 0f64;
    let mut max_ref = 0f64;
    let mut same = 0usize;
    let mut compared = 0usize;
    for (e, g) in expected.iter().zip(&got) {
        match (&e.data, &g.data) {
            (OutputData::F32(a), OutputData::F32(b)) => {
                for (x, y) in a.iter().zip(b) {
                    max_diff = max_diff.max(f64::from((x - y).abs()));
                    max_ref = max_ref.max(f64::from(x.abs()));
                }
                if e.shape.len() == 2 && e.shape[1] > 1 && compared == 0 {
                    let cols = e.shape[1];
                    for (ra, rb) in a.chunks(cols).zip(b.chunks(cols)) {
                        compared += 1;
                        same += usize::from(argmax(ra) == argmax(rb));
                    }
                }
            }
            (OutputData::I64(a), OutputData::I64(b)) if compared == 0 => {
                for (x, y) in a.iter().zip(b) {
                    compared += 1;
                    same += usize::from(x == y);
                }
            }
            _ => {}
        }
    }
    probe.max_relative_error = Some(if max_ref > 0.0 {
        max_diff / max_ref
    } else {
        max_diff
    });
    #[allow(clippy::cast_precision_loss)]
    {
        probe.agreement = (compared > 0).then(|| same as f64 / compared as f64);
    }
    probe
}

fn argmax(row: &[f32]) -> usize {
    row.iter()
        .enumerate()
        .fold((0, f32::NEG_INFINITY), |best, (i, &v)| {
            if v > best.1 { (i, v) } else { best }
        })
        .0
}

/// The probe's input shape: the declared one, with [`PROBE_BATCH`] for a dynamic batch and 1
/// for other dynamic sizes.
fn probe_shape(model: &Model) -> Vec<usize> {
    let spec = &model.signature().inputs[0];
    let dims = spec.dims.clone().unwrap_or_default();
    dims.iter()
        .enumerate()
        .map(|(i, d)| d.fixed().unwrap_or(if i == 0 { PROBE_BATCH } else { 1 }))
        .collect()
}

/// Deterministic values in [0, 1) (a linear congruential generator, so runs are reproducible).
fn probe_input(len: usize) -> Vec<f32> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            #[allow(clippy::cast_precision_loss)]
            let v = (state >> 40) as f32 / (1u64 << 24) as f32;
            v
        })
        .collect()
}

/// Checks on the first batch, before anything is written, that the evaluation core can compare
/// `model` on `dataset`: the samples fit its input and its outputs are predictions (class
/// scores, labels or values). A model that is not a classifier or regressor the data fits
/// fails here with the evaluation core's one-line message.
///
/// # Errors
/// The evaluation core's error, naming the file.
pub fn check_dataset(
    model: &Path,
    dataset: &Path,
    settings: &ModelSettings,
) -> Result<(), EvalError> {
    let mut runner = Model::load(model)?;
    let layout = InputLayout::derive(&runner.signature().inputs[0], settings.layout)
        .map_err(|reason| EvalError::incompatible(model, reason))?;
    let mut data = Dataset::open(dataset, &settings.dataset)?;
    let pre = &settings.preprocess;
    let batch_size = settings.batch_size;
    let mut checked = false;
    let mut input = Vec::new();
    let streamed = data.stream(batch_size, &mut |batch| {
        for sample in &batch {
            layout
                .fill(&sample.data, pre, &mut input)
                .map_err(|reason| {
                    EvalError::incompatible(
                        model,
                        format!("cannot take sample `{}`: {reason}", sample.id),
                    )
                })?;
        }
        let outputs = runner.run(&layout.batch_shape(batch.len()), &input)?;
        OutputForm::detect(&outputs, batch.len())
            .map_err(|reason| EvalError::incompatible(model, reason))?;
        checked = true;
        // One batch is enough: stop the stream.
        Err(EvalError::dataset(dataset, "checked"))
    });
    match streamed {
        Err(_) if checked => Ok(()),
        other => other,
    }
}

/// Evaluates the original and the quantized model on `dataset`.
///
/// # Errors
/// The evaluation core's error, naming the file.
pub fn evaluate(
    original: &Path,
    quantized: &Path,
    dataset: &Path,
    settings: &ModelSettings,
    progress: &mut dyn FnMut(usize),
) -> Result<Evaluation, modelci_eval::EvalError> {
    // `--engine` (issue 17): the accuracy and latency of both files in the chosen engine.
    let engine = settings.resolve_engine()?;
    let mut models = vec![
        Model::load_with(original, &engine)?,
        Model::load_with(quantized, &engine)?,
    ];
    let mut data = Dataset::open(dataset, &settings.dataset)?;
    let options = settings.evaluation_options();
    modelci_eval::evaluate::evaluate(&mut models, &mut data, &options, progress)
}

#[cfg(test)]
mod tests {
    #[test]
    fn probe_input_is_deterministic_and_in_range() {
        let a = super::probe_input(100);
        assert_eq!(a, super::probe_input(100));
        assert!(a.iter().all(|v| (0.0..1.0).contains(v)));
        assert!(a.iter().any(|&v| v > 0.5) && a.iter().any(|&v| v < 0.5));
    }
}
