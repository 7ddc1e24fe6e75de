//! Graph-level tests of the rewrites on the repository's test models (no runtime here: the
//! `quantize` binary's tests run the outputs in tract and onnxruntime).

use std::path::{Path, PathBuf};

use modelci_onnx::ModelProto;
use modelci_quantize::{Calibration, Mode, Options, QuantizeError, quantize};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository root")
}

fn model(path: &str) -> ModelProto {
    modelci_onnx::read(&repo().join(path)).expect("reads")
}

fn options(mode: Mode, per_channel: bool) -> Options {
    Options {
        mode,
        per_channel,
        exclude: Vec::new(),
        calibration: None,
    }
}

fn ops(model: &ModelProto) -> Vec<String> {
    model
        .graph
        .as_ref()
        .expect("graph")
        .node
        .iter()
        .map(|n| n.op_type().to_owned())
        .collect()
}

#[test]
fn dynamic_gemm_becomes_the_onnxruntime_form() {
    let out = quantize(
        model("tests/fixtures/quantize/gemm.onnx"),
        &options(Mode::Dynamic, false),
    )
    .expect("quantizes");
    let ops = ops(&out.model);
    assert_eq!(
        ops.iter().filter(|o| *o == "MatMulInteger").count(),
        2,
        "{ops:?}"
    );
    assert_eq!(
        ops.iter().filter(|o| *o == "DynamicQuantizeLinear").count(),
        2,
        "{ops:?}"
    );
    assert!(!ops.contains(&"Gemm".to_owned()), "{ops:?}");
    let graph = out.model.graph.expect("graph");
    // fc1 had transB=1 on W1 [48, 64]: the integer weight is stored transposed, [64, 48].
    let w1 = graph
        .initializer
        .iter()
        .find(|t| t.name() == "W1_quantized")
        .expect("W1_quantized");
    assert_eq!(w1.dims, vec![64, 48]);
    assert!(
        graph.initializer.iter().all(|t| t.name() != "W1"),
        "the fp32 weight is gone"
    );
    // beta=2 folds into the bias.
    let b1 = graph
        .initializer
        .iter()
        .find(|t| t.name() == "B1_reshaped")
        .expect("bias");
    let original = model("tests/fixtures/quantize/gemm.onnx");
    let b1_orig = original
        .graph
        .expect("graph")
        .initializer
        .into_iter()
        .find(|t| t.name() == "B1")
        .expect("B1");
    let (a, b) = (
        modelci_onnx::tensor::to_f32(b1).expect("f32"),
        modelci_onnx::tensor::to_f32(&b1_orig).expect("f32"),
    );
    assert!(a.iter().zip(&b).all(|(x, y)| (x - 2.0 * y).abs() < 1e-6));
}

#[test]
fn per_channel_weight_only_has_one_scale_per_output_channel() {
    let out = quantize(
        model("examples/digits/candidate.onnx"),
        &options(Mode::WeightOnly, true),
    )
    .expect("quantizes");
    let graph = out.model.graph.expect("graph");
    let scale = |name: &str| {
        graph
            .initializer
            .iter()
            .find(|t| t.name() == name)
            .expect(name)
            .dims
            .clone()
    };
    assert_eq!(scale("conv2.weight_scale"), vec![64]);
    assert_eq!(
        scale("fc.weight_scale"),
        vec![10],
        "Gemm transB=1: axis 0 of [10, 1024]"
    );
    let dq: Vec<_> = graph
        .node
        .iter()
        .filter(|n| n.op_type() == "DequantizeLinear")
        .collect();
    assert_eq!(dq.len(), 3);
    assert!(
        dq.iter()
            .all(|n| n.attribute.iter().any(|a| a.name() == "axis"))
    );
}

#[test]
fn an_old_opset_is_raised_when_no_operator_changed_meaning() {
    let out = quantize(
        model("tests/fixtures/quantize/old_opset.onnx"),
        &options(Mode::Dynamic, false),
    )
    .expect("MatMul means the same at opset 11");
    assert_eq!(
        out.opset_upgrade,
        Some(modelci_quantize::opset::Upgrade { from: 9, to: 11 })
    );
    assert_eq!(modelci_onnx::opset_version(&out.model, ""), Some(11));
    assert!(out.model.ir_version.unwrap_or(0) >= 6);
    assert!(!out.changes.is_empty());
}

