//! Datasets: where samples and their labels come from.
//!
//! Three formats, chosen from the path:
//! - a folder of class folders holding images (`test/<label>/<file>.png`, PNG or JPEG), the
//!   layout of torchvision's `ImageFolder` and Keras' `image_dataset_from_directory`;
//! - a NumPy `.npz` archive with arrays `x` (samples) and `y` (labels), or one array per model
//!   input named as the input (and `y`, optionally `ids`), or an `.npy` file of samples with
//!   the labels in `y.npy` beside it;
//! - a CSV file with a header: feature columns and one label column;
//! - with a tokenizer (feature `text`, eval-diff's `--tokenizer`): a CSV or JSON Lines file of
//!   texts and labels, tokenized into the model's `input_ids`, `attention_mask` and
//!   `token_type_ids` once [`Dataset::prepare`] knows the models.
//!
//! Samples are streamed: [`Dataset::stream`] reads a batch, hands it to the caller and reads the
//! next, so memory does not grow with the number of samples. Samples come out in a neutral
//! form ([`SampleData`]); [`crate::layout`] turns them into each model's input.

mod csv_file;
mod image_folder;
mod numpy;
mod preview;
#[cfg(feature = "text")]
mod text_file;

use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::error::EvalError;
use crate::signature::{ElemType, ModelSignature};

/// Options that change how a dataset is read.
#[derive(Debug, Clone, Default)]
pub struct DatasetOptions {
    /// Name of the label column of a CSV file (default `label`).
    pub label_column: Option<String>,
    /// Class names, in class-index order, overriding the folder names of an image folder.
    pub class_names: Option<Vec<String>>,
    /// Read the file as texts through a tokenizer (eval-diff's `--tokenizer`).
    pub text: Option<TextOptions>,
}

/// How a file of texts is read and tokenized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextOptions {
    /// The Hugging Face `tokenizer.json`.
    pub tokenizer: PathBuf,
    /// The column (CSV) or field (JSON Lines) holding the text (default `text`).
    pub text_column: Option<String>,
    /// The sequence length when the model leaves it dynamic, or to check it against.
    pub max_length: Option<usize>,
    /// Whether longer texts are cut (else refused, naming the row).
    pub truncate: bool,
}

/// What tokenizing a text dataset did, for reports.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TextSummary {
    /// The tokenizer file.
    pub tokenizer: PathBuf,
    /// Tokens per text, special tokens and padding included.
    pub sequence_length: usize,
    /// The model inputs filled (`input_ids`, `attention_mask`, `token_type_ids`).
    pub inputs: Vec<String>,
    /// Texts longer than the sequence length, cut to it.
    pub truncated: u64,
}

/// A label: a class index for classification, a value for regression.
pub type Label = f64;

/// One sample in a neutral form, before a model's layout and preprocessing are applied.
#[derive(Debug, Clone)]
pub enum SampleData {
    /// A decoded image.
    Image(image::DynamicImage),
    /// Arrays: one unnamed array for a single-input model (`x` of an `.npz`, a CSV row), or
    /// one array per model input, named as the input.
    Arrays(Vec<Array>),
}

/// The values of one array of one sample, in the element type they were stored in.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// Floats (float16/32/64 sources, and CSV numbers).
    Float(Vec<f32>),
    /// Integers (int8–int64 and uint8 sources).
    Int(Vec<i64>),
    /// Booleans.
    Bool(Vec<bool>),
}

impl Values {
    /// Number of values.
    #[must_use]
    pub fn len(&self) -> usize {
        match self {
            Self::Float(v) => v.len(),
            Self::Int(v) => v.len(),
            Self::Bool(v) => v.len(),
        }
    }

    /// Whether there are no values.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One array of one sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Array {
    /// The model input it is for; `None` for the single input of a model.
    pub name: Option<String>,
    /// The sample's shape (without the batch axis).
    pub shape: Vec<usize>,
    /// The element type it was stored in.
    pub dtype: ElemType,
    /// The values, row-major.
    pub values: Values,
}

impl Array {
    /// An unnamed float array (a CSV row, a test sample).
    #[must_use]
    pub fn floats(values: Vec<f32>, shape: Vec<usize>) -> Self {
        Self {
            name: None,
            shape,
            dtype: ElemType::F32,
            values: Values::Float(values),
        }
    }

    /// The name for messages: the input's, or `x`.
    #[must_use]
    pub fn label(&self) -> &str {
        self.name.as_deref().unwrap_or("x")
    }
}

/// What a dataset's arrays hold per sample, known before any sample is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArrayInfo {
    /// The model input it is for; `None` for the single input of a model.
    pub name: Option<String>,
    /// The per-sample shape.
    pub shape: Vec<usize>,
    /// The element type.
    pub dtype: ElemType,
}

/// One sample with its label and a name for reports.
#[derive(Debug, Clone)]
pub struct Sample {
    /// File name relative to the dataset folder, or the row index.
    pub id: String,
    /// The label.
    pub label: Label,
    /// The data.
    pub data: SampleData,
}

