//! `train-check`: is this training run fit to ship? A quality gate on one model, its training
//! logs and its budgets, with a report a reviewer can read.
//!
//! The binary's `main.rs` parses [`Args`] and calls [`run`]. The run:
//! 1. parses every flag, budget and threshold (bad input fails here, before any work);
//! 2. reads the training logs ([`modelci_history`]) and the expected signature;
//! 3. loads the model and checks it: signature, smoke inference on zero, random and real
//!    inputs, size, parameters, latency ([`checks::model`]);
//! 4. checks the logs: no NaN/inf, final thresholds, loss trend, divergence ([`checks::logs`]);
//! 5. writes `report.md`, `report.json` and the training curves ([`report`]);
//! 6. prints one line per check and returns the verdict and report paths ([`RunOutcome`]), so
//!    that CI posting can be wired on top without touching the checks.
//!
//! Every check becomes one [`Check`] row with what was measured and the limit it was held to.

mod args;
pub mod checks;
mod deliver;
pub mod report;
mod run;

pub use args::Args;
pub use checks::{Check, Group, Status};
pub use deliver::run_and_deliver;
pub use run::{RunOutcome, run};
