//! Keras `CSVLogger` files: a header (`epoch,accuracy,loss,val_accuracy,val_loss`) and one row
//! per epoch. Also any CSV log of that shape; without an `epoch` column the row's position is
//! the epoch. `\n` and `\r\n` line endings are both read.
//!
//! Empty cells and Keras' `NA` mean "not logged this epoch". `nan`, `inf` and `-inf` (any
//! case) are read as numbers so that the finiteness check can report them.

use std::path::Path;

use crate::{Epoch, Format, History, HistoryError};

/// A CSV table of optional numbers, with the line number of every row.
pub(crate) struct Table {
    /// Column names, trimmed.
    pub(crate) header: Vec<String>,
    /// `(line, cells)` per row; `None` for an empty or `NA` cell.
    pub(crate) rows: Vec<(u64, Vec<Option<f64>>)>,
}

/// The most columns a CSV log may have (see `docs/limits.md`); real logs have tens.
pub const MAX_COLUMNS: usize = 10_000;

/// Reads `text` as a CSV table of numbers.
pub(crate) fn read_table(path: &Path, text: &str) -> Result<Table, HistoryError> {
    // The csv crate's own line counter disagrees with editors on `\r\n` files, so lines are
    // counted from the byte offset: the offsets of every `\n` are collected once and each
    // row's line is a binary search (linear time overall, see `docs/limits.md`).
    let newlines: Vec<usize> = text
        .bytes()
        .enumerate()
        .filter_map(|(i, b)| (b == b'\n').then_some(i))
        .collect();
    let line_at = |byte: u64| {
        let mut end = usize::try_from(byte).unwrap_or(usize::MAX).min(text.len());
        // A record that follows `\r\n` starts, for the csv crate, at the `\n`.
        while text
            .as_bytes()
            .get(end)
            .is_some_and(|b| matches!(b, b'\r' | b'\n'))
        {
            end += 1;
        }
        newlines.partition_point(|&at| at < end) as u64 + 1
    };
    let syntax = |line: Option<u64>, reason: String| HistoryError::Syntax {
        path: path.to_owned(),
        line,
        syntax: "CSV",
        reason,
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| syntax(Some(1), e.to_string()))?;
    if header.len() > MAX_COLUMNS {
        return Err(syntax(
            Some(1),
            format!(
                "the header has {} columns, more than the limit of {MAX_COLUMNS}",
                header.len()
            ),
        ));
    }
    let header: Vec<String> = header.iter().map(|h| h.trim().to_owned()).collect();
    if header.iter().all(String::is_empty) {
        return Err(syntax(Some(1), "the header row is empty".into()));
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(twice) = header.iter().find(|h| !seen.insert(h.as_str())) {
        return Err(syntax(
            Some(1),
            format!("the column `{twice}` appears more than once"),
        ));
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| line_at(p.byte()));
            syntax(line, e.to_string())
        })?;
        let line = record.position().map_or(0, |p| line_at(p.byte()));
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if record.len() != header.len() {
            return Err(HistoryError::Ragged {
                path: path.to_owned(),
                line,
                expected: header.len(),
                found: record.len(),
            });
        }
        let cells = record
            .iter()
            .zip(&header)
            .map(|(cell, column)| {
                let cell = cell.trim();
                if cell.is_empty() || cell == "NA" {
                    return Ok(None);
                }
                cell.parse::<f64>()
                    .map(Some)
                    .map_err(|_| HistoryError::NotNumeric {
                        path: path.to_owned(),
                        line: Some(line),
                        key: column.clone(),
                        found: format!("{cell:?}"),
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        rows.push((line, cells));
    }
    Ok(Table { header, rows })
}

/// Reads a Keras `CSVLogger` file.
///
/// # Errors
/// [`HistoryError::Ragged`] for a row whose cell count differs from the header's,
/// [`HistoryError::NotNumeric`] for a cell that is not a number, [`HistoryError::Syntax`]
/// for an epoch number that is not a whole number, each with the line.
pub fn parse(path: &Path, text: &str) -> Result<History, HistoryError> {
    let table = read_table(path, text)?;
    let epoch_column = table.header.iter().position(|h| h == "epoch");
    let mut epochs = Vec::with_capacity(table.rows.len());
    for (position, (line, cells)) in table.rows.into_iter().enumerate() {
        let index = match epoch_column {
            Some(col) => epoch_number(path, line, cells[col])?,
            None => position as u64,
        };
        let values = table
            .header
            .iter()
            .zip(cells)
            .enumerate()
            .filter(|(col, _)| Some(*col) != epoch_column)
            .filter_map(|(_, (name, cell))| cell.map(|v| (name.clone(), v)))
            .collect();
        epochs.push(Epoch { index, values });
    }
    Ok(History::from_epochs(path, Format::KerasCsv, epochs))
}

/// The epoch number in a cell: a whole, non-negative number.
pub(crate) fn epoch_number(path: &Path, line: u64, cell: Option<f64>) -> Result<u64, HistoryError> {
    match cell {
        Some(e) if e.is_finite() && e >= 0.0 && e.fract() == 0.0 =>
        {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Ok(e as u64)
        }
        other => Err(HistoryError::Syntax {
            path: path.to_owned(),
            line: Some(line),
            syntax: "CSV",
            reason: match other {
                Some(e) => format!("the epoch `{e}` is not a whole number"),
                None => "the epoch cell is empty".into(),
            },
        }),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const LOG: &str =
        "epoch,accuracy,loss,val_accuracy,val_loss\n0,0.5,1.5,0.6,1.2\n1,0.8,0.7,0.85,0.6\n";

    #[test]
    fn reads_keras_log_with_either_line_ending() {
        for text in [LOG.to_owned(), LOG.replace('\n', "\r\n")] {
            let h = parse(Path::new("history.csv"), &text).unwrap();
            assert_eq!(h.format, Format::KerasCsv);
            assert_eq!(h.epochs.len(), 2);
            assert_eq!(h.epochs[1].index, 1);
            assert_eq!(h.final_values["val_loss"], 0.6);
            assert!(!h.final_values.contains_key("epoch"));
            assert_eq!(h.series("loss"), [Some(1.5), Some(0.7)]);
        }
    }

    #[test]
    fn nan_cells_are_values_and_na_cells_are_gaps() {
        let h = parse(Path::new("h.csv"), "epoch,loss,lr\n0,nan,NA\n1,inf,0.1\n").unwrap();
        assert!(h.epochs[0].values["loss"].is_nan());
        assert!(!h.epochs[0].values.contains_key("lr"));
        assert_eq!(h.final_values["loss"], f64::INFINITY);
    }

    #[test]
    fn ragged_row_names_its_line() {
        let err = parse(Path::new("h.csv"), "epoch,loss\n0,1.0\n1,0.5,9\n")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "h.csv:3: ragged row: 3 cells where the header has 2 columns"
        );
    }

    #[test]
    fn text_cell_names_column_and_line() {
        let err = parse(Path::new("h.csv"), "epoch,loss\r\n0,1.0\r\n1,low\r\n")
            .unwrap_err()
            .to_string();
        assert_eq!(err, "h.csv:3: `loss` is \"low\", not a number");
    }

    #[test]
    fn duplicate_columns_are_refused() {
        // Issue 14 #11: `epoch,loss,loss,val_loss` silently dropped one `loss`.
        let err = parse(Path::new("h.csv"), "epoch,loss,loss,val_loss\n0,1,2,3\n")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "h.csv:1: does not parse as CSV: the column `loss` appears more than once"
        );
    }

    #[test]
    fn a_huge_header_gives_a_short_error() {
        // Issue 14 #12: a 100 MB header was printed whole into one stderr line, and 50M fields
        // took 1.7 GB.
        let name = "n".repeat(1_000_000);
        let err = parse(Path::new("h.csv"), &format!("{name}\nx\n"))
            .unwrap_err()
            .to_string();
        assert!(err.len() < 400, "{} bytes", err.len());
        assert!(err.contains("…"), "{err}");
        let wide = format!("{}\n", vec!["a"; MAX_COLUMNS + 1].join(","));
        let err = parse(Path::new("h.csv"), &wide).unwrap_err().to_string();
        assert!(err.contains("more than the limit of 10000"), "{err}");
    }

    #[test]
    fn long_logs_parse_in_linear_time() {
        // Issue 14 #5: 10k epochs took 1.5 s, 30k 11.5 s, 100k more than 120 s (line numbers
        // were counted from the start of the file for every row).
        let mut text = String::from("epoch,loss,val_loss\n");
        for epoch in 0..200_000 {
            text.push_str(&format!("{epoch},0.5,0.6\n"));
        }
        let started = std::time::Instant::now();
        let h = parse(Path::new("h.csv"), &text).unwrap();
        assert_eq!(h.epochs.len(), 200_000);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{:?}",
            started.elapsed()
        );
        let err = parse(Path::new("h.csv"), &format!("{text}x,1,2\n"))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("h.csv:200002:"), "{err}");
    }

    #[test]
    fn no_epoch_column_counts_rows() {
        let h = parse(Path::new("h.csv"), "loss\n3\n2\n").unwrap();
        assert_eq!(h.epochs.iter().map(|e| e.index).collect::<Vec<_>>(), [0, 1]);
    }
}
