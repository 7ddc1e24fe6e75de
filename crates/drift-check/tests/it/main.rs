//! drift-check end to end, on the real data of examples/drift (scripts/drift_example.py).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bad_input;
mod bundles;
mod datasets;
mod example;
mod health;
mod hints;
mod issue;
mod mlserver;
mod model;
mod notify;
mod readme;
mod since;
