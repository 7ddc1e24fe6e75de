//! `gitlab-package:NAME@VERSION` against the fake GitLab (generic packages).

use modelci_baseline::{BaselineError, resolve};
use modelci_ci::{CiContext, Env};
use modelci_test::{BOT_TOKEN, FakeServer, GITLAB_PROJECT_ID};

use crate::harness::{assets, bundle, context, digits, sha};

fn upload(server: &FakeServer, version: &str, name: &str, bytes: Vec<u8>) {
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
