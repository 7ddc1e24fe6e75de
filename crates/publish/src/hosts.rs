//! The code-host targets: which repository, API and token (flags over CI detection), the
//! release notes, and the calls into [`modelci_forge::releases`].

use std::fmt::Write as _;

use anyhow::anyhow;
use modelci_bundle::Built;
use modelci_ci::{CiContext, Env, ForgeKind, Host, HostChoice};
use modelci_cli::Failure;
use modelci_forge::releases::{self, AssetFile, ReleaseOutcome, ReleaseRequest};
use modelci_forge::{ForgeConfig, Package, Token};
use modelci_report::escape_markdown;

use crate::args::Args;

/// Where and as whom to publish on one host.
#[derive(Debug, Clone)]
pub(crate) struct HostConfig {
    /// Which host.
    pub kind: modelci_forge::ForgeKind,
    /// API root.
    pub api_url: String,
    /// `owner/repo` or GitLab project path/id.
    pub repo: String,
    /// The token.
    pub token: Token,
    /// The same token, for masking in GitHub Actions logs.
    pub secret: modelci_ci::Secret,
}

/// GitHub: `--github-repo`/`GITHUB_REPOSITORY`, `--github-api-url`/`GITHUB_API_URL`, and
/// `MODELCI_GITHUB_TOKEN` or `GITHUB_TOKEN` (with `contents: write`).
pub(crate) fn github_config(args: &Args, env: &Env) -> Result<HostConfig, Failure> {
    let choice = HostChoice {
        kind: Some(ForgeKind::GitHub),
        api_url: args.github_api_url.as_deref(),
        project: args.github_repo.as_deref(),
    };
    host_config(
        env,
        &choice,
        "--to github: which repository? set --github-repo OWNER/REPO (GITHUB_REPOSITORY in GitHub Actions)",
        "--to github: no token; set GITHUB_TOKEN (with `contents: write`) or MODELCI_GITHUB_TOKEN",
    )
}

/// GitLab: `--gitlab-project`/`CI_PROJECT_PATH`/`CI_PROJECT_ID`, `--gitlab-api-url`/
/// `CI_API_V4_URL`, and `MODELCI_GITLAB_TOKEN`, `GITLAB_TOKEN` or the job token (which may
/// publish packages and releases).
pub(crate) fn gitlab_config(args: &Args, env: &Env) -> Result<HostConfig, Failure> {
    let choice = HostChoice {
        kind: Some(ForgeKind::GitLab),
        api_url: args.gitlab_api_url.as_deref(),
        project: args.gitlab_project.as_deref(),
    };
    host_config(
        env,
        &choice,
        "--to gitlab: which project? set --gitlab-project GROUP/PROJECT (CI_PROJECT_ID in GitLab CI)",
        "--to gitlab: no token; in GitLab CI the job token works, elsewhere set GITLAB_TOKEN (a project access token with `api` scope) or MODELCI_GITLAB_TOKEN",
    )
}

/// The configuration for `choice`, or bad input with `no_project` / `no_token`.
fn host_config(
    env: &Env,
    choice: &HostChoice<'_>,
    no_project: &'static str,
    no_token: &'static str,
) -> Result<HostConfig, Failure> {
    let host = resolve(env, choice).map_err(|_| Failure::bad_input(anyhow!(no_project)))?;
    config(&host).ok_or_else(|| Failure::bad_input(anyhow!(no_token)))
}

/// The host for `choice`: flags, then the environment ([`modelci_ci::resolve_host`]; the
/// variables it reads are the ones detection reads, so a local context loses nothing).
fn resolve(env: &Env, choice: &HostChoice<'_>) -> Result<Host, modelci_ci::HostError> {
    modelci_ci::resolve_host(&CiContext::local(), env, choice)
}

/// The client configuration of `host`, `None` without a token.
fn config(host: &Host) -> Option<HostConfig> {
    let forge = ForgeConfig::from_host(host)?;
    Some(HostConfig {
        kind: forge.kind,
        api_url: host.api_url.clone(),
        repo: host.project.clone(),
        token: forge.token,
        secret: host.token.as_ref()?.secret.clone(),
    })
}

/// The release to create for `built`.
pub(crate) fn request(built: &Built, tag: &str, replace: bool) -> Result<ReleaseRequest, Failure> {
    let m = &built.manifest;
    let mut assets = Vec::new();
    for (path, content_type) in [
        (&built.zip, "application/zip"),
        (&built.sums, "text/plain"),
        (&built.manifest_path, "application/json"),
    ] {
        let (sha256, size) =
            modelci_bundle::digest::sha256_file(path).map_err(Failure::bad_input)?;
        assets.push(AssetFile {
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            path: path.clone(),
            sha256,
            size,
            content_type: content_type.to_owned(),
        });
    }
    Ok(ReleaseRequest {
        tag: tag.to_owned(),
        title: format!("{} {}", m.name, m.version),
        notes: notes(built),
        target: m.source.commit.clone(),
        assets,
        replace,
    })
}

/// Release notes: provenance, metrics, checksums, how to verify.
fn notes(built: &Built) -> String {
    let m = &built.manifest;
    let mut out = format!(
        "Model bundle **{}** {}",
        escape_markdown(&m.name),
        escape_markdown(&m.version)
    );
    if let Some(c) = &m.source.commit {
        let _ = write!(out, ", built from commit {}", escape_markdown(c));
    }
    if let Some(b) = &m.source.branch {
        let _ = write!(out, " on branch {}", escape_markdown(b));
    }
    out.push_str(".\n\n");
    if !m.metrics.is_empty() {
        out.push_str("| metric | value |\n|---|---|\n");
        for (k, v) in &m.metrics {
            let _ = writeln!(out, "| {} | {} |", escape_markdown(k), serde_json::json!(v));
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "| file | sha256 |\n|---|---|\n| {} | `{}` |\n",
        m.zip_name(),
        built.sha256
    );
    let _ = writeln!(
        out,
        "Check a download with `sha256sum -c SHA256SUMS` or `publish verify {}`.",
        m.zip_name()
    );
    out
}

/// Maps a release failure to an exit code: the host's fault 3, a conflict or local problem 2.
fn failure(e: releases::ReleaseError) -> Failure {
    if e.is_host_failure() {
        Failure::forge(e)
    } else {
        Failure::bad_input(e)
    }
}

/// Publishes `request` on the host of `config` ([`modelci_forge::Releases`]): a GitHub Release,
/// or the files as a GitLab generic package named after the bundle and a release linking them.
pub(crate) fn publish(
    config: &HostConfig,
    built: &Built,
    request: &ReleaseRequest,
) -> Result<ReleaseOutcome, Failure> {
    let mut forge = ForgeConfig::new(config.kind, config.repo.clone(), config.token.clone());
    forge.api_url = Some(config.api_url.clone());
    let client = modelci_forge::connect_releases(&forge).map_err(|e| {
        // Connecting checks a GitLab token: refused or unreachable is the host's answer (3).
        if e.is_transient() || matches!(e, modelci_forge::ForgeError::Unauthorized { .. }) {
            Failure::forge(e)
        } else {
            failure(e.into())
        }
    })?;
    let package = Package {
        name: built.manifest.name.clone(),
        version: built.manifest.version.clone(),
    };
    client.publish_release(&package, request).map_err(failure)
}

/// For `CiContext`-aware callers: whether standard output is a GitHub Actions log.
pub(crate) fn github_actions(context: &CiContext) -> bool {
    context.provider == modelci_ci::Provider::GitHubActions
}
