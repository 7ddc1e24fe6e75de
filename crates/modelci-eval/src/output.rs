//! Reading predictions out of model outputs.
//!
//! Recognised forms, from the shapes of one batch's outputs:
//! - a float output `[N, C]` with `C > 1`: per-class scores (logits or probabilities); the
//!   prediction is the argmax. When a model also has an integer label output (scikit-learn
//!   exports through skl2onnx give `label` + `probabilities`), the scores still decide, so that
//!   class indices stay 0..C whatever the original labels were.
//! - an integer output `[N]` alone: class indices.
//! - a float output `[N]` or `[N, 1]`: a regression value.

use crate::engine::{OutputData, OutputTensor};

/// What one model predicted for one sample.
#[derive(Debug, Clone, PartialEq)]
pub enum Prediction {
    /// A class, with per-class scores when the model gives them.
    Class {
        /// Predicted class index.
        class: usize,
        /// Per-class scores, if any.
        scores: Option<Vec<f32>>,
    },
    /// A regression value.
    Value(f64),
}

/// No prediction form fits a model's outputs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "cannot read predictions from outputs {outputs} for a batch of {batch}: expected [N, classes] scores, [N] labels or [N, 1] values"
)]
pub struct OutputFormError {
    /// The outputs, as `` `name` [shape] ``, comma-separated.
    pub outputs: String,
    /// The batch size the shapes were read for.
    pub batch: usize,
}

/// The evaluation loop reports this as an incompatibility message; this keeps its call short.
impl From<OutputFormError> for String {
    fn from(error: OutputFormError) -> Self {
        error.to_string()
    }
}

/// How a model's outputs are read, decided from the first batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputForm {
    /// Output `index` holds `[N, classes]` scores.
    Scores {
        /// Which output.
        index: usize,
        /// Number of classes.
        classes: usize,
    },
    /// Output `index` holds `[N]` integer class indices.
    Labels {
        /// Which output.
        index: usize,
    },
    /// Output `index` holds `[N]` or `[N, 1]` values.
    Values {
        /// Which output.
        index: usize,
    },
}

impl OutputForm {
    /// Recognises the form of a batch of `batch` samples.
    ///
    /// # Errors
    /// [`OutputFormError`] describing the outputs when no form fits.
    pub fn detect(outputs: &[OutputTensor], batch: usize) -> Result<Self, OutputFormError> {
        let per_sample = |o: &OutputTensor| match o.shape.as_slice() {
            [n] if *n == batch => Some(1),
            [n, c] if *n == batch => Some(*c),
            _ => None,
        };
        let float = |o: &OutputTensor| matches!(o.data, OutputData::F32(_));
        if let Some((index, classes)) = outputs
            .iter()
            .enumerate()
            .find_map(|(i, o)| per_sample(o).filter(|&c| c > 1 && float(o)).map(|c| (i, c)))
        {
            return Ok(Self::Scores { index, classes });
        }
        if let Some(index) = outputs
            .iter()
            .position(|o| !float(o) && per_sample(o) == Some(1))
        {
            return Ok(Self::Labels { index });
        }
        if let Some(index) = outputs
            .iter()
            .position(|o| float(o) && per_sample(o) == Some(1))
        {
            return Ok(Self::Values { index });
        }
        let shapes: Vec<String> = outputs
            .iter()
            .map(|o| format!("`{}` {:?}", o.name, o.shape))
            .collect();
        Err(OutputFormError {
            outputs: shapes.join(", "),
            batch,
        })
    }

    /// Number of classes, when the form tells.
    #[must_use]
    pub fn classes(self) -> Option<usize> {
        match self {
            Self::Scores { classes, .. } => Some(classes),
            _ => None,
        }
    }

