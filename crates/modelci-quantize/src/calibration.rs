//! What static quantization needs measured: which activations, and a model that exposes them.
//!
//! The caller runs [`instrument`]'s model on calibration data (modelci does it through the
//! evaluation core), reduces every exposed tensor to a range (min-max or percentiles) and passes
//! the ranges back in [`crate::Calibration`].

use modelci_onnx::ModelProto;
use modelci_onnx::proto::{TypeProto, ValueInfoProto, type_proto};

use crate::graph;

/// The activation tensors static mode will quantize: the first input of every MatMul, Gemm and
/// Conv of the default domain (after normalisation) that is not excluded and whose weight is a
/// constant. Graph inputs are included; they need no instrumenting.
#[must_use]
pub fn targets(model: &ModelProto, exclude: &[String]) -> Vec<String> {
    let mut model = model.clone();
    modelci_onnx::normalize::normalize(&mut model);
    let Some(graph) = model.graph.as_ref() else {
        return Vec::new();
    };
    let constants: std::collections::HashSet<&str> =
        graph.initializer.iter().map(|t| t.name()).collect();
    let mut names: Vec<String> = Vec::new();
    for node in &graph.node {
        let op = node.op_type();
        let wanted = graph::is_default_domain(node)
            && matches!(op, "MatMul" | "Gemm" | "Conv")
            && !exclude
                .iter()
                .any(|e| e == node.name() || e == op || node.output.first() == Some(e))
            && node
                .input
                .get(1)
                .is_some_and(|w| constants.contains(w.as_str()));
        if wanted
            && let Some(a) = node.input.first()
            && !names.contains(a)
        {
            names.push(a.clone());
        }
    }
    names
}

/// The normalised model with `tensors` (that are not graph inputs already outputs) added as
/// float graph outputs, after the original outputs.
#[must_use]
pub fn instrument(model: &ModelProto, tensors: &[String]) -> ModelProto {
    let mut model = model.clone();
    modelci_onnx::normalize::normalize(&mut model);
    if let Some(graph) = model.graph.as_mut() {
        let existing: std::collections::HashSet<String> = graph
            .input
            .iter()
            .chain(&graph.output)
            .map(|v| v.name().to_owned())
            .collect();
        for name in tensors.iter().filter(|t| !existing.contains(*t)) {
            graph.output.push(ValueInfoProto {
                name: Some(name.clone()),
                r#type: Some(TypeProto {
                    value: Some(type_proto::Value::TensorType(type_proto::Tensor {
                        elem_type: Some(1),
                        shape: None,
                    })),
                    ..TypeProto::default()
                }),
                ..ValueInfoProto::default()
            });
        }
    }
    model
}
