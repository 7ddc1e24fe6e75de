//! The reference: a drift reference file, a dataset (CSV, image folder, NumPy file)
//! summarised on the spot, or a release bundle's `drift-reference.json` ([`bundle`]) from any
//! source eval-diff's `--baseline` takes.

pub mod bundle;

use std::path::Path;

use crate::csv_file::{self, Row, RowSink};
use anyhow::{Context as _, bail};
use modelci_drift::{
    CategoricalReference, ContinuousReference, Feature, FeatureSummary, Reference, category_key,
};

/// Opens `--reference`: a release bundle source ([`bundle`]; `ctx` is asked for only then), or
/// a local reference file or dataset ([`load`]; a folder without a bundle is an image folder).
///
/// # Errors
/// A [`modelci_cli::Failure`]: exit 2 for bad input, 3 when a code host or registry failed.
pub fn open(
    path: &Path,
    categorical: &[String],
    ignore: &[String],
    ctx: impl FnOnce() -> modelci_baseline::Context,
) -> Result<bundle::Opened, modelci_cli::Failure> {
    use modelci_cli::Failure;
    let source = if crate::current::dataset::is_dataset(path) {
        None
    } else {
        bundle::bundle_source(path).map_err(Failure::bad_input)?
    };
    match source {
        Some(_) if !categorical.is_empty() => Err(Failure::bad_input(anyhow::anyhow!(
            "{}: --categorical applies to a CSV reference; a bundle's drift reference already says each feature's kind",
            path.display()
        ))),
        Some(source) => bundle::open(&source, ctx(), ignore),
        None => Ok(bundle::Opened {
            reference: load(path, categorical, ignore).map_err(Failure::bad_input)?,
            model: None,
            provenance: None,
        }),
    }
}

/// Reads a reference file (`.json`) or summarises a CSV dataset, without the `ignore`d
/// features.
///
/// # Errors
/// One line naming the file: unreadable, not a reference, no rows, duplicate or empty columns,
/// an ignored name that is not a feature, nothing left to check.
pub fn load(path: &Path, categorical: &[String], ignore: &[String]) -> anyhow::Result<Reference> {
    let reference = load_all(path, categorical)?;
    restrict(reference, path, ignore)
}

/// The reference without the `ignore`d features.
///
/// # Errors
/// An ignored name that is not a feature, or nothing left to check (naming `path`).
pub fn restrict(
    mut reference: Reference,
    path: &Path,
    ignore: &[String],
) -> anyhow::Result<Reference> {
    let names: Vec<String> = reference.features.iter().map(|f| f.name.clone()).collect();
    for name in ignore {
        if !names.contains(name) {
            bail!(
                "{}: --ignore {name:?} is not a feature (features: {})",
                path.display(),
                list(&names)
            );
        }
    }
    reference.features.retain(|f| !ignore.contains(&f.name));
    if reference.features.is_empty() {
        bail!(
            "{}: every feature is ignored; nothing to check",
            path.display()
        );
    }
    Ok(reference)
}

fn load_all(path: &Path, categorical: &[String]) -> anyhow::Result<Reference> {
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if is_json {
        if !categorical.is_empty() {
            bail!(
                "{}: --categorical applies to a CSV reference; a reference file already says each feature's kind",
                path.display()
            );
        }
        let bytes =
            std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
        return parse(path, &bytes);
    }
    if crate::current::dataset::is_dataset(path) {
        if !categorical.is_empty() {
            bail!(
                "{}: --categorical applies to a CSV reference; an image folder or NumPy file has fixed feature kinds",
                path.display()
            );
        }
        return crate::current::dataset::reference(path);
    }
    from_csv(path, categorical)
}

/// A drift reference file's bytes, parsed and validated; errors name `path`.
pub(crate) fn parse(path: &Path, bytes: &[u8]) -> anyhow::Result<Reference> {
    let reference: Reference = serde_json::from_slice(bytes)
        .with_context(|| format!("{}: not a drift reference file", path.display()))?;
    reference
        .validate()
        .with_context(|| format!("{}: unusable drift reference", path.display()))?;
    Ok(reference)
}

/// Summarises every column of a CSV dataset.
fn from_csv(path: &Path, categorical: &[String]) -> anyhow::Result<Reference> {
    let mut table = Table {
        path,
        categorical,
        headers: Vec::new(),
        columns: Vec::new(),
        rows: 0,
    };
    csv_file::read(path, &mut table)?;
    let Table {
        headers,
        columns,
        rows,
        ..
    } = table;
    if rows == 0 {
        bail!("{}: no rows after the header", path.display());
    }
    let mut features = Vec::with_capacity(headers.len());
    for (name, column) in headers.iter().zip(columns) {
        let summary = column
            .summarise()
            .with_context(|| format!("{}: column {name:?}", path.display()))?;
        features.push(Feature {
            name: name.clone(),
            summary,
        });
    }
    let source = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Ok(Reference::new(source, rows, features))
}

/// A reference CSV's columns while its rows are read.
struct Table<'a> {
    path: &'a Path,
    /// `--categorical` columns.
    categorical: &'a [String],
    headers: Vec<String>,
    columns: Vec<Column>,
    rows: u64,
}

