//! Decode → encode keeps every byte, and metadata that tract's schema drops survives.

use modelci_onnx::proto::StringStringEntryProto;
use modelci_onnx::{decode, encode, normalize, read};

use crate::repo;

const MODELS: &[&str] = &[
    "examples/digits/baseline.onnx",
    "examples/digits/candidate.onnx",
    "tests/fixtures/models/nhwc_cnn.onnx",
    "tests/fixtures/models/regression.onnx",
    "tests/fixtures/quantize/constant_weights.onnx",
    "tests/fixtures/quantize/skl_mlp.onnx",
    "tests/fixtures/quantize/conv_bias.onnx",
];

#[test]
fn every_model_re_encodes_to_the_same_bytes() {
    for name in MODELS {
        let bytes = std::fs::read(repo().join(name)).expect("model file");
        let model = decode(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(encode(&model), bytes, "{name}: re-encoded bytes differ");
    }
}

#[test]
fn model_graph_and_node_metadata_survive_a_round_trip() {
    let mut model = read(&repo().join("examples/digits/candidate.onnx")).expect("reads");
    let entry = |k: &str, v: &str| StringStringEntryProto {
        key: Some(k.into()),
        value: Some(v.into()),
    };
    model.metadata_props.push(entry("owner", "team-a"));
    let graph = model.graph.as_mut().expect("graph");
    graph.metadata_props.push(entry("stage", "prod"));
    graph.node[0]
        .metadata_props
        .push(entry("origin", "conv1.py:12"));
    graph.node[0].doc_string = Some("first conv".into());
    let again = decode(&encode(&model)).expect("decodes");
    assert_eq!(again, model);
    let g = again.graph.clone().expect("graph");
    assert_eq!(again.metadata_props[0].value(), "team-a");
    assert_eq!(g.metadata_props[0].value(), "prod");
    assert_eq!(g.node[0].metadata_props[0].value(), "conv1.py:12");
    assert_eq!(g.node[0].doc_string(), "first conv");
    assert_eq!(
        again.doc_string(),
        "modelci digits example candidate: small CNN, NCHW"
    );
}

#[test]
fn constant_nodes_fold_and_the_repeated_default_opset_merges() {
    let mut model =
        read(&repo().join("tests/fixtures/quantize/constant_weights.onnx")).expect("reads");
    let done = normalize::normalize(&mut model);
    assert_eq!(done.constants_folded, 3);
    let graph = model.graph.as_ref().expect("graph");
    assert!(graph.node.iter().all(|n| n.op_type() != "Constant"));
    let names: Vec<&str> = graph.initializer.iter().map(|t| t.name()).collect();
    assert_eq!(names, ["K1", "KB1", "K2"]);
    assert_eq!(
        modelci_onnx::tensor::to_f32(&graph.initializer[0])
            .expect("floats")
            .len(),
        64 * 40
    );

    let mut skl = read(&repo().join("tests/fixtures/quantize/skl_mlp.onnx")).expect("reads");
    let defaults = |m: &modelci_onnx::ModelProto| {
        m.opset_import
            .iter()
            .filter(|o| o.domain().is_empty())
            .count()
    };
    assert_eq!(defaults(&skl), 2);
    assert_eq!(normalize::normalize(&mut skl).opsets_deduplicated, 1);
    assert_eq!(defaults(&skl), 1);
}

#[test]
fn garbage_and_truncated_files_are_not_onnx() {
    for name in [
        "tests/fixtures/models/garbage.onnx",
        "tests/fixtures/models/truncated.onnx",
    ] {
        let err = read(&repo().join(name))
            .expect_err("not a model")
            .to_string();
        assert!(
            err.contains(name.rsplit('/').next().unwrap_or(name)),
            "{err}"
        );
        assert!(err.contains("not an ONNX model"), "{err}");
    }
}
