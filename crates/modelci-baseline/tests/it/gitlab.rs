//! `gitlab-package:NAME@VERSION` and `gitlab-release:latest|TAG` against the fake GitLab
//! (generic packages, releases with asset links made by `publish --to gitlab`'s own code), and
//! `auto` in a merge request.

use std::path::Path;

use modelci_baseline::{BaselineError, Source, resolve};
use modelci_ci::{CiContext, Env};
use modelci_forge::releases::gitlab::{Package, publish};
use modelci_forge::releases::{AssetFile, ReleaseRequest};
use modelci_forge::{GitLab, RetryPolicy, Token};
use modelci_test::{BOT_TOKEN, FakeServer, FaultKind, GITLAB_PROJECT, GITLAB_PROJECT_ID};

use crate::harness::{assets, bundle, context, digits, sha};

pub(crate) fn upload(server: &FakeServer, version: &str, name: &str, bytes: Vec<u8>) {
    let url = format!(
        "{}/projects/{GITLAB_PROJECT_ID}/packages/generic/digits/{version}/{name}",
        server.gitlab_url()
    );
    let status = reqwest::blocking::Client::new()
        .put(url)
        .header("PRIVATE-TOKEN", BOT_TOKEN)
        .body(bytes)
        .send()
        .expect("upload")
        .status();
    assert!(status.is_success(), "{status}");
}

#[test]
fn downloads_the_package_bundle() {
    let work = tempfile::tempdir().expect("tempdir");
    let server = FakeServer::start();
    for (name, bytes) in assets(&bundle(
        work.path(),
        &digits("baseline.onnx"),
        "1.0.0",
        "main",
    )) {
        upload(&server, "1.0.0", &name, bytes);
    }
    let env = Env::new()
        .with("CI_API_V4_URL", server.gitlab_url())
        .with("CI_PROJECT_ID", GITLAB_PROJECT_ID.to_string())
        .with("GITLAB_TOKEN", BOT_TOKEN);
    let ctx = context(CiContext::local(), env, &work.path().join("cache"));
    let found = resolve(
        &"gitlab-package:digits@1.0.0".parse().expect("parses"),
        &ctx,
    )
    .expect("resolves")
    .expect("found");
    assert_eq!(found.provenance.sha256, sha(&digits("baseline.onnx")));
    assert_eq!(found.provenance.resolved, "gitlab-package:digits@1.0.0");

    let err = resolve(
        &"gitlab-package:digits@2.0.0".parse().expect("parses"),
        &ctx,
    )
    .expect_err("no such version");
    assert!(matches!(err, BaselineError::Input { .. }), "{err}");
    assert!(err.to_string().contains("does not exist"), "{err}");
    server.assert_no_violations();
}

/// The environment of a job of project 42 on the fake, with a project token.
fn env(server: &FakeServer) -> Env {
    Env::new()
        .with("CI_API_V4_URL", server.gitlab_url())
        .with("CI_PROJECT_ID", GITLAB_PROJECT_ID.to_string())
        .with("GITLAB_TOKEN", BOT_TOKEN)
}

/// Publishes `files` (name, bytes) as `publish --to gitlab` does: generic package
/// `digits/VERSION`, then release `vVERSION` with one asset link per file.
fn release(server: &FakeServer, dir: &Path, version: &str, files: &[(String, Vec<u8>)]) {
    let client = GitLab::new(
        &server.gitlab_url(),
        GITLAB_PROJECT,
        &Token::new(BOT_TOKEN),
        RetryPolicy::none(),
    )
    .expect("client");
    let dir = dir.join(format!("upload-{version}"));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let assets = files
        .iter()
        .map(|(name, bytes)| {
            let path = dir.join(name);
            std::fs::write(&path, bytes).expect("written");
            AssetFile {
                name: name.clone(),
                path,
                sha256: modelci_baseline::digest::sha256_hex(bytes),
                size: bytes.len() as u64,
                content_type: "application/octet-stream".into(),
            }
        })
        .collect();
    let request = ReleaseRequest {
        tag: format!("v{version}"),
        title: format!("digits {version}"),
        notes: String::new(),
        target: Some("main".into()),
        assets,
        replace: false,
    };
    let package = Package {
        name: "digits".into(),
        version: version.into(),
    };
    publish(&client, &package, &request).expect("published");
}

