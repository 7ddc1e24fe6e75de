//! An MLServer model folder: `NAME/model-settings.json`, `NAME/model.onnx` and
//! `NAME/modelci_onnx_runtime.py`.
//!
//! # Which runtime
//!
//! Seldon publishes no MLServer runtime for ONNX: the official `mlserver-*` packages on PyPI
//! are scikit-learn, XGBoost, LightGBM, CatBoost, MLflow, Hugging Face, Spark MLlib and the
//! Alibi ones (`mlserver-openvino` is a third party's, last released in 2023). What MLServer does
//! offer is the `implementation` field of `model-settings.json` — the same field through which
//! the repository's deploy-notify tests serve the example with `mlserver_sklearn.SKLearnModel` —
//! which names any `MLModel` class, and MLServer puts the model's own folder on `sys.path` while
//! loading it. So the layout ships a small runtime class next to the model
//! ([`RUNTIME_MODULE`]`.OnnxModel`, onnxruntime on the CPU, tensors through MLServer's
//! `NumpyCodec`): the server needs `mlserver` and `onnxruntime` installed, nothing else.
//!
//! # The settings
//!
//! `name` and `parameters.version` from the bundle, `parameters.uri` `./model.onnx`, and the
//! signature as `inputs`/`outputs` metadata (Open Inference Protocol datatypes, `-1` for dynamic
//! dimensions), which MLServer answers on `GET /v2/models/NAME`. An element type without an
//! Open Inference Protocol datatype (`bfloat16`, complex, …) or a tensor without a shape is
//! refused.

use modelci_bundle::manifest::TensorEntry;
use serde_json::{Value, json};

use crate::tensor::{dims, signed};
use crate::{Content, LayoutFile, LayoutInput, ServingError};

const LAYOUT: &str = "mlserver";

/// The Python module of the runtime class, next to the model.
pub const RUNTIME_MODULE: &str = "modelci_onnx_runtime";

/// The runtime class's source.
pub const RUNTIME_SOURCE: &str = include_str!("modelci_onnx_runtime.py");

/// The Open Inference Protocol datatype of an element type of the signature.
#[must_use]
pub fn datatype(elem_type: &str) -> Option<&'static str> {
    Some(match elem_type {
        "bool" => "BOOL",
        "uint8" => "UINT8",
        "uint16" => "UINT16",
        "uint32" => "UINT32",
        "uint64" => "UINT64",
        "int8" => "INT8",
        "int16" => "INT16",
        "int32" => "INT32",
        "int64" => "INT64",
        "float16" => "FP16",
        "float32" => "FP32",
        "float64" => "FP64",
        "string" => "BYTES",
        _ => return None,
    })
}

pub(crate) fn files(input: &LayoutInput<'_>) -> Result<Vec<LayoutFile>, ServingError> {
    let settings = model_settings(input)?;
    let mut text = serde_json::to_string_pretty(&settings).unwrap_or_default();
    text.push('\n');
    Ok(vec![
        LayoutFile {
            path: format!("{}/model-settings.json", input.name),
            content: Content::Bytes(text.into_bytes()),
        },
        LayoutFile {
            path: format!("{}/model.onnx", input.name),
            content: Content::File(input.model.to_owned()),
        },
        LayoutFile {
            path: format!("{}/{RUNTIME_MODULE}.py", input.name),
            content: Content::Bytes(RUNTIME_SOURCE.as_bytes().to_vec()),
        },
    ])
}

/// The `model-settings.json` document for `input`.
///
/// # Errors
/// [`ServingError::Unsupported`] for an element type without an Open Inference Protocol
/// datatype or a tensor without a shape.
pub fn model_settings(input: &LayoutInput<'_>) -> Result<Value, ServingError> {
    let sig = input.signature;
    let describe = |t: &TensorEntry| -> Result<Value, ServingError> {
        let datatype = datatype(&t.elem_type).ok_or_else(|| ServingError::Unsupported {
            model: sig.path.clone(),
            layout: LAYOUT,
            tensor: t.name.clone(),
            reason: format!(
                "element type {} has no Open Inference Protocol datatype",
                t.elem_type
            ),
        })?;
        let shape: Vec<i64> = dims(t, &sig.path, LAYOUT)?
            .into_iter()
            .map(signed)
            .collect();
        Ok(json!({ "name": t.name, "datatype": datatype, "shape": shape }))
    };
    let inputs = sig
        .inputs
        .iter()
        .map(describe)
        .collect::<Result<Vec<_>, _>>()?;
    let outputs = sig
        .outputs
        .iter()
        .map(describe)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json!({
        "name": input.name,
        "implementation": format!("{RUNTIME_MODULE}.OnnxModel"),
        "parameters": { "uri": "./model.onnx", "version": input.version },
        "inputs": inputs,
        "outputs": outputs,
    }))
}
