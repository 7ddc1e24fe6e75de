//! A client of the Open Inference Protocol's REST binding (KServe V2), the protocol KServe,
//! Seldon MLServer and Triton speak: readiness, inference requests and their answers
//! ([`client`]), with bounded answers and errors that never carry more than the start of a body
//! ([`OipError`]). Used by `deploy-notify`'s post-deploy smoke check and `drift-check`'s
//! endpoint health.

pub mod client;
mod error;

pub use client::{Client, Output, pick_output};
pub use error::OipError;
