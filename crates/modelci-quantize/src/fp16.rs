//! fp16: float weights and compute in half precision, inputs and outputs kept in fp32.
//!
//! Only ops on an allow list run in fp16 — the elementwise and layout ops, Conv, MatMul,
//! pooling — because they run in fp16 in both tract and onnxruntime. Everything else stays
//! fp32, in particular `Gemm` (tract fails on fp16 Gemm: "Output mismatch after rewiring"),
//! `Softmax`/`LogSoftmax` (precision of the normalisation), `Resize` (its float `scales` input
//! is what breaks onnxruntime's own converter), every op of another domain and every node with
//! a subgraph. Tensors cross between the two worlds through `Cast` nodes; an fp32 op still gets
//! its large weights stored in fp16 (with a `Cast` back to fp32 that runtimes fold at load
//! time), so the file shrinks even when compute stays fp32.
//!
//! Names keep their meaning: a tensor name of the input model still holds fp32 values in the
//! output (graph outputs and value infos stay valid); fp16 copies get new names.

use std::collections::{HashMap, HashSet};

use modelci_onnx::proto::{ModelProto, NodeProto, TensorProto, tensor_proto::DataType};
use modelci_onnx::tensor;

use crate::graph::{self, Names, attr_int, label};
use crate::{Change, Options, QuantizeError, Skip};

/// Float initializers with fewer values stay fp32 (biases, scales, shapes: exactness matters
/// more than bytes there).
pub const MIN_FP16_STORAGE: usize = 64;

/// Which inputs of an op carry its float data (`None`: every input); `None` for ops kept fp32.
#[must_use]
pub fn fp16_inputs(op: &str) -> Option<Option<&'static [usize]>> {
    const FIRST: &[usize] = &[0];
    match op {
        "Add" | "Sub" | "Mul" | "Div" | "Conv" | "MatMul" | "Concat" | "Sum" | "Max" | "Min"
        | "Mean" | "Clip" => Some(None),
        "Relu" | "LeakyRelu" | "Sigmoid" | "Tanh" | "MaxPool" | "AveragePool"
        | "GlobalAveragePool" | "GlobalMaxPool" | "Flatten" | "Reshape" | "Transpose"
        | "Squeeze" | "Unsqueeze" | "Identity" | "Abs" | "Neg" => Some(Some(FIRST)),
        _ => None,
    }
}

/// Ops whose first output is float when their first input is (used to learn which tensors
/// are float when the model has no value infos).
fn keeps_float(op: &str) -> bool {
    fp16_inputs(op).is_some()
        || matches!(
            op,
            "Gemm"
                | "Softmax"
                | "LogSoftmax"
                | "Resize"
                | "ReduceMean"
                | "ReduceSum"
                | "BatchNormalization"
                | "InstanceNormalization"
                | "LayerNormalization"
                | "Pad"
                | "Exp"
                | "Log"
                | "Sqrt"
                | "Pow"
                | "Erf"
                | "Gelu"
                | "HardSigmoid"
                | "Dropout"
                | "Slice"
                | "Gather"
                | "Expand"
                | "Tile"
                | "Split"
        )
}

