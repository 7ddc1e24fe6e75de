//! The error type of this crate; every message names the file and the problem.

use std::path::PathBuf;

/// Why a bundle could not be built or read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    /// The version is not semver (`MAJOR.MINOR.PATCH[-PRE][+BUILD]`).
    #[error(
        "version `{version}` is not a semantic version (MAJOR.MINOR.PATCH, e.g. 1.2.0): {reason}"
    )]
    Version {
        /// What was given.
        version: String,
        /// What the parser said.
        reason: String,
    },
    /// The name cannot be used in file names and package registries.
    #[error(
        "name `{name}` may only use letters, digits, `.`, `-` and `_`, and must start with a letter or digit"
    )]
    Name {
        /// What was given.
        name: String,
    },
    /// A file could not be read or written.
    #[error("{}: {action}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What was attempted.
        action: &'static str,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// An input file is not what it should be (model, report).
    #[error("{}: {message}", .path.display())]
    Input {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Two inputs would take the same place in the bundle.
    #[error("two files would be stored as `{name}` in the bundle; rename one")]
    Duplicate {
        /// The clashing entry name.
        name: String,
    },
    /// The bundle is not a readable zip with a manifest.
    #[error("{}: not a modelci bundle: {message}", .path.display())]
    NotABundle {
        /// The bundle.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The zip could not be written.
    #[error("{}: cannot write the zip: {message}", .path.display())]
    Zip {
        /// The bundle.
        path: PathBuf,
        /// What the zip writer said.
        message: String,
    },
}

impl BundleError {
    /// Shorthand for an I/O error on `path`.
    pub(crate) fn io(path: &std::path::Path, action: &'static str, source: std::io::Error) -> Self {
        Self::Io {
            path: path.to_owned(),
            action,
            source,
        }
    }
}
