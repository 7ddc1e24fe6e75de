//! Bundles made by `modelci-bundle`, contexts pointing at the fake server, a fast retry.

use std::path::{Path, PathBuf};
use std::time::Duration;

use modelci_baseline::{Cache, Context, RetryPolicy};
use modelci_bundle::{Built, BundleInput};
use modelci_ci::{CiContext, Env};

pub use modelci_test::harness::repo;

/// A model of the digits example.
pub fn digits(name: &str) -> PathBuf {
    repo().join("examples/digits").join(name)
}

/// SHA-256 of a file.
pub fn sha(path: &Path) -> String {
    modelci_baseline::digest::sha256_file(path).expect("readable")
}

/// A bundle `digits-VERSION.zip` of `model`, built from `branch`, in `dir`.
pub fn bundle(dir: &Path, model: &Path, version: &str, branch: &str) -> Built {
    let input = BundleInput {
        name: "digits".into(),
        version: version.into(),
        models: vec![model.to_owned()],
        report: None,
        source: modelci_bundle::Source {
            commit: Some("a".repeat(40)),
            branch: Some(branch.into()),
            tag: Some(format!("v{version}")),
            repository: Some("acme/models".into()),
        },
        created: Some(1_764_000_000),
        tool: ("publish".into(), "0.1.0".into()),
    };
    let out = dir.join(version);
    modelci_bundle::build(&input, &out).expect("bundle builds")
}

/// The three release assets of a bundle: zip, `SHA256SUMS`, `manifest.json`.
pub fn assets(built: &Built) -> Vec<(String, Vec<u8>)> {
    built
        .files()
        .iter()
        .map(|p| {
            (
                p.file_name().expect("name").to_string_lossy().into_owned(),
                std::fs::read(p).expect("readable"),
            )
        })
        .collect()
}

/// A context with `env`, a private cache in `cache`, and fast retries (3 attempts).
pub fn context(ci: CiContext, env: Env, cache: &Path) -> Context {
    let mut ctx = Context::new(ci, env);
    ctx.cache = Cache::new(cache);
    ctx.retry = RetryPolicy::attempts(3, Duration::from_millis(20));
    ctx
}
