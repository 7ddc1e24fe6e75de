//! Raising a model's default-domain opset import to what a mode needs, when that changes no
//! operator's meaning.
//!
//! An opset import says which version of every default-domain operator the graph's nodes
//! are. Raising it is safe exactly when, for every operator the graph uses, no version
//! introduced after the old opset up to the new one changed what an existing node computes
//! (an attribute that became an input, a new default, another broadcasting rule). [`CHANGES`]
//! holds, from the ONNX operator changelog (`docs/Changelog.md` of onnx/onnx), the versions at
//! which each operator changed in such a way; versions that only added element types or
//! optional attributes whose default keeps the old behaviour are not listed. An operator the
//! table does not know, and any node with a subgraph (`If`, `Loop`, `Scan`), blocks the
//! upgrade: nothing is assumed.

use modelci_onnx::ModelProto;
use serde::Serialize;

use crate::graph;

/// Default-domain operators and the opset versions at which their meaning changed for
/// nodes written for an older version (empty: only types or defaulted attributes were added).
pub const CHANGES: &[(&str, &[i64])] = &[
    ("Abs", &[]),
    ("Acos", &[]),
    ("Acosh", &[]),
    ("Add", &[7]),
    ("And", &[7]),
    ("ArgMax", &[]),
    ("ArgMin", &[]),
    ("Asin", &[]),
    ("Asinh", &[]),
    ("Atan", &[]),
    ("Atanh", &[]),
    ("AveragePool", &[]),
    ("BatchNormalization", &[7, 9, 14]),
    ("Cast", &[6]),
    ("Ceil", &[]),
    ("Clip", &[11]),
    ("Compress", &[]),
    ("Concat", &[4]),
    ("Constant", &[]),
    ("ConstantOfShape", &[]),
    ("Conv", &[]),
    ("ConvInteger", &[]),
    ("ConvTranspose", &[11]),
    ("Cos", &[]),
    ("Cosh", &[]),
    ("CumSum", &[]),
    ("DepthToSpace", &[]),
    ("DequantizeLinear", &[]),
    ("Div", &[7]),
    ("Dropout", &[7, 10, 12]),
    ("DynamicQuantizeLinear", &[]),
    ("Einsum", &[]),
    ("Elu", &[]),
    ("Equal", &[7]),
    ("Erf", &[]),
    ("Exp", &[]),
    ("Expand", &[]),
    ("Flatten", &[]),
    ("Floor", &[]),
    ("GRU", &[7]),
    ("Gather", &[]),
    ("GatherElements", &[]),
    ("GatherND", &[]),
    ("Gemm", &[7]),
    ("GlobalAveragePool", &[]),
    ("GlobalLpPool", &[2]),
    ("GlobalMaxPool", &[]),
    ("Greater", &[7]),
    ("HardSigmoid", &[]),
    ("Hardmax", &[13]),
    ("Identity", &[]),
    ("InstanceNormalization", &[]),
    ("IsInf", &[]),
    ("IsNaN", &[]),
    ("LRN", &[]),
    ("LSTM", &[7]),
    ("LeakyRelu", &[]),
    ("Less", &[7]),
    ("Log", &[]),
    ("LogSoftmax", &[13]),
    ("LpNormalization", &[]),
    ("MatMul", &[]),
    ("MatMulInteger", &[]),
    ("Max", &[]),
    ("MaxPool", &[]),
    ("Mean", &[]),
    ("MeanVarianceNormalization", &[]),
    ("Min", &[]),
    ("Mod", &[]),
    ("Mul", &[7]),
    ("Neg", &[]),
    ("NonMaxSuppression", &[11]),
    ("NonZero", &[]),
    ("Not", &[]),
    ("OneHot", &[]),
    ("Or", &[7]),
    ("PRelu", &[7]),
    ("Pad", &[2, 11]),
    ("Pow", &[7]),
    ("QuantizeLinear", &[]),
    ("RNN", &[7]),
    ("Range", &[]),
    ("Reciprocal", &[]),
    ("ReduceL1", &[18]),
    ("ReduceL2", &[18]),
    ("ReduceLogSum", &[18]),
    ("ReduceLogSumExp", &[18]),
    ("ReduceMax", &[18]),
    ("ReduceMean", &[18]),
    ("ReduceMin", &[18]),
    ("ReduceProd", &[18]),
    ("ReduceSum", &[13]),
    ("ReduceSumSquare", &[18]),
    ("Relu", &[]),
    ("Reshape", &[5]),
    ("Resize", &[11]),
    ("ReverseSequence", &[]),
    ("RoiAlign", &[16]),
    ("Round", &[]),
    ("Scatter", &[11]),
    ("ScatterElements", &[]),
    ("ScatterND", &[]),
    ("Selu", &[]),
    ("Shape", &[]),
    ("Shrink", &[]),
    ("Sigmoid", &[]),
    ("Sign", &[]),
    ("Sin", &[]),
    ("Sinh", &[]),
    ("Size", &[]),
    ("Slice", &[10]),
    ("Softmax", &[13]),
    ("Softplus", &[]),
    ("Softsign", &[]),
    ("SpaceToDepth", &[]),
    ("Split", &[2, 13, 18]),
    ("Sqrt", &[]),
    ("Squeeze", &[13]),
    ("Sub", &[7]),
    ("Sum", &[]),
    ("Tan", &[]),
    ("Tanh", &[]),
    ("ThresholdedRelu", &[]),
    ("Tile", &[6]),
    ("TopK", &[10]),
    ("Transpose", &[]),
    ("Unsqueeze", &[13]),
    ("Upsample", &[9, 10]),
    ("Where", &[]),
    ("Xor", &[7]),
];

