//! Versioned releases with checksummed assets, idempotent on rerun (issue 6, `publish`).
//!
//! - [`github::publish`]: a GitHub Release for a tag, found among *all* releases (drafts are
//!   invisible to get-by-tag), else created as a draft; every missing asset uploaded and checked
//!   against the size and `sha256:` digest GitHub reports; a wrong or half-uploaded asset deleted
//!   and uploaded again; published (`draft: false`) only once every asset is right. A published
//!   release is never changed unless [`ReleaseRequest::replace`] is set.
//! - [`gitlab::publish`]: each file as a generic package file (`NAME/VERSION/FILE`, checked
//!   against the `file_sha256` GitLab reports, skipped when the same bytes are already there),
//!   then a release for the tag with one asset link per file, created or completed.
//! - Readers (baselines and the trend over releases, issue 8): [`github::list`] and
//!   [`gitlab::list`], every release of the repository with its assets (GitHub) or asset links
//!   (GitLab), every page, newest first.
//!
//! Both are safe to run again after a crash at any point: they read what exists first and only
//! add what is missing, so there is never a duplicate asset, package file or link.

pub mod github;
pub mod gitlab;

use std::path::PathBuf;

use crate::ForgeError;

/// One file to attach to a release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetFile {
    /// Asset (or package file) name: letters, digits, `.`, `-`, `_`.
    pub name: String,
    /// Where the bytes are.
    pub path: PathBuf,
    /// SHA-256 of the file, lower-case hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// MIME type sent with the upload.
    pub content_type: String,
}

/// What to release.
#[derive(Debug, Clone)]
pub struct ReleaseRequest {
    /// Tag, e.g. `v1.2.0`.
    pub tag: String,
    /// Release title.
    pub title: String,
    /// Release notes (Markdown).
    pub notes: String,
    /// Commit (or branch) to create the tag from when it does not exist yet.
    pub target: Option<String>,
    /// The files, in upload order.
    pub assets: Vec<AssetFile>,
    /// Overwrite assets of an already published release.
    pub replace: bool,
}

/// One asset as the host holds it after publishing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedAsset {
    /// Its name.
    pub name: String,
    /// Where to download it.
    pub url: String,
}

/// What a publish run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReleaseOutcome {
    /// Web page of the release, when the host gave one.
    pub url: Option<String>,
    /// The release was created by this run.
    pub created: bool,
    /// The release was made public by this run (GitHub: a draft published).
    pub published: bool,
    /// Files uploaded by this run.
    pub uploaded: Vec<String>,
    /// Files already there with the right checksum.
    pub kept: Vec<String>,
    /// Files that were there but wrong (or incomplete) and were replaced.
    pub replaced: Vec<String>,
    /// Every requested asset with its download URL.
    pub assets: Vec<PublishedAsset>,
}

/// Why a release could not be published.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReleaseError {
    /// The host failed or refused.
    #[error(transparent)]
    Forge(#[from] ForgeError),
    /// The release is already published with other files, and `replace` was not set.
    #[error(
        "release {tag} is already published and its {} differ from this bundle; a published release is never overwritten (pass --replace to overwrite it, or publish a new version)",
        .differing.join(", ")
    )]
    AlreadyPublished {
        /// The tag.
        tag: String,
        /// Files that differ or are missing.
        differing: Vec<String>,
    },
    /// The host holds something else than what was uploaded.
    #[error("{host} reports `{name}` differently than uploaded: {message}")]
    Verification {
        /// `GitHub` or `GitLab`.
        host: &'static str,
        /// The asset.
        name: String,
        /// What differs.
        message: String,
    },
    /// A local file could not be read.
    #[error("cannot read `{}`", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

impl ReleaseError {
    /// True when the problem is on the host's side (exit code 3), false for a conflict the user
    /// must resolve or a local problem (exit code 2).
    #[must_use]
    pub fn is_host_failure(&self) -> bool {
        match self {
            Self::Forge(ForgeError::Config { .. })
            | Self::AlreadyPublished { .. }
            | Self::Io { .. } => false,
            Self::Forge(_) | Self::Verification { .. } => true,
        }
    }
}

/// Reads a file to upload.
fn read(asset: &AssetFile) -> Result<Vec<u8>, ReleaseError> {
    std::fs::read(&asset.path).map_err(|source| ReleaseError::Io {
        path: asset.path.clone(),
        source,
    })
}
