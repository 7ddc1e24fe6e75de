//! Names and versions a bundle accepts: they end up in file names, tags, package registry paths
//! and OCI tags, so both are checked before anything is built.

use crate::BundleError;

/// Parses a semantic version (`1.2.0`, `1.2.0-rc.1`, `1.2.0+build.5`); a leading `v` is refused
/// so that tags (`v1.2.0`) and versions are never confused.
///
/// # Errors
/// [`BundleError::Version`] naming the version and the problem.
pub fn parse_version(text: &str) -> Result<semver::Version, BundleError> {
    semver::Version::parse(text).map_err(|e| BundleError::Version {
        version: text.to_owned(),
        reason: if text.starts_with(['v', 'V']) {
            "drop the leading `v` (the tag gets it)".to_owned()
        } else {
            e.to_string()
        },
    })
}

/// Checks a bundle name: ASCII letters, digits, `.`, `-`, `_`, starting with a letter or digit,
/// at most 100 characters (GitLab's generic package name rule, and safe in every file system).
///
/// # Errors
/// [`BundleError::Name`].
pub fn check_name(name: &str) -> Result<(), BundleError> {
    let ok = !name.is_empty()
        && name.len() <= 100
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if ok {
        Ok(())
    } else {
        Err(BundleError::Name {
            name: name.to_owned(),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(parse_version("1.2.3").unwrap().to_string(), "1.2.3");
        assert!(parse_version("1.2.3-rc.1+b5").is_ok());
        for bad in ["1.2", "v1.2.3", "latest", "1.2.3.4", "01.2.3", ""] {
            assert!(parse_version(bad).is_err(), "{bad}");
        }
        let e = parse_version("v1.0.0").unwrap_err().to_string();
        assert!(e.contains("leading `v`"), "{e}");
    }

    #[test]
    fn names() {
        assert!(check_name("digits-cnn_v2.1").is_ok());
        for bad in ["", "-x", "a/b", "a b", "../x", "ü"] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }
}
