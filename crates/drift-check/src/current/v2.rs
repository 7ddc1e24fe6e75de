//! Current data as JSON Lines of Open Inference Protocol (KServe V2) request bodies.
//!
//! Each line is a request body (`{"inputs": [...]}`), or a logged record holding one under
//! `"request"` (payload loggers wrap requests with their response and an id). A tensor's
//! `data` is row-major, flat or nested; `shape[0]` is the batch. Tensors map to features by
//! name (one tensor per feature, one value per row), or, for a request with a single tensor of
//! shape `[N, F]`, by position in the reference's column order.

use std::fs::File;
use std::io::{BufRead as _, BufReader, Read as _};
use std::path::Path;

use anyhow::{Context as _, bail};
use modelci_drift::Reference;
use serde_json::Value;

use super::Sink;
use crate::reference::list;

/// The longest line read; a longer one is an error (not a skipped line: it is not a request a
/// model server would have accepted, and reading it would take that much memory).
const MAX_LINE: u64 = 64 << 20;

/// Why a line was skipped.
#[derive(Debug, thiserror::Error)]
enum BadLine {
    #[error("not JSON ({0})")]
    Json(serde_json::Error),
    #[error("no \"inputs\" list (nor a \"request\" holding one)")]
    NoInputs,
    #[error("input {0}: {1}")]
    Tensor(String, &'static str),
    #[error("inputs disagree on the number of rows")]
    Rows,
}

/// One input tensor of a request, flattened.
struct Tensor<'a> {
    name: &'a str,
    rows: u64,
    per_row: usize,
    values: Vec<&'a Value>,
}

/// Counts the rows of every request line; returns the number of malformed lines skipped.
pub(super) fn read(
    path: &Path,
    reference: &Reference,
    sink: &mut Sink,
    options: super::ReadOptions,
    warn: &mut dyn FnMut(String),
) -> anyhow::Result<u64> {
    let max_bad_lines = options.max_bad_lines;
    let file = File::open(path).with_context(|| format!("{}: cannot read", path.display()))?;
    let mut reader = BufReader::new(file);
    let mut line = Vec::new();
    let mut number = 0u64;
    let mut bad = 0u64;
    loop {
        line.clear();
        number += 1;
        let read = reader
            .by_ref()
            .take(MAX_LINE + 1)
            .read_until(b'\n', &mut line)
            .with_context(|| format!("{}: line {number}", path.display()))?;
        if read == 0 {
            break;
        }
        if line.len() as u64 > MAX_LINE {
            bail!(
                "{}: line {number} is longer than {} MiB",
                path.display(),
                MAX_LINE >> 20
            );
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let outcome = match serde_json::from_slice::<Value>(&line) {
            Err(error) => Err(RequestError::Bad(BadLine::Json(error))),
            Ok(value) => {
                // Only requests need a time: responses and labels are joined by id.
                let old = match options.since {
                    Some(cutoff) if Parts::of(&value).request.is_some() => {
                        crate::since::is_before(&value, cutoff).map_err(|why| {
                            anyhow::anyhow!("{}: line {number}: {why}", path.display())
                        })?
                    }
                    _ => false,
                };
                count_request(&value, reference, sink, old)
            }
        };
        match outcome {
            Ok(()) => {}
            Err(RequestError::Mismatch(why)) => bail!("{}: line {number}: {why}", path.display()),
            Err(RequestError::Bad(reason)) => {
                bad += 1;
                if bad > max_bad_lines {
                    bail!(
                        "{}: line {number}: {reason}; {bad} malformed lines, more than --max-bad-lines {max_bad_lines}",
                        path.display()
                    );
                }
                warn(format!(
                    "{}: line {number} skipped: {reason}",
                    path.display()
                ));
            }
        }
    }
    Ok(bad)
}

/// What counting one request can end in.
enum RequestError {
    /// A malformed line: skipped with a warning.
    Bad(BadLine),
    /// Well-formed, but not the reference's features: the run stops.
    Mismatch(String),
}

fn count_request(
    value: &Value,
    reference: &Reference,
    sink: &mut Sink,
    before_since: bool,
) -> Result<(), RequestError> {
    let parts = Parts::of(value);
    let Some(request) = parts.request else {
        // A response or a label joined to its request by id: no features.
        if parts.response.is_some() || parts.labels.is_some() {
            return Ok(());
        }
        return Err(RequestError::Bad(BadLine::NoInputs));
    };
    let inputs = request
        .get("inputs")
        .and_then(Value::as_array)
        .ok_or(RequestError::Bad(BadLine::NoInputs))?;
    let tensors: Vec<Tensor<'_>> = inputs
        .iter()
        .map(tensor)
        .collect::<Result<_, _>>()
        .map_err(RequestError::Bad)?;
    let columns = columns(&tensors, reference)?;
    let rows = columns.first().map_or(0, |(t, _)| t.rows);
    if before_since {
        sink.before_since += rows;
        return Ok(());
    }
    for row in 0..rows {
        if !sink.take_row() {
            continue;
        }
        let row = usize::try_from(row).unwrap_or(usize::MAX);
        for (counts, (tensor, column)) in sink.counts.iter_mut().zip(&columns) {
            match tensor.values.get(row * tensor.per_row + column) {
                Some(Value::Number(n)) => counts.add_number(n.as_f64().unwrap_or(f64::NAN)),
                Some(Value::String(s)) => counts.add_text(s),
                Some(Value::Bool(b)) => counts.add_text(if *b { "true" } else { "false" }),
                _ => counts.add_text(""),
            }
        }
    }
    Ok(())
}

/// What one log line holds: a request, a response, labels, each optional, and the id that
/// joins lines of one request.
///
/// Read forms: a bare request body (`{"inputs": ...}`) or response body (`{"outputs": ...}`);
/// a record with `"request"` and/or `"response"` (and `"id"`); a CloudEvent as KServe's and
/// Seldon's payload loggers emit them (`"type"` ending in `.request` or `.response`, the body
/// under `"data"`, the request's id in `"id"`). Labels: `"labels"` (one per row) or `"label"`
/// at the top of the record, or in the request's `"parameters"`.
#[derive(Debug, Default)]
pub(crate) struct Parts<'a> {
    /// The id joining a request with its response and labels logged on other lines.
    pub(crate) id: Option<String>,
    /// The request body.
    pub(crate) request: Option<&'a Value>,
    /// The response body.
    pub(crate) response: Option<&'a Value>,
    /// One label per row.
    pub(crate) labels: Option<Vec<String>>,
}

