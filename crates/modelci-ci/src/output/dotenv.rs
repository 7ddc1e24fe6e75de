//! A dotenv file for GitLab's `artifacts:reports:dotenv`, which passes variables to later jobs.
//!
//! GitLab's parser is stricter than the dotenv convention: names are ASCII letters, digits and
//! `_`; values are taken literally to the end of the line (quotes are kept, nothing is
//! unescaped) and cannot span lines. So we refuse what cannot round-trip instead of escaping it
//! into a different value. GitLab also caps the file size and the number of variables; those
//! limits depend on the instance and are not checked here.

use std::path::Path;

use super::OutputError;
use super::atomic::write_atomic;

/// The dotenv text for `vars` (name, value), one `NAME=value` line each.
///
/// # Errors
///
/// [`OutputError::InvalidKey`] for a name that is empty or not `[A-Za-z0-9_]`,
/// [`OutputError::MultilineValue`] for a value with a line break.
pub fn dotenv(vars: &[(&str, &str)]) -> Result<String, OutputError> {
    let mut out = String::new();
    for (name, value) in vars {
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(OutputError::InvalidKey {
                key: name.escape_debug().to_string(),
                reason: "dotenv variable names may contain only ASCII letters, digits and `_`",
            });
        }
        if value.contains(['\n', '\r']) {
            return Err(OutputError::MultilineValue {
                key: (*name).to_owned(),
            });
        }
        out.push_str(name);
        out.push('=');
        out.push_str(value);
        out.push('\n');
    }
    Ok(out)
}

/// Writes [`dotenv`] to `path` atomically; nothing is written if a variable is refused.
///
/// # Errors
///
/// As [`dotenv`], plus [`OutputError::Io`] when the file cannot be written.
pub fn write_dotenv(path: &Path, vars: &[(&str, &str)]) -> Result<(), OutputError> {
    write_atomic(path, dotenv(vars)?.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        assert_eq!(
            dotenv(&[("MODELCI_PASSED", "true"), ("URL", "https://x/?a=b")])
                .ok()
                .as_deref(),
            Some("MODELCI_PASSED=true\nURL=https://x/?a=b\n")
        );
    }

    #[test]
    fn refuses_newlines_and_bad_names() {
        let err = dotenv(&[("A", "x\ny")]).expect_err("multi-line");
        assert_eq!(
            err.to_string(),
            "the value of `A` contains a line break, which dotenv reports cannot hold"
        );
        for bad in ["", "A-B", "A B", "Ä"] {
            assert!(matches!(
                dotenv(&[(bad, "v")]),
                Err(OutputError::InvalidKey { .. })
            ));
        }
    }
}
