//! `dir:PATH`: the bundle, `SHA256SUMS` and `manifest.json` copied to `PATH/NAME/VERSION/`,
//! each file atomically (temporary file in the same folder, then rename). Files already there
//! with the same bytes are kept; different ones are refused unless `--replace`, and every file
//! is checked before any is written.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, anyhow};
use modelci_bundle::Built;

/// What the folder target did.
#[derive(Debug)]
pub(crate) struct DirOutcome {
    /// The version folder.
    pub folder: PathBuf,
    /// Files written.
    pub written: Vec<String>,
    /// Files already there, identical.
    pub kept: Vec<String>,
}

/// Copies `built` into `root/NAME/VERSION/`.
pub(crate) fn publish(root: &Path, built: &Built, replace: bool) -> anyhow::Result<DirOutcome> {
    let folder = root
        .join(&built.manifest.name)
        .join(&built.manifest.version);
    let mut plan = Vec::new();
    for src in built.files() {
        let name = src
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes =
            std::fs::read(src).with_context(|| format!("{}: cannot read", src.display()))?;
        let dest = folder.join(&name);
        let same = match std::fs::read(&dest) {
            Ok(existing) if existing == bytes => true,
            Ok(_) if !replace => {
                return Err(anyhow!(
                    "{}: already holds a different {name} for this version; a published version is never overwritten (pass --replace to overwrite it)",
                    folder.display()
                ));
            }
            _ => false,
        };
        plan.push((name, dest, bytes, same));
    }
    std::fs::create_dir_all(&folder)
        .with_context(|| format!("{}: cannot create the folder", folder.display()))?;
    let mut outcome = DirOutcome {
        folder: folder.clone(),
        written: Vec::new(),
        kept: Vec::new(),
    };
    for (name, dest, bytes, same) in plan {
        if same {
            outcome.kept.push(name);
            continue;
        }
        modelci_report::write_atomic(&dest, &bytes)
            .with_context(|| format!("{}: cannot write", dest.display()))?;
        outcome.written.push(name);
    }
    Ok(outcome)
}
