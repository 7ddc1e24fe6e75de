//! Reading artifacts back: manifests (digest-checked), tag checks, and pulling every titled
//! layer into a folder, verified before anything lands there.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use reqwest::{Method, StatusCode};

use crate::client::{Client, Request};
use crate::digest::{HashingWriter, read_limited, sha256_digest};
use crate::error::OciError;
use crate::manifest::{INDEX_MEDIA_TYPE, MANIFEST_MEDIA_TYPE, Manifest};
use crate::push::{CONTENT_DIGEST, status_error};
use crate::reference::{Reference, check_digest};
use crate::title::check_titles;

/// Largest manifest we accept (the distribution registry's own limit is 4 MiB).
const MANIFEST_LIMIT: u64 = 4 * 1024 * 1024;

impl Client {
    /// Fetches the manifest `r` names (tag or digest) and its digest. The digest is computed from
    /// the bytes received and must equal the reference's digest (if it has one) and the one the
    /// registry reports.
    pub fn fetch_manifest(&self, r: &Reference) -> Result<(String, Manifest), OciError> {
        let name = r.to_string();
        let Some(reference) = r.manifest_reference() else {
            return Err(OciError::MissingTag {
                reference: name,
                needed: "tag or digest",
            });
        };
        let url = self.url(r, &format!("manifests/{reference}"))?;
        let req = Request::new(Method::GET, url).header(
            "Accept",
            format!("{MANIFEST_MEDIA_TYPE}, {INDEX_MEDIA_TYPE}"),
        );
        let resp = self.send(&r.registry, &req)?;
        match resp.status() {
            StatusCode::OK => {}
            StatusCode::NOT_FOUND => return Err(OciError::NotFound { reference: name }),
            status => return Err(status_error(r, "GET manifest".into(), status, resp)),
        }
        let reported = resp
            .headers()
            .get(CONTENT_DIGEST)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let invalid = |reason: String| OciError::InvalidManifest {
            reference: name.clone(),
            reason,
        };
        let bytes =
            read_limited(resp, MANIFEST_LIMIT).map_err(|e| invalid(format!("reading it: {e}")))?;
        let digest = sha256_digest(&bytes);
        for expected in [r.digest.as_ref(), reported.as_ref()].into_iter().flatten() {
            if *expected != digest {
                return Err(OciError::DigestMismatch {
                    what: format!("manifest of {name}"),
                    expected: expected.clone(),
                    actual: digest,
                });
            }
        }
        let value: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|e| invalid(format!("not JSON: {e}")))?;
        match value.get("mediaType").and_then(|m| m.as_str()) {
            Some(INDEX_MEDIA_TYPE) => {
                return Err(invalid(
                    "it is an image index, not a single artifact manifest".into(),
                ));
            }
            Some(MANIFEST_MEDIA_TYPE) | None => {}
            Some(other) => return Err(invalid(format!("unsupported media type {other:?}"))),
        }
        let manifest: Manifest = serde_json::from_value(value)
            .map_err(|e| invalid(format!("not an OCI image manifest: {e}")))?;
        if manifest.schema_version != 2 {
            return Err(invalid(format!(
                "schemaVersion {} (expected 2)",
                manifest.schema_version
            )));
        }
        for descriptor in std::iter::once(&manifest.config).chain(&manifest.layers) {
            check_digest(&descriptor.digest).map_err(invalid)?;
        }
        Ok((digest, manifest))
    }

    /// Whether the tag (or digest) `r` names exists in the registry (a missing repository counts
    /// as a missing tag).
    pub fn tag_exists(&self, r: &Reference) -> Result<bool, OciError> {
        let Some(reference) = r.manifest_reference() else {
            return Err(OciError::MissingTag {
                reference: r.to_string(),
                needed: "tag or digest",
            });
        };
        let url = self.url(r, &format!("manifests/{reference}"))?;
        let req = Request::new(Method::HEAD, url).header(
            "Accept",
            format!("{MANIFEST_MEDIA_TYPE}, {INDEX_MEDIA_TYPE}"),
        );
        let resp = self.send(&r.registry, &req)?;
        match resp.status() {
            StatusCode::OK => Ok(true),
            StatusCode::NOT_FOUND => Ok(false),
            status => Err(status_error(r, "HEAD manifest".into(), status, resp)),
        }
    }

    /// Pulls every titled layer of `r` into `dir` (created if missing) as `dir/<title>`, like
    /// `oras pull`; layers without a title are skipped. Titles must be plain file names (no `/`,
    /// `\`, `..`, absolute paths). Every blob is streamed to a temporary file in `dir` and its
    /// size and sha256 checked; only when all are good are they renamed into place, so a failed
    /// pull leaves no partial files. Returns the written paths in layer order.
    pub fn pull_to_dir(&self, r: &Reference, dir: &Path) -> Result<Vec<PathBuf>, OciError> {
        let (manifest_digest, manifest) = self.fetch_manifest(r)?;
        let name = r.to_string();
        let titled: Vec<_> = manifest
            .layers
            .iter()
            .filter_map(|l| l.title().map(|t| (t, l)))
            .collect();
        check_titles(&name, titled.iter().map(|(t, _)| *t))?;
        std::fs::create_dir_all(dir).map_err(|source| OciError::WriteFile {
            path: dir.to_owned(),
            source,
        })?;

        // Pin the blobs to the manifest we verified (a tag could move meanwhile).
        let pinned = Reference {
            digest: Some(manifest_digest),
            ..r.clone()
        };
        let mut staged = Vec::with_capacity(titled.len());
        for (title, layer) in &titled {
            let what = format!("layer {title:?} of {name}");
            let temp = tempfile::Builder::new()
                .prefix(".modelci-pull-")
                .tempfile_in(dir)
                .map_err(|source| OciError::WriteFile {
                    path: dir.to_owned(),
                    source,
                })?;
            let url = self.url(&pinned, &format!("blobs/{}", layer.digest))?;
            let resp = self.send(&r.registry, &Request::new(Method::GET, url).blob())?;
            if resp.status() != StatusCode::OK {
                let status = resp.status();
                return Err(status_error(
                    r,
                    format!("GET blob {} ({title})", layer.digest),
                    status,
                    resp,
                ));
            }
            let mut writer = HashingWriter::new(temp);
            // One byte more than announced is enough to know the blob is too long.
            let copied = std::io::copy(&mut resp.take(layer.size + 1), &mut writer);
            if let Err(e) = copied {
                return Err(OciError::Unreachable {
                    registry: r.registry.clone(),
                    detail: format!("reading {what}: {e}"),
                });
            }
            if writer.written() != layer.size {
                return Err(OciError::SizeMismatch {
                    what,
                    expected: layer.size,
                    actual: writer.written(),
                });
            }
            let actual = writer.digest();
            if actual != layer.digest {
                return Err(OciError::DigestMismatch {
                    what,
                    expected: layer.digest.clone(),
                    actual,
                });
            }
            let mut temp = writer.into_inner();
            temp.flush()
                .and_then(|()| temp.as_file().sync_all())
                .map_err(|source| OciError::WriteFile {
                    path: temp.path().to_owned(),
                    source,
                })?;
            staged.push((dir.join(title), temp));
        }

        let mut written = Vec::with_capacity(staged.len());
        for (path, temp) in staged {
            temp.persist(&path).map_err(|e| OciError::WriteFile {
                path: path.clone(),
                source: e.error,
            })?;
            written.push(path);
        }
        Ok(written)
    }
}
