//! OCI images built without a container daemon: KServe "modelcar" images that carry a model
//! under `/models` and a static busybox to keep the container running.
//!
//! # What an image holds
//!
//! One image manifest per platform (`linux/amd64`, `linux/arm64`, …), gathered in an image
//! index tagged with the version. Each manifest has two gzip layers:
//!
//! 1. `bin/busybox` for that platform (a static binary, mode 0755) with `bin/sh`, `bin/sleep`
//!    and `bin/ln` linked to it: KServe starts a modelcar container with a shell command that
//!    links `/models` into the shared volume and then sleeps, so the image needs those three.
//! 2. `models/…`: the files given, the same bytes for every platform (so the registry stores
//!    that layer once).
//!
//! # Deterministic
//!
//! The same files and annotations give the same digests, byte for byte: tar entries sorted by
//! path, directories before what they hold, mtime 0, uid/gid 0 with no user or group names,
//! modes 0644 (files) and 0755 (directories, busybox); gzip at level 6 with mtime 0, no file
//! name and OS byte 255 ("unknown"); JSON with a fixed key order. The image config's `created`
//! is the time given by the caller (`SOURCE_DATE_EPOCH` or the commit time), never the clock.
//!
//! Blobs are built in memory; a model of a few hundred megabytes is fine, a model of tens of
//! gigabytes would want streaming.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::json;

use crate::digest::sha256_digest;
use crate::error::OciError;
use crate::manifest::{Descriptor, INDEX_MEDIA_TYPE, MANIFEST_MEDIA_TYPE, Manifest};

/// Media type of an image config.
pub const IMAGE_CONFIG_MEDIA_TYPE: &str = "application/vnd.oci.image.config.v1+json";
/// Media type of a gzip-compressed tar layer.
pub const LAYER_MEDIA_TYPE: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
/// Where the files go inside the image (KServe mounts `/models` of a modelcar).
pub const MODELS_DIR: &str = "models";

/// Where an image file's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageSource {
    /// Bytes in memory.
    Bytes(Vec<u8>),
    /// A file on disk.
    File(PathBuf),
}

/// One file under `/models`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageFile {
    /// Path below `/models`, `/`-separated, relative, no `..`.
    pub path: String,
    /// Its content.
    pub source: ImageSource,
}

/// One platform of the image and the static busybox built for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImagePlatform {
    /// OCI architecture name: `amd64` or `arm64`.
    pub architecture: String,
    /// The static busybox binary for that architecture (its ELF machine is checked).
    pub busybox: PathBuf,
}

/// What to build.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageRequest {
    /// Files under `/models`.
    pub files: Vec<ImageFile>,
    /// One manifest per platform (at least one).
    pub platforms: Vec<ImagePlatform>,
    /// Annotations of the index and of every manifest (version, created, source, revision).
    pub annotations: BTreeMap<String, String>,
    /// The config's `created` (RFC 3339), if known.
    pub created: Option<String>,
}

/// A blob of the image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    /// Its media type.
    pub media_type: String,
    /// `sha256:…`.
    pub digest: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

impl Blob {
    fn new(media_type: &str, bytes: Vec<u8>) -> Self {
        Blob {
            media_type: media_type.to_owned(),
            digest: sha256_digest(&bytes),
            bytes,
        }
    }

    /// Its descriptor.
    #[must_use]
    pub fn descriptor(&self) -> Descriptor {
        Descriptor {
            media_type: self.media_type.clone(),
            digest: self.digest.clone(),
            size: self.bytes.len() as u64,
            annotations: BTreeMap::new(),
            artifact_type: None,
        }
    }
}

/// A built image: blobs (each once), one manifest per platform, the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// Layers and configs, each digest once, in push order.
    pub blobs: Vec<Blob>,
    /// `(architecture, manifest)` per platform.
    pub manifests: Vec<(String, Blob)>,
    /// The image index (media type [`INDEX_MEDIA_TYPE`]).
    pub index: Blob,
}