#[test]
fn an_old_opset_with_an_operator_that_changed_meaning_is_refused_naming_it() {
    use modelci_onnx::proto::NodeProto;
    let mut old = model("tests/fixtures/quantize/old_opset.onnx");
    let graph = old.graph.as_mut().expect("graph");
    // Clip took min/max as attributes until opset 11, where they became inputs.
    let out = graph.output[0].name().to_owned();
    graph.node[0].output[0] = "mm".into();
    graph.node.push(NodeProto {
        op_type: Some("Clip".into()),
        name: Some("clamp".into()),
        input: vec!["mm".into()],
        output: vec![out],
        ..NodeProto::default()
    });
    let err = quantize(old, &options(Mode::Dynamic, false)).expect_err("Clip blocks it");
    assert!(
        matches!(
            &err,
            QuantizeError::OpsetBlocked {
                opset: 9,
                needed: 11,
                op,
                ..
            } if op == "Clip"
        ),
        "{err}"
    );
    let text = err.to_string();
    assert!(
        text.contains("`Clip`") && text.contains("changed in opset 11") && text.contains("opset 9"),
        "{text}"
    );
}

#[test]
fn fp16_keeps_io_in_fp32_and_gemm_in_fp32_with_fp16_storage() {
    let out = quantize(
        model("examples/digits/candidate.onnx"),
        &options(Mode::Fp16, false),
    )
    .expect("converts");
    let graph = out.model.graph.expect("graph");
    assert_eq!(graph.input[0].name(), "input");
    assert_eq!(graph.output[0].name(), "logits");
    let producer = graph
        .node
        .iter()
        .find(|n| n.output.iter().any(|o| o == "logits"))
        .expect("producer");
    assert_eq!(
        producer.op_type(),
        "Gemm",
        "the Gemm head stays fp32 and writes the output"
    );
    let fc = graph
        .initializer
        .iter()
        .find(|t| t.name() == "fc.weight_fp16")
        .expect("fp16 storage");
    assert_eq!(fc.data_type(), 10);
    assert!(out.skipped.iter().any(|s| s.op == "Gemm"));
    let first_cast = graph
        .node
        .iter()
        .find(|n| n.op_type() == "Cast" && n.input[0] == "input")
        .expect("input cast");
    assert_eq!(first_cast.attribute[0].i(), 10);
}

#[test]
fn static_needs_a_range_for_each_activation_and_uses_it() {
    let mut opts = options(Mode::Static, false);
    let none = quantize(model("tests/fixtures/quantize/gemm.onnx"), &opts).expect("runs");
    assert!(none.is_unchanged());
    assert!(
        none.skipped
            .iter()
            .all(|s| s.reason.contains("no calibration range"))
    );
    let targets =
        modelci_quantize::calibration::targets(&model("tests/fixtures/quantize/gemm.onnx"), &[]);
    assert_eq!(targets, ["input", "r"]);
    let mut calibration = Calibration::default();
    calibration.ranges.insert("input".into(), (0.0, 1.0));
    calibration.ranges.insert("r".into(), (0.0, 5.1));
    opts.calibration = Some(calibration);
    let out = quantize(model("tests/fixtures/quantize/gemm.onnx"), &opts).expect("runs");
    assert_eq!(out.changes.len(), 2);
    let graph = out.model.graph.clone().expect("graph");
    let scale = graph
        .initializer
        .iter()
        .find(|t| t.name() == "r_scale")
        .expect("r_scale");
    assert_eq!(
        modelci_onnx::tensor::to_f32(scale).expect("f32"),
        vec![0.02]
    );
    assert_eq!(
        ops(&out.model)
            .iter()
            .filter(|o| *o == "QuantizeLinear")
            .count(),
        2
    );
    assert_eq!(
        ops(&out.model).iter().filter(|o| *o == "Gemm").count(),
        2,
        "compute stays in Gemm"
    );
}

#[test]
fn instrumenting_adds_the_targets_as_outputs() {
    let m = model("tests/fixtures/quantize/gemm.onnx");
    let targets = modelci_quantize::calibration::targets(&m, &[]);
    let instrumented = modelci_quantize::calibration::instrument(&m, &targets);
    let outputs: Vec<&str> = instrumented
        .graph
        .as_ref()
        .expect("graph")
        .output
        .iter()
        .map(|o| o.name())
        .collect();
    assert_eq!(outputs, ["logits", "r"], "graph inputs need no output");
}
