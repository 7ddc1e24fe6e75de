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
    /// An entry that is not a plain file (a symbolic link or a folder).
    NotAFile(String),
    /// The zip is ambiguous: two entries with one name, or a local header that disagrees with
    /// the central directory (other unzip tools would extract something else than we check).
    Ambiguous(String),
    /// `SHA256SUMS` beside the bundle is unreadable, has lines that are not `HASH  NAME`, or
    /// does not list the bundle.
    BadSums(String),
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
            Self::NotAFile(p) => write!(
                f,
                "entry `{}` is not a plain file (a symbolic link or a folder): refusing the bundle",
                p.escape_debug()
            ),
            Self::Ambiguous(m) => write!(f, "the zip is ambiguous: {m}"),
            Self::BadSums(m) => write!(f, "{} beside the bundle {m}", sums::FILE_NAME),
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
    // Two entries with one name, or a local header naming another file than the central
    // directory: unzip tools disagree on what such a zip holds, so it is not a bundle to trust.
    if zip.has_duplicate_names() {
        problems.push(Problem::Ambiguous("two entries have the same name".into()));
    } else if let Err(e) = zip.validate_header_consistency() {
        problems.push(Problem::Ambiguous(e.to_string()));
    }
    let mut entries = Vec::new();
    for i in 0..zip.len() {
        let entry = zip
            .by_index_raw(i)
            .map_err(|e| not_bundle(format!("entry {i}: {e}")))?;
        let name = entry
            .name()
            .map_err(|e| not_bundle(format!("entry {i}: {e}")))?
            .into_owned();
        if !safe_name(&name) {
            problems.push(Problem::UnsafePath(name.clone()));
        } else if entry.is_symlink() || !entry.is_file() {
            problems.push(Problem::NotAFile(name.clone()));
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

    match sums_beside(path) {
        Ok(Some(expected)) if expected != sha256 => problems.push(Problem::SumsMismatch {
            expected,
            actual: sha256.clone(),
        }),
        Ok(_) => {}
        Err(message) => problems.push(Problem::BadSums(message)),
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

/// The checksum `SHA256SUMS` beside the bundle gives for it; `Ok(None)` when there is no such
/// file.
///
/// # Errors
/// A message when the file exists but cannot be read, holds a line that is not `HASH  NAME`,
/// or does not list the bundle.
fn sums_beside(path: &Path) -> Result<Option<String>, String> {
    let sums_path = path.with_file_name(sums::FILE_NAME);
    let bytes = match std::fs::read(&sums_path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot be read: {e}")),
    };
    let text = String::from_utf8(bytes).map_err(|_| "is not UTF-8 text".to_owned())?;
    let lines = text.lines().filter(|l| !l.trim().is_empty()).count();
    let listed = sums::parse(&text);
    if listed.len() != lines {
        return Err(format!(
            "has {} line(s) that are not `HASH  NAME`",
            lines - listed.len()
        ));
    }
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let mut found = listed
        .into_iter()
        .filter(|(n, _)| n == name)
        .map(|(_, h)| h);
    match (found.next(), found.next()) {
        (Some(hash), None) => Ok(Some(hash)),
        (None, _) => Err(format!("does not list `{name}`")),
        (Some(_), Some(_)) => Err(format!("lists `{name}` more than once")),
    }
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

    /// One entry of a hand-made zip: the local header's name, the central directory's name,
    /// the bytes (stored), and whether the central directory marks it a Unix symbolic link.
    struct Raw<'a> {
        local: &'a str,
        central: &'a str,
        data: &'a [u8],
        symlink: bool,
    }

    fn file<'a>(name: &'a str, data: &'a [u8]) -> Raw<'a> {
        Raw {
            local: name,
            central: name,
            data,
            symlink: false,
        }
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    /// A zip written byte by byte, so the tests can make what no zip library writes.
    fn raw_zip(entries: &[Raw<'_>]) -> Vec<u8> {
        let u16le = |v: usize| u16::try_from(v).expect("small").to_le_bytes();
        let u32le = |v: usize| u32::try_from(v).expect("small").to_le_bytes();
        let mut out = Vec::new();
        let mut central = Vec::new();
        for e in entries {
            let offset = out.len();
            let crc = crc32(e.data).to_le_bytes();
            out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
            out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0]);
            out.extend_from_slice(&crc);
            out.extend_from_slice(&u32le(e.data.len()));
            out.extend_from_slice(&u32le(e.data.len()));
            out.extend_from_slice(&u16le(e.local.len()));
            out.extend_from_slice(&[0, 0]);
            out.extend_from_slice(e.local.as_bytes());
            out.extend_from_slice(e.data);
            central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
            central.extend_from_slice(&[20, 3, 20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0]);
            central.extend_from_slice(&crc);
            central.extend_from_slice(&u32le(e.data.len()));
            central.extend_from_slice(&u32le(e.data.len()));
            central.extend_from_slice(&u16le(e.central.len()));
            central.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0]);
            let mode: u32 = if e.symlink { 0o120_777 } else { 0o100_644 };
            central.extend_from_slice(&(mode << 16).to_le_bytes());
            central.extend_from_slice(&u32le(offset));
            central.extend_from_slice(e.central.as_bytes());
        }
        let start = out.len();
        out.extend_from_slice(&central);
        out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        out.extend_from_slice(&[0, 0, 0, 0]);
        out.extend_from_slice(&u16le(entries.len()));
        out.extend_from_slice(&u16le(entries.len()));
        out.extend_from_slice(&u32le(central.len()));
        out.extend_from_slice(&u32le(start));
        out.extend_from_slice(&[0, 0]);
        out
    }

    /// A manifest listing `files` (name, bytes).
    fn manifest(files: &[(&str, &[u8])]) -> Vec<u8> {
        let listed: Vec<serde_json::Value> = files
            .iter()
            .map(|(name, data)| {
                serde_json::json!({
                    "path": name,
                    "sha256": crate::digest::sha256_hex(data),
                    "size": data.len(),
                    "kind": "model",
                })
            })
            .collect();
        serde_json::to_vec(&serde_json::json!({
            "$schema": SCHEMA, "name": "m", "version": "1.0.0", "created": null,
            "source": {}, "files": listed, "models": [], "metrics": {}, "report": null,
            "tool": {"name": "publish", "version": "0"},
        }))
        .expect("json")
    }

    fn verify_zip(bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf, Verified) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("m-1.0.0.zip");
        std::fs::write(&path, bytes).expect("write");
        let verified = verify(&path).expect("a zip");
        (dir, path, verified)
    }

    const MODEL: &[u8] = b"model bytes";
    const EVIL: &[u8] = b"evil bytes!";

    #[test]
    fn a_plain_bundle_verifies() {
        let listing = manifest(&[("candidate.onnx", MODEL)]);
        let zip = raw_zip(&[
            file("manifest.json", &listing),
            file("candidate.onnx", MODEL),
        ]);
        let (_dir, _, verified) = verify_zip(&zip);
        assert!(verified.ok(), "{:?}", verified.problems);
    }

    #[test]
    fn symlink_entries_are_refused() {
        // Issue 14 #7: a symlink to /etc/passwd listed in the manifest verified ("files match").
        let target = b"/etc/passwd";
        let listing = manifest(&[("candidate.onnx", MODEL), ("passwd", target)]);
        let zip = raw_zip(&[
            file("manifest.json", &listing),
            file("candidate.onnx", MODEL),
            Raw {
                symlink: true,
                ..file("passwd", target)
            },
        ]);
        let (_dir, _, verified) = verify_zip(&zip);
        assert_eq!(verified.problems, [Problem::NotAFile("passwd".into())]);
    }

    #[test]
    fn duplicate_names_are_refused() {
        // Issue 14 #7: a bad copy first, then the listed one, verified.
        let listing = manifest(&[("candidate.onnx", MODEL)]);
        for zip in [
            raw_zip(&[
                file("manifest.json", &listing),
                file("candidate.onnx", EVIL),
                file("candidate.onnx", MODEL),
            ]),
            raw_zip(&[
                file("manifest.json", b"{}"),
                file("manifest.json", &listing),
                file("candidate.onnx", MODEL),
            ]),
        ] {
            let (_dir, _, verified) = verify_zip(&zip);
            assert!(
                verified
                    .problems
                    .iter()
                    .any(|p| matches!(p, Problem::Ambiguous(m) if m.contains("same name"))),
                "{:?}",
                verified.problems
            );
        }
    }

    #[test]
    fn a_local_name_other_than_the_central_one_is_refused() {
        // Issue 14 #7: `../evil.onnxxx` in the local header, `candidate.onnx` in the central
        // directory verified; other unzip tools extract the former.
        let listing = manifest(&[("candidate.onnx", MODEL)]);
        let zip = raw_zip(&[
            file("manifest.json", &listing),
            Raw {
                local: "../evil.onnxxx",
                ..file("candidate.onnx", MODEL)
            },
        ]);
        let (_dir, _, verified) = verify_zip(&zip);
        assert!(
            matches!(&verified.problems[..], [Problem::Ambiguous(m)] if m.contains("mismatch")),
            "{:?}",
            verified.problems
        );
    }

    #[test]
    fn sha256sums_beside_the_bundle_must_list_it_correctly() {
        // Issue 14 #7: a garbage SHA256SUMS, or one without the bundle's line, was ignored.
        let listing = manifest(&[("candidate.onnx", MODEL)]);
        let zip = raw_zip(&[
            file("manifest.json", &listing),
            file("candidate.onnx", MODEL),
        ]);
        let (dir, path, _) = verify_zip(&zip);
        let sums = dir.path().join(sums::FILE_NAME);
        let real = crate::digest::sha256_hex(&zip);
        let other = "0".repeat(64);
        for (text, good) in [
            (format!("{real}  m-1.0.0.zip\n"), true),
            (format!("{real}  m-1.0.0.zip\n{other}  other.zip\n"), true),
            ("garbage\n".to_owned(), false),
            (format!("{real}  m-1.0.0.zip\nnot a line\n"), false),
            (format!("{other}  other.zip\n"), false),
            (format!("{other}  m-1.0.0.zip\n"), false),
        ] {
            std::fs::write(&sums, &text).expect("write");
            let verified = verify(&path).expect("a zip");
            assert_eq!(verified.ok(), good, "{text}: {:?}", verified.problems);
        }
    }

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
