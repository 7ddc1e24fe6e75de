//! The one module that knows tract: load an ONNX file, read its signature, run batches.
//!
//! Loading parses the protobuf once (for the signature and the parameter count) and keeps the
//! untyped inference model as a template. A runnable plan is built per input shape — pinning the
//! batch size lets tract optimise fully — and cached, so a run compiles at most two plans: one
//! for full batches and one for the last, smaller batch.
//!
//! Declared output shapes are ignored: exporters often write a fixed batch size there, which
//! then contradicts the batch size we pin. When optimisation still fails, the model is parsed
//! again ignoring intermediate `value_info` (quantized exports often carry stale ones).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use tract_onnx::pb;
use tract_onnx::prelude::{
    Datum, DatumType, Framework, InferenceFact, InferenceModel, InferenceModelExt, IntoRunnable,
    IntoTValue, Tensor, TypedRunnableModel, TypedSimpleState, tvec,
};

use crate::error::EvalError;
use crate::signature::{Dim, ElemType, ModelSignature, TensorSpec};

/// A loaded model, ready to run batches of `f32` inputs.
pub struct Model {
    path: PathBuf,
    file_size: u64,
    signature: ModelSignature,
    proto: pb::ModelProto,
    input_type: DatumType,
    /// One running state per input shape: reusing it keeps tract's buffers between batches.
    states: HashMap<Vec<usize>, TypedSimpleState>,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("path", &self.path)
            .field("file_size", &self.file_size)
            .field("signature", &self.signature)
            .finish_non_exhaustive()
    }
}

/// One output of a model for one batch.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputTensor {
    /// The output's name.
    pub name: String,
    /// Its shape, batch first.
    pub shape: Vec<usize>,
    /// Its values, row-major.
    pub data: OutputData,
}

/// The values of an output: floats (scores, regression values) or integers (class labels).
#[derive(Debug, Clone, PartialEq)]
pub enum OutputData {
    /// Floating-point values, converted to `f32`.
    F32(Vec<f32>),
    /// Integer values, converted to `i64`.
    I64(Vec<i64>),
}

impl Model {
    /// Loads and parses the ONNX model at `path`.
    ///
    /// # Errors
    /// [`EvalError::Io`] when the file cannot be read, [`EvalError::BadModel`] when it is not a
    /// valid ONNX protobuf or tract cannot build a graph from it, [`EvalError::Incompatible`]
    /// when the model does not have exactly one input.
    pub fn load(path: &Path) -> Result<Self, EvalError> {
        let metadata = std::fs::metadata(path).map_err(|e| EvalError::io(path, e))?;
        if !metadata.is_file() {
            return Err(EvalError::BadModel {
                path: path.to_owned(),
                reason: "this is a directory, not a model file".into(),
            });
        }
        let bytes = std::fs::read(path).map_err(|e| EvalError::io(path, e))?;
        let bad = |reason: String| EvalError::BadModel {
            path: path.to_owned(),
            reason,
        };
        let proto = tract_onnx::onnx()
            .proto_model_for_read(&mut bytes.as_slice())
            .map_err(|e| {
                bad(format!(
                    "the protobuf does not decode (truncated or not ONNX): {e}"
                ))
            })?;
        let graph = proto
            .graph
            .as_ref()
            .ok_or_else(|| bad("the file holds no graph".into()))?;
        let signature = read_signature(&proto, graph);
        crate::limits::check(path, &proto, graph, &signature)?;
        if signature.inputs.len() != 1 {
            let names: Vec<&str> = signature.inputs.iter().map(|i| i.name.as_str()).collect();
            return Err(EvalError::incompatible(
                path,
                format!(
                    "the model has {} inputs ({}); modelci feeds models with exactly one input",
                    names.len(),
                    names.join(", ")
                ),
            ));
        }
        if signature.outputs.is_empty() {
            return Err(bad("the graph declares no output".into()));
        }
        let input_type = match signature.inputs[0].elem_type {
            ElemType::F32 => f32::datum_type(),
            ElemType::F64 => f64::datum_type(),
            ElemType::F16 => DatumType::F16,
            ElemType::U8 => u8::datum_type(),
            ElemType::I64 => i64::datum_type(),
            other => {
                return Err(EvalError::incompatible(
                    path,
                    format!(
                        "input `{}` has element type {other}; modelci feeds numbers",
                        signature.inputs[0].name
                    ),
                ));
            }
        };
        // Parse once now so that a graph tract cannot build fails at load time, with the file named.
        parse(&proto, path, false).map_err(bad)?;
        Ok(Self {
            path: path.to_owned(),
            file_size: metadata.len(),
            signature,
            proto,
            input_type,
            states: HashMap::new(),
        })
    }

    /// The model file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The model file's size in bytes.
    #[must_use]
    pub fn file_size(&self) -> u64 {
        self.file_size
    }

    /// The declared inputs, outputs, opset and parameter count.
    #[must_use]
    pub fn signature(&self) -> &ModelSignature {
        &self.signature
    }

