//! Companion files (`Context::companions`): a bundle's `drift-reference.json` handed back with
//! its model, verified against manifest.json and cached; local bundle zips and published
//! folders as sources.

use modelci_baseline::{BaselineError, Source, resolve};
use modelci_bundle::{Built, BundleInput, ExtraFile, ExtraSource};
use modelci_ci::{CiContext, Env};
use modelci_test::{BOT_TOKEN, FakeServer};

use crate::harness::{assets, context, digits, sha};

const REPO: &str = "acme/models";
const REFERENCE: &[u8] = br#"{"note": "a drift reference"}"#;

/// A bundle of the baseline model carrying `drift-reference.json` (kind `drift-reference`).
fn bundle_with_reference(dir: &std::path::Path, version: &str) -> Built {
    let input = BundleInput {
        name: "digits".into(),
        version: version.into(),
        models: vec![digits("baseline.onnx")],
        report: None,
        source: modelci_bundle::Source::default(),
        created: Some(1_764_000_000),
        tool: ("publish".into(), "0.1.0".into()),
    };
    let extra = [ExtraFile {
        path: "drift-reference.json".into(),
        source: ExtraSource::Bytes(REFERENCE.to_vec()),
        kind: "drift-reference".into(),
    }];
    modelci_bundle::build_with(&input, &extra, &dir.join(version)).expect("bundle builds")
}

fn wanting(mut ctx: modelci_baseline::Context) -> modelci_baseline::Context {
    ctx.companions = vec!["drift-reference".into()];
    ctx
}

#[test]
fn a_release_hands_back_its_drift_reference_then_serves_it_from_the_cache() {
    let work = tempfile::tempdir().expect("tempdir");
    let server = FakeServer::start();
    let built = bundle_with_reference(work.path(), "1.0.0");
    let files = assets(&built);
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    server.seed_release(REPO, "v1.0.0", false, &refs);
    let env = Env::new()
        .with("GITHUB_REPOSITORY", REPO)
        .with("GITHUB_API_URL", server.github_url())
        .with("GITHUB_TOKEN", BOT_TOKEN);
    let ctx = wanting(context(CiContext::local(), env, &work.path().join("cache")));
    let source: Source = "github-release:latest".parse().expect("parses");
    let downloads = || {
        server
            .requests()
            .iter()
            .filter(|r| r.path.contains("/releases/assets/"))
            .count()
    };
    let first = resolve(&source, &ctx).expect("resolves").expect("found");
    let companion = first.companion("drift-reference").expect("handed back");
    assert_eq!(std::fs::read(&companion.path).expect("cached"), REFERENCE);
    assert_eq!(
        companion.sha256,
        modelci_baseline::digest::sha256_hex(REFERENCE)
    );
    assert_eq!(companion.name, "drift-reference.json");
    assert!(!first.provenance.cached);
    let after_first = downloads();

    let second = resolve(&source, &ctx).expect("resolves").expect("found");
    assert!(second.provenance.cached, "model and reference both cached");
    assert_eq!(second.companions, first.companions);
    assert_eq!(
        downloads(),
        after_first + 1,
        "only manifest.json the second time, not the zip"
    );

    // A corrupt cached reference is fetched again.
    std::fs::write(&companion.path, b"tampered").expect("corrupt");
    let third = resolve(&source, &ctx).expect("resolves").expect("found");
    assert!(!third.provenance.cached);
    assert_eq!(
        std::fs::read(&third.companion("drift-reference").expect("again").path).expect("read"),
        REFERENCE
    );
    assert_eq!(downloads(), after_first + 3, "manifest.json and the zip");
    server.assert_no_violations();
}

#[test]
fn local_zips_and_published_folders_are_bundles() {
    let work = tempfile::tempdir().expect("tempdir");
    let built = bundle_with_reference(work.path(), "1.2.0");
    let ctx = wanting(context(
        CiContext::local(),
        Env::new(),
        &work.path().join("cache"),
    ));
    let folder = built.zip.parent().expect("folder").to_owned();
    for (text, kind) in [
        (built.zip.display().to_string(), "bundle"),
        (folder.display().to_string(), "folder"),
    ] {
        let found = resolve(&text.parse().expect("parses"), &ctx)
            .expect("resolves")
            .expect("found");
        assert_eq!(found.provenance.kind, kind, "{text}");
        assert_eq!(found.provenance.version.as_deref(), Some("1.2.0"));
        assert_eq!(found.provenance.verified, "bundle manifest");
        assert_eq!(
            found.provenance.bundle_sha256.as_deref(),
            Some(built.sha256.as_str())
        );
        assert_eq!(sha(&found.path), sha(&digits("baseline.onnx")));
        let companion = found.companion("drift-reference").expect("present");
        assert_eq!(std::fs::read(&companion.path).expect("read"), REFERENCE);
    }

    // A tampered zip fails verification.
    let bad = work.path().join("bad.zip");
    let mut bytes = std::fs::read(&built.zip).expect("zip");
    let n = bytes.len();
    bytes[n / 2] ^= 0xff;
    std::fs::write(&bad, bytes).expect("write");
    let err =
        resolve(&bad.display().to_string().parse().expect("parses"), &ctx).expect_err("refused");
    assert!(matches!(err, BaselineError::Input { .. }), "{err}");

    // A folder without a bundle says what it expected.
    let empty = work.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    let err = resolve(&empty.display().to_string().parse().expect("parses"), &ctx)
        .expect_err("no bundle");
    assert!(err.to_string().contains("publish --to dir:"), "{err}");
}

#[test]
fn a_gitlab_package_hands_back_its_drift_reference() {
    let work = tempfile::tempdir().expect("tempdir");
    let server = FakeServer::start();
    for (name, bytes) in assets(&bundle_with_reference(work.path(), "1.0.0")) {
        crate::gitlab::upload(&server, "1.0.0", &name, bytes);
    }
    let env = Env::new()
        .with("CI_API_V4_URL", server.gitlab_url())
        .with("CI_PROJECT_ID", modelci_test::GITLAB_PROJECT_ID.to_string())
        .with("GITLAB_TOKEN", BOT_TOKEN);
    let ctx = wanting(context(CiContext::local(), env, &work.path().join("cache")));
    let found = resolve(
        &"gitlab-package:digits@1.0.0".parse().expect("parses"),
        &ctx,
    )
    .expect("resolves")
    .expect("found");
    assert_eq!(found.provenance.kind, "gitlab-package");
    let companion = found.companion("drift-reference").expect("handed back");
    assert_eq!(std::fs::read(&companion.path).expect("cached"), REFERENCE);
    server.assert_no_violations();
}
