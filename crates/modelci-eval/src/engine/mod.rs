//! Running ONNX models: one facade ([`Model`]) over two engines.
//!
//! - [`tract`](self::tract) (pure Rust, always built) is the zero-dependency default;
//! - onnxruntime (cargo feature `onnxruntime`, through the `ort` crate with its shared library
//!   opened at run time) runs what tract cannot (tree ensembles, fp16 at full speed) and is the
//!   runtime most models are served with.
//!
//! [`select`] finds the engine to use (`--engine tract|onnxruntime|auto`); [`proto`] reads the
//! declared signature from the file once, whatever the engine, so both report the same
//! interface. No engine type crosses this module's boundary: inputs and outputs are the plain
//! [`InputTensor`] / [`OutputTensor`].

#[cfg(feature = "onnxruntime")]
mod onnxruntime;
mod proto;
pub mod select;
mod tract;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::EvalError;
use crate::signature::{ElemType, ModelSignature};

pub use select::{Engine, EngineChoice, EngineInfo, EngineKind, EngineOptions};

/// A loaded model, ready to run batches in one engine.
pub struct Model {
    path: PathBuf,
    file_size: u64,
    signature: ModelSignature,
    engine: Engine,
    backend: Backend,
}

/// The engine-specific part of a model.
enum Backend {
    Tract(tract::TractRunner),
    #[cfg(feature = "onnxruntime")]
    OnnxRuntime(onnxruntime::OrtRunner),
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("path", &self.path)
            .field("file_size", &self.file_size)
            .field("signature", &self.signature)
            .field("engine", &self.engine.info().name)
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
    /// Loads and parses the ONNX model at `path` in tract.
    ///
    /// # Errors
    /// As [`Model::load_with`].
    pub fn load(path: &Path) -> Result<Self, EvalError> {
        Self::load_with(path, &Engine::tract())
    }

    /// Loads and parses the ONNX model at `path` in `engine`.
    ///
    /// # Errors
    /// [`EvalError::Io`] when the file cannot be read, [`EvalError::BadModel`] when it is not a
    /// valid ONNX protobuf or the engine cannot build a graph from it (the message names the
    /// engine and suggests the other), [`EvalError::Incompatible`] when an input has an element
    /// type modelci cannot feed (strings, complex numbers).
    pub fn load_with(path: &Path, engine: &Engine) -> Result<Self, EvalError> {
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
        let proto = proto::decode(path, &bytes)?;
        let graph = proto
            .graph
            .as_ref()
            .ok_or_else(|| bad("the file holds no graph".into()))?;
        let signature = proto::read_signature(&proto, graph);
        crate::limits::check(path, &proto, graph, &signature)?;
        if signature.inputs.is_empty() {
            return Err(bad("the graph declares no input".into()));
        }
        if signature.outputs.is_empty() {
            return Err(bad("the graph declares no output".into()));
        }
        if let Some(input) = signature.inputs.iter().find(|i| !feedable(i.elem_type)) {
            return Err(EvalError::incompatible(
                path,
                format!(
                    "input `{}` has element type {}; modelci feeds numbers and booleans",
                    input.name, input.elem_type
                ),
            ));
        }
        let cannot = |reason: String| bad(engine.cannot_run(&reason));
        let backend = match engine.info().name {
            EngineKind::Tract => Backend::Tract(
                tract::TractRunner::new(path, Arc::new(proto), &signature.inputs)
                    .map_err(cannot)?,
            ),
            #[cfg(feature = "onnxruntime")]
            EngineKind::OnnxRuntime => Backend::OnnxRuntime(
                onnxruntime::OrtRunner::new(path, engine.info().threads).map_err(cannot)?,
            ),
            #[cfg(not(feature = "onnxruntime"))]
            EngineKind::OnnxRuntime => {
                return Err(bad(select::NOT_BUILT.to_owned()));
            }
        };
        Ok(Self {
            path: path.to_owned(),
            file_size: metadata.len(),
            signature,
            engine: engine.clone(),
            backend,
        })
    }

