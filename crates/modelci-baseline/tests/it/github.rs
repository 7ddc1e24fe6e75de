//! `github-release:` against the fake GitHub: drafts and prereleases skipped, tags, checksums,
//! bundles without a model, network faults, the cache.

use modelci_baseline::{BaselineError, Source, resolve};
use modelci_ci::{CiContext, Env};
use modelci_test::{BOT_TOKEN, FakeServer, FaultKind};

use crate::harness::{assets, bundle, context, digits, sha};

pub(crate) const REPO: &str = "acme/models";

fn env(server: &FakeServer) -> Env {
    Env::new()
        .with("GITHUB_REPOSITORY", REPO)
        .with("GITHUB_API_URL", server.github_url())
        .with("GITHUB_TOKEN", BOT_TOKEN)
}

/// v1.0.0 (baseline, published), v1.1.0 (candidate, prerelease), v1.2.0 (candidate, draft).
pub(crate) fn seeded(work: &std::path::Path) -> FakeServer {
    let server = FakeServer::start();
    let seed = |version: &str, model: &str, draft: bool| {
        let built = bundle(work, &digits(model), version, "main");
        let files = assets(&built);
        let refs: Vec<(&str, &[u8])> = files
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect();
        server.seed_release(REPO, &format!("v{version}"), draft, &refs)
    };
    seed("1.0.0", "baseline.onnx", false);
    let pre = seed("1.1.0", "candidate.onnx", false);
    server.set_prerelease(pre, true);
    seed("1.2.0", "candidate.onnx", true);
    server
}

fn asset_downloads(server: &FakeServer) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| r.path.contains("/releases/assets/"))
        .count()
}

#[test]
fn latest_skips_drafts_and_prereleases_and_is_cached() {
    let work = tempfile::tempdir().expect("tempdir");
    let server = seeded(work.path());
    let ctx = context(CiContext::local(), env(&server), &work.path().join("cache"));
    let source: Source = "github-release:latest".parse().expect("parses");
    let found = resolve(&source, &ctx).expect("resolves").expect("found");
    let want = sha(&digits("baseline.onnx"));
    assert_eq!(found.provenance.sha256, want);
    assert_eq!(sha(&found.path), want, "the file is the v1.0.0 model");
    assert!(found.path.starts_with(work.path().join("cache")));
    assert_eq!(found.provenance.resolved, "github-release:v1.0.0");
    assert_eq!(found.provenance.version.as_deref(), Some("1.0.0"));
    assert_eq!(found.provenance.verified, "bundle manifest");
    assert!(found.provenance.published.is_some());
    assert!(found.provenance.bundle_sha256.is_some());
    assert!(!found.provenance.cached);
    assert_eq!(asset_downloads(&server), 2, "manifest.json and the zip");

    let again = resolve(&source, &ctx).expect("resolves").expect("found");
    assert!(again.provenance.cached);
    assert_eq!(again.path, found.path);
    assert_eq!(
        asset_downloads(&server),
        3,
        "only manifest.json the second time"
    );

    // A corrupt cache entry is noticed and fetched again.
    std::fs::write(&found.path, b"not the model").expect("corrupt");
    let third = resolve(&source, &ctx).expect("resolves").expect("found");
    assert!(!third.provenance.cached);
    assert_eq!(sha(&third.path), want);
    assert_eq!(asset_downloads(&server), 5);
    server.assert_no_violations();
}

#[test]
fn tags_pick_their_release_and_missing_tags_are_bad_input() {
    let work = tempfile::tempdir().expect("tempdir");
    let server = seeded(work.path());
    let ctx = context(CiContext::local(), env(&server), &work.path().join("cache"));
    let found = resolve(&"github-release:v1.1.0".parse().expect("parses"), &ctx)
        .expect("resolves")
        .expect("found");
    assert_eq!(found.provenance.sha256, sha(&digits("candidate.onnx")));
    for tag in ["v9.9.9", "v1.2.0"] {
        let err = resolve(
            &format!("github-release:{tag}").parse().expect("parses"),
            &ctx,
        )
        .expect_err("no such published release");
        assert!(matches!(err, BaselineError::Input { .. }), "{err}");
        assert!(
            err.to_string()
                .contains(&format!("no published release with tag `{tag}`")),
            "{err}"
        );
    }
    server.assert_no_violations();
}

