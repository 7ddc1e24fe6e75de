//! `--layout` in the bundle: the layout's files under `serving/`, listed in the manifest with
//! their checksums (so `publish verify` checks them), and a model whose signature the layout
//! cannot express refused with one line, exit 2, nothing written.

use std::io::Read as _;

use modelci_onnx::proto::{
    OperatorSetIdProto, TensorShapeProto, TypeProto, ValueInfoProto, tensor_shape_proto, type_proto,
};
use modelci_onnx::{GraphProto, ModelProto, NodeProto};

use crate::harness::{EPOCH, bundle_args, publish, refs, with};

fn names(zip: &std::path::Path) -> Vec<String> {
    let archive = zip::ZipArchive::new(std::fs::File::open(zip).expect("zip")).expect("zip");
    archive
        .file_names()
        .map(|n| n.expect("entry name").into_owned())
        .collect()
}

#[test]
fn the_mlserver_layout_is_in_the_bundle_and_verified() {
    let work = tempfile::tempdir().expect("temp dir");
    let out = work.path().join("out");
    let args = with(&bundle_args(&out, "1.2.0"), &["--layout", "mlserver"]);
    let vars = [("SOURCE_DATE_EPOCH", EPOCH.to_owned())];
    let r = publish(work.path(), &vars, &refs(&args));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let zip = out.join("digits-1.2.0.zip");
    let mut listed = names(&zip);
    listed.sort();
    assert_eq!(
        listed,
        [
            "README.md",
            "candidate.onnx",
            "manifest.json",
            "serving/digits/model-settings.json",
            "serving/digits/model.onnx",
            "serving/digits/modelci_onnx_runtime.py",
        ]
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).expect("read"))
            .expect("JSON");
    let serving: Vec<&str> = manifest["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter(|f| f["kind"] == "serving")
        .map(|f| f["path"].as_str().expect("path"))
        .collect();
    assert_eq!(serving.len(), 3, "{manifest:#}");
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip).expect("zip")).expect("zip");
    let mut settings = String::new();
    archive
        .by_name("serving/digits/model-settings.json")
        .expect("settings")
        .read_to_string(&mut settings)
        .expect("read");
    let settings: serde_json::Value = serde_json::from_str(&settings).expect("JSON");
    assert_eq!(settings["parameters"]["version"], "1.2.0");
    assert_eq!(settings["implementation"], "modelci_onnx_runtime.OnnxModel");

    let r = publish(work.path(), &[], &[&"verify", &zip]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// An ONNX model passing a complex64 tensor through `Identity`: valid ONNX, no Triton type.
fn complex_model(path: &std::path::Path) {
    let tensor = |name: &str| ValueInfoProto {
        name: Some(name.into()),
        r#type: Some(TypeProto {
            value: Some(type_proto::Value::TensorType(type_proto::Tensor {
                elem_type: Some(14),
                shape: Some(TensorShapeProto {
                    dim: vec![tensor_shape_proto::Dimension {
                        value: Some(tensor_shape_proto::dimension::Value::DimValue(2)),
                        ..Default::default()
                    }],
                }),
            })),
            ..Default::default()
        }),
        ..Default::default()
    };
    let model = ModelProto {
        ir_version: Some(8),
        opset_import: vec![OperatorSetIdProto {
            domain: Some(String::new()),
            version: Some(17),
        }],
        graph: Some(GraphProto {
            name: Some("complex".into()),
            node: vec![NodeProto {
                op_type: Some("Identity".into()),
                input: vec!["x".into()],
                output: vec!["y".into()],
                ..Default::default()
            }],
            input: vec![tensor("x")],
            output: vec![tensor("y")],
            ..Default::default()
        }),
        ..Default::default()
    };
    std::fs::write(path, modelci_onnx::encode(&model)).expect("write model");
}

#[test]
fn a_signature_triton_cannot_express_is_refused_before_anything_is_written() {
    let work = tempfile::tempdir().expect("temp dir");
    let model = work.path().join("complex.onnx");
    complex_model(&model);
    let out = work.path().join("out");
    let base: Vec<std::ffi::OsString> = vec![
        "--model".into(),
        model.into(),
        "--name".into(),
        "c".into(),
        "--version".into(),
        "1.0.0".into(),
        "--commit".into(),
        crate::harness::COMMIT.into(),
        "--output-dir".into(),
        out.clone().into(),
    ];
    let r = publish(
        work.path(),
        &[],
        &refs(&with(&base, &["--layout", "triton"])),
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "complex.onnx: the triton layout cannot serve \"x\": element type onnx-type-14 has no Triton data type"
        ),
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    assert!(!out.exists(), "nothing written");
    // The plain layout serves nothing, so the same model is published as it always was.
    let r = publish(work.path(), &[], &refs(&base));
    assert_eq!(r.code, 0, "{}", r.stderr);
}
