//! GitHub Releases: draft → assets (uploaded and verified) → published.
//!
//! Operations, all from GitHub's REST description: `repos/list-releases` (every page: drafts
//! are only visible there), `repos/create-release`, `repos/upload-release-asset` (to the
//! release's `upload_url`), `repos/get-release-asset`, `repos/delete-release-asset`,
//! `repos/update-release`. Readers (baselines, issue 8) use [`Releases::list_releases`]: every
//! release with its assets, newest first, for picking `latest` or a tag and downloading an asset
//! by its API URL.

use crate::error::decode;
use serde::Deserialize;

use super::{
    AssetFile, Download, PublishedAsset, ReleaseAsset, ReleaseError, ReleaseOutcome,
    ReleaseRequest, Releases, read,
};
use crate::github::next_link;
use crate::retry;
use crate::{Forge as _, ForgeError, GitHub};

/// Name used in messages.
const HOST: &str = "GitHub";
/// Most pages of releases read (100 each).
const MAX_PAGES: usize = 100;

/// The parts of a release this module reads.
#[derive(Debug, Clone, Deserialize)]
struct Release {
    id: u64,
    tag_name: String,
    draft: bool,
    #[serde(default)]
    prerelease: bool,
    #[serde(default)]
    published_at: Option<String>,
    html_url: String,
    upload_url: String,
    #[serde(default)]
    assets: Vec<Asset>,
}

/// The parts of a release asset this module reads.
#[derive(Debug, Clone, Deserialize)]
struct Asset {
    id: u64,
    name: String,
    size: u64,
    digest: Option<String>,
    state: String,
    browser_download_url: String,
    #[serde(default)]
    url: String,
}

/// Every release of `client`'s repository (drafts and prereleases included, flagged), newest
/// first (by id, which GitHub hands out in creation order), with its completely uploaded assets.
///
/// # Errors
/// [`ReleaseError::Forge`] when GitHub fails or refuses (after retries).
fn list(client: &GitHub) -> Result<Vec<super::Release>, ReleaseError> {
    let mut out: Vec<super::Release> = list_all(client)?
        .into_iter()
        .map(|r| super::Release {
            id: Some(r.id),
            tag: r.tag_name,
            draft: r.draft,
            published: !r.draft && !r.prerelease,
            published_at: r.published_at,
            assets: r
                .assets
                .into_iter()
                .filter(|a| a.state == "uploaded")
                .map(|a| ReleaseAsset {
                    name: a.name,
                    size: Some(a.size),
                    url: a.url,
                })
                .collect(),
        })
        .collect();
    out.sort_by_key(|r| std::cmp::Reverse(r.id));
    Ok(out)
}

impl Releases for GitHub {
    fn list_releases(&self) -> Result<Vec<super::Release>, ReleaseError> {
        list(self)
    }

    /// The asset's API URL with `Accept: application/octet-stream` answers the bytes (or a
    /// redirect to them).
    fn download(&self, asset: &ReleaseAsset) -> Download {
        Download {
            url: asset.url.clone(),
            headers: vec![
                ("Accept", "application/octet-stream".to_owned()),
                (
                    "Authorization",
                    format!("Bearer {}", self.releases_token().expose()),
                ),
                ("X-GitHub-Api-Version", "2022-11-28".to_owned()),
            ],
            size: asset.size,
        }
    }

    /// GitHub keeps the files as release assets: `package` is not used.
    fn publish_release(
        &self,
        _package: &super::Package,
        request: &ReleaseRequest,
    ) -> Result<ReleaseOutcome, ReleaseError> {
        publish(self, request)
    }
}

/// Every release, every page.
fn list_all(client: &GitHub) -> Result<Vec<Release>, ReleaseError> {
    let action = "list releases";
    let mut url = format!("{}/releases?per_page=100", client.releases_repo_path());
    let mut out = Vec::new();
    for _ in 0..MAX_PAGES {
        let (headers, bytes) = retry::run(client.retry_policy(), || {
            client.releases_call(action, http::Method::GET, &url, None)
        })?;
        let page: Vec<Release> = decode(HOST, action, &bytes)?;
        out.extend(page);
        match next_link(&headers) {
            Some(next) => url = next,
            None => break,
        }
    }
    Ok(out)
}

impl Asset {
    /// Whether this asset holds exactly `file`: completely uploaded, same size, and (when GitHub
    /// reports a digest) the same SHA-256.
    fn holds(&self, file: &AssetFile) -> bool {
        self.state == "uploaded"
            && self.size == file.size
            && self
                .digest
                .as_deref()
                .is_none_or(|d| d.eq_ignore_ascii_case(&format!("sha256:{}", file.sha256)))
    }
}