/// The `platform` of an index entry.
#[derive(Debug, Serialize)]
struct Platform<'a> {
    architecture: &'a str,
    os: &'a str,
}

/// One entry of an image index.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct IndexEntry<'a> {
    media_type: &'a str,
    digest: &'a str,
    size: u64,
    platform: Platform<'a>,
}

/// An image index.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Index<'a> {
    schema_version: u32,
    media_type: &'a str,
    manifests: Vec<IndexEntry<'a>>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    annotations: &'a BTreeMap<String, String>,
}

/// The ELF `e_machine` of each supported architecture.
fn elf_machine(architecture: &str) -> Option<u16> {
    match architecture {
        "amd64" => Some(62),
        "arm64" => Some(183),
        _ => None,
    }
}

/// Builds the image described by `req`.
///
/// # Errors
/// [`OciError::ReadFile`] for a file that cannot be read; [`OciError::InvalidImage`] for no
/// platform, an unknown architecture, a busybox that is not a 64-bit little-endian ELF binary
/// for its architecture, or a path that is absolute, empty or contains `..`.
pub fn build_image(req: &ImageRequest) -> Result<Image, OciError> {
    if req.platforms.is_empty() {
        return Err(invalid("no platform given (a busybox per architecture)"));
    }
    let models = Blob::new(LAYER_MEDIA_TYPE, models_layer(&req.files)?);
    let models_diff = diff_id(&req.files, models_tar)?;
    let mut blobs: Vec<Blob> = Vec::new();
    let mut manifests = Vec::new();
    let mut seen = BTreeSet::new();
    for platform in &req.platforms {
        if !seen.insert(platform.architecture.as_str()) {
            return Err(invalid(&format!(
                "architecture {} given twice",
                platform.architecture
            )));
        }
        let busybox = read(&platform.busybox)?;
        check_elf(&platform.busybox, &busybox, &platform.architecture)?;
        let busybox_tar = busybox_tar(&busybox)?;
        let busybox_diff = sha256_digest(&busybox_tar);
        let busybox_layer = Blob::new(LAYER_MEDIA_TYPE, gzip(&busybox_tar)?);
        let mut config = json!({
            "architecture": platform.architecture,
            "os": "linux",
            "config": { "Cmd": ["/bin/sleep", "infinity"] },
            "rootfs": { "type": "layers", "diff_ids": [busybox_diff, models_diff] },
        });
        if let (Some(created), Some(obj)) = (&req.created, config.as_object_mut()) {
            obj.insert("created".into(), json!(created));
        }
        let config = Blob::new(IMAGE_CONFIG_MEDIA_TYPE, to_json(&config)?);
        let manifest = Manifest {
            schema_version: 2,
            media_type: Some(MANIFEST_MEDIA_TYPE.to_owned()),
            artifact_type: None,
            config: config.descriptor(),
            layers: vec![busybox_layer.descriptor(), models.descriptor()],
            annotations: req.annotations.clone(),
        };
        let manifest = Blob::new(MANIFEST_MEDIA_TYPE, to_json(&manifest)?);
        for blob in [busybox_layer, config] {
            if !blobs.iter().any(|b| b.digest == blob.digest) {
                blobs.push(blob);
            }
        }
        manifests.push((platform.architecture.clone(), manifest));
    }
    if !blobs.iter().any(|b| b.digest == models.digest) {
        blobs.push(models);
    }
    let index = Index {
        schema_version: 2,
        media_type: INDEX_MEDIA_TYPE,
        manifests: manifests
            .iter()
            .map(|(arch, m)| IndexEntry {
                media_type: MANIFEST_MEDIA_TYPE,
                digest: &m.digest,
                size: m.bytes.len() as u64,
                platform: Platform {
                    architecture: arch,
                    os: "linux",
                },
            })
            .collect(),
        annotations: &req.annotations,
    };
    let index = Blob::new(INDEX_MEDIA_TYPE, to_json(&index)?);
    Ok(Image {
        blobs,
        manifests,
        index,
    })
}

