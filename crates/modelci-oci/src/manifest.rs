//! OCI image manifest and descriptor types (image-spec v1.1), as ORAS writes artifacts.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Media type of an OCI image manifest.
pub const MANIFEST_MEDIA_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
/// Media type of an OCI image index (not supported for pull; named in errors).
pub const INDEX_MEDIA_TYPE: &str = "application/vnd.oci.image.index.v1+json";
/// Media type of the empty config blob `{}` used by artifacts without a config.
pub const EMPTY_CONFIG_MEDIA_TYPE: &str = "application/vnd.oci.empty.v1+json";
/// The empty config blob itself.
pub const EMPTY_CONFIG: &[u8] = b"{}";
/// Media type given to a caller-supplied config blob ([`crate::PushRequest::config`]).
pub const CONFIG_MEDIA_TYPE: &str = "application/vnd.modelci.config.v1+json";
/// Artifact type of a modelci bundle.
pub const BUNDLE_ARTIFACT_TYPE: &str = "application/vnd.modelci.bundle.v1+json";
/// Annotation holding a layer's file name (what `oras pull` writes it as).
pub const TITLE_ANNOTATION: &str = "org.opencontainers.image.title";
/// Manifest annotation: the artifact's version.
pub const VERSION_ANNOTATION: &str = "org.opencontainers.image.version";
/// Manifest annotation: creation time (RFC 3339).
pub const CREATED_ANNOTATION: &str = "org.opencontainers.image.created";
/// Manifest annotation: URL of the source repository.
pub const SOURCE_ANNOTATION: &str = "org.opencontainers.image.source";
/// Manifest annotation: commit the artifact was built from.
pub const REVISION_ANNOTATION: &str = "org.opencontainers.image.revision";

/// A content descriptor: media type, digest and size of a blob, with annotations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    /// Media type of the blob.
    pub media_type: String,
    /// `sha256:…` digest of the blob.
    pub digest: String,
    /// Size in bytes.
    pub size: u64,
    /// Annotations, e.g. [`TITLE_ANNOTATION`].
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// Artifact type (only on descriptors of artifacts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
}

impl Descriptor {
    /// The layer's file name ([`TITLE_ANNOTATION`]), if any.
    pub fn title(&self) -> Option<&str> {
        self.annotations.get(TITLE_ANNOTATION).map(String::as_str)
    }
}

/// An OCI image manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// Always 2.
    pub schema_version: u32,
    /// [`MANIFEST_MEDIA_TYPE`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// What kind of artifact this is, e.g. [`BUNDLE_ARTIFACT_TYPE`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    /// The config blob.
    pub config: Descriptor,
    /// One layer per file.
    pub layers: Vec<Descriptor>,
    /// Manifest annotations (version, created, source, …).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_with_oci_field_names_and_omits_empty_parts() {
        let m = Manifest {
            schema_version: 2,
            media_type: Some(MANIFEST_MEDIA_TYPE.into()),
            artifact_type: Some(BUNDLE_ARTIFACT_TYPE.into()),
            config: Descriptor {
                media_type: EMPTY_CONFIG_MEDIA_TYPE.into(),
                digest: "sha256:x".into(),
                size: 2,
                annotations: BTreeMap::new(),
                artifact_type: None,
            },
            layers: vec![],
            annotations: BTreeMap::new(),
        };
        let json = serde_json::to_string(&m).unwrap_or_default();
        assert_eq!(
            json,
            r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/vnd.modelci.bundle.v1+json","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:x","size":2},"layers":[]}"#
        );
    }
}
