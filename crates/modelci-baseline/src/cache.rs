//! The baseline cache: one folder per model SHA-256, checked on every read.
//!
//! In GitHub Actions it lives in the runner's tool cache (`$RUNNER_TOOL_CACHE/modelci/baselines`),
//! elsewhere in `$XDG_CACHE_HOME/modelci/baselines` or `~/.cache/modelci/baselines`. An entry
//! whose bytes no longer hash to its key is removed and fetched again; entries are written to a
//! temporary file in the same folder and renamed, so a crash never leaves half a model.

use std::path::{Path, PathBuf};

use modelci_ci::Env;

use crate::digest::sha256_file;

/// The file name of a cached model inside its folder.
const MODEL: &str = "model.onnx";

/// A cache folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// A cache in `dir` (created on first write).
    #[must_use]
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The cache for this environment (see the module docs); `None` when no folder is known.
    #[must_use]
    pub fn from_env(env: &Env) -> Option<Self> {
        let base = match env.get("RUNNER_TOOL_CACHE") {
            Some(tool) if env.is_true("GITHUB_ACTIONS") && !tool.is_empty() => PathBuf::from(tool),
            _ => match env.get("XDG_CACHE_HOME") {
                Some(x) if !x.is_empty() => PathBuf::from(x),
                _ => PathBuf::from(env.get("HOME").filter(|h| !h.is_empty())?).join(".cache"),
            },
        };
        Some(Self::new(base.join("modelci").join("baselines")))
    }

    /// The cache folder.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The cached model with this SHA-256, if present and intact. A corrupt entry is removed.
    #[must_use]
    pub fn get(&self, sha256: &str) -> Option<PathBuf> {
        self.get_named(sha256, MODEL)
    }

    /// The cached file `name` with this SHA-256 (a bundle's companion file, e.g.
    /// `drift-reference.json`), if present and intact. A corrupt entry is removed.
    #[must_use]
    pub fn get_named(&self, sha256: &str, name: &str) -> Option<PathBuf> {
        let path = self.dir.join(sha256).join(name);
        match sha256_file(&path) {
            Ok(actual) if actual == sha256 => Some(path),
            Ok(_) => {
                let _ = std::fs::remove_dir_all(self.dir.join(sha256));
                None
            }
            Err(_) => None,
        }
    }

    /// Stores `bytes` (whose SHA-256 is `sha256`) atomically and returns the cached path.
    ///
    /// # Errors
    /// The folder cannot be created or written.
    pub fn put(&self, sha256: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
        self.put_named(sha256, MODEL, bytes)
    }

    /// Stores `bytes` (whose SHA-256 is `sha256`) atomically as `name` and returns the cached
    /// path.
    ///
    /// # Errors
    /// The folder cannot be created or written.
    pub fn put_named(&self, sha256: &str, name: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
        let dir = self.dir.join(sha256);
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(name);
        let mut tmp = tempfile::NamedTempFile::new_in(&dir)?;
        std::io::Write::write_all(&mut tmp, bytes)?;
        tmp.persist(&path).map_err(|e| e.error)?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::sha256_hex;

    #[test]
    fn corrupt_entries_are_dropped() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = Cache::new(dir.path());
        let sha = sha256_hex(b"model");
        assert_eq!(cache.get(&sha), None);
        let path = cache.put(&sha, b"model").expect("put");
        assert_eq!(cache.get(&sha), Some(path.clone()));
        std::fs::write(&path, b"modeL").expect("corrupt");
        assert_eq!(cache.get(&sha), None, "a corrupt entry is a miss");
        assert!(!path.exists(), "and it is removed");
    }

    #[test]
    fn folder_follows_the_environment() {
        let env = Env::new()
            .with("GITHUB_ACTIONS", "true")
            .with("RUNNER_TOOL_CACHE", "/opt/hostedtoolcache")
            .with("HOME", "/home/u");
        assert_eq!(
            Cache::from_env(&env).map(|c| c.dir().to_owned()),
            Some(PathBuf::from("/opt/hostedtoolcache/modelci/baselines"))
        );
        let env = Env::new().with("HOME", "/home/u");
        assert_eq!(
            Cache::from_env(&env).map(|c| c.dir().to_owned()),
            Some(PathBuf::from("/home/u/.cache/modelci/baselines"))
        );
        let env = env.with("XDG_CACHE_HOME", "/x");
        assert_eq!(
            Cache::from_env(&env).map(|c| c.dir().to_owned()),
            Some(PathBuf::from("/x/modelci/baselines"))
        );
    }
}
