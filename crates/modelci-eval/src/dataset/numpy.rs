//! NumPy arrays: an `.npz` archive with `x` (samples, batch first) and `y` (labels), as written by
//! `np.savez` or `np.savez_compressed`; or an `.npy` file of samples with `y.npy` beside it.
//!
//! `y` is read whole (one number per sample); `x` is streamed from the archive entry, so the
//! samples are never all in memory.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use npyz::{DType, NpyFile, Order, TypeChar};

use super::{Batch, Sample, SampleData, flush};
use crate::error::EvalError;

#[derive(Debug)]
pub(super) struct Npz {
    path: PathBuf,
    labels: Vec<f64>,
    sample_shape: Vec<usize>,
    element: Element,
}

/// The element types we read, converted to `f32`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Element {
    U8,
    I32,
    I64,
    F32,
    F64,
    Bool,
}

impl Element {
    fn of(dtype: &DType) -> Option<Self> {
        let DType::Plain(ts) = dtype else { return None };
        match (ts.type_char(), ts.size_field()) {
            (TypeChar::Uint, 1) => Some(Self::U8),
            (TypeChar::Int, 4) => Some(Self::I32),
            (TypeChar::Int, 8) => Some(Self::I64),
            (TypeChar::Float, 4) => Some(Self::F32),
            (TypeChar::Float, 8) => Some(Self::F64),
            (TypeChar::Bool, 1) => Some(Self::Bool),
            _ => None,
        }
    }
}

impl Npz {
    pub(super) fn open(path: &Path) -> Result<Self, EvalError> {
        let (labels, x_header) = with_arrays(path, |y, x| {
            let labels = read_all(y.0, y.1)?;
            Ok((labels, (x.shape().to_vec(), x.dtype(), x.order())))
        })?;
        let (shape, dtype, order) = x_header;
        let element = Element::of(&dtype).ok_or_else(|| {
            EvalError::dataset(path, format!("array `x` has element type {dtype:?}; expected uint8, int32, int64, float32, float64 or bool"))
        })?;
        if order == Order::Fortran && shape.len() > 1 {
            return Err(EvalError::dataset(
                path,
                "array `x` is in Fortran order; save it with np.ascontiguousarray(x)",
            ));
        }
        let Some((&count, sample_shape)) = shape.split_first() else {
            return Err(EvalError::dataset(
                path,
                "array `x` is a scalar; expected samples along the first axis",
            ));
        };
        if count != labels.len() as u64 {
            return Err(EvalError::dataset(
                path,
                format!(
                    "array `x` has {count} samples but `y` has {} labels",
                    labels.len()
                ),
            ));
        }
        let sample_shape = sample_shape
            .iter()
            .map(|&d| usize::try_from(d).unwrap_or(usize::MAX))
            .collect();
        Ok(Self {
            path: path.to_owned(),
            labels,
            sample_shape,
            element,
        })
    }

    pub(super) fn len(&self) -> usize {
        self.labels.len()
    }

    pub(super) fn stream(
        &mut self,
        batch_size: usize,
        consume: &mut dyn FnMut(Batch) -> Result<(), EvalError>,
    ) -> Result<(), EvalError> {
        let per_sample: usize = self.sample_shape.iter().product();
        let from_u8 = self.element == Element::U8;
        let path = self.path.clone();
        let labels = &self.labels;
        let shape = &self.sample_shape;
        let element = self.element;
        with_arrays(&path, |_, x| {
            let mut values = Values::new(x, element, &path)?;
            let mut batch = Vec::with_capacity(batch_size);
            for (index, &label) in labels.iter().enumerate() {
                let mut sample = Vec::with_capacity(per_sample);
                for _ in 0..per_sample {
                    sample.push(values.next_value()?);
                }
                batch.push(Sample {
                    id: index.to_string(),
                    label,
                    data: SampleData::Array {
                        values: sample,
                        shape: shape.clone(),
                        from_u8,
                    },
                });
                flush(&mut batch, batch_size, false, consume)?;
            }
            flush(&mut batch, batch_size, true, consume)
        })
    }
}

/// Reads the values of `x` one at a time as `f32`.
struct Values<'a, R: Read> {
    inner: ValuesInner<R>,
    path: &'a Path,
}

enum ValuesInner<R: Read> {
    U8(npyz::NpyReader<u8, R>),
    I32(npyz::NpyReader<i32, R>),
    I64(npyz::NpyReader<i64, R>),
    F32(npyz::NpyReader<f32, R>),
    F64(npyz::NpyReader<f64, R>),
    Bool(npyz::NpyReader<bool, R>),
}

impl<'a, R: Read> Values<'a, R> {
    fn new(file: NpyFile<R>, element: Element, path: &'a Path) -> Result<Self, EvalError> {
        let bad = |e: npyz::DTypeError| EvalError::dataset(path, format!("array `x`: {e}"));
        let inner = match element {
            Element::U8 => ValuesInner::U8(file.data().map_err(bad)?),
            Element::I32 => ValuesInner::I32(file.data().map_err(bad)?),
            Element::I64 => ValuesInner::I64(file.data().map_err(bad)?),
            Element::F32 => ValuesInner::F32(file.data().map_err(bad)?),
            Element::F64 => ValuesInner::F64(file.data().map_err(bad)?),
            Element::Bool => ValuesInner::Bool(file.data().map_err(bad)?),
        };
        Ok(Self { inner, path })
    }

