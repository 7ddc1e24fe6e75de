//! NumPy arrays, as written by `np.savez` or `np.savez_compressed`:
//! - `x` (samples, batch first) and `y` (labels): one model input, whatever its name;
//! - or one array per model input, named as the input (`input_ids`, `attention_mask`, …),
//!   with `y`: models with several inputs, or inputs fed by name;
//! - optionally `ids`: one name per sample (strings or integers), used in reports;
//! - or an `.npy` file of samples with the labels in `y.npy` beside it.
//!
//! Element types are kept (float16/32/64, int8–int64, uint8, bool); [`crate::feed`] casts them
//! to what the model declares only where the cast is lossless. `y` and `ids` are read whole;
//! the input arrays are streamed from their archive entries, so the samples are never all in
//! memory.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use npyz::{DType, NpyFile, Order, TypeChar};

use super::{Array, ArrayInfo, Batch, Sample, SampleData, Values, flush};
use crate::error::EvalError;
use crate::signature::ElemType;

/// Names that are not model inputs.
const LABELS: &str = "y";
const IDS: &str = "ids";
const SINGLE: &str = "x";

#[derive(Debug)]
pub(super) struct Npz {
    path: PathBuf,
    is_npy: bool,
    labels: Vec<f64>,
    ids: Option<Vec<String>>,
    /// The input arrays, in archive order (`x` alone, or one per model input).
    arrays: Vec<ArrayInfo>,
}

/// The element type of an array, if modelci reads it.
fn element(dtype: &DType) -> Option<ElemType> {
    let DType::Plain(ts) = dtype else { return None };
    Some(match (ts.type_char(), ts.size_field()) {
        (TypeChar::Uint, 1) => ElemType::U8,
        (TypeChar::Int, 1) => ElemType::I8,
        (TypeChar::Int, 2) => ElemType::I16,
        (TypeChar::Int, 4) => ElemType::I32,
        (TypeChar::Int, 8) => ElemType::I64,
        (TypeChar::Float, 2) => ElemType::F16,
        (TypeChar::Float, 4) => ElemType::F32,
        (TypeChar::Float, 8) => ElemType::F64,
        (TypeChar::Bool, 1) => ElemType::Bool,
        _ => return None,
    })
}