impl RowSink for Table<'_> {
    fn begin(&mut self, headers: &[String]) -> anyhow::Result<()> {
        check_names(self.path, headers)?;
        for name in self.categorical {
            if !headers.contains(name) {
                bail!(
                    "{}: --categorical {name:?} is not a column (columns: {})",
                    self.path.display(),
                    list(headers)
                );
            }
        }
        self.headers = headers.to_vec();
        self.columns = headers
            .iter()
            .map(|name| Column::new(self.categorical.contains(name)))
            .collect();
        self.rows = 0;
        Ok(())
    }

    fn row(&mut self, row: &Row<'_>) {
        for (index, column) in self.columns.iter_mut().enumerate() {
            column.push_cell(&row.cell(index));
        }
        self.rows += 1;
    }
}

/// One reference column while it is read: numbers as long as every non-empty value is one
/// (8 bytes a row), category counts from the first value that is not (or from the start for
/// `--categorical`), so memory stays small for the usual all-numeric data.
enum Column {
    /// Every value so far parsed as a number (empty and non-finite text: NaN, missing).
    Numbers(Vec<f64>),
    /// Category counts.
    Categories {
        counts: std::collections::BTreeMap<String, u64>,
        missing: u64,
    },
}

impl Column {
    fn new(categorical: bool) -> Self {
        if categorical {
            Self::Categories {
                counts: std::collections::BTreeMap::new(),
                missing: 0,
            }
        } else {
            Self::Numbers(Vec::new())
        }
    }

    /// A CSV cell: a number as it stands (the usual cell) is read directly, with nothing to
    /// trim; anything else as trimmed text ([`Self::push`]).
    fn push_cell(&mut self, cell: &[u8]) {
        if let Self::Numbers(values) = self
            && let Some(number) = modelci_drift::number::parse_number(cell)
        {
            values.push(number);
            return;
        }
        self.push(csv_file::text(cell).trim());
    }

    fn push(&mut self, text: &str) {
        match self {
            Self::Numbers(values) => {
                if text.is_empty() {
                    values.push(f64::NAN);
                } else if let Some(number) = modelci_drift::number::parse_number(text.as_bytes()) {
                    values.push(number);
                } else {
                    // Not all numbers: the column is categorical; numbers count as their
                    // shortest decimal text (`category_key`: `1.50` and `1.5` are one category).
                    let mut counts = std::collections::BTreeMap::new();
                    let mut missing = 0;
                    for value in values.drain(..) {
                        if value.is_nan() {
                            missing += 1;
                        } else {
                            *counts.entry(value.to_string()).or_insert(0) += 1;
                        }
                    }
                    *self = Self::Categories { counts, missing };
                    self.push(text);
                }
            }
            Self::Categories { counts, missing } => {
                if text.is_empty() {
                    *missing += 1;
                } else {
                    *counts.entry(category_key(text).into_owned()).or_insert(0) += 1;
                }
            }
        }
    }

    fn summarise(self) -> anyhow::Result<FeatureSummary> {
        Ok(match self {
            Self::Numbers(values) => {
                FeatureSummary::Continuous(ContinuousReference::from_values(values)?)
            }
            Self::Categories {
                counts, missing, ..
            } => {
                if counts.is_empty() {
                    return Err(modelci_drift::DriftError::EmptyReference.into());
                }
                FeatureSummary::Categorical(CategoricalReference { counts, missing })
            }
        })
    }
}

fn check_names(path: &Path, headers: &[String]) -> anyhow::Result<()> {
    if headers.is_empty() || headers.iter().all(String::is_empty) {
        bail!("{}: no header row", path.display());
    }
    let mut sorted: Vec<&String> = headers.iter().collect();
    sorted.sort();
    if let Some(pair) = sorted.windows(2).find(|w| w[0] == w[1]) {
        bail!(
            "{}: column {:?} appears twice in the header",
            path.display(),
            pair[0]
        );
    }
    Ok(())
}

/// Names for an error line, at most eight.
pub(crate) fn list(names: &[String]) -> String {
    let mut shown: Vec<String> = names.iter().take(8).map(|n| format!("{n:?}")).collect();
    if names.len() > 8 {
        shown.push(format!("… {} more", names.len() - 8));
    }
    shown.join(", ")
}

/// Writes the reference as JSON, atomically.
///
/// # Errors
/// When the file cannot be written.
pub fn write(reference: &Reference, path: &Path) -> anyhow::Result<()> {
    let json = serde_json::to_vec_pretty(reference)?;
    modelci_report::write_atomic(path, &json)
        .with_context(|| format!("{}: cannot write the reference", path.display()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_column_turns_categorical_at_its_first_non_number() {
        let mut column = Column::new(false);
        for text in ["1", "2.0", "", "x", "1.0"] {
            column.push(text);
        }
        match column.summarise().unwrap() {
            FeatureSummary::Categorical(summary) => {
                assert_eq!(summary.missing, 1);
                let counts: Vec<(&str, u64)> = summary
                    .counts
                    .iter()
                    .map(|(k, v)| (k.as_str(), *v))
                    .collect();
                assert_eq!(counts, [("1", 2), ("2", 1), ("x", 1)]);
            }
            FeatureSummary::Continuous(_) => panic!("x is not a number"),
        }
        let mut numbers = Column::new(false);
        ["3", "", "1.5"].iter().for_each(|t| numbers.push(t));
        match numbers.summarise().unwrap() {
            FeatureSummary::Continuous(summary) => {
                assert_eq!((summary.total, summary.missing), (2, 1))
            }
            FeatureSummary::Categorical(_) => panic!("all numbers"),
        }
    }
}
