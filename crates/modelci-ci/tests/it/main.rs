//! The one integration test binary of `modelci-ci`: detection from recorded CI environments and
//! payloads, tokens, and the CI-native outputs, exercised through the public API only.

mod github;
mod gitlab;
mod jenkins;
mod outputs;
mod tokens;
mod travis;

use std::io;
use std::path::{Path, PathBuf};

use modelci_ci::{CiContext, DetectError, Env, detect};

/// Path of a file under `tests/fixtures/`.
fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Reads a fixture file to a string.
fn read_fixture(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).expect("fixture exists")
}

/// An environment from a fixture `KEY=VALUE` file.
fn env_fixture(name: &str) -> Env {
    read_fixture(name)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split_once('=').expect("KEY=VALUE"))
        .collect()
}

/// A reader that fails: for providers that must not read files.
fn no_files(path: &Path) -> io::Result<String> {
    Err(io::Error::new(
        io::ErrorKind::NotFound,
        format!("unexpected read of {}", path.display()),
    ))
}

/// Detects with the real file system as the reader.
fn detect_fs(env: &Env) -> Result<CiContext, DetectError> {
    detect(env, &|p| std::fs::read_to_string(p))
}
