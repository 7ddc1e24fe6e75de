//! ONNX models as data: read, normalise and write `ModelProto`s without losing anything.
//!
//! modelci's graph rewrites (`modelci-quantize`) need the ONNX protobuf with every field the
//! exporter wrote — metadata, doc strings, value infos, node attributes. tract's `pb` types are
//! public but come from an old schema and drop node and graph metadata on re-encode, so this
//! crate generates its own types from the official `onnx-ml.proto` (ONNX 1.23.2, vendored in
//! `proto/`) with `prost-build` and `protox`. No tract here.
//!
//! # Tour
//! - [`proto`]: the generated types (`ModelProto`, `GraphProto`, `NodeProto`, `TensorProto`, …).
//! - [`model`]: [`read`] a file (external data resolved, see [`external`]), [`decode`] bytes,
//!   [`encode`] a model.
//! - [`normalize`]: fold `Constant` nodes into initializers, de-duplicate opset imports.
//! - [`external`]: external tensor data, loaded only from inside the model's folder.
//! - [`parameters`]: the one parameter count (initializers, `Constant` tensors, ONNX-ML float
//!   lists), used by `modelci-eval` and `modelci-bundle` alike.
//! - [`tensor`]: initializers to and from `f32`, `f16`, `i8`, `u8` values.

pub mod error;
pub mod external;
pub mod model;
pub mod normalize;
pub mod parameters;
pub mod tensor;

/// The ONNX protobuf types, generated at build time from `proto/onnx-ml.proto`.
#[allow(missing_docs, clippy::all, clippy::pedantic)]
pub mod proto {
    include!(concat!(env!("OUT_DIR"), "/onnx.rs"));
}

pub use error::{DecodeError, OnnxError};
pub use model::{decode, encode, opset_version, read};
pub use proto::{GraphProto, ModelProto, NodeProto, TensorProto};
