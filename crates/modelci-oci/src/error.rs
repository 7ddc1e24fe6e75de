//! The one error type of this crate: one-line messages naming the registry or reference.

use std::path::PathBuf;

/// What went wrong talking to a registry or handling an artifact. Messages never contain
/// credentials or tokens.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OciError {
    /// The reference text does not parse.
    #[error("invalid OCI reference {input:?}: {reason}")]
    InvalidReference {
        /// What the user gave.
        input: String,
        /// Why it was refused.
        reason: String,
    },
    /// The operation needs a tag (push) or a tag or digest (fetch, pull) and the reference has none.
    #[error("OCI reference {reference} names no {needed}")]
    MissingTag {
        /// The reference.
        reference: String,
        /// What was needed, e.g. "tag".
        needed: &'static str,
    },
    /// A local file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A local file or directory could not be written.
    #[error("cannot write {}: {source}", path.display())]
    WriteFile {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A layer title is not a plain file name (path separators, `..`, absolute paths).
    #[error("refusing layer title {title:?} in {reference}: {reason}")]
    UnsafeTitle {
        /// The reference being pushed or pulled.
        reference: String,
        /// The offending title.
        title: String,
        /// Why it is unsafe.
        reason: &'static str,
    },
    /// Two layers carry the same title.
    #[error("two layers of {reference} are titled {title:?}")]
    DuplicateTitle {
        /// The reference being pushed or pulled.
        reference: String,
        /// The repeated title.
        title: String,
    },
    /// The registry could not be reached (after retries).
    #[error("cannot reach registry {registry}: {detail}")]
    Unreachable {
        /// `host[:port]`.
        registry: String,
        /// The transport error, without the URL's credentials (there are none in URLs).
        detail: String,
    },
    /// The registry wants credentials and none were given.
    #[error(
        "registry {registry} requires credentials: set MODELCI_OCI_USERNAME and MODELCI_OCI_PASSWORD, or MODELCI_OCI_TOKEN"
    )]
    CredentialsRequired {
        /// `host[:port]`.
        registry: String,
    },
    /// The registry (or its token service) rejected the credentials or the token obtained with them.
    #[error("registry {registry} refused the credentials")]
    CredentialsRefused {
        /// `host[:port]`.
        registry: String,
    },
    /// The token service answered something unusable.
    #[error("token service of registry {registry} failed: {reason}")]
    TokenService {
        /// `host[:port]`.
        registry: String,
        /// What was wrong (status code or body shape; never the body itself).
        reason: String,
    },
    /// The manifest (tag or digest) does not exist.
    #[error("{reference} not found in the registry")]
    NotFound {
        /// The reference.
        reference: String,
    },
    /// The registry answered an unexpected status.
    #[error("registry {registry} answered {status} to {operation}{}", if detail.is_empty() { String::new() } else { format!(": {detail}") })]
    Status {
        /// `host[:port]`.
        registry: String,
        /// What we asked, e.g. `PUT manifest digits:1.0.0`.
        operation: String,
        /// The HTTP status.
        status: u16,
        /// The registry's error codes and messages, if it sent OCI error JSON.
        detail: String,
    },
    /// Content does not hash to the digest it should have.
    #[error("digest mismatch for {what}: expected {expected}, got {actual}")]
    DigestMismatch {
        /// What was checked, e.g. `layer "model.onnx" of host/repo:tag`.
        what: String,
        /// The digest from the manifest or reference.
        expected: String,
        /// The digest of what arrived (or what the registry reported).
        actual: String,
    },
    /// Content has a different size than its descriptor says.
    #[error("size mismatch for {what}: expected {expected} bytes, got {actual}")]
    SizeMismatch {
        /// What was checked.
        what: String,
        /// Size from the descriptor.
        expected: u64,
        /// Bytes received.
        actual: u64,
    },
    /// The manifest is not an OCI image manifest we can read.
    #[error("invalid manifest for {reference}: {reason}")]
    InvalidManifest {
        /// The reference.
        reference: String,
        /// What was wrong.
        reason: String,
    },
    /// An image cannot be built from what was given.
    #[error("cannot build the OCI image: {reason}")]
    InvalidImage {
        /// What was wrong.
        reason: String,
    },
    /// The registry refused a manifest or index of an image, which usually means it does not
    /// accept the OCI image media types.
    #[error("registry {registry} refused the image ({status} to {operation}); it must accept the media types {media_types}{}", if detail.is_empty() { String::new() } else { format!(": {detail}") })]
    MediaTypeRefused {
        /// `host[:port]`.
        registry: String,
        /// What we asked.
        operation: String,
        /// The HTTP status.
        status: u16,
        /// The media types the image uses, comma-separated.
        media_types: String,
        /// The registry's error codes and messages.
        detail: String,
    },
}
