//! Signatures a layout cannot express: one line naming the model, the layout and the tensor.

use modelci_bundle::manifest::{ModelEntry, TensorEntry};
use modelci_serving::{Layout, LayoutInput, ServingError};
use serde_json::json;

fn entry(elem_type: &str, shape: Option<Vec<serde_json::Value>>) -> ModelEntry {
    ModelEntry {
        path: "m.onnx".into(),
        inputs: vec![TensorEntry {
            name: "x".into(),
            elem_type: elem_type.into(),
            shape,
        }],
        outputs: vec![TensorEntry {
            name: "y".into(),
            elem_type: "float32".into(),
            shape: Some(vec![json!("N"), json!(2)]),
        }],
        opset: 17,
        parameters: 0,
        producer: String::new(),
    }
}

fn render(layout: Layout, sig: &ModelEntry) -> Result<usize, ServingError> {
    let input = LayoutInput {
        name: "m",
        version: "1.0.0",
        model: std::path::Path::new("m.onnx"),
        signature: sig,
        max_batch_size: 8,
    };
    modelci_serving::render(layout, &input).map(|f| f.len())
}

#[test]
fn element_types_without_a_server_type_are_refused() {
    let complex = entry("onnx-type-14", Some(vec![json!("N"), json!(2)]));
    let e = render(Layout::Triton, &complex).expect_err("complex64");
    assert_eq!(
        e.to_string(),
        "m.onnx: the triton layout cannot serve \"x\": element type onnx-type-14 has no Triton data type"
    );
    let bf16 = entry("bfloat16", Some(vec![json!("N"), json!(2)]));
    assert_eq!(render(Layout::Triton, &bf16), Ok(2));
    let e = render(Layout::MlServer, &bf16).expect_err("bfloat16");
    assert!(
        e.to_string()
            .contains("element type bfloat16 has no Open Inference Protocol datatype"),
        "{e}"
    );
    // The plain layout serves nothing, so it refuses nothing.
    assert_eq!(render(Layout::Plain, &complex), Ok(1));
}

#[test]
fn a_tensor_without_a_shape_is_refused() {
    let unknown = entry("float32", None);
    for layout in [Layout::Triton, Layout::MlServer] {
        let e = render(layout, &unknown).expect_err("no shape");
        assert!(e.to_string().contains("declares no shape"), "{e}");
        assert!(!e.to_string().contains('\n'));
    }
}
