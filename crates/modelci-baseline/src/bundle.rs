//! Taking the model out of a modelci bundle, after [`modelci_bundle::verify`] found every file
//! matching its manifest.

use std::io::Read as _;
use std::path::Path;

use modelci_bundle::Manifest;
use modelci_bundle::manifest::FileEntry;

use crate::BaselineError;
use crate::digest::sha256_hex;

/// A model taken from a verified bundle.
#[derive(Debug, Clone)]
pub(crate) struct Unpacked {
    /// The model's bytes.
    pub bytes: Vec<u8>,
    /// Their SHA-256 (equal to the manifest's).
    pub sha256: String,
    /// SHA-256 of the bundle zip.
    pub bundle_sha256: String,
    /// The bundle's manifest.
    pub manifest: Manifest,
    /// The companion files asked for, each with its manifest entry, checked against it.
    pub companions: Vec<(FileEntry, Vec<u8>)>,
}

/// The model file the manifest lists: the first entry of kind `model`.
pub(crate) fn model_entry<'a>(
    origin: &str,
    manifest: &'a Manifest,
) -> Result<&'a FileEntry, BaselineError> {
    manifest
        .files
        .iter()
        .find(|f| f.kind == "model")
        .ok_or_else(|| {
            BaselineError::input(
                origin,
                format!(
                    "bundle {} {} lists no model file in manifest.json",
                    manifest.name, manifest.version
                ),
            )
        })
}

/// The files of the manifest whose kind is one of `kinds`.
pub(crate) fn companion_entries<'a>(
    manifest: &'a Manifest,
    kinds: &'a [String],
) -> impl Iterator<Item = &'a FileEntry> + 'a {
    manifest.files.iter().filter(|f| kinds.contains(&f.kind))
}

/// The name a companion file is cached under: the last part of its path in the bundle.
pub(crate) fn cache_name<'a>(origin: &str, entry: &'a FileEntry) -> Result<&'a str, BaselineError> {
    let name = entry.path.rsplit('/').next().unwrap_or_default();
    if name.is_empty() || name == "." || name == ".." || name.contains('\\') {
        return Err(BaselineError::input(
            origin,
            format!(
                "manifest.json lists a file with an unusable path `{}`",
                entry.path.escape_debug()
            ),
        ));
    }
    Ok(name)
}

/// Verifies the bundle at `zip_path` and returns its model and the files of the `companions`
/// kinds it lists.
pub(crate) fn unpack(
    origin: &str,
    zip_path: &Path,
    companions: &[String],
) -> Result<Unpacked, BaselineError> {
    let bad = |m: String| BaselineError::input(origin, m);
    let verified = modelci_bundle::verify(zip_path).map_err(|e| bad(e.to_string()))?;
    if !verified.ok() {
        let problems: Vec<String> = verified.problems.iter().map(ToString::to_string).collect();
        return Err(bad(format!(
            "the bundle fails verification, refusing it: {}",
            problems.join("; ")
        )));
    }
    let Some(manifest) = verified.manifest else {
        return Err(bad("the bundle has no readable manifest.json".into()));
    };
    let entry = model_entry(origin, &manifest)?;
    let file = std::fs::File::open(zip_path).map_err(|e| bad(format!("cannot read: {e}")))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| bad(format!("not a zip: {e}")))?;
    let bytes = read_checked(origin, &mut zip, entry)?;
    let sha256 = entry.sha256.clone();
    let mut found = Vec::new();
    for companion in companion_entries(&manifest, companions) {
        cache_name(origin, companion)?;
        found.push((
            companion.clone(),
            read_checked(origin, &mut zip, companion)?,
        ));
    }
    Ok(Unpacked {
        bytes,
        sha256,
        bundle_sha256: verified.sha256,
        companions: found,
        manifest,
    })
}

/// One file of the zip, read and checked against its manifest entry.
fn read_checked(
    origin: &str,
    zip: &mut zip::ZipArchive<std::fs::File>,
    entry: &FileEntry,
) -> Result<Vec<u8>, BaselineError> {
    let bad = |m: String| BaselineError::input(origin, m);
    let mut bytes = Vec::new();
    zip.by_name(&entry.path)
        .map_err(|e| bad(format!("`{}`: {e}", entry.path)))?
        .take(entry.size.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| bad(format!("`{}`: {e}", entry.path)))?;
    let sha256 = sha256_hex(&bytes);
    if sha256 != entry.sha256 {
        return Err(bad(format!(
            "`{}` has sha256 {sha256} but manifest.json says {}: refusing it",
            entry.path, entry.sha256
        )));
    }
    Ok(bytes)
}
