//! Datasets: where samples and their labels come from.
//!
//! Three formats, chosen from the path:
//! - a folder of class folders holding images (`test/<label>/<file>.png`, PNG or JPEG), the
//!   layout of torchvision's `ImageFolder` and Keras' `image_dataset_from_directory`;
//! - a NumPy `.npz` archive with arrays `x` (samples) and `y` (labels), or one array per model
//!   input named as the input (and `y`, optionally `ids`), or an `.npy` file of samples with
//!   the labels in `y.npy` beside it;
//! - a CSV file with a header: feature columns and one label column.
//!
//! Samples are streamed: [`Dataset::stream`] reads a batch, hands it to the caller and reads the
//! next, so memory does not grow with the number of samples. Samples come out in a neutral
//! form ([`SampleData`]); [`crate::layout`] turns them into each model's input.

mod csv_file;
mod image_folder;
mod numpy;

use std::path::{Path, PathBuf};

use crate::error::EvalError;
use crate::signature::ElemType;

/// Options that change how a dataset is read.
#[derive(Debug, Clone, Default)]
pub struct DatasetOptions {
    /// Name of the label column of a CSV file (default `label`).
    pub label_column: Option<String>,
    /// Class names, in class-index order, overriding the folder names of an image folder.
    pub class_names: Option<Vec<String>>,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DatasetKind {
    /// A folder of class folders of images.
    ImageFolder,
    /// A NumPy `.npz` archive.
    Npz,
    /// A CSV file.
    Csv,
}

/// An opened dataset.
#[derive(Debug)]
pub struct Dataset {
    path: PathBuf,
    len: usize,
    class_names: Option<Vec<String>>,
    source: Source,
}

#[derive(Debug)]
enum Source {
    Images(image_folder::ImageFolder),
    Npz(numpy::Npz),
    Csv(csv_file::CsvFile),
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
        let source = if metadata.is_dir() {
            Source::Images(image_folder::ImageFolder::open(path, options)?)
        } else {
            match extension.as_deref() {
                Some("npz" | "npy") => Source::Npz(numpy::Npz::open(path)?),
                Some("csv") => Source::Csv(csv_file::CsvFile::open(path, options)?),
                _ => {
                    return Err(EvalError::dataset(
                        path,
                        "unknown dataset format: expected a folder of class folders of images, a .npz file with arrays `x` and `y` (or x.npy with y.npy beside it), or a .csv file",
                    ));
                }
            }
        };
        Self::finish(path, source, options.class_names.clone())
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
        };
        if len == 0 {
            return Err(EvalError::dataset(path, "the dataset holds no samples"));
        }
        Ok(Self {
            path: path.to_owned(),
            len,
            class_names,
            source,
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
        }
    }

    /// The arrays each sample holds (`.npz` and CSV files); empty for image folders.
    #[must_use]
    pub fn arrays(&self) -> Vec<ArrayInfo> {
        match &self.source {
            Source::Npz(npz) => npz.arrays().to_vec(),
            Source::Csv(csv) => vec![csv.array()],
            Source::Images(_) => Vec::new(),
        }
    }

    /// Class names in class-index order, when the dataset names its classes.
    #[must_use]
    pub fn class_names(&self) -> Option<&[String]> {
        self.class_names.as_deref()
    }

    /// Reads the dataset from the start in batches of at most `batch_size` samples, handing each
    /// to `consume`. Stops at the first error, from reading or from `consume`.
    ///
    /// # Errors
    /// The first error of reading a sample (naming the file or row) or of `consume`.
    pub fn stream(
        &mut self,
        batch_size: usize,
        consume: &mut dyn FnMut(Batch) -> Result<(), EvalError>,
    ) -> Result<(), EvalError> {
        let batch_size = batch_size.max(1);
        match &mut self.source {
            Source::Images(folder) => folder.stream(batch_size, consume),
            Source::Npz(npz) => npz.stream(batch_size, consume),
            Source::Csv(csv) => csv.stream(batch_size, consume),
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
