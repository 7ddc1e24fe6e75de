//! A CSV file with a header row: feature columns and one label column (`label` unless
//! `--label-column` names another). Every other column is a feature, in file order.

use std::path::{Path, PathBuf};

use super::{Array, ArrayInfo, Batch, DatasetOptions, Sample, SampleData, flush};
use crate::error::EvalError;

/// The label column used when none is named.
pub const DEFAULT_LABEL_COLUMN: &str = "label";

#[derive(Debug)]
pub(super) struct CsvFile {
    path: PathBuf,
    label_index: usize,
    columns: usize,
    rows: usize,
    /// The feature columns' names, in file order.
    names: Vec<String>,
}

impl CsvFile {
    pub(super) fn open(path: &Path, options: &DatasetOptions) -> Result<Self, EvalError> {
        let mut reader = reader(path)?;
        let headers = reader
            .headers()
            .map_err(|e| EvalError::dataset(path, format!("cannot read the header row: {e}")))?
            .clone();
        let wanted = options
            .label_column
            .as_deref()
            .unwrap_or(DEFAULT_LABEL_COLUMN);
        let label_index = headers.iter().position(|h| h.trim() == wanted).ok_or_else(|| {
            let shown: Vec<String> = headers.iter().take(8).map(crate::limits::shorten).collect();
            let more = if headers.len() > 8 { ", …" } else { "" };
            EvalError::dataset(
                path,
                format!(
                    "no label column `{}` in the header (columns: {}{more}); name it with --label-column",
                    crate::limits::shorten(wanted),
                    shown.join(", ")
                ),
            )
        })?;
        // Count rows (and check their width) without keeping them.
        let mut rows = 0;
        let mut record = csv::StringRecord::new();
        loop {
            match reader.read_record(&mut record) {
                Ok(true) => rows += 1,
                Ok(false) => break,
                Err(e) => return Err(csv_error(path, &e)),
            }
        }
        Ok(Self {
            path: path.to_owned(),
            label_index,
            columns: headers.len(),
            rows,
            names: headers
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != label_index)
                .map(|(_, h)| h.trim().to_owned())
                .collect(),
        })
    }

    pub(super) fn len(&self) -> usize {
        self.rows
    }

    /// The feature columns' names, in file order.
    pub(super) fn names(&self) -> &[String] {
        &self.names
    }

    /// One unnamed float array of the feature columns per row.
    pub(super) fn array(&self) -> ArrayInfo {
        ArrayInfo {
            name: None,
            shape: vec![self.columns - 1],
            dtype: crate::signature::ElemType::F32,
        }
    }

    pub(super) fn stream(
        &mut self,
        batch_size: usize,
        consume: &mut dyn FnMut(Batch) -> Result<(), EvalError>,
    ) -> Result<(), EvalError> {
        let mut reader = reader(&self.path)?;
        let mut record = csv::StringRecord::new();
        let mut batch = Vec::with_capacity(batch_size);
        let mut index = 0usize;
        loop {
            match reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(csv_error(&self.path, &e)),
            }
            let line = record
                .position()
                .map_or(index + 2, |p| usize::try_from(p.line()).unwrap_or(0));
            let number = |column: usize, text: &str| -> Result<f64, EvalError> {
                text.trim().parse::<f64>().map_err(|_| {
                    EvalError::dataset(
                        &self.path,
                        format!(
                            "line {line}, column {}: `{}` is not a number",
                            column + 1,
                            crate::limits::shorten(text)
                        ),
                    )
                })
            };
            let mut values = Vec::with_capacity(self.columns - 1);
            let mut label = 0.0;
            for (column, text) in record.iter().enumerate() {
                let value = number(column, text)?;
                if column == self.label_index {
                    label = value;
                } else {
                    #[allow(clippy::cast_possible_truncation)]
                    values.push(value as f32);
                }
            }
            let features = values.len();
            batch.push(Sample {
                id: format!("row {}", index + 1),
                label,
                data: SampleData::Arrays(vec![Array::floats(values, vec![features])]),
            });
            index += 1;
            flush(&mut batch, batch_size, false, consume)?;
        }
        flush(&mut batch, batch_size, true, consume)
    }
}

fn reader(path: &Path) -> Result<csv::Reader<std::fs::File>, EvalError> {
    let file = std::fs::File::open(path).map_err(|e| EvalError::io(path, e))?;
    Ok(csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(file))
}

fn csv_error(path: &Path, error: &csv::Error) -> EvalError {
    let line = error.position().map(csv::Position::line);
    let reason = match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("has {len} fields where the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "is not valid UTF-8".to_owned(),
        _ => format!("cannot be read: {error}"),
    };
    match line {
        Some(line) => EvalError::dataset(path, format!("line {line} {reason}")),
        None => EvalError::dataset(path, format!("the file {reason}")),
    }
}
