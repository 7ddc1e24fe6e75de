//! What can go wrong reading or rewriting an ONNX file; every message names the file.

use std::path::PathBuf;

/// An error reading, normalising or converting an ONNX model.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OnnxError {
    /// The file could not be read.
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The bytes are not an ONNX model (not protobuf, truncated, or no graph).
    #[error("{}: not an ONNX model: {reason}", path.display())]
    NotOnnx {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A tensor's external data is missing, malformed, or points outside the model's folder.
    #[error("{}: external data of tensor `{tensor}`: {reason}", path.display())]
    ExternalData {
        /// The model file.
        path: PathBuf,
        /// The tensor.
        tensor: String,
        /// Why it was refused.
        reason: String,
    },
    /// A tensor cannot be read or converted.
    #[error("tensor `{tensor}`: {reason}")]
    Tensor {
        /// The tensor.
        tensor: String,
        /// Why.
        reason: String,
    },
}

impl OnnxError {
    pub(crate) fn tensor(tensor: &str, reason: impl Into<String>) -> Self {
        Self::Tensor {
            tensor: tensor.to_owned(),
            reason: reason.into(),
        }
    }
}
