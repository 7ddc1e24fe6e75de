//! Texts to classify: a CSV file with a header, or JSON Lines (`.jsonl`, `.ndjson`: one object
//! per line), with a text column (`--text-column`, default `text`) and a label column
//! (`--label-column`, default `label`). Labels are class indices, or class names when
//! `--class-names` gives them. Samples are named `row N` (the data row, 1-based).
//!
//! The texts are read when the file is opened; they are tokenized batch by batch, once
//! [`TextFile::prepare`] has learnt from the models which token inputs to fill and how long a
//! sequence is.

use std::io::BufRead as _;
use std::path::{Path, PathBuf};

use super::{
    Array, ArrayInfo, Batch, DatasetOptions, Sample, SampleData, TextOptions, TextSummary, Values,
    flush,
};
use crate::error::EvalError;
use crate::signature::{ElemType, ModelSignature};
use crate::text::{Encoded, TextEncoder};

/// The text column used when none is named.
pub const DEFAULT_TEXT_COLUMN: &str = "text";

/// The token inputs a text model may declare, in the order they are filled.
pub const TOKEN_INPUTS: [&str; 3] = ["input_ids", "attention_mask", "token_type_ids"];

#[derive(Debug)]
pub(super) struct TextFile {
    rows: Vec<(String, f64)>,
    encoder: TextEncoder,
    /// Set by [`TextFile::prepare`]: the inputs to fill and the sequence length.
    fit: Option<(Vec<String>, usize)>,
    truncated: u64,
}

impl TextFile {
    pub(super) fn open(
        path: &Path,
        jsonl: bool,
        text: &TextOptions,
        options: &DatasetOptions,
    ) -> Result<Self, EvalError> {
        let encoder = TextEncoder::load(&text.tokenizer, text.max_length, text.truncate)?;
        let text_column = text.text_column.as_deref().unwrap_or(DEFAULT_TEXT_COLUMN);
        let label_column = options
            .label_column
            .as_deref()
            .unwrap_or(super::csv_file::DEFAULT_LABEL_COLUMN);
        let raw = if jsonl {
            read_jsonl(path, text_column, label_column)?
        } else {
            read_csv(path, text_column, label_column)?
        };
        let rows = raw
            .into_iter()
            .enumerate()
            .map(|(i, (text, label))| {
                let label = label_value(&label, options.class_names.as_deref()).ok_or_else(|| {
                    EvalError::dataset(
                        path,
                        format!(
                            "row {}: label `{label}` is neither a class index nor one of the class names",
                            i + 1
                        ),
                    )
                })?;
                Ok((text, label))
            })
            .collect::<Result<Vec<_>, EvalError>>()?;
        Ok(Self {
            rows,
            encoder,
            fit: None,
            truncated: 0,
        })
    }

    pub(super) fn len(&self) -> usize {
        self.rows.len()
    }

    /// The text of sample `id` (`row N`, as [`TextFile::stream`] names samples).
    pub(super) fn text_of(&self, id: &str) -> Option<&str> {
        let row: usize = id.strip_prefix("row ")?.parse().ok()?;
        self.rows
            .get(row.checked_sub(1)?)
            .map(|(text, _)| text.as_str())
    }

    /// Hands the length and unknown tokens of every text to `consume`, in order.
    pub(super) fn each_stats(
        &self,
        path: &Path,
        consume: &mut dyn FnMut(crate::features::TextStats) -> Result<(), EvalError>,
    ) -> Result<(), EvalError> {
        for (row, (text, _)) in self.rows.iter().enumerate() {
            let stats = self
                .encoder
                .stats(text)
                .map_err(|reason| EvalError::dataset(path, format!("row {}: {reason}", row + 1)))?;
            consume(stats)?;
        }
        Ok(())
    }