/// v1.0.0 (baseline, from `main`), v1.1.0 (candidate, from `dev`), v1.2.0 (candidate, from
/// `main`, upcoming: released in 2099), v1.3.0 (no bundle, only notes), in that order.
pub(crate) fn seeded(work: &Path) -> FakeServer {
    let server = FakeServer::start();
    for (version, model, branch) in [
        ("1.0.0", "baseline.onnx", "main"),
        ("1.1.0", "candidate.onnx", "dev"),
        ("1.2.0", "candidate.onnx", "main"),
    ] {
        let files = assets(&bundle(work, &digits(model), version, branch));
        release(&server, work, version, &files);
    }
    server.set_gitlab_released_at(GITLAB_PROJECT, "v1.2.0", "2099-01-01T00:00:00Z");
    release(
        &server,
        work,
        "1.3.0",
        &[("notes.txt".to_owned(), b"hello".to_vec())],
    );
    server
}

fn package_downloads(server: &FakeServer) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path.contains("/packages/generic/"))
        .count()
}

#[test]
fn release_latest_skips_upcoming_releases_and_releases_without_a_bundle() {
    let work = tempfile::tempdir().expect("tempdir");
    let server = seeded(work.path());
    let ctx = context(CiContext::local(), env(&server), &work.path().join("cache"));
    let before = package_downloads(&server);
    let source: Source = "gitlab-release:latest".parse().expect("parses");
    let found = resolve(&source, &ctx).expect("resolves").expect("found");
    let want = sha(&digits("candidate.onnx"));
    assert_eq!(found.provenance.resolved, "gitlab-release:v1.1.0");
    assert_eq!(found.provenance.kind, "gitlab-release");
    assert_eq!(found.provenance.sha256, want);
    assert_eq!(sha(&found.path), want, "the file is the v1.1.0 model");
    assert!(found.path.starts_with(work.path().join("cache")));
    assert_eq!(found.provenance.version.as_deref(), Some("1.1.0"));
    assert_eq!(found.provenance.verified, "bundle manifest");
    let released = server
        .gitlab_releases()
        .into_iter()
        .find(|r| r.tag == "v1.1.0")
        .expect("v1.1.0")
        .released_at;
    assert_eq!(
        found.provenance.published.as_deref(),
        Some(released.as_str())
    );
    assert!(found.provenance.bundle_sha256.is_some());
    assert!(!found.provenance.cached);
    assert_eq!(
        package_downloads(&server) - before,
        2,
        "manifest.json and the zip"
    );

    let again = resolve(&source, &ctx).expect("resolves").expect("found");
    assert!(again.provenance.cached);
    assert_eq!(
        package_downloads(&server) - before,
        3,
        "only manifest.json the second time"
    );
    server.assert_no_violations();
}

#[test]
fn release_tags_pick_their_release_and_missing_tags_are_bad_input() {
    let work = tempfile::tempdir().expect("tempdir");
    let server = seeded(work.path());
    let ctx = context(CiContext::local(), env(&server), &work.path().join("cache"));
    let found = resolve(&"gitlab-release:v1.0.0".parse().expect("parses"), &ctx)
        .expect("resolves")
        .expect("found");
    assert_eq!(found.provenance.sha256, sha(&digits("baseline.onnx")));
    assert_eq!(found.provenance.resolved, "gitlab-release:v1.0.0");

    let err = resolve(&"gitlab-release:v9.9.9".parse().expect("parses"), &ctx)
        .expect_err("no such release");
    assert!(matches!(err, BaselineError::Input { .. }), "{err}");
    assert!(
        err.to_string().contains("no release with tag `v9.9.9`"),
        "{err}"
    );
    let err =
        resolve(&"gitlab-release:v1.3.0".parse().expect("parses"), &ctx).expect_err("no bundle");
    assert!(matches!(err, BaselineError::Input { .. }), "{err}");
    assert!(err.to_string().contains("no modelci bundle link"), "{err}");
    server.assert_no_violations();
}

