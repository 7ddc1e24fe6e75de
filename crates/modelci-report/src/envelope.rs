//! The envelope every modelci `report.json` shares, so that one tool can read another's report.
//!
//! eval-diff, train-check and quantize write a `report.json`; publish (`--report`, into the
//! bundle's manifest), deploy-notify (`--report`, into notifications) and eval-diff
//! (`--post-from`) read them. The fields they exchange are typed here, once: a writer
//! serialises [`Envelope`] flattened into its own document, a reader deserialises
//! [`Envelope`] (unknown fields are ignored, so each tool's own body can grow). Renaming a field
//! here changes every writer and reader together, and the JSON Schemas in `schemas/` (checked
//! against real outputs by the binaries' tests) say what is on disk.
//!
//! | field | meaning |
//! |---|---|
//! | `$schema` | `https://modelci.dev/schemas/<tool>/v1` |
//! | `schema_version` | [`SCHEMA_VERSION`]; fields are only added within a version |
//! | `tool` | `{name, version}` of the writer |
//! | `verdict` | `{passed, summary, gates, failed}` |
//! | `metrics` | the headline numbers of the model the report is about, under the gate metric names (`accuracy`, `size`, …) |
//! | `charts` | the chart files (`name`, `title`, `png`, `svg`) with the numbers behind them |
//! | `provenance` | the commit and CI run that produced the report, when known |

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::chart::Chart;
use crate::error::ReportError;

/// The version of the envelope and of every report schema built on it.
pub const SCHEMA_VERSION: u32 = 1;

/// The tools that write or read reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ToolName {
    /// `eval-diff`.
    EvalDiff,
    /// `train-check`.
    TrainCheck,
    /// `quantize`.
    Quantize,
    /// `publish`.
    Publish,
    /// `deploy-notify`.
    DeployNotify,
    /// `drift-check`.
    DriftCheck,
}

impl ToolName {
    /// The binary's name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EvalDiff => "eval-diff",
            Self::TrainCheck => "train-check",
            Self::Quantize => "quantize",
            Self::Publish => "publish",
            Self::DeployNotify => "deploy-notify",
            Self::DriftCheck => "drift-check",
        }
    }

    /// The `$schema` of this tool's `report.json`.
    #[must_use]
    pub fn schema(self) -> String {
        format!(
            "https://modelci.dev/schemas/{}/v{SCHEMA_VERSION}",
            self.as_str()
        )
    }
}

impl std::fmt::Display for ToolName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The tool that wrote a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    /// Which tool.
    pub name: ToolName,
    /// Its version.
    pub version: String,
}

/// The outcome of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// Whether every gate (check with a limit) held.
    pub passed: bool,
    /// The one-line verdict, as the report's headline says it.
    pub summary: String,
    /// How many gates were judged.
    pub gates: usize,
    /// How many of them failed.
    pub failed: usize,
}

/// A chart of the report: its files (relative to the report folder) and the numbers behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartFile {
    /// File stem and identifier, e.g. `metrics`.
    pub name: String,
    /// The chart's title.
    pub title: String,
    /// The PNG, relative to the report folder.
    pub png: PathBuf,
    /// The SVG, relative to the report folder.
    pub svg: PathBuf,
    /// The numbers behind the picture.
    pub chart: Chart,
}

impl ChartFile {
    /// Renders `chart` as `<name>.png` and `<name>.svg` into the report folder `dir`.
    ///
    /// # Errors
    /// [`ReportError`] naming the chart or file that could not be drawn or written.
    pub fn render(name: impl Into<String>, chart: Chart, dir: &Path) -> Result<Self, ReportError> {
        let name = name.into();
        crate::render::render(&chart, dir, &name)?;
        Ok(Self {
            title: chart.title().to_owned(),
            png: PathBuf::from(format!("{name}.png")),
            svg: PathBuf::from(format!("{name}.svg")),
            name,
            chart,
        })
    }
}

/// Renders every chart of a report into `dir`, in order (see [`ChartFile::render`]).
///
/// # Errors
/// The first chart's [`ReportError`].
pub fn render_files<N: Into<String>>(
    charts: impl IntoIterator<Item = (N, Chart)>,
    dir: &Path,
) -> Result<Vec<ChartFile>, ReportError> {
    charts
        .into_iter()
        .map(|(name, chart)| ChartFile::render(name, chart, dir))
        .collect()
}

/// Where a report comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// The commit the run was for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// The CI run that wrote the report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_url: Option<String>,
}

