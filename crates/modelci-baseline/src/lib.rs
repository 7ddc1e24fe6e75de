//! Baselines from where teams keep their models (issue 8): the model a pull request must beat,
//! found, verified, cached and described.
//!
//! # Tour
//!
//! - [`Source`]: `--baseline` parsed: a path, `github-release:latest|TAG`,
//!   `gitlab-release:latest|TAG`, `gitlab-package:NAME@VERSION`, `oci://HOST/REPO:TAG`,
//!   `git:REF:PATH` or `auto`.
//! - [`resolve`]: the source → a local model file plus its [`Provenance`]. Every model from a
//!   bundle is checked by [`modelci_bundle::verify`] and against its manifest's sha256, and
//!   against a pinned `--baseline-sha256` when given; a mismatch is refused. Files of the
//!   kinds [`Context::companions`] names (e.g. `drift-reference`) come back with the model,
//!   checked against the same manifest, in [`Baseline::companions`].
//! - [`Cache`]: downloaded models by sha256, in the runner's tool cache or the user cache dir;
//!   a corrupt entry is fetched again.
//! - [`releases`]: the releases of the repository on its code host (GitHub or GitLab, through
//!   [`modelci_forge::Releases`]) with their bundle manifests, for `latest`, `auto` and the
//!   trend over releases (`--history`).
//! - [`digest`]: sha256 of models and of datasets (file, or a folder's sorted files).
//!
//! `auto` looks for release bundles on the run's code host (GitHub releases, or GitLab releases
//! in a merge request), and falls back to the target branch with git everywhere.

mod auto;
mod bundle;
pub mod cache;
pub mod digest;
pub mod download;
mod error;
mod git;
mod oci;
mod release;
pub mod releases;
pub mod source;

use std::path::{Path, PathBuf};

use modelci_ci::{CiContext, Env};
use serde::Serialize;

pub use cache::Cache;
pub use error::BaselineError;
pub use modelci_ci::retry::RetryPolicy;
pub use source::{Pick, Source};

/// Everything a source may need besides its own text.
#[derive(Debug, Clone)]
pub struct Context {
    /// The environment (tokens, API URLs, registry credentials).
    pub env: Env,
    /// The CI run (code host, repository, pull request).
    pub ci: CiContext,
    /// Where downloaded models are kept.
    pub cache: Cache,
    /// `--baseline-sha256`: the model must have exactly this sha256.
    pub pinned_sha256: Option<String>,
    /// The candidate model's path (for `auto`'s `git:<target branch>:<candidate path>`).
    pub candidate: Option<PathBuf>,
    /// The git repository for `git:` sources.
    pub repo_dir: PathBuf,
    /// Retries of downloads and host requests (the shared policy of `modelci_ci::retry`).
    pub retry: RetryPolicy,
    /// Kinds of bundle files wanted besides the model (e.g. `drift-reference`): each file of
    /// these kinds that the manifest lists is taken out of the bundle, checked against the
    /// manifest's sha256, cached and handed back in [`Baseline::companions`].
    pub companions: Vec<String>,
}

impl Context {
    /// A context for `ci` and `env`: the cache from [`Cache::from_env`] (else the temporary
    /// folder), the current folder as the repository, default retries.
    #[must_use]
    pub fn new(ci: CiContext, env: Env) -> Self {
        let cache = Cache::from_env(&env)
            .unwrap_or_else(|| Cache::new(std::env::temp_dir().join("modelci-baselines")));
        Self {
            env,
            ci,
            cache,
            pinned_sha256: None,
            candidate: None,
            repo_dir: PathBuf::from("."),
            retry: download::default_retry(),
            companions: Vec::new(),
        }
    }
}

/// Exactly which baseline was used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Provenance {
    /// The `--baseline` text (`auto` included).
    pub source: String,
    /// What it resolved to, e.g. `github-release:v1.2.0` or `git:main:models/prod.onnx`.
    pub resolved: String,
    /// Kind of source: `path`, `github-release`, `gitlab-release`, `gitlab-package`, `oci`,
    /// `git`.
    pub kind: String,
    /// The bundle's version, when the model came from a bundle.
    pub version: Option<String>,
    /// SHA-256 of the model file.
    pub sha256: String,
    /// SHA-256 of the bundle zip it came from.
    pub bundle_sha256: Option<String>,
    /// When it was published (release time, else the bundle's creation time).
    pub published: Option<String>,
    /// The commit it was built from (bundle manifest) or read at (git).
    pub commit: Option<String>,
    /// What the sha256 was checked against: `bundle manifest`, `--baseline-sha256`, both, or
    /// `not verified` (a local file without a pin).
    pub verified: String,
    /// Served from the cache without downloading the model.
    pub cached: bool,
}

