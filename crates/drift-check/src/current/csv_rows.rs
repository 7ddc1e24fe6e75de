//! Current data as a CSV with the reference's columns.

use std::path::Path;

use anyhow::{Context as _, bail};
use modelci_drift::Reference;

use super::Sink;
use crate::reference::{list, open_csv};

/// Counts every row of the CSV; returns 0 (a CSV has no skippable lines: a malformed row is
/// an error).
pub(super) fn read(path: &Path, reference: &Reference, sink: &mut Sink) -> anyhow::Result<u64> {
    let (mut reader, headers) = open_csv(path)?;
    let mut columns = Vec::with_capacity(reference.features.len());
    let mut missing = Vec::new();
    for feature in &reference.features {
        match headers.iter().position(|h| *h == feature.name) {
            Some(index) => columns.push(index),
            None => missing.push(feature.name.clone()),
        }
    }
    if !missing.is_empty() {
        bail!(
            "{}: the reference's feature(s) {} are not columns of the current data (its columns: {})",
            path.display(),
            list(&missing),
            list(&headers)
        );
    }
    let mut record = csv::StringRecord::new();
    let mut row = 1u64;
    loop {
        row += 1;
        let more = reader
            .read_record(&mut record)
            .with_context(|| format!("{}: row {row}", path.display()))?;
        if !more {
            break;
        }
        if !sink.take_row() {
            continue;
        }
        for (counts, &column) in sink.counts.iter_mut().zip(&columns) {
            counts.add_text(record.get(column).unwrap_or(""));
        }
    }
    Ok(0)
}
