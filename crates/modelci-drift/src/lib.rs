//! Drift statistics for monitoring a deployed model.
//!
//! A *reference* is a compact summary of the data a model was evaluated on, computed once and
//! carried in the release bundle ([`ContinuousReference`], [`CategoricalReference`]). *Current*
//! data (what production sent) is streamed into counters shaped by that reference
//! ([`ContinuousCounts`], [`CategoricalCounts`]), so memory does not grow with the number of rows.
//! The tests then compare the two:
//!
//! - [`psi`]: the population stability index over the reference's deciles;
//! - [`ks`]: the two-sample Kolmogorov–Smirnov statistic and its asymptotic p-value;
//! - [`chi2`]: the chi-squared goodness-of-fit test of categorical counts.
//!
//! The statistics are exact (equal to scipy's on the same data) while the reference keeps every
//! distinct value ([`MAX_POINTS`] of them); past that, the reference keeps quantile points and the
//! statistics are evaluated there, within one point's mass of the exact value.

pub mod categorical;
pub mod chi2;
pub mod continuous;
pub mod error;
pub mod kolmogorov;
pub mod ks;
pub mod monitor;
pub mod number;
pub mod predictions;
pub mod psi;
pub mod reference;

pub use categorical::{CategoricalCounts, CategoricalReference, category_key};
pub use continuous::{ContinuousCounts, ContinuousReference, MAX_POINTS};
pub use error::DriftError;
pub use predictions::{Performance, PredictionReference};
pub use reference::{Feature, FeatureSummary, Reference, ReferenceError};