/// A baseline ready to evaluate.
#[derive(Debug, Clone)]
pub struct Baseline {
    /// The model file (the local path, or the cache entry).
    pub path: PathBuf,
    /// Where it came from.
    pub provenance: Provenance,
    /// The bundle's files of the kinds [`Context::companions`] asked for (empty for a model
    /// that did not come from a bundle).
    pub companions: Vec<Companion>,
}

/// A file of a bundle besides its model, verified against the bundle's manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Companion {
    /// Its manifest `kind`, e.g. `drift-reference`.
    pub kind: String,
    /// Its path inside the bundle.
    pub name: String,
    /// The cached file.
    pub path: PathBuf,
    /// Its SHA-256, equal to the manifest's.
    pub sha256: String,
}

impl Baseline {
    /// The first companion file of `kind`.
    #[must_use]
    pub fn companion(&self, kind: &str) -> Option<&Companion> {
        self.companions.iter().find(|c| c.kind == kind)
    }
}

/// Finds, verifies and (for remote sources) caches the baseline of `source`. `Ok(None)` only
/// for [`Source::Auto`] when no baseline exists yet.
///
/// # Errors
/// [`BaselineError::Input`] (exit 2) for a source that does not exist or whose model is refused;
/// [`BaselineError::Host`] (exit 3) when the host or registry keeps failing.
pub fn resolve(source: &Source, ctx: &Context) -> Result<Option<Baseline>, BaselineError> {
    let origin = source.to_string();
    if let Some(pin) = &ctx.pinned_sha256
        && !digest::is_sha256(pin)
    {
        return Err(BaselineError::input(
            &origin,
            format!("--baseline-sha256 `{pin}` is not 64 hex digits"),
        ));
    }
    match source {
        Source::Path(path) => local(&origin, path, ctx).map(Some),
        Source::GitHubRelease(pick) => {
            release::fetch(&origin, modelci_ci::ForgeKind::GitHub, pick, ctx).map(Some)
        }
        Source::GitLabRelease(pick) => {
            release::fetch(&origin, modelci_ci::ForgeKind::GitLab, pick, ctx).map(Some)
        }
        Source::GitLabPackage { name, version } => {
            release::fetch_package(&origin, name, version, ctx).map(Some)
        }
        Source::Oci(reference) => oci::fetch(&origin, reference, ctx).map(Some),
        Source::Git { reference, path } => git_source(&origin, reference, path, ctx).map(Some),
        Source::Auto => auto::resolve(ctx),
    }
}

/// A local file: hashed, checked against the pin. A bundle zip, or a folder `publish --to
/// dir:` wrote (holding `manifest.json` and the bundle), gives the bundle's model.
fn local(origin: &str, path: &Path, ctx: &Context) -> Result<Baseline, BaselineError> {
    if let Some(zip) = local_bundle(origin, path)? {
        let kind = if path.is_dir() { "folder" } else { "bundle" };
        return from_bundle(
            origin,
            zip.display().to_string(),
            kind,
            None,
            None,
            ctx,
            &|| {
                std::fs::read(&zip).map_err(|e| {
                    BaselineError::input(origin, format!("cannot read {}: {e}", zip.display()))
                })
            },
        );
    }
    let sha256 = digest::sha256_file(path)
        .map_err(|e| BaselineError::input(origin, format!("cannot read the model: {e}")))?;
    let verified = check_pin(origin, &sha256, ctx, "not verified")?;
    Ok(Baseline {
        path: path.to_owned(),
        provenance: Provenance {
            source: origin.to_owned(),
            resolved: path.display().to_string(),
            kind: "path".into(),
            version: None,
            sha256,
            bundle_sha256: None,
            published: None,
            commit: None,
            verified,
            cached: false,
        },
        companions: Vec::new(),
    })
}

