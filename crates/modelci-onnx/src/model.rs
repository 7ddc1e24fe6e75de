//! Decoding and encoding whole models, and reading one from a file.

use std::path::Path;

use prost::Message as _;

use crate::error::OnnxError;
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
/// A reason when the bytes are not protobuf (or truncated) or hold no graph.
pub fn decode(bytes: &[u8]) -> Result<ModelProto, String> {
    if bytes.is_empty() {
        return Err("the file is empty".into());
    }
    let model = ModelProto::decode(bytes)
        .map_err(|e| format!("the protobuf does not decode (truncated or not ONNX): {e}"))?;
    match &model.graph {
        Some(graph) if !graph.node.is_empty() || !graph.output.is_empty() => {}
        _ => return Err("the file holds no graph".into()),
    }
    if model.ir_version.unwrap_or(0) <= 0 {
        return Err("no ir_version (not an ONNX model)".into());
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
