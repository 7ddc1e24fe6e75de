//! Limits checked on a model before tract sees it (see `docs/limits.md`).
//!
//! tract trusts a model's declarations: a declared input of `[N, 1000000000]` floats makes every
//! binary that feeds the model allocate gigabytes before anything can fail, a graph output that
//! no node produces makes tract panic, and an opset newer than any ONNX defines is read as if it
//! were known. [`check`] refuses all three with one line naming the model, so every binary that
//! loads a model (eval-diff, train-check, quantize, deploy-notify) is bounded the same way.

use std::collections::HashSet;
use std::path::Path;

use tract_onnx::pb;

use crate::error::EvalError;
use crate::signature::{Dim, ModelSignature};

/// The most elements one sample of a model's input may declare (its fixed dimensions
/// multiplied, dynamic ones counted as 1): 2^26, 256 MiB of `f32`. Far above any image or
/// feature vector modelci evaluates (a 4K RGB frame is 2^24.6), far below what a machine holds.
pub const MAX_INPUT_ELEMENTS: u64 = 1 << 26;

/// The newest opset of the default ONNX domain this build accepts. ONNX 1.20 defines opset 25;
/// a model that declares a newer one was not written by a real exporter.
pub const MAX_ONNX_OPSET: i64 = 25;

/// Refuses a model whose declarations would make tract allocate without bound, panic, or guess.
///
/// # Errors
/// [`EvalError::BadModel`] naming `path` when an input declares more than
/// [`MAX_INPUT_ELEMENTS`] per sample, a graph output is produced by no node (nor is an input or
/// initializer), or the default-domain opset is above [`MAX_ONNX_OPSET`].
pub fn check(
    path: &Path,
    proto: &pb::ModelProto,
    graph: &pb::GraphProto,
    signature: &ModelSignature,
) -> Result<(), EvalError> {
    let bad = |reason: String| EvalError::BadModel {
        path: path.to_owned(),
        reason,
    };
    for input in &signature.inputs {
        let elements = input.dims.as_deref().map_or(Some(1), sample_elements);
        if elements.is_none_or(|n| n > MAX_INPUT_ELEMENTS) {
            return Err(bad(format!(
                "input `{}` declares {} elements per sample, more than the limit of {MAX_INPUT_ELEMENTS}",
                shorten(&input.name),
                elements.map_or_else(|| "more than 2^64".to_owned(), |n| n.to_string())
            )));
        }
    }
    let produced: HashSet<&str> = graph
        .node
        .iter()
        .flat_map(|n| n.output.iter().map(String::as_str))
        .chain(graph.input.iter().map(|i| i.name.as_str()))
        .chain(graph.initializer.iter().map(|t| t.name.as_str()))
        .collect();
    if let Some(missing) = graph
        .output
        .iter()
        .find(|o| !produced.contains(o.name.as_str()))
    {
        return Err(bad(format!(
            "the graph declares output `{}`, but no node produces it",
            shorten(&missing.name)
        )));
    }
    if let Some(opset) = proto
        .opset_import
        .iter()
        .filter(|o| o.domain.is_empty() || o.domain == "ai.onnx")
        .map(|o| o.version)
        .find(|v| *v > MAX_ONNX_OPSET || *v < 1)
    {
        return Err(bad(format!(
            "the model declares ONNX opset {opset}, which does not exist (known: 1 to {MAX_ONNX_OPSET})"
        )));
    }
    Ok(())
}

/// Elements of one sample: the fixed dimensions after the first (the batch axis) multiplied,
/// dynamic ones counted as 1; `None` on overflow. A rank-1 input counts its one dimension.
fn sample_elements(dims: &[Dim]) -> Option<u64> {
    let per_sample = if dims.len() > 1 { &dims[1..] } else { dims };
    per_sample.iter().try_fold(1u64, |acc, d| match d {
        Dim::Fixed(n) => acc.checked_mul(*n),
        Dim::Symbolic(_) | Dim::Unknown => Some(acc),
    })
}

/// The most characters of a name from a model or dataset shown in one message.
pub const MAX_SHOWN_CHARS: usize = 120;