/// A batch of samples.
pub type Batch = Vec<Sample>;

/// The kind of a dataset, for reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DatasetKind {
    /// A folder of class folders of images.
    ImageFolder,
    /// A NumPy `.npz` archive.
    Npz,
    /// A CSV file.
    Csv,
    /// A CSV or JSON Lines file of texts, tokenized.
    Text,
}

/// An opened dataset.
#[derive(Debug)]
pub struct Dataset {
    path: PathBuf,
    len: usize,
    class_names: Option<Vec<String>>,
    source: Source,
    /// The samples [`Dataset::stream`] gives, by position ([`Dataset::select`]).
    selection: Option<Range<usize>>,
}

#[derive(Debug)]
enum Source {
    Images(image_folder::ImageFolder),
    Npz(numpy::Npz),
    Csv(csv_file::CsvFile),
    #[cfg(feature = "text")]
    Text(Box<text_file::TextFile>),
}

impl Dataset {
    /// Opens the dataset at `path`, choosing the format from what the path is.
    ///
    /// # Errors
    /// [`EvalError`] naming the path when it does not exist, has an unknown extension, or is
    /// malformed (no classes, no samples, missing arrays or columns).
    pub fn open(path: &Path, options: &DatasetOptions) -> Result<Self, EvalError> {
        let metadata = std::fs::metadata(path).map_err(|e| EvalError::io(path, e))?;
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let source = if let Some(text) = &options.text {
            text_source(path, extension.as_deref(), text, options)?
        } else if metadata.is_dir() {
            Source::Images(image_folder::ImageFolder::open(path, options)?)
        } else {
            match extension.as_deref() {
                Some("npz" | "npy") => Source::Npz(numpy::Npz::open(path, true)?),
                Some("csv") => Source::Csv(csv_file::CsvFile::open(path, options)?),
                _ => {
                    return Err(EvalError::dataset(
                        path,
                        "unknown dataset format: expected a folder of class folders of images, a .npz file with arrays `x` and `y` (or x.npy with y.npy beside it), or a .csv file (or a .csv/.jsonl file of texts, for eval-diff --tokenizer)",
                    ));
                }
            }
        };
        Self::finish(path, source, options.class_names.clone())
    }

    /// Opens a NumPy `.npy` or `.npz` file of model inputs without labels (calibration data):
    /// `x`, or one array per model input named as the input; a `y` array is ignored. Every
    /// label is NaN.
    ///
    /// # Errors
    /// [`EvalError`] naming the path when it cannot be read, is not NumPy, holds no input
    /// array or no samples, or its arrays disagree on the number of samples.
    pub fn open_unlabelled(path: &Path) -> Result<Self, EvalError> {
        Self::finish(path, Source::Npz(numpy::Npz::open(path, false)?), None)
    }

    fn finish(
        path: &Path,
        source: Source,
        class_names: Option<Vec<String>>,
    ) -> Result<Self, EvalError> {
        let (len, class_names) = match &source {
            Source::Images(folder) => (folder.len(), Some(folder.class_names().to_vec())),
            Source::Npz(npz) => (npz.len(), class_names),
            Source::Csv(csv) => (csv.len(), class_names),
            #[cfg(feature = "text")]
            Source::Text(text) => (text.len(), class_names),
        };
        if len == 0 {
            return Err(EvalError::dataset(path, "the dataset holds no samples"));
        }
        Ok(Self {
            path: path.to_owned(),
            len,
            class_names,
            source,
            selection: None,
        })
    }

    /// The dataset's path.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The number of samples.
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the dataset has no samples (never true for an opened dataset).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The format.
    #[must_use]
    pub fn kind(&self) -> DatasetKind {
        match self.source {
            Source::Images(_) => DatasetKind::ImageFolder,
            Source::Npz(_) => DatasetKind::Npz,
            Source::Csv(_) => DatasetKind::Csv,
            #[cfg(feature = "text")]
            Source::Text(_) => DatasetKind::Text,
        }
    }

    /// The arrays each sample holds (`.npz` and CSV files); empty for image folders.
    #[must_use]
    pub fn arrays(&self) -> Vec<ArrayInfo> {
        match &self.source {
            Source::Npz(npz) => npz.arrays().to_vec(),
            Source::Csv(csv) => vec![csv.array()],
            Source::Images(_) => Vec::new(),
            #[cfg(feature = "text")]
            Source::Text(text) => text.arrays(),
        }
    }

    /// The feature columns' names of a CSV file (in file order, the label column aside).
    #[must_use]
    pub fn column_names(&self) -> Option<Vec<String>> {
        match &self.source {
            Source::Csv(csv) => Some(csv.names().to_vec()),
            _ => None,
        }
    }

    /// Hands the length and unknown tokens of every text, in order, to `consume` (text
    /// datasets; `false` without calling it for other datasets).
    ///
    /// # Errors
    /// The first text the tokenizer fails on (naming the row), or `consume`'s error.
    pub fn each_text_stats(
        &self,
        consume: &mut dyn FnMut(crate::features::TextStats) -> Result<(), EvalError>,
    ) -> Result<bool, EvalError> {
        match &self.source {
            #[cfg(feature = "text")]
            Source::Text(text) => text.each_stats(&self.path, consume).map(|()| true),
            _ => {
                let _ = consume;
                Ok(false)
            }
        }
    }