fn invalid(reason: &str) -> OciError {
    OciError::InvalidImage {
        reason: reason.to_owned(),
    }
}

fn read(path: &Path) -> Result<Vec<u8>, OciError> {
    std::fs::read(path).map_err(|source| OciError::ReadFile {
        path: path.to_owned(),
        source,
    })
}

fn to_json<T: Serialize>(value: &T) -> Result<Vec<u8>, OciError> {
    serde_json::to_vec(value).map_err(|e| invalid(&format!("cannot encode JSON: {e}")))
}

/// Refuses a busybox that is not a 64-bit little-endian ELF file for `architecture`.
fn check_elf(path: &Path, bytes: &[u8], architecture: &str) -> Result<(), OciError> {
    let want = elf_machine(architecture).ok_or_else(|| {
        invalid(&format!(
            "unknown architecture {architecture} (expected amd64 or arm64)"
        ))
    })?;
    let machine =
        (bytes.len() >= 20 && bytes.starts_with(b"\x7fELF") && bytes[4] == 2 && bytes[5] == 1)
            .then(|| u16::from_le_bytes([bytes[18], bytes[19]]));
    match machine {
        Some(m) if m == want => Ok(()),
        Some(m) => Err(invalid(&format!(
            "{} is an ELF binary for machine {m}, not {architecture}",
            path.display()
        ))),
        None => Err(invalid(&format!(
            "{} is not a 64-bit little-endian ELF binary",
            path.display()
        ))),
    }
}

/// `sha256` of the uncompressed tar (the config's `diff_ids`).
fn diff_id(
    files: &[ImageFile],
    tar: fn(&[ImageFile]) -> Result<Vec<u8>, OciError>,
) -> Result<String, OciError> {
    Ok(sha256_digest(&tar(files)?))
}

fn models_layer(files: &[ImageFile]) -> Result<Vec<u8>, OciError> {
    gzip(&models_tar(files)?)
}

