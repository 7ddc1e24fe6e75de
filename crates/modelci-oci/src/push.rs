//! Pushing an artifact: blobs (skipped when the registry has them), then the manifest.

use std::collections::BTreeMap;
use std::path::PathBuf;

use reqwest::{Method, StatusCode, Url};

use crate::client::{Body, Client, Request, error_detail};
use crate::digest::{file_digest, sha256_digest};
use crate::error::OciError;
use crate::manifest::{
    CONFIG_MEDIA_TYPE, Descriptor, EMPTY_CONFIG, EMPTY_CONFIG_MEDIA_TYPE, MANIFEST_MEDIA_TYPE,
    Manifest, TITLE_ANNOTATION,
};
use crate::reference::Reference;
use crate::title::check_titles;

/// Header in which registries report the digest of what they stored.
pub(crate) const CONTENT_DIGEST: &str = "Docker-Content-Digest";

/// One file of an artifact, pushed as one layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactFile {
    /// The file on disk (streamed, never loaded whole).
    pub path: PathBuf,
    /// Layer media type, e.g. `application/octet-stream` or `application/json`.
    pub media_type: String,
    /// File name on pull ([`TITLE_ANNOTATION`]); a plain name, no `/` or `..`.
    pub title: String,
    /// Extra layer annotations (the title is added from [`ArtifactFile::title`]).
    pub annotations: BTreeMap<String, String>,
}

impl ArtifactFile {
    /// A layer for `path` titled with its file name (empty if it has none, which push refuses).
    pub fn new(path: impl Into<PathBuf>, media_type: impl Into<String>) -> Self {
        let path = path.into();
        let title = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        ArtifactFile {
            path,
            media_type: media_type.into(),
            title,
            annotations: BTreeMap::new(),
        }
    }
}

/// What to push: files, artifact type, manifest annotations, optional config.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushRequest {
    /// The manifest's `artifactType`, e.g. [`crate::BUNDLE_ARTIFACT_TYPE`].
    pub artifact_type: String,
    /// One layer per file, in this order.
    pub files: Vec<ArtifactFile>,
    /// Manifest annotations, e.g. [`crate::VERSION_ANNOTATION`], [`crate::CREATED_ANNOTATION`].
    /// Keep them fixed for a given release: pushing the same files and annotations again gives
    /// the same manifest digest.
    pub annotations: BTreeMap<String, String>,
    /// A config blob (media type [`CONFIG_MEDIA_TYPE`]); `None` = the OCI empty config `{}`
    /// ([`EMPTY_CONFIG_MEDIA_TYPE`]), as ORAS does.
    pub config: Option<Vec<u8>>,
}

/// What a push produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pushed {
    /// `sha256:…` digest of the manifest (verified against the registry's answer).
    pub digest: String,
    /// `host/repo:tag@sha256:…`.
    pub reference: String,
    /// Size of the manifest in bytes.
    pub size: u64,
    /// `(title, digest)` of every layer, in order.
    pub layers: Vec<(String, String)>,
    /// Blobs (config and layers) uploaded by this push.
    pub uploaded: usize,
    /// Blobs the registry already had (not sent again).
    pub skipped: usize,
}