/// The bundle zip of a local source: the file itself when it ends in `.zip`; in a folder, the
/// zip its `manifest.json` names, else its only `.zip`. `None` for anything else (a model).
fn local_bundle(origin: &str, path: &Path) -> Result<Option<PathBuf>, BaselineError> {
    let is_zip = |p: &Path| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("zip"));
    if !path.is_dir() {
        return Ok(is_zip(path).then(|| path.to_owned()));
    }
    let manifest_path = path.join(modelci_bundle::manifest::MANIFEST);
    if let Ok(bytes) = std::fs::read(&manifest_path) {
        let manifest: modelci_bundle::Manifest = serde_json::from_slice(&bytes).map_err(|e| {
            BaselineError::input(
                origin,
                format!("{} does not parse: {e}", manifest_path.display()),
            )
        })?;
        let zip = path.join(manifest.zip_name());
        if !zip.is_file() {
            return Err(BaselineError::input(
                origin,
                format!(
                    "the folder has no {} beside its manifest.json",
                    manifest.zip_name()
                ),
            ));
        }
        return Ok(Some(zip));
    }
    let entries = std::fs::read_dir(path)
        .map_err(|e| BaselineError::input(origin, format!("cannot read the folder: {e}")))?;
    let zips: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && is_zip(p))
        .collect();
    match zips.as_slice() {
        [one] => Ok(Some(one.clone())),
        [] => Err(BaselineError::input(
            origin,
            "a directory without a modelci bundle (NAME-VERSION.zip with manifest.json, as `publish --to dir:` writes); give a model file, a bundle .zip or such a folder",
        )),
        _ => Err(BaselineError::input(
            origin,
            format!(
                "the folder holds {} zips and no manifest.json naming one",
                zips.len()
            ),
        )),
    }
}

/// `git:REF:PATH`.
fn git_source(
    origin: &str,
    reference: &str,
    path: &str,
    ctx: &Context,
) -> Result<Baseline, BaselineError> {
    let (bytes, commit) = git::show(origin, &ctx.repo_dir, reference, path)?;
    let sha256 = digest::sha256_hex(&bytes);
    let verified = check_pin(origin, &sha256, ctx, "git object")?;
    let stored = store(origin, ctx, &sha256, &bytes)?;
    Ok(Baseline {
        path: stored,
        provenance: Provenance {
            source: origin.to_owned(),
            resolved: format!("git:{reference}:{path}"),
            kind: "git".into(),
            version: None,
            sha256,
            bundle_sha256: None,
            published: None,
            commit,
            verified,
            cached: false,
        },
        companions: Vec::new(),
    })
}

/// Checks `sha256` against `--baseline-sha256`; returns how the model was verified.
pub(crate) fn check_pin(
    origin: &str,
    sha256: &str,
    ctx: &Context,
    otherwise: &str,
) -> Result<String, BaselineError> {
    match &ctx.pinned_sha256 {
        Some(pin) if !pin.eq_ignore_ascii_case(sha256) => Err(BaselineError::input(
            origin,
            format!(
                "the model's sha256 is {sha256} but --baseline-sha256 is {}: refusing it",
                pin.to_ascii_lowercase()
            ),
        )),
        Some(_) if otherwise == "bundle manifest" => {
            Ok("bundle manifest and --baseline-sha256".into())
        }
        Some(_) => Ok("--baseline-sha256".into()),
        None => Ok(otherwise.to_owned()),
    }
}

/// Puts verified bytes in the cache.
pub(crate) fn store(
    origin: &str,
    ctx: &Context,
    sha256: &str,
    bytes: &[u8],
) -> Result<PathBuf, BaselineError> {
    ctx.cache.put(sha256, bytes).map_err(|e| {
        BaselineError::input(
            origin,
            format!("cannot write the cache {}: {e}", ctx.cache.dir().display()),
        )
    })
}