    /// Reads the prediction of sample `row`.
    ///
    /// # Errors
    /// `Err("NaN")` or `Err("an infinite value")` when the output is not finite; a message
    /// when the output is missing or a label is negative.
    pub fn read(self, outputs: &[OutputTensor], row: usize) -> Result<Prediction, &'static str> {
        match self {
            Self::Scores { index, classes } => {
                let OutputData::F32(values) = &outputs.get(index).ok_or("a missing output")?.data
                else {
                    return Err("integer scores");
                };
                let scores = values
                    .get(row * classes..(row + 1) * classes)
                    .ok_or("a short output")?;
                check_finite(scores.iter().copied())?;
                let class = argmax(scores);
                Ok(Prediction::Class {
                    class,
                    scores: Some(scores.to_vec()),
                })
            }
            Self::Labels { index } => match &outputs.get(index).ok_or("a missing output")?.data {
                OutputData::I64(labels) => {
                    let label = *labels.get(row).ok_or("a short output")?;
                    let class = usize::try_from(label).map_err(|_| "a negative class label")?;
                    Ok(Prediction::Class {
                        class,
                        scores: None,
                    })
                }
                OutputData::F32(_) => Err("float labels"),
            },
            Self::Values { index } => match &outputs.get(index).ok_or("a missing output")?.data {
                OutputData::F32(values) => {
                    let value = *values.get(row).ok_or("a short output")?;
                    check_finite(std::iter::once(value))?;
                    Ok(Prediction::Value(f64::from(value)))
                }
                #[allow(clippy::cast_precision_loss)]
                OutputData::I64(values) => Ok(Prediction::Value(
                    *values.get(row).ok_or("a short output")? as f64,
                )),
            },
        }
    }
}

fn check_finite(values: impl Iterator<Item = f32>) -> Result<(), &'static str> {
    for v in values {
        if v.is_nan() {
            return Err("NaN");
        }
        if v.is_infinite() {
            return Err("an infinite value");
        }
    }
    Ok(())
}

/// Index of the highest score; the first one on ties (numpy's `argmax`).
fn argmax(scores: &[f32]) -> usize {
    let mut best = 0;
    for (i, &s) in scores.iter().enumerate() {
        if s > scores[best] {
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(name: &str, shape: &[usize], data: OutputData) -> OutputTensor {
        OutputTensor {
            name: name.into(),
            shape: shape.to_vec(),
            data,
        }
    }

    #[test]
    fn sklearn_label_and_probabilities_use_the_scores() {
        let outputs = vec![
            out("label", &[2], OutputData::I64(vec![1, 0])),
            out(
                "probabilities",
                &[2, 2],
                OutputData::F32(vec![0.2, 0.8, 0.9, 0.1]),
            ),
        ];
        let form = OutputForm::detect(&outputs, 2).expect("recognised");
        assert_eq!(
            form,
            OutputForm::Scores {
                index: 1,
                classes: 2
            }
        );
        assert_eq!(
            form.read(&outputs, 0),
            Ok(Prediction::Class {
                class: 1,
                scores: Some(vec![0.2, 0.8])
            })
        );
    }

    #[test]
    fn regression_and_nan() {
        let outputs = vec![out("y", &[2, 1], OutputData::F32(vec![1.5, f32::NAN]))];
        let form = OutputForm::detect(&outputs, 2).expect("recognised");
        assert_eq!(form, OutputForm::Values { index: 0 });
        assert_eq!(form.read(&outputs, 0), Ok(Prediction::Value(1.5)));
        assert_eq!(form.read(&outputs, 1), Err("NaN"));
    }

    #[test]
    fn unreadable_outputs_are_described() {
        let outputs = vec![out("features", &[2, 3, 4], OutputData::F32(vec![0.0; 24]))];
        let err = OutputForm::detect(&outputs, 2).expect_err("no form");
        assert_eq!(
            err,
            OutputFormError {
                outputs: "`features` [2, 3, 4]".into(),
                batch: 2
            }
        );
        assert!(err.to_string().contains("[N, classes] scores"), "{err}");
    }

    #[test]
    fn argmax_takes_first_of_ties() {
        assert_eq!(argmax(&[0.1, 0.5, 0.5]), 1);
    }
}
