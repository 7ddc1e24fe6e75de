//! The one error of this crate.

/// A signature the chosen layout cannot express.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServingError {
    /// One line: the model, the layout, the tensor and why.
    #[error("{model}: the {layout} layout cannot serve {tensor:?}: {reason}")]
    Unsupported {
        /// The model file (as stored in the bundle).
        model: String,
        /// `triton` or `mlserver`.
        layout: &'static str,
        /// The input or output name.
        tensor: String,
        /// Why, e.g. "element type bfloat16 has no Open Inference Protocol datatype".
        reason: String,
    },
}
