//! SHA-256 as lower-case hex, the form `sha256sum`, GitHub's asset `digest` and OCI use.

use std::io::Read;
use std::path::Path;

use sha2::{Digest as _, Sha256};

use crate::BundleError;

/// The SHA-256 of `bytes`, lower-case hex.
#[must_use]
pub fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// The SHA-256 and size of a file, read in chunks.
///
/// # Errors
/// [`BundleError::Io`] when the file cannot be read.
pub fn sha256_file(path: &Path) -> Result<(String, u64), BundleError> {
    let mut file =
        std::fs::File::open(path).map_err(|e| BundleError::io(path, "cannot open", e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| BundleError::io(path, "cannot read", e))?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok((format!("{:x}", hasher.finalize()), size))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_value() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
