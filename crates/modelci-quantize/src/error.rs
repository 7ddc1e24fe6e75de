//! Errors of a quantization.

/// Why a model cannot be quantized.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QuantizeError {
    /// The model's default-domain opset is older than the mode needs, and an operator it
    /// uses changed meaning in between, so the opset import cannot simply be raised.
    #[error(
        "the model imports opset {opset}; mode {mode}{} needs opset {needed} or newer ({what}), \
         and its opset cannot be raised: operator `{op}`: {reason}; convert the model to opset \
         {needed} first (e.g. onnx.version_converter)",
        if *per_channel { " --per-channel" } else { "" }
    )]
    OpsetBlocked {
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
        /// The model's operator that blocks the upgrade.
        op: String,
        /// Why it blocks it.
        reason: String,
    },
    /// A weight could not be read.
    #[error(transparent)]
    Onnx(#[from] modelci_onnx::OnnxError),
}
