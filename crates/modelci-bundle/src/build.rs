//! Building a bundle: read and describe the models, take the metrics from the report, write the
//! zip, `SHA256SUMS` and `manifest.json` into the output folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::archive::{self, Content};
use crate::digest::{sha256_file, sha256_hex};
pub use crate::manifest::Source;
use crate::manifest::{self, CARD, DatasetInfo, FileEntry, MANIFEST, Manifest, ReportInfo, Tool};
use crate::{BundleError, card, sums, version};

/// Everything a bundle is made from.
#[derive(Debug, Clone)]
pub struct BundleInput {
    /// Bundle name ([`version::check_name`]).
    pub name: String,
    /// Semantic version ([`version::parse_version`]).
    pub version: String,
    /// ONNX model files; stored under their file names.
    pub models: Vec<PathBuf>,
    /// An `eval-diff`/`quantize` `report.json` to take metrics from.
    pub report: Option<PathBuf>,
    /// Where the models came from.
    pub source: Source,
    /// Creation time, seconds since the Unix epoch (`SOURCE_DATE_EPOCH` or the commit time).
    pub created: Option<u64>,
    /// The tool writing the bundle (name, version).
    pub tool: (String, String),
}

/// A bundle on disk.
#[derive(Debug, Clone)]
pub struct Built {
    /// `DIR/NAME-VERSION.zip`.
    pub zip: PathBuf,
    /// `DIR/SHA256SUMS`.
    pub sums: PathBuf,
    /// `DIR/manifest.json` (the same bytes as inside the zip).
    pub manifest_path: PathBuf,
    /// SHA-256 of the zip.
    pub sha256: String,
    /// Size of the zip in bytes.
    pub size: u64,
    /// The manifest.
    pub manifest: Manifest,
}

impl Built {
    /// The three files a release carries, in upload order: zip, `SHA256SUMS`, `manifest.json`.
    #[must_use]
    pub fn files(&self) -> [&Path; 3] {
        [&self.zip, &self.sums, &self.manifest_path]
    }
}

/// Where the bytes of an [`ExtraFile`] come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtraSource {
    /// Bytes in memory.
    Bytes(Vec<u8>),
    /// A file, streamed.
    File(PathBuf),
}

/// A file added to the bundle besides the models, the card and the manifest (e.g. a serving
/// layout under `serving/`), listed in the manifest with its checksum and `kind`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraFile {
    /// Path inside the zip, `/`-separated and relative.
    pub path: String,
    /// Its content.
    pub source: ExtraSource,
    /// The manifest's `kind` for it, e.g. `serving`.
    pub kind: String,
}

/// Builds the bundle described by `input` into `dir` (created if needed).
///
/// # Errors
/// [`BundleError`] naming the file and the problem: a bad name or version, a model that does
/// not load, a report that is not JSON, two models with the same file name, an unwritable
/// folder.
pub fn build(input: &BundleInput, dir: &Path) -> Result<Built, BundleError> {
    build_with(input, &[], dir)
}

