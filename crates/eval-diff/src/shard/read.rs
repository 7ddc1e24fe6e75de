//! Reading a shard file: the header first (so every shard's fingerprints are checked before
//! any sample is read), then the samples one line at a time, then the trailer's checksum.

use std::fs::File;
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};

use super::{FORMAT, Header, Trailer, VERSION};
use crate::outcome::Outcome;

/// A shard file whose header has been read.
pub(crate) struct Reader {
    /// The file.
    pub path: PathBuf,
    /// Its header.
    pub header: Header,
}

/// Why a shard is refused: one line, naming the shard.
#[derive(Debug, thiserror::Error)]
#[error("{}: {reason}", path.display())]
pub(crate) struct ShardError {
    /// The shard (file or folder).
    pub path: PathBuf,
    /// What is wrong with it.
    pub reason: String,
}

impl ShardError {
    pub(crate) fn new(path: &Path, reason: impl Into<String>) -> Self {
        Self {
            path: path.to_owned(),
            reason: reason.into(),
        }
    }
}

/// The shard files `given` names: the file itself, or every `shard-K-of-N.jsonl` in a folder
/// (a shard run's output folder, or one that the artifacts of all shard jobs were downloaded
/// into).
pub(crate) fn locate(given: &Path) -> Result<Vec<PathBuf>, ShardError> {
    if !given.is_dir() {
        return Ok(vec![given.to_owned()]);
    }
    let entries = std::fs::read_dir(given)
        .map_err(|e| ShardError::new(given, format!("cannot read the folder: {e}")))?;
    let mut found: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("shard-") && n.ends_with(".jsonl"))
        })
        .collect();
    found.sort();
    if found.is_empty() {
        return Err(ShardError::new(
            given,
            "no shard file (shard-K-of-N.jsonl) in this folder; was it the output folder of an `eval-diff --shard K/N` run?",
        ));
    }
    Ok(found)
}

impl Reader {
    /// Opens the shard file `path`, reads its header and checks the whole file against its
    /// trailer (checksum, sample count), without keeping it.
    ///
    /// # Errors
    /// [`ShardError`] when it cannot be read, its first line is not a shard header of this
    /// version, it is truncated (no trailer, or a last line without its end), or its checksum
    /// or sample count does not match.
    pub(crate) fn open(path: &Path) -> Result<Self, ShardError> {
        let path = path.to_owned();
        let mut lines = open_lines(&path)?;
        let mut line = Vec::new();
        read_line(&mut lines, &mut line, &path)?;
        if !line.ends_with(b"\n") {
            return Err(ShardError::new(
                &path,
                "truncated: the file ends inside its header",
            ));
        }
        let header: Header = serde_json::from_slice(&line).map_err(|e| {
            ShardError::new(
                &path,
                format!("not an eval-diff shard file (line 1 is not a shard header: {e})"),
            )
        })?;
        if header.format != FORMAT || header.version != VERSION {
            return Err(ShardError::new(
                &path,
                format!(
                    "not a shard of this eval-diff: format `{}` version {} (expected `{FORMAT}` version {VERSION})",
                    header.format, header.version
                ),
            ));
        }
        let mut hasher = Sha256::new();
        hasher.update(&line);
        let mut number = 1u64;
        loop {
            line.clear();
            read_line(&mut lines, &mut line, &path)?;
            number += 1;
            if line.is_empty() {
                return Err(ShardError::new(
                    &path,
                    format!("truncated: no checksum line after line {}", number - 1),
                ));
            }
            if !line.ends_with(b"\n") {
                return Err(ShardError::new(
                    &path,
                    format!("truncated: the file ends inside line {number}"),
                ));
            }
            if line.starts_with(b"{\"id\"") {
                hasher.update(&line);
                continue;
            }
            break;
        }
        let trailer: Trailer = serde_json::from_slice(&line).map_err(|_| {
            ShardError::new(
                &path,
                format!("line {number} is neither a sample nor the checksum line (edited?)"),
            )
        })?;
        let sha256 = format!("{:x}", hasher.finalize());
        if sha256 != trailer.sha256 {
            return Err(ShardError::new(
                &path,
                format!(
                    "checksum mismatch: the content hashes to {sha256} but the file says {} (edited or damaged after eval-diff wrote it)",
                    trailer.sha256
                ),
            ));
        }
        line.clear();
        read_line(&mut lines, &mut line, &path)?;
        if !line.is_empty() {
            return Err(ShardError::new(
                &path,
                "text after the checksum line (edited?)",
            ));
        }
        let samples = number - 2;
        let expected = header.end.saturating_sub(header.start);
        if samples != trailer.samples || samples != expected {
            return Err(ShardError::new(
                &path,
                format!(
                    "holds {samples} sample(s) but its header covers {expected} (positions {}..{})",
                    header.start, header.end
                ),
            ));
        }
        Ok(Self { path, header })
    }

    /// Hands every sample to `add` in order (the file was checked by [`Reader::open`]).
    ///
    /// # Errors
    /// [`ShardError`] for a sample line that does not read (the file changed since).
    pub(crate) fn samples(&self, add: &mut dyn FnMut(&Outcome)) -> Result<(), ShardError> {
        let path = &self.path;
        let mut lines = open_lines(path)?;
        let mut line = Vec::new();
        read_line(&mut lines, &mut line, path)?;
        let expected = self.header.end.saturating_sub(self.header.start);
        for number in 2..expected + 2 {
            line.clear();
            read_line(&mut lines, &mut line, path)?;
            let outcome: Outcome = serde_json::from_slice(&line).map_err(|e| {
                ShardError::new(path, format!("line {number} is not a sample: {e}"))
            })?;
            add(&outcome);
        }
        Ok(())
    }
}

fn open_lines(path: &Path) -> Result<BufReader<File>, ShardError> {
    File::open(path)
        .map(|f| BufReader::with_capacity(1 << 16, f))
        .map_err(|e| ShardError::new(path, format!("cannot read: {e}")))
}

/// Reads one line (with its `\n`, if any) into `line`.
fn read_line(
    lines: &mut BufReader<File>,
    line: &mut Vec<u8>,
    path: &Path,
) -> Result<(), ShardError> {
    lines
        .read_until(b'\n', line)
        .map(|_| ())
        .map_err(|e| ShardError::new(path, format!("cannot read: {e}")))
}
