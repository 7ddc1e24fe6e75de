//! The repository's releases and their bundle manifests, on whichever code host the run is on:
//! what `github-release:`, `gitlab-release:`, `auto` and the trend over releases (`--history`)
//! read.
//!
//! Releases are listed through [`modelci_forge::Releases`] (GitHub Releases with their assets;
//! GitLab releases with their asset links, which `publish --to gitlab` points at generic package
//! files), so nothing here asks which host it talks to. The files are downloaded with the
//! bounded retries of [`crate::download`]; the host says how ([`modelci_forge::Download`]), and
//! GitLab's token goes only to URLs under the project's API root, never to a link pointing
//! elsewhere.

use modelci_bundle::Manifest;
use modelci_bundle::manifest::MANIFEST;
use modelci_ci::{ForgeKind, HostChoice};
use modelci_forge::{Download, ForgeConfig, ForgeError, Package, Release, ReleaseAsset, Token};

use crate::{BaselineError, Context, download};

/// Most releases `auto` reads manifests of before giving up.
pub const MAX_MANIFESTS: usize = 30;

/// A repository (GitHub) or project (GitLab) to read releases and packages from.
#[derive(Debug, Clone)]
pub struct ReleaseTarget {
    /// Which host.
    pub kind: ForgeKind,
    /// API root, e.g. `https://api.github.com` or `https://gitlab.com/api/v4`.
    pub api_url: String,
    /// `owner/repo`, or the GitLab project id or path.
    pub project: String,
    /// The token of the run, when one is known.
    token: Option<Token>,
}

impl ReleaseTarget {
    /// The repository of the run on `kind` (or, for `None`, on the run's own host: GitLab in
    /// GitLab CI, else GitHub), with the token of the run, by [`modelci_ci::resolve_host`]
    /// (`GITHUB_REPOSITORY`, `GITHUB_API_URL`, `MODELCI_GITHUB_TOKEN`, `GITHUB_TOKEN`;
    /// `CI_API_V4_URL`, `CI_PROJECT_PATH`, `CI_PROJECT_ID`, `MODELCI_GITLAB_TOKEN`,
    /// `GITLAB_TOKEN`, `CI_JOB_TOKEN`).
    ///
    /// # Errors
    /// No repository is known.
    pub fn from_context(
        origin: &str,
        kind: Option<ForgeKind>,
        ctx: &Context,
    ) -> Result<Self, BaselineError> {
        let kind = kind
            .or_else(|| ctx.ci.forge.kind())
            .unwrap_or(ForgeKind::GitHub);
        let choice = HostChoice {
            kind: Some(kind),
            ..HostChoice::default()
        };
        let host = modelci_ci::resolve_host(&ctx.ci, &ctx.env, &choice)
            .ok()
            .filter(|h| {
                kind != ForgeKind::GitHub
                    || modelci_ci::Repository::github_slug(&h.project).is_some()
            })
            .ok_or_else(|| BaselineError::input(origin, hint(kind).no_project))?;
        Ok(Self {
            kind,
            token: ForgeConfig::from_host(&host).map(|c| c.token),
            api_url: host.api_url,
            project: host.project,
        })
    }

    /// True when a token is known (listing releases needs one).
    #[must_use]
    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    /// `Ok` when a token is known, else the bad input naming the variable to set.
    ///
    /// # Errors
    /// No token is known.
    pub fn require_token(&self, origin: &str) -> Result<&Token, BaselineError> {
        self.token
            .as_ref()
            .ok_or_else(|| BaselineError::input(origin, hint(self.kind).no_token))
    }

    /// The repository as messages name it: `owner/repo`, `GitLab project group/project`.
    #[must_use]
    pub fn describe(&self) -> String {
        match self.kind {
            ForgeKind::GitLab => format!("GitLab project {}", self.project),
            _ => self.project.clone(),
        }
    }

    /// The scheme of a release source on this host: `github-release` or `gitlab-release`.
    #[must_use]
    pub fn scheme(&self) -> String {
        format!("{}-release", modelci_forge::ForgeKind::from(self.kind).id())
    }

    /// Connects to the host's releases.
    fn connect(
        &self,
        origin: &str,
        ctx: &Context,
    ) -> Result<Box<dyn modelci_forge::Releases>, BaselineError> {
        let token = self.require_token(origin)?.clone();
        let mut config = ForgeConfig::new(self.kind.into(), self.project.clone(), token);
        config.api_url = Some(self.api_url.clone());
        config.retry = ctx.retry.clone();
        modelci_forge::connect_releases(&config).map_err(|e| {
            // A bad URL or a refused token is the setup's problem; the rest is the host's.
            let setup = matches!(
                e,
                ForgeError::Config { .. }
                    | ForgeError::Unauthorized { .. }
                    | ForgeError::Forbidden { .. }
                    | ForgeError::NotFound { .. }
            );
            self.failed(origin, &e, !setup)
        })
    }

