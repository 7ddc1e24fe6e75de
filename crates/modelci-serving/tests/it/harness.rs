//! Shared helpers: the example models, their signatures, a layout written to a folder.

use std::path::{Path, PathBuf};

use modelci_bundle::manifest::ModelEntry;
use modelci_serving::{Content, Layout, LayoutFile, LayoutInput};

/// A file of the digits example.
pub fn digits(name: &str) -> PathBuf {
    modelci_test::harness::repo()
        .join("examples/digits")
        .join(name)
}

/// The signature of a model, as `publish` reads it.
pub fn signature(model: &Path) -> ModelEntry {
    let name = model.file_name().expect("file name").to_string_lossy();
    modelci_bundle::signature::describe(model, &name).expect("signature")
}

/// The files of `layout` for `model` named `digits`, version 1.2.0.
pub fn render(layout: Layout, model: &Path, max_batch_size: u32) -> Vec<LayoutFile> {
    let sig = signature(model);
    modelci_serving::render(
        layout,
        &LayoutInput {
            name: "digits",
            version: "1.2.0",
            model,
            signature: &sig,
            max_batch_size,
        },
    )
    .expect("layout")
}

/// Writes `files` below `root`.
pub fn write(files: &[LayoutFile], root: &Path) {
    for f in files {
        let path = root.join(&f.path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("folder");
        match &f.content {
            Content::Bytes(b) => std::fs::write(&path, b).expect("write"),
            Content::File(p) => {
                std::fs::copy(p, &path).expect("copy");
            }
        }
    }
}

/// The text of the file at `path` in `files`.
pub fn text(files: &[LayoutFile], path: &str) -> String {
    let f = files.iter().find(|f| f.path == path).expect(path);
    match &f.content {
        Content::Bytes(b) => String::from_utf8(b.clone()).expect("utf-8"),
        Content::File(p) => std::fs::read_to_string(p).expect("read"),
    }
}

pub use modelci_test::harness::external_required;
