//! Does the quantized model still compute what the original did? Both run in the engine on the
//! same inputs ([`crate::feed`]: the samples of `--calibration-data` or `--dataset`, else
//! generated inputs) and every output is compared element by element.
//!
//! A value the quantized model gives as NaN or infinite where the original's is finite is a
//! failure, never a difference of 0. Per output the comparison keeps the largest and the mean
//! absolute difference and, for score outputs (`[N, classes]`) and label outputs, how often
//! the top-1 class agrees. When a model cannot run (or no input can be built), the result is
//! "not verified" with the reason: nothing is claimed that was not measured.

use std::path::Path;

use modelci_cli::flags::ModelSettings;
use modelci_eval::engine::OutputData;
use modelci_eval::output::OutputForm;
use modelci_eval::{
    CrossCheck, Engine, EvalError, Evaluation, InputTensor, Model, ModelSignature, OutputTensor,
};
use serde::Serialize;

use crate::feed::{self, Feed, Origin};

/// At most this many samples of the data are used for the verification.
pub const MAX_SAMPLES: usize = 256;

/// Where the verification inputs came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inputs<'a> {
    /// A data file (`--calibration-data` or `--dataset`).
    Data(&'a Path, Origin),
    /// Generated inputs.
    Generated,
}

/// One output, original vs quantized.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OutputDiff {
    /// The output's name.
    pub name: String,
    /// Values compared (finite in the original).
    pub values: u64,
    /// Values the quantized model gave as NaN or infinite where the original's was finite.
    pub non_finite: u64,
    /// Values that were already NaN or infinite in the original (not compared).
    pub original_non_finite: u64,
    /// Largest |original - quantized|.
    pub max_abs_diff: f64,
    /// Mean |original - quantized|.
    pub mean_abs_diff: f64,
    /// Largest |original| value (the scale of the differences).
    pub max_abs_original: f64,
    /// Share of rows with the same top-1 class (score outputs `[N, classes]` and label
    /// outputs).
    pub top1_agreement: Option<f64>,
    /// Whether the output holds integers (labels): judged by agreement, not by the size of
    /// the difference (class 7 instead of 3 is not "4 off").
    pub integer: bool,
    #[serde(skip)]
    rows: u64,
    #[serde(skip)]
    rows_same: u64,
    #[serde(skip)]
    sum_abs_diff: f64,
}

impl OutputDiff {
    fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            values: 0,
            non_finite: 0,
            original_non_finite: 0,
            max_abs_diff: 0.0,
            mean_abs_diff: 0.0,
            max_abs_original: 0.0,
            top1_agreement: None,
            integer: false,
            rows: 0,
            rows_same: 0,
            sum_abs_diff: 0.0,
        }
    }

    /// Adds one batch of this output; `real` rows are samples (the rest is padding).
    fn add(&mut self, original: &OutputTensor, quantized: &OutputTensor, real: usize) {
        let rows = original.shape.first().copied().unwrap_or(1).max(1);
        let per_row = (original.shape.iter().product::<usize>() / rows).max(1);
        let (a, b) = (as_f64(&original.data), as_f64(&quantized.data));
        let keep = (real.min(rows) * per_row).min(a.len()).min(b.len());
        for (&x, &y) in a[..keep].iter().zip(&b[..keep]) {
            if !x.is_finite() {
                self.original_non_finite += 1;
            } else if !y.is_finite() {
                self.non_finite += 1;
            } else {
                let d = (x - y).abs();
                self.values += 1;
                self.sum_abs_diff += d;
                self.max_abs_diff = self.max_abs_diff.max(d);
                self.max_abs_original = self.max_abs_original.max(x.abs());
            }
        }
        let scores = matches!(original.data, OutputData::F32(_))
            && original.shape.len() == 2
            && original.shape[1] > 1;
        self.integer = matches!(original.data, OutputData::I64(_));
        let labels = self.integer && per_row == 1;
        if scores {
            for (ra, rb) in a[..keep].chunks(per_row).zip(b[..keep].chunks(per_row)) {
                self.rows += 1;
                self.rows_same += u64::from(argmax(ra).is_some() && argmax(ra) == argmax(rb));
            }
        } else if labels {
            for (x, y) in a[..keep].iter().zip(&b[..keep]) {
                self.rows += 1;
                self.rows_same += u64::from(x == y);
            }
        }
        #[allow(clippy::cast_precision_loss)]
        {
            self.mean_abs_diff = if self.values > 0 {
                self.sum_abs_diff / self.values as f64
            } else {
                0.0
            };
            self.top1_agreement = (self.rows > 0).then(|| self.rows_same as f64 / self.rows as f64);
        }
    }
}

