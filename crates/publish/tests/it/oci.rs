//! `--to oci://HOST/REPO` against a real CNCF distribution registry (Debian's `docker-registry`,
//! started by `modelci_oci::testing`), read back with `skopeo inspect --raw`.

use modelci_oci::testing::{TestRegistry, external_program};

use crate::harness::{EPOCH, bundle_args, publish, refs, with};

#[test]
fn bundle_is_pushed_as_an_artifact_skopeo_reads_back() {
    let Some(registry) = TestRegistry::start() else {
        return;
    };
    if !external_program("skopeo") {
        return;
    }
    let work = tempfile::tempdir().expect("temp dir");
    let to = format!("oci://{}/ml/digits", registry.addr());
    let args = with(
        &bundle_args(&work.path().join("out"), "1.2.0"),
        &["--to", &to],
    );
    let vars = [("SOURCE_DATE_EPOCH", EPOCH.to_owned())];
    let r = publish(work.path(), &vars, &refs(&args));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("/ml/digits:1.2.0@sha256:"),
        "{}",
        r.stdout
    );

    let out = std::process::Command::new("skopeo")
        .args(["inspect", "--raw", "--tls-verify=false"])
        .arg(format!("docker://{}/ml/digits:1.2.0", registry.addr()))
        .output()
        .expect("skopeo runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let manifest: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(manifest["artifactType"], modelci_oci::BUNDLE_ARTIFACT_TYPE);
    assert_eq!(
        manifest["annotations"]["org.opencontainers.image.version"],
        "1.2.0"
    );
    let layers = manifest["layers"].as_array().expect("layers");
    assert_eq!(layers.len(), 3);
    for layer in layers {
        let title = layer["annotations"]["org.opencontainers.image.title"]
            .as_str()
            .expect("titled");
        let (sha, size) = modelci_bundle::digest::sha256_file(&work.path().join("out").join(title))
            .expect("local file");
        assert_eq!(layer["digest"], format!("sha256:{sha}"), "{title}");
        assert_eq!(layer["size"], size, "{title}");
    }

    // Pushing the same bundle again uploads no blob.
    let again = publish(work.path(), &vars, &refs(&with(&args, &["--json"])));
    assert_eq!(again.code, 0, "{}", again.stderr);
    let v: serde_json::Value = serde_json::from_str(&again.stdout).expect("JSON");
    assert_eq!(v["targets"][0]["status"], "unchanged", "{v}");
}
