//! Decoding and encoding whole models, and reading one from a file.

use std::path::Path;

use prost::Message as _;

use crate::error::{DecodeError, OnnxError};
use crate::proto::ModelProto;

/// Reads the model at `path` and loads its external data (only from inside its folder).
///
/// # Errors
/// [`OnnxError::Io`] when the file cannot be read, [`OnnxError::NotOnnx`] when it is not an
/// ONNX model, [`OnnxError::ExternalData`] when external data is missing or outside the folder.
pub fn read(path: &Path) -> Result<ModelProto, OnnxError> {
    let bytes = std::fs::read(path).map_err(|source| OnnxError::Io {
        path: path.to_owned(),
        source,
    })?;
    let mut model = decode(&bytes).map_err(|reason| OnnxError::NotOnnx {
        path: path.to_owned(),
        reason,
    })?;
    crate::external::load(&mut model, path)?;
    Ok(model)
}

/// Decodes a serialised `ModelProto`, requiring a graph.
///
/// # Errors
/// A [`DecodeError`] when the bytes are empty, not protobuf (or truncated), hold no graph or
/// no IR version.
pub fn decode(bytes: &[u8]) -> Result<ModelProto, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    let model = ModelProto::decode(bytes)?;
    match &model.graph {
        Some(graph) if !graph.node.is_empty() || !graph.output.is_empty() => {}
        _ => return Err(DecodeError::NoGraph),
    }
    if model.ir_version.unwrap_or(0) <= 0 {
        return Err(DecodeError::NoIrVersion);
    }
    Ok(model)
}

/// Serialises `model`.
#[must_use]
pub fn encode(model: &ModelProto) -> Vec<u8> {
    model.encode_to_vec()
}

/// The opset version imported for `domain` (`""` or `"ai.onnx"` for the default domain).
#[must_use]
pub fn opset_version(model: &ModelProto, domain: &str) -> Option<i64> {
    let default = |d: &str| d.is_empty() || d == "ai.onnx";
    model
        .opset_import
        .iter()
        .filter(|o| {
            let d = o.domain();
            d == domain || (default(d) && default(domain))
        })
        .filter_map(|o| o.version)
        .max()
}
