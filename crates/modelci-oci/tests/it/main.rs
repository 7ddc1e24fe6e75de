//! Integration tests of `modelci-oci` against the real CNCF distribution registry (Debian's
//! `docker-registry`), read back with `skopeo`, with small in-test proxies for token auth,
//! retries and tampering.

mod auth;
mod bad_input;
mod harness;
mod image;
mod push_pull;
