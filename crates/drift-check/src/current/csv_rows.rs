//! Current data as a CSV with the reference's columns.
//!
//! Rows are read into per-column buffers of [`CHUNK_ROWS`] numbers, and each continuous
//! feature then counts its buffer at once: one feature's tables stay in the cache while its
//! values are counted, instead of every feature's tables being visited for each row. Memory is
//! the buffers, whatever the number of rows.

use std::path::Path;

use anyhow::{Context as _, bail};
use modelci_drift::Reference;
use modelci_drift::monitor::{Counts, number_of};

use super::Sink;
use crate::reference::{list, open_csv};

/// Rows buffered before the continuous features count them (8 bytes a value).
const CHUNK_ROWS: usize = 4096;

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
    let mut buffers: Vec<Vec<f64>> = sink
        .counts
        .iter()
        .map(|counts| match counts {
            Counts::Continuous(_) => Vec::with_capacity(CHUNK_ROWS),
            Counts::Categorical(_) => Vec::new(),
        })
        .collect();
    // A StringRecord checks a row's UTF-8 once, all ASCII at a time, cheaper than cell by cell.
    let mut record = csv::StringRecord::new();
    let mut row = 1u64;
    let mut buffered = 0usize;
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
        for ((counts, buffer), &column) in sink.counts.iter_mut().zip(&mut buffers).zip(&columns) {
            let text = record.get(column).unwrap_or("");
            match counts {
                Counts::Continuous(_) => buffer.push(number_of(text)),
                Counts::Categorical(_) => counts.add_text(text),
            }
        }
        buffered += 1;
        if buffered == CHUNK_ROWS {
            count_buffers(&mut sink.counts, &mut buffers);
            buffered = 0;
        }
    }
    count_buffers(&mut sink.counts, &mut buffers);
    Ok(0)
}

/// Counts and empties the continuous features' buffers.
fn count_buffers(counts: &mut [Counts], buffers: &mut [Vec<f64>]) {
    for (counts, buffer) in counts.iter_mut().zip(buffers) {
        if let Counts::Continuous(counts) = counts {
            counts.add_all(buffer);
        }
        buffer.clear();
    }
}
