//! GitLab: `gitlab-package:NAME@VERSION`, the bundle `publish --to gitlab` stored as generic
//! package files (`GET /projects/:id/packages/generic/NAME/VERSION/FILE`), and
//! `gitlab-release:latest|TAG`, the bundle a release's asset links point at.

use modelci_bundle::Manifest;
use modelci_bundle::manifest::MANIFEST;
use modelci_forge::releases::gitlab::ReleaseInfo;

use crate::gitlab_releases::{GitLabTarget, bundle_link, is_released};
use crate::{Baseline, BaselineError, Context, Pick, from_bundle};

/// Downloads the package's manifest, then (unless cached) its bundle, and returns the model.
pub(crate) fn fetch(
    origin: &str,
    name: &str,
    version: &str,
    ctx: &Context,
) -> Result<Baseline, BaselineError> {
    let target = GitLabTarget::from_context(origin, ctx)?;
    let get = |file: &str| target.package_file(origin, name, version, file, ctx);
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

/// Fetches the bundle's model of the release `pick` names.
pub(crate) fn fetch_release(
    origin: &str,
    pick: &Pick,
    ctx: &Context,
) -> Result<Baseline, BaselineError> {
    let target = GitLabTarget::from_context(origin, ctx)?;
    let releases = target.list(origin, ctx)?;
    let release = match pick {
        Pick::Latest => releases
            .iter()
            .filter(|r| is_released(r))
            .find(|r| r.links.iter().any(|l| l.name.ends_with(".zip")))
            .ok_or_else(|| {
                BaselineError::input(
                    origin,
                    format!(
                        "GitLab project {} has no release (not an upcoming one) with a modelci bundle",
                        target.project
                    ),
                )
            })?,
        Pick::Tag(tag) => releases.iter().find(|r| &r.tag == tag).ok_or_else(|| {
            BaselineError::input(
                origin,
                format!(
                    "GitLab project {} has no release with tag `{tag}`",
                    target.project
                ),
            )
        })?,
    };
    fetch_bundle(origin, &target, release, ctx)
}

/// Fetches the bundle's model of one release.
pub(crate) fn fetch_bundle(
    origin: &str,
    target: &GitLabTarget,
    release: &ReleaseInfo,
    ctx: &Context,
) -> Result<Baseline, BaselineError> {
    let manifest = target.manifest(origin, release, ctx)?;
    let link = bundle_link(release, manifest.as_ref()).ok_or_else(|| {
        BaselineError::input(
            origin,
            format!(
                "release {} of GitLab project {} has no modelci bundle link ({})",
                release.tag,
                target.project,
                manifest
                    .as_ref()
                    .map_or_else(|| "NAME-VERSION.zip".to_owned(), |m| m.zip_name())
            ),
        )
    })?;
    from_bundle(
        origin,
        format!("gitlab-release:{}", release.tag),
        "gitlab-release",
        manifest.as_ref(),
        release.released_at.clone(),
        ctx,
        &|| {
            target.download(
                origin,
                &format!("release link `{}`", link.name),
                &link.url,
                ctx,
            )
        },
    )
}
