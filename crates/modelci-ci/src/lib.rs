//! CI environment detection and CI-native outputs for modelci.
//!
//! modelci runs inside someone else's CI job. This crate answers the two questions every binary
//! asks there, so none of them has to know which CI system it is in:
//!
//! # Where am I, and what is this run about?
//!
//! [`detect`] reads an [`Env`] (a snapshot of environment variables, never the live process
//! environment except through [`Env::from_process`]) and returns a [`CiContext`]: the
//! [`Provider`] (GitHub Actions, GitLab CI, Jenkins, Travis, or local), the [`Forge`] to talk to
//! with its API URL (GitHub Enterprise and self-managed GitLab included), the [`Repository`], the
//! [`ChangeRequest`] if this is a pull or merge request, the commit, and the URL of the run.
//! Every variable name we read is a documented constant on [`EnvVars`].
//!
//! # Which token?
//!
//! [`resolve_token`] applies a fixed precedence (`MODELCI_*_TOKEN` first) and explains what is
//! wrong when no usable token exists, notably GitLab's `CI_JOB_TOKEN`, which cannot post merge
//! request notes. Tokens are [`Secret`]s: formatting one prints `***`.
//!
//! # Which host, which repository?
//!
//! [`resolve_host`] is the one place that combines flags, detection and the environment into a
//! [`Host`]: kind, API and web URL, repository, and the token with whether it is GitLab's job
//! token. Every binary that talks to a code host goes through it.
//!
//! # Telling the CI system
//!
//! The [`output`] modules write what CI systems render natively: GitHub's job summary, step
//! outputs and annotations; GitLab's JUnit, metrics and dotenv reports. They take plain data
//! ([`GateOutcome`], [`Metric`]) and a path, and never read the environment.

pub mod bounded;
mod context;
mod detect;
mod env;
mod env_vars;
pub mod errors;
mod host;
pub mod output;
pub mod percent;
pub mod retry;
pub mod sanitize;
mod secret;
mod shard;
mod token;

pub use context::{ChangeRequest, CiContext, Forge, ForgeKind, Provider, Repository};
pub use detect::{DetectError, ReadFile, detect, detect_from_process};
pub use env::Env;
pub use env_vars::EnvVars;
pub use host::{Host, HostChoice, HostError, HostToken, resolve_host};
pub use output::{GateOutcome, Metric, OutputError};
pub use retry::RetryPolicy;
pub use secret::Secret;
pub use shard::{MAX_SHARDS, Shard, ShardError};
pub use token::{GITLAB_JOB_TOKEN_ONLY_MESSAGE, TokenChoice, resolve_token};