impl Npz {
    /// Opens `path`; `labelled: false` reads model inputs alone (no `y` needed, labels NaN),
    /// as calibration data is.
    pub(super) fn open(path: &Path, labelled: bool) -> Result<Self, EvalError> {
        let is_npy = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("npy"));
        let names: Vec<String> = if is_npy {
            vec![SINGLE.to_owned()]
        } else {
            let archive = open_archive(path)?;
            archive
                .file_names()
                .filter_map(Result::ok)
                .filter_map(|n| n.strip_suffix(".npy").map(str::to_owned))
                .collect()
        };
        let mut store = Store::new(path, is_npy)?;
        if labelled && !is_npy && !names.iter().any(|n| n == LABELS) {
            return Err(EvalError::dataset(
                path,
                format!(
                    "the archive has no array `y` (it has: {}); expected `x` (samples) and `y` (labels), or one array per model input named as the input and `y`",
                    names.join(", ")
                ),
            ));
        }
        let inputs: Vec<&String> = if names.iter().any(|n| n == SINGLE) {
            names.iter().filter(|n| *n == SINGLE).collect()
        } else {
            names.iter().filter(|n| *n != LABELS && *n != IDS).collect()
        };
        let Some(first) = inputs.first() else {
            return Err(EvalError::dataset(
                path,
                format!(
                    "the archive has no array `x` (it has: {}); expected `x` (samples) and `y` (labels), or one array per model input named as the input",
                    names.join(", ")
                ),
            ));
        };
        let (labels, counted) = if labelled {
            let labels_file = store.file_of(LABELS);
            let labels = read_labels(store.open(LABELS)?, &labels_file)?;
            let counted = format!("`{LABELS}` has {} labels", labels.len());
            (labels, counted)
        } else {
            let count = store.open(first)?.shape().first().copied().unwrap_or(0);
            let labels = vec![f64::NAN; usize::try_from(count).unwrap_or(0)];
            let counted = format!("`{first}` has {count}");
            (labels, counted)
        };
        let ids = if names.iter().any(|n| n == IDS) {
            Some(read_ids(store.open(IDS)?, path, labels.len())?)
        } else {
            None
        };
        let arrays = inputs
            .into_iter()
            .map(|name| {
                let file = store.open(name)?;
                array_info(&file, name, path, labels.len(), &counted)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            path: path.to_owned(),
            is_npy,
            labels,
            ids,
            arrays,
        })
    }

    pub(super) fn len(&self) -> usize {
        self.labels.len()
    }

    pub(super) fn arrays(&self) -> &[ArrayInfo] {
        &self.arrays
    }

    pub(super) fn stream(
        &mut self,
        batch_size: usize,
        consume: &mut dyn FnMut(Batch) -> Result<(), EvalError>,
    ) -> Result<(), EvalError> {
        let mut stores = self
            .arrays
            .iter()
            .map(|_| Store::new(&self.path, self.is_npy))
            .collect::<Result<Vec<_>, _>>()?;
        let mut readers = stores
            .iter_mut()
            .zip(&self.arrays)
            .map(|(store, info)| {
                let entry = info.name.as_deref().unwrap_or(SINGLE);
                let file = store.open(entry)?;
                Reader::new(file, info.dtype, entry, &self.path)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut batch = Vec::with_capacity(batch_size);
        for (index, &label) in self.labels.iter().enumerate() {
            let arrays = readers
                .iter_mut()
                .zip(&self.arrays)
                .map(|(reader, info)| {
                    let count: usize = info.shape.iter().product();
                    Ok(Array {
                        name: info.name.clone(),
                        shape: info.shape.clone(),
                        dtype: info.dtype,
                        values: reader.read(count)?,
                    })
                })
                .collect::<Result<Vec<_>, EvalError>>()?;
            let id = self
                .ids
                .as_ref()
                .and_then(|ids| ids.get(index).cloned())
                .unwrap_or_else(|| index.to_string());
            batch.push(Sample {
                id,
                label,
                data: SampleData::Arrays(arrays),
            });
            flush(&mut batch, batch_size, false, consume)?;
        }
        flush(&mut batch, batch_size, true, consume)
    }
}

/// Checks an input array's header and describes one sample of it.
fn array_info(
    file: &NpyFile<Box<dyn Read + '_>>,
    name: &str,
    path: &Path,
    samples: usize,
    counted: &str,
) -> Result<ArrayInfo, EvalError> {
    let dtype = file.dtype();
    let elem = element(&dtype).ok_or_else(|| {
        EvalError::dataset(
            path,
            format!(
                "array `{name}` has element type {}; expected float16/32/64, int8/16/32/64, uint8 or bool",
                describe(&dtype)
            ),
        )
    })?;
    let shape = file.shape().to_vec();
    if file.order() == Order::Fortran && shape.len() > 1 {
        return Err(EvalError::dataset(
            path,
            format!("array `{name}` is in Fortran order; save it with np.ascontiguousarray"),
        ));
    }
    let Some((&count, sample_shape)) = shape.split_first() else {
        return Err(EvalError::dataset(
            path,
            format!("array `{name}` is a scalar; expected samples along the first axis"),
        ));
    };
    if count != samples as u64 {
        return Err(EvalError::dataset(
            path,
            format!("array `{name}` has {count} samples but {counted}"),
        ));
    }
    Ok(ArrayInfo {
        name: (name != SINGLE).then(|| name.to_owned()),
        shape: sample_shape
            .iter()
            .map(|&d| usize::try_from(d).unwrap_or(usize::MAX))
            .collect(),
        dtype: elem,
    })
}

fn describe(dtype: &DType) -> String {
    match dtype {
        DType::Plain(ts) => ts.to_string(),
        other => format!("{other:?}"),
    }
}

/// Streams the values of one input array, in its own element type.
struct Reader<'a, R: Read> {
    inner: Inner<R>,
    name: &'a str,
    path: &'a Path,
}

enum Inner<R: Read> {
    U8(npyz::NpyReader<u8, R>),
    I8(npyz::NpyReader<i8, R>),
    I16(npyz::NpyReader<i16, R>),
    I32(npyz::NpyReader<i32, R>),
    I64(npyz::NpyReader<i64, R>),
    F16(npyz::NpyReader<half::f16, R>),
    F32(npyz::NpyReader<f32, R>),
    F64(npyz::NpyReader<f64, R>),
    Bool(npyz::NpyReader<bool, R>),
}