/// The oldest IR version a model importing `opset` must declare (ONNX's versioning table).
fn ir_for(opset: i64) -> i64 {
    match opset {
        ..=8 => 3,
        9 => 4,
        10 => 5,
        11 => 6,
        12..=14 => 7,
        15..=18 => 8,
        _ => 9,
    }
}

/// An opset import that was raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Upgrade {
    /// The opset the model imported.
    pub from: i64,
    /// The opset it imports now.
    pub to: i64,
}

/// Why the opset import cannot be raised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocked {
    /// The operator in the way.
    pub op: String,
    /// Why: the version that changed its meaning, or that it is not known.
    pub reason: String,
}

/// The first default-domain operator of `model` whose meaning changed between opset `from`
/// (excluded) and `to` (included), or that [`CHANGES`] does not know.
#[must_use]
pub fn blocking(model: &ModelProto, from: i64, to: i64) -> Option<Blocked> {
    let graph = model.graph.as_ref()?;
    graph
        .node
        .iter()
        .filter(|n| graph::is_default_domain(n))
        .find_map(|node| {
            let op = node.op_type();
            if node
                .attribute
                .iter()
                .any(|a| a.g.is_some() || !a.graphs.is_empty())
            {
                return Some(Blocked {
                    op: op.to_owned(),
                    reason: "it holds a subgraph, whose operators are not upgraded".into(),
                });
            }
            match CHANGES.iter().find(|(name, _)| *name == op) {
                None => Some(Blocked {
                    op: op.to_owned(),
                    reason: "it is not in modelci's table of operator changes, so the upgrade is not known to be safe".into(),
                }),
                Some((_, changed)) => changed
                    .iter()
                    .find(|&&v| from < v && v <= to)
                    .map(|v| Blocked {
                        op: op.to_owned(),
                        reason: format!("its meaning changed in opset {v}"),
                    }),
            }
        })
}

/// Raises the default-domain opset import of `model` from `from` to `to` (and the IR version
/// to what that opset needs) when no operator blocks it.
///
/// # Errors
/// The operator that blocks it, and why.
pub fn upgrade(model: &mut ModelProto, from: i64, to: i64) -> Result<Upgrade, Blocked> {
    if let Some(blocked) = blocking(model, from, to) {
        return Err(blocked);
    }
    for import in &mut model.opset_import {
        let d = import.domain();
        if d.is_empty() || d == "ai.onnx" {
            import.version = Some(to);
        }
    }
    if !model
        .opset_import
        .iter()
        .any(|o| o.domain().is_empty() || o.domain() == "ai.onnx")
    {
        model
            .opset_import
            .push(modelci_onnx::proto::OperatorSetIdProto {
                domain: Some(String::new()),
                version: Some(to),
            });
    }
    let ir = ir_for(to);
    if model.ir_version.unwrap_or(0) < ir {
        model.ir_version = Some(ir);
    }
    Ok(Upgrade { from, to })
}

#[cfg(test)]
mod tests {
    use super::CHANGES;

    #[test]
    fn the_table_is_sorted_and_has_no_duplicates() {
        assert!(CHANGES.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(
            CHANGES
                .iter()
                .all(|(_, v)| v.windows(2).all(|w| w[0] < w[1]))
        );
    }
}
