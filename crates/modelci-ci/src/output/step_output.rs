//! GitHub Actions step outputs: `name=value` lines appended to the file at `GITHUB_OUTPUT`.
//!
//! A value with a line break needs the heredoc form (`name<<DELIM`, lines, `DELIM`). The
//! delimiter is random and checked against the value, so a value cannot end the heredoc early
//! and inject outputs of its own.

use std::path::Path;

use super::OutputError;
use super::atomic::append;

/// Formats one output, newline-terminated.
///
/// # Errors
///
/// [`OutputError::InvalidKey`] when `name` is empty or contains `=`, `<<` or a line break.
pub fn format_output(name: &str, value: &str) -> Result<String, OutputError> {
    format_output_with(name, value, &mut || {
        format!(
            "ghadelimiter_{:016x}{:016x}",
            fastrand::u64(..),
            fastrand::u64(..)
        )
    })
}

/// Appends `outputs` (name, value) to the output file at `path`. Nothing is written unless every
/// output is valid.
///
/// # Errors
///
/// [`OutputError::InvalidKey`] for a bad name, [`OutputError::Io`] when the write fails.
pub fn append_outputs(path: &Path, outputs: &[(&str, &str)]) -> Result<(), OutputError> {
    let mut text = String::new();
    for (name, value) in outputs {
        text.push_str(&format_output(name, value)?);
    }
    append(path, &text)
}

fn format_output_with(
    name: &str,
    value: &str,
    delimiter: &mut dyn FnMut() -> String,
) -> Result<String, OutputError> {
    let reason = if name.is_empty() {
        Some("an output name cannot be empty")
    } else if name.contains(['\n', '\r']) {
        Some("an output name cannot contain a line break")
    } else if name.contains('=') || name.contains("<<") {
        Some("an output name cannot contain `=` or `<<`")
    } else {
        None
    };
    if let Some(reason) = reason {
        return Err(OutputError::InvalidKey {
            key: name.escape_debug().to_string(),
            reason,
        });
    }
    if !value.contains(['\n', '\r']) {
        return Ok(format!("{name}={value}\n"));
    }
    let mut delim = delimiter();
    while value.contains(&delim) {
        delim = delimiter();
    }
    Ok(format!("{name}<<{delim}\n{value}\n{delim}\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_line() {
        assert_eq!(
            format_output("passed", "true").ok().as_deref(),
            Some("passed=true\n")
        );
        assert_eq!(format_output("eq", "a=b").ok().as_deref(), Some("eq=a=b\n"));
    }

    #[test]
    fn multi_line_uses_a_fresh_delimiter_not_in_the_value() {
        let mut n = 0;
        let mut next = || {
            n += 1;
            format!("D{n}")
        };
        let out = format_output_with("report", "x\nD1\ny", &mut next).expect("ok");
        assert_eq!(out, "report<<D2\nx\nD1\ny\nD2\n");
    }

    #[test]
    fn random_delimiter_shape() {
        let out = format_output("r", "a\nb").expect("ok");
        let first = out.lines().next().unwrap_or_default();
        assert!(first.starts_with("r<<ghadelimiter_"), "{first}");
        assert_eq!(first.len(), "r<<ghadelimiter_".len() + 32);
        assert!(out.ends_with(&format!("{}\n", &first[3..])));
    }

    #[test]
    fn bad_names() {
        for bad in ["", "a=b", "a\nb", "a<<b"] {
            let err = format_output(bad, "v").expect_err(bad);
            assert!(matches!(err, OutputError::InvalidKey { .. }));
        }
    }

    #[test]
    fn append_is_all_or_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out");
        append_outputs(&path, &[("a", "1"), ("b=", "2")]).expect_err("bad");
        assert!(!path.exists());
        append_outputs(&path, &[("a", "1"), ("b", "2")]).expect("ok");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "a=1\nb=2\n");
    }
}