impl<'a, R: Read> Reader<'a, R> {
    fn new(
        file: NpyFile<R>,
        elem: ElemType,
        name: &'a str,
        path: &'a Path,
    ) -> Result<Self, EvalError> {
        let bad = |e: npyz::DTypeError| EvalError::dataset(path, format!("array `{name}`: {e}"));
        let inner = match elem {
            ElemType::U8 => Inner::U8(file.data().map_err(bad)?),
            ElemType::I8 => Inner::I8(file.data().map_err(bad)?),
            ElemType::I16 => Inner::I16(file.data().map_err(bad)?),
            ElemType::I32 => Inner::I32(file.data().map_err(bad)?),
            ElemType::I64 => Inner::I64(file.data().map_err(bad)?),
            ElemType::F16 => Inner::F16(file.data().map_err(bad)?),
            ElemType::F32 => Inner::F32(file.data().map_err(bad)?),
            ElemType::F64 => Inner::F64(file.data().map_err(bad)?),
            ElemType::Bool => Inner::Bool(file.data().map_err(bad)?),
            other => {
                return Err(EvalError::dataset(
                    path,
                    format!("array `{name}` has element type {other}"),
                ));
            }
        };
        Ok(Self { inner, name, path })
    }

    /// Reads the next `count` values.
    #[allow(clippy::cast_possible_truncation)]
    fn read(&mut self, count: usize) -> Result<Values, EvalError> {
        fn take<T, R: Read, U>(
            r: &mut npyz::NpyReader<T, R>,
            count: usize,
            map: impl Fn(T) -> U,
        ) -> Result<Vec<U>, Option<std::io::Error>>
        where
            T: npyz::Deserialize,
        {
            let mut out = Vec::with_capacity(count);
            for _ in 0..count {
                match r.next() {
                    Some(Ok(v)) => out.push(map(v)),
                    Some(Err(e)) => return Err(Some(e)),
                    None => return Err(None),
                }
            }
            Ok(out)
        }
        let values = match &mut self.inner {
            Inner::U8(r) => take(r, count, i64::from).map(Values::Int),
            Inner::I8(r) => take(r, count, i64::from).map(Values::Int),
            Inner::I16(r) => take(r, count, i64::from).map(Values::Int),
            Inner::I32(r) => take(r, count, i64::from).map(Values::Int),
            Inner::I64(r) => take(r, count, |v| v).map(Values::Int),
            Inner::F16(r) => take(r, count, half::f16::to_f32).map(Values::Float),
            Inner::F32(r) => take(r, count, |v| v).map(Values::Float),
            Inner::F64(r) => take(r, count, |v| v as f32).map(Values::Float),
            Inner::Bool(r) => take(r, count, |v| v).map(Values::Bool),
        };
        values.map_err(|e| match e {
            Some(e) => EvalError::dataset(
                self.path,
                format!("array `{}` cannot be read: {e}", self.name),
            ),
            None => EvalError::dataset(
                self.path,
                format!("array `{}` ends early (truncated file)", self.name),
            ),
        })
    }
}

/// Reads a whole label array as `f64`.
#[allow(clippy::cast_precision_loss)]
fn read_labels<R: Read>(file: NpyFile<R>, path: &Path) -> Result<Vec<f64>, EvalError> {
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
    Ok(match element(&dtype) {
        Some(ElemType::U8) => file
            .into_vec::<u8>()
            .map_err(bad)?
            .into_iter()
            .map(f64::from)
            .collect(),
        Some(ElemType::I8) => file
            .into_vec::<i8>()
            .map_err(bad)?
            .into_iter()
            .map(f64::from)
            .collect(),
        Some(ElemType::I16) => file
            .into_vec::<i16>()
            .map_err(bad)?
            .into_iter()
            .map(f64::from)
            .collect(),
        Some(ElemType::I32) => file
            .into_vec::<i32>()
            .map_err(bad)?
            .into_iter()
            .map(f64::from)
            .collect(),
        Some(ElemType::I64) => file
            .into_vec::<i64>()
            .map_err(bad)?
            .into_iter()
            .map(|v| v as f64)
            .collect(),
        Some(ElemType::F32) => file
            .into_vec::<f32>()
            .map_err(bad)?
            .into_iter()
            .map(f64::from)
            .collect(),
        Some(ElemType::F64) => file.into_vec::<f64>().map_err(bad)?,
        _ => {
            return Err(EvalError::dataset(
                path,
                format!(
                    "array `y` has element type {}; expected integer class indices or numbers",
                    describe(&dtype)
                ),
            ));
        }
    })
}

