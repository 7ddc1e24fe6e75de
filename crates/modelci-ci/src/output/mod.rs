//! CI-native outputs: the files and stdout lines each CI system turns into its own UI.
//!
//! Each writer is one small module that takes plain data ([`GateOutcome`], [`Metric`], strings)
//! and either returns the text or writes it to a path it is given. None of them reads the
//! environment: the caller takes paths like `GITHUB_STEP_SUMMARY` from [`crate::Env`], which keeps
//! every writer testable with a temporary directory.

pub mod annotations;
pub mod atomic;
pub mod dotenv;
pub mod junit;
pub mod openmetrics;
pub mod step_output;
pub mod step_summary;
pub mod workflow_command;

use std::io;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The result of one quality gate, as the outputs need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateOutcome {
    /// Gate name, e.g. `accuracy >= 0.9`.
    pub name: String,
    /// Whether the gate passed.
    pub passed: bool,
    /// What was measured, formatted for people, e.g. `0.912 (baseline 0.920)`.
    pub measured: String,
    /// Why it failed or passed, one or more lines.
    pub message: String,
}

/// One named number for metric reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    /// Metric name; writers sanitise it for their format.
    pub name: String,
    /// Its value.
    pub value: f64,
}

/// Why an output could not be produced or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    /// Writing the file failed.
    #[error("could not write `{}`", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// A key (output name, variable name) is not allowed by the format.
    #[error("invalid key `{key}`: {reason}")]
    InvalidKey {
        /// The key, with control characters escaped.
        key: String,
        /// What the format requires.
        reason: &'static str,
    },
    /// A value contains a line break, and the format has no way to carry one.
    #[error("the value of `{key}` contains a line break, which dotenv reports cannot hold")]
    MultilineValue {
        /// The key whose value is multi-line.
        key: String,
    },
}