/// Publishes `request` as a GitHub Release on `client`'s repository. Safe to run again after a
/// failure at any point; see the [module docs](super).
///
/// # Errors
/// [`ReleaseError::AlreadyPublished`] when the release is public with other files and
/// `replace` is off; [`ReleaseError::Verification`] when GitHub reports another size or digest
/// than uploaded; [`ReleaseError::Forge`] when GitHub fails or refuses.
pub fn publish(client: &GitHub, request: &ReleaseRequest) -> Result<ReleaseOutcome, ReleaseError> {
    let mut outcome = ReleaseOutcome::default();
    let release = match find(client, &request.tag)? {
        Some(r) if !r.draft => {
            let differing: Vec<String> = request
                .assets
                .iter()
                .filter(|f| !r.assets.iter().any(|a| a.name == f.name && a.holds(f)))
                .map(|f| f.name.clone())
                .collect();
            if !differing.is_empty() && !request.replace {
                return Err(ReleaseError::AlreadyPublished {
                    tag: request.tag.clone(),
                    differing,
                });
            }
            r
        }
        Some(r) => r,
        None => {
            outcome.created = true;
            create_draft(client, request)?
        }
    };
    outcome.url = Some(release.html_url.clone());

    for file in &request.assets {
        let existing = release.assets.iter().find(|a| a.name == file.name);
        match existing {
            Some(a) if a.holds(file) => {
                outcome.kept.push(file.name.clone());
                outcome.assets.push(PublishedAsset {
                    name: a.name.clone(),
                    url: a.browser_download_url.clone(),
                });
                continue;
            }
            Some(a) => {
                delete_asset(client, a.id)?;
                outcome.replaced.push(file.name.clone());
            }
            None => outcome.uploaded.push(file.name.clone()),
        }
        let asset = upload(client, &release, file)?;
        outcome.assets.push(PublishedAsset {
            name: asset.name,
            url: asset.browser_download_url,
        });
    }

    if release.draft {
        let published = set_published(client, release.id)?;
        if published.draft {
            return Err(ReleaseError::Verification {
                host: HOST,
                name: request.tag.clone(),
                message: "the release is still a draft after publishing it".into(),
            });
        }
        outcome.url = Some(published.html_url);
        outcome.published = true;
    }
    Ok(outcome)
}

/// The release for `tag` among all releases, drafts included (the oldest if several).
fn find(client: &GitHub, tag: &str) -> Result<Option<Release>, ReleaseError> {
    let action = "list releases";
    let mut url = format!("{}/releases?per_page=100", client.releases_repo_path());
    let mut found: Option<Release> = None;
    for _ in 0..MAX_PAGES {
        let (headers, bytes) = retry::run(client.retry_policy(), || {
            client.releases_call(action, http::Method::GET, &url, None)
        })?;
        let page: Vec<Release> = decode(HOST, action, &bytes)?;
        for r in page.into_iter().filter(|r| r.tag_name == tag) {
            if found.as_ref().is_none_or(|f| r.id < f.id) {
                found = Some(r);
            }
        }
        match next_link(&headers) {
            Some(next) => url = next,
            None => break,
        }
    }
    Ok(found)
}

/// Creates the draft release (not retried unless GitHub proves it was not applied: a rerun
/// finds a draft that was created anyway).
fn create_draft(client: &GitHub, request: &ReleaseRequest) -> Result<Release, ReleaseError> {
    let action = "create a draft release";
    let mut body = serde_json::json!({
        "tag_name": request.tag,
        "name": request.title,
        "body": request.notes,
        "draft": true,
        "prerelease": false,
    });
    if let (Some(target), Some(obj)) = (&request.target, body.as_object_mut()) {
        obj.insert("target_commitish".into(), serde_json::json!(target));
    }
    let uri = format!("{}/releases", client.releases_repo_path());
    let (_, bytes) = retry::run_unapplied(client.retry_policy(), || {
        client.releases_call(action, http::Method::POST, &uri, Some(&body))
    })?;
    Ok(decode(HOST, action, &bytes)?)
}

/// Uploads one asset and checks what GitHub reports back.
fn upload(client: &GitHub, release: &Release, file: &AssetFile) -> Result<Asset, ReleaseError> {
    let action = "upload a release asset";
    let bytes = read(file)?;
    let base = release
        .upload_url
        .split_once('{')
        .map_or(release.upload_url.as_str(), |(b, _)| b);
    let url = format!("{base}?name={}", modelci_ci::percent::encode(&file.name));
    let answer = retry::run_unapplied(client.retry_policy(), || {
        client.releases_upload(action, &url, &file.content_type, bytes.clone())
    })?;
    let mut asset: Asset = decode(HOST, action, &answer)?;
    if asset.digest.is_none() {
        asset = get_asset(client, asset.id)?;
    }
    // GitHub reports `sha256:HEX`.
    let digest = asset
        .digest
        .as_deref()
        .map(|d| d.strip_prefix("sha256:").unwrap_or(d));
    super::verify_stored(HOST, file, &asset.name, asset.size, digest)?;
    Ok(asset)
}

