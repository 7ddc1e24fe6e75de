//! The repository's GitHub releases and their bundle manifests: what `github-release:` and
//! `auto` choose from, and what a trend over releases (`--history`) will read.

use modelci_bundle::Manifest;
use modelci_bundle::manifest::MANIFEST;
use modelci_ci::{ForgeKind, HostChoice, Repository};
use modelci_forge::releases::github::{AssetInfo, ReleaseInfo};
use modelci_forge::{GitHub, Token};

use crate::{BaselineError, Context, download};

/// Most releases `auto` reads manifests of before giving up.
pub const MAX_MANIFESTS: usize = 30;

/// A GitHub repository to read releases from.
pub struct GitHubTarget {
    /// API root, e.g. `https://api.github.com`.
    pub api_url: String,
    /// `owner/repo`.
    pub repo: String,
    token: String,
}

impl std::fmt::Debug for GitHubTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitHubTarget")
            .field("api_url", &self.api_url)
            .field("repo", &self.repo)
            .finish_non_exhaustive()
    }
}

impl GitHubTarget {
    /// The repository of the CI run (or `GITHUB_REPOSITORY`, `GITHUB_API_URL`), with the token
    /// of the run (`MODELCI_GITHUB_TOKEN`, `GITHUB_TOKEN`), by [`modelci_ci::resolve_host`].
    ///
    /// # Errors
    /// No repository or no token is known.
    pub fn from_context(origin: &str, ctx: &Context) -> Result<Self, BaselineError> {
        let choice = HostChoice {
            kind: Some(ForgeKind::GitHub),
            ..HostChoice::default()
        };
        let host = modelci_ci::resolve_host(&ctx.ci, &ctx.env, &choice)
            .ok()
            .filter(|h| Repository::github_slug(&h.project).is_some())
            .ok_or_else(|| {
                BaselineError::input(
                    origin,
                    "no GitHub repository known: run in GitHub Actions or set GITHUB_REPOSITORY=owner/repo",
                )
            })?;
        let token = host
            .token
            .map(|t| t.secret.expose().to_owned())
            .ok_or_else(|| {
                BaselineError::input(
                    origin,
                    "reading releases needs a token: set GITHUB_TOKEN (contents: read)",
                )
            })?;
        Ok(Self {
            api_url: host.api_url,
            repo: host.project,
            token,
        })
    }

    /// Every release, newest first (drafts and prereleases flagged, not removed).
    ///
    /// # Errors
    /// GitHub fails (after retries) or refuses.
    pub fn list(&self, origin: &str, ctx: &Context) -> Result<Vec<ReleaseInfo>, BaselineError> {
        let policy = ctx.retry.clone();
        let client = GitHub::new(
            &self.api_url,
            &self.repo,
            &Token::new(self.token.clone()),
            policy,
        )
        .map_err(|e| BaselineError::input(origin, e.to_string()))?;
        modelci_forge::releases::github::list(&client).map_err(|e| {
            let message = format!("listing the releases of {}: {e}", self.repo);
            if e.is_host_failure() {
                BaselineError::host(origin, message)
            } else {
                BaselineError::input(origin, message)
            }
        })
    }

    /// The bytes of `asset`, retried by [`Context::retry`].
    ///
    /// # Errors
    /// The asset cannot be downloaded.
    pub fn download(
        &self,
        origin: &str,
        asset: &AssetInfo,
        ctx: &Context,
    ) -> Result<Vec<u8>, BaselineError> {
        download::get(
            origin,
            &format!("release asset `{}`", asset.name),
            &asset.api_url,
            &[
                ("Accept", "application/octet-stream".to_owned()),
                ("Authorization", format!("Bearer {}", self.token)),
                ("X-GitHub-Api-Version", "2022-11-28".to_owned()),
            ],
            Some(asset.size),
            &ctx.retry,
        )
    }

    /// The `manifest.json` asset of `release`, parsed; `None` when it has none.
    ///
    /// # Errors
    /// The asset cannot be downloaded or is not a bundle manifest.
    pub fn manifest(
        &self,
        origin: &str,
        release: &ReleaseInfo,
        ctx: &Context,
    ) -> Result<Option<Manifest>, BaselineError> {
        let Some(asset) = release.assets.iter().find(|a| a.name == MANIFEST) else {
            return Ok(None);
        };
        let bytes = self.download(origin, asset, ctx)?;
        serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            BaselineError::input(
                origin,
                format!("{MANIFEST} of release {} does not parse: {e}", release.tag),
            )
        })
    }
}

/// True for a release users see as published: neither a draft nor a prerelease.
#[must_use]
pub fn is_published(release: &ReleaseInfo) -> bool {
    !release.draft && !release.prerelease
}

/// The bundle zip of `release`: `NAME-VERSION.zip` of its manifest, else its only `.zip`.
#[must_use]
pub fn bundle_asset<'a>(
    release: &'a ReleaseInfo,
    manifest: Option<&Manifest>,
) -> Option<&'a AssetInfo> {
    match manifest {
        Some(m) => release.assets.iter().find(|a| a.name == m.zip_name()),
        None => {
            let mut zips = release.assets.iter().filter(|a| a.name.ends_with(".zip"));
            match (zips.next(), zips.next()) {
                (Some(a), None) => Some(a),
                _ => None,
            }
        }
    }
}