/// Rewrites the main graph to fp16; returns the nodes converted and those kept in fp32.
pub(crate) fn rewrite(
    model: &mut ModelProto,
    options: &Options,
) -> Result<(Vec<Change>, Vec<Skip>), QuantizeError> {
    let Some(graph) = model.graph.as_mut() else {
        return Ok((Vec::new(), Vec::new()));
    };
    let mut names = Names::of(graph);
    let init: HashMap<String, usize> = graph
        .initializer
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name().to_owned(), i))
        .collect();
    let graph_inputs: HashSet<String> = graph.input.iter().map(|v| v.name().to_owned()).collect();

    // 1. Which tensors are fp32.
    let mut float: HashSet<String> = HashSet::new();
    let elem_float = |v: &modelci_onnx::proto::ValueInfoProto| {
        v.r#type
            .as_ref()
            .and_then(|t| t.value.as_ref())
            .is_some_and(|value| {
                matches!(value, modelci_onnx::proto::type_proto::Value::TensorType(t)
                    if t.elem_type() == DataType::Float as i32)
            })
    };
    for v in graph.input.iter().chain(&graph.value_info) {
        if elem_float(v) {
            float.insert(v.name().to_owned());
        }
    }
    for t in &graph.initializer {
        if tensor::is_f32(t) {
            float.insert(t.name().to_owned());
        }
    }
    for node in &graph.node {
        let op = node.op_type();
        let produces_float = graph::is_default_domain(node)
            && ((keeps_float(op) && node.input.first().is_some_and(|i| float.contains(i)))
                || (op == "Cast" && graph::int_attr(node, "to", 0) == DataType::Float as i64));
        if produces_float && let Some(o) = node.output.first() {
            float.insert(o.clone());
        }
    }

    // 2. Which nodes run in fp16.
    let mut changes = Vec::new();
    let mut skipped = Vec::new();
    let positions = |node: &NodeProto| -> Vec<usize> {
        match fp16_inputs(node.op_type()) {
            Some(Some(list)) => list
                .iter()
                .copied()
                .filter(|&i| i < node.input.len())
                .collect(),
            _ => (0..node.input.len()).collect(),
        }
    };
    let mut half_nodes: Vec<bool> = Vec::with_capacity(graph.node.len());
    for node in &graph.node {
        let op = node.op_type();
        let excluded = options
            .exclude
            .iter()
            .any(|e| e == node.name() || e == op || node.output.first() == Some(e));
        let eligible = graph::is_default_domain(node)
            && fp16_inputs(op).is_some()
            && node.output.len() == 1
            && positions(node)
                .iter()
                .all(|&i| node.input[i].is_empty() || float.contains(&node.input[i]));
        if eligible && !excluded {
            half_nodes.push(true);
            changes.push(Change {
                node: label(node),
                op: op.to_owned(),
                weight: String::new(),
                bytes_before: 0,
                bytes_after: 0,
            });
        } else {
            half_nodes.push(false);
            let reason = if excluded {
                "excluded (--exclude)".to_owned()
            } else if !graph::is_default_domain(node) || fp16_inputs(op).is_none() {
                "kept in fp32 (not safe in fp16 in tract or onnxruntime)".to_owned()
            } else {
                "kept in fp32 (its inputs are not fp32 tensors)".to_owned()
            };
            skipped.push(Skip {
                node: label(node),
                op: op.to_owned(),
                reason,
            });
        }
    }

    // 3. Who reads each tensor in fp16 and in fp32.
    let all_uses = graph::uses(graph);
    let mut half_uses: HashMap<String, usize> = HashMap::new();
    for (node, &half) in graph.node.iter().zip(&half_nodes) {
        if half {
            for i in positions(node) {
                if !node.input[i].is_empty() {
                    *half_uses.entry(node.input[i].clone()).or_insert(0) += 1;
                }
            }
        }
    }
    let needs_fp32 =
        |t: &str| all_uses.get(t).copied().unwrap_or(0) > half_uses.get(t).copied().unwrap_or(0);

    // 4. Initializers: fp16 copies for fp16 readers; large fp32-only ones stored as fp16 + Cast.
    let mut half_name: HashMap<String, String> = HashMap::new();
    let mut head: Vec<NodeProto> = Vec::new();
    let mut new_inits: Vec<TensorProto> = Vec::new();
    let mut drop_inits: HashSet<String> = HashSet::new();
    for t in &graph.initializer {
        let name = t.name().to_owned();
        if !tensor::is_f32(t) || graph_inputs.contains(&name) {
            continue;
        }
        let read_half = half_uses.contains_key(&name);
        let read_full = needs_fp32(&name);
        let large = tensor::element_count(&t.dims) >= MIN_FP16_STORAGE;
        if !read_half && (!read_full || !large) {
            continue;
        }
        let values = tensor::to_f32(t)?;
        let dims: Vec<usize> = t
            .dims
            .iter()
            .map(|&d| usize::try_from(d).unwrap_or(0))
            .collect();
        let h = names.fresh(&format!("{name}_fp16"));
        new_inits.push(tensor::from_f32_as_f16(&h, &dims, &values));
        half_name.insert(name.clone(), h.clone());
        if !read_full || large {
            drop_inits.insert(name.clone());
        }
        if read_full && large {
            head.push(cast(&mut names, &h, &name, DataType::Float));
        }
    }
    let _ = init;

    // 5. Nodes, with Casts where the worlds meet.
    let nodes = std::mem::take(&mut graph.node);
    let mut out: Vec<NodeProto> = head;
    for (mut node, half) in nodes.into_iter().zip(half_nodes) {
        if half {
            for i in positions(&node) {
                let input = node.input[i].clone();
                if input.is_empty() {
                    continue;
                }
                let h = match half_name.get(&input) {
                    Some(h) => h.clone(),
                    None => {
                        let h = names.fresh(&format!("{input}_fp16"));
                        out.push(cast(&mut names, &input, &h, DataType::Float16));
                        half_name.insert(input.clone(), h.clone());
                        h
                    }
                };
                node.input[i] = h;
            }
            let output = node.output[0].clone();
            let h = names.fresh(&format!("{output}_fp16"));
            node.output[0] = h.clone();
            half_name.insert(output.clone(), h.clone());
            out.push(node);
            if needs_fp32(&output) {
                out.push(cast(&mut names, &h, &output, DataType::Float));
            }
        } else {
            out.push(node);
        }
    }
    graph.node = out;
    graph.initializer.retain(|t| !drop_inits.contains(t.name()));
    graph.initializer.extend(new_inits);
    // Value infos of tensors that now exist only in fp16 would be stale.
    let produced: HashSet<&str> = graph
        .node
        .iter()
        .flat_map(|n| n.output.iter().map(String::as_str))
        .collect();
    let kept: Vec<_> = graph
        .value_info
        .iter()
        .filter(|v| produced.contains(v.name()))
        .cloned()
        .collect();
    graph.value_info = kept;
    Ok((changes, skipped))
}

fn cast(names: &mut Names, from: &str, to: &str, data_type: DataType) -> NodeProto {
    graph::node(
        "Cast",
        names.fresh(&format!("{to}_Cast")),
        vec![from.to_owned()],
        vec![to.to_owned()],
        vec![attr_int("to", data_type as i64)],
    )
}