impl Client {
    /// Pushes `req` as an OCI artifact to `target` (which needs a tag): every blob the registry
    /// lacks is uploaded (monolithic `POST` + `PUT`, streamed from disk), then the manifest is
    /// put under the tag and the registry's digest checked against ours.
    pub fn push(&self, target: &Reference, req: &PushRequest) -> Result<Pushed, OciError> {
        let name = target.to_string();
        let Some(tag) = target.tag.as_deref() else {
            return Err(OciError::MissingTag {
                reference: name,
                needed: "tag",
            });
        };
        check_titles(&name, req.files.iter().map(|f| f.title.as_str()))?;

        let mut layers = Vec::with_capacity(req.files.len());
        for file in &req.files {
            let (digest, size) = file_digest(&file.path).map_err(|source| OciError::ReadFile {
                path: file.path.clone(),
                source,
            })?;
            let mut annotations = file.annotations.clone();
            annotations.insert(TITLE_ANNOTATION.to_owned(), file.title.clone());
            layers.push(Descriptor {
                media_type: file.media_type.clone(),
                digest,
                size,
                annotations,
                artifact_type: None,
            });
        }
        let (config_bytes, config_type) = match &req.config {
            Some(bytes) => (bytes.as_slice(), CONFIG_MEDIA_TYPE),
            None => (EMPTY_CONFIG, EMPTY_CONFIG_MEDIA_TYPE),
        };
        let config = Descriptor {
            media_type: config_type.to_owned(),
            digest: sha256_digest(config_bytes),
            size: config_bytes.len() as u64,
            annotations: BTreeMap::new(),
            artifact_type: None,
        };

        let (mut uploaded, mut skipped) = (0, 0);
        let mut count = |sent: bool| if sent { uploaded += 1 } else { skipped += 1 };
        count(self.ensure_blob(target, &config, Body::Bytes(config_bytes))?);
        for (file, layer) in req.files.iter().zip(&layers) {
            count(self.ensure_blob(target, layer, Body::File(&file.path, layer.size))?);
        }

        let manifest = Manifest {
            schema_version: 2,
            media_type: Some(MANIFEST_MEDIA_TYPE.to_owned()),
            artifact_type: Some(req.artifact_type.clone()).filter(|t| !t.is_empty()),
            config,
            layers,
            annotations: req.annotations.clone(),
        };
        let bytes = serde_json::to_vec(&manifest).map_err(|e| OciError::InvalidManifest {
            reference: name.clone(),
            reason: e.to_string(),
        })?;
        let digest = sha256_digest(&bytes);
        self.put_manifest(target, tag, &bytes, &digest, MANIFEST_MEDIA_TYPE)?;

        Ok(Pushed {
            reference: format!("{}/{}:{tag}@{digest}", target.registry, target.repository),
            digest,
            size: bytes.len() as u64,
            layers: manifest
                .layers
                .iter()
                .map(|l| (l.title().unwrap_or_default().to_owned(), l.digest.clone()))
                .collect(),
            uploaded,
            skipped,
        })
    }

    /// Makes sure the registry has the blob; returns whether it had to be uploaded.
    pub(crate) fn ensure_blob(
        &self,
        target: &Reference,
        blob: &Descriptor,
        body: Body<'_>,
    ) -> Result<bool, OciError> {
        let registry = target.registry.as_str();
        let blob_url = self.url(target, &format!("blobs/{}", blob.digest))?;
        let resp = self.send(registry, &Request::new(Method::HEAD, blob_url))?;
        match resp.status() {
            StatusCode::OK => return Ok(false),
            StatusCode::NOT_FOUND => {}
            status => {
                return Err(status_error(
                    target,
                    format!("HEAD blob {}", blob.digest),
                    status,
                    resp,
                ));
            }
        }

        let start_url = self.url(target, "blobs/uploads/")?;
        let resp = self.send(
            registry,
            &Request::new(Method::POST, start_url.clone()).header("Content-Length", "0"),
        )?;
        if resp.status() != StatusCode::ACCEPTED {
            let status = resp.status();
            return Err(status_error(
                target,
                "POST blob upload".into(),
                status,
                resp,
            ));
        }
        let location = resp
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| OciError::Status {
                registry: registry.to_owned(),
                operation: "POST blob upload".into(),
                status: 202,
                detail: "no Location header".into(),
            })?;
        let mut put_url = upload_url(&start_url, location).map_err(|detail| OciError::Status {
            registry: registry.to_owned(),
            operation: "POST blob upload".into(),
            status: 202,
            detail,
        })?;
        put_url
            .query_pairs_mut()
            .append_pair("digest", &blob.digest);

