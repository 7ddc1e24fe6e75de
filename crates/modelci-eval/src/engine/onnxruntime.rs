//! The onnxruntime engine, through the `ort` crate with its `load-dynamic` feature: nothing is
//! linked or downloaded at build time; [`init`] opens the shared library found by
//! [`super::select`] once per process.
//!
//! Sessions use onnxruntime's defaults as Python does (all graph optimisations, the CPU
//! execution provider), with the intra-op thread count of `--threads` and one inter-op thread.

use std::path::{Path, PathBuf};

use ort::session::builder::GraphOptimizationLevel;
use ort::session::{Session, SessionInputValue};
use ort::value::{
    DynValue, PrimitiveTensorElementType, Tensor, TensorElementType, TensorRef, ValueType,
};

use super::{InputData, InputTensor, OutputData, OutputTensor};
use crate::signature::{ElemType, TensorSpec};

/// Why the library could not be opened.
pub(super) enum InitError {
    /// Older than the C API `ort` asks for; the version found.
    TooOld(String),
    /// Anything else, as `ort` says it.
    Other(String),
}

/// Opens the library at `path` (the first call wins: one library per process) and returns its
/// version.
pub(super) fn init(path: &Path) -> Result<String, InitError> {
    match ort::init_from(path) {
        Ok(builder) => {
            builder.with_name("modelci").commit();
        }
        Err(ort::LoadDynamicError::BadVersion { version_str, .. }) => {
            return Err(InitError::TooOld(version_str));
        }
        Err(other) => return Err(InitError::Other(other.to_string())),
    }
    Ok(super::select::version_from_file_name(path)
        .or_else(|| build_version(ort::info()))
        .unwrap_or_else(|| "unknown version".to_owned()))
}

/// The version in onnxruntime's build string (`... git-branch=rel-1.32.0, ...`).
fn build_version(info: &str) -> Option<String> {
    let branch = info.split("git-branch=rel-").nth(1)?;
    let version: String = branch
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    (!version.is_empty()).then_some(version)
}

/// A model in an onnxruntime session.
pub(super) struct OrtRunner {
    session: Session,
}

impl OrtRunner {
    /// Creates a session for the model at `path` with `threads` intra-op threads (0: one per
    /// core).
    pub(super) fn new(path: &Path, threads: usize) -> Result<Self, String> {
        let text = |e: &dyn std::fmt::Display| e.to_string();
        let builder = Session::builder()
            .map_err(|e| text(&e))?
            .with_optimization_level(GraphOptimizationLevel::All)
            .map_err(|e| text(&e))?
            .with_intra_threads(threads)
            .map_err(|e| text(&e))?
            .with_inter_threads(1)
            .map_err(|e| text(&e))?
            // Warnings (e.g. unused initializers removed) would go to stderr past our own
            // one-line messages; errors still reach us as `Err`.
            .with_log_level(ort::logging::LogLevel::Error)
            .map_err(|e| text(&e))?;
        let mut builder = builder;
        let session = builder
            .commit_from_file(PathBuf::from(path))
            .map_err(|e| text(&e))?;
        Ok(Self { session })
    }

