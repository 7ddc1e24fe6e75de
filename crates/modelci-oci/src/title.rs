//! Layer titles become file names on pull: only plain names are allowed (no zip-slip).

use std::collections::BTreeSet;

use crate::error::OciError;

/// Why `title` is not a safe plain file name, or `None` when it is.
pub(crate) fn unsafe_reason(title: &str) -> Option<&'static str> {
    if title.is_empty() {
        Some("the title is empty")
    } else if title == "." || title == ".." || title.split(['/', '\\']).any(|p| p == "..") {
        Some("it refers to a parent or current directory")
    } else if title.starts_with('/') || title.starts_with('\\') {
        Some("it is an absolute path")
    } else if title.contains('/') || title.contains('\\') {
        Some("it contains a path separator")
    } else if title.contains(':') {
        Some("it contains ':' (a drive or stream name on Windows)")
    } else if title.chars().any(char::is_control) {
        Some("it contains control characters")
    } else {
        None
    }
}

/// Checks every title of an artifact: safe and unique.
pub(crate) fn check_titles<'a>(
    reference: &str,
    titles: impl IntoIterator<Item = &'a str>,
) -> Result<(), OciError> {
    let mut seen = BTreeSet::new();
    for title in titles {
        if let Some(reason) = unsafe_reason(title) {
            return Err(OciError::UnsafeTitle {
                reference: reference.to_owned(),
                title: title.to_owned(),
                reason,
            });
        }
        if !seen.insert(title) {
            return Err(OciError::DuplicateTitle {
                reference: reference.to_owned(),
                title: title.to_owned(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_traversal_absolute_and_separators() {
        for bad in [
            "",
            ".",
            "..",
            "../x",
            "a/../b",
            "/etc/passwd",
            "\\x",
            "a/b",
            "a\\b",
            "C:x",
            "a\nb",
        ] {
            assert!(unsafe_reason(bad).is_some(), "{bad:?}");
        }
        for ok in [
            "model.onnx",
            "manifest.json",
            "..hidden",
            "a..b",
            "README.md",
            "x y.bin",
        ] {
            assert_eq!(unsafe_reason(ok), None, "{ok:?}");
        }
    }

    #[test]
    fn refuses_duplicates() {
        let err = check_titles("r", ["a", "b", "a"])
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("two layers of r are titled \"a\""), "{err}");
    }
}