    /// Learns from the models which token inputs to fill and the sequence length: the
    /// second dimension of their token inputs where fixed, else `--max-length`.
    pub(super) fn prepare(&mut self, models: &[(&Path, &ModelSignature)]) -> Result<(), EvalError> {
        let mut names: Vec<String> = Vec::new();
        let mut fixed: Option<(usize, PathBuf, String)> = None;
        for (model, signature) in models {
            let tokens: Vec<_> = signature
                .inputs
                .iter()
                .filter(|i| TOKEN_INPUTS.contains(&i.name.as_str()))
                .collect();
            if !tokens.iter().any(|i| i.name == "input_ids") {
                let inputs: Vec<String> =
                    signature.inputs.iter().map(ToString::to_string).collect();
                return Err(EvalError::incompatible(
                    *model,
                    format!(
                        "--tokenizer {} is for models with an `input_ids` input, but this model takes {}",
                        self.encoder.path().display(),
                        inputs.join(", ")
                    ),
                ));
            }
            for spec in tokens {
                if !names.contains(&spec.name) {
                    names.push(spec.name.clone());
                }
                let dims = spec.dims.as_deref().unwrap_or_default();
                if spec.dims.is_some() && dims.len() != 2 {
                    return Err(EvalError::incompatible(
                        *model,
                        format!("token input {spec} is not [batch, sequence]"),
                    ));
                }
                let Some(length) = dims.get(1).and_then(crate::signature::Dim::fixed) else {
                    continue;
                };
                match &fixed {
                    Some((seen, other, input)) if *seen != length => {
                        return Err(EvalError::incompatible(
                            *model,
                            format!(
                                "token input {spec} takes {length} tokens but `{input}` of {} takes {seen}",
                                other.display()
                            ),
                        ));
                    }
                    Some(_) => {}
                    None => fixed = Some((length, model.to_path_buf(), spec.name.clone())),
                }
            }
        }
        let length = match (fixed, self.encoder.max_length()) {
            (Some((length, model, input)), Some(max)) if max != length => {
                return Err(EvalError::incompatible(
                    model,
                    format!("`{input}` takes {length} tokens, not --max-length {max}"),
                ));
            }
            (Some((length, ..)), _) => length,
            (None, Some(max)) => max,
            (None, None) => {
                return Err(EvalError::incompatible(
                    first_model(models),
                    "the model's sequence length is dynamic; --max-length N sets it",
                ));
            }
        };
        if length == 0 {
            return Err(EvalError::incompatible(
                first_model(models),
                "a sequence length of 0 tokens holds no text",
            ));
        }
        self.encoder = self
            .encoder
            .sized(length)
            .map_err(|reason| EvalError::dataset(self.encoder.path(), reason))?;
        self.fit = Some((names, length));
        Ok(())
    }

    /// The arrays each sample becomes (empty before [`TextFile::prepare`]).
    pub(super) fn arrays(&self) -> Vec<ArrayInfo> {
        let Some((names, length)) = &self.fit else {
            return Vec::new();
        };
        names
            .iter()
            .map(|name| ArrayInfo {
                name: Some(name.clone()),
                shape: vec![*length],
                dtype: ElemType::I64,
            })
            .collect()
    }

    pub(super) fn summary(&self) -> Option<TextSummary> {
        let (names, length) = self.fit.as_ref()?;
        Some(TextSummary {
            tokenizer: self.encoder.path().to_owned(),
            sequence_length: *length,
            inputs: names.clone(),
            truncated: self.truncated,
        })
    }

