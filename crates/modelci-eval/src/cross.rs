//! `--cross-check`: the candidate run in both engines on the same inputs, compared output by
//! output: the largest absolute difference and how often the top-1 class agrees.
//!
//! A reviewer wants the numbers of the runtime they deploy; when tract and onnxruntime
//! disagree (a quantized model, an operator one of them gets wrong), this says where and how
//! much. The figures are maxima and counts, so they do not depend on the order of batches.

use serde::Serialize;

use crate::engine::{EngineInfo, OutputData, OutputTensor};

/// One output compared between the two engines.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrossOutput {
    /// The output's name.
    pub name: String,
    /// Samples compared.
    pub samples: u64,
    /// The largest absolute difference between the engines' values (infinite when the shapes
    /// or types differ, or only one engine gave NaN).
    pub max_abs_diff: f64,
    /// Samples whose top-1 class is defined for this output (class scores, or a label).
    pub top1_samples: u64,
    /// Of those, how many have the same top-1 class in both engines.
    pub top1_agree: u64,
}

impl CrossOutput {
    /// The share of samples with the same top-1 class, when the output has classes.
    #[must_use]
    #[allow(clippy::cast_precision_loss)]
    pub fn agreement(&self) -> Option<f64> {
        (self.top1_samples > 0).then(|| self.top1_agree as f64 / self.top1_samples as f64)
    }

    fn merge(&mut self, other: &Self) {
        self.samples += other.samples;
        self.max_abs_diff = self.max_abs_diff.max(other.max_abs_diff);
        self.top1_samples += other.top1_samples;
        self.top1_agree += other.top1_agree;
    }
}

/// The comparison of a whole run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrossCheck {
    /// The engine the candidate was also run in.
    pub engine: EngineInfo,
    /// One entry per output, in the model's order.
    pub outputs: Vec<CrossOutput>,
}

impl CrossCheck {
    /// The lowest top-1 agreement over the outputs that have classes (the gate metric
    /// `cross_agreement`); `None` when no output has classes.
    #[must_use]
    pub fn agreement(&self) -> Option<f64> {
        self.outputs
            .iter()
            .filter_map(CrossOutput::agreement)
            .reduce(f64::min)
    }

    /// The largest absolute difference over all outputs.
    #[must_use]
    pub fn max_abs_diff(&self) -> f64 {
        self.outputs
            .iter()
            .map(|o| o.max_abs_diff)
            .fold(0.0, f64::max)
    }
}

impl CrossCheck {
    /// An empty comparison against `engine`, for a caller that runs the model in both engines
    /// itself ([`CrossCheck::add`] per batch), as quantize does on its verification inputs.
    #[must_use]
    pub fn new(engine: EngineInfo) -> Self {
        Self {
            engine,
            outputs: Vec::new(),
        }
    }

    /// Adds one batch: `ours` and `theirs` are the two engines' outputs for the same inputs,
    /// of which the first `rows` rows are real samples (the rest is fixed-batch padding).
    pub fn add(&mut self, ours: &[OutputTensor], theirs: &[OutputTensor], rows: usize) {
        let mut batch = CrossBatch {
            outputs: std::mem::take(&mut self.outputs),
        };
        batch.merge(compare_outputs(ours, theirs, rows));
        self.outputs = batch.outputs;
    }

    /// The report's table (GitHub Markdown): one row per output with the samples, the largest
    /// absolute difference and the top-1 agreement. `escape` escapes text for Markdown.
    #[must_use]
    pub fn markdown_table(&self, escape: &dyn Fn(&str) -> String) -> String {
        let mut md = String::from(
            "| Output | Samples | Max abs difference | Top-1 agreement |\n|---|---:|---:|---:|\n",
        );
        for output in &self.outputs {
            let agreement = output.agreement().map_or_else(
                || "n/a (no classes)".to_owned(),
                |a| {
                    format!(
                        "{:.2}% ({}/{})",
                        a * 100.0,
                        output.top1_agree,
                        output.top1_samples
                    )
                },
            );
            let difference = if output.max_abs_diff.is_infinite() {
                "∞ (shapes, types or NaN differ)".to_owned()
            } else {
                format!("{:.3e}", output.max_abs_diff)
            };
            md.push_str(&format!(
                "| `{}` | {} | {difference} | {agreement} |\n",
                escape(&output.name),
                output.samples
            ));
        }
        md
    }
}

