//! Faults and hostile input: zip-slip titles, tampered blobs, wrong digests, a registry that is
//! down or flaky, missing tags and files.

use std::time::{Duration, Instant};

use modelci_oci::{ArtifactFile, Client, Credentials, OciError, PushRequest, Reference};

use crate::harness::{Proxy, ProxyOptions, Registry, entries, free_port, raw_push, sample_request};

fn reference(text: &str) -> Reference {
    text.parse().unwrap_or_else(|e| panic!("{e}"))
}

fn client() -> Client {
    Client::new(Credentials::Anonymous).with_retry_delay(Duration::from_millis(10))
}

#[test]
fn pull_refuses_zip_slip_titles_and_writes_nothing() {
    let Some(registry) = Registry::start_with_relative_urls() else {
        return;
    };
    let work = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = work.path().join("a/b/out");
    for (tag, bad) in [
        ("parent", "../evil.txt"),
        ("abs", "/tmp/modelci-evil.txt"),
        ("sub", "sub/x.txt"),
        ("dots", ".."),
        ("back", "..\\evil.txt"),
    ] {
        raw_push(
            registry.addr(),
            "hostile",
            tag,
            &[("good.txt", b"fine"), (bad, b"pwned")],
        );
        let r = reference(&format!("{}/hostile:{tag}", registry.addr()));
        let err = client()
            .pull_to_dir(&r, &out)
            .err()
            .unwrap_or_else(|| panic!("{bad:?} was pulled"));
        assert!(
            matches!(err, OciError::UnsafeTitle { .. }),
            "{bad:?}: {err:?}"
        );
        assert!(
            err.to_string()
                .starts_with(&format!("refusing layer title {bad:?} in {r}")),
            "{err}"
        );
        assert!(entries(&out).is_empty(), "{bad:?}: {:?}", entries(&out));
    }
    assert!(!work.path().join("a/b/evil.txt").exists());
    assert!(!std::path::Path::new("/tmp/modelci-evil.txt").exists());

    raw_push(
        registry.addr(),
        "hostile",
        "dup",
        &[("same.txt", b"one"), ("same.txt", b"two")],
    );
    let err = client()
        .pull_to_dir(
            &reference(&format!("{}/hostile:dup", registry.addr())),
            &out,
        )
        .err();
    assert!(
        matches!(err, Some(OciError::DuplicateTitle { .. })),
        "{err:?}"
    );
}

#[test]
fn pull_refuses_a_tampered_blob_and_leaves_no_files() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let work = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let target = "models/digits:1.0.0";
    client()
        .push(
            &reference(&format!("{}/{target}", registry.addr())),
            &sample_request(work.path()),
        )
        .unwrap_or_else(|e| panic!("{e}"));

    let proxy = Proxy::start(
        registry.addr(),
        ProxyOptions {
            tamper_blobs: true,
            ..ProxyOptions::default()
        },
    );
    let out = work.path().join("out");
    std::fs::create_dir_all(&out).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(out.join("keep.txt"), b"mine").unwrap_or_else(|e| panic!("{e}"));
    let err = client()
        .pull_to_dir(&reference(&format!("{}/{target}", proxy.addr)), &out)
        .err()
        .unwrap_or_else(|| panic!("tampered blob accepted"));
    assert!(matches!(err, OciError::DigestMismatch { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("digest mismatch for layer \"candidate.onnx\""),
        "{err}"
    );
    assert_eq!(entries(&out), ["keep.txt"], "no partial or temporary files");
}

#[test]
fn push_refuses_a_registry_reporting_another_manifest_digest() {
    let Some(registry) = Registry::start_with_relative_urls() else {
        return;
    };
    let proxy = Proxy::start(
        registry.addr(),
        ProxyOptions {
            wrong_manifest_digest: true,
            ..ProxyOptions::default()
        },
    );
    let work = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let err = client()
        .push(
            &reference(&format!("{}/m:1", proxy.addr)),
            &sample_request(work.path()),
        )
        .err();
    let msg = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(
        msg.starts_with(&format!(
            "digest mismatch for manifest of {}/m:1 as stored by the registry",
            proxy.addr
        )),
        "{msg}"
    );
}

#[test]
fn server_errors_are_retried_three_times_in_all() {
    let Some(registry) = Registry::start_with_relative_urls() else {
        return;
    };
    let work = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let req = sample_request(work.path());

    let flaky = Proxy::start(
        registry.addr(),
        ProxyOptions {
            fail_first: 2,
            ..ProxyOptions::default()
        },
    );
    let pushed = client().push(&reference(&format!("{}/m:1", flaky.addr)), &req);
    assert!(pushed.is_ok(), "{pushed:?}");
    assert_eq!(
        flaky
            .seen()
            .iter()
            .take(3)
            .map(|s| s.status)
            .collect::<Vec<_>>(),
        [503, 503, 404]
    );

    let down = Proxy::start(
        registry.addr(),
        ProxyOptions {
            fail_first: usize::MAX,
            ..ProxyOptions::default()
        },
    );
    let err = client()
        .push(&reference(&format!("{}/m:1", down.addr)), &req)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.starts_with(&format!(
            "registry {} answered 503 to HEAD blob sha256:",
            down.addr
        )),
        "{err}"
    );
    assert_eq!(down.seen().len(), 3);
}

