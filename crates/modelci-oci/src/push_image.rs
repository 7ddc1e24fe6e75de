//! Pushing an [`Image`]: every blob the registry lacks, each platform's manifest by digest,
//! then the index under the tag.

use crate::client::{Body, Client};
use crate::error::OciError;
use crate::image::{IMAGE_CONFIG_MEDIA_TYPE, Image, LAYER_MEDIA_TYPE};
use crate::manifest::{INDEX_MEDIA_TYPE, MANIFEST_MEDIA_TYPE};
use crate::push::Pushed;
use crate::reference::Reference;

impl Client {
    /// Pushes `image` to `target` (which needs a tag): blobs the registry lacks, each manifest
    /// by its digest, then the index under the tag. Each digest the registry reports is checked.
    ///
    /// # Errors
    /// [`OciError::MediaTypeRefused`] when the registry refuses a manifest or the index as
    /// invalid or of an unsupported media type (naming the media types); any other
    /// [`OciError`] of [`Client::push`].
    pub fn push_image(&self, target: &Reference, image: &Image) -> Result<Pushed, OciError> {
        let name = target.to_string();
        let Some(tag) = target.tag.as_deref() else {
            return Err(OciError::MissingTag {
                reference: name,
                needed: "tag",
            });
        };
        let (mut uploaded, mut skipped) = (0, 0);
        for blob in &image.blobs {
            if self.ensure_blob(target, &blob.descriptor(), Body::Bytes(&blob.bytes))? {
                uploaded += 1;
            } else {
                skipped += 1;
            }
        }
        for (_, manifest) in &image.manifests {
            self.put_manifest(
                target,
                &manifest.digest,
                &manifest.bytes,
                &manifest.digest,
                MANIFEST_MEDIA_TYPE,
            )
            .map_err(media_types_refused)?;
        }
        let index = &image.index;
        self.put_manifest(target, tag, &index.bytes, &index.digest, INDEX_MEDIA_TYPE)
            .map_err(media_types_refused)?;
        Ok(Pushed {
            reference: format!(
                "{}/{}:{tag}@{}",
                target.registry, target.repository, index.digest
            ),
            digest: index.digest.clone(),
            size: index.bytes.len() as u64,
            layers: Vec::new(),
            uploaded,
            skipped,
        })
    }
}

/// A `400 MANIFEST_INVALID`/`UNSUPPORTED` or `415` answer to a manifest or index put names
/// the media types the image uses.
fn media_types_refused(e: OciError) -> OciError {
    match e {
        OciError::Status {
            registry,
            operation,
            status,
            detail,
        } if status == 415
            || (status == 400
                && (detail.contains("MANIFEST_INVALID") || detail.contains("UNSUPPORTED"))) =>
        {
            OciError::MediaTypeRefused {
                registry,
                operation,
                status,
                media_types: [
                    INDEX_MEDIA_TYPE,
                    MANIFEST_MEDIA_TYPE,
                    IMAGE_CONFIG_MEDIA_TYPE,
                    LAYER_MEDIA_TYPE,
                ]
                .join(", "),
                detail,
            }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_of_the_media_types_name_them() {
        let status = |status: u16, detail: &str| OciError::Status {
            registry: "r".into(),
            operation: "PUT manifest".into(),
            status,
            detail: detail.into(),
        };
        let text = media_types_refused(status(415, "")).to_string();
        assert!(
            text.contains(INDEX_MEDIA_TYPE) && text.contains(LAYER_MEDIA_TYPE),
            "{text}"
        );
        assert!(matches!(
            media_types_refused(status(400, "MANIFEST_INVALID: manifest invalid")),
            OciError::MediaTypeRefused { .. }
        ));
        assert!(matches!(
            media_types_refused(status(400, "MANIFEST_BLOB_UNKNOWN")),
            OciError::Status { .. }
        ));
    }
}
