//! What can go wrong while finding a baseline, worded for the user.

/// Why a baseline could not be found, fetched or trusted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BaselineError {
    /// The source is malformed, does not exist, or what it holds is refused (checksum
    /// mismatch, bundle without a model, LFS pointer): exit code 2.
    #[error("--baseline {origin}: {message}")]
    Input {
        /// The `--baseline` text.
        origin: String,
        /// What is wrong.
        message: String,
    },
    /// The code host or registry failed (after retries): exit code 3.
    #[error("--baseline {origin}: {message}")]
    Host {
        /// The `--baseline` text.
        origin: String,
        /// What failed.
        message: String,
    },
}

impl BaselineError {
    /// A bad-input error for `origin`.
    pub(crate) fn input(origin: &str, message: impl Into<String>) -> Self {
        Self::Input {
            origin: origin.to_owned(),
            message: message.into(),
        }
    }

    /// A host failure for `origin`.
    pub(crate) fn host(origin: &str, message: impl Into<String>) -> Self {
        Self::Host {
            origin: origin.to_owned(),
            message: message.into(),
        }
    }

    /// True when the code host or registry failed (exit 3) rather than the input (exit 2).
    #[must_use]
    pub fn is_host_failure(&self) -> bool {
        matches!(self, Self::Host { .. })
    }
}