    #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
    fn next_value(&mut self) -> Result<f32, EvalError> {
        let value = match &mut self.inner {
            ValuesInner::U8(r) => r.next().map(|v| v.map(f32::from)),
            ValuesInner::I32(r) => r.next().map(|v| v.map(|v| v as f32)),
            ValuesInner::I64(r) => r.next().map(|v| v.map(|v| v as f32)),
            ValuesInner::F32(r) => r.next(),
            ValuesInner::F64(r) => r.next().map(|v| v.map(|v| v as f32)),
            ValuesInner::Bool(r) => r.next().map(|v| v.map(|b| if b { 1.0 } else { 0.0 })),
        };
        match value {
            Some(Ok(v)) => Ok(v),
            Some(Err(e)) => Err(EvalError::dataset(
                self.path,
                format!("array `x` cannot be read: {e}"),
            )),
            None => Err(EvalError::dataset(
                self.path,
                "array `x` ends early (truncated file)",
            )),
        }
    }
}

/// Reads a whole label array as `f64`.
#[allow(clippy::cast_precision_loss)]
fn read_all<R: Read>(file: NpyFile<R>, path: &Path) -> Result<Vec<f64>, EvalError> {
    let bad =
        |e: std::io::Error| EvalError::dataset(path, format!("array `y` cannot be read: {e}"));
    if file.shape().len() > 2 || file.shape().get(1).is_some_and(|&d| d != 1) {
        return Err(EvalError::dataset(
            path,
            format!(
                "array `y` has shape {:?}; expected one label per sample",
                file.shape()
            ),
        ));
    }
    let dtype = file.dtype();
    Ok(match Element::of(&dtype) {
        Some(Element::U8) => file
            .into_vec::<u8>()
            .map_err(bad)?
            .into_iter()
            .map(f64::from)
            .collect(),
        Some(Element::I32) => file
            .into_vec::<i32>()
            .map_err(bad)?
            .into_iter()
            .map(f64::from)
            .collect(),
        Some(Element::I64) => file
            .into_vec::<i64>()
            .map_err(bad)?
            .into_iter()
            .map(|v| v as f64)
            .collect(),
        Some(Element::F32) => file
            .into_vec::<f32>()
            .map_err(bad)?
            .into_iter()
            .map(f64::from)
            .collect(),
        Some(Element::F64) => file.into_vec::<f64>().map_err(bad)?,
        _ => {
            return Err(EvalError::dataset(
                path,
                format!(
                    "array `y` has element type {dtype:?}; expected integer class indices or numbers"
                ),
            ));
        }
    })
}

/// Opens `y` and `x` (in that order) and hands both to `f`.
fn with_arrays<T>(
    path: &Path,
    f: impl FnOnce(
        (NpyFile<Box<dyn Read + '_>>, &Path),
        NpyFile<Box<dyn Read + '_>>,
    ) -> Result<T, EvalError>,
) -> Result<T, EvalError> {
    let is_npy = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("npy"));
    if is_npy {
        let y_path = path.with_file_name("y.npy");
        let open = |p: &Path| -> Result<NpyFile<Box<dyn Read>>, EvalError> {
            let file = File::open(p).map_err(|e| EvalError::io(p, e))?;
            let reader: Box<dyn Read> = Box::new(BufReader::new(file));
            NpyFile::new(reader)
                .map_err(|e| EvalError::dataset(p, format!("not a NumPy .npy file: {e}")))
        };
        let y = open(&y_path)?;
        let x = open(path)?;
        return f((y, &y_path), x);
    }
    let open_archive = || -> Result<zip::ZipArchive<BufReader<File>>, EvalError> {
        let file = File::open(path).map_err(|e| EvalError::io(path, e))?;
        zip::ZipArchive::new(BufReader::new(file))
            .map_err(|e| EvalError::dataset(path, format!("not a NumPy .npz archive: {e}")))
    };
    let mut y_archive = open_archive()?;
    let mut x_archive = open_archive()?;
    let names: Vec<String> = y_archive
        .file_names()
        .filter_map(Result::ok)
        .map(|n| n.trim_end_matches(".npy").to_owned())
        .collect();
    let y = entry(&mut y_archive, "y", path, &names)?;
    let x = entry(&mut x_archive, "x", path, &names)?;
    f((y, path), x)
}

/// Opens the array `name` of an `.npz` archive.
fn entry<'a>(
    archive: &'a mut zip::ZipArchive<BufReader<File>>,
    name: &str,
    path: &Path,
    names: &[String],
) -> Result<NpyFile<Box<dyn Read + 'a>>, EvalError> {
    let missing = || {
        EvalError::dataset(
            path,
            format!(
                "the archive has no array `{name}` (it has: {}); expected `x` (samples) and `y` (labels)",
                names.join(", ")
            ),
        )
    };
    let file = archive
        .by_name(&format!("{name}.npy"))
        .map_err(|_| missing())?;
    let reader: Box<dyn Read + 'a> = Box::new(file);
    NpyFile::new(reader).map_err(|e| {
        EvalError::dataset(
            path,
            format!("array `{name}` is not a valid .npy entry: {e}"),
        )
    })
}