/// A bundle's model: from the cache when the manifest's sha256 is there, else by `download`
/// (which returns the zip's bytes). `release_time` is the host's publication time, if known.
pub(crate) fn from_bundle(
    origin: &str,
    resolved: String,
    kind: &str,
    expected: Option<&modelci_bundle::Manifest>,
    release_time: Option<String>,
    ctx: &Context,
    download: &dyn Fn() -> Result<Vec<u8>, BaselineError>,
) -> Result<Baseline, BaselineError> {
    let provenance =
        |m: &modelci_bundle::Manifest, sha256: String, bundle, verified, cached| Provenance {
            source: origin.to_owned(),
            resolved: resolved.clone(),
            kind: kind.to_owned(),
            version: Some(m.version.clone()),
            sha256,
            bundle_sha256: bundle,
            published: release_time.clone().or_else(|| m.created.clone()),
            commit: m.source.commit.clone(),
            verified,
            cached,
        };
    if let Some(m) = expected {
        let entry = bundle::model_entry(origin, m)?;
        let verified = check_pin(origin, &entry.sha256, ctx, "bundle manifest")?;
        if let Some(path) = ctx.cache.get(&entry.sha256)
            && let Some(companions) = cached_companions(origin, m, ctx)?
        {
            return Ok(Baseline {
                path,
                provenance: provenance(m, entry.sha256.clone(), None, verified, true),
                companions,
            });
        }
    }
    let bytes = download()?;
    let mut tmp = tempfile::NamedTempFile::new().map_err(|e| {
        BaselineError::input(origin, format!("cannot create a temporary file: {e}"))
    })?;
    std::io::Write::write_all(&mut tmp, &bytes)
        .map_err(|e| BaselineError::input(origin, format!("cannot write a temporary file: {e}")))?;
    let unpacked = bundle::unpack(origin, tmp.path(), &ctx.companions)?;
    if let Some(m) = expected {
        let entry = bundle::model_entry(origin, m)?;
        if entry.sha256 != unpacked.sha256 {
            return Err(BaselineError::input(
                origin,
                format!(
                    "the bundle's model has sha256 {} but the published manifest.json says {}: refusing it",
                    unpacked.sha256, entry.sha256
                ),
            ));
        }
    }
    if let Some(m) = expected {
        for (entry, _) in &unpacked.companions {
            let published = m.files.iter().find(|f| f.path == entry.path);
            if published.is_some_and(|p| p.sha256 != entry.sha256) {
                return Err(BaselineError::input(
                    origin,
                    format!(
                        "the bundle's `{}` does not match the published manifest.json's sha256: refusing it",
                        entry.path
                    ),
                ));
            }
        }
    }
    let verified = check_pin(origin, &unpacked.sha256, ctx, "bundle manifest")?;
    let path = store(origin, ctx, &unpacked.sha256, &unpacked.bytes)?;
    let mut companions = Vec::with_capacity(unpacked.companions.len());
    for (entry, bytes) in &unpacked.companions {
        let name = bundle::cache_name(origin, entry)?;
        let stored = ctx
            .cache
            .put_named(&entry.sha256, name, bytes)
            .map_err(|e| {
                BaselineError::input(
                    origin,
                    format!("cannot write the cache {}: {e}", ctx.cache.dir().display()),
                )
            })?;
        companions.push(Companion {
            kind: entry.kind.clone(),
            name: entry.path.clone(),
            path: stored,
            sha256: entry.sha256.clone(),
        });
    }
    Ok(Baseline {
        path,
        companions,
        provenance: provenance(
            &unpacked.manifest,
            unpacked.sha256.clone(),
            Some(unpacked.bundle_sha256.clone()),
            verified,
            false,
        ),
    })
}

/// The companion files `manifest` lists, all from the cache; `None` when one is missing (the
/// bundle is then downloaded).
fn cached_companions(
    origin: &str,
    manifest: &modelci_bundle::Manifest,
    ctx: &Context,
) -> Result<Option<Vec<Companion>>, BaselineError> {
    let mut found = Vec::new();
    for entry in bundle::companion_entries(manifest, &ctx.companions) {
        let name = bundle::cache_name(origin, entry)?;
        let Some(path) = ctx.cache.get_named(&entry.sha256, name) else {
            return Ok(None);
        };
        found.push(Companion {
            kind: entry.kind.clone(),
            name: entry.path.clone(),
            path,
            sha256: entry.sha256.clone(),
        });
    }
    Ok(Some(found))
}
