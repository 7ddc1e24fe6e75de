//! Model inputs for verification and calibration.
//!
//! Real samples come first: those of `--calibration-data` (raw model inputs, no labels) or of
//! `--dataset`, fed the way the evaluation core feeds an evaluation
//! ([`modelci_eval::Feeder`]): every model input by name and in its own element type (cast
//! only where no value changes), or the single array / images through the input's layout.
//! Without data, inputs are generated ([`generated`]): dynamic dimensions come from
//! `--input-shape`, else [`DEFAULT_DIM`] (never 1, which hides shape bugs and makes pooling
//! trivial); values are seeded pseudo-random numbers in [0, 1) (integer inputs 0 or 1).

use std::path::{Path, PathBuf};

use modelci_cli::flags::ModelSettings;
use modelci_eval::dataset::SampleData;
use modelci_eval::feed::{Source, apply_overrides, synthetic};
use modelci_eval::{
    Dataset, Dim, EvalError, Feeder, InputTensor, ModelSignature, Preprocess, ShapeOverride,
};

/// The size given to a dynamic non-batch dimension of a generated input when `--input-shape`
/// does not give it (an image side, a sequence length).
pub const DEFAULT_DIM: usize = 224;

/// Samples in a generated batch, when the model does not fix its batch size.
pub const GENERATED_BATCH: usize = 4;

/// What [`Feed::for_each`] hands each batch to: the model inputs and the number of real
/// samples among their rows.
pub type BatchFn<'a> = dyn FnMut(&[InputTensor], usize) -> Result<(), EvalError> + 'a;

/// Which file the samples come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// `--dataset`: labelled data, preprocessed like an evaluation.
    Dataset,
    /// `--calibration-data`: raw model inputs, fed as they are (no scaling).
    CalibrationData,
}

impl Origin {
    /// The flag's name without dashes.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Dataset => "dataset",
            Self::CalibrationData => "calibration-data",
        }
    }
}

/// A data file opened for one model: its samples become that model's input tensors.
#[derive(Debug)]
pub struct Feed {
    path: PathBuf,
    dataset: Dataset,
    feeder: Feeder,
    preprocess: Preprocess,
    batch: usize,
}

impl Feed {
    /// Opens `path` for a model with `signature`, in batches of `batch` samples (or the batch
    /// size the model fixes).
    ///
    /// # Errors
    /// One line naming the file and, when the data does not fit the model, the array and the
    /// input name, element type and shape expected.
    pub fn open(
        path: &Path,
        origin: Origin,
        signature: &ModelSignature,
        settings: &ModelSettings,
        batch: usize,
    ) -> Result<Self, EvalError> {
        let dataset = match origin {
            Origin::Dataset => Dataset::open(path, &settings.dataset)?,
            Origin::CalibrationData => Dataset::open_unlabelled(path)?,
        };
        let arrays = dataset.arrays();
        let source = if arrays.is_empty() {
            Source::Images
        } else {
            Source::Arrays(&arrays)
        };
        if origin == Origin::CalibrationData {
            check_single(
                path,
                signature,
                &arrays,
                dataset.len(),
                &settings.input_shapes,
            )?;
        }
        let feeder = Feeder::new(signature, source, settings.layout, &settings.input_shapes)
            .map_err(|reason| EvalError::incompatible(path, reason))?
            .with_resize(settings.resize);
        let preprocess = match origin {
            Origin::Dataset => settings.preprocess.clone(),
            Origin::CalibrationData => Preprocess {
                scale: Some(1.0),
                ..Preprocess::default()
            },
        };
        let batch = feeder.fixed_batch().unwrap_or(batch).max(1);
        Ok(Self {
            path: path.to_owned(),
            dataset,
            feeder,
            preprocess,
            batch,
        })
    }

    /// The file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Samples in the file.
    #[must_use]
    pub fn len(&self) -> usize {
        self.dataset.len()
    }

    /// Whether the file has no samples (never true for an opened feed).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.dataset.is_empty()
    }

    /// Hands the first `limit` samples to `run`, batch by batch, as model inputs (padded to
    /// the model's fixed batch size by repeating the last sample), with the number of real
    /// samples in the batch. Returns the samples fed.
    ///
    /// # Errors
    /// The first error of reading a sample (naming the file and sample) or of `run`.
    pub fn for_each(&mut self, limit: usize, run: &mut BatchFn<'_>) -> Result<usize, EvalError> {
        let mut fed = 0usize;
        let mut enough = false;
        let Self {
            path,
            dataset,
            feeder,
            preprocess,
            batch,
        } = self;
        let streamed = dataset.stream(*batch, &mut |samples| {
            let take = samples.len().min(limit.saturating_sub(fed));
            if take == 0 {
                enough = true;
                return Err(EvalError::dataset(path.as_path(), "enough samples"));
            }
            let data: Vec<&SampleData> = samples.iter().take(take).map(|s| &s.data).collect();
            let rows = feeder.fixed_batch().unwrap_or(data.len());
            let inputs = feeder.build(&data, rows, preprocess).map_err(|reason| {
                EvalError::incompatible(
                    path.as_path(),
                    format!("sample `{}`: {reason}", samples[0].id),
                )
            })?;
            run(&inputs, take)?;
            fed += take;
            Ok(())
        });
        match streamed {
            Err(_) if enough => Ok(fed),
            Err(e) => Err(e),
            Ok(()) => Ok(fed),
        }
    }
}

/// The model's inputs, described for messages: `name` elem `[N, 3, H, W]`.
fn describe_inputs(signature: &ModelSignature) -> String {
    let all: Vec<String> = signature.inputs.iter().map(ToString::to_string).collect();
    all.join(", ")
}

