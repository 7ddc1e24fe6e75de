//! GitLab: generic package files, then a release whose asset links point at them.
//!
//! Endpoints (from GitLab's docs, `crates/modelci-test/fixtures/API.md` sections 3 to 5), all
//! through the `gitlab` crate's own endpoint types: generic package download and upload
//! (`select=package_file`, so GitLab answers with the stored file's `file_sha256`), release by
//! tag, create release, list/create/delete release links. Readers (baselines and the trend,
//! issue 8) use [`Releases::list_releases`] (`GET /projects/:id/releases`, section 8): every release with its asset
//! links, every page, newest `released_at` first.

use crate::error::decode;
use gitlab::api::common::SortOrder;
use gitlab::api::projects::packages::generic::{
    GetPackageFile, UploadPackageFile, UploadPackageSelect,
};
use gitlab::api::projects::releases::links::{
    CreateReleaseLink, DeleteReleaseLink, LinkType, ListReleaseLinks,
};
use gitlab::api::projects::releases::{
    CreateRelease, CreateReleaseAssetLinks, ProjectReleaseByTag, ProjectReleaseOrderBy,
    ProjectReleases,
};
use gitlab::api::{Endpoint, QueryParams};
use serde::Deserialize;

pub use super::Package;
use super::{
    AssetFile, Download, PublishedAsset, ReleaseAsset, ReleaseError, ReleaseOutcome,
    ReleaseRequest, Releases, read,
};
use crate::gitlab_endpoints::encode_project;
use crate::{ForgeError, GitLab};

/// Name used in messages.
const HOST: &str = "GitLab";
/// Most pages of releases read (100 each).
const MAX_PAGES: u64 = 100;

/// The parts of a listed release this module reads.
#[derive(Debug, Deserialize)]
struct ListedRelease {
    tag_name: String,
    #[serde(default)]
    released_at: Option<String>,
    #[serde(default)]
    upcoming_release: bool,
    #[serde(default)]
    assets: Option<ListedAssets>,
}

/// A listed release's assets.
#[derive(Debug, Deserialize)]
struct ListedAssets {
    #[serde(default)]
    links: Vec<ListedLink>,
}

/// A listed release's link.
#[derive(Debug, Deserialize)]
struct ListedLink {
    name: String,
    url: String,
}

/// One page of a pageable endpoint: the endpoint's own parameters plus `page` and `per_page`.
/// (`gitlab::api::paged` would page too, but outside this crate's retries and status handling.)
struct Page<'a, E> {
    inner: &'a E,
    page: u64,
}

impl<E: Endpoint> Endpoint for Page<'_, E> {
    fn method(&self) -> http::Method {
        self.inner.method()
    }

    fn endpoint(&self) -> std::borrow::Cow<'static, str> {
        self.inner.endpoint()
    }

    fn parameters(&self) -> QueryParams<'_> {
        let mut params = self.inner.parameters();
        params.push("page", self.page).push("per_page", 100u64);
        params
    }
}

/// Every release of `client`'s project (upcoming ones included, flagged), newest `released_at`
/// first, every page.
fn list(client: &GitLab) -> Result<Vec<super::Release>, ReleaseError> {
    let action = "list releases";
    let ep = ProjectReleases::builder()
        .project(client.releases_project())
        .order_by(ProjectReleaseOrderBy::ReleasedAt)
        .sort(SortOrder::Descending)
        .build()
        .map_err(build_error)?;
    let mut out = Vec::new();
    let mut page = 1u64;
    for _ in 0..MAX_PAGES {
        let (_, headers, bytes) = client.releases_call(action, &Page { inner: &ep, page }, true)?;
        let releases: Vec<ListedRelease> = decode(HOST, action, &bytes)?;
        out.extend(releases.into_iter().map(|r| {
            super::Release {
                id: None,
                tag: r.tag_name,
                draft: false,
                published: !r.upcoming_release,
                published_at: r.released_at,
                assets: r
                    .assets
                    .map(|a| a.links)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|l| ReleaseAsset {
                        name: l.name,
                        url: l.url,
                        size: None,
                    })
                    .collect(),
            }
        }));
        match crate::gitlab::next_page(&headers, page) {
            Some(n) => page = n,
            None => break,
        }
    }
    Ok(out)
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

impl Releases for GitLab {
    fn list_releases(&self) -> Result<Vec<super::Release>, ReleaseError> {
        list(self)
    }

    /// The link's URL, with the token only when it points under this client's API root.
    fn download(&self, asset: &ReleaseAsset) -> Download {
        let (api_url, token) = self.releases_credentials();
        super::gitlab_download(api_url, Some(token), asset.url.clone(), asset.size)
    }

