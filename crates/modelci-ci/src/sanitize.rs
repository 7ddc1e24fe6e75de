//! One sanitiser for everything modelci prints that comes from data (see `docs/limits.md`).
//!
//! File names, class folders, model names, flag values and servers' answers can hold newlines
//! and control characters. Printed raw, a newline starts a new log line, and a line that starts
//! with `::` is a GitHub Actions workflow command (`::error title=INJECTED::pwned`); escape
//! sequences can rewrite a terminal. [`sanitize`] shows every control character escaped (`\n`,
//! `\r`, `\t`, `\u{1b}`), along with Unicode line and paragraph separators and bidirectional
//! overrides, and cuts text longer than [`MAX_LINE_CHARS`] with `…`, so one message is always
//! one bounded line. `modelci_cli::sanitize` re-exports it for the binaries.

/// The most characters one printed message may have before it is cut with `…`.
pub const MAX_LINE_CHARS: usize = 2_000;

/// `text` as one inert line: control characters (and Unicode separators, bidi overrides)
/// escaped, cut to [`MAX_LINE_CHARS`] characters with `…`.
#[must_use]
pub fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_LINE_CHARS + 16));
    for (shown, c) in text.chars().enumerate() {
        if shown >= MAX_LINE_CHARS {
            out.push('…');
            break;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || is_invisible_break(c) => {
                out.extend(c.escape_unicode());
            }
            c => out.push(c),
        }
    }
    out
}

/// Line and paragraph separators and the bidirectional controls that reorder what a reader
/// sees (the "Trojan Source" characters).
fn is_invisible_break(c: char) -> bool {
    matches!(
        c,
        '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newlines_cannot_start_a_workflow_command() {
        // Issue 14 #8: a file named `x\n::error title=INJECTED::pwned\n.png` was echoed raw.
        let shown = sanitize("cannot decode x\n::error title=INJECTED::pwned\n.png");
        assert_eq!(
            shown,
            "cannot decode x\\n::error title=INJECTED::pwned\\n.png"
        );
        assert!(!shown.contains('\n'));
        assert_eq!(sanitize("a\r\tb\u{1b}[31m"), "a\\r\\tb\\u{1b}[31m");
        assert_eq!(sanitize("x\u{2028}y\u{202E}z"), "x\\u{2028}y\\u{202e}z");
        assert_eq!(sanitize("naïve 猫"), "naïve 猫");
    }

    #[test]
    fn long_text_is_cut_with_an_ellipsis() {
        let shown = sanitize(&"h".repeat(1_000_000));
        assert_eq!(shown.chars().count(), MAX_LINE_CHARS + 1);
        assert!(shown.ends_with('…'));
    }
}
