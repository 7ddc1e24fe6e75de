//! GitLab: generic package files, then a release whose asset links point at them.
//!
//! Endpoints (from GitLab's docs, `crates/modelci-test/fixtures/API.md` sections 3 to 5), all
//! through the `gitlab` crate's own endpoint types: generic package download and upload
//! (`select=package_file`, so GitLab answers with the stored file's `file_sha256`), release by
//! tag, create release, list/create/delete release links.

use gitlab::api::projects::packages::generic::{
    GetPackageFile, UploadPackageFile, UploadPackageSelect,
};
use gitlab::api::projects::releases::links::{
    CreateReleaseLink, DeleteReleaseLink, LinkType, ListReleaseLinks,
};
use gitlab::api::projects::releases::{
    CreateRelease, CreateReleaseAssetLinks, ProjectReleaseByTag,
};
use serde::Deserialize;

use super::{AssetFile, PublishedAsset, ReleaseError, ReleaseOutcome, ReleaseRequest, read};
use crate::gitlab_endpoints::encode_project;
use crate::{ForgeError, GitLab};

/// Name used in messages.
const HOST: &str = "GitLab";

/// A generic package: name and version (the files are the request's assets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// Package name (letters, digits, `.`, `-`, `_`).
    pub name: String,
    /// Package version.
    pub version: String,
}

/// The parts of a stored package file this module reads.
#[derive(Debug, Deserialize)]
struct PackageFile {
    file_name: String,
    size: u64,
    file_sha256: Option<String>,
}

/// The parts of a release this module reads.
#[derive(Debug, Deserialize)]
struct Release {
    #[serde(default)]
    _links: Option<Links>,
}

/// A release's `_links`.
#[derive(Debug, Deserialize)]
struct Links {
    #[serde(rename = "self")]
    this: Option<String>,
}

/// A release link.
#[derive(Debug, Deserialize)]
struct Link {
    id: u64,
    name: String,
    url: String,
}

/// Uploads `request.assets` as files of generic package `package` and makes sure the release
/// for `request.tag` exists with one link per file. Safe to run again; see the
/// [module docs](super).
///
/// # Errors
/// [`ReleaseError::AlreadyPublished`] when a package file or link already holds something else
/// and `replace` is off; [`ReleaseError::Verification`] when GitLab stored another checksum;
/// [`ReleaseError::Forge`] when GitLab fails or refuses.
pub fn publish(
    client: &GitLab,
    package: &Package,
    request: &ReleaseRequest,
) -> Result<ReleaseOutcome, ReleaseError> {
    let project = client.releases_project().to_owned();
    let mut outcome = ReleaseOutcome::default();
    let mut differing = Vec::new();
    let mut links = Vec::new();
    for file in &request.assets {
        let bytes = read(file)?;
        let url = client.releases_url(&format!(
            "projects/{}/packages/generic/{}/{}/{}",
            encode_project(&project),
            package.name,
            package.version,
            file.name
        ))?;
        links.push((file.name.clone(), url.clone()));
        match download(client, &project, package, &file.name)? {
            Some(existing) if existing == bytes => {
                outcome.kept.push(file.name.clone());
                outcome.assets.push(PublishedAsset {
                    name: file.name.clone(),
                    url,
                });
                continue;
            }
            Some(_) if !request.replace => {
                differing.push(file.name.clone());
                continue;
            }
            Some(_) => outcome.replaced.push(file.name.clone()),
            None => outcome.uploaded.push(file.name.clone()),
        }
        upload(client, &project, package, file, bytes)?;
        outcome.assets.push(PublishedAsset {
            name: file.name.clone(),
            url,
        });
    }
    if !differing.is_empty() {
        return Err(ReleaseError::AlreadyPublished {
            tag: format!(
                "{} (package {}/{})",
                request.tag, package.name, package.version
            ),
            differing,
        });
    }
    ensure_release(client, &project, request, &links, &mut outcome)?;
    Ok(outcome)
}

