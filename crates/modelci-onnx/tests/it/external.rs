//! External data: loaded from inside the model's folder, refused outside it.

use modelci_onnx::proto::{StringStringEntryProto, tensor_proto::DataLocation};
use modelci_onnx::{ModelProto, encode, read, tensor};

use crate::repo;

/// gemm.onnx with initializer `W1` moved to an external file at `location`.
fn with_external(dir: &std::path::Path, location: &str) -> (std::path::PathBuf, Vec<f32>) {
    let mut model: ModelProto =
        read(&repo().join("tests/fixtures/quantize/gemm.onnx")).expect("reads");
    let graph = model.graph.as_mut().expect("graph");
    let w = graph
        .initializer
        .iter_mut()
        .find(|t| t.name() == "W1")
        .expect("W1");
    let values = tensor::to_f32(w).expect("floats");
    let raw = w.raw_data.take().unwrap_or_default();
    std::fs::write(dir.join("weights.bin"), [vec![0u8; 16], raw].concat()).expect("write weights");
    let entry = |k: &str, v: String| StringStringEntryProto {
        key: Some(k.into()),
        value: Some(v),
    };
    w.float_data.clear();
    w.data_location = Some(DataLocation::External as i32);
    w.external_data = vec![
        entry("location", location.to_owned()),
        entry("offset", "16".into()),
        entry("length", (values.len() * 4).to_string()),
    ];
    let path = dir.join("model").join("model.onnx");
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(&path, encode(&model)).expect("write model");
    (path, values)
}

#[test]
fn external_data_inside_the_folder_is_loaded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, values) = with_external(dir.path(), "weights.bin");
    std::fs::rename(
        dir.path().join("weights.bin"),
        dir.path().join("model/weights.bin"),
    )
    .expect("move");
    let model = read(&path).expect("loads");
    let w = model
        .graph
        .expect("graph")
        .initializer
        .into_iter()
        .find(|t| t.name() == "W1")
        .expect("W1");
    assert_eq!(tensor::to_f32(&w).expect("floats"), values);
    assert!(w.external_data.is_empty());
}

#[test]
fn external_data_outside_the_folder_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, _) = with_external(dir.path(), "../weights.bin");
    let err = read(&path).expect_err("refused").to_string();
    assert!(
        err.contains("`W1`") && err.contains("`..`") && err.contains("inside the model's folder"),
        "{err}"
    );

    let absolute = dir.path().join("weights.bin").display().to_string();
    let (path, _) = with_external(dir.path(), &absolute);
    let err = read(&path).expect_err("refused").to_string();
    assert!(err.contains("absolute"), "{err}");
}

#[cfg(unix)]
#[test]
fn a_symlink_leading_outside_the_folder_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, _) = with_external(dir.path(), "link.bin");
    std::os::unix::fs::symlink(
        dir.path().join("weights.bin"),
        dir.path().join("model/link.bin"),
    )
    .expect("symlink");
    let err = read(&path).expect_err("refused").to_string();
    assert!(err.contains("outside the model's folder"), "{err}");
}
