//! Checking a bundle before anyone trusts it: entry names, the manifest, every checksum.
//!
//! A bundle that cannot be opened as a zip is an error ([`BundleError`]); everything wrong
//! *inside* a readable zip is a [`Problem`], so the caller can list them all.

use std::collections::BTreeSet;
use std::fmt;
use std::io::Read as _;
use std::path::Path;

use sha2::{Digest as _, Sha256};

use crate::digest::sha256_file;
use crate::manifest::{MANIFEST, Manifest, SCHEMA};
use crate::{BundleError, sums, version};

/// What is wrong with a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// An entry name that could escape the extraction folder (absolute, `..`, backslash,
    /// drive letter, NUL) — "zip slip".
    UnsafePath(String),
    /// The zip has no `manifest.json`, or it does not parse.
    BadManifest(String),
    /// A file the manifest lists is not in the zip.
    Missing(String),
    /// An entry the manifest does not list.
    Unlisted(String),
    /// A file whose checksum or size differs from the manifest.
    Mismatch {
        /// The entry.
        path: String,
        /// What the manifest says (`sha256`, size).
        expected: (String, u64),
        /// What the zip holds.
        actual: (String, u64),
    },
    /// `SHA256SUMS` beside the bundle gives another checksum for it.
    SumsMismatch {
        /// The checksum file's entry.
        expected: String,
        /// The bundle's real checksum.
        actual: String,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnsafePath(p) => write!(
                f,
                "entry `{}` has an unsafe path (absolute or with `..`): refusing the bundle",
                p.escape_debug()
            ),
            Self::BadManifest(m) => write!(f, "{MANIFEST}: {m}"),
            Self::Missing(p) => write!(f, "`{p}` is listed in {MANIFEST} but not in the bundle"),
            Self::Unlisted(p) => write!(
                f,
                "`{}` is in the bundle but not listed in {MANIFEST}",
                p.escape_debug()
            ),
            Self::Mismatch {
                path,
                expected,
                actual,
            } => write!(
                f,
                "`{path}` does not match {MANIFEST}: sha256 {} ({} bytes), expected {} ({} bytes)",
                actual.0, actual.1, expected.0, expected.1
            ),
            Self::SumsMismatch { expected, actual } => write!(
                f,
                "the bundle's sha256 is {actual} but {} beside it says {expected}",
                sums::FILE_NAME
            ),
        }
    }
}

/// The outcome of [`verify`].
#[derive(Debug, Clone)]
pub struct Verified {
    /// The manifest, when it could be read.
    pub manifest: Option<Manifest>,
    /// SHA-256 of the bundle file.
    pub sha256: String,
    /// Everything wrong; empty when the bundle is good.
    pub problems: Vec<Problem>,
}

impl Verified {
    /// True when nothing is wrong.
    #[must_use]
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Verifies the bundle at `path` (and `SHA256SUMS` beside it, if present).
///
/// # Errors
/// [`BundleError`] when the file cannot be read or is not a zip.
pub fn verify(path: &Path) -> Result<Verified, BundleError> {
    let not_bundle = |message: String| BundleError::NotABundle {
        path: path.to_owned(),
        message,
    };
    let (sha256, _) = sha256_file(path)?;
    let file = std::fs::File::open(path).map_err(|e| BundleError::io(path, "cannot open", e))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| not_bundle(format!("not a zip: {e}")))?;
    let mut problems = Vec::new();
    let mut entries = Vec::new();
    for i in 0..zip.len() {
        let entry = zip
            .by_index(i)
            .map_err(|e| not_bundle(format!("entry {i}: {e}")))?;
        let name = entry
            .name()
            .map_err(|e| not_bundle(format!("entry {i}: {e}")))?
            .into_owned();
        if !safe_name(&name) {
            problems.push(Problem::UnsafePath(name.clone()));
        }
        entries.push(name);
    }