    /// Runs one batch. `shape` is the full input shape, batch first; `data` holds its values
    /// row-major, converted to the model's input type.
    ///
    /// # Errors
    /// [`EvalError::Inference`] when tract cannot build a plan for this shape or the run fails.
    pub fn run(&mut self, shape: &[usize], data: &[f32]) -> Result<Vec<OutputTensor>, EvalError> {
        let fail = |reason: String| EvalError::Inference {
            path: self.path.clone(),
            reason,
        };
        let input = Tensor::from_shape(shape, data).map_err(|e| fail(format!("{e:#}")))?;
        let input = if self.input_type == f32::datum_type() {
            input
        } else {
            input
                .cast_to_dt(self.input_type)
                .map_err(|e| fail(format!("{e:#}")))?
                .into_owned()
        };
        let path = self.path.clone();
        let outputs = self
            .state(shape)?
            .run(tvec!(input.into_tvalue()))
            .map_err(|e| EvalError::Inference {
                path,
                reason: format!("{e:#}"),
            })?;
        let fail = |reason: String| EvalError::Inference {
            path: self.path.clone(),
            reason,
        };
        outputs
            .iter()
            .zip(self.signature.outputs.iter())
            .map(|(value, spec)| {
                let data = read_output(value)
                    .map_err(|e| fail(format!("output `{}`: {e:#}", spec.name)))?;
                Ok(OutputTensor {
                    name: spec.name.clone(),
                    shape: value.shape().to_vec(),
                    data,
                })
            })
            .collect()
    }

    /// Builds (or finds in the cache) the runnable plan for input `shape`, so that a timed run
    /// that follows does not include optimisation.
    ///
    /// # Errors
    /// [`EvalError::Inference`] when tract cannot prepare the model for this shape.
    pub fn prepare(&mut self, shape: &[usize]) -> Result<(), EvalError> {
        self.state(shape).map(drop)
    }

    fn state(&mut self, shape: &[usize]) -> Result<&mut TypedSimpleState, EvalError> {
        if !self.states.contains_key(shape) {
            let fail = |reason: String| EvalError::Inference {
                path: self.path.clone(),
                reason,
            };
            let plan = self.build_plan(shape).map_err(fail)?;
            let state = plan.spawn().map_err(|e| fail(format!("{e:#}")))?;
            self.states.insert(shape.to_vec(), state);
        }
        self.states
            .get_mut(shape)
            .ok_or_else(|| EvalError::Inference {
                path: self.path.clone(),
                reason: "internal: the prepared plan is missing".into(),
            })
    }

    fn build_plan(&self, shape: &[usize]) -> Result<std::sync::Arc<TypedRunnableModel>, String> {
        let compile = |ignore_value_info: bool| -> Result<_, String> {
            let mut model = parse(&self.proto, &self.path, ignore_value_info)?;
            let fact = InferenceFact::dt_shape(self.input_type, shape);
            model
                .set_input_fact(0, fact)
                .map_err(|e| format!("{e:#}"))?;
            model
                .into_optimized()
                .and_then(|typed| typed.into_runnable())
                .map_err(|e| format!("cannot prepare the model for input shape {shape:?}: {e:#}"))
        };
        compile(false).or_else(|first| compile(true).map_err(|_| first))
    }
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

fn read_signature(proto: &pb::ModelProto, graph: &pb::GraphProto) -> ModelSignature {
    let initializers: std::collections::HashSet<&str> =
        graph.initializer.iter().map(|t| t.name.as_str()).collect();
    let spec = |info: &pb::ValueInfoProto| {
        let tensor = match info.r#type.as_ref().and_then(|t| t.value.as_ref()) {
            Some(pb::type_proto::Value::TensorType(tensor)) => Some(tensor),
            _ => None,
        };
        TensorSpec {
            name: info.name.clone(),
            elem_type: ElemType::from_onnx(tensor.map_or(0, |t| t.elem_type)),
            dims: tensor.and_then(|t| t.shape.as_ref()).map(|shape| {
                shape
                    .dim
                    .iter()
                    .map(|d| match &d.value {
                        Some(pb::tensor_shape_proto::dimension::Value::DimValue(v)) if *v >= 0 => {
                            Dim::Fixed(v.unsigned_abs())
                        }
                        Some(pb::tensor_shape_proto::dimension::Value::DimParam(p))
                            if !p.is_empty() =>
                        {
                            Dim::Symbolic(p.clone())
                        }
                        _ => Dim::Unknown,
                    })
                    .collect()
            }),
        }
    };
    let elements = |dims: &[i64]| {
        dims.iter()
            .fold(1u64, |n, d| n.saturating_mul(d.unsigned_abs()))
    };
    // Weights held in node attributes: `Constant` tensors, and the float lists of ONNX-ML
    // operators (scikit-learn exports keep coefficients there, not in initializers).
    let constants: u64 = graph
        .node
        .iter()
        .flat_map(|n| n.attribute.iter())
        .map(|a| {
            a.t.as_ref()
                .map_or(0, |t| elements(&t.dims))
                .saturating_add(a.floats.len() as u64)
        })
        .fold(0, u64::saturating_add);
    let opset = proto
        .opset_import
        .iter()
        .filter(|o| o.domain.is_empty() || o.domain == "ai.onnx")
        .map(|o| o.version)
        .max()
        .unwrap_or(0);
    ModelSignature {
        inputs: graph
            .input
            .iter()
            .filter(|i| !initializers.contains(i.name.as_str()))
            .map(spec)
            .collect(),
        outputs: graph.output.iter().map(spec).collect(),
        opset,
        parameters: graph
            .initializer
            .iter()
            .map(|t| elements(&t.dims))
            .fold(constants, u64::saturating_add),
        producer: format!("{} {}", proto.producer_name, proto.producer_version)
            .trim()
            .to_owned(),
    }
}
