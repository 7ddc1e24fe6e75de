//! Whole-file writes that never leave a half-written report behind.
//!
//! CI systems pick up report files after the job, and a job killed mid-write (timeout,
//! cancellation) must leave either the old file or the new one, never a truncated XML file that
//! fails the artifact upload. We write a temporary file in the same directory (so the rename
//! stays on one file system) and rename it over the target.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::OutputError;

/// How many random temporary names to try before giving up.
const ATTEMPTS: usize = 16;

/// Replaces `path` with `contents` atomically.
///
/// # Errors
///
/// [`OutputError::Io`] when the directory is not writable, the path has no file name, or the
/// write or rename fails. The temporary file is removed on failure.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), OutputError> {
    let io_err = |source| OutputError::Io {
        path: path.to_owned(),
        source,
    };
    let name = path.file_name().ok_or_else(|| {
        io_err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the path has no file name",
        ))
    })?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    let (tmp, file) = create_temp(dir, &name.to_string_lossy()).map_err(io_err)?;
    let result = write_and_sync(file, contents).and_then(|()| fs::rename(&tmp, path));
    if result.is_err() {
        // Best effort: the write already failed, and that error is the one to report.
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(io_err)
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

fn create_temp(dir: &Path, name: &str) -> io::Result<(PathBuf, File)> {
    let mut last = None;
    for _ in 0..ATTEMPTS {
        let tmp = dir.join(format!(".{name}.{:016x}.tmp", fastrand::u64(..)));
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("could not create a temporary file")))
}

fn write_and_sync(mut file: File, contents: &[u8]) -> io::Result<()> {
    file.write_all(contents)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
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