#[test]
fn a_release_bundle_that_does_not_match_its_manifest_is_refused() {
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
    let zip = other
        .iter()
        .find(|(n, _)| n.ends_with(".zip"))
        .expect("zip")
        .clone();
    let manifest = good
        .iter()
        .find(|(n, _)| n == "manifest.json")
        .expect("manifest")
        .clone();
    release(&server, work.path(), "1.0.0", &[zip, manifest]);
    let ctx = context(CiContext::local(), env(&server), &work.path().join("cache"));
    let err =
        resolve(&"gitlab-release:latest".parse().expect("parses"), &ctx).expect_err("refused");
    assert!(matches!(err, BaselineError::Input { .. }), "{err}");
    assert!(err.to_string().contains("refusing it"), "{err}");
    assert!(!work.path().join("cache").exists(), "nothing cached");
    server.assert_no_violations();
}

#[test]
fn release_latest_without_a_token_is_a_clear_error() {
    let work = tempfile::tempdir().expect("tempdir");
    let server = FakeServer::start();
    let env = Env::new()
        .with("CI_API_V4_URL", server.gitlab_url())
        .with("CI_PROJECT_ID", GITLAB_PROJECT_ID.to_string());
    let ctx = context(CiContext::local(), env, work.path());
    let err =
        resolve(&"gitlab-release:latest".parse().expect("parses"), &ctx).expect_err("no token");
    assert!(matches!(err, BaselineError::Input { .. }), "{err}");
    assert!(err.to_string().contains("GITLAB_TOKEN"), "{err}");
}

