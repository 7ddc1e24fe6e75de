//! GitHub Actions workflow commands (`::name key=value::data`) and their escaping.
//!
//! The runner parses these lines from stdout, so a `%`, line break, `:` or `,` in user data could
//! end a property early or smuggle in another command. The escaping matches what the runner
//! unescapes (the `@actions/core` toolkit does the same): data escapes `%`, `\r`, `\n`;
//! property values also escape `:` and `,`.

use crate::secret::Secret;

/// Escapes the data part of a workflow command (after the final `::`).
#[must_use]
pub fn escape_data(data: &str) -> String {
    let mut out = String::with_capacity(data.len());
    for c in data.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a property value of a workflow command (`title=...`, `file=...`).
#[must_use]
pub fn escape_property(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' => out.push_str("%3A"),
            ',' => out.push_str("%2C"),
            c => out.push(c),
        }
    }
    out
}

/// The `::add-mask::` line(s) that make the runner hide `secret` in all later log output.
///
/// The caller prints the result to stdout before anything could echo the secret. A multi-line
/// value gets one command per line, because the runner masks line by line. The result ends with
/// a newline; it is empty for an empty secret.
#[must_use]
pub fn add_mask_command(secret: &Secret) -> String {
    secret
        .expose()
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| format!("::add-mask::{}\n", escape_data(line)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_escaping() {
        assert_eq!(
            escape_data("100% done\r\nnext: a,b"),
            "100%25 done%0D%0Anext: a,b"
        );
    }

    #[test]
    fn property_escaping() {
        assert_eq!(escape_property("a:b,c%d\ne"), "a%3Ab%2Cc%25d%0Ae");
    }

    #[test]
    fn add_mask() {
        assert_eq!(
            add_mask_command(&Secret::new("ghp_abc")),
            "::add-mask::ghp_abc\n"
        );
        assert_eq!(
            add_mask_command(&Secret::new("line1\nline2\n")),
            "::add-mask::line1\n::add-mask::line2\n"
        );
        assert_eq!(add_mask_command(&Secret::new("")), "");
    }
}
