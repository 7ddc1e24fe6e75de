//! `--reference` from a release bundle: a bundle zip, a folder `publish --to dir:` wrote, or a
//! remote source eval-diff's `--baseline` takes (`github-release:latest|TAG`,
//! `gitlab-release:latest|TAG`, `gitlab-package:NAME@VERSION`, `oci://HOST/REPO:TAG`). The
//! bundle is downloaded, verified and cached by [`modelci_baseline`], which hands back its
//! `drift-reference.json` (manifest kind [`KIND`]) checked against `manifest.json`; the
//! bundle's model is the model the reference describes.

use std::path::{Path, PathBuf};

use anyhow::anyhow;
use modelci_baseline::{Context, Provenance, Source};
use modelci_cli::Failure;
use modelci_drift::Reference;
use serde::Serialize;

/// The manifest `kind` of a bundle's drift reference.
pub const KIND: &str = "drift-reference";

/// A reference ready to check against, and where it came from.
#[derive(Debug, Clone)]
pub struct Opened {
    /// The reference, without the ignored features.
    pub reference: Reference,
    /// The bundle's model (the model the reference describes, the one to monitor); `None` for
    /// a reference file or a CSV dataset.
    pub model: Option<PathBuf>,
    /// Where a bundle's reference came from; `None` for a local reference file or dataset.
    pub provenance: Option<ReferenceProvenance>,
}

/// Where a bundle's drift reference came from, for report.md/json.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReferenceProvenance {
    /// The bundle: source, resolved release, version, the model's and the zip's sha256, how
    /// they were verified, whether they came from the cache.
    #[serde(flatten)]
    pub bundle: Provenance,
    /// SHA-256 of `drift-reference.json`, equal to the bundle manifest's.
    pub reference_sha256: String,
}

/// Whether `path` (as typed) names a bundle source rather than a local reference file or
/// dataset: a remote scheme, a `.zip` or a folder.
///
/// # Errors
/// A text with an unknown scheme (e.g. `s3://…`) that is not an existing file.
pub fn bundle_source(path: &Path) -> anyhow::Result<Option<Source>> {
    if path.is_file() && !is_zip(path) {
        return Ok(None);
    }
    let Some(text) = path.to_str() else {
        return Ok(None);
    };
    match text.parse::<Source>() {
        Ok(Source::Path(p)) if p.is_dir() || is_zip(&p) => Ok(Some(Source::Path(p))),
        Ok(Source::Path(_)) => Ok(None),
        Ok(Source::Auto | Source::Git { .. }) => Err(anyhow!(
            "--reference {text}: a drift reference comes from a file, a CSV dataset or a release bundle (a .zip, a folder written by `publish --to dir:`, github-release:latest|TAG, gitlab-release:latest|TAG, gitlab-package:NAME@VERSION, oci://HOST/REPO:TAG)"
        )),
        Ok(source) => Ok(Some(source)),
        Err(e) => Err(anyhow!("--reference {e}")),
    }
}

fn is_zip(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
}

/// Fetches the bundle of `source` (verified and cached) and reads its drift reference.
///
/// # Errors
/// A [`Failure`]: exit 3 when the host or registry keeps failing; exit 2 for a source that does
/// not exist, a bundle refused by verification, a bundle without a drift reference (an old
/// bundle: the line says how to make one), or a reference that does not parse.
pub fn open(source: &Source, mut ctx: Context, ignore: &[String]) -> Result<Opened, Failure> {
    let origin = source.to_string();
    ctx.companions = vec![KIND.to_owned()];
    let found = match modelci_baseline::resolve(source, &ctx) {
        Ok(Some(found)) => found,
        Ok(None) => {
            return Err(Failure::bad_input(anyhow!(
                "{origin}: no release bundle found"
            )));
        }
        Err(e) if e.is_host_failure() => return Err(Failure::forge(e)),
        Err(e) => return Err(Failure::bad_input(e)),
    };
    let Some(companion) = found.companion(KIND) else {
        let version = found
            .provenance
            .version
            .as_deref()
            .map_or_else(String::new, |v| format!(" (version {v})"));
        return Err(Failure::bad_input(anyhow!(
            "{origin}: the bundle{version} carries no drift reference (drift-reference.json); make one by running `eval-diff --reference-stats` on the evaluation data and publishing its report with `publish --report`"
        )));
    };
    let shown = PathBuf::from(format!("{origin} ({})", companion.name));
    let bytes = std::fs::read(&companion.path).map_err(|e| {
        Failure::bad_input(anyhow!(
            "{}: cannot read the cached drift reference: {e}",
            shown.display()
        ))
    })?;
    let reference = super::parse(&shown, &bytes).map_err(Failure::bad_input)?;
    let reference = super::restrict(reference, &shown, ignore).map_err(Failure::bad_input)?;
    Ok(Opened {
        reference,
        model: Some(found.path.clone()),
        provenance: Some(ReferenceProvenance {
            reference_sha256: companion.sha256.clone(),
            bundle: found.provenance,
        }),
    })
}

/// The provenance paragraph of report.md (user text escaped).
#[must_use]
pub fn describe(p: &ReferenceProvenance) -> String {
    use modelci_report::escape::code_span_prose;
    let b = &p.bundle;
    let version = b
        .version
        .as_deref()
        .map_or_else(String::new, |v| format!(" version {}", code_span_prose(v)));
    let cached = if b.cached { ", from the cache" } else { "" };
    format!(
        "Reference bundle: {}{version} (from {}), drift-reference.json sha256 `{}`, model sha256 `{}`, verified against the {}{cached}.\n\n",
        code_span_prose(&b.resolved),
        code_span_prose(&b.source),
        p.reference_sha256,
        b.sha256,
        b.verified,
    )
}
