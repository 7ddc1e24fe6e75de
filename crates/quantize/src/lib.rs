//! `quantize`: make an ONNX model smaller and show what it costs.
//!
//! The binary's `main.rs` parses [`Args`] and calls [`run`]. The run:
//! 1. checks the flags and the output folder before any work;
//! 2. reads and normalises the model, checks the data fits it, calibrates activation ranges
//!    for `--mode static` ([`calibrate`], on `--calibration-data` raw inputs or the
//!    `--dataset`, fed through [`feed`]) and rewrites it ([`modelci_quantize`]; an old opset
//!    is raised when no operator changed meaning);
//! 3. writes the output atomically (never larger than the input unless `--force`; with
//!    nothing to quantize, the normalised model);
//! 4. verifies it ([`verify`]): both models run in tract on the same real (or generated)
//!    inputs and every output is compared, NaN/inf counted as failures; "not verified" when
//!    they could not run; with `--dataset`, both models go through the evaluation core;
//! 5. judges the gates (`--max-accuracy-drop`, `--min-size-reduction`), writes `report.md`,
//!    `report.json` and the charts ([`report`]), prints a one-line summary;
//! 6. delivers the report in CI ([`modelci_post`]) and exits 0, or 1 when a gate failed.

mod args;
pub mod calibrate;
mod deliver;
pub mod feed;
pub mod report;
mod run;
pub mod verify;

pub use args::{Args, CalibrationMethod, ModeArg, batch_size_given};
pub use run::run;