/// [`build`], with `extra` files added to the zip and listed in the manifest.
///
/// # Errors
/// As [`build`]; also a duplicate or unsafe extra path.
pub fn build_with(
    input: &BundleInput,
    extra: &[ExtraFile],
    dir: &Path,
) -> Result<Built, BundleError> {
    version::check_name(&input.name)?;
    version::parse_version(&input.version)?;
    if input.models.is_empty() {
        return Err(BundleError::Input {
            path: PathBuf::from("--model"),
            message: "at least one model file is needed".into(),
        });
    }
    let mut files = Vec::new();
    let mut models = Vec::new();
    let mut entries: Vec<(String, Content)> = Vec::new();
    for path in &input.models {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| BundleError::Input {
                path: path.clone(),
                message: "not a file".into(),
            })?;
        if name == MANIFEST
            || name == CARD
            || entries.iter().any(|(n, _)| n.eq_ignore_ascii_case(&name))
        {
            return Err(BundleError::Duplicate { name });
        }
        let (sha256, size) = sha256_file(path)?;
        models.push(crate::signature::describe(path, &name)?);
        files.push(FileEntry {
            path: name.clone(),
            sha256,
            size,
            kind: "model".into(),
        });
        entries.push((name, Content::File(path.clone())));
    }
    for file in extra {
        let unsafe_path = file.path.is_empty()
            || file.path.starts_with('/')
            || file.path.contains('\\')
            || file
                .path
                .split('/')
                .any(|p| p.is_empty() || p == "." || p == "..");
        if unsafe_path {
            return Err(BundleError::Input {
                path: PathBuf::from(&file.path),
                message: "not a relative path inside the bundle".into(),
            });
        }
        if file.path == MANIFEST
            || file.path == CARD
            || entries
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case(&file.path))
        {
            return Err(BundleError::Duplicate {
                name: file.path.clone(),
            });
        }
        let (sha256, size, content) = match &file.source {
            ExtraSource::Bytes(b) => (sha256_hex(b), b.len() as u64, Content::Bytes(b.clone())),
            ExtraSource::File(p) => {
                let (sha256, size) = sha256_file(p)?;
                (sha256, size, Content::File(p.clone()))
            }
        };
        files.push(FileEntry {
            path: file.path.clone(),
            sha256,
            size,
            kind: file.kind.clone(),
        });
        entries.push((file.path.clone(), content));
    }
    let (metrics, report) = match &input.report {
        Some(path) => read_report(path)?,
        None => (BTreeMap::new(), None),
    };
    let mut manifest = Manifest {
        schema: manifest::SCHEMA.into(),
        name: input.name.clone(),
        version: input.version.clone(),
        created: input.created.map(manifest::rfc3339),
        source: input.source.clone(),
        files: Vec::new(),
        models,
        metrics,
        report,
        tool: Tool {
            name: input.tool.0.clone(),
            version: input.tool.1.clone(),
        },
    };
    // The card describes the models; the manifest then lists the card too.
    manifest.files = files.clone();
    let card_text = card::render(&manifest);
    files.push(FileEntry {
        path: CARD.into(),
        sha256: sha256_hex(card_text.as_bytes()),
        size: card_text.len() as u64,
        kind: "card".into(),
    });
    files.sort_by(|a, b| a.path.cmp(&b.path));
    manifest.files = files;
    let mut manifest_text =
        serde_json::to_string_pretty(&manifest).map_err(|e| BundleError::Input {
            path: PathBuf::from(MANIFEST),
            message: format!("cannot encode: {e}"),
        })?;
    manifest_text.push('\n');
    entries.push((CARD.into(), Content::Bytes(card_text.into_bytes())));
    entries.push((
        MANIFEST.into(),
        Content::Bytes(manifest_text.clone().into_bytes()),
    ));

    std::fs::create_dir_all(dir)
        .map_err(|e| BundleError::io(dir, "cannot create the output folder", e))?;
    let zip = dir.join(manifest.zip_name());
    archive::write(&zip, entries)?;
    let (sha256, size) = sha256_file(&zip)?;
    let manifest_path = dir.join(MANIFEST);
    write_file(&manifest_path, manifest_text.as_bytes())?;
    let sums_path = dir.join(sums::FILE_NAME);
    let sums_text = sums::render(&[
        (manifest.zip_name(), sha256.clone()),
        (MANIFEST.to_owned(), sha256_hex(manifest_text.as_bytes())),
    ]);
    write_file(&sums_path, sums_text.as_bytes())?;
    Ok(Built {
        zip,
        sums: sums_path,
        manifest_path,
        sha256,
        size,
        manifest,
    })
}

/// Writes a file atomically.
fn write_file(path: &Path, bytes: &[u8]) -> Result<(), BundleError> {
    modelci_report::write_atomic(path, bytes).map_err(|e| BundleError::Input {
        path: path.to_owned(),
        message: e.to_string(),
    })
}

/// Reads the candidate's metrics from an `eval-diff` report (`candidate.metrics`) or any report
/// with a top-level `metrics` object of numbers (`quantize`).
fn read_report(path: &Path) -> Result<(BTreeMap<String, f64>, Option<ReportInfo>), BundleError> {
    let bytes =
        std::fs::read(path).map_err(|e| BundleError::io(path, "cannot read the report", e))?;
    let bad = |message: String| BundleError::Input {
        path: path.to_owned(),
        message,
    };
    let v: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| bad(format!("not a JSON report: {e}")))?;
    // A modelci report: the envelope is typed; older or foreign reports are read by key.
    let envelope = modelci_report::Envelope::from_slice(&bytes, path).ok();
    let metrics_obj = v
        .pointer("/candidate/metrics")
        .or_else(|| v.get("metrics"))
        .and_then(serde_json::Value::as_object)
        .ok_or_else(|| {
            bad("no metrics found (expected `candidate.metrics` of an eval-diff report, or `metrics`)".into())
        })?;
    let metrics: BTreeMap<String, f64> = match &envelope {
        Some(e) => e.metrics.clone(),
        None => metrics_obj
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.as_f64().filter(|x| x.is_finite())?)))
            .collect(),
    };
    let text = |p: &str| {
        v.pointer(p)
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    };
    let dataset = text("/dataset/path").map(|p| DatasetInfo {
        path: p,
        kind: text("/dataset/kind"),
        samples: v
            .pointer("/dataset/samples")
            .and_then(serde_json::Value::as_u64),
    });
    let info = ReportInfo {
        schema: envelope
            .as_ref()
            .map(|e| e.schema.clone())
            .or_else(|| text("/$schema")),
        tool: envelope
            .as_ref()
            .map(|e| e.tool.name.to_string())
            .or_else(|| text("/tool/name")),
        tool_version: envelope
            .as_ref()
            .map(|e| e.tool.version.clone())
            .or_else(|| text("/tool/version")),
        passed: envelope.as_ref().map(|e| e.verdict.passed).or_else(|| {
            v.pointer("/verdict/passed")
                .and_then(serde_json::Value::as_bool)
        }),
        task: text("/task"),
        dataset,
        sha256: sha256_hex(&bytes),
    };
    Ok((metrics, Some(info)))
}
