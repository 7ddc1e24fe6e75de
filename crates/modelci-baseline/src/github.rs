//! `github-release:latest` / `github-release:TAG`: the modelci bundle of a GitHub release.

use modelci_forge::releases::github::ReleaseInfo;

use crate::releases::{GitHubTarget, bundle_asset, is_published};
use crate::{Baseline, BaselineError, Context, Pick, from_bundle};

/// Fetches the bundle's model of the release `pick` names.
pub(crate) fn fetch(origin: &str, pick: &Pick, ctx: &Context) -> Result<Baseline, BaselineError> {
    let target = GitHubTarget::from_context(origin, ctx)?;
    let releases = target.list(origin, ctx)?;
    let release = match pick {
        Pick::Latest => releases
            .iter()
            .filter(|r| is_published(r))
            .find(|r| r.assets.iter().any(|a| a.name.ends_with(".zip")))
            .ok_or_else(|| {
                BaselineError::input(
                    origin,
                    format!(
                        "{} has no published release (not a draft or prerelease) with a modelci bundle",
                        target.repo
                    ),
                )
            })?,
        Pick::Tag(tag) => releases
            .iter()
            .find(|r| &r.tag == tag && !r.draft)
            .ok_or_else(|| {
                BaselineError::input(
                    origin,
                    format!("{} has no published release with tag `{tag}`", target.repo),
                )
            })?,
    };
    fetch_release(origin, &target, release, ctx)
}

/// Fetches the bundle's model of one release.
pub(crate) fn fetch_release(
    origin: &str,
    target: &GitHubTarget,
    release: &ReleaseInfo,
    ctx: &Context,
) -> Result<Baseline, BaselineError> {
    let manifest = target.manifest(origin, release, ctx)?;
    let asset = bundle_asset(release, manifest.as_ref()).ok_or_else(|| {
        BaselineError::input(
            origin,
            format!(
                "release {} of {} has no modelci bundle asset ({})",
                release.tag,
                target.repo,
                manifest
                    .as_ref()
                    .map_or_else(|| "NAME-VERSION.zip".to_owned(), |m| m.zip_name())
            ),
        )
    })?;
    from_bundle(
        origin,
        format!("github-release:{}", release.tag),
        "github-release",
        manifest.as_ref(),
        release.published_at.clone(),
        ctx,
        &|| target.download(origin, asset, ctx),
    )
}