/// `GET .../releases/assets/{id}`.
fn get_asset(client: &GitHub, id: u64) -> Result<Asset, ReleaseError> {
    let action = "read a release asset";
    let uri = format!("{}/releases/assets/{id}", client.releases_repo_path());
    let (_, bytes) = retry::run(client.retry_policy(), || {
        client.releases_call(action, http::Method::GET, &uri, None)
    })?;
    Ok(decode(HOST, action, &bytes)?)
}

/// `DELETE .../releases/assets/{id}`; an asset already gone is fine.
fn delete_asset(client: &GitHub, id: u64) -> Result<(), ReleaseError> {
    let action = "delete a release asset";
    let uri = format!("{}/releases/assets/{id}", client.releases_repo_path());
    match retry::run(client.retry_policy(), || {
        client.releases_call(action, http::Method::DELETE, &uri, None)
    }) {
        Ok(_) | Err(ForgeError::NotFound { .. }) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// `PATCH .../releases/{id}` with `draft: false`.
fn set_published(client: &GitHub, id: u64) -> Result<Release, ReleaseError> {
    let action = "publish the release";
    let uri = format!("{}/releases/{id}", client.releases_repo_path());
    let body = serde_json::json!({ "draft": false });
    let (_, bytes) = retry::run(client.retry_policy(), || {
        client.releases_call(action, http::Method::PATCH, &uri, Some(&body))
    })?;
    Ok(decode(HOST, action, &bytes)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asset_identity() {
        let file = AssetFile {
            name: "a.zip".into(),
            path: "a.zip".into(),
            sha256: "ab".repeat(32),
            size: 3,
            content_type: "application/zip".into(),
        };
        let mut a = Asset {
            id: 1,
            name: "a.zip".into(),
            size: 3,
            digest: Some(format!("sha256:{}", "ab".repeat(32))),
            state: "uploaded".into(),
            browser_download_url: String::new(),
            url: String::new(),
        };
        assert!(a.holds(&file));
        a.state = "open".into();
        assert!(!a.holds(&file), "a half-uploaded asset is not the file");
        a.state = "uploaded".into();
        a.digest = Some(format!("sha256:{}", "cd".repeat(32)));
        assert!(!a.holds(&file));
        assert_eq!(modelci_ci::percent::encode("a b.zip"), "a%20b.zip");
    }

    #[test]
    fn list_reads_every_page_newest_first_with_flags() {
        let server = modelci_test::FakeServer::start();
        let repo = "acme/models";
        for i in 0..120 {
            server.seed_release(repo, &format!("v0.{i}.0"), false, &[]);
        }
        let draft = server.seed_release(repo, "v1.0.0-draft", true, &[("a.zip", b"zip")]);
        let pre = server.seed_release(repo, "v1.0.0-rc.1", false, &[("b.zip", b"zipzip")]);
        server.set_prerelease(pre, true);
        let client = GitHub::new(
            &server.github_url(),
            repo,
            &crate::Token::new(modelci_test::BOT_TOKEN),
            crate::RetryPolicy::none(),
        )
        .expect("client");
        let releases = client.list_releases().expect("listed");
        assert_eq!(releases.len(), 122, "every page");
        assert_eq!(releases[0].id, Some(pre));
        assert!(!releases[0].published && !releases[0].draft, "a prerelease");
        assert_eq!(releases[1].id, Some(draft));
        assert!(releases[1].draft && !releases[1].published);
        assert!(releases[2].published);
        assert_eq!(releases[0].assets.len(), 1);
        let asset = &releases[0].assets[0];
        assert_eq!(asset.name, "b.zip");
        assert_eq!(asset.size, Some(6));
        assert!(
            asset
                .url
                .contains(&format!("/repos/{repo}/releases/assets/")),
            "{asset:?}"
        );
        let how = client.download(asset);
        assert_eq!(how.url, asset.url);
        assert_eq!(how.size, Some(6));
        assert!(
            how.headers
                .contains(&("Accept", "application/octet-stream".to_owned()))
        );
        assert!(how.headers.contains(&(
            "Authorization",
            format!("Bearer {}", modelci_test::BOT_TOKEN)
        )));
        assert!(
            !format!("{how:?}").contains(modelci_test::BOT_TOKEN),
            "Debug hides the token"
        );
        assert!(releases[2].published_at.is_some());
        assert!(releases.windows(2).all(|w| w[0].id > w[1].id));
        server.assert_no_violations();
    }
}
