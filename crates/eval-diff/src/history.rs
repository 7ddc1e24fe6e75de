//! The releases behind the trend (`--history N`, issue 8 item 4): the metrics and model size of
//! the last N published GitHub releases that carry a modelci bundle, read from their
//! `manifest.json` assets (a few kilobytes each; the bundle zips are never downloaded).
//!
//! The trend is an extra, so it never fails a run by itself: when GitHub cannot be reached the
//! run prints a warning and the report goes out without it (exit 3 only with `--strict`, as for
//! posting). It is GitHub-only for now: listing a GitLab project's releases is not among the
//! operations described in `crates/modelci-test/fixtures/API.md`, which every test request is
//! checked against. Manifests go through [`GitHubTarget::download`], so they get the same
//! bounded retries as baseline downloads; they are not cached (they are small, and one request
//! per release is what checking the cache's freshness would cost anyway).

use std::collections::BTreeMap;

use modelci_baseline::releases::{GitHubTarget, bundle_asset, is_published};
use modelci_baseline::{BaselineError, Context};
use modelci_ci::Forge;
use serde::Serialize;

/// Releases read when `--history` is not given, inside a GitHub pull request (where the trend
/// then only appears when there is at least one release to show).
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
    /// Not asked for (or, by default, no GitHub pull request to show it in).
    Off,
    /// Asked for but not available; `reason` is one line, already printed as a warning.
    Unavailable {
        /// Why, for the report.
        reason: String,
        /// True when GitHub failed (exit 3 with `--strict`), false for a setup problem.
        host_failure: bool,
    },
    /// The releases, oldest first (possibly none).
    Releases(Vec<Release>),
}

/// How many releases to read: `--history N` as given, else [`DEFAULT_IN_PULL_REQUEST`] inside a
/// GitHub pull request, else none.
#[must_use]
pub fn wanted(requested: Option<u32>, ctx: &Context) -> u32 {
    match requested {
        Some(n) => n,
        None if ctx.ci.change.is_some() && matches!(ctx.ci.forge, Forge::GitHub { .. }) => {
            DEFAULT_IN_PULL_REQUEST
        }
        None => 0,
    }
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
    if matches!(ctx.ci.forge, Forge::GitLab { .. }) {
        return if explicit {
            unavailable(
                "--history reads GitHub releases only for now (listing GitLab releases is not supported yet)".into(),
                false,
                warn,
            )
        } else {
            Trend::Off
        };
    }
    let target = match GitHubTarget::from_context(ORIGIN, ctx) {
        Ok(t) => t,
        Err(e) if explicit => return unavailable(message(&e), false, warn),
        Err(_) => return Trend::Off,
    };
    match read(&target, n as usize, ctx, warn) {
        // By default a repository that publishes no bundles gets no note in every comment.
        Ok(releases) if releases.is_empty() && !explicit => Trend::Off,
        Ok(releases) => Trend::Releases(releases),
        Err(e) => unavailable(message(&e), e.is_host_failure(), warn),
    }
}

/// The last `n` published releases with a bundle, oldest first.
fn read(
    target: &GitHubTarget,
    n: usize,
    ctx: &Context,
    warn: &mut dyn FnMut(&str),
) -> Result<Vec<Release>, BaselineError> {
    let mut releases: Vec<_> = target
        .list(ORIGIN, ctx)?
        .into_iter()
        .filter(is_published)
        .collect();
    // Newest first by publication time (a release drafted early and published late counts
    // when it was published); the id (creation order) breaks ties.
    releases
        .sort_by(|a, b| (b.published_at.as_deref(), b.id).cmp(&(a.published_at.as_deref(), a.id)));
    let mut out = Vec::new();
    for release in &releases {
        if out.len() == n {
            break;
        }
        let manifest = match target.manifest(ORIGIN, release, ctx) {
            Ok(Some(m)) => m,
            Ok(None) => continue,
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
        if bundle_asset(release, Some(&manifest)).is_none() {
            continue;
        }
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
