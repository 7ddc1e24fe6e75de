//! Integration tests of `modelci-onnx` on the repository's real ONNX files.

mod external;
mod roundtrip;

use std::path::{Path, PathBuf};

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository root")
}