    fn publish_release(
        &self,
        package: &Package,
        request: &ReleaseRequest,
    ) -> Result<ReleaseOutcome, ReleaseError> {
        publish(self, package, request)
    }
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
    let stored: PackageFile = decode(HOST, action, &answer)?;
    super::verify_stored(
        HOST,
        file,
        &stored.file_name,
        stored.size,
        stored.file_sha256.as_deref(),
    )
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
        Ok((_, _, bytes)) => Some(decode::<Release>(HOST, "read the release", &bytes)?),
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
        let created: Release = decode(HOST, "create the release", &bytes)?;
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
    let present: Vec<Link> = decode(HOST, "list the release links", &bytes)?;
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

/// Wraps endpoint-builder errors (only possible with missing fields, a bug here).
fn build_error(e: impl std::fmt::Display) -> ReleaseError {
    ForgeError::Config {
        message: format!("cannot build the GitLab request: {e}"),
    }
    .into()
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;
    use crate::{RetryPolicy, Token};
    use modelci_test::{BOT_TOKEN, FakeServer, GITLAB_PROJECT};

    fn request(tag: &str, assets: Vec<AssetFile>) -> ReleaseRequest {
        ReleaseRequest {
            tag: tag.into(),
            title: tag.into(),
            notes: String::new(),
            target: Some("main".into()),
            assets,
            replace: false,
        }
    }

    #[test]
    fn list_reads_every_page_newest_first_with_links_and_upcoming_flagged() {
        let server = FakeServer::start();
        let client = GitLab::new(
            &server.gitlab_url(),
            GITLAB_PROJECT,
            &Token::new(BOT_TOKEN),
            RetryPolicy::none(),
        )
        .expect("client");
        for i in 0..104 {
            publish(
                &client,
                &Package {
                    name: "digits".into(),
                    version: format!("0.{i}.0"),
                },
                &request(&format!("v0.{i}.0"), Vec::new()),
            )
            .expect("published");
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("digits-1.0.0.zip");
        std::fs::write(&path, b"zip").expect("written");
        let file = AssetFile {
            name: "digits-1.0.0.zip".into(),
            path,
            // SHA-256 of `zip` (the fake checks what GitLab reports against it).
            sha256: "4a70fe9aa6436e02c2dea340fbd1e352e4ef2d8ce6ca52ad25d4b95471fc8bf2".into(),
            size: 3,
            content_type: "application/zip".into(),
        };
        let package = Package {
            name: "digits".into(),
            version: "1.0.0".into(),
        };
        publish(&client, &package, &request("v1.0.0", vec![file])).expect("published");
        publish(
            &client,
            &Package {
                name: "digits".into(),
                version: "2.0.0".into(),
            },
            &request("v2.0.0", Vec::new()),
        )
        .expect("published");
        server.set_gitlab_released_at(GITLAB_PROJECT, "v2.0.0", "2099-01-01T00:00:00Z");

        let releases = client.list_releases().expect("listed");
        assert_eq!(releases.len(), 106, "every page");
        assert_eq!(releases[0].tag, "v2.0.0");
        assert!(!releases[0].published, "upcoming");
        assert_eq!(releases[1].tag, "v1.0.0");
        assert!(releases[1].published && !releases[1].draft);
        assert_eq!(releases[1].assets.len(), 1);
        let link = &releases[1].assets[0];
        assert_eq!(link.name, "digits-1.0.0.zip");
        assert!(link.url.ends_with(&format!(
            "/projects/{}/packages/generic/digits/1.0.0/digits-1.0.0.zip",
            GITLAB_PROJECT.replace('/', "%2F")
        )));
        // The token goes to the project's own API, never to a link pointing elsewhere.
        let how = client.download(link);
        assert_eq!(
            how.headers,
            vec![("PRIVATE-TOKEN", modelci_test::BOT_TOKEN.to_owned())]
        );
        let elsewhere = ReleaseAsset {
            url: "https://cdn.example.com/digits-1.0.0.zip".into(),
            ..link.clone()
        };
        assert!(client.download(&elsewhere).headers.is_empty());
        assert_eq!(releases[2].tag, "v0.103.0");
        assert_eq!(releases[105].tag, "v0.0.0");
        assert!(
            releases
                .windows(2)
                .all(|w| w[0].published_at >= w[1].published_at)
        );
        let pages = server
            .requests()
            .iter()
            .filter(|r| r.method == "GET" && r.path.ends_with("/releases"))
            .count();
        assert_eq!(pages, 2, "100 a page");
        server.assert_no_violations();
    }
}