/// A single unnamed array (`x`, or a `.npy`) for a one-input model: its sample shape must have
/// the input's rank and fixed dimensions, and its element type must be one the input takes,
/// before any sample is read (the layout path would otherwise guess).
fn check_single(
    path: &Path,
    signature: &ModelSignature,
    arrays: &[modelci_eval::dataset::ArrayInfo],
    samples: usize,
    overrides: &[ShapeOverride],
) -> Result<(), EvalError> {
    let [array] = arrays else { return Ok(()) };
    if array.name.is_some() {
        return Ok(());
    }
    let specs =
        apply_overrides(signature, overrides).map_err(|r| EvalError::incompatible(path, r))?;
    let [spec] = specs.as_slice() else {
        return Err(EvalError::incompatible(
            path,
            format!(
                "array `x` is one input, but the model takes {} ({}); save one array per input, named as the input (np.savez)",
                specs.len(),
                describe_inputs(signature)
            ),
        ));
    };
    let expected = |spec: &modelci_eval::TensorSpec| {
        spec.dims.as_ref().map_or("any shape".to_owned(), |dims| {
            let rest: Vec<String> = dims.iter().skip(1).map(ToString::to_string).collect();
            format!("[samples, {}]", rest.join(", "))
        })
    };
    let fits_type = if spec.elem_type.is_float() {
        array.dtype.is_float()
    } else if spec.elem_type.is_integer() {
        array.dtype.is_integer()
    } else {
        array.dtype == spec.elem_type
    };
    if !fits_type {
        return Err(EvalError::incompatible(
            path,
            format!(
                "array `x` holds {} but model input {spec} takes {}: expected {} {} (save it with .astype)",
                array.dtype,
                spec.elem_type,
                spec.elem_type,
                expected(spec)
            ),
        ));
    }
    if let Some(dims) = &spec.dims {
        let rest = dims.get(1..).unwrap_or_default();
        let fits = rest.len() == array.shape.len()
            && rest
                .iter()
                .zip(&array.shape)
                .all(|(d, &n)| d.fixed().is_none_or(|f| f == n));
        if !fits {
            let mut shape = vec![samples];
            shape.extend(&array.shape);
            return Err(EvalError::incompatible(
                path,
                format!(
                    "array `x` has shape {shape:?} but model input {spec} takes {} {}",
                    spec.elem_type,
                    expected(spec)
                ),
            ));
        }
    }
    Ok(())
}

/// Generated inputs for `signature`: one batch of [`GENERATED_BATCH`] samples (or the fixed
/// batch size), dynamic dimensions from `--input-shape` or [`DEFAULT_DIM`].
///
/// # Errors
/// A reason when an input declares no shape, or an `--input-shape` does not fit.
pub fn generated(
    signature: &ModelSignature,
    settings: &ModelSettings,
) -> Result<Vec<InputTensor>, String> {
    let specs = apply_overrides(signature, &settings.input_shapes)?;
    let mut overrides = settings.input_shapes.clone();
    let mut batch = GENERATED_BATCH;
    for spec in &specs {
        let Some(dims) = &spec.dims else { continue };
        if let Some(fixed) = dims.first().and_then(Dim::fixed) {
            batch = fixed;
        }
        if dims.iter().skip(1).any(|d| d.fixed().is_none())
            && !overrides.iter().any(|o| o.name == spec.name)
        {
            let mut filled = vec![None];
            filled.extend(
                dims.iter()
                    .skip(1)
                    .map(|d| Some(d.fixed().unwrap_or(DEFAULT_DIM))),
            );
            overrides.push(ShapeOverride {
                name: spec.name.clone(),
                dims: filled,
            });
        }
    }
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        #[allow(clippy::cast_precision_loss)]
        let v = (state >> 40) as f32 / (1u64 << 24) as f32;
        v
    };
    synthetic(
        signature,
        settings.layout,
        &overrides,
        batch,
        Some(&mut next),
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use modelci_eval::{ElemType, TensorSpec};

    use super::*;

    fn signature(inputs: Vec<TensorSpec>) -> ModelSignature {
        ModelSignature {
            inputs,
            outputs: Vec::new(),
            opset: 13,
            parameters: 0,
            producer: String::new(),
        }
    }

    #[test]
    fn generated_inputs_fill_dynamic_sizes_with_the_default_not_one() {
        let sig = signature(vec![
            TensorSpec {
                name: "image".into(),
                elem_type: ElemType::F32,
                dims: Some(vec![
                    Dim::Symbolic("N".into()),
                    Dim::Fixed(3),
                    Dim::Symbolic("H".into()),
                    Dim::Symbolic("W".into()),
                ]),
            },
            TensorSpec {
                name: "position".into(),
                elem_type: ElemType::I64,
                dims: Some(vec![Dim::Symbolic("N".into()), Dim::Unknown]),
            },
        ]);
        let inputs = generated(&sig, &ModelSettings::default()).unwrap();
        assert_eq!(
            inputs[0].shape,
            [GENERATED_BATCH, 3, DEFAULT_DIM, DEFAULT_DIM]
        );
        assert_eq!(inputs[1].shape, [GENERATED_BATCH, DEFAULT_DIM]);
        let settings = ModelSettings {
            input_shapes: vec!["image=Nx3x48x192".parse().unwrap()],
            ..ModelSettings::default()
        };
        let inputs = generated(&sig, &settings).unwrap();
        assert_eq!(inputs[0].shape, [GENERATED_BATCH, 3, 48, 192]);
        let modelci_eval::InputData::F32(values) = &inputs[0].data else {
            panic!("floats")
        };
        assert!(values.iter().all(|v| (0.0..1.0).contains(v)));
        assert!(values.iter().any(|&v| v > 0.5) && values.iter().any(|&v| v < 0.5));
    }
}
