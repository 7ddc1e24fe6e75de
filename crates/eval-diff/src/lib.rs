//! `eval-diff`: does the candidate model beat the one it replaces?
//!
//! The binary's `main.rs` parses [`Args`] and calls [`run`]. The run:
//! 1. checks the output folder is writable (before minutes of evaluation, not after);
//! 2. finds and verifies the baseline ([`modelci_baseline`]: a path, a release bundle, a
//!    package, an OCI artifact, a git ref, or `auto` in a pull request), then loads both models
//!    and the dataset ([`modelci_eval`]);
//! 3. streams the dataset once through both models;
//! 4. derives the comparison rows and judges the gates ([`comparison`], [`modelci_gate`]);
//!    NaN or infinity in a model's outputs fails a built-in gate ([`finite`]);
//! 5. reads the trend over the last releases when asked (`--history`, [`history`], [`trend`]);
//!    a failure there is a warning, not a failed run;
//! 6. renders the charts, `report.md` and `report.json` ([`charts`], [`markdown`], [`json`]),
//!    each file written atomically;
//! 7. prints a short summary on standard output;
//! 8. delivers the report in CI ([`modelci_post`]): PR/MR comment, job summary, CI reports;
//!    and exits 0, or 1 when a gate failed (3 when the code host failed and `--strict`).
//!
//! With `--reference-stats`, the run also writes a drift reference of the dataset's features
//! and the candidate's predictions (`reference_stats`), which report.json names and `publish`
//! bundles.
//!
//! Every figure comes from the samples' outcomes through one reduction ([`outcome`]), and one
//! function turns the result into the delivered report (`report`). Sharded evaluation
//! ([`shard`]) splits the run at that seam: `--shard K/N` evaluates 1/N of the samples and writes
//! their outcomes to a shard file instead of step 4 onwards; `eval-diff merge` checks that the
//! shard files belong together, reduces their outcomes in dataset order and carries on from
//! step 4, so its report is the single run's.

mod args;
mod baseline;
pub mod charts;
pub mod comparison;
mod deliver;
pub(crate) mod execution;
pub mod finite;
mod first;
pub mod history;
pub mod json;
pub mod markdown;
pub mod outcome;
pub mod provenance;
pub mod reference_stats;
mod report;
mod run;
pub mod shard;
pub mod texts;
pub mod trend;

pub use args::{Args, Command, GateArgs, MergeArgs};
pub use run::run;