/// Reads the sample names: strings, or integers written as text.
fn read_ids<R: Read>(
    file: NpyFile<R>,
    path: &Path,
    samples: usize,
) -> Result<Vec<String>, EvalError> {
    let bad =
        |e: std::io::Error| EvalError::dataset(path, format!("array `ids` cannot be read: {e}"));
    let dtype = file.dtype();
    let ids: Vec<String> = match &dtype {
        DType::Plain(ts) if ts.type_char() == TypeChar::UnicodeStr => {
            file.into_vec::<String>().map_err(bad)?
        }
        _ if element(&dtype).is_some_and(ElemType::is_integer) => file
            .into_vec::<i64>()
            .map_err(bad)?
            .into_iter()
            .map(|v| v.to_string())
            .collect(),
        _ => {
            return Err(EvalError::dataset(
                path,
                format!(
                    "array `ids` has element type {}; expected strings or integers",
                    describe(&dtype)
                ),
            ));
        }
    };
    if ids.len() != samples {
        return Err(EvalError::dataset(
            path,
            format!(
                "array `ids` has {} names but `y` has {samples} labels",
                ids.len()
            ),
        ));
    }
    Ok(ids)
}

fn open_archive(path: &Path) -> Result<zip::ZipArchive<BufReader<File>>, EvalError> {
    let file = File::open(path).map_err(|e| EvalError::io(path, e))?;
    zip::ZipArchive::new(BufReader::new(file))
        .map_err(|e| EvalError::dataset(path, format!("not a NumPy .npz archive: {e}")))
}

/// Where arrays come from: an `.npz` archive (one handle per array being streamed), or an
/// `.npy` file of samples with `y.npy` beside it.
enum Store {
    Archive(PathBuf, zip::ZipArchive<BufReader<File>>),
    Npy(PathBuf),
}

impl Store {
    fn new(path: &Path, is_npy: bool) -> Result<Self, EvalError> {
        Ok(if is_npy {
            Self::Npy(path.to_owned())
        } else {
            Self::Archive(path.to_owned(), open_archive(path)?)
        })
    }

    /// The file an array lives in, for messages.
    fn file_of(&self, name: &str) -> PathBuf {
        match self {
            Self::Archive(path, _) => path.clone(),
            Self::Npy(path) if name == LABELS => path.with_file_name("y.npy"),
            Self::Npy(path) => path.clone(),
        }
    }