/// `text` cut to [`MAX_SHOWN_CHARS`] characters, with `…` when something was cut.
#[must_use]
pub fn shorten(text: &str) -> String {
    match text.char_indices().nth(MAX_SHOWN_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use prost::Message as _;
    use tract_onnx::pb::tensor_shape_proto::{Dimension, dimension};

    use super::*;
    use crate::Model;

    fn value(name: &str, dims: &[Option<i64>]) -> pb::ValueInfoProto {
        let dim = dims
            .iter()
            .map(|d| Dimension {
                value: Some(match d {
                    Some(n) => dimension::Value::DimValue(*n),
                    None => dimension::Value::DimParam("N".into()),
                }),
                ..Default::default()
            })
            .collect();
        pb::ValueInfoProto {
            name: name.into(),
            r#type: Some(pb::TypeProto {
                value: Some(pb::type_proto::Value::TensorType(pb::type_proto::Tensor {
                    elem_type: 1,
                    shape: Some(pb::TensorShapeProto { dim }),
                })),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    /// A model `x -> Identity -> y` (or no node at all), written to a file; loads it.
    fn load(dims: &[Option<i64>], with_node: bool, opset: i64) -> Result<Model, EvalError> {
        let node = pb::NodeProto {
            op_type: "Identity".into(),
            input: vec!["x".into()],
            output: vec!["y".into()],
            ..Default::default()
        };
        let model = pb::ModelProto {
            ir_version: 8,
            opset_import: vec![pb::OperatorSetIdProto {
                domain: String::new(),
                version: opset,
            }],
            graph: Some(pb::GraphProto {
                name: "g".into(),
                node: if with_node { vec![node] } else { Vec::new() },
                input: vec![value("x", dims)],
                output: vec![value("y", dims)],
                ..Default::default()
            }),
            ..Default::default()
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("m.onnx");
        std::fs::write(&path, model.encode_to_vec()).expect("write");
        Model::load(&path)
    }

    #[test]
    fn a_plain_model_loads() {
        let model = load(&[None, Some(4)], true, 13).expect("loads");
        assert_eq!(model.signature().opset, 13);
    }

    #[test]
    fn an_output_no_node_produces_is_refused_not_a_panic() {
        // Issue 14 #3: a graph with no nodes whose declared output is never produced made
        // tract panic ("no entry found for key", exit 134) in eval-diff and train-check.
        let err = load(&[None, Some(4)], false, 13).expect_err("refused");
        assert!(
            err.to_string()
                .contains("declares output `y`, but no node produces it"),
            "{err}"
        );
    }

    #[test]
    fn huge_declared_inputs_are_refused_before_anything_is_allocated() {
        // Issue 14 #4: `[N, 10^9]` and `[N, 1, 1e5, 1e5]` made train-check allocate 4-128 GB.
        for dims in [
            vec![None, Some(1_000_000_000)],
            vec![None, Some(1), Some(100_000), Some(100_000)],
            vec![None, Some(i64::MAX), Some(i64::MAX)],
        ] {
            let err = load(&dims, true, 13).expect_err("refused");
            assert!(err.to_string().contains("more than the limit of"), "{err}");
        }
        load(&[None, Some(3), Some(224), Some(224)], true, 13).expect("an image model loads");
    }

    #[test]
    fn an_unknown_opset_is_refused() {
        // Issue 14 #13: opset 99 was accepted silently.
        let err = load(&[None, Some(4)], true, 99).expect_err("refused");
        assert!(err.to_string().contains("ONNX opset 99"), "{err}");
    }

    #[test]
    fn sample_elements_skip_the_batch_axis_and_detect_overflow() {
        let n = || Dim::Symbolic("N".into());
        assert_eq!(
            sample_elements(&[n(), Dim::Fixed(3), Dim::Fixed(4)]),
            Some(12)
        );
        assert_eq!(sample_elements(&[Dim::Fixed(7)]), Some(7));
        assert_eq!(
            sample_elements(&[n(), Dim::Fixed(u64::MAX), Dim::Fixed(2)]),
            None
        );
        assert_eq!(
            shorten(&"x".repeat(500)).chars().count(),
            MAX_SHOWN_CHARS + 1
        );
        assert_eq!(shorten("short"), "short");
    }
}
