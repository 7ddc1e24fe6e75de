//! The two int8 rewrites: `dynamic` (integer products) and `weight-only` (DequantizeLinear).
//!
//! Candidates are MatMul, Gemm and Conv nodes of the default domain whose weight (input 1) is a
//! float initializer. Each rewrite is built, measured in encoded bytes against what it
//! replaces, and kept only when the file shrinks.

use std::collections::{HashMap, HashSet};

use modelci_onnx::proto::{GraphProto, ModelProto, NodeProto, TensorProto};
use modelci_onnx::tensor;

use crate::graph::{self, Names, attr_int, float_attr, int_attr, label};
use crate::weights::{self, Quantized};
use crate::{Change, Mode, Options, QuantizeError, Skip};

/// A built rewrite of one node, not yet applied.
struct Piece {
    /// Nodes replacing the original (in order).
    nodes: Vec<NodeProto>,
    /// New initializers.
    initializers: Vec<TensorProto>,
    /// Initializers made unused by the rewrite.
    removed: Vec<String>,
    change: Change,
}

impl Piece {
    fn added_bytes(&self) -> usize {
        self.nodes.iter().map(Message::encoded_len).sum::<usize>()
            + self
                .initializers
                .iter()
                .map(Message::encoded_len)
                .sum::<usize>()
    }
}

use prost::Message;

/// Rewrites every candidate of the main graph; returns the changes and the skipped nodes.
pub(crate) fn rewrite(
    model: &mut ModelProto,
    options: &Options,
) -> Result<(Vec<Change>, Vec<Skip>), QuantizeError> {
    let Some(graph) = model.graph.as_mut() else {
        return Ok((Vec::new(), Vec::new()));
    };
    let mut ctx = Context {
        init: graph
            .initializer
            .iter()
            .enumerate()
            .map(|(i, t)| (t.name().to_owned(), i))
            .collect(),
        uses: graph::uses(graph),
        names: Names::of(graph),
        activations: HashMap::new(),
        done_weights: HashSet::new(),
    };
    let mut changes = Vec::new();
    let mut skipped = Vec::new();
    let mut new_nodes: Vec<NodeProto> = Vec::with_capacity(graph.node.len());
    let mut new_inits: Vec<TensorProto> = Vec::new();
    let mut removed: HashSet<String> = HashSet::new();
    let nodes = std::mem::take(&mut graph.node);
    for node in nodes {
        let op = node.op_type().to_owned();
        if !graph::is_default_domain(&node) || !matches!(op.as_str(), "MatMul" | "Gemm" | "Conv") {
            new_nodes.push(node);
            continue;
        }
        let skip = |reason: String| Skip {
            node: label(&node),
            op: op.clone(),
            reason,
        };
        if options
            .exclude
            .iter()
            .any(|e| e == node.name() || *e == op || node.output.first() == Some(e))
        {
            skipped.push(skip("excluded (--exclude)".into()));
            new_nodes.push(node);
            continue;
        }
        let built = match options.mode {
            Mode::Dynamic => ctx.dynamic(graph, &node, options.per_channel),
            Mode::Static => ctx.static_qdq(graph, &node, options),
            _ => ctx.weight_only(graph, &node, options.per_channel, false),
        };
        let piece = match built {
            Ok(piece) => piece,
            Err(Reason::Skip(reason)) => {
                skipped.push(skip(reason));
                new_nodes.push(node);
                continue;
            }
            Err(Reason::Error(e)) => return Err(e),
        };
        let removed_bytes = node.encoded_len()
            + piece
                .removed
                .iter()
                .filter_map(|n| ctx.init.get(n))
                .map(|&i| graph.initializer[i].encoded_len())
                .sum::<usize>();
        let added = piece.added_bytes();
        if added >= removed_bytes {
            skipped.push(skip(format!(
                "would not shrink the file ({} bytes of rewrite for {} bytes of fp32; weight `{}` has {} values)",
                added,
                removed_bytes,
                piece.change.weight,
                piece.change.bytes_before / 4
            )));
            ctx.forget(&piece);
            new_nodes.push(node);
            continue;
        }
        for name in &piece.removed {
            ctx.done_weights.insert(name.clone());
        }
        removed.extend(piece.removed);
        new_nodes.extend(piece.nodes);
        new_inits.extend(piece.initializers);
        changes.push(piece.change);
    }
    graph.node = new_nodes;
    graph.initializer.retain(|t| !removed.contains(t.name()));
    graph.initializer.extend(new_inits);
    // Initializers listed as graph inputs (IR < 4 style, "overridable") must go with them.
    graph.input.retain(|i| !removed.contains(i.name()));
    Ok((changes, skipped))
}

