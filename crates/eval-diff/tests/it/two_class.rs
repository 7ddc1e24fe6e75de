//! Issue 18's "done when" on a 2-class comparison with a 1 pt drop: the main chart shows the
//! drop against the gate's limit, the report has no top-2 row (always 100% with 2 classes), and
//! McNemar and the bootstrap are read in one sentence.
//!
//! The models are built here: the baseline passes its two features through as logits, the
//! candidate adds 0.05 to the second, which flips the near-ties of the dataset below.

use std::path::Path;

use modelci_onnx::proto::{
    GraphProto, ModelProto, NodeProto, OperatorSetIdProto, TensorProto, TensorShapeProto,
    TypeProto, ValueInfoProto,
    tensor_shape_proto::{Dimension, dimension::Value as DimValue},
    type_proto::{Tensor, Value},
};

use crate::harness::{eval_diff, report};

fn info(name: &str) -> ValueInfoProto {
    let dim = [DimValue::DimParam("N".into()), DimValue::DimValue(2)]
        .into_iter()
        .map(|value| Dimension {
            value: Some(value),
            ..Dimension::default()
        })
        .collect();
    ValueInfoProto {
        name: Some(name.into()),
        r#type: Some(TypeProto {
            value: Some(Value::TensorType(Tensor {
                elem_type: Some(1),
                shape: Some(TensorShapeProto { dim }),
            })),
            ..TypeProto::default()
        }),
        ..ValueInfoProto::default()
    }
}

/// `logits = x + [0, shift]`.
fn model(path: &Path, shift: f32) {
    let bias = TensorProto {
        name: Some("bias".into()),
        data_type: Some(1),
        dims: vec![2],
        float_data: vec![0.0, shift],
        ..TensorProto::default()
    };
    let node = NodeProto {
        op_type: Some("Add".into()),
        input: vec!["x".into(), "bias".into()],
        output: vec!["logits".into()],
        ..NodeProto::default()
    };
    let model = ModelProto {
        ir_version: Some(8),
        opset_import: vec![OperatorSetIdProto {
            domain: Some(String::new()),
            version: Some(13),
        }],
        graph: Some(GraphProto {
            name: Some("g".into()),
            node: vec![node],
            initializer: vec![bias],
            input: vec![info("x")],
            output: vec![info("logits")],
            ..GraphProto::default()
        }),
        ..ModelProto::default()
    };
    std::fs::write(path, modelci_onnx::encode(&model)).expect("write model");
}

/// 200 rows: 184 both right, 3 broken by the candidate, 1 fixed, 12 both wrong: baseline
/// 93.5%, candidate 92.5%.
fn dataset(path: &Path) {
    let mut csv = String::from("f0,f1,label\n");
    for i in 0..184 {
        csv.push_str(if i % 2 == 0 { "1,0,0\n" } else { "0,1,1\n" });
    }
    csv.push_str(&"0.5,0.47,0\n".repeat(3));
    csv.push_str("0.5,0.47,1\n");
    csv.push_str(&"1,0,1\n".repeat(12));
    std::fs::write(path, csv).expect("write csv");
}

#[test]
fn a_one_point_drop_on_two_classes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (baseline, candidate, data) = (
        dir.path().join("baseline.onnx"),
        dir.path().join("candidate.onnx"),
        dir.path().join("test.csv"),
    );
    model(&baseline, 0.0);
    model(&candidate, 0.05);
    dataset(&data);
    let out = dir.path().join("out");
    let r = eval_diff(
        &out,
        &[
            &"--baseline",
            &baseline,
            &"--candidate",
            &candidate,
            &"--dataset",
            &data,
            &"--tolerance",
            &"accuracy=0.5pt",
        ],
    );
    assert_eq!(
        r.code, 1,
        "the 1 pt drop fails the 0.5 pt tolerance: {}",
        r.stderr
    );
    let json = report(&out);
    let comparison = json["comparison"].as_array().expect("comparison");
    assert!(
        !comparison.iter().any(|row| row["name"] == "top_k_accuracy"),
        "no top-k row with 2 classes: {comparison:#?}"
    );
    let md = std::fs::read_to_string(out.join("report.md")).expect("report.md");
    assert!(!md.contains("Top-2"), "{md}");
    assert!(
        md.contains("| Accuracy | 93.50% | 92.50% | -1.00 pp |"),
        "{md}"
    );
    // The main chart is the change with the gate's limit: bar -1.00 pp, limit line -0.5 pp.
    let chart = json["charts"]
        .as_array()
        .expect("charts")
        .iter()
        .find(|c| c["name"] == "metrics")
        .expect("main chart");
    assert_eq!(chart["chart"]["type"], "delta_bars", "{chart:#}");
    let values = chart["chart"]["values"].as_array().expect("values");
    assert!(
        (values[0].as_f64().expect("number") + 0.01).abs() < 1e-9,
        "{chart:#}"
    );
    let limit = chart["chart"]["limits"][0]
        .as_f64()
        .expect("accuracy limit");
    assert!((limit + 0.005).abs() < 1e-9, "{chart:#}");
    assert!(
        md.contains("    bar [-1, "),
        "the Mermaid bars are in points: {md}"
    );
    assert!(
        md.contains("    line [-0.5, 0, 0]\n"),
        "the Mermaid limit line: {md}"
    );
    let svg = std::fs::read_to_string(out.join("metrics.svg")).expect("metrics.svg");
    assert!(
        svg.contains("-1.00 pp") && svg.contains("gate limit"),
        "{svg}"
    );
}
