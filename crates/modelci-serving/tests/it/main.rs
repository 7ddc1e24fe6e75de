//! modelci-serving's layouts on the repository's real example models: Triton's config.pbtxt
//! parsed back against Triton's own `model_config.proto`, MLServer's layout served by a real
//! MLServer and smoke-checked by `deploy-notify`, and the refusals.

mod harness;
mod mlserver;
mod refusals;
mod triton;