#[test]
fn registry_down_is_a_clear_error() {
    let addr = format!("127.0.0.1:{}", free_port());
    let work = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let started = Instant::now();
    let err = client()
        .push(
            &reference(&format!("{addr}/m:1")),
            &sample_request(work.path()),
        )
        .err();
    let msg = err.as_ref().map(ToString::to_string).unwrap_or_default();
    assert!(matches!(err, Some(OciError::Unreachable { .. })), "{err:?}");
    assert!(
        msg.starts_with(&format!("cannot reach registry {addr}: ")),
        "{msg}"
    );
    assert!(msg.contains("after 3 attempts"), "{msg}");
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(!msg.contains('\n'));
}

#[test]
fn bad_local_input_fails_before_any_network() {
    // Nothing listens here: an error other than Unreachable proves no request was made.
    let target = reference(&format!("127.0.0.1:{}/m:1", free_port()));
    let work = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut req = sample_request(work.path());

    let untagged = reference(&format!("{}/m", target.registry));
    let err = client().push(&untagged, &req).err().map(|e| e.to_string());
    assert_eq!(
        err,
        Some(format!("OCI reference {}/m names no tag", target.registry))
    );
    let err = client()
        .pull_to_dir(&untagged, work.path())
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        err,
        Some(format!(
            "OCI reference {}/m names no tag or digest",
            target.registry
        ))
    );

    req.files[1].title = "../manifest.json".into();
    let err = client().push(&target, &req).err();
    assert!(matches!(err, Some(OciError::UnsafeTitle { .. })), "{err:?}");

    let missing = work.path().join("missing.onnx");
    req.files = vec![ArtifactFile::new(&missing, "application/octet-stream")];
    let err = client()
        .push(&target, &req)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.starts_with(&format!("cannot read {}: ", missing.display())),
        "{err}"
    );

    let empty = PushRequest::default();
    let err = client().push(&target, &empty).err();
    assert!(
        matches!(err, Some(OciError::Unreachable { .. })),
        "an empty push still talks to the registry: {err:?}"
    );
}

#[test]
fn missing_tag_is_not_found() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let r = reference(&format!("{}/nothing/here:1.0.0", registry.addr()));
    let err = client().fetch_manifest(&r).err().map(|e| e.to_string());
    assert_eq!(err, Some(format!("{r} not found in the registry")));
    let work = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    assert!(client().pull_to_dir(&r, &work.path().join("x")).is_err());
    assert!(
        !work.path().join("x").exists(),
        "no folder made for a failed pull"
    );
}
