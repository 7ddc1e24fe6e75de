//! The tract engine: the zero-dependency default, pure Rust, built into every binary that runs
//! models.
//!
//! The parsed protobuf is kept as a template. A runnable plan is built per set of input shapes
//! (pinning the batch size lets tract optimise fully) and cached with its running state, so a
//! run compiles at most two plans: one for full batches and one for the last, smaller batch.
//!
//! Declared output shapes are ignored: exporters often write a fixed batch size there, which
//! then contradicts the batch size we pin. When optimisation still fails, the model is parsed
//! again ignoring intermediate `value_info` (quantized exports often carry stale ones).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tract_onnx::pb;
use tract_onnx::prelude::{
    Datum, DatumType, InferenceFact, InferenceModel, InferenceModelExt, IntoRunnable, IntoTValue,
    Tensor, TypedRunnableModel, TypedSimpleState,
};

use super::{InputData, InputTensor, OutputData, OutputTensor};
use crate::signature::{ElemType, TensorSpec};

/// tract's version, as built into this binary (a test checks it against `Cargo.lock`).
pub(super) const VERSION: &str = "0.23.9";

/// A model in tract: the protobuf template and one running state per set of input shapes.
pub(super) struct TractRunner {
    path: PathBuf,
    proto: Arc<pb::ModelProto>,
    input_types: Vec<DatumType>,
    /// One running state per set of input shapes: reusing it keeps tract's buffers between
    /// batches.
    states: HashMap<Vec<Vec<usize>>, TypedSimpleState>,
}

