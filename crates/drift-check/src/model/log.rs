//! Predictions and labels from a V2 request log.
//!
//! Without `--model`, the predictions are the logged responses: a record holding both the
//! request and its response, or a request and its response on separate lines with one id (as
//! KServe's and Seldon's payload loggers write them, one CloudEvent each). Labels come with the
//! request (`"labels"`, `"label"`, or in its `"parameters"`) or on a line of their own with the
//! request's id. With `--model`, the requests' feature rows are run through the model and the
//! labels must come with the request.

use std::collections::HashMap;
use std::io::BufRead as _;
use std::path::Path;

use anyhow::Context as _;
use modelci_drift::Reference;
use modelci_eval::output::OutputForm;
use modelci_eval::{OutputTensor, engine::OutputData};
use serde_json::Value;

use super::rows::{FeatureRow, Predicted, PredictionRow, from_prediction};
use crate::current::v2::{Parts, flatten, request_rows};

/// One request's pieces gathered across lines.
#[derive(Default)]
struct Entry {
    predictions: Option<Vec<PredictionRow>>,
    labels: Option<Vec<String>>,
}

/// What a log's responses gave.
#[derive(Debug, Default)]
pub struct Responses {
    /// One prediction per answered row, in the order of the requests.
    pub rows: Vec<PredictionRow>,
    /// Requests whose response was not in the log (or could not be read).
    pub unanswered: u64,
    /// Requests whose labels are not one per row (left unlabelled).
    pub mislabelled: u64,
}

/// Reads the responses of a log (lines that are not JSON are the feature reader's to report).
///
/// # Errors
/// The file cannot be read.
pub fn responses(path: &Path, class_names: Option<&[String]>) -> anyhow::Result<Responses> {
    let mut order: Vec<String> = Vec::new();
    let mut entries: HashMap<String, Entry> = HashMap::new();
    let mut requests: HashMap<String, u64> = HashMap::new();
    let mut anonymous = 0u64;
    // A reused id (a client that numbers its requests from 0 on each run) starts a new entry
    // when its request or response comes again: the latest one gets the later lines.
    let mut generation: HashMap<String, u64> = HashMap::new();
    each_line(path, &mut |value| {
        let parts = Parts::of(&value);
        let key = match &parts.id {
            Some(id) => {
                let current = generation.entry(id.clone()).or_insert(0);
                let key = format!("{id}\u{0}{current}");
                let taken = entries
                    .get(&key)
                    .is_some_and(|e| parts.response.is_some() && e.predictions.is_some())
                    || (parts.request.is_some() && requests.contains_key(&key));
                if taken {
                    *current += 1;
                    format!("{id}\u{0}{current}")
                } else {
                    key
                }
            }
            None => {
                anonymous += 1;
                format!("\u{0}line {anonymous}")
            }
        };
        let entry = entries.entry(key.clone()).or_insert_with(|| {
            order.push(key.clone());
            Entry::default()
        });
        if let Some(request) = parts.request {
            let rows = request
                .get("inputs")
                .and_then(Value::as_array)
                .and_then(|inputs| inputs.first())
                .and_then(|t| t.get("shape"))
                .and_then(Value::as_array)
                .and_then(|s| s.first())
                .and_then(Value::as_u64)
                .unwrap_or(1);
            requests.insert(key.clone(), rows);
        }
        if let Some(response) = parts.response {
            entry.predictions = read_response(response, class_names);
        }
        if let Some(labels) = parts.labels {
            entry.labels = Some(labels);
        }
        Ok(())
    })?;
    let mut out = Responses::default();
    for key in order {
        let Some(entry) = entries.remove(&key) else {
            continue;
        };
        match entry.predictions {
            Some(mut rows) => {
                match entry.labels {
                    Some(labels) if labels.len() == rows.len() => {
                        for (row, label) in rows.iter_mut().zip(labels) {
                            row.label = Some(label).filter(|l| !l.is_empty());
                        }
                    }
                    Some(_) => out.mislabelled += 1,
                    None => {}
                }
                out.rows.extend(rows);
            }
            None => out.unanswered += requests.get(&key).copied().unwrap_or(0),
        }
    }
    Ok(out)
}

