//! PyTorch Lightning `CSVLogger` files (`metrics.csv`). Lightning writes one row per logging
//! call, so rows are sparse: step rows carry `train_loss_step`, the epoch-end row carries
//! `val_loss` and `train_loss_epoch`, and every other cell is empty. Rows are merged per epoch,
//! the last logged value of each metric winning; `step` is an index, not a metric.

use std::collections::BTreeMap;
use std::path::Path;

use crate::keras_csv::{epoch_number, read_table};
use crate::{Epoch, Format, History, HistoryError};

/// Whether a CSV header looks like Lightning's: it has `epoch` and `step` columns.
#[must_use]
pub fn looks_like(text: &str) -> bool {
    let header = text.lines().next().unwrap_or_default();
    let columns: Vec<&str> = header.split(',').map(str::trim).collect();
    columns.contains(&"step") && columns.contains(&"epoch")
}

/// Reads a Lightning `metrics.csv`.
///
/// Rows without an epoch (metrics logged outside the training loop) are merged into the last
/// epoch seen.
///
/// # Errors
/// [`HistoryError::Ragged`], [`HistoryError::NotNumeric`] or [`HistoryError::Syntax`] with
/// the line of the offending row.
pub fn parse(path: &Path, text: &str) -> Result<History, HistoryError> {
    let table = read_table(path, text)?;
    let epoch_column = table.header.iter().position(|h| h == "epoch");
    let mut merged: BTreeMap<u64, BTreeMap<String, f64>> = BTreeMap::new();
    let mut last_epoch = 0;
    for (line, cells) in table.rows {
        let index = match epoch_column.and_then(|c| cells[c]) {
            Some(_) => epoch_number(path, line, epoch_column.and_then(|c| cells[c]))?,
            None => last_epoch,
        };
        last_epoch = index;
        let values = merged.entry(index).or_default();
        for (name, cell) in table.header.iter().zip(cells) {
            if name == "epoch" || name == "step" {
                continue;
            }
            if let Some(v) = cell {
                values.insert(name.clone(), v);
            }
        }
    }
    let epochs = merged
        .into_iter()
        .map(|(index, values)| Epoch { index, values })
        .collect();
    Ok(History::from_epochs(path, Format::LightningCsv, epochs))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const LOG: &str = "\
epoch,step,train_loss_step,train_loss_epoch,val_loss,val_acc
0,49,0.9,,,
0,99,0.7,,,
0,99,,,0.65,0.8
0,99,,0.8,,
1,149,0.5,,,
1,199,,,0.4,0.9
1,199,,0.45,,
";

    #[test]
    fn sparse_rows_merge_per_epoch() {
        assert!(looks_like(LOG));
        let h = parse(Path::new("metrics.csv"), LOG).unwrap();
        assert_eq!(h.format, Format::LightningCsv);
        assert_eq!(h.epochs.len(), 2);
        assert_eq!(h.epochs[0].values["train_loss_step"], 0.7);
        assert_eq!(h.epochs[0].values["val_loss"], 0.65);
        assert_eq!(h.epochs[1].values["train_loss_epoch"], 0.45);
        assert!(!h.final_values.contains_key("step"));
        assert_eq!(h.final_values["val_acc"], 0.9);
    }

    #[test]
    fn ragged_row_is_refused() {
        let err = parse(Path::new("metrics.csv"), "epoch,step,loss\n0,1,0.5\n0,2\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("metrics.csv:3: ragged row"), "{err}");
    }
}
