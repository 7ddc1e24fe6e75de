//! `drift-check`: monitoring a deployed model's inputs on a schedule.
//!
//! The binary's `main.rs` parses [`Args`] and calls [`run`]. The run:
//! 1. loads the reference ([`reference`]): a drift reference file, or a CSV dataset summarised on
//!    the spot (and written with `--write-reference` for later runs);
//! 2. streams the current data ([`current`]): a CSV of rows, or JSON Lines of Open Inference
//!    Protocol (KServe V2) request bodies as payload loggers capture them; memory does not grow
//!    with the number of rows;
//! 3. compares every feature ([`modelci_drift::monitor`]): PSI over the reference's deciles or
//!    categories, the Kolmogorov–Smirnov or chi-squared test;
//! 4. applies the gates ([`gates`]) and writes report.md, report.json and charts ([`report`]),
//!    delivered like every modelci report (job summary, CI outputs, `--post`);
//! 5. with `--issue`, keeps the sticky monitoring issue ([`issue`]);
//! 6. with `--slack-webhook`/`--webhook`, announces drift and recovery ([`notify`]);
//! 7. exits 0 when no feature drifted, 1 when one did, 2 on bad input, 3 when the code host
//!    failed.

mod args;
mod csv_file;
pub mod current;
pub mod gates;
pub mod health;
pub mod issue;
pub mod model;
pub mod notify;
pub mod reference;
pub mod report;
mod run;
pub mod since;

pub use args::Args;
pub use run::run;
