//! The reference: a drift reference file, or a CSV dataset summarised on the spot.

use std::path::Path;

use anyhow::{Context as _, bail};
use modelci_drift::{
    CategoricalReference, ContinuousReference, Feature, FeatureSummary, Reference,
};

/// Reads a reference file (`.json`) or summarises a CSV dataset, without the `ignore`d
/// features.
///
/// # Errors
/// One line naming the file: unreadable, not a reference, no rows, duplicate or empty columns,
/// an ignored name that is not a feature, nothing left to check.
pub fn load(path: &Path, categorical: &[String], ignore: &[String]) -> anyhow::Result<Reference> {
    let mut reference = load_all(path, categorical)?;
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
        let reference: Reference = serde_json::from_slice(&bytes)
            .with_context(|| format!("{}: not a drift reference file", path.display()))?;
        reference
            .validate()
            .with_context(|| format!("{}: unusable drift reference", path.display()))?;
        return Ok(reference);
    }
    from_csv(path, categorical)
}

/// Summarises every column of a CSV dataset.
fn from_csv(path: &Path, categorical: &[String]) -> anyhow::Result<Reference> {
    let (mut reader, headers) = open_csv(path)?;
    check_names(path, &headers)?;
    for name in categorical {
        if !headers.contains(name) {
            bail!(
                "{}: --categorical {name:?} is not a column (columns: {})",
                path.display(),
                list(&headers)
            );
        }
    }
    let mut columns: Vec<Vec<String>> = vec![Vec::new(); headers.len()];
    let mut rows = 0u64;
    for (index, record) in reader.records().enumerate() {
        let record = record.with_context(|| format!("{}: row {}", path.display(), index + 2))?;
        for (column, value) in columns.iter_mut().zip(record.iter()) {
            column.push(value.trim().to_owned());
        }
        rows += 1;
    }
    if rows == 0 {
        bail!("{}: no rows after the header", path.display());
    }
    let mut features = Vec::with_capacity(headers.len());
    for (name, values) in headers.iter().zip(&columns) {
        let summary = summarise(values, categorical.contains(name))
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

/// A column is continuous when every non-empty value is a number, unless forced categorical.
fn summarise(values: &[String], force_categorical: bool) -> anyhow::Result<FeatureSummary> {
    let numeric = !force_categorical
        && values
            .iter()
            .all(|v| v.is_empty() || v.parse::<f64>().is_ok());
    let summary = if numeric {
        FeatureSummary::Continuous(ContinuousReference::from_values(
            values.iter().map(|v| v.parse::<f64>().unwrap_or(f64::NAN)),
        )?)
    } else {
        FeatureSummary::Categorical(CategoricalReference::from_values(
            values.iter().map(|v| (!v.is_empty()).then_some(v.as_str())),
        )?)
    };
    Ok(summary)
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

/// Opens a CSV file and reads its header row.
pub(crate) fn open_csv(path: &Path) -> anyhow::Result<(csv::Reader<std::fs::File>, Vec<String>)> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    let headers = reader
        .headers()
        .with_context(|| format!("{}: cannot read the header row", path.display()))?
        .iter()
        .map(str::to_owned)
        .collect();
    Ok((reader, headers))
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
