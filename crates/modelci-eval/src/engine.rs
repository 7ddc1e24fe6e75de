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
    IntoTValue, Tensor, TypedRunnableModel, TypedSimpleState,
};

use crate::error::EvalError;
use crate::signature::{Dim, ElemType, ModelSignature, TensorSpec};

/// A loaded model, ready to run batches.
pub struct Model {
    path: PathBuf,
    file_size: u64,
    signature: ModelSignature,
    proto: pb::ModelProto,
    input_types: Vec<DatumType>,
    /// One running state per set of input shapes: reusing it keeps tract's buffers between
    /// batches.
    states: HashMap<Vec<Vec<usize>>, TypedSimpleState>,
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

/// One input of a model for one batch, in the order the model declares its inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct InputTensor {
    /// Its shape, batch first.
    pub shape: Vec<usize>,
    /// Its values, row-major.
    pub data: InputData,
}

/// The values of an input. They are cast to the element type the model declares: floats to
/// any float type, integers (checked to fit) to any integer type, booleans to booleans.
#[derive(Debug, Clone, PartialEq)]
pub enum InputData {
    /// Floating-point values.
    F32(Vec<f32>),
    /// Integer values.
    I64(Vec<i64>),
    /// Booleans.
    Bool(Vec<bool>),
}

impl InputData {
    /// Number of values.
    #[must_use]
    pub fn len(&self) -> usize {
        match self {
            Self::F32(v) => v.len(),
            Self::I64(v) => v.len(),
            Self::Bool(v) => v.len(),
        }
    }

    /// Whether there are no values.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Model {
    /// Loads and parses the ONNX model at `path`.
    ///
    /// # Errors
    /// [`EvalError::Io`] when the file cannot be read, [`EvalError::BadModel`] when it is not a
    /// valid ONNX protobuf or tract cannot build a graph from it, [`EvalError::Incompatible`]
    /// when an input has an element type modelci cannot feed (strings, complex numbers).
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
        if signature.inputs.is_empty() {
            return Err(bad("the graph declares no input".into()));
        }
        if signature.outputs.is_empty() {
            return Err(bad("the graph declares no output".into()));
        }
        let input_types = signature
            .inputs
            .iter()
            .map(|input| {
                datum_type(input.elem_type).ok_or_else(|| {
                    EvalError::incompatible(
                        path,
                        format!(
                            "input `{}` has element type {}; modelci feeds numbers and booleans",
                            input.name, input.elem_type
                        ),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        // Parse once now so that a graph tract cannot build fails at load time, with the file named.
        parse(&proto, path, false).map_err(bad)?;
        Ok(Self {
            path: path.to_owned(),
            file_size: metadata.len(),
            signature,
            proto,
            input_types,
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

    /// Runs one batch of a single-input model. `shape` is the full input shape, batch first;
    /// `data` holds its values row-major.
    ///
    /// # Errors
    /// [`EvalError::Inference`] when the model has several inputs, tract cannot build a plan
    /// for this shape or the run fails.
    pub fn run(&mut self, shape: &[usize], data: &[f32]) -> Result<Vec<OutputTensor>, EvalError> {
        self.run_inputs(&[InputTensor {
            shape: shape.to_vec(),
            data: InputData::F32(data.to_vec()),
        }])
    }

    /// Runs one batch: one tensor per model input, in the order of
    /// [`ModelSignature::inputs`].
    ///
    /// # Errors
    /// [`EvalError::Inference`] when the inputs do not match the model's (count, or a value
    /// that does not fit the declared integer type), tract cannot build a plan for these
    /// shapes or the run fails.
    pub fn run_inputs(&mut self, inputs: &[InputTensor]) -> Result<Vec<OutputTensor>, EvalError> {
        let fail = |reason: String| EvalError::Inference {
            path: self.path.clone(),
            reason,
        };
        if inputs.len() != self.input_types.len() {
            return Err(fail(format!(
                "the model takes {} inputs, {} were given",
                self.input_types.len(),
                inputs.len()
            )));
        }
        let tensors = inputs
            .iter()
            .zip(&self.input_types)
            .zip(&self.signature.inputs)
            .map(|((input, &dt), spec)| {
                to_tensor(input, spec.elem_type, dt)
                    .map_err(|e| fail(format!("input `{}`: {e}", spec.name)))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let shapes: Vec<Vec<usize>> = inputs.iter().map(|i| i.shape.clone()).collect();
        let path = self.path.clone();
        let outputs = self
            .state(&shapes)?
            .run(tensors.into_iter().map(IntoTValue::into_tvalue).collect())
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

    /// Builds (or finds in the cache) the runnable plan for a single input of `shape`, so
    /// that a timed run that follows does not include optimisation.
    ///
    /// # Errors
    /// [`EvalError::Inference`] when tract cannot prepare the model for this shape.
    pub fn prepare(&mut self, shape: &[usize]) -> Result<(), EvalError> {
        self.state(&[shape.to_vec()]).map(drop)
    }

    /// Builds (or finds in the cache) the runnable plan for these input shapes, one per input.
    ///
    /// # Errors
    /// [`EvalError::Inference`] when tract cannot prepare the model for these shapes.
    pub fn prepare_inputs(&mut self, shapes: &[Vec<usize>]) -> Result<(), EvalError> {
        self.state(shapes).map(drop)
    }

    fn state(&mut self, shapes: &[Vec<usize>]) -> Result<&mut TypedSimpleState, EvalError> {
        if !self.states.contains_key(shapes) {
            let fail = |reason: String| EvalError::Inference {
                path: self.path.clone(),
                reason,
            };
            let plan = self.build_plan(shapes).map_err(fail)?;
            let state = plan.spawn().map_err(|e| fail(format!("{e:#}")))?;
            self.states.insert(shapes.to_vec(), state);
        }
        self.states
            .get_mut(shapes)
            .ok_or_else(|| EvalError::Inference {
                path: self.path.clone(),
                reason: "internal: the prepared plan is missing".into(),
            })
    }

    fn build_plan(
        &self,
        shapes: &[Vec<usize>],
    ) -> Result<std::sync::Arc<TypedRunnableModel>, String> {
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

/// Builds the tensor of one input and casts it to the declared type `elem` (`dt` in tract);
/// integers are checked to fit first, so the cast never wraps or rounds.
fn to_tensor(input: &InputTensor, elem: ElemType, dt: DatumType) -> Result<Tensor, String> {
    let shape = input.shape.as_slice();
    let expected: usize = shape.iter().product();
    if input.data.len() != expected {
        return Err(format!(
            "{} values for shape {shape:?} ({expected} values)",
            input.data.len()
        ));
    }
    let tensor = match &input.data {
        InputData::F32(values) if elem.is_float() => Tensor::from_shape(shape, values),
        InputData::I64(values) if elem.is_integer() || elem.is_float() => {
            let (low, high) = elem.integer_range().unwrap_or_else(|| {
                let exact = elem.exact_integers().unwrap_or(0);
                (-exact, exact)
            });
            if let Some(v) = values.iter().find(|&&v| v < low || v > high) {
                return Err(format!("value {v} does not fit {elem} exactly"));
            }
            Tensor::from_shape(shape, values)
        }
        InputData::Bool(values) if elem == ElemType::Bool => Tensor::from_shape(shape, values),
        InputData::F32(_) => return Err(format!("floats cannot be fed losslessly to {elem}")),
        InputData::I64(_) => return Err(format!("integers cannot be fed to {elem}")),
        InputData::Bool(_) => return Err(format!("booleans cannot be fed to {elem}")),
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