/// Downloads a package file; `None` when it does not exist.
fn download(
    client: &GitLab,
    project: &str,
    package: &Package,
    file: &str,
) -> Result<Option<Vec<u8>>, ReleaseError> {
    let ep = GetPackageFile::builder()
        .project(project)
        .package_name(package.name.as_str())
        .package_version(package.version.as_str())
        .file_name(file)
        .build()
        .map_err(build_error)?;
    match client.releases_call("download a package file", &ep, true) {
        Ok((_, _, bytes)) => Ok(Some(bytes)),
        Err(ForgeError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Uploads one package file and checks the checksum GitLab stored.
fn upload(
    client: &GitLab,
    project: &str,
    package: &Package,
    file: &AssetFile,
    bytes: Vec<u8>,
) -> Result<(), ReleaseError> {
    let action = "upload a package file";
    let ep = UploadPackageFile::builder()
        .project(project)
        .package_name(package.name.as_str())
        .package_version(package.version.as_str())
        .file_name(file.name.as_str())
        .select(UploadPackageSelect::PackageFile)
        .contents(bytes)
        .build()
        .map_err(build_error)?;
    // A PUT of the same bytes is harmless to repeat, so transient failures are retried.
    let (_, _, answer) = client.releases_call(action, &ep, true)?;
    let stored: PackageFile = decode(action, &answer)?;
    let mismatch = |message: String| ReleaseError::Verification {
        host: HOST,
        name: file.name.clone(),
        message,
    };
    if stored.file_name != file.name {
        return Err(mismatch(format!("stored as `{}`", stored.file_name)));
    }
    if stored.size != file.size {
        return Err(mismatch(format!(
            "size {} bytes, uploaded {}",
            stored.size, file.size
        )));
    }
    match stored.file_sha256 {
        Some(s) if !s.eq_ignore_ascii_case(&file.sha256) => {
            Err(mismatch(format!("sha256 {s}, uploaded {}", file.sha256)))
        }
        _ => Ok(()),
    }
}

/// Creates the release with every link, or completes an existing one's links.
fn ensure_release(
    client: &GitLab,
    project: &str,
    request: &ReleaseRequest,
    links: &[(String, String)],
    outcome: &mut ReleaseOutcome,
) -> Result<(), ReleaseError> {
    let ep = ProjectReleaseByTag::builder()
        .project(project)
        .tag(request.tag.as_str())
        .build()
        .map_err(build_error)?;
    let existing = match client.releases_call("read the release", &ep, true) {
        Ok((_, _, bytes)) => Some(decode::<Release>("read the release", &bytes)?),
        Err(ForgeError::NotFound { .. }) => None,
        Err(e) => return Err(e.into()),
    };
    let Some(release) = existing else {
        let mut builder = CreateRelease::builder();
        builder
            .project(project)
            .tag_name(request.tag.as_str())
            .name(request.title.as_str())
            .description(request.notes.as_str());
        if let Some(target) = &request.target {
            builder.ref_sha(target.as_str());
        }
        for (name, url) in links {
            builder.asset(
                CreateReleaseAssetLinks::builder()
                    .name(name.as_str())
                    .url(url.as_str())
                    .direct_asset_path(format!("/{name}"))
                    .link_type(LinkType::Package)
                    .build()
                    .map_err(build_error)?,
            );
        }
        let ep = builder.build().map_err(build_error)?;
        let (_, _, bytes) = client.releases_call("create the release", &ep, false)?;
        let created: Release = decode("create the release", &bytes)?;
        outcome.created = true;
        outcome.published = true;
        outcome.url = created._links.and_then(|l| l.this);
        return Ok(());
    };
    outcome.url = release._links.and_then(|l| l.this);

    let ep = ListReleaseLinks::builder()
        .project(project)
        .tag_name(request.tag.as_str())
        .build()
        .map_err(build_error)?;
    let (_, _, bytes) = client.releases_call("list the release links", &ep, true)?;
    let present: Vec<Link> = decode("list the release links", &bytes)?;
    let mut differing = Vec::new();
    for (name, url) in links {
        match present.iter().find(|l| &l.name == name) {
            Some(l) if &l.url == url => continue,
            Some(_) if !request.replace => {
                differing.push(name.clone());
                continue;
            }
            Some(l) => {
                let ep = DeleteReleaseLink::builder()
                    .project(project)
                    .tag_name(request.tag.as_str())
                    .link_id(l.id)
                    .build()
                    .map_err(build_error)?;
                client.releases_call("delete a release link", &ep, true)?;
            }
            None => {}
        }
        let ep = CreateReleaseLink::builder()
            .project(project)
            .tag_name(request.tag.as_str())
            .name(name.as_str())
            .url(url.as_str())
            .direct_asset_path(format!("/{name}"))
            .link_type(LinkType::Package)
            .build()
            .map_err(build_error)?;
        client.releases_call("create a release link", &ep, false)?;
    }
    if differing.is_empty() {
        Ok(())
    } else {
        Err(ReleaseError::AlreadyPublished {
            tag: request.tag.clone(),
            differing: differing.into_iter().map(|n| format!("link {n}")).collect(),
        })
    }
}

/// Parses an answer.
fn decode<T: serde::de::DeserializeOwned>(
    action: &'static str,
    bytes: &[u8],
) -> Result<T, ReleaseError> {
    serde_json::from_slice(bytes).map_err(|e| {
        ForgeError::Decode {
            host: HOST,
            action,
            message: e.to_string(),
        }
        .into()
    })
}

/// Wraps endpoint-builder errors (only possible with missing fields, a bug here).
fn build_error(e: impl std::fmt::Display) -> ReleaseError {
    ForgeError::Config {
        message: format!("cannot build the GitLab request: {e}"),
    }
    .into()
}
