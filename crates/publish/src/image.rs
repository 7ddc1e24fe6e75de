//! `--to oci://HOST/REPO --as image`: the serving layout as a KServe modelcar image (files under
//! `/models`, a static busybox per platform given with `--busybox ARCH=PATH`), built here
//! without a container daemon by [`modelci_oci::build_image`] and pushed as an image index
//! tagged with the version.

use std::path::PathBuf;

use anyhow::anyhow;
use modelci_bundle::Built;
use modelci_cli::Failure;
use modelci_oci::{
    Client, Credentials, ImageFile, ImagePlatform, ImageRequest, ImageSource, OciError, Pushed,
    Reference,
};
use modelci_serving::{Content, LayoutFile};

/// Parses the `--busybox ARCH=PATH` values.
///
/// # Errors
/// Exit 2: none given, a value without `=`, an unknown architecture, one given twice, or a
/// missing file.
pub(crate) fn platforms(values: &[String]) -> Result<Vec<ImagePlatform>, Failure> {
    if values.is_empty() {
        return Err(Failure::bad_input(anyhow!(
            "--as image needs --busybox ARCH=PATH (a static busybox per platform, e.g. --busybox amd64=/bin/busybox from Debian's busybox-static)"
        )));
    }
    let mut platforms: Vec<ImagePlatform> = Vec::new();
    for value in values {
        let Some((arch, path)) = value.split_once('=') else {
            return Err(Failure::bad_input(anyhow!(
                "--busybox {value}: expected ARCH=PATH, e.g. amd64=/bin/busybox"
            )));
        };
        if !matches!(arch, "amd64" | "arm64") {
            return Err(Failure::bad_input(anyhow!(
                "--busybox {value}: unknown architecture {arch:?} (expected amd64 or arm64)"
            )));
        }
        if platforms.iter().any(|p| p.architecture == arch) {
            return Err(Failure::bad_input(anyhow!(
                "--busybox {value}: {arch} given twice"
            )));
        }
        let path = PathBuf::from(path);
        if !path.is_file() {
            return Err(Failure::bad_input(anyhow!(
                "--busybox {value}: {}: no such file",
                path.display()
            )));
        }
        platforms.push(ImagePlatform {
            architecture: arch.to_owned(),
            busybox: path,
        });
    }
    Ok(platforms)
}

/// The image of `files` for `platforms`, with the bundle's provenance as annotations.
///
/// # Errors
/// Exit 2 when a file cannot be read or a busybox is not a binary for its architecture.
pub(crate) fn build(
    built: &Built,
    files: &[LayoutFile],
    platforms: &[ImagePlatform],
) -> Result<modelci_oci::Image, Failure> {
    let m = &built.manifest;
    let annotations = crate::oci::annotations(m);
    let request = ImageRequest {
        files: files
            .iter()
            .map(|f| ImageFile {
                path: f.path.clone(),
                source: match &f.content {
                    Content::Bytes(b) => ImageSource::Bytes(b.clone()),
                    Content::File(p) => ImageSource::File(p.clone()),
                },
            })
            .collect(),
        platforms: platforms.to_vec(),
        annotations,
        created: m.created.clone(),
    };
    modelci_oci::build_image(&request).map_err(Failure::bad_input)
}

/// Pushes `image` to `repository` (`HOST[:PORT]/REPO`) under tag VERSION.
///
/// # Errors
/// Exit 2 for a bad reference, 3 when the registry fails or refuses the media types.
pub(crate) fn publish(
    repository: &str,
    version: &str,
    image: &modelci_oci::Image,
) -> Result<Pushed, Failure> {
    let reference: Reference = format!("oci://{repository}:{version}")
        .parse()
        .map_err(|e: OciError| Failure::bad_input(anyhow!("--to oci://{repository}: {e}")))?;
    Client::new(Credentials::from_env())
        .push_image(&reference, image)
        .map_err(|e| match e {
            OciError::InvalidReference { .. } | OciError::MissingTag { .. } => {
                Failure::bad_input(e)
            }
            other => Failure::forge(other),
        })
}
