//! `--layout`: the serving layout's files ([`modelci_serving`]), computed before the bundle is
//! built so that a signature the layout cannot express stops the run (exit 2) before any write.

use std::path::Path;

use anyhow::anyhow;
use modelci_bundle::{ExtraFile, ExtraSource};
use modelci_cli::Failure;
use modelci_serving::{Content, Layout, LayoutFile, LayoutInput};

/// Folder of the bundle that holds a non-plain layout.
pub(crate) const BUNDLE_FOLDER: &str = "serving";

/// The layout's files for `models` (relative to the layout's root, sorted).
///
/// # Errors
/// Exit 2: a triton or mlserver layout asked for more than one model, a model that does not
/// read, or a signature the layout cannot express.
pub(crate) fn files(
    layout: Layout,
    models: &[impl AsRef<Path>],
    name: &str,
    version: &str,
    max_batch_size: u32,
) -> Result<Vec<LayoutFile>, Failure> {
    if layout != Layout::Plain && models.len() != 1 {
        return Err(Failure::bad_input(anyhow!(
            "--layout {} serves one model; got {} --model files",
            layout.name(),
            models.len()
        )));
    }
    let mut all = Vec::new();
    for model in models {
        let model = model.as_ref();
        let stored = model
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let signature =
            modelci_bundle::signature::describe(model, &stored).map_err(Failure::bad_input)?;
        let input = LayoutInput {
            name,
            version,
            model,
            signature: &signature,
            max_batch_size,
        };
        all.extend(modelci_serving::render(layout, &input).map_err(Failure::bad_input)?);
    }
    all.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(all)
}

/// The layout as bundle entries under `serving/` (none for the plain layout, whose files are
/// the bundle's models already).
pub(crate) fn bundle_entries(layout: Layout, files: &[LayoutFile]) -> Vec<ExtraFile> {
    if layout == Layout::Plain {
        return Vec::new();
    }
    files
        .iter()
        .map(|f| ExtraFile {
            path: format!("{BUNDLE_FOLDER}/{}", f.path),
            source: match &f.content {
                Content::Bytes(b) => ExtraSource::Bytes(b.clone()),
                Content::File(p) => ExtraSource::File(p.clone()),
            },
            kind: "serving".into(),
        })
        .collect()
}
