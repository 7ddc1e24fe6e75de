//! Writing a file so readers only ever see the old or the complete new content.
//!
//! CI jobs upload whatever is in the report directory, and a crash or a full disk mid-write must
//! not leave a truncated PNG that a later step attaches to a pull request. We write to a
//! temporary file in the same directory (same file system, so the rename is atomic), flush it
//! to disk, then rename it over the target.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::ReportError;

/// Writes `bytes` to `path` atomically (temporary sibling file + rename).
///
/// On failure the temporary file is removed and the target is left as it was.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let fail = |source| ReportError::Write {
        path: path.to_path_buf(),
        source,
    };
    let temp = temp_path(path);
    let result = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temp, path)
    })();
    if let Err(source) = result {
        // Best effort: the temporary file may not exist if `open` failed.
        let _ = fs::remove_file(&temp);
        return Err(fail(source));
    }
    Ok(())
}

/// A hidden sibling of `path`, unique within this process and across processes.
fn temp_path(path: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp_name = format!(".{name}.{}.{n}.tmp", std::process::id());
    match path.parent() {
        Some(dir) => dir.join(temp_name),
        None => PathBuf::from(temp_name),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn replaces_content_and_leaves_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a.txt");
        write_atomic(&target, b"first").unwrap();
        write_atomic(&target, b"second").unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"second");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, ["a.txt"]);
    }

    #[test]
    fn missing_directory_names_the_target() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("missing").join("a.png");
        let err = write_atomic(&target, b"x").unwrap_err();
        assert!(
            err.to_string().contains(&target.display().to_string()),
            "{err}"
        );
    }
}
