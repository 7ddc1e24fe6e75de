//! `gitlab-package:NAME@VERSION`: the bundle `publish --to gitlab` stored as generic package
//! files (`GET /projects/:id/packages/generic/NAME/VERSION/FILE`).

use modelci_bundle::Manifest;
use modelci_bundle::manifest::MANIFEST;
use modelci_ci::Forge;

use crate::{Baseline, BaselineError, Context, download, from_bundle};

/// Downloads the package's manifest, then (unless cached) its bundle, and returns the model.
pub(crate) fn fetch(
    origin: &str,
    name: &str,
    version: &str,
    ctx: &Context,
) -> Result<Baseline, BaselineError> {
    let api = match &ctx.ci.forge {
        Forge::GitLab { api_url, .. } => Some(api_url.clone()),
        _ => ctx.env.get("CI_API_V4_URL").map(str::to_owned),
    }
    .ok_or_else(|| {
        BaselineError::input(
            origin,
            "no GitLab API known: run in GitLab CI or set CI_API_V4_URL",
        )
    })?;
    let project = ctx
        .ci
        .repository
        .as_ref()
        .and_then(modelci_ci::Repository::gitlab_api_id)
        .or_else(|| ctx.env.get("CI_PROJECT_ID").map(str::to_owned))
        .ok_or_else(|| {
            BaselineError::input(
                origin,
                "no GitLab project known: run in GitLab CI or set CI_PROJECT_ID",
            )
        })?;
    let header = ["MODELCI_GITLAB_TOKEN", "GITLAB_TOKEN"]
        .iter()
        .find_map(|n| ctx.env.get(n).filter(|v| !v.is_empty()))
        .map(|t| ("PRIVATE-TOKEN", t.to_owned()))
        .or_else(|| {
            ctx.env
                .get("CI_JOB_TOKEN")
                .filter(|v| !v.is_empty())
                .map(|t| ("JOB-TOKEN", t.to_owned()))
        });
    let headers: Vec<(&str, String)> = header.into_iter().collect();
    let base = format!(
        "{}/projects/{project}/packages/generic/{name}/{version}",
        api.trim_end_matches('/')
    );
    let get = |file: &str| {
        download::get(
            origin,
            &format!("package file {name}/{version}/{file}"),
            &format!("{base}/{file}"),
            &headers,
            None,
            ctx.retry,
        )
    };
    let manifest: Manifest = serde_json::from_slice(&get(MANIFEST)?).map_err(|e| {
        BaselineError::input(
            origin,
            format!("{MANIFEST} of package {name}/{version} does not parse: {e}"),
        )
    })?;
    let zip = manifest.zip_name();
    from_bundle(
        origin,
        format!("gitlab-package:{name}@{version}"),
        "gitlab-package",
        Some(&manifest),
        None,
        ctx,
        &|| get(&zip),
    )
}
