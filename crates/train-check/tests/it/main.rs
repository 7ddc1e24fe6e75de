//! End-to-end tests of the `train-check` binary on the shipped digits example, the model
//! fixtures of `tests/fixtures/models/`, and training logs written into temporary folders.

mod bad_input;
mod digits;
mod harness;
mod hints;
mod hostile;
mod logs;
mod markdown;
mod posting;
mod real_models;
mod schema;
mod snapshots;