/// A bias to add after the integer product: its name, the dims to reshape it to, its values.
type Bias = Option<(String, Vec<usize>, Vec<f32>)>;

enum Reason {
    Skip(String),
    Error(QuantizeError),
}

impl From<modelci_onnx::OnnxError> for Reason {
    fn from(e: modelci_onnx::OnnxError) -> Self {
        Self::Error(e.into())
    }
}

struct Context {
    init: HashMap<String, usize>,
    uses: HashMap<String, usize>,
    names: Names,
    /// Activation tensor → (quantized, scale, zero point) made by an earlier DynamicQuantizeLinear.
    activations: HashMap<String, [String; 3]>,
    done_weights: HashSet<String>,
}

/// The weight: values, dims.
struct Weight {
    name: String,
    values: Vec<f32>,
    dims: Vec<usize>,
}

impl Context {
    fn weight(&self, graph: &GraphProto, name: &str) -> Result<Weight, Reason> {
        let Some(&index) = self.init.get(name) else {
            return Err(Reason::Skip(format!(
                "weight `{name}` is computed, not a constant initializer"
            )));
        };
        let t = &graph.initializer[index];
        if !tensor::is_f32(t) {
            return Err(Reason::Skip(format!("weight `{name}` is not fp32")));
        }
        if self.done_weights.contains(name) {
            return Err(Reason::Skip(format!(
                "weight `{name}` was already quantized"
            )));
        }
        let dims = t
            .dims
            .iter()
            .map(|&d| usize::try_from(d).unwrap_or(0))
            .collect();
        Ok(Weight {
            name: name.to_owned(),
            values: tensor::to_f32(t)?,
            dims,
        })
    }

    fn shared(&self, name: &str) -> bool {
        self.uses.get(name).copied().unwrap_or(0) > 1
    }

    /// Undoes the activation cache entries a discarded piece created.
    fn forget(&mut self, piece: &Piece) {
        for n in &piece.nodes {
            if matches!(n.op_type(), "DynamicQuantizeLinear" | "QuantizeLinear")
                && let Some(input) = n.input.first()
            {
                self.activations.remove(input);
            }
        }
    }

    /// Weight-only, plus QuantizeLinear → DequantizeLinear on the activation input.
    fn static_qdq(
        &mut self,
        graph: &GraphProto,
        node: &NodeProto,
        options: &Options,
    ) -> Result<Piece, Reason> {
        let activation = node.input[0].clone();
        let Some(&(low, high)) = options
            .calibration
            .as_ref()
            .and_then(|c| c.ranges.get(&activation))
        else {
            return Err(Reason::Skip(format!(
                "no calibration range for activation `{activation}`"
            )));
        };
        let mut piece = self.weight_only(graph, node, options.per_channel, true)?;
        let dequantized = match self.activations.get(&activation) {
            Some([_, _, dq]) => dq.clone(),
            None => {
                let (scale, zero_point) = activation_params(low, high);
                let q = self.names.fresh(&format!("{activation}_quantized"));
                let dq = self.names.fresh(&format!("{activation}_dequantized"));
                let s = self.names.fresh(&format!("{activation}_scale"));
                let zp = self.names.fresh(&format!("{activation}_zero_point"));
                piece.initializers.push(tensor::from_f32(&s, &[], &[scale]));
                piece
                    .initializers
                    .push(tensor::from_u8(&zp, &[], &[zero_point]));
                let quantize = graph::node(
                    "QuantizeLinear",
                    self.names.fresh(&format!("{activation}_QuantizeLinear")),
                    vec![activation.clone(), s.clone(), zp.clone()],
                    vec![q.clone()],
                    Vec::new(),
                );
                let dequantize = graph::node(
                    "DequantizeLinear",
                    self.names.fresh(&format!("{activation}_DequantizeLinear")),
                    vec![q.clone(), s, zp],
                    vec![dq.clone()],
                    Vec::new(),
                );
                piece.nodes.splice(0..0, [quantize, dequantize]);
                self.activations
                    .insert(activation.clone(), [q, String::new(), dq.clone()]);
                dq
            }
        };
        if let Some(last) = piece.nodes.last_mut() {
            last.input[0] = dequantized;
        }
        Ok(piece)
    }

