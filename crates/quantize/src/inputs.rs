//! `--calibration-data`: raw model inputs for static calibration, without labels.
//!
//! The form onnxruntime's `CalibrationDataReader` takes: one array `[N, ...]` whose samples
//! have the model's input shape, as a NumPy `.npy` file (`np.save`) or as the array `x` of a
//! `.npz` archive (`np.savez`). Values are fed as they are (no resizing or scaling), so a model
//! that is not a classifier, or whose input is not an image or a feature row, can be
//! calibrated. The file is read whole: calibration sets are small (tens to hundreds of samples).

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, anyhow};
use npyz::{DType, NpyFile, Order, TypeChar};

/// A calibration array, as `f32`.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// The file it was read from.
    pub path: PathBuf,
    /// Its shape, samples first.
    pub shape: Vec<usize>,
    /// The values in C order.
    pub values: Vec<f32>,
}

impl Inputs {
    /// Samples in the array (its first dimension).
    #[must_use]
    pub fn samples(&self) -> usize {
        self.shape.first().copied().unwrap_or(0)
    }

    /// Values per sample.
    #[must_use]
    pub fn sample_len(&self) -> usize {
        self.shape.iter().skip(1).product()
    }
}

/// Reads `path`: a `.npz` archive (array `x`) by its extension, otherwise a `.npy` file.
///
/// # Errors
/// One-line messages naming the file: unreadable, not NumPy, no array `x`, an element type other
/// than float32/float64, Fortran order, a scalar or an empty array.
pub fn read(path: &Path) -> anyhow::Result<Inputs> {
    let is_npz = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("npz"));
    let file = File::open(path).with_context(|| format!("{}: cannot read", path.display()))?;
    let (shape, values) = if is_npz {
        let mut archive = zip::ZipArchive::new(BufReader::new(file)).map_err(|e| {
            anyhow!(
                "{}: not a NumPy .npz archive ({e}); expected an array `x` of model inputs",
                path.display()
            )
        })?;
        let names: Vec<String> = archive
            .file_names()
            .filter_map(Result::ok)
            .map(|n| n.trim_end_matches(".npy").to_owned())
            .collect();
        let entry = archive.by_name("x.npy").map_err(|_| {
            anyhow!(
                "{}: the archive has no array `x` (it has: {}); expected `x`, the model inputs",
                path.display(),
                names.join(", ")
            )
        })?;
        read_array(entry, path)?
    } else {
        read_array(BufReader::new(file), path)?
    };
    match shape.split_first() {
        None => Err(anyhow!(
            "{}: the array is a scalar; expected samples along the first axis",
            path.display()
        )),
        Some((0, _)) => Err(anyhow!("{}: the array has no samples", path.display())),
        Some(_) => Ok(Inputs {
            path: path.to_owned(),
            shape,
            values,
        }),
    }
}