fn as_f64(data: &OutputData) -> Vec<f64> {
    match data {
        OutputData::F32(v) => v.iter().map(|&x| f64::from(x)).collect(),
        #[allow(clippy::cast_precision_loss)]
        OutputData::I64(v) => v.iter().map(|&x| x as f64).collect(),
    }
}

/// The index of the largest value; `None` when a value is NaN or infinite.
fn argmax(row: &[f64]) -> Option<usize> {
    if row.iter().any(|v| !v.is_finite()) {
        return None;
    }
    row.iter()
        .enumerate()
        .fold(None, |best: Option<(usize, f64)>, (i, &v)| match best {
            Some((_, b)) if b >= v => best,
            _ => Some((i, v)),
        })
        .map(|(i, _)| i)
}

/// What the verification found.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    /// Whether both models ran in the engine on the same inputs and their outputs were
    /// compared.
    pub verified: bool,
    /// Why not, when not verified.
    pub not_verified: Option<String>,
    /// Whether the comparison passed: verified, no NaN/inf the original did not have, and the
    /// largest difference within the tolerance.
    pub passed: bool,
    /// The engine both models ran in (`tract` or `onnxruntime`, `--engine`).
    pub engine: &'static str,
    /// `calibration-data`, `dataset` or `generated`.
    pub source: &'static str,
    /// The data file, for real samples.
    pub path: Option<std::path::PathBuf>,
    /// Samples compared.
    pub samples: u64,
    /// The input shapes of the first batch, one per model input.
    pub shapes: Vec<Vec<usize>>,
    /// Per output.
    pub outputs: Vec<OutputDiff>,
    /// Largest |original - quantized| over the float outputs, relative to the largest
    /// |original| (integer outputs are judged by their agreement).
    pub max_relative_error: Option<f64>,
    /// Values that became NaN or infinite, over all outputs.
    pub non_finite: u64,
    /// The tolerance the relative error was held to.
    pub tolerance: f64,
    /// Why the quantized model failed to run, when it did.
    pub error: Option<String>,
}

impl Verification {
    fn new(
        engine: &'static str,
        source: &'static str,
        path: Option<&Path>,
        tolerance: f64,
    ) -> Self {
        Self {
            verified: false,
            not_verified: None,
            passed: false,
            engine,
            source,
            path: path.map(Path::to_owned),
            samples: 0,
            shapes: Vec::new(),
            outputs: Vec::new(),
            max_relative_error: None,
            non_finite: 0,
            tolerance,
            error: None,
        }
    }

    fn unverified(mut self, reason: String) -> Self {
        self.not_verified = Some(reason);
        self
    }

    /// One line for people: what was compared and how it went.
    #[must_use]
    pub fn describe(&self) -> String {
        if let Some(reason) = &self.not_verified {
            return format!("not verified: {reason}");
        }
        if let Some(error) = &self.error {
            return error.clone();
        }
        let on = match &self.path {
            Some(p) => format!(
                "{} sample(s) of {}",
                self.samples,
                p.file_name().map_or_else(
                    || p.display().to_string(),
                    |n| n.to_string_lossy().into_owned()
                )
            ),
            None => format!("generated input {:?}", self.shapes),
        };
        let mut text = format!(
            "{} on {on}: largest difference {:.4}% of the output range",
            self.engine,
            self.max_relative_error.unwrap_or(0.0) * 100.0
        );
        if self.non_finite > 0 {
            text.push_str(&format!(
                ", {} value(s) NaN or infinite where the original's are finite",
                self.non_finite
            ));
        }
        if let Some(a) = self.outputs.iter().find_map(|o| o.top1_agreement) {
            text.push_str(&format!(", top-1 agrees on {:.2}%", a * 100.0));
        }
        text
    }

    fn finish(&mut self) {
        self.verified = self.outputs.iter().any(|o| o.values + o.non_finite > 0);
        if !self.verified && self.not_verified.is_none() {
            self.not_verified = Some(
                "no output value was comparable (every original output is NaN or infinite)".into(),
            );
        }
        self.non_finite = self.outputs.iter().map(|o| o.non_finite).sum();
        let floats = || self.outputs.iter().filter(|o| !o.integer);
        let max_diff = floats().map(|o| o.max_abs_diff).fold(0.0, f64::max);
        let max_ref = floats().map(|o| o.max_abs_original).fold(0.0, f64::max);
        let relative = if max_ref > 0.0 {
            max_diff / max_ref
        } else {
            max_diff
        };
        self.max_relative_error = self.verified.then_some(relative);
        self.passed = self.verified && self.non_finite == 0 && relative <= self.tolerance;
    }
}

