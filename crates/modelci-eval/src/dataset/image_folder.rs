//! A folder of class folders of images: `root/<class>/<file>.png`.
//!
//! Class indices: when every class folder is named by a non-negative integer, that integer is
//! the class index (so `test/3/` is class 3 even when class 2 has no samples); otherwise the
//! folders sorted by name give indices 0, 1, 2… (torchvision's `ImageFolder` convention).
//! `--class-names` overrides both.

use std::path::{Path, PathBuf};

use super::{Batch, DatasetOptions, Sample, SampleData, flush};
use crate::error::EvalError;

const IMAGE_EXTENSIONS: [&str; 3] = ["png", "jpg", "jpeg"];

#[derive(Debug)]
pub(super) struct ImageFolder {
    root: PathBuf,
    class_names: Vec<String>,
    /// (class index, path relative to `root`) for every image.
    files: Vec<(usize, PathBuf)>,
}

impl ImageFolder {
    pub(super) fn open(root: &Path, options: &DatasetOptions) -> Result<Self, EvalError> {
        let mut folders: Vec<String> = read_dir_sorted(root)?
            .into_iter()
            .filter(|(_, is_dir)| *is_dir)
            .map(|(name, _)| name)
            .filter(|name| !name.starts_with('.'))
            .collect();
        folders.sort();
        if folders.is_empty() {
            return Err(EvalError::dataset(
                root,
                "the folder holds no class folders: expected one sub-folder per class, e.g. `cat/001.png`",
            ));
        }
        let numeric: Option<Vec<usize>> = folders.iter().map(|f| f.parse::<usize>().ok()).collect();
        let (class_names, index_of): (Vec<String>, Vec<usize>) =
            match (&options.class_names, numeric) {
                (Some(names), _) => {
                    let indices = folders
                        .iter()
                        .map(|folder| {
                            names.iter().position(|n| n == folder).ok_or_else(|| {
                                EvalError::dataset(
                                    root.join(folder),
                                    "this class folder is not among the given class names",
                                )
                            })
                        })
                        .collect::<Result<_, _>>()?;
                    (names.clone(), indices)
                }
                (None, Some(numbers)) => {
                    let classes = numbers.iter().max().map_or(0, |m| m + 1);
                    ((0..classes).map(|i| i.to_string()).collect(), numbers)
                }
                (None, None) => (folders.clone(), (0..folders.len()).collect()),
            };
        let mut files = Vec::new();
        for (folder, &class) in folders.iter().zip(&index_of) {
            for (name, is_dir) in read_dir_sorted(&root.join(folder))? {
                let extension = Path::new(&name)
                    .extension()
                    .and_then(|e| e.to_str())
                    .map(str::to_ascii_lowercase);
                if !is_dir && extension.is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.as_str())) {
                    files.push((class, Path::new(folder).join(name)));
                }
            }
        }
        Ok(Self {
            root: root.to_owned(),
            class_names,
            files,
        })
    }

    pub(super) fn len(&self) -> usize {
        self.files.len()
    }

    pub(super) fn class_names(&self) -> &[String] {
        &self.class_names
    }

    pub(super) fn stream(
        &mut self,
        batch_size: usize,
        consume: &mut dyn FnMut(Batch) -> Result<(), EvalError>,
    ) -> Result<(), EvalError> {
        let mut batch = Vec::with_capacity(batch_size);
        for (class, relative) in &self.files {
            let path = self.root.join(relative);
            let reader = image::ImageReader::open(&path)
                .map_err(|e| EvalError::io(&path, e))?
                .with_guessed_format()
                .map_err(|e| EvalError::io(&path, e))?;
            let image = reader
                .decode()
                .map_err(|e| EvalError::dataset(&path, format!("cannot decode the image: {e}")))?;
            #[allow(clippy::cast_precision_loss)]
            let label = *class as f64;
            batch.push(Sample {
                id: relative.display().to_string(),
                label,
                data: SampleData::Image(image),
            });
            flush(&mut batch, batch_size, false, consume)?;
        }
        flush(&mut batch, batch_size, true, consume)
    }
}

/// Entries of a folder as (name, is a directory), sorted by name.
fn read_dir_sorted(dir: &Path) -> Result<Vec<(String, bool)>, EvalError> {
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| EvalError::io(dir, e))? {
        let entry = entry.map_err(|e| EvalError::io(dir, e))?;
        let is_dir = entry
            .file_type()
            .map_err(|e| EvalError::io(entry.path(), e))?
            .is_dir();
        if let Ok(name) = entry.file_name().into_string() {
            entries.push((name, is_dir));
        }
    }
    entries.sort();
    Ok(entries)
}
