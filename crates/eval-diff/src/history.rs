//! The releases behind the trend (`--history N`, issue 8 item 4): the metrics and model size of
//! the last N published releases that carry a modelci bundle, read from their `manifest.json`
//! (a few kilobytes each; the bundle zips are never downloaded): GitHub releases (not drafts or
//! prereleases) with a `manifest.json` asset, or, in GitLab CI, GitLab releases (not upcoming
//! ones) with a `manifest.json` asset link (`publish --to gitlab`).
//!
//! The trend is an extra, so it never fails a run by itself: when the code host cannot be
//! reached the run prints a warning and the report goes out without it (exit 3 only with
//! `--strict`, as for posting). Manifests are downloaded by `modelci-baseline`, so they get the
//! same bounded retries as baseline downloads; they are not cached (they are small, and one
//! request per release is what checking the cache's freshness would cost anyway).

use std::collections::BTreeMap;

use modelci_baseline::releases::{ReleaseTarget, bundle_asset};
use modelci_baseline::{BaselineError, Context};
use modelci_ci::Forge;
use serde::Serialize;

/// Releases read when `--history` is not given, inside a GitHub pull request or a GitLab merge
/// request (where the trend then only appears when there is at least one release to show).
pub const DEFAULT_IN_PULL_REQUEST: u32 = 10;

/// Where `--history` messages come from (the `--baseline`-style prefix of errors).
const ORIGIN: &str = "--history";

/// One published release of the trend: an entry of `report.json`'s `history`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Release {
    /// The bundle's version (`manifest.json` `version`).
    pub version: String,
    /// The release's tag.
    pub tag: String,
    /// When the release was published (RFC 3339).
    pub published: Option<String>,
    /// The bundle's metrics (`manifest.json` `metrics`); a metric the manifest lacks is absent.
    pub metrics: BTreeMap<String, f64>,
    /// The bundle's model file size in bytes (its first `model` file, else the `size` metric).
    pub size: Option<u64>,
}

/// What `--history` found.
#[derive(Debug, Clone, PartialEq)]
pub enum Trend {
    /// Not asked for (or, by default, no pull/merge request to show it in).
    Off,
    /// Asked for but not available; `reason` is one line, already printed as a warning.
    Unavailable {
        /// Why, for the report.
        reason: String,
        /// True when the code host failed (exit 3 with `--strict`), false for a setup problem.
        host_failure: bool,
    },
    /// The releases, oldest first (possibly none).
    Releases(Vec<Release>),
}

/// How many releases to read: `--history N` as given, else [`DEFAULT_IN_PULL_REQUEST`] inside a
/// GitHub pull request or a GitLab merge request, else none.
#[must_use]
pub fn wanted(requested: Option<u32>, ctx: &Context) -> u32 {
    match requested {
        Some(n) => n,
        None if ctx.ci.change.is_some()
            && matches!(ctx.ci.forge, Forge::GitHub { .. } | Forge::GitLab { .. }) =>
        {
            DEFAULT_IN_PULL_REQUEST
        }
        None => 0,
    }
}

/// The releases of the run's code host (GitLab in GitLab CI, else GitHub: the run's repository
/// or `GITHUB_REPOSITORY`); an error when the repository or a token is not known.
fn host(ctx: &Context) -> Result<ReleaseTarget, BaselineError> {
    let target = ReleaseTarget::from_context(ORIGIN, None, ctx)?;
    target.require_token(ORIGIN)?;
    Ok(target)
}

/// Reads the trend for `requested` (`--history`); warnings go to `warn`.
pub fn fetch(requested: Option<u32>, ctx: &Context, warn: &mut dyn FnMut(&str)) -> Trend {
    let n = wanted(requested, ctx);
    if n == 0 {
        return Trend::Off;
    }
    let explicit = requested.is_some();
    let unavailable = |reason: String, host_failure: bool, warn: &mut dyn FnMut(&str)| {
        warn(&format!(
            "the trend over releases is left out of the report: {reason}"
        ));
        Trend::Unavailable {
            reason,
            host_failure,
        }
    };
    let host = match host(ctx) {
        Ok(t) => t,
        Err(e) if explicit => return unavailable(message(&e), false, warn),
        Err(_) => return Trend::Off,
    };
    match read(&host, n as usize, ctx, warn) {
        // By default a repository that publishes no bundles gets no note in every comment.
        Ok(releases) if releases.is_empty() && !explicit => Trend::Off,
        Ok(releases) => Trend::Releases(releases),
        Err(e) => unavailable(message(&e), e.is_host_failure(), warn),
    }
}

/// The last `n` published releases with a bundle, oldest first.
fn read(
    host: &ReleaseTarget,
    n: usize,
    ctx: &Context,
    warn: &mut dyn FnMut(&str),
) -> Result<Vec<Release>, BaselineError> {
    let listed = host.published(ORIGIN, ctx)?;
    let mut out = Vec::new();
    for release in &listed.releases {
        if out.len() == n {
            break;
        }
        // Only a manifest describing a bundle the release carries counts.
        let manifest = match listed.manifest(ORIGIN, release, ctx) {
            Ok(Some(m)) if bundle_asset(release, Some(&m)).is_some() => m,
            Ok(_) => continue,
            Err(e) if e.is_host_failure() => return Err(e),
            Err(e) => {
                warn(&format!(
                    "release {} is left out: {}",
                    release.tag,
                    message(&e)
                ));
                continue;
            }
        };
        let size = manifest
            .files
            .iter()
            .find(|f| f.kind == "model")
            .map(|f| f.size)
            .or_else(|| {
                manifest
                    .metrics
                    .get("size")
                    .filter(|s| s.is_finite() && **s >= 0.0)
                    .map(|s| {
                        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                        let bytes = s.round() as u64;
                        bytes
                    })
            });
        out.push(Release {
            version: manifest.version.clone(),
            tag: release.tag.clone(),
            published: release.published_at.clone(),
            metrics: manifest
                .metrics
                .iter()
                .filter(|(_, v)| v.is_finite())
                .map(|(k, v)| (k.clone(), *v))
                .collect(),
            size,
        });
    }
    out.reverse();
    Ok(out)
}

/// The error's message without the `--history:` prefix [`BaselineError`] puts before it.
fn message(e: &BaselineError) -> String {
    let text = e.to_string();
    text.strip_prefix(&format!("--baseline {ORIGIN}: "))
        .map_or_else(|| text.clone(), str::to_owned)
}
