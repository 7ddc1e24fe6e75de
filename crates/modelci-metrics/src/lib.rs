//! Metrics for one model and statistics for a pair of models, computed incrementally.
//!
//! Everything here is pure arithmetic on labels, scores and timings: no I/O, no model
//! runtime. Accumulators take one sample at a time, so a dataset of any size is evaluated in
//! constant memory (except [`pair::PairAccumulator`], which keeps one byte per sample for the
//! bootstrap).
//!
//! The definitions follow scikit-learn's (`precision_recall_fscore_support` with
//! `zero_division=0`, `f1_score(average="macro"|"weighted")`, `top_k_accuracy_score`,
//! `r2_score`), so that numbers agree with what data scientists compute in notebooks; the
//! example's reference JSON, written by scikit-learn, is checked in the tests.

pub mod classification;
pub mod latency;
pub mod pair;
pub mod regression;
pub mod significance;
pub mod stats;

pub use classification::{ClassMetrics, ClassificationAccumulator, ClassificationMetrics};
pub use latency::LatencySummary;
pub use pair::{PairAccumulator, PairMetrics};
pub use regression::{RegressionAccumulator, RegressionMetrics};