impl<'a> Parts<'a> {
    /// Reads the parts of one log line.
    pub(crate) fn of(value: &'a Value) -> Self {
        let kind = value.get("type").and_then(Value::as_str).unwrap_or("");
        let data = value.get("data").filter(|d| d.is_object());
        let (mut request, mut response) = match data {
            Some(data) if kind.ends_with("request") => (Some(data), None),
            Some(data) if kind.ends_with("response") => (None, Some(data)),
            _ => (value.get("request"), value.get("response")),
        };
        if request.is_none() && response.is_none() {
            if value.get("inputs").is_some() {
                request = Some(value);
            } else if value.get("outputs").is_some() {
                response = Some(value);
            }
        }
        let id = [Some(value), request, response]
            .into_iter()
            .flatten()
            .find_map(|v| match v.get("id") {
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Number(n)) => Some(n.to_string()),
                _ => None,
            });
        let labels = labels_of(value).or_else(|| {
            request
                .and_then(|r| r.get("parameters"))
                .and_then(labels_of)
        });
        Self {
            id,
            request,
            response,
            labels,
        }
    }
}

/// `"labels"` (a list) or `"label"` (one value or a list) of an object, as texts.
fn labels_of(value: &Value) -> Option<Vec<String>> {
    let found = value.get("labels").or_else(|| value.get("label"))?;
    let mut leaves = Vec::new();
    flatten(found, &mut leaves);
    Some(
        leaves
            .into_iter()
            .map(|v| match v {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            })
            .collect(),
    )
}

