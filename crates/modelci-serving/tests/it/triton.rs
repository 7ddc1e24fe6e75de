//! `config.pbtxt` parsed back with a real protobuf text-format parser (`prost-reflect`) against
//! Triton's `model_config.proto` (vendored, see tests/fixtures/README.md).

use prost_reflect::{DynamicMessage, ReflectMessage as _, Value};

use modelci_serving::Layout;

use crate::harness::{digits, render, text};

/// Parses `text` as an `inference.ModelConfig`.
fn parse(text: &str) -> DynamicMessage {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/triton");
    let mut compiler = protox::Compiler::new([dir]).expect("compiler");
    compiler
        .open_file("model_config.proto")
        .expect("model_config.proto compiles");
    let pool = compiler.descriptor_pool();
    let desc = pool
        .get_message_by_name("inference.ModelConfig")
        .expect("ModelConfig");
    DynamicMessage::parse_text_format(desc, text)
        .unwrap_or_else(|e| panic!("config.pbtxt is not a ModelConfig: {e}\n{text}"))
}

fn field(m: &DynamicMessage, name: &str) -> Value {
    m.get_field_by_name(name)
        .unwrap_or_else(|| panic!("no field {name}"))
        .into_owned()
}

/// `(name, data_type enum name, dims, reshaped)` of each input or output.
fn tensors(m: &DynamicMessage, which: &str) -> Vec<(String, String, Vec<i64>, bool)> {
    let Value::List(list) = field(m, which) else {
        panic!("{which} is not a list")
    };
    list.iter()
        .map(|v| {
            let t = v.as_message().expect("message");
            let data_type = field(t, "data_type").as_enum_number().expect("enum");
            let enum_desc = t
                .descriptor()
                .get_field_by_name("data_type")
                .expect("data_type")
                .kind();
            let enum_name = enum_desc
                .as_enum()
                .and_then(|e| e.get_value(data_type))
                .map(|v| v.name().to_owned())
                .expect("known data type");
            let dims = field(t, "dims")
                .as_list()
                .expect("dims")
                .iter()
                .map(|d| d.as_i64().expect("int64"))
                .collect();
            (
                field(t, "name").as_str().expect("name").to_owned(),
                enum_name,
                dims,
                t.has_field_by_name("reshape"),
            )
        })
        .collect()
}

#[test]
fn the_cnn_with_a_named_batch_dimension_batches() {
    let files = render(Layout::Triton, &digits("candidate.onnx"), 8);
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["digits/1/model.onnx", "digits/config.pbtxt"]);
    let m = parse(&text(&files, "digits/config.pbtxt"));
    assert_eq!(field(&m, "name").as_str(), Some("digits"));
    assert_eq!(field(&m, "platform").as_str(), Some("onnxruntime_onnx"));
    assert_eq!(field(&m, "max_batch_size").as_i32(), Some(8));
    assert_eq!(
        tensors(&m, "input"),
        [("input".into(), "TYPE_FP32".into(), vec![1, 8, 8], false)]
    );
    assert_eq!(
        tensors(&m, "output"),
        [("logits".into(), "TYPE_FP32".into(), vec![10], false)]
    );
}

#[test]
fn an_unnamed_batch_dimension_and_a_batch_only_output_reshape() {
    // baseline.onnx: input [?, 64]; outputs label [?] (int64) and probabilities [?, 10].
    let files = render(Layout::Triton, &digits("baseline.onnx"), 4);
    let m = parse(&text(&files, "digits/config.pbtxt"));
    assert_eq!(field(&m, "max_batch_size").as_i32(), Some(4));
    assert_eq!(
        tensors(&m, "input"),
        [("input".into(), "TYPE_FP32".into(), vec![64], false)]
    );
    assert_eq!(
        tensors(&m, "output"),
        [
            ("label".into(), "TYPE_INT64".into(), vec![1], true),
            ("probabilities".into(), "TYPE_FP32".into(), vec![10], false)
        ]
    );
}

#[test]
fn without_batching_dynamic_dimensions_are_minus_one() {
    let files = render(Layout::Triton, &digits("candidate.onnx"), 0);
    let m = parse(&text(&files, "digits/config.pbtxt"));
    assert_eq!(field(&m, "max_batch_size").as_i32(), Some(0));
    assert_eq!(tensors(&m, "input")[0].2, [-1, 1, 8, 8]);
    assert_eq!(tensors(&m, "output")[0].2, [-1, 10]);
}

#[test]
fn a_misspelt_field_is_what_the_parser_refuses() {
    // The check above is only worth something if the parser refuses what Triton refuses.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/triton");
    let mut compiler = protox::Compiler::new([dir]).expect("compiler");
    compiler.open_file("model_config.proto").expect("compiles");
    let desc = compiler
        .descriptor_pool()
        .get_message_by_name("inference.ModelConfig")
        .expect("ModelConfig");
    assert!(DynamicMessage::parse_text_format(desc.clone(), "max_batch: 8").is_err());
    assert!(
        DynamicMessage::parse_text_format(desc, "input [ { data_type: TYPE_FLOAT32 } ]").is_err()
    );
}
