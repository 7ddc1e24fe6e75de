//! SHA-256 of models and datasets, so a report can name exactly what it measured.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};

/// Lower-case hex SHA-256 of `bytes` (one helper for the workspace, in `modelci-bundle`).
pub use modelci_bundle::digest::sha256_hex;

/// Lower-case hex SHA-256 of the file at `path`.
///
/// # Errors
/// The file cannot be read.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(format!("{:x}", hasher.finalize()))
}

/// A dataset's content hash and how many files went into it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DatasetDigest {
    /// The path as given.
    pub path: String,
    /// For a file, its SHA-256; for a folder, the SHA-256 over every file in sorted order of
    /// its `/`-separated relative path, each as `path NUL size(u64 LE) bytes`.
    pub sha256: String,
    /// Number of files hashed.
    pub files: u64,
}

/// The content hash of a dataset file or folder (see [`DatasetDigest::sha256`]).
///
/// # Errors
/// A file or folder cannot be read.
pub fn dataset_digest(path: &Path) -> std::io::Result<DatasetDigest> {
    let shown = path.display().to_string();
    if !path.is_dir() {
        return Ok(DatasetDigest {
            path: shown,
            sha256: sha256_file(path)?,
            files: 1,
        });
    }
    let mut files = Vec::new();
    collect(path, path, &mut files)?;
    files.sort();
    let mut hasher = Sha256::new();
    for (rel, full) in &files {
        let bytes = std::fs::read(full)?;
        hasher.update(rel.as_bytes());
        hasher.update([0u8]);
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(&bytes);
    }
    Ok(DatasetDigest {
        path: shown,
        sha256: format!("{:x}", hasher.finalize()),
        files: files.len() as u64,
    })
}

/// Every regular file under `dir`, with its path relative to `root`.
///
/// The walk is bounded (see `docs/limits.md`): a symbolic link is followed only when its target
/// lies inside `root` (a link out of the dataset is an error naming it), a folder reached twice
/// (a link loop such as `ds/0/up -> ..`) is walked once, and the depth is capped.
fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) -> std::io::Result<()> {
    let canonical_root = std::fs::canonicalize(root)?;
    let mut visited = std::collections::HashSet::new();
    visited.insert(canonical_root.clone());
    walk(&canonical_root, root, dir, 0, &mut visited, out)
}

/// How deep a dataset folder may nest.
pub const MAX_DATASET_DEPTH: usize = 64;

fn walk(
    canonical_root: &Path,
    root: &Path,
    dir: &Path,
    depth: usize,
    visited: &mut std::collections::HashSet<PathBuf>,
    out: &mut Vec<(String, PathBuf)>,
) -> std::io::Result<()> {
    if depth > MAX_DATASET_DEPTH {
        return Err(std::io::Error::other(format!(
            "{}: the dataset nests more than {MAX_DATASET_DEPTH} folders deep",
            dir.display()
        )));
    }
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let mut kind = entry.file_type()?;
        if kind.is_symlink() {
            let target = std::fs::canonicalize(&path)?;
            if !target.starts_with(canonical_root) {
                return Err(std::io::Error::other(format!(
                    "{}: a symbolic link out of the dataset folder (to {})",
                    path.display(),
                    target.display()
                )));
            }
            kind = std::fs::metadata(&target)?.file_type();
            if kind.is_dir() && !visited.insert(target) {
                continue;
            }
        } else if kind.is_dir() {
            visited.insert(std::fs::canonicalize(&path)?);
        }
        if kind.is_dir() {
            walk(canonical_root, root, &path, depth + 1, visited, out)?;
        } else if kind.is_file() {
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            out.push((rel, path));
        }
    }
    Ok(())
}

/// True for 64 hex digits.
#[must_use]
pub fn is_sha256(text: &str) -> bool {
    text.len() == 64 && text.chars().all(|c| c.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_digest_depends_on_names_and_bytes() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("a")).expect("mkdir");
        std::fs::write(dir.path().join("a/x.png"), b"one").expect("write");
        std::fs::write(dir.path().join("b.png"), b"two").expect("write");
        let first = dataset_digest(dir.path()).expect("digest");
        assert_eq!(first.files, 2);
        std::fs::write(dir.path().join("b.png"), b"twO").expect("write");
        let second = dataset_digest(dir.path()).expect("digest");
        assert_ne!(first.sha256, second.sha256);
        std::fs::rename(dir.path().join("b.png"), dir.path().join("c.png")).expect("mv");
        assert_ne!(
            dataset_digest(dir.path()).expect("digest").sha256,
            second.sha256
        );
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loop_is_walked_once_and_links_out_are_refused() {
        // Issue 14 #1: `ln -s .. ds/0/up` made the walk endless.
        let dir = tempfile::tempdir().expect("tempdir");
        let ds = dir.path().join("ds");
        std::fs::create_dir_all(ds.join("0")).expect("mkdir");
        std::fs::write(ds.join("0/a.png"), b"one").expect("write");
        std::os::unix::fs::symlink("..", ds.join("0/up")).expect("symlink");
        let digest = dataset_digest(&ds).expect("a loop is walked once");
        assert_eq!(digest.files, 1);

        std::fs::write(dir.path().join("secret"), b"outside").expect("write");
        std::os::unix::fs::symlink("../../secret", ds.join("0/b.png")).expect("symlink");
        let err = dataset_digest(&ds).expect_err("a link out of the dataset");
        assert!(err.to_string().contains("out of the dataset"), "{err}");
    }
}