#[test]
fn pinned_checksum_mismatch_is_refused_before_download() {
    let work = tempfile::tempdir().expect("tempdir");
    let server = seeded(work.path());
    let mut ctx = context(CiContext::local(), env(&server), &work.path().join("cache"));
    ctx.pinned_sha256 = Some("0".repeat(64));
    let err =
        resolve(&"github-release:latest".parse().expect("parses"), &ctx).expect_err("refused");
    assert!(matches!(err, BaselineError::Input { .. }));
    assert!(err.to_string().contains("--baseline-sha256"), "{err}");
    assert!(err.to_string().contains("refusing"), "{err}");
    assert!(!work.path().join("cache").exists(), "nothing cached");

    ctx.pinned_sha256 = Some(sha(&digits("baseline.onnx")).to_uppercase());
    let found = resolve(&"github-release:latest".parse().expect("parses"), &ctx)
        .expect("resolves")
        .expect("found");
    assert_eq!(
        found.provenance.verified,
        "bundle manifest and --baseline-sha256"
    );
}

#[test]
fn a_bundle_that_does_not_match_its_published_manifest_is_refused() {
    let work = tempfile::tempdir().expect("tempdir");
    let server = FakeServer::start();
    let good = assets(&bundle(
        work.path(),
        &digits("baseline.onnx"),
        "1.0.0",
        "main",
    ));
    let other = assets(&bundle(
        &work.path().join("x"),
        &digits("candidate.onnx"),
        "1.0.0",
        "main",
    ));
    // The zip of another model, under the manifest of the first.
    server.seed_release(
        REPO,
        "v1.0.0",
        false,
        &[(&other[0].0, &other[0].1), (&good[2].0, &good[2].1)],
    );
    let ctx = context(CiContext::local(), env(&server), &work.path().join("cache"));
    let err =
        resolve(&"github-release:latest".parse().expect("parses"), &ctx).expect_err("refused");
    assert!(matches!(err, BaselineError::Input { .. }));
    assert!(err.to_string().contains("refusing it"), "{err}");
    assert!(!work.path().join("cache").exists(), "nothing cached");
}

#[test]
fn a_bundle_without_a_model_is_bad_input() {
    let work = tempfile::tempdir().expect("tempdir");
    let server = FakeServer::start();
    let files = assets(&bundle(
        work.path(),
        &digits("baseline.onnx"),
        "1.0.0",
        "main",
    ));
    let mut manifest: serde_json::Value = serde_json::from_slice(&files[2].1).expect("json");
    for f in manifest["files"].as_array_mut().expect("files") {
        f["kind"] = "card".into();
    }
    let manifest = serde_json::to_vec(&manifest).expect("json");
    server.seed_release(
        REPO,
        "v1.0.0",
        false,
        &[(&files[0].0, &files[0].1), ("manifest.json", &manifest)],
    );
    let ctx = context(CiContext::local(), env(&server), &work.path().join("cache"));
    let err =
        resolve(&"github-release:latest".parse().expect("parses"), &ctx).expect_err("refused");
    assert!(matches!(err, BaselineError::Input { .. }));
    assert!(err.to_string().contains("lists no model file"), "{err}");
}

#[test]
fn releases_without_a_bundle_are_not_latest() {
    let work = tempfile::tempdir().expect("tempdir");
    let server = FakeServer::start();
    server.seed_release(REPO, "v0.1.0", false, &[("notes.txt", b"hello")]);
    let ctx = context(CiContext::local(), env(&server), &work.path().join("cache"));
    let err = resolve(&"github-release:latest".parse().expect("parses"), &ctx)
        .expect_err("nothing to use");
    assert!(err.to_string().contains("no published release"), "{err}");
}

