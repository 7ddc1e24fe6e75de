//! Push to the real registry, read back with skopeo and with our own pull.

use std::process::Command;

use modelci_oci::{Client, Credentials, EMPTY_CONFIG_MEDIA_TYPE, Reference};

use crate::harness::{
    Proxy, ProxyOptions, Registry, entries, example_model, external, sample_request, sha256_bytes,
    sha256_file,
};

fn skopeo(args: &[&str]) -> Vec<u8> {
    let out = Command::new("skopeo")
        .arg("--insecure-policy")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("skopeo: {e}"));
    assert!(
        out.status.success(),
        "skopeo {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn reference(text: &str) -> Reference {
    text.parse().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn pushed_artifact_reads_back_with_skopeo_inspect_and_copy() {
    let Some(registry) = Registry::start() else {
        return;
    };
    if !external("skopeo") {
        return;
    }
    let work = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let req = sample_request(work.path());
    let target = reference(&format!("oci://{}/models/digits:1.2.0", registry.addr()));
    let pushed = Client::new(Credentials::Anonymous)
        .push(&target, &req)
        .unwrap_or_else(|e| panic!("push: {e}"));

    // skopeo inspect --raw: the manifest bytes as the registry stores them.
    let image = format!("docker://{}/models/digits:1.2.0", registry.addr());
    let raw = skopeo(&["inspect", "--raw", "--tls-verify=false", &image]);
    assert_eq!(sha256_bytes(&raw), pushed.digest, "manifest digest");
    let manifest: serde_json::Value =
        serde_json::from_slice(&raw).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        manifest["artifactType"],
        "application/vnd.modelci.bundle.v1+json"
    );
    assert_eq!(
        manifest["mediaType"],
        "application/vnd.oci.image.manifest.v1+json"
    );
    assert_eq!(manifest["config"]["mediaType"], EMPTY_CONFIG_MEDIA_TYPE);
    assert_eq!(manifest["config"]["size"], 2);
    assert_eq!(
        manifest["annotations"]["org.opencontainers.image.version"],
        "1.2.0"
    );
    let layers = manifest["layers"].as_array().cloned().unwrap_or_default();
    let titles: Vec<&str> = layers
        .iter()
        .filter_map(|l| l["annotations"]["org.opencontainers.image.title"].as_str())
        .collect();
    assert_eq!(titles, ["candidate.onnx", "manifest.json"]);
    for (layer, file) in layers.iter().zip(&req.files) {
        assert_eq!(
            layer["digest"].as_str(),
            Some(sha256_file(&file.path).as_str()),
            "{}",
            file.title
        );
        let size = std::fs::metadata(&file.path)
            .map(|m| m.len())
            .unwrap_or_default();
        assert_eq!(layer["size"].as_u64(), Some(size));
    }
    assert_eq!(layers[0]["mediaType"], "application/vnd.onnx");
    assert_eq!(
        pushed.layers,
        vec![
            ("candidate.onnx".to_owned(), sha256_file(&example_model())),
            ("manifest.json".to_owned(), sha256_file(&req.files[1].path)),
        ]
    );
    assert_eq!(
        pushed.reference,
        format!("{}/models/digits:1.2.0@{}", registry.addr(), pushed.digest)
    );

    // skopeo copy into an OCI layout: same manifest, every blob intact.
    let layout = work.path().join("layout");
    let dest = format!("oci:{}:1.2.0", layout.display());
    skopeo(&["copy", "--src-tls-verify=false", &image, &dest]);
    let index: serde_json::Value = serde_json::from_slice(
        &std::fs::read(layout.join("index.json")).unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        index["manifests"][0]["digest"].as_str(),
        Some(pushed.digest.as_str())
    );
    let blob = |digest: &str| {
        layout
            .join("blobs/sha256")
            .join(digest.trim_start_matches("sha256:"))
    };
    for (layer, file) in layers.iter().zip(&req.files) {
        let digest = layer["digest"].as_str().unwrap_or_default();
        let copied = std::fs::read(blob(digest)).unwrap_or_else(|e| panic!("{digest}: {e}"));
        assert_eq!(sha256_bytes(&copied), digest);
        assert_eq!(
            copied,
            std::fs::read(&file.path).unwrap_or_default(),
            "{}",
            file.title
        );
    }
    assert_eq!(std::fs::read(blob(&pushed.digest)).unwrap_or_default(), raw);
}

#[test]
fn pull_round_trips_and_a_second_push_uploads_nothing() {
    let Some(registry) = Registry::start_with_relative_urls() else {
        return;
    };
    // Through a recording proxy, to see which requests the second push makes.
    let proxy = Proxy::start(registry.addr(), ProxyOptions::default());
    let work = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let req = sample_request(work.path());
    let client = Client::new(Credentials::Anonymous);
    let target = reference(&format!("{}/team/models/digits:1.2.0", proxy.addr));

    assert!(!client.tag_exists(&target).unwrap_or_else(|e| panic!("{e}")));
    let first = client.push(&target, &req).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((first.uploaded, first.skipped), (3, 0));
    assert!(client.tag_exists(&target).unwrap_or_else(|e| panic!("{e}")));
    assert!(
        !client
            .tag_exists(&target.with_tag("9.9.9").unwrap_or_else(|e| panic!("{e}")))
            .unwrap_or(true)
    );

    let before = proxy.seen().len();
    let second = client.push(&target, &req).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(second.digest, first.digest);
    assert_eq!((second.uploaded, second.skipped), (0, 3));
    let calls: Vec<String> = proxy.seen()[before..]
        .iter()
        .map(|s| s.method.clone())
        .collect();
    assert_eq!(
        calls,
        ["HEAD", "HEAD", "HEAD", "PUT"],
        "second push: blob HEADs and the manifest only"
    );

    // Pull by tag into a fresh folder: same bytes, same names, nothing else there.
    let out = work.path().join("pulled");
    let files = client
        .pull_to_dir(&target, &out)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        files,
        [out.join("candidate.onnx"), out.join("manifest.json")]
    );
    assert_eq!(entries(&out), ["candidate.onnx", "manifest.json"]);
    for (pulled, original) in files.iter().zip(&req.files) {
        assert_eq!(
            std::fs::read(pulled).ok(),
            std::fs::read(&original.path).ok()
        );
    }

    // Fetch by digest: the same manifest, and a digest that is not ours is refused.
    let by_digest = Reference {
        tag: None,
        digest: Some(first.digest.clone()),
        ..target.clone()
    };
    let (digest, manifest) = client
        .fetch_manifest(&by_digest)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(digest, first.digest);
    assert_eq!(manifest.layers.len(), 2);
    assert_eq!(manifest.layers[1].title(), Some("manifest.json"));
}

#[test]
fn config_blob_is_pushed_with_the_modelci_config_type() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let work = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut req = sample_request(work.path());
    let config = br#"{"name":"digits","version":"1.2.0"}"#.to_vec();
    req.config = Some(config.clone());
    let target = reference(&format!("{}/digits:cfg", registry.addr()));
    let client = Client::new(Credentials::Anonymous);
    client.push(&target, &req).unwrap_or_else(|e| panic!("{e}"));
    let (_, manifest) = client
        .fetch_manifest(&target)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        manifest.config.media_type,
        "application/vnd.modelci.config.v1+json"
    );
    assert_eq!(manifest.config.digest, sha256_bytes(&config));
    let blob = reqwest::blocking::get(format!(
        "http://{}/v2/digits/blobs/{}",
        registry.addr(),
        manifest.config.digest
    ))
    .and_then(|r| r.bytes())
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(blob.to_vec(), config);
}
