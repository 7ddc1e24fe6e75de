//! Errors of a quantization.

/// Why a model cannot be quantized.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QuantizeError {
    /// The model's default-domain opset is older than the mode needs.
    #[error(
        "the model imports opset {opset}; mode {mode}{} needs opset {needed} or newer ({what}); \
         convert the model to a newer opset first (e.g. onnx.version_converter)",
        if *per_channel { " --per-channel" } else { "" }
    )]
    OpsetTooOld {
        /// The mode asked for.
        mode: &'static str,
        /// Whether per-channel scales were asked for.
        per_channel: bool,
        /// The model's opset.
        opset: i64,
        /// The oldest opset that works.
        needed: i64,
        /// The operator that needs it.
        what: &'static str,
    },
    /// A weight could not be read.
    #[error(transparent)]
    Onnx(#[from] modelci_onnx::OnnxError),
}
