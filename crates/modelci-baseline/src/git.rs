//! `git:REF:PATH`: a model committed to this repository, read with `git show`.
//!
//! A Git LFS pointer (the small text file LFS commits in place of the model) is recognised and
//! explained, with the command that fetches the real file.

use std::path::Path;
use std::process::Command;

use crate::BaselineError;

/// The first line of every Git LFS pointer file.
const LFS_POINTER: &[u8] = b"version https://git-lfs.github.com/spec/v1";

/// The bytes of `reference:path` in the repository at `repo_dir`, and the commit `reference`
/// names.
pub(crate) fn show(
    origin: &str,
    repo_dir: &Path,
    reference: &str,
    path: &str,
) -> Result<(Vec<u8>, Option<String>), BaselineError> {
    let bad = |m: String| BaselineError::input(origin, m);
    let output = Command::new("git")
        .arg("-C")
        .arg(repo_dir)
        .arg("show")
        .arg(format!("{reference}:{path}"))
        .output()
        .map_err(|e| bad(format!("cannot run git: {e}")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first = stderr.lines().next().unwrap_or("git show failed").trim();
        return Err(bad(format!("git show {reference}:{path}: {first}")));
    }
    let bytes = output.stdout;
    if bytes.starts_with(LFS_POINTER) {
        let text = String::from_utf8_lossy(&bytes);
        let oid = text
            .lines()
            .find_map(|l| l.strip_prefix("oid "))
            .unwrap_or("unknown");
        let shown = path.trim_start_matches("./");
        return Err(bad(format!(
            "`{path}` at {reference} is a Git LFS pointer ({oid}), not the model; fetch the model with `git lfs pull --include {shown}` (or check it out with Git LFS installed)"
        )));
    }
    let commit = Command::new("git")
        .arg("-C")
        .arg(repo_dir)
        .args(["rev-parse", "--verify", "--quiet"])
        .arg(format!("{reference}^{{commit}}"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .filter(|s| !s.is_empty());
    Ok((bytes, commit))
}