    /// Fits a text dataset to the models it will feed: the token inputs they declare and their
    /// sequence length (or `--max-length`). Nothing to do for other datasets.
    ///
    /// # Errors
    /// [`EvalError::Incompatible`] naming the model when it has no token input, the sequence
    /// lengths disagree or the length is dynamic and not given.
    pub fn prepare(&mut self, models: &[(&Path, &ModelSignature)]) -> Result<(), EvalError> {
        match &mut self.source {
            #[cfg(feature = "text")]
            Source::Text(text) => text.prepare(models),
            _ => {
                let _ = models;
                Ok(())
            }
        }
    }

    /// What tokenizing did (text datasets, after streaming).
    #[must_use]
    pub fn text_summary(&self) -> Option<TextSummary> {
        match &self.source {
            #[cfg(feature = "text")]
            Source::Text(text) => text.summary(),
            _ => None,
        }
    }

    /// Class names in class-index order, when the dataset names its classes.
    #[must_use]
    pub fn class_names(&self) -> Option<&[String]> {
        self.class_names.as_deref()
    }

    /// Keeps only the samples at positions `range` (in the order [`Dataset::len`] counts them)
    /// for [`Dataset::stream`]: eval-diff's `--shard`. Batches then start at `range.start`.
    /// Images outside the range are not decoded.
    pub fn select(&mut self, range: Range<usize>) {
        self.selection = Some(range);
    }

    /// Reads the dataset (or the [`Dataset::select`]ed samples) from the start in batches of
    /// at most `batch_size` samples, handing each to `consume`. Stops at the first error, from
    /// reading or from `consume`.
    ///
    /// # Errors
    /// The first error of reading a sample (naming the file or row) or of `consume`.
    pub fn stream(
        &mut self,
        batch_size: usize,
        consume: &mut dyn FnMut(Batch) -> Result<(), EvalError>,
    ) -> Result<(), EvalError> {
        let batch_size = batch_size.max(1);
        let Some(range) = self.selection.clone() else {
            return self.stream_all(batch_size, None, consume);
        };
        if matches!(self.source, Source::Images(_)) {
            return self.stream_all(batch_size, Some(range), consume);
        }
        let mut index = 0usize;
        let mut kept = Vec::with_capacity(batch_size);
        self.stream_all(batch_size, None, &mut |batch| {
            for sample in batch {
                if range.contains(&index) {
                    kept.push(sample);
                    flush(&mut kept, batch_size, false, consume)?;
                }
                index += 1;
            }
            Ok(())
        })?;
        flush(&mut kept, batch_size, true, consume)
    }

    fn stream_all(
        &mut self,
        batch_size: usize,
        range: Option<Range<usize>>,
        consume: &mut dyn FnMut(Batch) -> Result<(), EvalError>,
    ) -> Result<(), EvalError> {
        match &mut self.source {
            Source::Images(folder) => folder.stream(batch_size, range, consume),
            Source::Npz(npz) => npz.stream(batch_size, consume),
            Source::Csv(csv) => csv.stream(batch_size, consume),
            #[cfg(feature = "text")]
            Source::Text(text) => text.stream(&self.path, batch_size, consume),
        }
    }
}

/// Hands `batch` to `consume` when it is full (or `force`), leaving an empty batch behind.
fn flush(
    batch: &mut Batch,
    batch_size: usize,
    force: bool,
    consume: &mut dyn FnMut(Batch) -> Result<(), EvalError>,
) -> Result<(), EvalError> {
    if batch.len() >= batch_size || (force && !batch.is_empty()) {
        let full = std::mem::replace(batch, Vec::with_capacity(batch_size));
        consume(full)?;
    }
    Ok(())
}

/// A file of texts: CSV, or JSON Lines (`.jsonl`, `.ndjson`).
#[cfg(feature = "text")]
fn text_source(
    path: &Path,
    extension: Option<&str>,
    text: &TextOptions,
    options: &DatasetOptions,
) -> Result<Source, EvalError> {
    let jsonl = match extension {
        Some("csv") => false,
        Some("jsonl" | "ndjson") => true,
        _ => {
            return Err(EvalError::dataset(
                path,
                "texts are read from a .csv file with a header or a .jsonl file (one JSON object per line)",
            ));
        }
    };
    text_file::TextFile::open(path, jsonl, text, options).map(|t| Source::Text(Box::new(t)))
}

/// Without the `text` feature no file is read as texts.
#[cfg(not(feature = "text"))]
fn text_source(
    path: &Path,
    _extension: Option<&str>,
    _text: &TextOptions,
    _options: &DatasetOptions,
) -> Result<Source, EvalError> {
    Err(EvalError::dataset(
        path,
        "this program does not read texts (eval-diff does)",
    ))
}
