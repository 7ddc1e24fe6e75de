//! Images (`build_image` + `push_image`) against the real registry: pushed, read back by digest,
//! pushed again without uploading a blob; and a registry that refuses the OCI index media type
//! (a proxy answering as such registries do) gets an error naming the media types.

use std::path::Path;
use std::time::Duration;

use modelci_oci::{
    Client, Credentials, INDEX_MEDIA_TYPE, ImageFile, ImagePlatform, ImageRequest, ImageSource,
    OciError, Reference, build_image,
};

use crate::harness::{Proxy, ProxyOptions, Registry, example_model};

/// A file with a valid ELF header for `machine`: the push does not run it.
fn elf(dir: &Path, name: &str, machine: u8) -> std::path::PathBuf {
    let mut bytes = b"\x7fELF\x02\x01\x01".to_vec();
    bytes.resize(64, 0);
    bytes[18] = machine;
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{e}"));
    path
}

fn request(dir: &Path) -> ImageRequest {
    ImageRequest {
        files: vec![ImageFile {
            path: "digits/model.onnx".into(),
            source: ImageSource::File(example_model()),
        }],
        platforms: vec![
            ImagePlatform {
                architecture: "amd64".into(),
                busybox: elf(dir, "amd64", 62),
            },
            ImagePlatform {
                architecture: "arm64".into(),
                busybox: elf(dir, "arm64", 183),
            },
        ],
        ..ImageRequest::default()
    }
}

fn reference(text: &str) -> Reference {
    text.parse().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn an_image_is_pushed_once_and_read_back_by_digest() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let work = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let image = build_image(&request(work.path())).unwrap_or_else(|e| panic!("{e}"));
    // busybox amd64, busybox arm64, two configs, one models layer shared by both.
    assert_eq!(image.blobs.len(), 5);
    let target = reference(&format!("{}/ml/digits:1.0.0", registry.addr()));
    let client = Client::new(Credentials::Anonymous);
    let pushed = client
        .push_image(&target, &image)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(pushed.digest, image.index.digest);
    assert_eq!((pushed.uploaded, pushed.skipped), (5, 0));
    let again = client
        .push_image(&target, &image)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((again.uploaded, again.skipped), (0, 5));
    assert_eq!(again.digest, pushed.digest);
    let out = std::process::Command::new("skopeo")
        .args(["inspect", "--raw", "--tls-verify=false"])
        .arg(format!("docker://{}/ml/digits:1.0.0", registry.addr()))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, image.index.bytes);
}

#[test]
fn a_registry_refusing_the_index_media_type_is_named() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let proxy = Proxy::start(
        registry.addr(),
        ProxyOptions {
            refuse_media_type: Some(INDEX_MEDIA_TYPE.to_owned()),
            ..ProxyOptions::default()
        },
    );
    let work = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let image = build_image(&request(work.path())).unwrap_or_else(|e| panic!("{e}"));
    let target = reference(&format!("{}/ml/digits:1.0.0", proxy.addr));
    let err = Client::new(Credentials::Anonymous)
        .with_retry_delay(Duration::from_millis(10))
        .push_image(&target, &image)
        .err()
        .unwrap_or_else(|| panic!("the refusing registry accepted the image"));
    assert!(matches!(err, OciError::MediaTypeRefused { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("it must accept the media types application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json"),
        "{text}"
    );
    assert!(text.contains("MANIFEST_INVALID"), "{text}");
    assert!(!text.contains('\n'), "{text}");
}
