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
        let inside = std::fs::canonicalize(root).map_err(|e| EvalError::io(root, e))?;
        let mut folders: Vec<String> = read_dir_sorted(root, &inside)?
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
            for (name, is_dir) in read_dir_sorted(&root.join(folder), &inside)? {
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

    /// The file of the sample streamed with id `id`, if there is one.
    pub(super) fn file(&self, id: &str) -> Option<PathBuf> {
        self.files
            .iter()
            .find(|(_, relative)| relative.display().to_string() == id)
            .map(|(_, relative)| self.root.join(relative))
    }

    pub(super) fn stream(
        &mut self,
        batch_size: usize,
        range: Option<std::ops::Range<usize>>,
        consume: &mut dyn FnMut(Batch) -> Result<(), EvalError>,
    ) -> Result<(), EvalError> {
        let mut batch = Vec::with_capacity(batch_size);
        let files = match range {
            Some(range) => self.files.get(range).unwrap_or_default(),
            None => &self.files,
        };
        for (class, relative) in files {
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
///
/// Symbolic links are not followed into folders (so a link loop cannot make the walk endless),
/// and a link whose target lies outside `inside` (the canonical dataset root) is refused.
fn read_dir_sorted(dir: &Path, inside: &Path) -> Result<Vec<(String, bool)>, EvalError> {
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| EvalError::io(dir, e))? {
        let entry = entry.map_err(|e| EvalError::io(dir, e))?;
        let kind = entry
            .file_type()
            .map_err(|e| EvalError::io(entry.path(), e))?;
        if kind.is_symlink() {
            let path = entry.path();
            let target = std::fs::canonicalize(&path).map_err(|e| EvalError::io(&path, e))?;
            if !target.starts_with(inside) {
                return Err(EvalError::dataset(
                    &path,
                    "a symbolic link out of the dataset folder is not read",
                ));
            }
        }
        let is_dir = kind.is_dir();
        if let Ok(name) = entry.file_name().into_string() {
            entries.push((name, is_dir));
        }
    }
    entries.sort();
    Ok(entries)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn link_loops_are_not_walked_and_links_out_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ds = dir.path().join("ds");
        std::fs::create_dir_all(ds.join("0")).expect("mkdir");
        image::RgbImage::new(2, 2)
            .save(ds.join("0/a.png"))
            .expect("png");
        std::os::unix::fs::symlink("..", ds.join("0/up")).expect("symlink");
        let folder = ImageFolder::open(&ds, &DatasetOptions::default()).expect("opens");
        assert_eq!(folder.len(), 1);

        std::fs::write(dir.path().join("secret.png"), b"outside").expect("write");
        std::os::unix::fs::symlink("../../secret.png", ds.join("0/b.png")).expect("symlink");
        let err = ImageFolder::open(&ds, &DatasetOptions::default()).expect_err("link out");
        assert!(err.to_string().contains("symbolic link out of"), "{err}");
    }
}
