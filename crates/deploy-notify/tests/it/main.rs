//! End-to-end tests of the `deploy-notify` binary: deployments recorded on the fake code host of
//! `modelci-test` (validated against GitHub's OpenAPI description and GitLab's documented
//! parameters), webhooks received by a local HTTP receiver, and the smoke check against a real
//! Seldon MLServer serving the example's scikit-learn model (`scripts/ci/mlserver.sh`).

mod bad_input;
mod github;
mod gitlab;
mod harness;
mod markdown;
mod receiver;
mod schema;
mod smoke;
mod snapshots;
mod tokens;
