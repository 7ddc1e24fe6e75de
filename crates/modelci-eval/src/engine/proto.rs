//! Reading the ONNX protobuf once, whatever the engine: the declared signature and the
//! parameter count come from the file itself, so both engines report the same interface.

use std::path::Path;

use tract_onnx::pb;
use tract_onnx::prelude::Framework;

use crate::error::EvalError;
use crate::signature::{Dim, ElemType, ModelSignature, TensorSpec};

/// Decodes the protobuf of the model at `path` (its bytes are `bytes`).
pub(super) fn decode(path: &Path, bytes: &[u8]) -> Result<pb::ModelProto, EvalError> {
    tract_onnx::onnx()
        .proto_model_for_read(&mut &bytes[..])
        .map_err(|e| EvalError::BadModel {
            path: path.to_owned(),
            reason: format!("the protobuf does not decode (truncated or not ONNX): {e}"),
        })
}

/// The declared inputs (initializers excluded), outputs, opset, parameter count and producer.
pub(super) fn read_signature(proto: &pb::ModelProto, graph: &pb::GraphProto) -> ModelSignature {
    let initializers: std::collections::HashSet<&str> =
        graph.initializer.iter().map(|t| t.name.as_str()).collect();
    let spec = |info: &pb::ValueInfoProto| {
        let tensor = match info.r#type.as_ref().and_then(|t| t.value.as_ref()) {
            Some(pb::type_proto::Value::TensorType(tensor)) => Some(tensor),
            _ => None,
        };
        TensorSpec {
            name: info.name.clone(),
            elem_type: ElemType::from_onnx(tensor.map_or(0, |t| t.elem_type)),
            dims: tensor.and_then(|t| t.shape.as_ref()).map(|shape| {
                shape
                    .dim
                    .iter()
                    .map(|d| match &d.value {
                        Some(pb::tensor_shape_proto::dimension::Value::DimValue(v)) if *v >= 0 => {
                            Dim::Fixed(v.unsigned_abs())
                        }
                        Some(pb::tensor_shape_proto::dimension::Value::DimParam(p))
                            if !p.is_empty() =>
                        {
                            Dim::Symbolic(p.clone())
                        }
                        _ => Dim::Unknown,
                    })
                    .collect()
            }),
        }
    };
    let opset = proto
        .opset_import
        .iter()
        .filter(|o| o.domain.is_empty() || o.domain == "ai.onnx")
        .map(|o| o.version)
        .max()
        .unwrap_or(0);
    ModelSignature {
        inputs: graph
            .input
            .iter()
            .filter(|i| !initializers.contains(i.name.as_str()))
            .map(spec)
            .collect(),
        outputs: graph.output.iter().map(spec).collect(),
        opset,
        // The one counter (issue 13), over tract's copy of the ONNX types.
        parameters: modelci_onnx::parameter_count!(graph),
        producer: format!("{} {}", proto.producer_name, proto.producer_version)
            .trim()
            .to_owned(),
    }
}
