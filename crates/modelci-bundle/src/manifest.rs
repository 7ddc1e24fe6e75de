//! `manifest.json`: what a bundle holds, where it came from and how good it is, for machines.
//!
//! Written inside the zip and beside it. Later steps (baselines from releases, trends over
//! releases, issue 8) read `files` to verify a download, `source` to find the bundle built from
//! a target branch, `created` to order releases and `metrics` to draw the trend. Fields are only
//! ever added within a schema version.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Identifies the layout of `manifest.json`.
pub const SCHEMA: &str = "https://modelci.dev/schemas/bundle/v1";
/// The manifest's name inside the zip (and beside it).
pub const MANIFEST: &str = "manifest.json";
/// The model card's name inside the zip.
pub const CARD: &str = "README.md";

/// The whole `manifest.json` document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`SCHEMA`].
    #[serde(rename = "$schema")]
    pub schema: String,
    /// Bundle name.
    pub name: String,
    /// Semantic version.
    pub version: String,
    /// When the bundle was made (RFC 3339, UTC), from `SOURCE_DATE_EPOCH` or the commit time;
    /// `None` when neither was known (never the wall clock, so builds stay reproducible).
    pub created: Option<String>,
    /// Where the models came from.
    pub source: Source,
    /// Every file in the zip except this manifest, sorted by path.
    pub files: Vec<FileEntry>,
    /// The declared interface of each model file.
    pub models: Vec<ModelEntry>,
    /// The candidate's metrics from the given report (`name → value`), empty without one.
    pub metrics: BTreeMap<String, f64>,
    /// The report the metrics came from.
    pub report: Option<ReportInfo>,
    /// The tool that wrote the bundle.
    pub tool: Tool,
}

/// Where a bundle's models came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// The commit the models were built from (40 hex digits).
    pub commit: Option<String>,
    /// The branch the commit is on (a PR's target branch, or the branch pushed).
    pub branch: Option<String>,
    /// The tag being released, if any.
    pub tag: Option<String>,
    /// The repository (`owner/repo` or GitLab project path).
    pub repository: Option<String>,
}

/// One file of the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Its path inside the zip.
    pub path: String,
    /// SHA-256, lower-case hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// `model`, `card` or `serving` (a serving layout file).
    pub kind: String,
}

/// One model's declared interface.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelEntry {
    /// Its path inside the zip.
    pub path: String,
    /// Graph inputs (initializers excluded).
    pub inputs: Vec<TensorEntry>,
    /// Graph outputs.
    pub outputs: Vec<TensorEntry>,
    /// Default-domain ONNX opset.
    pub opset: i64,
    /// Number of parameters.
    pub parameters: u64,
    /// The exporter (`producer_name producer_version`).
    pub producer: String,
}

/// A named tensor of a model's interface.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TensorEntry {
    /// Name in the graph.
    pub name: String,
    /// Element type (`float32`, `int64`, …).
    #[serde(rename = "type")]
    pub elem_type: String,
    /// Dimensions: numbers, names of dynamic dimensions, `null` for unnamed dynamic ones;
    /// `None` when the model declares no shape.
    pub shape: Option<Vec<serde_json::Value>>,
}

/// The report the metrics came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportInfo {
    /// The report's own `$schema`, if it has one.
    pub schema: Option<String>,
    /// The tool that wrote it (`eval-diff`, `quantize`, …).
    pub tool: Option<String>,
    /// That tool's version.
    pub tool_version: Option<String>,
    /// Whether its gates passed.
    pub passed: Option<bool>,
    /// `classification` or `regression`.
    pub task: Option<String>,
    /// The dataset it was measured on.
    pub dataset: Option<DatasetInfo>,
    /// SHA-256 of the report file itself.
    pub sha256: String,
}

/// The dataset a report measured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatasetInfo {
    /// Its path as the report gives it.
    pub path: String,
    /// Its format (`image-folder`, `npz`, `csv`).
    pub kind: Option<String>,
    /// Samples evaluated.
    pub samples: Option<u64>,
}

/// The tool that wrote a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: String,
}

impl Manifest {
    /// The zip's file name: `NAME-VERSION.zip`.
    #[must_use]
    pub fn zip_name(&self) -> String {
        zip_name(&self.name, &self.version)
    }
}

/// The zip's file name for `name` and `version`: `NAME-VERSION.zip`.
#[must_use]
pub fn zip_name(name: &str, version: &str) -> String {
    format!("{name}-{version}.zip")
}

/// Formats seconds since the Unix epoch as RFC 3339 UTC (`2026-11-27T10:00:00Z`).
#[must_use]
pub fn rfc3339(epoch: u64) -> String {
    let days = i64::try_from(epoch / 86_400).unwrap_or(0);
    let secs = epoch % 86_400;
    // Howard Hinnant's days-from-civil inverse.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_epochs() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_774_245), "2026-11-27T10:10:45Z");
    }
}