    /// A failure to list the releases.
    fn failed(&self, origin: &str, e: &dyn std::fmt::Display, host: bool) -> BaselineError {
        let message = format!("listing the releases of {}: {e}", self.describe());
        if host {
            BaselineError::host(origin, message)
        } else {
            BaselineError::input(origin, message)
        }
    }

    /// Every release in the host's order, newest first (drafts, prereleases and upcoming
    /// releases flagged, not removed), and the client to download their files with.
    ///
    /// # Errors
    /// No token is known, or the host fails (after retries) or refuses.
    pub fn list(&self, origin: &str, ctx: &Context) -> Result<Listed, BaselineError> {
        let client = self.connect(origin, ctx)?;
        let releases = client
            .list_releases()
            .map_err(|e| self.failed(origin, &e, e.is_host_failure()))?;
        Ok(Listed { client, releases })
    }

    /// The published releases (not drafts, prereleases or upcoming ones), newest publication
    /// first; the host's id (creation order) breaks ties, else the host's order stays.
    ///
    /// # Errors
    /// As [`ReleaseTarget::list`].
    pub fn published(&self, origin: &str, ctx: &Context) -> Result<Listed, BaselineError> {
        let mut listed = self.list(origin, ctx)?;
        listed.releases.retain(|r| r.published);
        listed.releases.sort_by(|a, b| {
            (b.published_at.as_deref(), b.id).cmp(&(a.published_at.as_deref(), a.id))
        });
        Ok(listed)
    }

    /// File `file` of generic package `name`/`version` (GitLab), with the token when known.
    ///
    /// # Errors
    /// The file does not exist or cannot be downloaded.
    pub fn package_file(
        &self,
        origin: &str,
        package: &Package,
        file: &str,
        ctx: &Context,
    ) -> Result<Vec<u8>, BaselineError> {
        let how = modelci_forge::releases::package_file(
            &self.api_url,
            &self.project,
            self.token.as_ref(),
            package,
            file,
        );
        let what = format!("package file {}/{}/{file}", package.name, package.version);
        fetch(origin, &what, &how, ctx)
    }
}

/// Releases as listed, with the client that downloads their files.
pub struct Listed {
    /// The host's releases client.
    client: Box<dyn modelci_forge::Releases>,
    /// The releases.
    pub releases: Vec<Release>,
}

impl std::fmt::Debug for Listed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listed")
            .field("releases", &self.releases)
            .finish_non_exhaustive()
    }
}

impl Listed {
    /// The bytes of `asset` of `release`, retried by [`Context::retry`].
    ///
    /// # Errors
    /// The asset cannot be downloaded.
    pub fn download(
        &self,
        origin: &str,
        release: &Release,
        asset: &ReleaseAsset,
        ctx: &Context,
    ) -> Result<Vec<u8>, BaselineError> {
        let what = if asset.name == MANIFEST {
            format!("{MANIFEST} of release {}", release.tag)
        } else {
            format!("release asset `{}`", asset.name)
        };
        fetch(origin, &what, &self.client.download(asset), ctx)
    }

    /// The `manifest.json` asset of `release`, parsed; `None` when it has none.
    ///
    /// # Errors
    /// The asset cannot be downloaded or is not a bundle manifest.
    pub fn manifest(
        &self,
        origin: &str,
        release: &Release,
        ctx: &Context,
    ) -> Result<Option<Manifest>, BaselineError> {
        let Some(asset) = release.assets.iter().find(|a| a.name == MANIFEST) else {
            return Ok(None);
        };
        let bytes = self.download(origin, release, asset, ctx)?;
        serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            BaselineError::input(
                origin,
                format!("{MANIFEST} of release {} does not parse: {e}", release.tag),
            )
        })
    }
}

/// Downloads what `how` describes.
fn fetch(
    origin: &str,
    what: &str,
    how: &Download,
    ctx: &Context,
) -> Result<Vec<u8>, BaselineError> {
    let headers: Vec<(&str, String)> = how.headers.iter().map(|(n, v)| (*n, v.clone())).collect();
    download::get(origin, what, &how.url, &headers, how.size, &ctx.retry)
}

/// The bundle zip of `release`: `NAME-VERSION.zip` of its manifest, else its only `.zip`.
#[must_use]
pub fn bundle_asset<'a>(
    release: &'a Release,
    manifest: Option<&Manifest>,
) -> Option<&'a ReleaseAsset> {
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

/// What a host's messages tell the user to set.
struct Hint {
    /// No repository known.
    no_project: &'static str,
    /// No token known.
    no_token: &'static str,
}

/// The setup hints of `kind`.
fn hint(kind: ForgeKind) -> Hint {
    match kind {
        ForgeKind::GitLab => Hint {
            no_project: "no GitLab project known: run in GitLab CI or set CI_PROJECT_ID",
            no_token: "reading releases needs a token: set GITLAB_TOKEN (read_api) or run in GitLab CI",
        },
        _ => Hint {
            no_project: "no GitHub repository known: run in GitHub Actions or set GITHUB_REPOSITORY=owner/repo",
            no_token: "reading releases needs a token: set GITHUB_TOKEN (contents: read)",
        },
    }
}
