//! Integration tests of modelci-baseline: the fake code host, a real OCI registry, real git.

mod companions;
mod git;
mod github;
mod gitlab;
mod harness;
mod oci;
mod tokens;
