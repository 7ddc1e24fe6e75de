//! Deterministic, checksummed model bundles: what `publish` ships and what later steps
//! (baselines from releases, issue 8) read back.
//!
//! # Tour
//!
//! - [`build`]: model file(s) + an optional `report.json` → `NAME-VERSION.zip` holding the
//!   models, `manifest.json` and a Hugging Face style `README.md` model card, plus
//!   `SHA256SUMS` and a copy of `manifest.json` beside the zip. The same inputs give
//!   byte-identical output: entries are sorted, timestamps are fixed (1980-01-01, the zip
//!   epoch), permissions are `0644`, compression is fixed, and the only time in the manifest
//!   is the one given (`SOURCE_DATE_EPOCH` or the commit time, chosen by the caller).
//! - [`manifest`]: the `manifest.json` schema ([`manifest::SCHEMA`]): name, semver version,
//!   source commit and branch, sha256 and size of every file, each model's input/output
//!   signature, the metrics of the report, the tool that wrote it.
//! - [`signature`]: each model's inputs, outputs, opset and parameter count, read from the
//!   ONNX protobuf ([`modelci_onnx`]; no tract, `publish` never runs a model).
//! - [`drift`]: the optional drift reference (`drift-reference.json`, kind
//!   `drift-reference`) that `drift-check` monitors production data against.
//! - [`card`]: the model card, YAML front matter with `model-index` results.
//! - [`verify()`]: refuses zip-slip entries (absolute paths, `..`, backslashes), files
//!   missing from or extra to the manifest, and checksums or sizes that do not match.
//! - [`sums`]: the `SHA256SUMS` format of `sha256sum`.
//! - [`version`]: names and semver versions accepted for a bundle.

mod archive;
pub mod build;
pub mod card;
pub mod digest;
pub mod drift;
mod error;
pub mod manifest;
pub mod signature;
pub mod sums;
pub mod verify;
pub mod version;

pub use build::{Built, BundleInput, ExtraFile, ExtraSource, Source, build, build_with};
pub use drift::{DRIFT_REFERENCE, DRIFT_REFERENCE_KIND, drift_reference};
pub use error::BundleError;
pub use manifest::Manifest;
pub use verify::{Problem, Verified, verify};
