//! A JUnit XML report with one test case per gate, for GitLab's test report widget (and any
//! CI that reads JUnit).
//!
//! Gate names come from users (`accuracy >= 0.9 & "top-1"`), so every name and message is
//! XML-escaped, and characters XML 1.0 cannot hold at all (most control characters) are dropped.

use std::fmt::Write as _;
use std::path::Path;

use super::atomic::write_atomic;
use super::{GateOutcome, OutputError};

/// The JUnit XML document for `gates`, all in one suite named `suite`.
#[must_use]
pub fn junit_xml(suite: &str, gates: &[GateOutcome]) -> String {
    let failures = gates.iter().filter(|g| !g.passed).count();
    let tests = gates.len();
    let suite_attr = escape(suite, true);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    // `write!` to a String cannot fail.
    let _ = writeln!(
        out,
        "<testsuites name=\"{suite_attr}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">"
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"{suite_attr}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">"
    );
    for gate in gates {
        let _ = writeln!(
            out,
            "    <testcase classname=\"{suite_attr}\" name=\"{}\">",
            escape(&gate.name, true)
        );
        if !gate.passed {
            let _ = writeln!(
                out,
                "      <failure type=\"gate\" message=\"{}\">{}</failure>",
                escape(first_line(&gate.message), true),
                escape(&failure_text(gate), false)
            );
        }
        let _ = writeln!(
            out,
            "      <system-out>{}</system-out>",
            escape(
                &format!("measured: {}\n{}", gate.measured, gate.message),
                false
            )
        );
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// Writes [`junit_xml`] to `path` atomically.
///
/// # Errors
///
/// [`OutputError::Io`] when the file cannot be written.
pub fn write_junit(path: &Path, suite: &str, gates: &[GateOutcome]) -> Result<(), OutputError> {
    write_atomic(path, junit_xml(suite, gates).as_bytes())
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or_default()
}

fn failure_text(gate: &GateOutcome) -> String {
    format!("{}\nmeasured: {}", gate.message, gate.measured)
}

/// Escapes text for XML content (`attr == false`) or a double-quoted attribute value. In
/// attributes, line breaks and tabs become character references so parsers keep them.
fn escape(s: &str, attr: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attr => out.push_str("&quot;"),
            '\'' if attr => out.push_str("&apos;"),
            '\n' if attr => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' if attr => out.push_str("&#9;"),
            '\t' | '\n' => out.push(c),
            c if is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
    out
}

/// Whether XML 1.0 allows `c` in a document (tab, line feed and carriage return are handled
/// before this is asked).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape("<&>\"'", true), "&lt;&amp;&gt;&quot;&apos;");
        assert_eq!(escape("<&>\"'", false), "&lt;&amp;&gt;\"'");
        assert_eq!(escape("a\nb\tc", true), "a&#10;b&#9;c");
        assert_eq!(escape("a\u{0}b\u{1b}c\u{FFFF}", false), "abc");
    }

    #[test]
    fn empty_suite() {
        let xml = junit_xml("modelci", &[]);
        assert!(xml.contains("tests=\"0\" failures=\"0\""));
    }
}
