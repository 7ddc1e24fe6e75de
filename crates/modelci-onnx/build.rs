//! Generates the ONNX protobuf types from the vendored `proto/onnx-ml.proto`.
//!
//! `protox` parses the schema in pure Rust (no `protoc` binary on the build machine) and
//! `prost-build` writes `onnx.rs` into `OUT_DIR`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=proto/onnx-ml.proto");
    let descriptors = protox::compile(["onnx-ml.proto"], ["proto"])?;
    prost_build::Config::new().compile_fds(descriptors)?;
    Ok(())
}
