//! Writing a file so readers only ever see the old or the complete new content.
//!
//! CI jobs upload whatever is in the report directory, and a crash or a full disk mid-write must
//! not leave a truncated PNG that a later step attaches to a pull request. We write to a
//! temporary file in the same directory (same file system, so the rename is atomic), flush it
//! to disk, then rename it over the target.

use std::path::Path;

use crate::error::ReportError;

/// Writes `bytes` to `path` atomically ([`modelci_ci::output::atomic::replace`]: a temporary
/// sibling file, synced, renamed over the target).
///
/// # Errors
/// [`ReportError::Write`] naming `path`; the temporary file is removed and the target is left
/// as it was.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    modelci_ci::output::atomic::replace(path, bytes).map_err(|source| ReportError::Write {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::fs;

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