    pub(super) fn stream(
        &mut self,
        path: &Path,
        batch_size: usize,
        consume: &mut dyn FnMut(Batch) -> Result<(), EvalError>,
    ) -> Result<(), EvalError> {
        let Some((names, length)) = self.fit.clone() else {
            return Err(EvalError::dataset(
                path,
                "the texts were not fitted to a model before reading",
            ));
        };
        self.truncated = 0;
        let mut batch = Vec::with_capacity(batch_size);
        for (i, (text, label)) in self.rows.iter().enumerate() {
            let id = format!("row {}", i + 1);
            let encoded = self
                .encoder
                .encode(text)
                .map_err(|reason| EvalError::dataset(path, format!("{id}: {reason}")))?;
            self.truncated += u64::from(encoded.truncated);
            batch.push(Sample {
                id,
                label: *label,
                data: SampleData::Arrays(to_arrays(&names, length, encoded)),
            });
            flush(&mut batch, batch_size, false, consume)?;
        }
        flush(&mut batch, batch_size, true, consume)
    }
}

/// The model a message about the sequence length names.
fn first_model<'a>(models: &[(&'a Path, &ModelSignature)]) -> &'a Path {
    models.first().map_or(Path::new("model"), |m| m.0)
}

fn to_arrays(names: &[String], length: usize, encoded: Encoded) -> Vec<Array> {
    let Encoded {
        ids,
        attention_mask,
        type_ids,
        ..
    } = encoded;
    let mut values = [Some(ids), Some(attention_mask), Some(type_ids)];
    names
        .iter()
        .filter_map(|name| {
            let at = TOKEN_INPUTS.iter().position(|t| t == name)?;
            Some(Array {
                name: Some(name.clone()),
                shape: vec![length],
                dtype: ElemType::I64,
                values: Values::Int(values[at].take().unwrap_or_default()),
            })
        })
        .collect()
}

/// A label as a class index: a whole number, or a class name's position.
#[allow(clippy::cast_precision_loss)]
fn label_value(label: &str, names: Option<&[String]>) -> Option<f64> {
    let label = label.trim();
    if let Ok(index) = label.parse::<u64>() {
        return Some(index as f64);
    }
    names?.iter().position(|n| n == label).map(|i| i as f64)
}

fn read_csv(path: &Path, text: &str, label: &str) -> Result<Vec<(String, String)>, EvalError> {
    let file = std::fs::File::open(path).map_err(|e| EvalError::io(path, e))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(file);
    let headers = reader
        .headers()
        .map_err(|e| EvalError::dataset(path, format!("cannot read the header row: {e}")))?
        .clone();
    let column = |name: &str, flag: &str| {
        headers.iter().position(|h| h.trim() == name).ok_or_else(|| {
            let shown: Vec<&str> = headers.iter().take(8).collect();
            EvalError::dataset(
                path,
                format!(
                    "no {flag} column `{name}` in the header (columns: {}; --{flag}-column names another)",
                    shown.join(", ")
                ),
            )
        })
    };
    let (text_at, label_at) = (column(text, "text")?, column(label, "label")?);
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, csv::Position::line);
            EvalError::dataset(path, format!("line {line} cannot be read: {e}"))
        })?;
        rows.push((
            record.get(text_at).unwrap_or_default().to_owned(),
            record.get(label_at).unwrap_or_default().to_owned(),
        ));
    }
    Ok(rows)
}