fn read_array<R: Read>(reader: R, path: &Path) -> anyhow::Result<(Vec<usize>, Vec<f32>)> {
    let file = NpyFile::new(reader).map_err(|e| {
        anyhow!(
            "{}: not a NumPy .npy file ({e}); expected an array [N, ...] of model inputs (np.save) or a .npz with an array `x`",
            path.display()
        )
    })?;
    let shape: Vec<usize> = file
        .shape()
        .iter()
        .map(|&d| usize::try_from(d).unwrap_or(usize::MAX))
        .collect();
    if file.order() == Order::Fortran && shape.len() > 1 {
        return Err(anyhow!(
            "{}: the array is in Fortran order; save it with np.ascontiguousarray(x)",
            path.display()
        ));
    }
    let dtype = file.dtype();
    let bad = |e: std::io::Error| anyhow!("{}: the array cannot be read: {e}", path.display());
    #[allow(clippy::cast_possible_truncation)]
    let values = match &dtype {
        DType::Plain(ts) if ts.type_char() == TypeChar::Float && ts.size_field() == 4 => {
            file.into_vec::<f32>().map_err(bad)?
        }
        DType::Plain(ts) if ts.type_char() == TypeChar::Float && ts.size_field() == 8 => file
            .into_vec::<f64>()
            .map_err(bad)?
            .into_iter()
            .map(|v| v as f32)
            .collect(),
        other => {
            return Err(anyhow!(
                "{}: the array has element type {other:?}; expected float32 or float64 model inputs",
                path.display()
            ));
        }
    };
    let expected: usize = shape.iter().product();
    if values.len() != expected {
        return Err(anyhow!(
            "{}: the array ends early (truncated file): {} of {expected} values",
            path.display(),
            values.len()
        ));
    }
    Ok((shape, values))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::read;

    /// A version-1.0 `.npy` file of little-endian float32 values.
    fn npy(shape: &[usize], values: &[f32]) -> Vec<u8> {
        let dims: Vec<String> = shape.iter().map(ToString::to_string).collect();
        let shape = if dims.len() == 1 {
            format!("({},)", dims[0])
        } else {
            format!("({})", dims.join(", "))
        };
        let mut header = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}");
        while (10 + header.len() + 1) % 64 != 0 {
            header.push(' ');
        }
        header.push('\n');
        let mut out = b"\x93NUMPY\x01\x00".to_vec();
        out.extend(u16::try_from(header.len()).unwrap().to_le_bytes());
        out.extend(header.as_bytes());
        for v in values {
            out.extend(v.to_le_bytes());
        }
        out
    }

    #[test]
    fn reads_npy_shape_and_values() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("calib.npy");
        std::fs::write(&path, npy(&[2, 3], &[0.0, 1.0, 2.0, 3.0, 4.0, 5.0])).unwrap();
        let inputs = read(&path).unwrap();
        assert_eq!(inputs.shape, [2, 3]);
        assert_eq!(inputs.samples(), 2);
        assert_eq!(inputs.sample_len(), 3);
        assert_eq!(inputs.values, [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
    }

    #[test]
    fn reads_the_x_array_of_an_npz_and_names_what_is_missing() {
        use std::io::Write as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("calib.npz");
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
        let options = zip::write::SimpleFileOptions::default();
        zip.start_file("x.npy", options).unwrap();
        zip.write_all(&npy(&[3, 1], &[1.5, 2.5, 3.5])).unwrap();
        zip.finish().unwrap();
        let inputs = read(&path).unwrap();
        assert_eq!(inputs.shape, [3, 1]);
        assert_eq!(inputs.values, [1.5, 2.5, 3.5]);

        let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
        zip.start_file("inputs.npy", options).unwrap();
        zip.write_all(&npy(&[1], &[0.0])).unwrap();
        zip.finish().unwrap();
        let e = read(&path).unwrap_err().to_string();
        assert!(e.contains("no array `x` (it has: inputs)"), "{e}");
    }

    #[test]
    fn refuses_integer_arrays() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("calib.npy");
        let mut bytes = npy(&[2], &[]);
        let at = bytes.windows(3).position(|w| w == b"<f4").unwrap();
        bytes[at..at + 3].copy_from_slice(b"|u1");
        bytes.extend([7u8, 9]);
        std::fs::write(&path, bytes).unwrap();
        let e = read(&path).unwrap_err().to_string();
        assert!(
            e.contains("calib.npy") && e.contains("expected float32 or float64"),
            "{e}"
        );
    }

    #[test]
    fn refuses_truncated_and_empty_arrays() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("calib.npy");
        let mut bytes = npy(&[2, 3], &[0.0; 6]);
        bytes.truncate(bytes.len() - 4);
        std::fs::write(&path, bytes).unwrap();
        let e = read(&path).unwrap_err().to_string();
        assert!(
            e.contains("calib.npy") && (e.contains("cannot be read") || e.contains("ends early")),
            "{e}"
        );
        std::fs::write(&path, npy(&[0, 3], &[])).unwrap();
        let e = read(&path).unwrap_err().to_string();
        assert!(e.contains("no samples"), "{e}");
    }
}
