//! `quantize`: make an ONNX model smaller and show what it costs.
//!
//! The binary's `main.rs` parses [`Args`] and calls [`run`]. The run:
//! 1. checks the flags and the output folder before any work;
//! 2. reads and normalises the model, calibrates activation ranges for `--mode static`
//!    ([`calibrate`], on `--calibration-data` raw inputs ([`inputs`]) or the `--dataset`) and
//!    rewrites it ([`modelci_quantize`]);
//! 3. writes the output atomically (never larger than the input unless `--force`);
//! 4. verifies it: it must load and run in tract with outputs close to the original on a probe
//!    input ([`verify`]); with `--dataset`, both models go through the evaluation core;
//! 5. judges the gates (`--max-accuracy-drop`, `--min-size-reduction`), writes `report.md`,
//!    `report.json` and the charts ([`report`]), prints a summary;
//! 6. delivers the report in CI ([`modelci_post`]) and exits 0, or 1 when a gate failed.

mod args;
pub mod calibrate;
mod deliver;
pub mod inputs;
pub mod report;
mod run;
pub mod verify;

pub use args::Args;
pub use run::run;