/// Runs both models on the inputs and compares their outputs.
#[must_use]
pub fn verify(
    original: &Path,
    quantized: &Path,
    inputs: Inputs<'_>,
    settings: &ModelSettings,
    tolerance: f64,
    engine: &Engine,
) -> Verification {
    let name = engine.kind().name();
    let (source, path) = match inputs {
        Inputs::Data(p, origin) => (origin.name(), Some(p)),
        Inputs::Generated => ("generated", None),
    };
    let mut result = Verification::new(name, source, path, tolerance);
    let mut reference = match Model::load_with(original, engine) {
        Ok(m) => m,
        Err(e) => {
            return result.unverified(format!("the original does not load in {name}: {e}"));
        }
    };
    let mut candidate = match Model::load_with(quantized, engine) {
        Ok(m) => m,
        Err(e) => {
            result.error = Some(format!("the quantized model does not load in {name}: {e}"));
            return result;
        }
    };
    let signature = reference.signature().clone();
    result.outputs = signature
        .outputs
        .iter()
        .map(|o| OutputDiff::new(&o.name))
        .collect();
    let mut compare = |batch: &[InputTensor], real: usize, result: &mut Verification| {
        if result.shapes.is_empty() {
            result.shapes = batch.iter().map(|t| t.shape.clone()).collect();
        }
        let expected = reference
            .run_inputs(batch)
            .map_err(|e| Step::Original(e.to_string()))?;
        let got = candidate
            .run_inputs(batch)
            .map_err(|e| Step::Quantized(e.to_string()))?;
        for ((diff, e), g) in result.outputs.iter_mut().zip(&expected).zip(&got) {
            diff.add(e, g, real);
        }
        result.samples += real as u64;
        Ok::<(), Step>(())
    };
    let outcome = feed_inputs(inputs, &signature, settings, &mut |batch, real| {
        compare(batch, real, &mut result)
    });
    match outcome {
        Ok(()) => result.finish(),
        Err(Step::Input(reason)) => {
            return result.unverified(format!("no input could be built: {reason}"));
        }
        Err(Step::Original(reason)) => {
            return result.unverified(format!(
                "the original does not run in {name} on these inputs: {reason}"
            ));
        }
        Err(Step::Quantized(reason)) => {
            result.error = Some(format!(
                "the quantized model does not run in {name}: {reason}"
            ));
        }
    }
    result
}

/// What [`feed_inputs`] calls with each batch and its number of real rows.
type EachBatch<'a> = dyn FnMut(&[InputTensor], usize) -> Result<(), Step> + 'a;

/// Feeds the verification inputs (at most [`MAX_SAMPLES`] samples of the data, or one
/// generated batch) to `each`, with the number of real rows of each batch.
fn feed_inputs(
    inputs: Inputs<'_>,
    signature: &ModelSignature,
    settings: &ModelSettings,
    each: &mut EachBatch<'_>,
) -> Result<(), Step> {
    match inputs {
        Inputs::Data(p, origin) => {
            let mut feed = Feed::open(p, origin, signature, settings, settings.batch_size)
                .map_err(|e| Step::Input(e.to_string()))?;
            let mut failed = None;
            let fed = feed.for_each(MAX_SAMPLES, &mut |batch, real| {
                each(batch, real).map_err(|step| {
                    failed = Some(step);
                    EvalError::dataset(p, "stopped")
                })
            });
            match (fed, failed) {
                (_, Some(step)) => Err(step),
                (Err(e), None) => Err(Step::Input(e.to_string())),
                (Ok(_), None) => Ok(()),
            }
        }
        Inputs::Generated => {
            let batch = feed::generated(signature, settings).map_err(Step::Input)?;
            let real = batch
                .first()
                .and_then(|t| t.shape.first())
                .copied()
                .unwrap_or(1);
            each(&batch, real)
        }
    }
}

/// `--cross-check`: the quantized model run in `engine` and in `other` on the verification
/// inputs, compared output by output (largest absolute difference, top-1 agreement).
///
/// # Errors
/// Why the comparison could not be made, in one line: the model does not load or run in one
/// of the engines (the message names it), or no input could be built.
pub fn cross_check(
    quantized: &Path,
    inputs: Inputs<'_>,
    settings: &ModelSettings,
    engine: &Engine,
    other: &Engine,
) -> Result<CrossCheck, String> {
    let mut ours = Model::load_with(quantized, engine).map_err(|e| e.to_string())?;
    let mut theirs = Model::load_with(quantized, other).map_err(|e| e.to_string())?;
    let signature = ours.signature().clone();
    let mut check = CrossCheck::new(other.info().clone());
    feed_inputs(inputs, &signature, settings, &mut |batch, real| {
        let a = ours
            .run_inputs(batch)
            .map_err(|e| Step::Quantized(e.to_string()))?;
        let b = theirs
            .run_inputs(batch)
            .map_err(|e| Step::Quantized(e.to_string()))?;
        check.add(&a, &b, real);
        Ok(())
    })
    .map_err(|step| match step {
        Step::Input(reason) => format!("no input could be built: {reason}"),
        Step::Original(reason) | Step::Quantized(reason) => reason,
    })?;
    Ok(check)
}

