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
        /// Why (shown in the message, so not also a `source`).
        reason: DecodeError,
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

/// Why bytes do not decode as an ONNX model.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// There are no bytes.
    #[error("the file is empty")]
    Empty,
    /// The bytes are not a `ModelProto` (not protobuf, or truncated).
    #[error("the protobuf does not decode (truncated or not ONNX): {0}")]
    Protobuf(#[from] prost::DecodeError),
    /// The model holds no graph (or an empty one).
    #[error("the file holds no graph")]
    NoGraph,
    /// The model declares no IR version, which every ONNX exporter writes.
    #[error("no ir_version (not an ONNX model)")]
    NoIrVersion,
}

impl OnnxError {
    pub(crate) fn tensor(tensor: &str, reason: impl Into<String>) -> Self {
        Self::Tensor {
            tensor: tensor.to_owned(),
            reason: reason.into(),
        }
    }
}