/// The fields every `report.json` has, in the same form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    /// [`ToolName::schema`] of the writer.
    #[serde(rename = "$schema")]
    pub schema: String,
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The writer.
    pub tool: Tool,
    /// The outcome.
    pub verdict: Verdict,
    /// Headline numbers of the model the report is about (the candidate, the trained or the
    /// quantized model), under the gate metric names.
    pub metrics: BTreeMap<String, f64>,
    /// The charts.
    pub charts: Vec<ChartFile>,
    /// The commit and run behind the report.
    #[serde(default)]
    pub provenance: Provenance,
}

/// Why a report could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EnvelopeError {
    /// The file cannot be read.
    #[error("{}: cannot read the report: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a modelci report.
    #[error("{}: not a modelci report.json ({source})", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// What serde found missing or wrong.
        #[source]
        source: serde_json::Error,
    },
    /// A report of a schema version this build does not know.
    #[error("{}: report schema version {found}, this modelci reads version {SCHEMA_VERSION}", path.display())]
    Version {
        /// The file.
        path: PathBuf,
        /// The version found.
        found: u32,
    },
}

impl Envelope {
    /// A new envelope for `tool` at this crate's version of the schema.
    #[must_use]
    pub fn new(tool: ToolName, version: &str, verdict: Verdict) -> Self {
        Self {
            schema: tool.schema(),
            schema_version: SCHEMA_VERSION,
            tool: Tool {
                name: tool,
                version: version.to_owned(),
            },
            verdict,
            metrics: BTreeMap::new(),
            charts: Vec::new(),
            provenance: Provenance::default(),
        }
    }

    /// Reads the envelope of the report at `path`.
    ///
    /// # Errors
    /// [`EnvelopeError`] when the file cannot be read, lacks an envelope field, or has another
    /// schema version.
    pub fn read(path: &Path) -> Result<Self, EnvelopeError> {
        let bytes = std::fs::read(path).map_err(|source| EnvelopeError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::from_slice(&bytes, path)
    }

    /// Parses the envelope of a report's bytes; `path` names it in errors.
    ///
    /// # Errors
    /// As [`Envelope::read`], without the I/O.
    pub fn from_slice(bytes: &[u8], path: &Path) -> Result<Self, EnvelopeError> {
        let envelope: Self =
            serde_json::from_slice(bytes).map_err(|source| EnvelopeError::Parse {
                path: path.to_owned(),
                source,
            })?;
        if envelope.schema_version != SCHEMA_VERSION {
            return Err(EnvelopeError::Version {
                path: path.to_owned(),
                found: envelope.schema_version,
            });
        }
        Ok(envelope)
    }
}

/// A whole `report.json`: the envelope and the tool's own fields beside it.
#[derive(Debug, Clone, Serialize)]
pub struct Document<B> {
    /// The shared fields.
    #[serde(flatten)]
    pub envelope: Envelope,
    /// The tool's own fields.
    #[serde(flatten)]
    pub body: B,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict() -> Verdict {
        Verdict {
            passed: true,
            summary: "ok".into(),
            gates: 1,
            failed: 0,
        }
    }

    #[test]
    fn a_document_round_trips_through_its_envelope() {
        #[derive(Serialize)]
        struct Body {
            task: &'static str,
        }
        let mut envelope = Envelope::new(ToolName::EvalDiff, "0.1.0", verdict());
        envelope.metrics.insert("accuracy".into(), 0.97);
        let doc = Document {
            envelope: envelope.clone(),
            body: Body {
                task: "classification",
            },
        };
        let text = serde_json::to_string(&doc).expect("serialises");
        assert!(text.contains(r#""$schema":"https://modelci.dev/schemas/eval-diff/v1""#));
        assert!(text.contains(r#""task":"classification""#));
        let back = Envelope::from_slice(text.as_bytes(), Path::new("r.json")).expect("reads");
        assert_eq!(back, envelope);
    }

    #[test]
    fn a_foreign_document_or_version_is_refused_naming_the_file() {
        let err = Envelope::from_slice(br#"{"accuracy": 1}"#, Path::new("m.json"))
            .expect_err("no envelope");
        assert!(
            err.to_string()
                .starts_with("m.json: not a modelci report.json"),
            "{err}"
        );
        let mut envelope = Envelope::new(ToolName::Quantize, "0.1.0", verdict());
        envelope.schema_version = 2;
        let text = serde_json::to_vec(&envelope).expect("serialises");
        let err = Envelope::from_slice(&text, Path::new("q.json")).expect_err("version 2");
        assert!(err.to_string().contains("version 2"), "{err}");
    }
}
