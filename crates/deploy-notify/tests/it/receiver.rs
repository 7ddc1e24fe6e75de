//! The local webhook receiver, shared with drift-check's tests.

pub use modelci_test::receiver::{Receiver, dead_url};
