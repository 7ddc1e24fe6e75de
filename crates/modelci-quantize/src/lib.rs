//! Quantizing an ONNX model by rewriting its graph: no runtime, no tract, just protobuf.
//!
//! # Modes ([`Mode`])
//! - **dynamic**: MatMul/Gemm/Conv weights to 8 bits, activations quantized at run time with
//!   `DynamicQuantizeLinear`, products in `MatMulInteger`/`ConvInteger` (the form onnxruntime's
//!   `quantize_dynamic` writes). Weights are symmetric values stored as `uint8` with zero point
//!   128: onnxruntime's CPU `ConvInteger` only takes `uint8`, and its `uint8 x int8` MatMul
//!   kernel saturates 16-bit sums on AVX2 (measured: 23% output error on a 7-class Gemm with
//!   per-channel int8 weights), which `uint8 x uint8` does not. Zero points are always scalars
//!   (per-channel scales are applied after the integer product), which every runtime accepts.
//! - **weight-only**: `int8` weights plus `DequantizeLinear`; compute stays fp32.
//! - **fp16**: see [`fp16`].
//! - **static**: QDQ. Each quantized node's activation input goes through
//!   `QuantizeLinear`/`DequantizeLinear` with a `uint8` scale and zero point fixed from
//!   calibration ranges ([`Calibration`], measured by the caller on calibration data (raw inputs
//!   or a dataset) with the model from
//!   [`calibration::instrument`]); weights are `int8` + `DequantizeLinear` as in weight-only.
//!   Only the inputs of MatMul/Gemm/Conv are quantized, so a Softmax head and every other op
//!   stay fp32 (tract returns 1.0 for every class on a QDQ'd Softmax).
//!
//! # Rules
//! - A weight is quantized only when the rewrite makes the file smaller (counted in encoded
//!   protobuf bytes); otherwise it is skipped and the [`Skip`] says why.
//! - `exclude` names nodes or op types that stay in fp32.
//! - Opset checks come first, with an error that names the opset and the one needed.
//!
//! The model is normalised first ([`modelci_onnx::normalize`]): `Constant` weights become
//! initializers and a repeated opset import is merged.

pub mod calibration;
mod error;
pub mod fp16;
mod graph;
mod int8;
pub mod opset;
mod weights;

use serde::Serialize;

pub use error::QuantizeError;
use modelci_onnx::ModelProto;
use modelci_onnx::normalize::Normalized;

/// How to quantize.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// int8 weights, activations quantized at run time (`MatMulInteger`/`ConvInteger`).
    Dynamic,
    /// int8 weights + `DequantizeLinear`; compute stays fp32.
    WeightOnly,
    /// fp16 weights and compute, fp32 inputs and outputs.
    Fp16,
    /// QDQ with activation ranges calibrated on data.
    Static,
}

impl Mode {
    /// The mode's name as the CLI spells it.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Dynamic => "dynamic",
            Self::WeightOnly => "weight-only",
            Self::Fp16 => "fp16",
            Self::Static => "static",
        }
    }
}

/// Options of a quantization.
#[derive(Debug, Clone)]
pub struct Options {
    /// The mode.
    pub mode: Mode,
    /// One scale per output channel instead of one per tensor (int8 modes).
    pub per_channel: bool,
    /// Node names or op types to keep in fp32.
    pub exclude: Vec<String>,
    /// Activation ranges for [`Mode::Static`].
    pub calibration: Option<Calibration>,
}

/// The range of values each activation tensor took on the calibration data.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Calibration {
    /// Tensor name → (low, high).
    pub ranges: std::collections::HashMap<String, (f32, f32)>,
}

/// One node (or weight) that was rewritten.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The node's name (or its first output when unnamed).
    pub node: String,
    /// Its op type.
    pub op: String,
    /// The weight converted.
    pub weight: String,
    /// Bytes of the weight before.
    pub bytes_before: usize,
    /// Bytes of the weight after (values only).
    pub bytes_after: usize,
}

/// A node or weight left in fp32, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skip {
    /// The node's name (or its first output when unnamed).
    pub node: String,
    /// Its op type.
    pub op: String,
    /// Why it was left alone.
    pub reason: String,
}

/// The rewritten model and what happened.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The rewritten model.
    pub model: ModelProto,
    /// What normalisation changed first.
    pub normalized: Normalized,
    /// The nodes rewritten.
    pub changes: Vec<Change>,
    /// The candidates left alone.
    pub skipped: Vec<Skip>,
    /// The opset import raised for the mode, if it was.
    pub opset_upgrade: Option<opset::Upgrade>,
}

impl Outcome {
    /// Whether nothing was rewritten.
    #[must_use]
    pub fn is_unchanged(&self) -> bool {
        self.changes.is_empty()
    }
}

/// Normalises `model` and quantizes it.
///
/// # Errors
/// [`QuantizeError::OpsetBlocked`] when the model's default-domain opset is older than the
/// mode needs and an operator it uses changed meaning in between, [`QuantizeError::Onnx`] when
/// a weight cannot be read.
pub fn quantize(mut model: ModelProto, options: &Options) -> Result<Outcome, QuantizeError> {
    let normalized = modelci_onnx::normalize::normalize(&mut model);
    let opset = modelci_onnx::opset_version(&model, "").unwrap_or(1);
    let (needed, what) = match (options.mode, options.per_channel) {
        (Mode::Dynamic, _) => (11, "DynamicQuantizeLinear"),
        (Mode::WeightOnly | Mode::Static, true) => (13, "DequantizeLinear with a per-channel axis"),
        (Mode::WeightOnly | Mode::Static, false) => (10, "QuantizeLinear/DequantizeLinear"),
        (Mode::Fp16, _) => (6, "Cast with the `to` attribute"),
    };
    let before = (model.opset_import.clone(), model.ir_version);
    let opset_upgrade = if opset < needed {
        let upgrade = opset::upgrade(&mut model, opset, needed).map_err(|blocked| {
            QuantizeError::OpsetBlocked {
                mode: options.mode.name(),
                per_channel: options.per_channel,
                opset,
                needed,
                what,
                op: blocked.op,
                reason: blocked.reason,
            }
        })?;
        Some(upgrade)
    } else {
        None
    };
    let (changes, skipped) = match options.mode {
        Mode::Dynamic | Mode::WeightOnly | Mode::Static => int8::rewrite(&mut model, options)?,
        Mode::Fp16 => fp16::rewrite(&mut model, options)?,
    };
    let opset_upgrade = if changes.is_empty() {
        // Nothing rewritten: the output is the normalised input, at its own opset.
        (model.opset_import, model.ir_version) = before;
        None
    } else {
        opset_upgrade
    };
    Ok(Outcome {
        model,
        normalized,
        changes,
        skipped,
        opset_upgrade,
    })
}
