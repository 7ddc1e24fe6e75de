//! An OCI distribution client for model bundles, pushed and pulled as ORAS-compatible artifacts.
//!
//! `publish` pushes a release bundle to `oci://HOST/REPO:VERSION`; `eval-diff` pulls it back as a
//! baseline. Both talk to any registry that speaks the [OCI distribution spec] (the CNCF
//! distribution registry, GHCR, GitLab's container registry, Harbor, ECR, ACR, …) through this
//! crate. Nothing here knows about models: an artifact is a list of files.
//!
//! # The artifact format
//!
//! An OCI image manifest (`application/vnd.oci.image.manifest.v1+json`) with an `artifactType`
//! (e.g. [`BUNDLE_ARTIFACT_TYPE`]), the empty config `{}` (`application/vnd.oci.empty.v1+json`)
//! unless a config is given, and one layer per file whose [`TITLE_ANNOTATION`]
//! (`org.opencontainers.image.title`) is the file name. That is what `oras push` writes, so
//! `oras pull` gives the files back by name, and `skopeo inspect --raw` shows the manifest.
//!
//! # Operations
//!
//! - [`Client::push`]: every blob the registry lacks is uploaded (a `HEAD` finds the others, so a
//!   second push of the same files sends nothing but the manifest), streamed from disk with a
//!   monolithic `POST` + `PUT`; then the manifest is put under the tag. The registry's
//!   `Docker-Content-Digest` must match ours.
//! - [`Client::fetch_manifest`], [`Client::tag_exists`]: read a manifest (digest-checked) or ask
//!   whether a tag exists.
//! - [`Client::pull_to_dir`]: every titled layer into a folder, each blob's size and sha256
//!   verified, titles with `/`, `\`, `..` or absolute paths refused, and nothing written unless
//!   everything checked out.
//!
//! # Images
//!
//! [`build_image`] makes a multi-platform OCI image without a container daemon (the KServe
//! "modelcar" shape: files under `/models`, a static busybox per platform; deterministic, see
//! [`image`]), and [`Client::push_image`] pushes its blobs, one manifest per platform and the
//! index under the tag.
//!
//! # Authentication and transport
//!
//! [`Credentials`]: anonymous, Basic (user + password or access token) or a ready Bearer token;
//! [`Credentials::from_env`] reads `MODELCI_OCI_USERNAME`/`MODELCI_OCI_PASSWORD` or
//! `MODELCI_OCI_TOKEN`. On a `401` with a `Bearer` challenge the client asks the challenge's
//! token service (with the Basic credentials, if any), caches the token per registry and retries
//! once; a second `401` is [`OciError::CredentialsRefused`]. Secrets never appear in `Debug`
//! output or error messages. Connection errors and 5xx answers are retried, three attempts in
//! all. Loopback registries (`localhost`, `127.0.0.1`, `[::1]`) use plain HTTP, others HTTPS
//! (rustls); [`Client::with_plain_http`] overrides that.
//!
//! # Tests
//!
//! The `testing` feature adds the `testing` module's `TestRegistry`: a real `docker-registry`
//! (CNCF distribution) on a free loopback port, stopped on drop, for this crate's tests and its
//! users' (`modelci-oci = { workspace = true, features = ["testing"] }` in `[dev-dependencies]`).
//!
//! ```no_run
//! use modelci_oci::{ArtifactFile, BUNDLE_ARTIFACT_TYPE, Client, Credentials, PushRequest, Reference};
//!
//! let target: Reference = "oci://ghcr.io/acme/digits:1.2.0".parse()?;
//! let client = Client::new(Credentials::from_env());
//! let pushed = client.push(&target, &PushRequest {
//!     artifact_type: BUNDLE_ARTIFACT_TYPE.into(),
//!     files: vec![ArtifactFile::new("dist/digits-1.2.0.zip", "application/zip")],
//!     ..PushRequest::default()
//! })?;
//! let files = client.pull_to_dir(&pushed.reference.parse()?, std::path::Path::new("baseline"))?;
//! # Ok::<(), modelci_oci::OciError>(())
//! ```
//!
//! [OCI distribution spec]: https://github.com/opencontainers/distribution-spec/blob/main/spec.md

mod auth;
mod client;
mod credentials;
mod digest;
mod error;
pub mod image;
mod manifest;
mod pull;
mod push;
mod push_image;
mod reference;
#[cfg(feature = "testing")]
pub mod testing;
mod title;

pub use client::Client;
pub use credentials::{Credentials, PASSWORD_VAR, TOKEN_VAR, USERNAME_VAR};
pub use digest::{file_digest, sha256_digest};
pub use error::OciError;
pub use image::{Image, ImageFile, ImagePlatform, ImageRequest, ImageSource, build_image};
pub use manifest::{
    BUNDLE_ARTIFACT_TYPE, CONFIG_MEDIA_TYPE, CREATED_ANNOTATION, Descriptor, EMPTY_CONFIG,
    EMPTY_CONFIG_MEDIA_TYPE, INDEX_MEDIA_TYPE, MANIFEST_MEDIA_TYPE, Manifest, REVISION_ANNOTATION,
    SOURCE_ANNOTATION, TITLE_ANNOTATION, VERSION_ANNOTATION,
};
pub use push::{ArtifactFile, PushRequest, Pushed};
pub use reference::Reference;
