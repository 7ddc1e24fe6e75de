//! Training logs, whatever wrote them, as one per-epoch history that checks can read.
//!
//! Users already log their training runs; a quality gate should read those files as they are
//! rather than ask for a new format. This crate reads four of them into one [`History`]:
//!
//! - [`dvc`]: DVC-style metrics files, JSON or YAML, nested keys flattened with `.`
//!   (`{"val": {"accuracy": 0.98}}` gives `val.accuracy`); final values only, no epochs;
//! - [`keras_csv`]: Keras `CSVLogger` files, one row per epoch;
//! - [`lightning`]: PyTorch Lightning `CSVLogger` `metrics.csv`, sparse rows merged per epoch;
//! - [`json_list`]: a JSON or YAML list of per-epoch objects.
//!
//! [`load`] picks the format from the file name and contents. [`checks`] holds what a gate asks
//! of a history: no NaN or infinity, a loss that still goes down at the end, no divergence.
//!
//! Non-finite values (`NaN`, `inf`, Python's `NaN`/`Infinity` in JSON, YAML's `.nan`) are read,
//! not refused, so that [`checks::non_finite`] can report them; anything else that is not a
//! number is an error naming the file, the line where it can be found, and the key.

pub mod checks;
pub mod dvc;
mod error;
pub mod json_list;
pub mod keras_csv;
pub mod lightning;
mod tree;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Serialize;

pub use error::HistoryError;

/// Which kind of file a history was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Format {
    /// DVC-style metrics (JSON or YAML), final values only.
    Dvc,
    /// Keras `CSVLogger`.
    KerasCsv,
    /// PyTorch Lightning `CSVLogger` (`metrics.csv`).
    LightningCsv,
    /// A JSON or YAML list of per-epoch objects.
    JsonList,
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Dvc => "DVC metrics",
            Self::KerasCsv => "Keras CSV",
            Self::LightningCsv => "Lightning CSV",
            Self::JsonList => "per-epoch list",
        })
    }
}

/// The values logged for one epoch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Epoch {
    /// The epoch number as logged (or the row's position when the log has none).
    pub index: u64,
    /// Metric name to value; a metric not logged this epoch is absent.
    pub values: BTreeMap<String, f64>,
}

/// A training run's log: values per epoch, and the final value of every metric.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct History {
    /// The file it was read from.
    pub path: PathBuf,
    /// The file's format.
    pub format: Format,
    /// Epochs in file order (empty for final-values-only formats such as DVC metrics).
    pub epochs: Vec<Epoch>,
    /// Each metric's last logged value.
    pub final_values: BTreeMap<String, f64>,
}

impl History {
    /// A history from per-epoch values; the final values are each metric's last logged value.
    #[must_use]
    pub fn from_epochs(path: &Path, format: Format, epochs: Vec<Epoch>) -> Self {
        let mut final_values = BTreeMap::new();
        for epoch in &epochs {
            for (key, value) in &epoch.values {
                final_values.insert(key.clone(), *value);
            }
        }
        Self {
            path: path.to_owned(),
            format,
            epochs,
            final_values,
        }
    }

    /// Every metric name the history knows.
    #[must_use]
    pub fn keys(&self) -> BTreeSet<&str> {
        self.final_values.keys().map(String::as_str).collect()
    }

    /// The values of `key` per epoch, `None` where the epoch did not log it.
    #[must_use]
    pub fn series(&self, key: &str) -> Vec<Option<f64>> {
        self.epochs
            .iter()
            .map(|e| e.values.get(key).copied())
            .collect()
    }

    /// The `(epoch, value)` points of `key`, skipping epochs that did not log it.
    #[must_use]
    pub fn points(&self, key: &str) -> Vec<(u64, f64)> {
        self.epochs
            .iter()
            .filter_map(|e| e.values.get(key).map(|v| (e.index, *v)))
            .collect()
    }
}

/// Reads the training log at `path`, choosing the format from its name and contents.
///
/// `.csv` files are Lightning logs when the header has a `step` column, Keras logs otherwise;
/// `.json`, `.yaml` and `.yml` files are per-epoch lists when the top level is a list, DVC
/// metrics when it is a mapping. Other names are recognised by their first character.
///
/// # Errors
/// [`HistoryError`] naming the file (and line, where there is one) when it cannot be read, does
/// not parse, has a ragged row or a non-numeric value, or holds no metric at all.
pub fn load(path: &Path) -> Result<History, HistoryError> {
    let text = std::fs::read_to_string(path).map_err(|source| HistoryError::Io {
        path: path.to_owned(),
        source,
    })?;
    load_text(path, &text)
}

/// Reads a training log already in memory, as [`load`] does with the file at `path` (whose
/// name chooses the format and appears in errors).
///
/// # Errors
/// As [`load`], except for reading the file.
pub fn load_text(path: &Path, text: &str) -> Result<History, HistoryError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let kind = match ext.as_str() {
        "csv" => Syntax::Csv,
        "json" => Syntax::Json,
        "yaml" | "yml" => Syntax::Yaml,
        _ => match text.trim_start().chars().next() {
            Some('{' | '[') => Syntax::Json,
            _ if text.lines().next().is_some_and(|l| l.contains(',')) => Syntax::Csv,
            _ => Syntax::Yaml,
        },
    };
    let history = match kind {
        Syntax::Csv => {
            if lightning::looks_like(text) {
                lightning::parse(path, text)?
            } else {
                keras_csv::parse(path, text)?
            }
        }
        Syntax::Json | Syntax::Yaml => {
            let root = if kind == Syntax::Json {
                tree::parse_json(path, text)?
            } else {
                tree::parse_yaml(path, text)?
            };
            if root.is_list() {
                json_list::from_tree(path, text, root)?
            } else {
                dvc::from_tree(path, text, root)?
            }
        }
    };
    if history.final_values.is_empty() {
        return Err(HistoryError::Empty {
            path: path.to_owned(),
        });
    }
    Ok(history)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Syntax {
    Csv,
    Json,
    Yaml,
}
