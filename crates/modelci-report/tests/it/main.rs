//! Integration tests for modelci-report: rendering real files and reading them back.

#![allow(clippy::unwrap_used)]

mod fixtures;
mod render;
mod snapshots;