/// Which step of a comparison failed.
enum Step {
    Input(String),
    Original(String),
    Quantized(String),
}

/// Checks on the first batch, before anything is written, that the evaluation core can compare
/// `model` on `dataset`: the samples fit its inputs and its outputs are predictions (class
/// scores, labels or values). A model that is not a classifier or regressor the data fits
/// fails here with the evaluation core's one-line message.
///
/// # Errors
/// The evaluation core's error, naming the file.
pub fn check_dataset(
    model: &Path,
    dataset: &Path,
    settings: &ModelSettings,
    engine: &Engine,
) -> Result<(), EvalError> {
    let mut runner = Model::load_with(model, engine)?;
    let signature = runner.signature().clone();
    let mut feed = Feed::open(
        dataset,
        Origin::Dataset,
        &signature,
        settings,
        settings.batch_size,
    )?;
    feed.for_each(settings.batch_size, &mut |batch, real| {
        let outputs = runner.run_inputs(batch)?;
        OutputForm::detect(
            &outputs,
            batch
                .first()
                .and_then(|t| t.shape.first())
                .copied()
                .unwrap_or(real),
        )
        .map_err(|reason| EvalError::incompatible(model, reason))?;
        Ok(())
    })
    .map(drop)
}

/// Checks, before anything is written, that `--calibration-data` fits the model's inputs.
///
/// # Errors
/// One line naming the file, the array and the input expected.
pub fn check_calibration_data(
    model: &Path,
    data: &Path,
    settings: &ModelSettings,
    engine: &Engine,
) -> Result<(), EvalError> {
    let runner = Model::load_with(model, engine)?;
    Feed::open(
        data,
        Origin::CalibrationData,
        runner.signature(),
        settings,
        1,
    )
    .map(drop)
}

/// Evaluates `models` (the original and the quantized model, or one of them) on `dataset` at
/// `batch_size`.
///
/// # Errors
/// The evaluation core's error, naming the file.
pub fn evaluate(
    models: &[&Path],
    dataset: &Path,
    settings: &ModelSettings,
    batch_size: usize,
    engine: &Engine,
    progress: &mut dyn FnMut(usize),
) -> Result<Evaluation, EvalError> {
    let mut loaded = models
        .iter()
        .map(|p| Model::load_with(p, engine))
        .collect::<Result<Vec<_>, _>>()?;
    let mut data = modelci_eval::Dataset::open(dataset, &settings.dataset)?;
    let mut options = settings.evaluation_options();
    options.batch_size = batch_size;
    modelci_eval::evaluate::evaluate(&mut loaded, &mut data, &options, progress)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tensor(shape: &[usize], values: &[f32]) -> OutputTensor {
        OutputTensor {
            name: "logits".into(),
            shape: shape.to_vec(),
            data: OutputData::F32(values.to_vec()),
        }
    }

    #[test]
    fn nan_outputs_are_failures_not_zero_differences() {
        let mut diff = OutputDiff::new("logits");
        let original = tensor(&[2, 3], &[0.1, 0.7, 0.2, 0.5, 0.3, 0.2]);
        let all_nan = tensor(&[2, 3], &[f32::NAN; 6]);
        diff.add(&original, &all_nan, 2);
        assert_eq!(diff.non_finite, 6);
        assert_eq!(diff.values, 0);
        assert_eq!(diff.top1_agreement, Some(0.0));
        let mut v = Verification::new("tract", "generated", None, 0.1);
        v.outputs.push(diff);
        v.finish();
        assert!(v.verified && !v.passed, "{v:?}");
        assert!(
            v.describe().contains("6 value(s) NaN or infinite"),
            "{}",
            v.describe()
        );
    }

    #[test]
    fn differences_are_per_output_and_padding_rows_are_left_out() {
        let mut diff = OutputDiff::new("logits");
        let original = tensor(&[2, 2], &[1.0, 0.0, 0.0, 1.0]);
        let quantized = tensor(&[2, 2], &[0.9, 0.2, 5.0, 0.0]);
        diff.add(&original, &quantized, 1);
        assert_eq!(diff.values, 2);
        assert!((diff.max_abs_diff - 0.2).abs() < 1e-6);
        assert!((diff.mean_abs_diff - 0.15).abs() < 1e-6);
        assert_eq!(diff.top1_agreement, Some(1.0));
        let mut v = Verification::new("tract", "generated", None, 0.1);
        v.outputs.push(diff);
        v.finish();
        assert!(v.verified && !v.passed, "0.2 of a range of 1 is above 0.1");
    }
}
