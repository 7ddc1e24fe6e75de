//! The one parameter count of a model (issue 13): elements of every initializer, of every tensor
//! held in a node attribute (`Constant` nodes) and of every float list in a node attribute
//! (ONNX-ML operators such as scikit-learn exports keep their coefficients there, not in
//! initializers). Saturating, so a hostile declared shape cannot overflow.
//!
//! [`count`] takes the parts, not a graph type, so a reader holding another generated copy of
//! the ONNX types (tract's `pb`, in `modelci-eval`) counts with the same rule without decoding
//! the model twice ([`parameter_count!`] feeds it from any graph); [`graph`] counts this crate's
//! [`GraphProto`].

use crate::proto::GraphProto;

/// What a node attribute contributes: the dimensions of its tensor (when it holds one) and the
/// length of its float list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AttributeWeights<'a> {
    /// `AttributeProto.t.dims`, when the attribute holds a tensor.
    pub tensor_dims: Option<&'a [i64]>,
    /// `AttributeProto.floats.len()`.
    pub floats: usize,
}

/// Elements of a tensor of shape `dims` (saturating; negative dimensions count by magnitude).
#[must_use]
pub fn elements(dims: &[i64]) -> u64 {
    dims.iter()
        .fold(1u64, |n, d| n.saturating_mul(d.unsigned_abs()))
}

/// The parameter count from the shapes of the initializers and the weights held in node
/// attributes.
#[must_use]
pub fn count<'a>(
    initializers: impl IntoIterator<Item = &'a [i64]>,
    attributes: impl IntoIterator<Item = AttributeWeights<'a>>,
) -> u64 {
    let held = initializers
        .into_iter()
        .map(elements)
        .fold(0, u64::saturating_add);
    attributes
        .into_iter()
        .map(|a| {
            a.tensor_dims
                .map_or(0, elements)
                .saturating_add(a.floats as u64)
        })
        .fold(held, u64::saturating_add)
}

/// The parameter count of `graph` (see the [module docs](self)).
#[must_use]
pub fn graph(graph: &GraphProto) -> u64 {
    crate::parameter_count!(graph)
}

/// The parameter count of a graph of any prost-generated copy of the ONNX types (this crate's
/// [`GraphProto`] or tract's `pb::GraphProto`: the field names are the official schema's), by
/// [`count`]: one rule, whoever decoded the model.
#[macro_export]
macro_rules! parameter_count {
    ($graph:expr) => {{
        let graph = &$graph;
        $crate::parameters::count(
            graph.initializer.iter().map(|t| t.dims.as_slice()),
            graph.node.iter().flat_map(|n| n.attribute.iter()).map(|a| {
                $crate::parameters::AttributeWeights {
                    tensor_dims: a.t.as_ref().map(|t| t.dims.as_slice()),
                    floats: a.floats.len(),
                }
            }),
        )
    }};
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::{AttributeProto, NodeProto, TensorProto};

    fn tensor(dims: &[i64]) -> TensorProto {
        TensorProto {
            dims: dims.to_vec(),
            ..TensorProto::default()
        }
    }

    #[test]
    fn initializers_constants_and_float_lists_all_count() {
        let g = GraphProto {
            initializer: vec![tensor(&[3, 4]), tensor(&[5])],
            node: vec![NodeProto {
                attribute: vec![
                    AttributeProto {
                        t: Some(tensor(&[2, 2])),
                        ..AttributeProto::default()
                    },
                    AttributeProto {
                        floats: vec![1.0, 2.0, 3.0],
                        ..AttributeProto::default()
                    },
                ],
                ..NodeProto::default()
            }],
            ..GraphProto::default()
        };
        assert_eq!(graph(&g), 12 + 5 + 4 + 3);
    }

    #[test]
    fn hostile_shapes_saturate_instead_of_overflowing() {
        let g = GraphProto {
            initializer: vec![tensor(&[i64::MAX, i64::MAX]), tensor(&[i64::MIN])],
            ..GraphProto::default()
        };
        assert_eq!(graph(&g), u64::MAX);
        assert_eq!(elements(&[]), 1, "a scalar is one parameter");
        assert_eq!(elements(&[-3, 2]), 6);
    }
}
