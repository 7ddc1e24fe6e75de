//! Errors of reading a training log; each names the file and, where there is one, the line.

use std::path::PathBuf;

/// What can be wrong with a training log.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HistoryError {
    /// The file could not be read.
    #[error("{}: cannot read the training log: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid JSON, YAML or CSV.
    #[error("{}{}: does not parse as {syntax}: {}", path.display(), at_line(*line), shorten(reason))]
    Syntax {
        /// The file.
        path: PathBuf,
        /// The line of the problem (1-based), when known.
        line: Option<u64>,
        /// `JSON`, `YAML` or `CSV`.
        syntax: &'static str,
        /// What the parser said.
        reason: String,
    },
    /// A CSV row has more or fewer cells than the header.
    #[error("{}:{line}: ragged row: {found} cells where the header has {expected} columns", path.display())]
    Ragged {
        /// The file.
        path: PathBuf,
        /// The row's line (1-based).
        line: u64,
        /// Columns in the header.
        expected: usize,
        /// Cells in the row.
        found: usize,
    },
    /// A value that should be a number is not.
    #[error("{}{}: `{}` is {}, not a number", path.display(), at_line(*line), shorten(key), shorten(found))]
    NotNumeric {
        /// The file.
        path: PathBuf,
        /// The line of the value (1-based), when known.
        line: Option<u64>,
        /// The metric (flattened key or CSV column).
        key: String,
        /// What was found instead, e.g. `the string "high"`.
        found: String,
    },
    /// The file parses but holds no metric.
    #[error("{}: no metrics found (expected DVC metrics, a Keras or Lightning CSV log, or a list of per-epoch objects)", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
    },
}

/// The most characters of a key, value or parser message shown in one error (see
/// `docs/limits.md`): a 100 MB header must not become a 100 MB line on stderr.
pub const MAX_SHOWN_CHARS: usize = 200;

/// `text` cut to [`MAX_SHOWN_CHARS`] characters, with `…` when something was cut.
pub(crate) fn shorten(text: &str) -> String {
    match text.char_indices().nth(MAX_SHOWN_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

fn at_line(line: Option<u64>) -> String {
    line.map(|l| format!(":{l}")).unwrap_or_default()
}
