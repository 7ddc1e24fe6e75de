//! External tensor data: tensors whose bytes live in a file next to the model.
//!
//! Exporters write large weights to a side file and keep `location`, `offset` and `length` in
//! the tensor. A location is trusted only when it stays inside the model's folder: absolute
//! paths, `..` components and symbolic links that lead outside are refused, so a model cannot
//! make modelci read arbitrary files. Loaded data is moved into `raw_data`, so a model written
//! back is self-contained.

use std::io::{Read as _, Seek as _, SeekFrom};
use std::path::{Component, Path, PathBuf};

use crate::error::OnnxError;
use crate::proto::{ModelProto, TensorProto, tensor_proto::DataLocation};

/// Loads the external data of every initializer of the main graph into `raw_data`; returns how
/// many tensors were loaded. `model_path` is the model file; locations resolve in its folder.
///
/// # Errors
/// [`OnnxError::ExternalData`] naming the tensor when a location is absolute, escapes the
/// folder, does not exist, or the offset/length do not fit the file.
pub fn load(model: &mut ModelProto, model_path: &Path) -> Result<usize, OnnxError> {
    let Some(graph) = model.graph.as_mut() else {
        return Ok(0);
    };
    let folder = model_path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut loaded = 0;
    for tensor in &mut graph.initializer {
        if tensor.data_location() == DataLocation::External {
            load_tensor(tensor, folder, model_path)?;
            loaded += 1;
        }
    }
    Ok(loaded)
}

fn load_tensor(
    tensor: &mut TensorProto,
    folder: &Path,
    model_path: &Path,
) -> Result<(), OnnxError> {
    let name = tensor.name().to_owned();
    let refuse = |reason: String| OnnxError::ExternalData {
        path: model_path.to_owned(),
        tensor: name.clone(),
        reason,
    };
    let mut location = None;
    let mut offset = 0u64;
    let mut length = None;
    for entry in &tensor.external_data {
        let value = entry.value();
        match entry.key() {
            "location" => location = Some(value.to_owned()),
            "offset" => {
                offset = value
                    .parse()
                    .map_err(|_| refuse(format!("offset `{value}` is not a number")))?;
            }
            "length" => {
                length = Some(
                    value
                        .parse::<u64>()
                        .map_err(|_| refuse(format!("length `{value}` is not a number")))?,
                );
            }
            _ => {}
        }
    }
    let location = location.ok_or_else(|| refuse("no `location` entry".into()))?;
    let file = resolve_inside(folder, &location).map_err(refuse)?;
    let mut handle =
        std::fs::File::open(&file).map_err(|e| refuse(format!("cannot open `{location}`: {e}")))?;
    let size = handle
        .metadata()
        .map_err(|e| refuse(format!("cannot read `{location}`: {e}")))?
        .len();
    let length = length.unwrap_or(size.saturating_sub(offset));
    if offset.checked_add(length).is_none_or(|end| end > size) {
        return Err(refuse(format!(
            "offset {offset} + length {length} is past the end of `{location}` ({size} bytes)"
        )));
    }
    let mut data = vec![0u8; usize::try_from(length).map_err(|_| refuse("too large".into()))?];
    handle
        .seek(SeekFrom::Start(offset))
        .and_then(|_| handle.read_exact(&mut data))
        .map_err(|e| refuse(format!("cannot read `{location}`: {e}")))?;
    tensor.raw_data = Some(data);
    tensor.external_data.clear();
    tensor.data_location = Some(DataLocation::Default as i32);
    Ok(())
}

/// `location` joined to `folder`, refused unless it is a plain relative path that stays inside
/// the folder (after following symbolic links).
fn resolve_inside(folder: &Path, location: &str) -> Result<PathBuf, String> {
    let relative = Path::new(location);
    if location.is_empty() {
        return Err("empty location".into());
    }
    for component in relative.components() {
        match component {
            Component::Normal(_) | Component::CurDir => {}
            Component::ParentDir => {
                return Err(format!(
                    "location `{location}` uses `..`; external data must stay inside the model's folder"
                ));
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(format!(
                    "location `{location}` is absolute; external data must stay inside the model's folder"
                ));
            }
        }
    }
    let root = folder
        .canonicalize()
        .map_err(|e| format!("cannot resolve the model's folder: {e}"))?;
    let target = root
        .join(relative)
        .canonicalize()
        .map_err(|e| format!("`{location}` not found next to the model: {e}"))?;
    if !target.starts_with(&root) {
        return Err(format!(
            "location `{location}` leads outside the model's folder (symbolic link)"
        ));
    }
    Ok(target)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::resolve_inside;

    #[test]
    fn refuses_parent_and_absolute_paths() {
        let dir = tempfile::tempdir().unwrap();
        assert!(
            resolve_inside(dir.path(), "../x.bin")
                .unwrap_err()
                .contains("`..`")
        );
        assert!(
            resolve_inside(dir.path(), "/etc/passwd")
                .unwrap_err()
                .contains("absolute")
        );
        std::fs::write(dir.path().join("w.bin"), b"1234").unwrap();
        assert!(resolve_inside(dir.path(), "w.bin").is_ok());
        assert!(
            resolve_inside(dir.path(), "missing.bin")
                .unwrap_err()
                .contains("not found")
        );
    }
}