    /// Runs one batch; the inputs were checked against the declared types.
    pub(super) fn run(
        &mut self,
        inputs: &[InputTensor],
        input_specs: &[TensorSpec],
        output_specs: &[TensorSpec],
    ) -> Result<Vec<OutputTensor>, String> {
        let values = inputs
            .iter()
            .zip(input_specs)
            .map(|(input, spec)| {
                to_input(input, spec.elem_type)
                    .map(|value| (spec.name.clone(), value))
                    .map_err(|e| format!("input `{}`: {e}", spec.name))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let outputs = self.session.run(values).map_err(|e| e.to_string())?;
        output_specs
            .iter()
            .map(|spec| {
                let value = outputs
                    .get(spec.name.as_str())
                    .ok_or_else(|| format!("output `{}` is missing", spec.name))?;
                read_output(value).map_err(|e| format!("output `{}`: {e}", spec.name))
            })
            .collect::<Result<Vec<_>, String>>()
            .map(|read| {
                read.into_iter()
                    .zip(output_specs)
                    .map(|((shape, data), spec)| OutputTensor {
                        name: spec.name.clone(),
                        shape,
                        data,
                    })
                    .collect()
            })
    }
}

/// One input for a run: float32 data for a float32 input is lent to onnxruntime as a view of
/// our buffer (no copy, as Python's binding does with a contiguous NumPy array); any other
/// pair is converted into a value of the declared type.
fn to_input(input: &InputTensor, elem: ElemType) -> Result<SessionInputValue<'_>, String> {
    if let (InputData::F32(values), ElemType::F32) = (&input.data, elem) {
        return TensorRef::from_array_view((dims(input)?, values.as_slice()))
            .map(SessionInputValue::from)
            .map_err(|e| e.to_string());
    }
    to_value(input, elem).map(SessionInputValue::from)
}

/// An input's shape as onnxruntime takes it.
fn dims(input: &InputTensor) -> Result<Vec<i64>, String> {
    input
        .shape
        .iter()
        .map(|&d| i64::try_from(d).map_err(|_| format!("dimension {d} is too large")))
        .collect()
}

/// The value of one input, in the declared type.
#[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
fn to_value(input: &InputTensor, elem: ElemType) -> Result<DynValue, String> {
    let shape = dims(input)?;
    fn tensor<T: PrimitiveTensorElementType + Clone + std::fmt::Debug + 'static>(
        shape: Vec<i64>,
        values: Vec<T>,
    ) -> Result<DynValue, String> {
        Tensor::from_array((shape, values))
            .map(Tensor::into_dyn)
            .map_err(|e| e.to_string())
    }
    // The values were checked to fit `elem` exactly (`super::check_input`), so these casts
    // neither wrap nor round.
    match (&input.data, elem) {
        (InputData::F32(v), ElemType::F32) => tensor(shape, v.clone()),
        (InputData::F32(v), ElemType::F16) => {
            tensor(shape, v.iter().map(|&x| half::f16::from_f32(x)).collect())
        }
        (InputData::F32(v), ElemType::F64) => {
            tensor(shape, v.iter().map(|&x| f64::from(x)).collect())
        }
        (InputData::I64(v), ElemType::I64) => tensor(shape, v.clone()),
        (InputData::I64(v), ElemType::I32) => tensor(shape, v.iter().map(|&x| x as i32).collect()),
        (InputData::I64(v), ElemType::I16) => tensor(shape, v.iter().map(|&x| x as i16).collect()),
        (InputData::I64(v), ElemType::I8) => tensor(shape, v.iter().map(|&x| x as i8).collect()),
        (InputData::I64(v), ElemType::U8) => tensor(shape, v.iter().map(|&x| x as u8).collect()),
        (InputData::I64(v), ElemType::F32) => tensor(shape, v.iter().map(|&x| x as f32).collect()),
        (InputData::I64(v), ElemType::F64) => tensor(shape, v.iter().map(|&x| x as f64).collect()),
        (InputData::I64(v), ElemType::F16) => tensor(
            shape,
            v.iter().map(|&x| half::f16::from_f32(x as f32)).collect(),
        ),
        (InputData::Bool(v), ElemType::Bool) => tensor(shape, v.clone()),
        (_, other) => Err(format!("cannot feed {other}")),
    }
}

/// An output's shape and values: floats as `f32`, integers as `i64`.
#[allow(clippy::cast_possible_truncation)]
fn read_output(value: &DynValue) -> Result<(Vec<usize>, OutputData), String> {
    let ValueType::Tensor { ty, .. } = value.dtype() else {
        return Err(format!(
            "it is a {} (e.g. scikit-learn's ZipMap), not a tensor; export without it (skl2onnx: options={{'zipmap': False}})",
            value.dtype()
        ));
    };
    let text = |e: ort::Error| e.to_string();
    macro_rules! read {
        ($t:ty, $variant:ident, $conv:expr) => {{
            let (shape, data) = value.try_extract_tensor::<$t>().map_err(text)?;
            (
                shape
                    .iter()
                    .map(|&d| usize::try_from(d).unwrap_or(0))
                    .collect(),
                OutputData::$variant(data.iter().map($conv).collect()),
            )
        }};
    }
    Ok(match ty {
        TensorElementType::Float32 => read!(f32, F32, |&x| x),
        TensorElementType::Float64 => read!(f64, F32, |&x| x as f32),
        TensorElementType::Float16 => read!(half::f16, F32, |&x| x.to_f32()),
        TensorElementType::Int64 => read!(i64, I64, |&x| x),
        TensorElementType::Int32 => read!(i32, I64, |&x| i64::from(x)),
        TensorElementType::Int16 => read!(i16, I64, |&x| i64::from(x)),
        TensorElementType::Int8 => read!(i8, I64, |&x| i64::from(x)),
        TensorElementType::Uint8 => read!(u8, I64, |&x| i64::from(x)),
        TensorElementType::Uint16 => read!(u16, I64, |&x| i64::from(x)),
        TensorElementType::Uint32 => read!(u32, I64, |&x| i64::from(x)),
        TensorElementType::Bool => read!(bool, I64, |&x| i64::from(x)),
        other => return Err(format!("element type {other} cannot be scored")),
    })
}

#[cfg(test)]
mod tests {
    use super::build_version;

    #[test]
    fn the_version_is_read_from_the_build_string() {
        assert_eq!(
            build_version("ORT Build Info: git-branch=rel-1.32.0, git-commit-id=abc").as_deref(),
            Some("1.32.0")
        );
        assert_eq!(build_version("ORT Build Info: git-branch=main"), None);
    }
}
