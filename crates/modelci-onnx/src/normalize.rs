//! Normalisation before rewriting: the shapes real exporters write, reduced to one form.
//!
//! - `Constant` nodes of the main graph become initializers (detectors and PyTorch exports keep
//!   weights that way; a quantizer looking only at initializers would miss them);
//! - opset imports are de-duplicated per domain (skl2onnx writes the default domain twice).

use crate::proto::{
    ModelProto, TensorProto, attribute_proto::AttributeType, tensor_proto::DataType,
};

/// What [`normalize`] changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Normalized {
    /// `Constant` nodes folded into initializers.
    pub constants_folded: usize,
    /// Opset import entries removed as duplicates.
    pub opsets_deduplicated: usize,
}

/// Folds constants and de-duplicates opset imports.
pub fn normalize(model: &mut ModelProto) -> Normalized {
    Normalized {
        constants_folded: fold_constants(model),
        opsets_deduplicated: dedupe_opsets(model),
    }
}

/// Keeps one opset import per domain (the highest version; `""` and `"ai.onnx"` are one
/// domain); returns how many entries were removed.
pub fn dedupe_opsets(model: &mut ModelProto) -> usize {
    let key = |d: &str| {
        if d == "ai.onnx" {
            String::new()
        } else {
            d.to_owned()
        }
    };
    let before = model.opset_import.len();
    let mut kept: Vec<crate::proto::OperatorSetIdProto> = Vec::new();
    for entry in model.opset_import.drain(..) {
        match kept
            .iter_mut()
            .find(|k| key(k.domain()) == key(entry.domain()))
        {
            Some(existing) => {
                if entry.version() > existing.version() {
                    existing.version = entry.version;
                }
            }
            None => kept.push(entry),
        }
    }
    model.opset_import = kept;
    before - model.opset_import.len()
}

/// Turns every `Constant` node of the main graph whose value is a tensor or a float/int
/// (list) into an initializer named after its output; returns how many were folded.
pub fn fold_constants(model: &mut ModelProto) -> usize {
    let Some(graph) = model.graph.as_mut() else {
        return 0;
    };
    let mut folded = 0;
    let mut nodes = Vec::with_capacity(graph.node.len());
    for node in graph.node.drain(..) {
        let is_constant = node.op_type() == "Constant"
            && (node.domain().is_empty() || node.domain() == "ai.onnx")
            && node.output.len() == 1;
        match is_constant.then(|| constant_value(&node)).flatten() {
            Some(mut tensor) => {
                tensor.name = Some(node.output[0].clone());
                graph.initializer.push(tensor);
                folded += 1;
            }
            None => nodes.push(node),
        }
    }
    graph.node = nodes;
    folded
}

fn constant_value(node: &crate::proto::NodeProto) -> Option<TensorProto> {
    let [attribute] = node.attribute.as_slice() else {
        return None;
    };
    let tensor = |data_type: DataType, dims: Vec<i64>| TensorProto {
        data_type: Some(data_type as i32),
        dims,
        ..TensorProto::default()
    };
    let len = |n: usize| i64::try_from(n).ok();
    match (attribute.name(), attribute.r#type()) {
        ("value", _) => attribute.t.clone(),
        ("value_float", _) => Some(TensorProto {
            float_data: vec![attribute.f()],
            ..tensor(DataType::Float, Vec::new())
        }),
        ("value_floats", _) => Some(TensorProto {
            float_data: attribute.floats.clone(),
            ..tensor(DataType::Float, vec![len(attribute.floats.len())?])
        }),
        ("value_int", _) => Some(TensorProto {
            int64_data: vec![attribute.i()],
            ..tensor(DataType::Int64, Vec::new())
        }),
        ("value_ints", AttributeType::Ints | AttributeType::Undefined) => Some(TensorProto {
            int64_data: attribute.ints.clone(),
            ..tensor(DataType::Int64, vec![len(attribute.ints.len())?])
        }),
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::proto::{AttributeProto, GraphProto, NodeProto, OperatorSetIdProto};

    fn opset(domain: &str, version: i64) -> OperatorSetIdProto {
        OperatorSetIdProto {
            domain: Some(domain.into()),
            version: Some(version),
        }
    }

    #[test]
    fn repeated_default_domain_is_merged_keeping_the_highest_version() {
        let mut model = ModelProto {
            opset_import: vec![opset("", 15), opset("ai.onnx.ml", 1), opset("", 17)],
            ..ModelProto::default()
        };
        assert_eq!(dedupe_opsets(&mut model), 1);
        assert_eq!(
            model.opset_import,
            vec![opset("", 17), opset("ai.onnx.ml", 1)]
        );
    }

    #[test]
    fn constant_nodes_become_initializers() {
        let constant = NodeProto {
            op_type: Some("Constant".into()),
            output: vec!["w".into()],
            attribute: vec![AttributeProto {
                name: Some("value_floats".into()),
                floats: vec![1.0, 2.0],
                r#type: Some(AttributeType::Floats as i32),
                ..AttributeProto::default()
            }],
            ..NodeProto::default()
        };
        let relu = NodeProto {
            op_type: Some("Relu".into()),
            input: vec!["w".into()],
            output: vec!["y".into()],
            ..NodeProto::default()
        };
        let mut model = ModelProto {
            graph: Some(GraphProto {
                node: vec![constant, relu],
                ..GraphProto::default()
            }),
            ..ModelProto::default()
        };
        assert_eq!(fold_constants(&mut model), 1);
        let graph = model.graph.unwrap();
        assert_eq!(graph.node.len(), 1);
        assert_eq!(graph.initializer[0].name(), "w");
        assert_eq!(graph.initializer[0].dims, vec![2]);
        assert_eq!(
            crate::tensor::to_f32(&graph.initializer[0]).unwrap(),
            vec![1.0, 2.0]
        );
    }
}
