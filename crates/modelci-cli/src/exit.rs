//! Exit codes, written down once so that every modelci binary and its documentation agree.
//!
//! A CI job reads only the exit code, so the codes are part of the public contract:
//!
//! | code | constant | meaning |
//! |---|---|---|
//! | 0 | [`SUCCESS`] | every gate passed (or no gate was configured) |
//! | 1 | [`GATE_FAILED`] | the run worked, and at least one gate failed |
//! | 2 | [`BAD_INPUT`] | bad input or usage: a file that cannot be read, a flag that makes no sense |
//! | 3 | [`FORGE_FAILED`] | the code host (GitHub, GitLab) or a registry refused or failed |
//!
//! A closed pipe on standard output (for example `eval-diff ... | head`) is not an error and exits 0.

use std::io::Write;
use std::process::ExitCode;

/// Every gate passed, or no gate was configured.
pub const SUCCESS: u8 = 0;
/// The run worked and at least one gate failed (a regression, an accuracy drop, a budget exceeded).
pub const GATE_FAILED: u8 = 1;
/// Bad input or usage: unreadable files, malformed models or datasets, contradictory flags.
pub const BAD_INPUT: u8 = 2;
/// The code host (GitHub, GitLab) or a registry failed after retries, or refused the request.
pub const FORGE_FAILED: u8 = 3;

/// How a run ended, before it becomes a process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Every gate passed.
    Success,
    /// At least one gate failed.
    GateFailed,
}

impl ExitStatus {
    /// The numeric exit code of this status.
    #[must_use]
    pub fn code(self) -> u8 {
        match self {
            Self::Success => SUCCESS,
            Self::GateFailed => GATE_FAILED,
        }
    }
}

/// An error that ends a run, with the exit code it maps to.
#[derive(Debug)]
pub struct Failure {
    /// One of [`BAD_INPUT`] or [`FORGE_FAILED`].
    pub code: u8,
    /// The error and its chain of causes.
    pub error: anyhow::Error,
}

impl Failure {
    /// A bad-input failure (exit code 2).
    pub fn bad_input(error: impl Into<anyhow::Error>) -> Self {
        Self {
            code: BAD_INPUT,
            error: error.into(),
        }
    }

    /// A code-host failure (exit code 3).
    pub fn forge(error: impl Into<anyhow::Error>) -> Self {
        Self {
            code: FORGE_FAILED,
            error: error.into(),
        }
    }
}

/// Turns the result of a binary's `run` into a process exit code, printing an error as one line
/// on standard error (`error: context: cause: cause`), prefixed with the binary's name.
pub fn finish(tool: &str, result: Result<ExitStatus, Failure>) -> ExitCode {
    match result {
        Ok(status) => ExitCode::from(status.code()),
        Err(failure) if is_broken_pipe(&failure.error) => ExitCode::from(SUCCESS),
        Err(failure) => {
            let mut stderr = std::io::stderr().lock();
            // Nothing sensible is left to do if standard error itself is gone.
            // Error text carries names and values from data: one escaped, bounded line.
            let message = crate::sanitize(&message(&failure.error));
            let _ = writeln!(stderr, "{tool}: error: {message}");
            ExitCode::from(failure.code)
        }
    }
}

/// `context: cause: cause`, a cause whose text its context already shows (a `thiserror`
/// message that embeds its source) printed once.
fn message(error: &anyhow::Error) -> String {
    modelci_ci::errors::chain(error.as_ref())
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_documented_values() {
        assert_eq!(
            [SUCCESS, GATE_FAILED, BAD_INPUT, FORGE_FAILED],
            [0, 1, 2, 3],
            "exit codes are a public contract"
        );
        assert_eq!(ExitStatus::GateFailed.code(), 1);
        assert_eq!(Failure::bad_input(anyhow::anyhow!("x")).code, 2);
        assert_eq!(Failure::forge(anyhow::anyhow!("x")).code, 3);
    }

    #[test]
    fn a_cause_its_context_already_shows_is_printed_once() {
        #[derive(Debug, thiserror::Error)]
        #[error("writing CI outputs: {0}")]
        struct Outer(#[from] std::io::Error);
        let inner = std::io::Error::other("the value of `A` contains a line break");
        let error = anyhow::Error::new(Outer(inner)).context("delivering the report");
        assert_eq!(
            message(&error),
            "delivering the report: writing CI outputs: the value of `A` contains a line break"
        );
        let plain = anyhow::anyhow!("missing").context("reading x.csv");
        assert_eq!(message(&plain), "reading x.csv: missing");
    }

    #[test]
    fn broken_pipe_is_recognised_through_context() {
        let io = std::io::Error::new(std::io::ErrorKind::BrokenPipe, "pipe");
        let error = anyhow::Error::new(io).context("writing the table");
        assert!(is_broken_pipe(&error));
        assert!(!is_broken_pipe(&anyhow::anyhow!("other")));
    }
}
