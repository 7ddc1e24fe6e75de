//! Why a report could not be delivered.

/// What can go wrong while delivering a report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PostError {
    /// The CI environment could not be read (e.g. a broken event payload).
    #[error("reading the CI environment: {0}")]
    Detect(#[from] modelci_ci::DetectError),
    /// A CI output file could not be written.
    #[error("writing CI outputs: {0}")]
    Output(#[from] modelci_ci::OutputError),
    /// The code host failed or refused.
    #[error("posting the comment: {0}")]
    Forge(#[from] modelci_forge::ForgeError),
    /// Posting was required (`--post`) but is impossible here.
    #[error("cannot post a comment: {0}")]
    CannotPost(String),
}

impl PostError {
    /// Whether the error comes from the code host (exit code 3) rather than from local input.
    #[must_use]
    pub fn is_forge(&self) -> bool {
        matches!(self, Self::Forge(_) | Self::CannotPost(_))
    }
}
