//! A model's declared interface, read from the ONNX protobuf with [`modelci_onnx`] (no
//! inference engine: `publish` does not run models, so it does not link tract).
//!
//! The same reading as `modelci-eval`'s signature (inputs that are not initializers, element
//! types named like `float32`, fixed/named/unknown dimensions, parameters counted by
//! [`modelci_onnx::parameters`], the counter `modelci-eval` uses too), so a manifest and an
//! eval-diff report describe a model alike.

use std::collections::HashSet;
use std::path::Path;

use modelci_onnx::proto::{ValueInfoProto, tensor_shape_proto::dimension, type_proto};

use crate::BundleError;
use crate::manifest::{ModelEntry, TensorEntry};

/// Reads the model at `path` and describes it as stored under `name`.
///
/// # Errors
/// [`BundleError::Input`] when the file is not an ONNX model with a graph.
pub fn describe(path: &Path, name: &str) -> Result<ModelEntry, BundleError> {
    let model = modelci_onnx::read(path).map_err(|e| BundleError::Input {
        path: path.to_owned(),
        message: format!("not a usable ONNX model: {e}"),
    })?;
    let Some(graph) = model.graph.as_ref() else {
        return Err(BundleError::Input {
            path: path.to_owned(),
            message: "not a usable ONNX model: it has no graph".into(),
        });
    };
    let initializers: HashSet<&str> = graph.initializer.iter().map(|t| t.name()).collect();
    let parameters = modelci_onnx::parameters::graph(graph);
    Ok(ModelEntry {
        path: name.to_owned(),
        inputs: graph
            .input
            .iter()
            .filter(|i| !initializers.contains(i.name()))
            .map(tensor)
            .collect(),
        outputs: graph.output.iter().map(tensor).collect(),
        opset: modelci_onnx::opset_version(&model, "").unwrap_or(0),
        parameters,
        producer: format!("{} {}", model.producer_name(), model.producer_version())
            .trim()
            .to_owned(),
    })
}

/// One input or output.
fn tensor(info: &ValueInfoProto) -> TensorEntry {
    let tensor = match info.r#type.as_ref().and_then(|t| t.value.as_ref()) {
        Some(type_proto::Value::TensorType(t)) => Some(t),
        _ => None,
    };
    TensorEntry {
        name: info.name().to_owned(),
        elem_type: elem_type(tensor.map_or(0, |t| t.elem_type())),
        shape: tensor.and_then(|t| t.shape.as_ref()).map(|shape| {
            shape
                .dim
                .iter()
                .map(|d| match &d.value {
                    Some(dimension::Value::DimValue(v)) if *v >= 0 => serde_json::json!(v),
                    Some(dimension::Value::DimParam(p)) if !p.is_empty() => serde_json::json!(p),
                    _ => serde_json::Value::Null,
                })
                .collect()
        }),
    }
}

/// The name of an ONNX `TensorProto.DataType`.
fn elem_type(code: i32) -> String {
    match code {
        1 => "float32",
        2 => "uint8",
        3 => "int8",
        4 => "uint16",
        5 => "int16",
        6 => "int32",
        7 => "int64",
        8 => "string",
        9 => "bool",
        10 => "float16",
        11 => "float64",
        12 => "uint32",
        13 => "uint64",
        16 => "bfloat16",
        other => return format!("onnx-type-{other}"),
    }
    .to_owned()
}
