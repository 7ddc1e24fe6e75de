//! The drift reference a bundle carries: `--drift-reference FILE`, else the file the `--report`
//! names (`reference_stats.file` of an eval-diff report.json, relative to the report's folder
//! unless absolute, checked against its `reference_stats.sha256`).

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use modelci_bundle::ExtraFile;

/// The bundle entry of the drift reference, if there is one.
///
/// # Errors
/// One line naming the file: an unreadable report, a named reference that is missing or
/// changed since the report was written, a file that is not a drift reference.
pub(crate) fn entry(
    explicit: Option<&Path>,
    report: Option<&Path>,
) -> anyhow::Result<Option<ExtraFile>> {
    let path = match (explicit, report) {
        (Some(path), _) => path.to_owned(),
        (None, Some(report)) => match named_by(report)? {
            Some(path) => path,
            None => return Ok(None),
        },
        (None, None) => return Ok(None),
    };
    Ok(Some(modelci_bundle::drift_reference(&path)?))
}

/// The reference file a report names, checked against the checksum it records.
fn named_by(report: &Path) -> anyhow::Result<Option<PathBuf>> {
    let bytes =
        std::fs::read(report).with_context(|| format!("{}: cannot read", report.display()))?;
    let json: serde_json::Value = serde_json::from_slice(&bytes)
        .with_context(|| format!("{}: not a JSON report", report.display()))?;
    let Some(stats) = json.get("reference_stats") else {
        return Ok(None);
    };
    let Some(file) = stats.get("file").and_then(serde_json::Value::as_str) else {
        bail!("{}: `reference_stats` has no `file`", report.display());
    };
    let path = report
        .parent()
        .map_or_else(|| PathBuf::from(file), |dir| dir.join(file));
    if !path.is_file() {
        bail!(
            "{}: the drift reference this report names is missing (give it with --drift-reference FILE)",
            path.display()
        );
    }
    if let Some(expected) = stats.get("sha256").and_then(serde_json::Value::as_str) {
        let (actual, _) = modelci_bundle::digest::sha256_file(&path)?;
        if actual != expected {
            bail!(
                "{}: changed since {} was written (sha256 {actual}, the report says {expected})",
                path.display(),
                report.display()
            );
        }
    }
    Ok(Some(path))
}