/// Compares the first `rows` rows of two engines' outputs for the same inputs, output by
/// output.
pub(crate) fn compare_outputs(
    ours: &[OutputTensor],
    theirs: &[OutputTensor],
    rows: usize,
) -> CrossBatch {
    let mut batch = CrossBatch::default();
    for (a, b) in ours.iter().zip(theirs) {
        batch.add(a, b, rows);
    }
    batch
}

/// The comparison of one or more batches, accumulated.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct CrossBatch {
    pub outputs: Vec<CrossOutput>,
}

impl CrossBatch {
    /// Adds the first `rows` samples of one output, as `ours` and `theirs` gave it.
    pub fn add(&mut self, ours: &OutputTensor, theirs: &OutputTensor, rows: usize) {
        let compared = compare(ours, theirs, rows);
        match self.outputs.iter_mut().find(|o| o.name == compared.name) {
            Some(existing) => existing.merge(&compared),
            None => self.outputs.push(compared),
        }
    }

    /// Adds another batch's comparison.
    pub fn merge(&mut self, other: Self) {
        for output in other.outputs {
            match self.outputs.iter_mut().find(|o| o.name == output.name) {
                Some(existing) => existing.merge(&output),
                None => self.outputs.push(output),
            }
        }
    }
}

/// Compares one output over `rows` samples.
fn compare(ours: &OutputTensor, theirs: &OutputTensor, rows: usize) -> CrossOutput {
    let samples = rows as u64;
    let mut out = CrossOutput {
        name: ours.name.clone(),
        samples,
        max_abs_diff: 0.0,
        top1_samples: 0,
        top1_agree: 0,
    };
    let width = |t: &OutputTensor| t.shape.iter().skip(1).product::<usize>();
    if ours.shape != theirs.shape || rows > ours.shape.first().copied().unwrap_or(0) {
        out.max_abs_diff = f64::INFINITY;
        return out;
    }
    let w = width(ours);
    let n = rows * w;
    match (&ours.data, &theirs.data) {
        (OutputData::F32(a), OutputData::F32(b)) => {
            let (a, b) = (&a[..n.min(a.len())], &b[..n.min(b.len())]);
            out.max_abs_diff = a
                .iter()
                .zip(b)
                .map(|(&x, &y)| value_diff(f64::from(x), f64::from(y)))
                .fold(0.0, f64::max);
            if w > 1 {
                out.top1_samples = samples;
                out.top1_agree = a
                    .chunks(w)
                    .zip(b.chunks(w))
                    .filter(|(x, y)| argmax(x) == argmax(y))
                    .count() as u64;
            }
        }
        (OutputData::I64(a), OutputData::I64(b)) => {
            let (a, b) = (&a[..n.min(a.len())], &b[..n.min(b.len())]);
            #[allow(clippy::cast_precision_loss)]
            let diff = a
                .iter()
                .zip(b)
                .map(|(&x, &y)| x.abs_diff(y) as f64)
                .fold(0.0, f64::max);
            out.max_abs_diff = diff;
            if w == 1 {
                out.top1_samples = samples;
                out.top1_agree = a.iter().zip(b).filter(|(x, y)| x == y).count() as u64;
            }
        }
        _ => out.max_abs_diff = f64::INFINITY,
    }
    out
}

/// The absolute difference of two values; equal non-finite values (both NaN, same infinity)
/// differ by 0, a non-finite value against anything else by infinity.
fn value_diff(x: f64, y: f64) -> f64 {
    if x.is_finite() && y.is_finite() {
        (x - y).abs()
    } else if (x.is_nan() && y.is_nan()) || x == y {
        0.0
    } else {
        f64::INFINITY
    }
}