/// The tar of `/models`: parent folders first, everything sorted.
fn models_tar(files: &[ImageFile]) -> Result<Vec<u8>, OciError> {
    let mut dirs = BTreeSet::from([format!("{MODELS_DIR}/")]);
    let mut sorted: Vec<&ImageFile> = files.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    for file in &sorted {
        let parts: Vec<&str> = file.path.split('/').collect();
        if file.path.is_empty()
            || parts
                .iter()
                .any(|p| p.is_empty() || *p == "." || *p == "..")
            || file.path.contains('\\')
        {
            return Err(invalid(&format!(
                "{:?} is not a relative path below /{MODELS_DIR}",
                file.path
            )));
        }
        for i in 1..parts.len() {
            dirs.insert(format!("{MODELS_DIR}/{}/", parts[..i].join("/")));
        }
    }
    let mut entries: Vec<(String, Option<&ImageFile>)> =
        dirs.into_iter().map(|d| (d, None)).collect();
    for file in sorted {
        entries.push((format!("{MODELS_DIR}/{}", file.path), Some(file)));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let mut tar = tar::Builder::new(Vec::new());
    for (path, file) in entries {
        match file {
            None => append(&mut tar, &path, tar::EntryType::Directory, 0o755, &[])?,
            Some(f) => {
                let bytes = match &f.source {
                    ImageSource::Bytes(b) => std::borrow::Cow::Borrowed(b.as_slice()),
                    ImageSource::File(p) => std::borrow::Cow::Owned(read(p)?),
                };
                if f.path.contains('\0') {
                    return Err(invalid("a path holds a NUL byte"));
                }
                append(&mut tar, &path, tar::EntryType::Regular, 0o644, &bytes)?;
            }
        }
    }
    finish(tar)
}

/// The tar of `/bin`: busybox and the links KServe's modelcar command uses.
fn busybox_tar(busybox: &[u8]) -> Result<Vec<u8>, OciError> {
    let mut tar = tar::Builder::new(Vec::new());
    append(&mut tar, "bin/", tar::EntryType::Directory, 0o755, &[])?;
    append(
        &mut tar,
        "bin/busybox",
        tar::EntryType::Regular,
        0o755,
        busybox,
    )?;
    for applet in ["ln", "sh", "sleep"] {
        let mut header = header(tar::EntryType::Symlink, 0o777, 0);
        tar.append_link(&mut header, format!("bin/{applet}"), "busybox")
            .map_err(|e| invalid(&format!("cannot write the layer: {e}")))?;
    }
    finish(tar)
}

fn header(kind: tar::EntryType, mode: u32, size: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_mode(mode);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(0);
    h.set_size(size);
    h
}

fn append(
    tar: &mut tar::Builder<Vec<u8>>,
    path: &str,
    kind: tar::EntryType,
    mode: u32,
    bytes: &[u8],
) -> Result<(), OciError> {
    let mut h = header(kind, mode, bytes.len() as u64);
    tar.append_data(&mut h, path, bytes)
        .map_err(|e| invalid(&format!("cannot add {path} to the layer: {e}")))
}

fn finish(tar: tar::Builder<Vec<u8>>) -> Result<Vec<u8>, OciError> {
    tar.into_inner()
        .map_err(|e| invalid(&format!("cannot finish the layer: {e}")))
}

/// gzip with a fixed header: mtime 0, no name, OS 255, level 6.
fn gzip(bytes: &[u8]) -> Result<Vec<u8>, OciError> {
    let mut gz = flate2::GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(Vec::new(), flate2::Compression::new(6));
    gz.write_all(bytes)
        .and_then(|()| gz.finish())
        .map_err(|e| invalid(&format!("cannot compress the layer: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tar_entries_are_sorted_with_fixed_metadata() {
        let files = vec![
            ImageFile {
                path: "d/1/model.onnx".into(),
                source: ImageSource::Bytes(b"onnx".to_vec()),
            },
            ImageFile {
                path: "d/config.pbtxt".into(),
                source: ImageSource::Bytes(b"name: \"d\"\n".to_vec()),
            },
        ];
        let bytes = models_tar(&files).unwrap_or_default();
        let mut archive = tar::Archive::new(bytes.as_slice());
        let mut seen = Vec::new();
        for entry in archive.entries().into_iter().flatten().flatten() {
            let h = entry.header();
            assert_eq!(h.mtime().ok(), Some(0));
            assert_eq!((h.uid().ok(), h.gid().ok()), (Some(0), Some(0)));
            seen.push(
                entry
                    .path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
            );
        }
        assert_eq!(
            seen,
            [
                "models/",
                "models/d/",
                "models/d/1/",
                "models/d/1/model.onnx",
                "models/d/config.pbtxt"
            ]
        );
        assert_eq!(models_tar(&files).unwrap_or_default(), bytes);
        let gz = gzip(&bytes).unwrap_or_default();
        assert_eq!(&gz[..10], &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
    }

    #[test]
    fn refuses_escaping_paths_and_foreign_binaries() {
        for bad in ["", "../x", "a//b", "/etc/passwd", "a\\b"] {
            let files = vec![ImageFile {
                path: bad.into(),
                source: ImageSource::Bytes(Vec::new()),
            }];
            assert!(models_tar(&files).is_err(), "{bad:?}");
        }
        let mut elf = b"\x7fELF\x02\x01".to_vec();
        elf.resize(20, 0);
        elf[18] = 183;
        assert!(check_elf(Path::new("bb"), &elf, "arm64").is_ok());
        assert!(check_elf(Path::new("bb"), &elf, "amd64").is_err());
        assert!(check_elf(Path::new("bb"), b"#!/bin/sh", "amd64").is_err());
    }
}
