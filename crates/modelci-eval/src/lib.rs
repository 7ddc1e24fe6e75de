//! The evaluation core of modelci: load an ONNX model, stream a dataset through it in batches
//! and collect what the metrics need, independent of any CI system or code host.
//!
//! # Tour
//! - [`engine`]: the only module that knows tract and onnxruntime (`--engine`; onnxruntime
//!   behind the cargo feature `onnxruntime`, its library opened at run time). It loads a model,
//!   reads its signature and runs batches. No engine type crosses its boundary.
//! - [`signature`]: names, element types and shapes of a model's inputs and outputs.
//! - [`layout`]: how a sample must be shaped for a model (flat features, NCHW or NHWC image),
//!   derived from the model's input shape and overridable by flags.
//! - [`preprocess`]: scaling and mean/std normalisation.
//! - [`resize`]: bringing images to the model's size (stretch, fit-pad, shorter-side-crop).
//! - [`dataset`]: image folders, NumPy `.npz`/`.npy` files and CSV files, read in batches so
//!   memory does not grow with the dataset.
//! - [`feed`]: which sample data goes to which model input (through a layout, or arrays by
//!   name), with lossless casts, dynamic dimensions from the data or `--input-shape`, and
//!   fixed batch sizes.
//! - [`output`]: turns raw model outputs into predictions (argmax of logits or
//!   probabilities, the label + probabilities pair of scikit-learn exports, regression values).
//! - `text` (feature `text`, eval-diff only): texts into token ids with a Hugging Face
//!   `tokenizer.json`.
//! - [`features`]: samples into named feature values for drift references (eval-diff
//!   `--reference-stats`) and drift-check's current data.
//! - [`evaluate`]: the loop that feeds one or two models and accumulates metrics and timings,
//!   its batches spread over `--jobs` workers (module `parallel`) in a deterministic order;
//!   [`cross`] compares the candidate between the two engines (`--cross-check`).
//!
//! # Why `tract-onnx` and not the `tract` facade
//! tract 0.23 recommends its new `tract` facade crate as the stable API. We use `tract-onnx`
//! directly, behind [`engine`], because we need three things the facade does not expose: the
//! parsed ONNX protobuf (to read the declared signature and count parameters from the
//! initializers), `set_input_fact` on the inference model to pin the batch size before
//! optimisation, and dropping the declared output shapes that exporters get wrong. Moving to
//! the facade later touches only `engine.rs`.

mod alloc;
pub mod cross;
pub mod dataset;
pub mod engine;
pub mod error;
pub mod evaluate;
pub mod features;
pub mod feed;
pub mod layout;
pub mod limits;
pub mod output;
mod parallel;
pub mod preprocess;
pub mod resize;
pub mod signature;
#[cfg(feature = "text")]
pub mod text;
mod worker;

pub use cross::{CrossCheck, CrossOutput};
pub use dataset::{Batch, Dataset, DatasetOptions, Label, TextOptions, TextSummary};
pub use engine::{
    Engine, EngineChoice, EngineInfo, EngineKind, EngineOptions, InputData, InputTensor, Model,
    OutputTensor,
};
pub use error::EvalError;
pub use evaluate::{
    Evaluation, EvaluationOptions, Execution, LatencyMethod, ModelEvaluation, NonFinite,
    SampleOutcome, Task, Timings, evaluate_observed,
};
pub use feed::{Feeder, ShapeOverride};
pub use layout::{InputLayout, LayoutError, LayoutOverride};
pub use preprocess::{Preprocess, PreprocessError};
pub use resize::Resize;
pub use signature::{Dim, ElemType, ModelSignature, TensorSpec};
