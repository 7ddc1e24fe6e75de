//! `deploy-notify`: a model version went to an environment; record it, check it, tell people.
//!
//! The binary's `main.rs` parses [`Args`] and calls [`run`]. The run:
//! 1. checks every input first (semver version, URLs, the local model and dataset of the smoke
//!    check, `--report`): bad input exits 2 before anything is recorded;
//! 2. records a deployment on the code host the CI run belongs to ([`record`], through
//!    [`modelci_forge::Deployments`]) and marks it in progress;
//! 3. runs the post-deploy smoke check ([`smoke`]): N samples sent to the served model over the
//!    Open Inference Protocol (KServe V2 REST), answers compared with the local ONNX model's;
//! 4. sets the deployment's final status (`success`/`failure`, environment and run URLs);
//! 5. notifies ([`notify`]): Slack-compatible incoming webhooks, generic JSON webhooks
//!    (`schema/webhook-v1.json`), and a sticky comment on the pull requests of the commit
//!    ([`comment`]);
//! 6. exits 0, or 1 when the smoke check failed; code-host and webhook trouble are warnings,
//!    or exit 3 with `--strict`.

mod args;
pub mod comment;
pub mod metrics;
pub mod notify;
pub mod record;
mod run;
pub mod smoke;
pub mod summary;
pub mod version;

pub use args::Args;
pub use run::run;