    /// A second instance of this model for another worker: same engine and options, its own
    /// plans or session.
    ///
    /// # Errors
    /// [`EvalError::BadModel`] when the engine cannot load the model again (onnxruntime reads
    /// the file again).
    pub fn fork(&self) -> Result<Self, EvalError> {
        let backend = match &self.backend {
            Backend::Tract(runner) => Backend::Tract(runner.fork()),
            #[cfg(feature = "onnxruntime")]
            Backend::OnnxRuntime(_) => Backend::OnnxRuntime(
                onnxruntime::OrtRunner::new(&self.path, self.engine.info().threads).map_err(
                    |reason| EvalError::BadModel {
                        path: self.path.clone(),
                        reason: self.engine.cannot_run(&reason),
                    },
                )?,
            ),
        };
        Ok(Self {
            path: self.path.clone(),
            file_size: self.file_size,
            signature: self.signature.clone(),
            engine: self.engine.clone(),
            backend,
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

    /// The engine that runs this model, its version and session options.
    #[must_use]
    pub fn engine(&self) -> &EngineInfo {
        self.engine.info()
    }

    /// Runs one batch of a single-input model. `shape` is the full input shape, batch first;
    /// `data` holds its values row-major.
    ///
    /// # Errors
    /// [`EvalError::Inference`] when the model has several inputs, the engine cannot prepare
    /// the model for this shape or the run fails.
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
    /// that does not fit the declared type), the engine cannot prepare the model for these
    /// shapes or the run fails (then the message names the engine and suggests the other).
    pub fn run_inputs(&mut self, inputs: &[InputTensor]) -> Result<Vec<OutputTensor>, EvalError> {
        let fail = |reason: String| EvalError::Inference {
            path: self.path.clone(),
            reason,
        };
        if inputs.len() != self.signature.inputs.len() {
            return Err(fail(format!(
                "the model takes {} inputs, {} were given",
                self.signature.inputs.len(),
                inputs.len()
            )));
        }
        for (input, spec) in inputs.iter().zip(&self.signature.inputs) {
            check_input(input, spec.elem_type)
                .map_err(|e| fail(format!("input `{}`: {e}", spec.name)))?;
        }
        let result = match &mut self.backend {
            Backend::Tract(runner) => {
                runner.run(inputs, &self.signature.inputs, &self.signature.outputs)
            }
            #[cfg(feature = "onnxruntime")]
            Backend::OnnxRuntime(runner) => {
                runner.run(inputs, &self.signature.inputs, &self.signature.outputs)
            }
        };
        result.map_err(|reason| EvalError::Inference {
            path: self.path.clone(),
            reason: self.engine.cannot_run(&reason),
        })
    }

    /// Prepares the model for a single input of `shape` (tract builds and caches its plan),
    /// so that a timed run that follows does not include optimisation.
    ///
    /// # Errors
    /// [`EvalError::Inference`] when the engine cannot prepare the model for this shape.
    pub fn prepare(&mut self, shape: &[usize]) -> Result<(), EvalError> {
        self.prepare_inputs(&[shape.to_vec()])
    }

    /// Prepares the model for these input shapes, one per input.
    ///
    /// # Errors
    /// [`EvalError::Inference`] when the engine cannot prepare the model for these shapes.
    pub fn prepare_inputs(&mut self, shapes: &[Vec<usize>]) -> Result<(), EvalError> {
        match &mut self.backend {
            Backend::Tract(runner) => runner.prepare(shapes),
            // onnxruntime plans once per session, at load time.
            #[cfg(feature = "onnxruntime")]
            Backend::OnnxRuntime(_) => Ok(()),
        }
        .map_err(|reason| EvalError::Inference {
            path: self.path.clone(),
            reason: self.engine.cannot_run(&reason),
        })
    }
}

/// Whether modelci can feed an input of this declared type (in either engine).
fn feedable(elem: ElemType) -> bool {
    elem.is_float() || elem.is_integer() || elem == ElemType::Bool
}

/// Checks that `input` can be fed losslessly to the declared type `elem`: the number of values
/// matches the shape, floats go to float types, integers (checked to fit) to integer or float
/// types, booleans to booleans.
fn check_input(input: &InputTensor, elem: ElemType) -> Result<(), String> {
    let shape = input.shape.as_slice();
    let expected: usize = shape.iter().product();
    if input.data.len() != expected {
        return Err(format!(
            "{} values for shape {shape:?} ({expected} values)",
            input.data.len()
        ));
    }
    match &input.data {
        InputData::F32(_) if elem.is_float() => Ok(()),
        InputData::I64(values) if elem.is_integer() || elem.is_float() => {
            let (low, high) = elem.integer_range().unwrap_or_else(|| {
                let exact = elem.exact_integers().unwrap_or(0);
                (-exact, exact)
            });
            match values.iter().find(|&&v| v < low || v > high) {
                Some(v) => Err(format!("value {v} does not fit {elem} exactly")),
                None => Ok(()),
            }
        }
        InputData::Bool(_) if elem == ElemType::Bool => Ok(()),
        InputData::F32(_) => Err(format!("floats cannot be fed losslessly to {elem}")),
        InputData::I64(_) => Err(format!("integers cannot be fed to {elem}")),
        InputData::Bool(_) => Err(format!("booleans cannot be fed to {elem}")),
    }
}