impl TractRunner {
    /// Checks that tract can build a graph from `proto` and takes the input types. The error
    /// is the reason tract gives; `Err(None)` means an input type no engine of modelci feeds.
    pub(super) fn new(
        path: &Path,
        proto: Arc<pb::ModelProto>,
        inputs: &[TensorSpec],
    ) -> Result<Self, String> {
        let input_types = inputs
            .iter()
            .map(|input| {
                datum_type(input.elem_type).ok_or_else(|| {
                    format!(
                        "input `{}` has element type {}; modelci feeds numbers and booleans",
                        input.name, input.elem_type
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        // Parse once now so that a graph tract cannot build fails at load time.
        parse(&proto, path, false)?;
        Ok(Self {
            path: path.to_owned(),
            proto,
            input_types,
            states: HashMap::new(),
        })
    }

    /// A fresh runner on the same model, for another worker (plans are built again there).
    pub(super) fn fork(&self) -> Self {
        Self {
            path: self.path.clone(),
            proto: Arc::clone(&self.proto),
            input_types: self.input_types.clone(),
            states: HashMap::new(),
        }
    }

    /// Runs one batch; `specs` are the declared inputs and outputs.
    pub(super) fn run(
        &mut self,
        inputs: &[InputTensor],
        input_specs: &[TensorSpec],
        output_specs: &[TensorSpec],
    ) -> Result<Vec<OutputTensor>, String> {
        let tensors = inputs
            .iter()
            .zip(&self.input_types)
            .zip(input_specs)
            .map(|((input, &dt), spec)| {
                to_tensor(input, dt).map_err(|e| format!("input `{}`: {e}", spec.name))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let shapes: Vec<Vec<usize>> = inputs.iter().map(|i| i.shape.clone()).collect();
        let outputs = self
            .state(&shapes)?
            .run(tensors.into_iter().map(IntoTValue::into_tvalue).collect())
            .map_err(|e| format!("{e:#}"))?;
        outputs
            .iter()
            .zip(output_specs)
            .map(|(value, spec)| {
                let data =
                    read_output(value).map_err(|e| format!("output `{}`: {e:#}", spec.name))?;
                Ok(OutputTensor {
                    name: spec.name.clone(),
                    shape: value.shape().to_vec(),
                    data,
                })
            })
            .collect()
    }

    /// Builds (or finds in the cache) the plan for these input shapes.
    pub(super) fn prepare(&mut self, shapes: &[Vec<usize>]) -> Result<(), String> {
        self.state(shapes).map(drop)
    }

    fn state(&mut self, shapes: &[Vec<usize>]) -> Result<&mut TypedSimpleState, String> {
        if !self.states.contains_key(shapes) {
            let plan = self.build_plan(shapes)?;
            let state = plan.spawn().map_err(|e| format!("{e:#}"))?;
            self.states.insert(shapes.to_vec(), state);
        }
        self.states
            .get_mut(shapes)
            .ok_or_else(|| "internal: the prepared plan is missing".to_owned())
    }

    fn build_plan(&self, shapes: &[Vec<usize>]) -> Result<Arc<TypedRunnableModel>, String> {
        let compile = |ignore_value_info: bool| -> Result<_, String> {
            let mut model = parse(&self.proto, &self.path, ignore_value_info)?;
            for (index, (shape, &dt)) in shapes.iter().zip(&self.input_types).enumerate() {
                let fact = InferenceFact::dt_shape(dt, shape.as_slice());
                model
                    .set_input_fact(index, fact)
                    .map_err(|e| format!("{e:#}"))?;
            }
            model
                .into_optimized()
                .and_then(|typed| typed.into_runnable())
                .map_err(|e| {
                    format!("cannot prepare the model for input shape(s) {shapes:?}: {e:#}")
                })
        };
        compile(false).or_else(|first| compile(true).map_err(|_| first))
    }
}

/// The tract type of a declared input type modelci can feed.
fn datum_type(elem: ElemType) -> Option<DatumType> {
    Some(match elem {
        ElemType::F32 => f32::datum_type(),
        ElemType::F64 => f64::datum_type(),
        ElemType::F16 => DatumType::F16,
        ElemType::U8 => u8::datum_type(),
        ElemType::I8 => i8::datum_type(),
        ElemType::I16 => i16::datum_type(),
        ElemType::I32 => i32::datum_type(),
        ElemType::I64 => i64::datum_type(),
        ElemType::Bool => bool::datum_type(),
        _ => return None,
    })
}

/// Builds the tensor of one input and casts it to the declared type (`dt` in tract); the values
/// were checked to fit it ([`super::check_input`]), so the cast never wraps or rounds.
fn to_tensor(input: &InputTensor, dt: DatumType) -> Result<Tensor, String> {
    let shape = input.shape.as_slice();
    let tensor = match &input.data {
        InputData::F32(values) => Tensor::from_shape(shape, values),
        InputData::I64(values) => Tensor::from_shape(shape, values),
        InputData::Bool(values) => Tensor::from_shape(shape, values),
    }
    .map_err(|e| format!("{e:#}"))?;
    if tensor.datum_type() == dt {
        return Ok(tensor);
    }
    tensor
        .cast_to_dt(dt)
        .map(std::borrow::Cow::into_owned)
        .map_err(|e| format!("{e:#}"))
}

fn parse(
    proto: &pb::ModelProto,
    path: &Path,
    ignore_value_info: bool,
) -> Result<InferenceModel, String> {
    let dir = path.parent().and_then(Path::to_str);
    tract_onnx::onnx()
        .with_ignore_output_shapes(true)
        .with_ignore_value_info(ignore_value_info)
        .parse(proto, dir)
        .map(|parsed| parsed.model)
        .map_err(|e| format!("{e:#}"))
}

fn read_output(value: &Tensor) -> Result<OutputData, tract_onnx::prelude::TractError> {
    if value.datum_type().is_float() {
        let cast = value.cast_to::<f32>()?;
        Ok(OutputData::F32(
            cast.try_as_plain_ram()?.as_slice::<f32>()?.to_vec(),
        ))
    } else {
        let cast = value.cast_to::<i64>()?;
        Ok(OutputData::I64(
            cast.try_as_plain_ram()?.as_slice::<i64>()?.to_vec(),
        ))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_reported_version_is_the_locked_one() {
        let lock = include_str!("../../../../Cargo.lock");
        let locked = lock
            .split("[[package]]")
            .find(|p| p.contains("name = \"tract-onnx\""))
            .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = ")))
            .map(|v| v.trim_matches('"'));
        assert_eq!(locked, Some(super::VERSION));
    }
}