    let manifest = match read_entry(&mut zip, MANIFEST, 16 << 20) {
        Ok(Some(bytes)) => match serde_json::from_slice::<Manifest>(&bytes) {
            Ok(m) if m.schema != SCHEMA => {
                problems.push(Problem::BadManifest(format!(
                    "schema `{}` is not `{SCHEMA}`",
                    m.schema
                )));
                None
            }
            Ok(m) => Some(m),
            Err(e) => {
                problems.push(Problem::BadManifest(format!("does not parse: {e}")));
                None
            }
        },
        Ok(None) => {
            problems.push(Problem::BadManifest("missing from the bundle".into()));
            None
        }
        Err(e) => return Err(not_bundle(e)),
    };

    if let Some(m) = &manifest {
        if let Err(e) = version::parse_version(&m.version) {
            problems.push(Problem::BadManifest(e.to_string()));
        }
        let listed: BTreeSet<&str> = m.files.iter().map(|f| f.path.as_str()).collect();
        for name in &entries {
            if name != MANIFEST && !listed.contains(name.as_str()) && safe_name(name) {
                problems.push(Problem::Unlisted(name.clone()));
            }
        }
        for f in &m.files {
            if !safe_name(&f.path) {
                problems.push(Problem::UnsafePath(f.path.clone()));
                continue;
            }
            match hash_entry(&mut zip, &f.path, f.size) {
                Ok(Some(actual)) if actual == (f.sha256.clone(), f.size) => {}
                Ok(Some(actual)) => problems.push(Problem::Mismatch {
                    path: f.path.clone(),
                    expected: (f.sha256.clone(), f.size),
                    actual,
                }),
                Ok(None) => problems.push(Problem::Missing(f.path.clone())),
                Err(e) => return Err(not_bundle(e)),
            }
        }
    }

    if let Some(expected) = sums_beside(path)
        && expected != sha256
    {
        problems.push(Problem::SumsMismatch {
            expected,
            actual: sha256.clone(),
        });
    }
    Ok(Verified {
        manifest,
        sha256,
        problems,
    })
}

/// A name that stays inside the extraction folder on every OS: relative, `/`-separated, no
/// empty, `.` or `..` parts, no backslash, drive letter or NUL.
#[must_use]
pub fn safe_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('/')
        && !name.contains(['\\', '\0'])
        && !name.contains(':')
        && name
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

/// The checksum `SHA256SUMS` beside the bundle gives for it, if that file exists and lists it.
fn sums_beside(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let text = std::fs::read_to_string(path.with_file_name(sums::FILE_NAME)).ok()?;
    sums::parse(&text)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, h)| h)
}

/// Reads one entry fully, refusing more than `limit` bytes; `None` when absent.
fn read_entry(
    zip: &mut zip::ZipArchive<std::fs::File>,
    name: &str,
    limit: u64,
) -> Result<Option<Vec<u8>>, String> {
    let entry = match zip.by_name(name) {
        Ok(e) => e,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(format!("{name}: {e}")),
    };
    let mut bytes = Vec::new();
    entry
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{name}: {e}"))?;
    if bytes.len() as u64 > limit {
        return Err(format!("{name}: larger than {limit} bytes"));
    }
    Ok(Some(bytes))
}

/// SHA-256 and size of one entry, reading at most one byte more than `expected_size` (so a
/// decompression bomb is cut short); `None` when absent.
fn hash_entry(
    zip: &mut zip::ZipArchive<std::fs::File>,
    name: &str,
    expected_size: u64,
) -> Result<Option<(String, u64)>, String> {
    let entry = match zip.by_name(name) {
        Ok(e) => e,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(format!("{name}: {e}")),
    };
    let mut reader = entry.take(expected_size + 1);
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = reader.read(&mut buf).map_err(|e| format!("{name}: {e}"))?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    let hex: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(Some((hex, size)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_names() {
        assert!(safe_name("model.onnx"));
        assert!(safe_name("dir/model.onnx"));
        for bad in [
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a\\..\\x",
            "C:x",
            "a//b",
            "./a",
            "",
        ] {
            assert!(!safe_name(bad), "{bad}");
        }
    }
}
