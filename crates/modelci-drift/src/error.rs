//! Errors of the drift statistics.

/// Why a reference could not be built or a test could not be computed.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DriftError {
    /// The reference holds no finite value, so there is nothing to compare against.
    #[error("the reference has no finite value")]
    EmptyReference,
    /// The current data holds no finite value for the feature.
    #[error("the current data has no finite value")]
    EmptyCurrent,
    /// A stored reference is inconsistent (points not increasing, counts not cumulative).
    #[error("the stored reference is inconsistent: {0}")]
    Inconsistent(&'static str),
}
