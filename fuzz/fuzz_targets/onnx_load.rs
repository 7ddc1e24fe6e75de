//! ONNX loading and signature reading: any bytes as a model file must give a model or an
//! error, never a panic, an abort or an unbounded allocation.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("model.onnx");
    std::fs::write(&path, data).expect("write");
    if let Ok(model) = modelci_eval::Model::load(&path) {
        let _ = model.signature().clone();
    }
});
