//! The project's GitLab releases and their bundle manifests: what `gitlab-release:`, `auto` (in
//! a merge request) and the trend over releases (`--history`) read.
//!
//! `publish --to gitlab` stores `NAME-VERSION.zip`, `SHA256SUMS` and `manifest.json` as generic
//! package files and gives the release one asset link per file, named after the file and
//! pointing at the package file's API URL. Releases are listed through `modelci-forge`
//! (`GET /projects/:id/releases`, every page); the files are downloaded here with the bounded
//! retries of [`crate::download`], like `gitlab-package:`. The token goes only to URLs under the
//! project's API root, never to a link pointing elsewhere.

use modelci_bundle::Manifest;
use modelci_bundle::manifest::MANIFEST;
use modelci_ci::{ForgeKind, HostChoice};
use modelci_forge::releases::gitlab::{LinkInfo, ReleaseInfo};
use modelci_forge::{ForgeError, GitLab, Token};

use crate::{BaselineError, Context, download};

/// A GitLab project to read releases and packages from.
pub struct GitLabTarget {
    /// API root, e.g. `https://gitlab.com/api/v4`.
    pub api_url: String,
    /// Project id or path.
    pub project: String,
    /// `PRIVATE-TOKEN` or `JOB-TOKEN` with its value, when a token is known.
    auth: Option<(&'static str, String)>,
}

impl std::fmt::Debug for GitLabTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitLabTarget")
            .field("api_url", &self.api_url)
            .field("project", &self.project)
            .finish_non_exhaustive()
    }
}

impl GitLabTarget {
    /// The project of the CI run (or `CI_API_V4_URL`, `CI_PROJECT_PATH`, `CI_PROJECT_ID`), with
    /// the token of the run (`MODELCI_GITLAB_TOKEN`, `GITLAB_TOKEN`, else `CI_JOB_TOKEN`), by
    /// [`modelci_ci::resolve_host`]; without an API URL, gitlab.com's.
    ///
    /// # Errors
    /// No project is known.
    pub fn from_context(origin: &str, ctx: &Context) -> Result<Self, BaselineError> {
        let choice = HostChoice {
            kind: Some(ForgeKind::GitLab),
            ..HostChoice::default()
        };
        let host = modelci_ci::resolve_host(&ctx.ci, &ctx.env, &choice).map_err(|_| {
            BaselineError::input(
                origin,
                "no GitLab project known: run in GitLab CI or set CI_PROJECT_ID",
            )
        })?;
        let auth = host.token.map(|t| {
            let header = if t.is_job_token {
                "JOB-TOKEN"
            } else {
                "PRIVATE-TOKEN"
            };
            (header, t.secret.expose().to_owned())
        });
        Ok(Self {
            api_url: host.api_url,
            project: host.project,
            auth,
        })
    }

    /// True when a token is known (listing releases needs one).
    #[must_use]
    pub fn has_token(&self) -> bool {
        self.auth.is_some()
    }

    /// Every release, newest `released_at` first (upcoming ones flagged, not removed).
    ///
    /// # Errors
    /// No token is known, or GitLab fails (after retries) or refuses.
    pub fn list(&self, origin: &str, ctx: &Context) -> Result<Vec<ReleaseInfo>, BaselineError> {
        let token = match &self.auth {
            Some(("JOB-TOKEN", t)) => Token::gitlab_job(t.clone()),
            Some((_, t)) => Token::new(t.clone()),
            None => {
                return Err(BaselineError::input(
                    origin,
                    "reading releases needs a token: set GITLAB_TOKEN (read_api) or run in GitLab CI",
                ));
            }
        };
        let policy = ctx.retry.clone();
        let failed = |e: &dyn std::fmt::Display, host: bool| {
            let message = format!(
                "listing the releases of GitLab project {}: {e}",
                self.project
            );
            if host {
                BaselineError::host(origin, message)
            } else {
                BaselineError::input(origin, message)
            }
        };
        let client = GitLab::new(&self.api_url, &self.project, &token, policy).map_err(|e| {
            // A bad URL or a refused token is the setup's problem; the rest is GitLab's.
            let setup = matches!(
                e,
                ForgeError::Config { .. }
                    | ForgeError::Unauthorized { .. }
                    | ForgeError::Forbidden { .. }
                    | ForgeError::NotFound { .. }
            );
            failed(&e, !setup)
        })?;
        modelci_forge::releases::gitlab::list(&client).map_err(|e| failed(&e, e.is_host_failure()))
    }

    /// The bytes at `url` (`what` names it in messages), retried by [`Context::retry`]. The token
    /// is sent only when `url` is under [`GitLabTarget::api_url`].
    ///
    /// # Errors
    /// The file cannot be downloaded.
    pub fn download(
        &self,
        origin: &str,
        what: &str,
        url: &str,
        ctx: &Context,
    ) -> Result<Vec<u8>, BaselineError> {
        let ours = url.starts_with(&format!("{}/", self.api_url));
        let headers: Vec<(&str, String)> = self.auth.iter().filter(|_| ours).cloned().collect();
        download::get(origin, what, url, &headers, None, &ctx.retry)
    }

    /// File `file` of generic package `name`/`version`.
    ///
    /// # Errors
    /// The file does not exist or cannot be downloaded.
    pub fn package_file(
        &self,
        origin: &str,
        name: &str,
        version: &str,
        file: &str,
        ctx: &Context,
    ) -> Result<Vec<u8>, BaselineError> {
        let url = format!(
            "{}/projects/{}/packages/generic/{name}/{version}/{file}",
            self.api_url,
            modelci_ci::percent::encode(&self.project)
        );
        self.download(
            origin,
            &format!("package file {name}/{version}/{file}"),
            &url,
            ctx,
        )
    }

    /// The `manifest.json` link of `release`, downloaded and parsed; `None` when it has none.
    ///
    /// # Errors
    /// The file cannot be downloaded or is not a bundle manifest.
    pub fn manifest(
        &self,
        origin: &str,
        release: &ReleaseInfo,
        ctx: &Context,
    ) -> Result<Option<Manifest>, BaselineError> {
        let Some(link) = release.links.iter().find(|l| l.name == MANIFEST) else {
            return Ok(None);
        };
        let bytes = self.download(
            origin,
            &format!("{MANIFEST} of release {}", release.tag),
            &link.url,
            ctx,
        )?;
        serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            BaselineError::input(
                origin,
                format!("{MANIFEST} of release {} does not parse: {e}", release.tag),
            )
        })
    }
}

/// True for a release that is out: not an upcoming one (`released_at` in the future).
#[must_use]
pub fn is_released(release: &ReleaseInfo) -> bool {
    !release.upcoming
}

/// The bundle zip link of `release`: `NAME-VERSION.zip` of its manifest, else its only `.zip`.
#[must_use]
pub fn bundle_link<'a>(
    release: &'a ReleaseInfo,
    manifest: Option<&Manifest>,
) -> Option<&'a LinkInfo> {
    match manifest {
        Some(m) => release.links.iter().find(|l| l.name == m.zip_name()),
        None => {
            let mut zips = release.links.iter().filter(|l| l.name.ends_with(".zip"));
            match (zips.next(), zips.next()) {
                (Some(l), None) => Some(l),
                _ => None,
            }
        }
    }
}
