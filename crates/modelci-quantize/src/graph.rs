//! Small helpers for building and inspecting graph pieces.

use std::collections::{HashMap, HashSet};

use modelci_onnx::proto::{AttributeProto, GraphProto, NodeProto, attribute_proto::AttributeType};

/// Hands out tensor and node names that do not collide with any name in the graph.
pub(crate) struct Names {
    taken: HashSet<String>,
}

impl Names {
    pub(crate) fn of(graph: &GraphProto) -> Self {
        let mut taken = HashSet::new();
        for node in &graph.node {
            taken.extend(node.input.iter().cloned());
            taken.extend(node.output.iter().cloned());
            taken.insert(node.name().to_owned());
        }
        for t in &graph.initializer {
            taken.insert(t.name().to_owned());
        }
        for v in graph
            .input
            .iter()
            .chain(&graph.output)
            .chain(&graph.value_info)
        {
            taken.insert(v.name().to_owned());
        }
        Self { taken }
    }

    /// `base`, or `base_2`, `base_3`, … whichever is free; the name is then taken.
    pub(crate) fn fresh(&mut self, base: &str) -> String {
        let mut name = base.to_owned();
        let mut n = 2;
        while self.taken.contains(&name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        self.taken.insert(name.clone());
        name
    }
}

/// The node's name, or its first output when it has none.
pub(crate) fn label(node: &NodeProto) -> String {
    if node.name().is_empty() {
        node.output.first().cloned().unwrap_or_default()
    } else {
        node.name().to_owned()
    }
}

/// Whether the node is in the default ONNX domain.
pub(crate) fn is_default_domain(node: &NodeProto) -> bool {
    node.domain().is_empty() || node.domain() == "ai.onnx"
}

/// An integer attribute, or `default`.
pub(crate) fn int_attr(node: &NodeProto, name: &str, default: i64) -> i64 {
    node.attribute
        .iter()
        .find(|a| a.name() == name)
        .map_or(default, AttributeProto::i)
}

/// A float attribute, or `default`.
pub(crate) fn float_attr(node: &NodeProto, name: &str, default: f32) -> f32 {
    node.attribute
        .iter()
        .find(|a| a.name() == name)
        .map_or(default, AttributeProto::f)
}

/// An integer attribute.
pub(crate) fn attr_int(name: &str, value: i64) -> AttributeProto {
    AttributeProto {
        name: Some(name.to_owned()),
        i: Some(value),
        r#type: Some(AttributeType::Int as i32),
        ..AttributeProto::default()
    }
}

/// A node of the default domain.
pub(crate) fn node(
    op: &str,
    name: String,
    inputs: Vec<String>,
    outputs: Vec<String>,
    attributes: Vec<AttributeProto>,
) -> NodeProto {
    NodeProto {
        op_type: Some(op.to_owned()),
        name: Some(name),
        input: inputs,
        output: outputs,
        attribute: attributes,
        ..NodeProto::default()
    }
}

/// How many node inputs (in the main graph and in subgraphs) read each tensor name; graph
/// outputs count as a use too.
pub(crate) fn uses(graph: &GraphProto) -> HashMap<String, usize> {
    let mut uses = HashMap::new();
    count_uses(graph, &mut uses);
    for o in &graph.output {
        *uses.entry(o.name().to_owned()).or_insert(0) += 1;
    }
    uses
}

fn count_uses(graph: &GraphProto, uses: &mut HashMap<String, usize>) {
    for node in &graph.node {
        for i in node.input.iter().filter(|i| !i.is_empty()) {
            *uses.entry(i.clone()).or_insert(0) += 1;
        }
        for a in &node.attribute {
            for g in a.g.iter().chain(&a.graphs) {
                count_uses(g, uses);
            }
        }
    }
}