    /// `int8` weights + DequantizeLinear; `unsigned` stores them as `uint8` around 128 (static
    /// mode: onnxruntime fuses QDQ MatMuls into `uint8 x int8` kernels that saturate on AVX2).
    fn weight_only(
        &mut self,
        graph: &GraphProto,
        node: &NodeProto,
        per_channel: bool,
        unsigned: bool,
    ) -> Result<Piece, Reason> {
        let op = node.op_type();
        let name = node.input.get(1).cloned().unwrap_or_default();
        let w = self.weight(graph, &name)?;
        let axis = match op {
            "Conv" => 0,
            "Gemm" if int_attr(node, "transB", 0) != 0 => 0,
            "Gemm" => 1,
            _ => w.dims.len().saturating_sub(1),
        };
        // A weight read by several nodes keeps one scale: each reader may want another axis.
        let axis = (per_channel && !self.shared(&name) && w.dims.len() >= 2).then_some(axis);
        let q = weights::symmetric(&w.values, &w.dims, axis);
        let base = self.names.fresh(&format!("{name}_quantized"));
        let scale_name = self.names.fresh(&format!("{name}_scale"));
        let zp_name = self.names.fresh(&format!("{name}_zero_point"));
        let scale_dims: Vec<usize> = if axis.is_some() {
            vec![q.scales.len()]
        } else {
            vec![]
        };
        let mut attributes = Vec::new();
        if let Some(axis) = axis {
            attributes.push(attr_int("axis", i64::try_from(axis).unwrap_or(0)));
        }
        let dq = graph::node(
            "DequantizeLinear",
            self.names.fresh(&format!("{name}_DequantizeLinear")),
            vec![base.clone(), scale_name.clone(), zp_name.clone()],
            vec![name.clone()],
            attributes,
        );
        Ok(Piece {
            change: change(node, &w, q.values.len()),
            nodes: vec![dq, node.clone()],
            initializers: vec![
                if unsigned {
                    tensor::from_u8(&base, &w.dims, &weights::to_u8(&q.values))
                } else {
                    tensor::from_i8(&base, &w.dims, &q.values)
                },
                tensor::from_f32(&scale_name, &scale_dims, &q.scales),
                if unsigned {
                    tensor::from_u8(&zp_name, &scale_dims, &vec![128; q.scales.len()])
                } else {
                    tensor::from_i8(&zp_name, &scale_dims, &vec![0; q.scales.len()])
                },
            ],
            removed: vec![name],
        })
    }

