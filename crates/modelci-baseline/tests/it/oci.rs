//! `oci://HOST/REPO:TAG` against a real registry (Debian's docker-registry).

use modelci_baseline::{BaselineError, resolve};
use modelci_ci::{CiContext, Env};
use modelci_oci::testing::TestRegistry;
use modelci_oci::{ArtifactFile, BUNDLE_ARTIFACT_TYPE, Client, Credentials, PushRequest};

use crate::harness::{bundle, context, digits, sha};

#[test]
fn pulls_the_bundle_publish_pushed() {
    let Some(registry) = TestRegistry::start() else {
        return;
    };
    let work = tempfile::tempdir().expect("tempdir");
    let built = bundle(work.path(), &digits("baseline.onnx"), "1.0.0", "main");
    let target = format!("oci://{}/team/digits:1.0.0", registry.addr());
    Client::new(Credentials::Anonymous)
        .push(
            &target.parse().expect("reference"),
            &PushRequest {
                artifact_type: BUNDLE_ARTIFACT_TYPE.into(),
                files: built
                    .files()
                    .iter()
                    .map(|p| ArtifactFile::new(*p, "application/octet-stream"))
                    .collect(),
                ..PushRequest::default()
            },
        )
        .expect("pushed");
    let ctx = context(CiContext::local(), Env::new(), &work.path().join("cache"));
    let found = resolve(&target.parse().expect("parses"), &ctx)
        .expect("resolves")
        .expect("found");
    assert_eq!(found.provenance.sha256, sha(&digits("baseline.onnx")));
    assert_eq!(found.provenance.kind, "oci");
    assert_eq!(found.provenance.version.as_deref(), Some("1.0.0"));
    assert_eq!(
        found.provenance.bundle_sha256.as_deref(),
        Some(built.sha256.as_str())
    );

    let missing = format!("oci://{}/team/digits:9.9.9", registry.addr());
    let err = resolve(&missing.parse().expect("parses"), &ctx).expect_err("no such tag");
    assert!(matches!(err, BaselineError::Input { .. }), "{err}");
    assert!(err.to_string().contains("not found"), "{err}");
}
