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
//!
//! [`Releases`] puts both behind one trait (issue 13), like comments and deployments: callers
//! ([`connect_releases`]) list [`Release`]s, learn how to [`Releases::download`] an asset, and
//! publish, without asking which host they talk to. [`package_file`] describes the download of
//! a GitLab generic package file, which needs no connection (nor a token, for a public project).

pub mod github;
pub mod gitlab;

use std::path::PathBuf;

use crate::{Forge, ForgeConfig, ForgeError, ForgeKind, GitHub, GitLab, Token, TokenKind};

/// A release as a reader sees it, whatever the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    /// The host's id (GitHub: creation order), when it has one readers may order by.
    pub id: Option<u64>,
    /// Tag name.
    pub tag: String,
    /// Still a draft (GitHub; never on GitLab): not even picked by its tag.
    pub draft: bool,
    /// Out for users: not a draft or prerelease (GitHub), not upcoming (GitLab).
    pub published: bool,
    /// When it was published (GitHub) or released (GitLab), RFC 3339.
    pub published_at: Option<String>,
    /// Its downloadable files: completely uploaded assets (GitHub), asset links (GitLab).
    pub assets: Vec<ReleaseAsset>,
}

/// A downloadable file of a [`Release`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseAsset {
    /// File name (`publish` names GitLab links after their file).
    pub name: String,
    /// Where to `GET` it (GitHub: the asset's API URL; GitLab: the link's URL).
    pub url: String,
    /// Its size in bytes, when the host reports it.
    pub size: Option<u64>,
}

/// How to download one file: the URL, the headers to send (authentication included, only to the
/// host's own API), and the size to expect. `Debug` hides the header values.
#[derive(Clone, PartialEq, Eq)]
pub struct Download {
    /// The URL.
    pub url: String,
    /// Headers, credentials among them.
    pub headers: Vec<(&'static str, String)>,
    /// The size in bytes, when known: a shorter body is a broken-off download.
    pub size: Option<u64>,
}

impl std::fmt::Debug for Download {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(name, _)| *name).collect();
        f.debug_struct("Download")
            .field("url", &self.url)
            .field("headers", &names)
            .field("size", &self.size)
            .finish()
    }
}

/// A generic package: name and version (GitLab stores a release's files in one; the files are
/// the request's assets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// Package name (letters, digits, `.`, `-`, `_`).
    pub name: String,
    /// Package version.
    pub version: String,
}

/// A code host's releases: listed, downloaded and published the same way on every host.
pub trait Releases: Forge {
    /// Every release (drafts, prereleases and upcoming ones included, flagged), newest first
    /// in the host's own order, every page.
    ///
    /// # Errors
    /// [`ReleaseError::Forge`] when the host fails or refuses (after retries).
    fn list_releases(&self) -> Result<Vec<Release>, ReleaseError>;

    /// How to download `asset`.
    fn download(&self, asset: &ReleaseAsset) -> Download;

    /// Publishes `request`: a GitHub Release with its assets, or the files as GitLab generic
    /// package `package` and a release linking them. Safe to run again (see the module docs).
    ///
    /// # Errors
    /// See [`github::publish`] and [`gitlab::publish`].
    fn publish_release(
        &self,
        package: &Package,
        request: &ReleaseRequest,
    ) -> Result<ReleaseOutcome, ReleaseError>;
}

/// Connects to the releases of `config`'s repository ([`crate::connect`]'s rules; GitLab checks
/// the token while connecting).
///
/// # Errors
/// A bad configuration, or GitLab refusing the token or failing.
pub fn connect_releases(config: &ForgeConfig) -> Result<Box<dyn Releases>, ForgeError> {
    let url = config
        .api_url
        .as_deref()
        .unwrap_or(config.kind.default_api_url());
    let (repo, token, retry) = (&config.repo, &config.token, config.retry.clone());
    Ok(match config.kind {
        ForgeKind::GitHub => Box::new(GitHub::new(url, repo, token, retry)?),
        ForgeKind::GitLab => Box::new(GitLab::new(url, repo, token, retry)?),
    })
}

/// How to download file `file` of GitLab generic package `package` of `project` at `api_url`,
/// with `token` when one is known (public projects need none).
#[must_use]
pub fn package_file(
    api_url: &str,
    project: &str,
    token: Option<&Token>,
    package: &Package,
    file: &str,
) -> Download {
    let api_url = api_url.trim_end_matches('/');
    let url = format!(
        "{api_url}/projects/{}/packages/generic/{}/{}/{file}",
        crate::gitlab_endpoints::encode_project(project),
        package.name,
        package.version
    );
    gitlab_download(api_url, token, url, None)
}

/// A GitLab download: the token (`JOB-TOKEN` or `PRIVATE-TOKEN`) goes only to URLs under the
/// API root, never to a link pointing elsewhere.
pub(crate) fn gitlab_download(
    api_url: &str,
    token: Option<&Token>,
    url: String,
    size: Option<u64>,
) -> Download {
    let ours = url.starts_with(&format!("{}/", api_url.trim_end_matches('/')));
    let headers = token
        .filter(|_| ours)
        .map(|t| {
            let name = if t.kind() == TokenKind::GitLabJob {
                "JOB-TOKEN"
            } else {
                "PRIVATE-TOKEN"
            };
            (name, t.expose().to_owned())
        })
        .into_iter()
        .collect();
    Download { url, headers, size }
}

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
}

impl ReleaseError {
    /// True when the problem is on the host's side (exit code 3), false for a conflict the user
    /// must resolve or a local problem (exit code 2).
    #[must_use]
    pub fn is_host_failure(&self) -> bool {
        match self {
            Self::Forge(ForgeError::Config { .. } | ForgeError::Io { .. })
            | Self::AlreadyPublished { .. } => false,
            Self::Forge(_) | Self::Verification { .. } => true,
        }
    }
}

/// Checks what `host` stored for `file`: its name, size and SHA-256 (hex, when reported).
fn verify_stored(
    host: &'static str,
    file: &AssetFile,
    name: &str,
    size: u64,
    sha256: Option<&str>,
) -> Result<(), ReleaseError> {
    let mismatch = |message: String| ReleaseError::Verification {
        host,
        name: file.name.clone(),
        message,
    };
    if name != file.name {
        return Err(mismatch(format!("stored as `{name}`")));
    }
    if size != file.size {
        return Err(mismatch(format!(
            "size {size} bytes, uploaded {}",
            file.size
        )));
    }
    match sha256 {
        Some(s) if !s.eq_ignore_ascii_case(&file.sha256) => {
            Err(mismatch(format!("sha256 {s}, uploaded {}", file.sha256)))
        }
        _ => Ok(()),
    }
}

/// Reads a file to upload.
fn read(asset: &AssetFile) -> Result<Vec<u8>, ReleaseError> {
    std::fs::read(&asset.path).map_err(|source| {
        ReleaseError::Forge(ForgeError::Io {
            path: asset.path.clone(),
            source,
        })
    })
}