/// The index of the largest value (the first on ties; NaN never wins).
fn argmax(values: &[f32]) -> Option<usize> {
    values
        .iter()
        .enumerate()
        .filter(|(_, v)| !v.is_nan())
        .fold(None, |best: Option<(usize, f32)>, (i, &v)| match best {
            Some((_, b)) if b >= v => best,
            _ => Some((i, v)),
        })
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scores(values: Vec<f32>, rows: usize) -> OutputTensor {
        OutputTensor {
            name: "scores".into(),
            shape: vec![rows, values.len() / rows],
            data: OutputData::F32(values),
        }
    }

    #[test]
    fn differences_and_top1_agreement_are_counted_per_output() {
        let mut batch = CrossBatch::default();
        let ours = scores(vec![0.1, 0.9, 0.6, 0.4, 0.0, 0.0], 3);
        let theirs = scores(vec![0.1, 0.8, 0.4, 0.6, 0.0, 0.0], 3);
        // Only the first 2 rows count (the third is fixed-batch padding).
        batch.add(&ours, &theirs, 2);
        let output = &batch.outputs[0];
        assert_eq!(output.samples, 2);
        assert!((output.max_abs_diff - 0.2).abs() < 1e-6, "{output:?}");
        assert_eq!((output.top1_samples, output.top1_agree), (2, 1));
        assert_eq!(output.agreement(), Some(0.5));
        let mut more = CrossBatch::default();
        more.add(&ours, &ours, 3);
        batch.merge(more);
        assert_eq!(batch.outputs[0].samples, 5);
        assert_eq!(batch.outputs[0].top1_agree, 4);
    }

    #[test]
    fn mismatched_shapes_or_lone_nans_are_an_infinite_difference() {
        let mut batch = CrossBatch::default();
        batch.add(&scores(vec![0.0; 4], 2), &scores(vec![0.0; 4], 1), 1);
        assert!(batch.outputs[0].max_abs_diff.is_infinite());
        assert_eq!(value_diff(f64::NAN, f64::NAN), 0.0);
        assert!(value_diff(f64::NAN, 1.0).is_infinite());
        assert_eq!(argmax(&[f32::NAN, 1.0, 1.0]), Some(1));
    }

    #[test]
    fn a_caller_fed_comparison_accumulates_and_renders_one_row_per_output() {
        let info = crate::engine::Engine::tract().info().clone();
        let mut check = CrossCheck::new(info);
        let ours = scores(vec![0.1, 0.9, 0.6, 0.4], 2);
        let theirs = scores(vec![0.1, 0.8, 0.4, 0.6], 2);
        check.add(
            std::slice::from_ref(&ours),
            std::slice::from_ref(&theirs),
            2,
        );
        check.add(std::slice::from_ref(&ours), std::slice::from_ref(&ours), 2);
        assert_eq!(check.outputs.len(), 1);
        assert_eq!(check.outputs[0].samples, 4);
        assert_eq!(check.agreement(), Some(0.75));
        let table = check.markdown_table(&|t: &str| t.replace('|', "\\|"));
        assert!(
            table.contains("| `scores` | 4 | 2.000e-1 | 75.00% (3/4) |"),
            "{table}"
        );
    }

    #[test]
    fn labels_agree_when_equal() {
        let label = |v: Vec<i64>| OutputTensor {
            name: "label".into(),
            shape: vec![v.len()],
            data: OutputData::I64(v),
        };
        let mut batch = CrossBatch::default();
        batch.add(&label(vec![1, 2, 3]), &label(vec![1, 2, 4]), 3);
        let o = &batch.outputs[0];
        assert_eq!((o.top1_samples, o.top1_agree), (3, 2));
        assert!((o.max_abs_diff - 1.0).abs() < f64::EPSILON);
    }
}