#[test]
fn network_faults_are_retried_then_reported() {
    let work = tempfile::tempdir().expect("tempdir");
    let server = seeded(work.path());
    let ctx = context(CiContext::local(), env(&server), &work.path().join("cache"));
    let source: Source = "github-release:latest".parse().expect("parses");

    // Two failures, then the third attempt succeeds.
    server.inject(Some("GET"), "/releases/assets/", 2, FaultKind::Status(502));
    let found = resolve(&source, &ctx).expect("retried").expect("found");
    assert_eq!(found.provenance.sha256, sha(&digits("baseline.onnx")));

    // Downloads cut off mid-way (half the bytes) are noticed by their size and tried again.
    let ctx = context(
        CiContext::local(),
        env(&server),
        &work.path().join("cache3"),
    );
    server.truncate_release_downloads(2);
    let found = resolve(&source, &ctx).expect("retried").expect("found");
    assert_eq!(sha(&found.path), sha(&digits("baseline.onnx")));
    let ctx = context(
        CiContext::local(),
        env(&server),
        &work.path().join("cache4"),
    );
    server.truncate_release_downloads(3);
    let err = resolve(&source, &ctx).expect_err("gives up");
    assert!(err.is_host_failure(), "{err}");
    assert!(err.to_string().contains("broke off"), "{err}");

    // Failing for good: a host failure after the bounded attempts.
    let ctx = context(
        CiContext::local(),
        env(&server),
        &work.path().join("cache2"),
    );
    server.inject(
        Some("GET"),
        "/releases/assets/",
        100,
        FaultKind::Status(503),
    );
    let err = resolve(&source, &ctx).expect_err("gives up");
    assert!(err.is_host_failure(), "{err}");
    assert!(err.to_string().contains("after 3 attempts"), "{err}");
    assert!(err.to_string().contains("503"), "{err}");
}

#[test]
fn no_token_is_a_clear_error() {
    let work = tempfile::tempdir().expect("tempdir");
    let ctx = context(
        CiContext::local(),
        Env::new().with("GITHUB_REPOSITORY", REPO),
        work.path(),
    );
    let err =
        resolve(&"github-release:latest".parse().expect("parses"), &ctx).expect_err("no token");
    assert!(err.to_string().contains("GITHUB_TOKEN"), "{err}");
}

#[test]
fn auto_in_a_pull_request_takes_the_bundle_built_from_the_target_branch() {
    let work = tempfile::tempdir().expect("tempdir");
    let server = FakeServer::start();
    // The newest release was built from another branch; the older one from `master`, the
    // target branch of the pull request in the event payload.
    for (version, model, branch) in [
        ("1.0.0", "baseline.onnx", "master"),
        ("2.0.0", "candidate.onnx", "experiment"),
    ] {
        let files = assets(&bundle(work.path(), &digits(model), version, branch));
        let refs: Vec<(&str, &[u8])> = files
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect();
        server.seed_release(REPO, &format!("v{version}"), false, &refs);
    }
    let payload = crate::harness::repo()
        .join("crates/modelci-ci/tests/fixtures/github/pull_request.opened.json");
    let env = env(&server)
        .with("GITHUB_ACTIONS", "true")
        .with("GITHUB_EVENT_NAME", "pull_request")
        .with("GITHUB_EVENT_PATH", payload.display().to_string())
        .with("GITHUB_RUN_ID", "1")
        .with("GITHUB_SHA", "b".repeat(40));
    let ci = modelci_ci::detect(&env, &|p| std::fs::read_to_string(p)).expect("detects");
    assert!(ci.change.is_some());
    let ctx = context(ci, env, &work.path().join("cache"));
    let found = resolve(&modelci_baseline::Source::Auto, &ctx)
        .expect("resolves")
        .expect("found");
    assert_eq!(found.provenance.source, "auto");
    assert_eq!(found.provenance.resolved, "github-release:v1.0.0");
    assert_eq!(found.provenance.sha256, sha(&digits("baseline.onnx")));
    server.assert_no_violations();
}
