//! Current data as a CSV with the reference's columns.
//!
//! Rows are read into per-column buffers of [`CHUNK_ROWS`] numbers, and each continuous
//! feature then counts its buffer at once: one feature's tables stay in the cache while its
//! values are counted, instead of every feature's tables being visited for each row. Memory is
//! the buffers, whatever the number of rows.

use std::path::Path;

use anyhow::bail;
use modelci_drift::Reference;
use modelci_drift::monitor::{Counts, number_of};

use super::Sink;
use crate::csv_file::{self, Row, RowSink};
use crate::reference::list;

/// Rows buffered before the continuous features count them (8 bytes a value).
const CHUNK_ROWS: usize = 4096;

/// Counts every row of the CSV; returns 0 (a CSV has no skippable lines: a malformed row is
/// an error).
pub(super) fn read(path: &Path, reference: &Reference, sink: &mut Sink) -> anyhow::Result<u64> {
    let mut rows = Rows {
        path,
        reference,
        start: sink.clone(),
        sink,
        columns: Vec::new(),
        buffers: Vec::new(),
        buffered: 0,
    };
    csv_file::read(path, &mut rows)?;
    count_buffers(&mut rows.sink.counts, &mut rows.buffers);
    Ok(0)
}

/// The current rows on their way into the counters.
struct Rows<'a> {
    path: &'a Path,
    reference: &'a Reference,
    sink: &'a mut Sink,
    /// The sink as it was before the first row, to start over from.
    start: Sink,
    /// The file's column of each reference feature.
    columns: Vec<usize>,
    /// Each continuous feature's values not yet counted (categorical features count at once).
    buffers: Vec<Vec<f64>>,
    buffered: usize,
}

impl RowSink for Rows<'_> {
    fn begin(&mut self, headers: &[String]) -> anyhow::Result<()> {
        *self.sink = self.start.clone();
        self.columns.clear();
        let mut missing = Vec::new();
        for feature in &self.reference.features {
            match headers.iter().position(|h| *h == feature.name) {
                Some(index) => self.columns.push(index),
                None => missing.push(feature.name.clone()),
            }
        }
        if !missing.is_empty() {
            bail!(
                "{}: the reference's feature(s) {} are not columns of the current data (its columns: {})",
                self.path.display(),
                list(&missing),
                list(headers)
            );
        }
        self.buffers = self
            .sink
            .counts
            .iter()
            .map(|counts| match counts {
                Counts::Continuous(_) => Vec::with_capacity(CHUNK_ROWS),
                Counts::Categorical(_) => Vec::new(),
            })
            .collect();
        self.buffered = 0;
        Ok(())
    }

    fn row(&mut self, row: &Row<'_>) {
        if !self.sink.take_row() {
            return;
        }
        let cells = self.sink.counts.iter_mut().zip(&mut self.buffers);
        for ((counts, buffer), &column) in cells.zip(&self.columns) {
            let cell = row.cell(column);
            match counts {
                Counts::Continuous(_) => buffer.push(number_of(&cell)),
                Counts::Categorical(_) => counts.add_text(&csv_file::text(&cell)),
            }
        }
        self.buffered += 1;
        if self.buffered == CHUNK_ROWS {
            count_buffers(&mut self.sink.counts, &mut self.buffers);
            self.buffered = 0;
        }
    }
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use modelci_drift::{
        CategoricalReference, ContinuousReference, Feature, FeatureSummary, Reference,
    };

    use super::*;

    /// The buffered, column-by-column counts equal counting every cell as it comes, over more
    /// rows than one buffer, with a window that starts inside the first buffer.
    #[test]
    fn buffered_counts_equal_cell_by_cell_counts() {
        let rows = 3 * CHUNK_ROWS + 17;
        let cell = |row: usize, column: usize| -> String {
            match (row * 7 + column * 13) % 23 {
                0 => String::new(),
                1 => "n/a".to_owned(),
                2 => format!(" {}e-1 ", row % 50),
                k => format!("{}.{:03}", k as i64 - 11, (row * 31 + column) % 1000),
            }
        };
        let category = |row: usize| ["a", "b", "", "1.50", "c"][row % 5].to_owned();
        let mut text = String::from("x,plan,y\n");
        for row in 0..rows {
            text.push_str(&format!(
                "{},{},{}\n",
                cell(row, 0),
                category(row),
                cell(row, 1)
            ));
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("current.csv");
        std::fs::write(&path, &text).unwrap();
        let continuous = |column| {
            FeatureSummary::Continuous(
                ContinuousReference::from_values(
                    (0..500).map(|row| number_of(cell(row, column).as_bytes())),
                )
                .unwrap(),
            )
        };
        let categories = ["a", "b", "1.5"].map(Some);
        let features = vec![
            Feature {
                name: "y".into(),
                summary: continuous(1),
            },
            Feature {
                name: "plan".into(),
                summary: FeatureSummary::Categorical(
                    CategoricalReference::from_values(categories).unwrap(),
                ),
            },
            Feature {
                name: "x".into(),
                summary: continuous(0),
            },
        ];
        let reference = Reference::new("reference.csv", 500, features);
        let skip = 5;
        let mut sink = Sink::new(&reference, skip as u64);
        read(&path, &reference, &mut sink).unwrap();
        let mut expected: Vec<Counts> = reference
            .features
            .iter()
            .map(|f| Counts::new(&f.summary))
            .collect();
        for row in skip..rows {
            expected[0].add_text(&cell(row, 1));
            expected[1].add_text(&category(row));
            expected[2].add_text(&cell(row, 0));
        }
        assert_eq!(sink.rows, (rows - skip) as u64);
        assert_eq!(sink.counts, expected);
        let Counts::Continuous(x) = &sink.counts[2] else {
            panic!("x is continuous")
        };
        assert!(x.missing() > 0 && x.total() > 0);
    }
}
