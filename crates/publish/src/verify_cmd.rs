//! `publish verify BUNDLE.zip`: exit 0 when the bundle is good, 1 when something in it is wrong
//! (each problem on its own line), 2 when it is not a readable bundle.

use std::io::Write as _;
use std::path::Path;

use anyhow::Context as _;
use modelci_cli::{ExitStatus, Failure};

/// Verifies `bundle` and reports on standard output (JSON with `json`) and standard error.
pub(crate) fn run(bundle: &Path, json: bool) -> Result<ExitStatus, Failure> {
    let verified = modelci_bundle::verify(bundle).map_err(Failure::bad_input)?;
    let mut out = std::io::stdout().lock();
    if json {
        let v = serde_json::json!({
            "bundle": bundle.display().to_string(),
            "ok": verified.ok(),
            "sha256": verified.sha256,
            "name": verified.manifest.as_ref().map(|m| &m.name),
            "version": verified.manifest.as_ref().map(|m| &m.version),
            "problems": verified.problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
        });
        writeln!(out, "{v:#}")
            .context("writing the result")
            .map_err(Failure::bad_input)?;
    }
    if verified.ok() {
        if !json {
            let (name, version, files) = verified
                .manifest
                .as_ref()
                .map(|m| (m.name.as_str(), m.version.as_str(), m.files.len()))
                .unwrap_or_default();
            let line = format!(
                "ok: {} is {name} {version}; {files} files match manifest.json (sha256 {})",
                bundle.display(),
                verified.sha256
            );
            writeln!(out, "{}", modelci_cli::sanitize(&line))
                .context("writing the result")
                .map_err(Failure::bad_input)?;
        }
        return Ok(ExitStatus::Success);
    }
    let mut err = std::io::stderr().lock();
    for p in &verified.problems {
        // Entry names come from the zip: one escaped line each.
        let line = format!("{}: {p}", bundle.display());
        let _ = writeln!(
            err,
            "publish: verify failed: {}",
            modelci_cli::sanitize(&line)
        );
    }
    Ok(ExitStatus::GateFailed)
}
