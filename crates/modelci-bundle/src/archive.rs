//! The deterministic zip writer: sorted entries, the zip epoch (1980-01-01 00:00) as every
//! timestamp, Unix permissions `0644`, Deflate at level 6, no extra fields. Written to a
//! temporary file in the target folder and renamed, so a crash never leaves half a bundle.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::BundleError;

/// What goes into one entry.
#[derive(Debug)]
pub(crate) enum Content {
    /// Bytes in memory.
    Bytes(Vec<u8>),
    /// A file, streamed.
    File(PathBuf),
}

/// Writes `entries` (sorted here by name) as a zip at `path`, atomically.
pub(crate) fn write(path: &Path, mut entries: Vec<(String, Content)>) -> Result<(), BundleError> {
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let dir = path.parent().unwrap_or(Path::new("."));
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{file_name}.tmp-{}", std::process::id()));
    let zip_err = |e: zip::result::ZipError| BundleError::Zip {
        path: path.to_owned(),
        message: e.to_string(),
    };
    let result = (|| {
        let file = std::fs::File::create(&tmp)
            .map_err(|e| BundleError::io(&tmp, "cannot create the bundle", e))?;
        let mut zip = ZipWriter::new(std::io::BufWriter::new(file));
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(6))
            .last_modified_time(DateTime::default())
            .unix_permissions(0o644)
            .system(zip::System::Unix)
            .large_file(false);
        for (name, content) in &entries {
            zip.start_file(name.as_str(), options).map_err(zip_err)?;
            match content {
                Content::Bytes(bytes) => zip
                    .write_all(bytes)
                    .map_err(|e| BundleError::io(path, "cannot write the bundle", e))?,
                Content::File(src) => {
                    let mut f = std::fs::File::open(src)
                        .map_err(|e| BundleError::io(src, "cannot read", e))?;
                    std::io::copy(&mut f, &mut zip)
                        .map_err(|e| BundleError::io(src, "cannot copy into the bundle", e))?;
                }
            }
        }
        let mut inner = zip.finish().map_err(zip_err)?;
        inner
            .flush()
            .map_err(|e| BundleError::io(path, "cannot write the bundle", e))?;
        let file = inner
            .into_inner()
            .map_err(|e| BundleError::io(path, "cannot write the bundle", e.into_error()))?;
        file.sync_all()
            .map_err(|e| BundleError::io(path, "cannot write the bundle", e))?;
        std::fs::rename(&tmp, path).map_err(|e| BundleError::io(path, "cannot move into place", e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