fn read_jsonl(path: &Path, text: &str, label: &str) -> Result<Vec<(String, String)>, EvalError> {
    let file = std::fs::File::open(path).map_err(|e| EvalError::io(path, e))?;
    let mut rows = Vec::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| EvalError::io(path, e))?;
        if line.trim().is_empty() {
            continue;
        }
        let at = |what: String| EvalError::dataset(path, format!("line {}: {what}", i + 1));
        let value: serde_json::Value =
            serde_json::from_str(&line).map_err(|e| at(format!("not JSON: {e}")))?;
        let field = |name: &str, flag: &str| -> Result<String, EvalError> {
            match value.get(name) {
                Some(serde_json::Value::String(s)) => Ok(s.clone()),
                Some(serde_json::Value::Number(n)) => Ok(n.to_string()),
                Some(other) => Err(at(format!("`{name}` is {other}, not text or a number"))),
                None => Err(at(format!(
                    "no `{name}` field (--{flag}-column names another)"
                ))),
            }
        };
        rows.push((field(text, "text")?, field(label, "label")?));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signature::{Dim, TensorSpec};

    fn example(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples/text")
            .join(name)
    }

    fn signature(inputs: &[(&str, Dim)]) -> ModelSignature {
        ModelSignature {
            inputs: inputs
                .iter()
                .map(|(name, length)| TensorSpec {
                    name: (*name).to_owned(),
                    elem_type: ElemType::I64,
                    dims: Some(vec![Dim::Symbolic("N".into()), length.clone()]),
                })
                .collect(),
            outputs: Vec::new(),
            opset: 17,
            parameters: 0,
            producer: String::new(),
        }
    }

    fn open(max_length: Option<usize>, truncate: bool) -> TextFile {
        let text = TextOptions {
            tokenizer: example("tokenizer.json"),
            text_column: None,
            max_length,
            truncate,
        };
        TextFile::open(
            &example("test.csv"),
            false,
            &text,
            &DatasetOptions::default(),
        )
        .expect("opens")
    }

    fn fit(file: &mut TextFile, sig: &ModelSignature) -> Result<(), String> {
        file.prepare(&[(Path::new("m.onnx"), sig)])
            .map_err(|e| e.to_string())
    }

    #[test]
    fn a_dynamic_sequence_length_comes_from_max_length_and_pads_every_text() {
        let sig = signature(&[
            ("input_ids", Dim::Unknown),
            ("token_type_ids", Dim::Unknown),
        ]);
        let error = fit(&mut open(None, true), &sig).expect_err("no length");
        assert!(
            error.contains("m.onnx") && error.contains("--max-length"),
            "{error}"
        );
        let mut file = open(Some(8), true);
        fit(&mut file, &sig).expect("fits");
        assert_eq!(
            file.arrays()
                .iter()
                .map(|a| a.shape.clone())
                .collect::<Vec<_>>(),
            [vec![8], vec![8]]
        );
        let mut rows = 0;
        file.stream(Path::new("test.csv"), 100, &mut |batch| {
            for sample in batch {
                let SampleData::Arrays(arrays) = sample.data else {
                    panic!("arrays");
                };
                let names: Vec<&str> = arrays.iter().map(Array::label).collect();
                assert_eq!(names, ["input_ids", "token_type_ids"]);
                assert!(arrays.iter().all(|a| a.values.len() == 8));
                rows += 1;
            }
            Ok(())
        })
        .expect("streams");
        assert_eq!(rows, 1000);
        let summary = file.summary().expect("summary");
        assert!(summary.truncated > 185, "{summary:?}");
    }

    #[test]
    fn models_must_have_input_ids_and_agree_on_the_length() {
        let error = fit(&mut open(None, true), &signature(&[("x", Dim::Fixed(32))]))
            .expect_err("no token input");
        assert!(error.contains("`input_ids` input"), "{error}");
        let a = signature(&[("input_ids", Dim::Fixed(32))]);
        let b = signature(&[("input_ids", Dim::Fixed(16))]);
        let mut file = open(None, true);
        let error = file
            .prepare(&[(Path::new("a.onnx"), &a), (Path::new("b.onnx"), &b)])
            .expect_err("lengths differ")
            .to_string();
        assert!(
            error.starts_with("b.onnx") && error.contains("a.onnx"),
            "{error}"
        );
    }

    #[test]
    fn no_truncate_names_the_first_long_row() {
        let mut file = open(None, false);
        fit(&mut file, &signature(&[("input_ids", Dim::Fixed(4))])).expect("fits");
        let error = file
            .stream(Path::new("test.csv"), 10, &mut |_| Ok(()))
            .expect_err("too long")
            .to_string();
        assert!(
            error.starts_with("test.csv: row 1: the text is") && error.contains("takes 4"),
            "{error}"
        );
    }
}