    fn dynamic(
        &mut self,
        graph: &GraphProto,
        node: &NodeProto,
        per_channel: bool,
    ) -> Result<Piece, Reason> {
        let op = node.op_type().to_owned();
        let name = node.input.get(1).cloned().unwrap_or_default();
        let w = self.weight(graph, &name)?;
        if self.shared(&name) {
            return Err(Reason::Skip(format!(
                "weight `{name}` is read by several nodes"
            )));
        }
        let Some(output) = node.output.first().cloned() else {
            return Err(Reason::Skip("the node has no output".into()));
        };
        let activation = node.input[0].clone();
        let label = label(node);
        let mut nodes = Vec::new();
        let mut initializers = Vec::new();
        let mut removed = vec![name.clone()];
        let [a_q, a_scale, a_zp] = match self.activations.get(&activation) {
            Some(names) => names.clone(),
            None => {
                let names = [
                    self.names.fresh(&format!("{activation}_quantized")),
                    self.names.fresh(&format!("{activation}_scale")),
                    self.names.fresh(&format!("{activation}_zero_point")),
                ];
                nodes.push(graph::node(
                    "DynamicQuantizeLinear",
                    self.names
                        .fresh(&format!("{activation}_DynamicQuantizeLinear")),
                    vec![activation.clone()],
                    names.to_vec(),
                    Vec::new(),
                ));
                self.activations.insert(activation.clone(), names.clone());
                names
            }
        };
        let w_q = self.names.fresh(&format!("{name}_quantized"));
        let w_scale = self.names.fresh(&format!("{name}_scale"));
        let w_zp = self.names.fresh(&format!("{name}_zero_point"));
        let int_out = self.names.fresh(&format!("{output}_int32"));
        let float_out = self.names.fresh(&format!("{output}_int32_float"));
        let scale_out = self.names.fresh(&format!("{output}_scale"));
        let (product, bias): (NodeProto, Bias) = match op.as_str() {
            "Conv" => {
                if w.dims.len() < 3 {
                    return Err(Reason::Skip(
                        "Conv weight has fewer than 3 dimensions".into(),
                    ));
                }
                let q = weights::symmetric(&w.values, &w.dims, per_channel.then_some(0));
                let mut scale_dims = vec![1usize; w.dims.len() - 1];
                scale_dims[0] = q.scales.len();
                if !per_channel {
                    scale_dims.clear();
                }
                initializers.push(tensor::from_u8(&w_q, &w.dims, &weights::to_u8(&q.values)));
                initializers.push(tensor::from_f32(&w_scale, &scale_dims, &q.scales));
                initializers.push(tensor::from_u8(&w_zp, &[], &[128]));
                let product = NodeProto {
                    op_type: Some("ConvInteger".into()),
                    name: Some(self.names.fresh(&format!("{label}_ConvInteger"))),
                    input: vec![a_q, w_q, a_zp, w_zp],
                    output: vec![int_out.clone()],
                    attribute: node.attribute.clone(),
                    ..NodeProto::default()
                };
                let bias = match node.input.get(2).filter(|b| !b.is_empty()) {
                    None => None,
                    Some(b) => {
                        let values = self.constant(graph, b, "bias")?;
                        if !self.shared(b) {
                            removed.push(b.clone());
                        }
                        let mut dims = vec![1usize; w.dims.len() - 1];
                        dims[0] = values.len();
                        Some((b.clone(), dims, values))
                    }
                };
                (product, bias)
            }
            _ => {
                let gemm = op == "Gemm";
                if gemm && int_attr(node, "transA", 0) != 0 {
                    return Err(Reason::Skip("Gemm with transA=1".into()));
                }
                if w.dims.len() != 2 {
                    return Err(Reason::Skip(format!(
                        "weight `{name}` has {} dimensions (MatMulInteger needs 2)",
                        w.dims.len()
                    )));
                }
                let (values, dims) = if gemm && int_attr(node, "transB", 0) != 0 {
                    (
                        weights::transpose(&w.values, w.dims[0], w.dims[1]),
                        vec![w.dims[1], w.dims[0]],
                    )
                } else {
                    (w.values.clone(), w.dims.clone())
                };
                let mut q: Quantized = weights::symmetric(&values, &dims, per_channel.then_some(1));
                if gemm {
                    let alpha = float_attr(node, "alpha", 1.0);
                    for s in &mut q.scales {
                        *s *= alpha;
                    }
                }
                let scale_dims = if per_channel {
                    vec![q.scales.len()]
                } else {
                    vec![]
                };
                initializers.push(tensor::from_u8(&w_q, &dims, &weights::to_u8(&q.values)));
                initializers.push(tensor::from_f32(&w_scale, &scale_dims, &q.scales));
                initializers.push(tensor::from_u8(&w_zp, &[], &[128]));
                let product = graph::node(
                    "MatMulInteger",
                    self.names.fresh(&format!("{label}_MatMulInteger")),
                    vec![a_q, w_q, a_zp, w_zp],
                    vec![int_out.clone()],
                    Vec::new(),
                );
                let bias = match node.input.get(2).filter(|c| gemm && !c.is_empty()) {
                    None => None,
                    Some(c) => {
                        let beta = float_attr(node, "beta", 1.0);
                        let mut values = self.constant(graph, c, "bias C")?;
                        let dims = self.dims(graph, c);
                        for v in &mut values {
                            *v *= beta;
                        }
                        if !self.shared(c) {
                            removed.push(c.clone());
                        }
                        Some((c.clone(), dims, values))
                    }
                };
                (product, bias)
            }
        };
        nodes.push(product);
        nodes.push(graph::node(
            "Cast",
            self.names.fresh(&format!("{label}_Cast")),
            vec![int_out],
            vec![float_out.clone()],
            vec![attr_int("to", 1)],
        ));
        nodes.push(graph::node(
            "Mul",
            self.names.fresh(&format!("{label}_scale_Mul")),
            vec![a_scale, w_scale],
            vec![scale_out.clone()],
            Vec::new(),
        ));
        let scaled = if bias.is_some() {
            self.names.fresh(&format!("{output}_unbiased"))
        } else {
            output.clone()
        };
        nodes.push(graph::node(
            "Mul",
            self.names.fresh(&format!("{label}_Mul")),
            vec![float_out, scale_out],
            vec![scaled.clone()],
            Vec::new(),
        ));
        if let Some((b, dims, values)) = bias {
            let b_name = self.names.fresh(&format!("{b}_reshaped"));
            initializers.push(tensor::from_f32(&b_name, &dims, &values));
            nodes.push(graph::node(
                "Add",
                self.names.fresh(&format!("{label}_bias_Add")),
                vec![scaled, b_name],
                vec![output],
                Vec::new(),
            ));
        }
        Ok(Piece {
            change: change(node, &w, w.values.len()),
            nodes,
            initializers,
            removed,
        })
    }

