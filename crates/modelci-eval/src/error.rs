//! Errors of the evaluation core. Every message names the file it is about and says what is
//! wrong with it in words a user can act on.

use std::path::PathBuf;

/// What can go wrong while loading models, reading datasets or evaluating.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EvalError {
    /// A file or folder could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not an ONNX model, or the engine cannot load it.
    #[error("{path}: not a loadable ONNX model: {reason}")]
    BadModel {
        /// The model file.
        path: PathBuf,
        /// What the parser or the engine said.
        reason: String,
    },
    /// The model cannot take the dataset's samples.
    #[error("{path}: {reason}")]
    Incompatible {
        /// The model or dataset file the problem is about.
        path: PathBuf,
        /// What does not fit.
        reason: String,
    },
    /// The dataset is malformed.
    #[error("{path}: {reason}")]
    BadDataset {
        /// The dataset file or folder (or the sample inside it).
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// Running the model failed.
    #[error("{path}: inference failed: {reason}")]
    Inference {
        /// The model file.
        path: PathBuf,
        /// What the engine said.
        reason: String,
    },
    /// The engine asked for cannot be used: onnxruntime not found, too old, not loadable, or
    /// not built in.
    #[error("--engine {engine}: {reason}")]
    Engine {
        /// The engine.
        engine: crate::engine::EngineKind,
        /// Why, where it looked and how to install it.
        reason: String,
    },
    /// The model produced NaN or infinite values.
    #[error("{path}: the model produced {what} for sample {sample}; its outputs cannot be scored")]
    NonFinite {
        /// The model file.
        path: PathBuf,
        /// "NaN" or "an infinite value".
        what: &'static str,
        /// The sample (file name or index).
        sample: String,
    },
}

impl EvalError {
    /// A [`EvalError::BadDataset`] for `path`.
    pub fn dataset(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Self::BadDataset {
            path: path.into(),
            reason: reason.into(),
        }
    }

    /// An [`EvalError::Incompatible`] for `path`.
    pub fn incompatible(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Self::Incompatible {
            path: path.into(),
            reason: reason.into(),
        }
    }

    /// An [`EvalError::Io`] for `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }
}