        let put = Request::new(Method::PUT, put_url)
            .header("Content-Type", "application/octet-stream")
            .body(body)
            .blob();
        let resp = self.send(registry, &put)?;
        if resp.status() != StatusCode::CREATED {
            let status = resp.status();
            return Err(status_error(
                target,
                format!("PUT blob {}", blob.digest),
                status,
                resp,
            ));
        }
        check_reported_digest(
            &resp,
            &format!("blob {} of {target}", blob.digest),
            &blob.digest,
        )?;
        Ok(true)
    }

    /// Puts a manifest or index (`media_type`) under `tag` (a tag or a digest).
    pub(crate) fn put_manifest(
        &self,
        target: &Reference,
        tag: &str,
        bytes: &[u8],
        digest: &str,
        media_type: &str,
    ) -> Result<(), OciError> {
        let url = self.url(target, &format!("manifests/{tag}"))?;
        let req = Request::new(Method::PUT, url)
            .header("Content-Type", media_type)
            .body(Body::Bytes(bytes));
        let resp = self.send(&target.registry, &req)?;
        if resp.status() != StatusCode::CREATED {
            let status = resp.status();
            return Err(status_error(
                target,
                format!("PUT manifest {}:{tag}", target.repository),
                status,
                resp,
            ));
        }
        check_reported_digest(&resp, &format!("manifest of {target}"), digest)
    }
}

/// The `Location` of an upload session, relative to the `POST` URL or absolute.
fn upload_url(start: &Url, location: &str) -> Result<Url, String> {
    let url = start
        .join(location)
        .map_err(|e| format!("bad Location header {location:?}: {e}"))?;
    if url.scheme() != start.scheme() || url.host_str() != start.host_str() {
        // Some registries hand uploads to another host (storage redirect); that is allowed, but
        // never from HTTPS down to plain HTTP.
        if start.scheme() == "https" && url.scheme() != "https" {
            return Err(format!("Location {location:?} downgrades to plain HTTP"));
        }
    }
    Ok(url)
}

/// When the registry reports a digest, it must be ours.
fn check_reported_digest(
    resp: &reqwest::blocking::Response,
    what: &str,
    expected: &str,
) -> Result<(), OciError> {
    match resp
        .headers()
        .get(CONTENT_DIGEST)
        .and_then(|v| v.to_str().ok())
    {
        Some(reported) if reported != expected => Err(OciError::DigestMismatch {
            what: format!("{what} as stored by the registry"),
            expected: expected.to_owned(),
            actual: reported.to_owned(),
        }),
        _ => Ok(()),
    }
}

/// An unexpected status, with the registry's error codes.
pub(crate) fn status_error(
    target: &Reference,
    operation: String,
    status: StatusCode,
    resp: reqwest::blocking::Response,
) -> OciError {
    OciError::Status {
        registry: target.registry.clone(),
        operation: format!("{operation} ({target})"),
        status: status.as_u16(),
        detail: error_detail(resp),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_location_relative_absolute_and_query() {
        let start =
            Url::parse("http://r:5000/v2/a/blobs/uploads/").unwrap_or_else(|e| panic!("{e}"));
        let rel = upload_url(&start, "/v2/a/blobs/uploads/uuid?_state=x")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            rel.as_str(),
            "http://r:5000/v2/a/blobs/uploads/uuid?_state=x"
        );
        let abs = upload_url(&start, "http://other:1/up/1").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(abs.as_str(), "http://other:1/up/1");
        let tls = Url::parse("https://r/v2/a/blobs/uploads/").unwrap_or_else(|e| panic!("{e}"));
        assert!(upload_url(&tls, "http://evil/up").is_err());
        let mut with_digest = rel;
        with_digest
            .query_pairs_mut()
            .append_pair("digest", "sha256:ab");
        assert_eq!(with_digest.query(), Some("_state=x&digest=sha256%3Aab"));
    }

    #[test]
    fn artifact_file_title_defaults_to_file_name() {
        let f = ArtifactFile::new("some/dir/model.onnx", "application/octet-stream");
        assert_eq!(f.title, "model.onnx");
    }
}