/// Which tensor element holds each reference feature: by name (a tensor per feature), or by
/// position in a single `[N, F]` tensor.
fn columns<'t, 'a>(
    tensors: &'t [Tensor<'a>],
    reference: &Reference,
) -> Result<Vec<(&'t Tensor<'a>, usize)>, RequestError> {
    let features = &reference.features;
    let by_name: Option<Vec<&Tensor<'_>>> = features
        .iter()
        .map(|f| tensors.iter().find(|t| t.name == f.name && t.per_row == 1))
        .collect();
    let columns: Vec<(&Tensor<'_>, usize)> = if let Some(found) = by_name {
        found.into_iter().map(|t| (t, 0)).collect()
    } else if let [only] = tensors
        && only.per_row == features.len()
    {
        (0..features.len()).map(|j| (only, j)).collect()
    } else {
        let names: Vec<String> = tensors
            .iter()
            .map(|t| format!("{} ({} per row)", t.name, t.per_row))
            .collect();
        let wanted: Vec<String> = features.iter().map(|f| f.name.clone()).collect();
        return Err(RequestError::Mismatch(format!(
            "the request's inputs [{}] match neither the reference's features by name ({}) nor its {} columns by position",
            names.join(", "),
            list(&wanted),
            features.len()
        )));
    };
    let rows = columns.first().map_or(0, |(t, _)| t.rows);
    if columns.iter().any(|(t, _)| t.rows != rows) {
        return Err(RequestError::Bad(BadLine::Rows));
    }
    Ok(columns)
}

/// The feature rows of a request body, in the reference's order, as the model takes them.
///
/// # Errors
/// A message for a malformed request or one whose tensors are not the reference's features;
/// an element that is not a number.
pub(crate) fn request_rows(
    request: &Value,
    reference: &Reference,
) -> Result<Vec<Vec<f32>>, String> {
    let inputs = request
        .get("inputs")
        .and_then(Value::as_array)
        .ok_or_else(|| BadLine::NoInputs.to_string())?;
    let tensors: Vec<Tensor<'_>> = inputs
        .iter()
        .map(tensor)
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let columns = columns(&tensors, reference).map_err(|e| match e {
        RequestError::Bad(bad) => bad.to_string(),
        RequestError::Mismatch(why) => why,
    })?;
    let rows = columns.first().map_or(0, |(t, _)| t.rows);
    (0..usize::try_from(rows).unwrap_or(usize::MAX))
        .map(|row| {
            columns
                .iter()
                .map(
                    |(tensor, column)| match tensor.values.get(row * tensor.per_row + column) {
                        #[allow(clippy::cast_possible_truncation)]
                        Some(Value::Number(n)) => Ok(n.as_f64().unwrap_or(f64::NAN) as f32),
                        _ => Err(format!("input {}: an element is not a number", tensor.name)),
                    },
                )
                .collect()
        })
        .collect()
}

/// Reads one input tensor: its name, shape and flattened data, checked against each other.
fn tensor(value: &Value) -> Result<Tensor<'_>, BadLine> {
    let name = value.get("name").and_then(Value::as_str).unwrap_or("");
    let label = || name.chars().take(64).collect::<String>();
    let shape: Vec<u64> = value
        .get("shape")
        .and_then(Value::as_array)
        .ok_or_else(|| BadLine::Tensor(label(), "no \"shape\""))?
        .iter()
        .map(Value::as_u64)
        .collect::<Option<_>>()
        .ok_or_else(|| BadLine::Tensor(label(), "\"shape\" is not a list of sizes"))?;
    let mut values = Vec::new();
    flatten(
        value
            .get("data")
            .ok_or_else(|| BadLine::Tensor(label(), "no \"data\""))?,
        &mut values,
    );
    let elements = shape
        .iter()
        .try_fold(1u64, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| BadLine::Tensor(label(), "\"shape\" overflows"))?;
    if elements != values.len() as u64 {
        return Err(BadLine::Tensor(
            label(),
            "\"data\" does not hold \"shape\"'s number of values",
        ));
    }
    let rows = shape.first().copied().unwrap_or(1);
    let per_row = if shape.len() <= 1 {
        1
    } else {
        usize::try_from(elements / rows.max(1)).unwrap_or(usize::MAX)
    };
    Ok(Tensor {
        name,
        rows,
        per_row,
        values,
    })
}

/// Row-major leaves of a (possibly nested) JSON array.
pub(crate) fn flatten<'a>(value: &'a Value, out: &mut Vec<&'a Value>) {
    match value {
        Value::Array(items) => items.iter().for_each(|item| flatten(item, out)),
        leaf => out.push(leaf),
    }
}
