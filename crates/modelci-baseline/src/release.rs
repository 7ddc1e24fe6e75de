//! `github-release:latest|TAG` and `gitlab-release:latest|TAG`: the modelci bundle of a release
//! on the run's code host ([`crate::releases`]), and `gitlab-package:NAME@VERSION`, the bundle
//! `publish --to gitlab` stored as generic package files
//! (`GET /projects/:id/packages/generic/NAME/VERSION/FILE`).

use modelci_bundle::Manifest;
use modelci_bundle::manifest::MANIFEST;
use modelci_ci::ForgeKind;
use modelci_forge::{Package, Release};

use crate::releases::{Listed, ReleaseTarget, bundle_asset};
use crate::{Baseline, BaselineError, Context, Pick, from_bundle};

/// Fetches the bundle's model of the release `pick` names on `kind`.
pub(crate) fn fetch(
    origin: &str,
    kind: ForgeKind,
    pick: &Pick,
    ctx: &Context,
) -> Result<Baseline, BaselineError> {
    let target = ReleaseTarget::from_context(origin, Some(kind), ctx)?;
    let listed = target.list(origin, ctx)?;
    let words = Words::of(kind);
    let release = match pick {
        Pick::Latest => listed
            .releases
            .iter()
            .filter(|r| r.published)
            .find(|r| r.assets.iter().any(|a| a.name.ends_with(".zip")))
            .ok_or_else(|| {
                BaselineError::input(
                    origin,
                    format!(
                        "{} has no {} (not {}) with a modelci bundle",
                        target.describe(),
                        words.release,
                        words.unpublished
                    ),
                )
            })?,
        Pick::Tag(tag) => listed
            .releases
            .iter()
            .find(|r| &r.tag == tag && !r.draft)
            .ok_or_else(|| {
                BaselineError::input(
                    origin,
                    format!(
                        "{} has no {} with tag `{tag}`",
                        target.describe(),
                        words.release
                    ),
                )
            })?,
    };
    fetch_release(origin, &target, &listed, release, ctx)
}

/// Fetches the bundle's model of one listed release.
pub(crate) fn fetch_release(
    origin: &str,
    target: &ReleaseTarget,
    listed: &Listed,
    release: &Release,
    ctx: &Context,
) -> Result<Baseline, BaselineError> {
    let manifest = listed.manifest(origin, release, ctx)?;
    let asset = bundle_asset(release, manifest.as_ref()).ok_or_else(|| {
        BaselineError::input(
            origin,
            format!(
                "release {} of {} has no modelci bundle {} ({})",
                release.tag,
                target.describe(),
                Words::of(target.kind).asset,
                manifest
                    .as_ref()
                    .map_or_else(|| "NAME-VERSION.zip".to_owned(), |m| m.zip_name())
            ),
        )
    })?;
    from_bundle(
        origin,
        format!("{}:{}", target.scheme(), release.tag),
        &target.scheme(),
        manifest.as_ref(),
        release.published_at.clone(),
        ctx,
        &|| listed.download(origin, release, asset, ctx),
    )
}

/// Downloads the package's manifest, then (unless cached) its bundle, and returns the model.
pub(crate) fn fetch_package(
    origin: &str,
    name: &str,
    version: &str,
    ctx: &Context,
) -> Result<Baseline, BaselineError> {
    let target = ReleaseTarget::from_context(origin, Some(ForgeKind::GitLab), ctx)?;
    let package = Package {
        name: name.to_owned(),
        version: version.to_owned(),
    };
    let get = |file: &str| target.package_file(origin, &package, file, ctx);
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

/// How each host names things in messages.
struct Words {
    /// What a usable release is called.
    release: &'static str,
    /// What is left out.
    unpublished: &'static str,
    /// What a release's file is called.
    asset: &'static str,
}

impl Words {
    /// The words of `kind`.
    fn of(kind: ForgeKind) -> Self {
        match kind {
            ForgeKind::GitLab => Self {
                release: "release",
                unpublished: "an upcoming one",
                asset: "link",
            },
            _ => Self {
                release: "published release",
                unpublished: "a draft or prerelease",
                asset: "asset",
            },
        }
    }
}
