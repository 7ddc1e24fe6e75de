//! Whole-file writes that never leave a half-written report behind.
//!
//! CI systems pick up report files after the job, and a job killed mid-write (timeout,
//! cancellation) must leave either the old file or the new one, never a truncated XML file that
//! fails the artifact upload. We write a temporary file in the same directory (so the rename
//! stays on one file system) and rename it over the target.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::Path;

use super::OutputError;

/// Replaces `path` with `contents` atomically.
///
/// # Errors
///
/// [`OutputError::Io`] when the directory is not writable, the path has no file name, or the
/// write or rename fails. The temporary file is removed on failure.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), OutputError> {
    replace(path, contents).map_err(|source| OutputError::Io {
        path: path.to_owned(),
        source,
    })
}

/// The one atomic write of the workspace: `contents` go to a randomly named temporary file in
/// `path`'s folder (`tempfile`), are synced, and the file is renamed over `path`
/// (`NamedTempFile::persist`). On failure the temporary file is removed and `path` is left as
/// it was. Other crates wrap the [`io::Error`] in their own error type.
///
/// # Errors
///
/// The I/O error of creating, writing, syncing or renaming.
pub fn replace(path: &Path, contents: &[u8]) -> io::Result<()> {
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path has no file name"))?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(name);
    prefix.push(".");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    // tempfile creates 0600 files; reports and models are for everyone who can read the folder,
    // as a plain `File::create` would make them.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let mut file = builder.tempfile_in(dir)?;
    file.write_all(contents)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Appends `text` to `path`, creating it if needed. For files that CI owns and reads after
/// the step (`GITHUB_STEP_SUMMARY`, `GITHUB_OUTPUT`), where appending is the protocol.
///
/// # Errors
///
/// [`OutputError::Io`] when the file cannot be opened or written.
pub fn append(path: &Path, text: &str) -> Result<(), OutputError> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|source| OutputError::Io {
            path: path.to_owned(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    #[test]
    fn replaces_and_leaves_no_temp_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("report.xml");
        write_atomic(&path, b"one").expect("first");
        write_atomic(&path, b"two").expect("second");
        assert_eq!(fs::read_to_string(&path).expect("read"), "two");
        let names: Vec<_> = fs::read_dir(dir.path())
            .expect("ls")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["report.xml"]);
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_readable_by_others_like_a_plain_create() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("model.onnx");
        write_atomic(&path, b"x").expect("written");
        let mode = fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o044, 0o044, "{mode:o}");
    }

    #[test]
    fn missing_directory_is_an_error_naming_the_path() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("nope").join("x.txt");
        let err = write_atomic(&path, b"x").expect_err("no dir");
        assert!(err.to_string().contains("nope"));
    }

    #[test]
    fn append_creates_then_appends() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out");
        append(&path, "a\n").expect("a");
        append(&path, "b\n").expect("b");
        assert_eq!(fs::read_to_string(&path).expect("read"), "a\nb\n");
    }
}