    /// Opens array `name`.
    fn open(&mut self, name: &str) -> Result<NpyFile<Box<dyn Read + '_>>, EvalError> {
        match self {
            Self::Npy(path) => {
                let p = if name == LABELS {
                    path.with_file_name("y.npy")
                } else {
                    path.clone()
                };
                let file = File::open(&p).map_err(|e| EvalError::io(&p, e))?;
                let reader: Box<dyn Read> = Box::new(BufReader::new(file));
                NpyFile::new(reader)
                    .map_err(|e| EvalError::dataset(&p, format!("not a NumPy .npy file: {e}")))
            }
            Self::Archive(path, archive) => {
                let file = archive.by_name(&format!("{name}.npy")).map_err(|_| {
                    EvalError::dataset(&*path, format!("the archive has no array `{name}`"))
                })?;
                let reader: Box<dyn Read + '_> = Box::new(file);
                NpyFile::new(reader).map_err(|e| {
                    EvalError::dataset(
                        &*path,
                        format!("array `{name}` is not a valid .npy entry: {e}"),
                    )
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;

    fn npy(descr: &str, shape: &str, data: &[u8]) -> Vec<u8> {
        let mut header =
            format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
        while (10 + header.len() + 1) % 64 != 0 {
            header.push(' ');
        }
        header.push('\n');
        let mut out = b"\x93NUMPY\x01\x00".to_vec();
        out.extend(u16::try_from(header.len()).expect("short").to_le_bytes());
        out.extend(header.as_bytes());
        out.extend(data);
        out
    }

    fn archive(entries: &[(&str, Vec<u8>)]) -> tempfile::NamedTempFile {
        let file = tempfile::Builder::new()
            .suffix(".npz")
            .tempfile()
            .expect("temp file");
        let mut zip = zip::ZipWriter::new(file.reopen().expect("reopen"));
        for (name, bytes) in entries {
            zip.start_file(
                format!("{name}.npy"),
                zip::write::SimpleFileOptions::default(),
            )
            .expect("entry");
            zip.write_all(bytes).expect("write");
        }
        zip.finish().expect("finish");
        file
    }

    #[test]
    fn named_arrays_keep_their_element_types() {
        let halves: Vec<u8> = [0.5f32, -2.0, 1.0, 3.0]
            .iter()
            .flat_map(|&v| half::f16::from_f32(v).to_le_bytes())
            .collect();
        let ids: Vec<u8> = "ab"
            .chars()
            .chain("cd".chars())
            .flat_map(|c| u32::from(c).to_le_bytes())
            .collect();
        let file = archive(&[
            ("pixels", npy("<f2", "(2, 2)", &halves)),
            ("steps", npy("|i1", "(2,)", &[255, 7])),
            ("mask", npy("|b1", "(2,)", &[1, 0])),
            (
                "y",
                npy(
                    "<i8",
                    "(2,)",
                    &[1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
                ),
            ),
            ("ids", npy("<U2", "(2,)", &ids)),
        ]);
        let mut npz = Npz::open(file.path(), true).expect("opens");
        let infos: Vec<(Option<&str>, ElemType, Vec<usize>)> = npz
            .arrays()
            .iter()
            .map(|a| (a.name.as_deref(), a.dtype, a.shape.clone()))
            .collect();
        assert_eq!(
            infos,
            [
                (Some("pixels"), ElemType::F16, vec![2]),
                (Some("steps"), ElemType::I8, vec![]),
                (Some("mask"), ElemType::Bool, vec![]),
            ]
        );
        let mut samples = Vec::new();
        npz.stream(8, &mut |batch| {
            samples.extend(batch);
            Ok(())
        })
        .expect("streams");
        assert_eq!(samples[1].id, "cd");
        assert_eq!(samples[0].label, 1.0);
        let SampleData::Arrays(first) = &samples[0].data else {
            panic!("arrays")
        };
        assert_eq!(first[0].values, Values::Float(vec![0.5, -2.0]));
        assert_eq!(first[1].values, Values::Int(vec![-1]));
        assert_eq!(first[2].values, Values::Bool(vec![true]));
    }

    #[test]
    fn inputs_without_labels_open_unlabelled_and_disagreeing_counts_are_named() {
        let file = archive(&[
            ("ids_in", npy("<i4", "(2,)", &[3, 0, 0, 0, 9, 0, 0, 0])),
            ("mask", npy("|b1", "(2,)", &[1, 0])),
        ]);
        assert!(Npz::open(file.path(), true).is_err(), "labelled needs `y`");
        let mut npz = Npz::open(file.path(), false).expect("opens without labels");
        assert_eq!(npz.len(), 2);
        let mut samples = Vec::new();
        npz.stream(8, &mut |batch| {
            samples.extend(batch);
            Ok(())
        })
        .expect("streams");
        assert!(samples[0].label.is_nan());
        let SampleData::Arrays(second) = &samples[1].data else {
            panic!("arrays")
        };
        assert_eq!(second[0].values, Values::Int(vec![9]));
        let file = archive(&[
            ("a", npy("<i4", "(2,)", &[3, 0, 0, 0, 9, 0, 0, 0])),
            ("b", npy("|b1", "(3,)", &[1, 0, 1])),
        ]);
        let err = Npz::open(file.path(), false).expect_err("2 vs 3 samples");
        assert!(
            err.to_string()
                .contains("array `b` has 3 samples but `a` has 2"),
            "{err}"
        );
    }

    #[test]
    fn an_unsupported_element_type_names_the_array() {
        let file = archive(&[
            ("x", npy("<c8", "(1, 1)", &[0; 8])),
            ("y", npy("<i8", "(1,)", &[0; 8])),
        ]);
        let err = Npz::open(file.path(), true).expect_err("complex numbers");
        assert!(
            err.to_string().contains("array `x` has element type"),
            "{err}"
        );
    }
}