/// Feeds every request's feature rows (after the first `skip`) and their labels to `row`;
/// returns the number of requests whose labels are not one per row (left unlabelled).
///
/// # Errors
/// The file cannot be read; a request whose tensors do not give the reference's features as
/// numbers; what `row` returns.
pub fn requests(
    path: &Path,
    reference: &Reference,
    skip: u64,
    row: &mut FeatureRow<'_>,
) -> anyhow::Result<u64> {
    let mut seen = 0u64;
    let mut mislabelled = 0u64;
    let mut number = 0u64;
    each_line(path, &mut |value| {
        number += 1;
        let parts = Parts::of(&value);
        let Some(request) = parts.request else {
            return Ok(());
        };
        // Malformed requests are the feature reader's to count and report.
        let Ok(rows) = request_rows(request, reference) else {
            return Ok(());
        };
        let labels = match parts.labels {
            Some(labels) if labels.len() == rows.len() => Some(labels),
            Some(_) => {
                mislabelled += 1;
                None
            }
            None => None,
        };
        for (index, features) in rows.iter().enumerate() {
            seen += 1;
            if seen <= skip {
                continue;
            }
            let label = labels
                .as_ref()
                .and_then(|l| l.get(index))
                .filter(|l| !l.is_empty())
                .cloned();
            row(features, label)
                .with_context(|| format!("{}: request {number}", path.display()))?;
        }
        Ok(())
    })?;
    Ok(mislabelled)
}

/// Calls `each` with every line that parses as JSON.
fn each_line(path: &Path, each: &mut dyn FnMut(Value) -> anyhow::Result<()>) -> anyhow::Result<()> {
    let file =
        std::fs::File::open(path).with_context(|| format!("{}: cannot read", path.display()))?;
    for line in std::io::BufReader::new(file).split(b'\n') {
        let line = line.with_context(|| format!("{}: cannot read", path.display()))?;
        if let Ok(value) = serde_json::from_slice::<Value>(&line) {
            each(value)?;
        }
    }
    Ok(())
}

/// The predictions of one V2 response body (`None` when it cannot be read as predictions).
fn read_response(response: &Value, class_names: Option<&[String]>) -> Option<Vec<PredictionRow>> {
    let outputs = response.get("outputs")?.as_array()?;
    let mut tensors = Vec::with_capacity(outputs.len());
    let mut texts: Option<Vec<String>> = None;
    for output in outputs {
        let shape: Vec<usize> = output
            .get("shape")?
            .as_array()?
            .iter()
            .map(|d| d.as_u64().and_then(|d| usize::try_from(d).ok()))
            .collect::<Option<_>>()?;
        let mut leaves = Vec::new();
        flatten(output.get("data")?, &mut leaves);
        let datatype = output.get("datatype").and_then(Value::as_str).unwrap_or("");
        let data = if datatype == "BYTES" || leaves.iter().any(|v| v.is_string()) {
            if texts.is_none() {
                texts = Some(
                    leaves
                        .iter()
                        .map(|v| v.as_str().unwrap_or("").to_owned())
                        .collect(),
                );
            }
            continue;
        } else if datatype.starts_with("FP") {
            #[allow(clippy::cast_possible_truncation)]
            OutputData::F32(
                leaves
                    .iter()
                    .map(|v| v.as_f64().unwrap_or(f64::NAN) as f32)
                    .collect(),
            )
        } else {
            OutputData::I64(leaves.iter().map(|v| v.as_i64()).collect::<Option<_>>()?)
        };
        tensors.push(OutputTensor {
            name: output
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned(),
            shape,
            data,
        });
    }
    let batch = tensors
        .first()
        .and_then(|t| t.shape.first().copied())
        .or_else(|| texts.as_ref().map(Vec::len))?;
    if let Ok(form) = OutputForm::detect(&tensors, batch) {
        return (0..batch)
            .map(|row| {
                form.read(&tensors, row)
                    .ok()
                    .map(|p| from_prediction(p, class_names))
            })
            .collect();
    }
    // String class labels (a scikit-learn model with text classes).
    texts.map(|labels| {
        labels
            .into_iter()
            .map(|label| PredictionRow {
                predicted: Predicted::Class(label),
                score: None,
                label: None,
            })
            .collect()
    })
}