    /// The values of a float initializer that is not the weight (a bias).
    fn constant(&self, graph: &GraphProto, name: &str, what: &str) -> Result<Vec<f32>, Reason> {
        match self.init.get(name).map(|&i| &graph.initializer[i]) {
            Some(t) if tensor::is_f32(t) => Ok(tensor::to_f32(t)?),
            _ => Err(Reason::Skip(format!(
                "{what} `{name}` is not a constant fp32 initializer"
            ))),
        }
    }

    fn dims(&self, graph: &GraphProto, name: &str) -> Vec<usize> {
        self.init
            .get(name)
            .map(|&i| {
                graph.initializer[i]
                    .dims
                    .iter()
                    .map(|&d| usize::try_from(d).unwrap_or(0))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// `uint8` scale and zero point covering [low, high] (widened to include 0, as ONNX requires
/// zero to be exact).
fn activation_params(low: f32, high: f32) -> (f32, u8) {
    let low = low.min(0.0);
    let high = high.max(0.0);
    let scale = if high > low && (high - low).is_finite() {
        (high - low) / 255.0
    } else {
        1.0
    };
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let zero_point = (-low / scale).round().clamp(0.0, 255.0) as u8;
    (scale, zero_point)
}

fn change(node: &NodeProto, w: &Weight, bytes_after: usize) -> Change {
    Change {
        node: label(node),
        op: node.op_type().to_owned(),
        weight: w.name.clone(),
        bytes_before: w.values.len() * 4,
        bytes_after,
    }
}