#[test]
fn auto_in_a_merge_request_takes_the_bundle_built_from_the_target_branch() {
    let work = tempfile::tempdir().expect("tempdir");
    let server = seeded(work.path());
    // A merge request into `main`: v1.3.0 has no bundle, v1.2.0 is upcoming, v1.1.0 was built
    // from `dev`, so v1.0.0 it is.
    let env = env(&server)
        .with("GITLAB_CI", "true")
        .with(
            "CI_SERVER_URL",
            server.gitlab_url().trim_end_matches("/api/v4"),
        )
        .with("CI_PROJECT_PATH", GITLAB_PROJECT)
        .with("CI_PIPELINE_SOURCE", "merge_request_event")
        .with("CI_MERGE_REQUEST_IID", "7")
        .with("CI_MERGE_REQUEST_PROJECT_ID", GITLAB_PROJECT_ID.to_string())
        .with(
            "CI_MERGE_REQUEST_SOURCE_PROJECT_ID",
            GITLAB_PROJECT_ID.to_string(),
        )
        .with("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main")
        .with("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "feature")
        .with("CI_COMMIT_SHA", "c".repeat(40))
        .with("CI_JOB_TOKEN", modelci_test::JOB_TOKEN);
    let ci = modelci_ci::detect(&env, &|p| std::fs::read_to_string(p)).expect("detects");
    assert_eq!(
        ci.change.as_ref().and_then(|c| c.base_ref.as_deref()),
        Some("main")
    );
    let ctx = context(ci, env, &work.path().join("cache"));
    let found = resolve(&Source::Auto, &ctx)
        .expect("resolves")
        .expect("found");
    assert_eq!(found.provenance.source, "auto");
    assert_eq!(found.provenance.resolved, "gitlab-release:v1.0.0");
    assert_eq!(found.provenance.sha256, sha(&digits("baseline.onnx")));
    server.assert_no_violations();
}

/// The fake's `GET /projects/:id/releases` (API.md section 8): documented parameters only,
/// GitLab's order and paging headers, `upcoming_release` for a future `released_at`.
#[test]
fn the_fake_lists_releases_by_the_documented_parameters_only() {
    let work = tempfile::tempdir().expect("tempdir");
    let server = seeded(work.path());
    let get = |query: &str| {
        reqwest::blocking::Client::new()
            .get(format!(
                "{}/projects/{GITLAB_PROJECT_ID}/releases{query}",
                server.gitlab_url()
            ))
            .header("JOB-TOKEN", modelci_test::JOB_TOKEN)
            .send()
            .expect("answered")
    };
    let tags = |r: reqwest::blocking::Response| -> Vec<(String, bool)> {
        let v: serde_json::Value = r.json().expect("JSON");
        v.as_array()
            .expect("array")
            .iter()
            .map(|r| {
                (
                    r["tag_name"].as_str().expect("tag").to_owned(),
                    r["upcoming_release"] == true,
                )
            })
            .collect()
    };
    let all = get("");
    assert_eq!(all.status(), 200);
    assert_eq!(
        tags(all),
        [
            ("v1.2.0".to_owned(), true),
            ("v1.3.0".to_owned(), false),
            ("v1.1.0".to_owned(), false),
            ("v1.0.0".to_owned(), false),
        ],
        "newest released_at first; the upcoming one flagged"
    );
    let page = get("?order_by=created_at&sort=asc&per_page=3&page=2");
    assert_eq!(page.status(), 200);
    let header = |r: &reqwest::blocking::Response, name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    assert_eq!(header(&page, "x-total").as_deref(), Some("4"));
    assert_eq!(header(&page, "x-total-pages").as_deref(), Some("2"));
    assert_eq!(header(&page, "x-next-page").as_deref(), Some(""));
    assert_eq!(header(&page, "x-prev-page").as_deref(), Some("1"));
    assert_eq!(tags(page), [("v1.3.0".to_owned(), false)]);
    server.assert_no_violations();

    for query in ["?order_by=semver", "?sort=up", "?per_page=0", "?search=v1"] {
        assert_eq!(get(query).status(), 400, "{query}");
    }
    assert_eq!(server.take_violations().len(), 4);
}

#[test]
fn release_downloads_are_retried_then_reported() {
    let work = tempfile::tempdir().expect("tempdir");
    let server = seeded(work.path());
    let source: Source = "gitlab-release:v1.0.0".parse().expect("parses");
    // Two failures, then the third attempt succeeds.
    server.inject(
        Some("GET"),
        "/packages/generic/",
        2,
        modelci_test::FaultKind::Status(502),
    );
    let ctx = context(CiContext::local(), env(&server), &work.path().join("cache"));
    let found = resolve(&source, &ctx).expect("retried").expect("found");
    assert_eq!(sha(&found.path), sha(&digits("baseline.onnx")));

    // Failing for good: a host failure (exit 3) after the bounded attempts, nothing cached.
    server.inject(
        Some("GET"),
        "/packages/generic/",
        100,
        modelci_test::FaultKind::Status(503),
    );
    let ctx = context(
        CiContext::local(),
        env(&server),
        &work.path().join("cache2"),
    );
    let err = resolve(&source, &ctx).expect_err("gives up");
    assert!(err.is_host_failure(), "{err}");
    assert!(err.to_string().contains("after 3 attempts"), "{err}");
    assert!(!err.to_string().contains(BOT_TOKEN), "no token in messages");
    assert!(!work.path().join("cache2").exists(), "nothing cached");
}

#[test]
fn a_download_redirected_to_another_host_goes_there_without_the_token() {
    // Package downloads may redirect to object storage. The token (`PRIVATE-TOKEN`, a header
    // HTTP clients keep across hosts) goes only to the API's origin: the other host is asked
    // anonymously (the fake answers 401 to that) and the download is refused.
    let work = tempfile::tempdir().expect("tempdir");
    let server = FakeServer::start();
    let elsewhere = FakeServer::start();
    let path = format!("/projects/{GITLAB_PROJECT_ID}/packages/generic/digits/1.0.0/manifest.json");
    server.inject(
        Some("GET"),
        "/packages/generic/",
        1,
        FaultKind::Redirect(format!("{}{path}", elsewhere.gitlab_url())),
    );
    let ctx = context(CiContext::local(), env(&server), &work.path().join("cache"));
    let err = resolve(
        &"gitlab-package:digits@1.0.0".parse().expect("parses"),
        &ctx,
    )
    .expect_err("refused elsewhere");
    assert!(err.to_string().contains("401"), "{err}");
    let asked = elsewhere.requests();
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert_eq!(asked[0].status, 401, "asked without the token: {asked:?}");
    assert!(!err.to_string().contains(BOT_TOKEN), "{err}");
}
