//! What every modelci binary shares, so that the five tools behave alike.
//!
//! - [`exit`]: the documented exit codes and the mapping from a run's outcome to one of them.
//! - [`progress`]: a progress bar on a terminal, a plain line every few seconds in CI logs.

pub mod exit;
pub mod progress;
pub mod sanitize;

pub use exit::{ExitStatus, Failure, finish};
pub use progress::Progress;
pub use sanitize::sanitize;
