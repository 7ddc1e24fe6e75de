//! The drift reference a bundle may carry: what `drift-check --reference BUNDLE` monitors
//! production data against.
//!
//! The contract: the file is stored at [`DRIFT_REFERENCE`] (`drift-reference.json`, at the
//! bundle root), listed in `manifest.json` with kind [`DRIFT_REFERENCE_KIND`]
//! (`drift-reference`) and its sha256, and holds a valid [`modelci_drift::Reference`]
//! (`eval-diff --reference-stats` writes one).

use std::path::Path;

use crate::{BundleError, ExtraFile, ExtraSource};

/// Path of the drift reference inside a bundle.
pub const DRIFT_REFERENCE: &str = "drift-reference.json";

/// The manifest's `kind` of the drift reference.
pub const DRIFT_REFERENCE_KIND: &str = "drift-reference";

/// Reads and validates a drift reference file, as the bundle entry that carries it.
///
/// # Errors
/// [`BundleError::Io`] when it cannot be read; [`BundleError::Input`] naming the file when it
/// is not a usable drift reference.
pub fn drift_reference(path: &Path) -> Result<ExtraFile, BundleError> {
    let bytes = std::fs::read(path)
        .map_err(|e| BundleError::io(path, "cannot read the drift reference", e))?;
    let bad = |message: String| BundleError::Input {
        path: path.to_owned(),
        message,
    };
    let reference: modelci_drift::Reference = serde_json::from_slice(&bytes).map_err(|e| {
        bad(format!(
            "not a drift reference (eval-diff --reference-stats writes one): {e}"
        ))
    })?;
    reference
        .validate()
        .map_err(|e| bad(format!("unusable drift reference: {e}")))?;
    Ok(ExtraFile {
        path: DRIFT_REFERENCE.to_owned(),
        source: ExtraSource::Bytes(bytes),
        kind: DRIFT_REFERENCE_KIND.to_owned(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_is_an_entry_and_other_json_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("ref.json");
        let reference = modelci_drift::Reference::new(
            "data.csv",
            2,
            vec![modelci_drift::Feature {
                name: "age".into(),
                summary: modelci_drift::FeatureSummary::Continuous(
                    modelci_drift::ContinuousReference::from_values([1.0, 2.0]).unwrap(),
                ),
            }],
        );
        std::fs::write(&good, serde_json::to_vec(&reference).unwrap()).unwrap();
        let entry = drift_reference(&good).unwrap();
        assert_eq!(
            (entry.path.as_str(), entry.kind.as_str()),
            (DRIFT_REFERENCE, DRIFT_REFERENCE_KIND)
        );
        let bad = dir.path().join("report.json");
        std::fs::write(
            &bad,
            br#"{"$schema": "https://modelci.dev/schemas/eval-diff/v1"}"#,
        )
        .unwrap();
        let error = drift_reference(&bad).unwrap_err().to_string();
        assert!(error.starts_with(&bad.display().to_string()), "{error}");
        assert!(error.contains("not a drift reference"), "{error}");
    }
}
