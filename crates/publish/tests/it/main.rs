//! End-to-end tests of the `publish` binary: bundles and verification on the digits example,
//! the folder target, and releases against the fake code host of `modelci-test` (which
//! validates every request against GitHub's OpenAPI description and GitLab's documented
//! parameters).

mod bundle;
mod drift;
mod github;
mod gitlab;
mod harness;
mod image;
mod kserve;
mod layouts;
mod markdown;
mod oci;
mod snapshots;
mod tokens;
