//! What every modelci binary shares, so that the five tools behave alike.
//!
//! - [`flags`]: the flag groups each binary flattens into its `Args` ([`OutputArgs`],
//!   [`PostArgs`], and with the `model` feature [`flags::ModelArgs`]): one definition, one help
//!   text.
//! - [`session`]: one run, from detecting the CI environment (once) and preparing the output
//!   folder to delivering the report and choosing the exit status.
//! - [`exit`]: the documented exit codes and the mapping from a run's outcome to one of them.
//! - [`progress`]: a progress bar on a terminal, a plain line every few seconds in CI logs.

pub mod exit;
pub mod flags;
pub mod progress;
pub mod sanitize;
pub mod session;

pub use exit::{ExitStatus, Failure, finish};
pub use flags::{CommentMode, OutputArgs, PostArgs};
pub use progress::Progress;
pub use sanitize::sanitize;
pub use session::Session;
