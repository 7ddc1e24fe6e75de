//! Making untrusted text safe to put into GitHub- and GitLab-flavoured Markdown.
//!
//! Class names, file names and metric names come from datasets and model files that a pull
//! request can change. Pasted raw into a report they could break a table (`a|b`), inject HTML
//! (`<img src=x onerror=...>`), format text, or ping people (`@team`). These functions turn
//! such text into inert, literal text; everything that reaches Markdown from user data goes
//! through one of them.

/// Escapes `text` for a Markdown table cell or a line of prose.
///
/// - `&`, `<` and `>` become HTML entities, so no tag or entity can form;
/// - Markdown punctuation (`\ ` * _ [ ] # ! ~ |` and a leading `-`, `+` or `=`) is
///   backslash-escaped, so it shows literally and `|` cannot split a table cell;
/// - line breaks and tabs become spaces and other control characters are dropped, so the text
///   stays on one line (a table row cannot end early);
/// - `@` is followed by a zero-width space, so `@someone` does not notify anyone.
pub fn escape_markdown(text: &str) -> String {
    escape_with(text, |c, out| match c {
        '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '!' | '~' | '|' => {
            out.push('\\');
            out.push(c);
            true
        }
        '-' | '+' | '=' if out.trim().is_empty() => {
            out.push('\\');
            out.push(c);
            true
        }
        _ => false,
    })
}

/// Renders `text` as an inline code span for a Markdown table cell.
///
/// Inside a code span HTML, links, emphasis and `@mentions` are already literal, and backslash
/// escapes do not apply (GitHub would show `\_` as is), so the text goes in unescaped. What is
/// left is what GFM handles before code spans: `|` splits a table cell even inside backticks,
/// so it becomes `\|` (which GFM shows as `|` in a cell); line breaks and tabs become spaces
/// and other control characters are dropped; the fence is one backtick longer than the longest
/// run of backticks in `text`, padded with spaces when `text` starts or ends with a backtick.
///
/// Outside a table, `\|` would show its backslash: use [`code_span_prose`] there.
pub fn code_span(text: &str) -> String {
    fenced_code(text, true)
}

/// Renders `text` as an inline code span in prose (not in a table cell): like [`code_span`]
/// but `|` stays as it is.
pub fn code_span_prose(text: &str) -> String {
    fenced_code(text, false)
}

fn fenced_code(text: &str, in_table: bool) -> String {
    let mut body = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        match c {
            '|' if in_table => body.push_str("\\|"),
            '\n' | '\r' | '\t' => body.push(' '),
            c if c.is_control() => {}
            c => body.push(c),
        }
    }
    let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if body.starts_with('`')
        || body.ends_with('`')
        || (body.trim().is_empty() && !body.is_empty())
    {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{body}{pad}{fence}")
}

/// Escapes `text` for HTML content or a quoted attribute, e.g. inside `<summary>`.
///
/// `& < > " '` become entities; line breaks become spaces and other control characters are
/// dropped. `@` is defused as in [`escape_markdown`].
pub fn escape_html(text: &str) -> String {
    escape_with(text, |c, out| {
        match c {
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => return false,
        }
        true
    })
}

/// What both escapes share: `& < >` as entities, `@` defused, line breaks and tabs as spaces,
/// other control characters dropped; `special` handles a character first (true when it did).
fn escape_with(text: &str, special: impl Fn(char, &mut String) -> bool) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for c in text.chars() {
        if special(c, &mut out) {
            continue;
        }
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '@' => out.push_str("@\u{200B}"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn html_injection_is_inert() {
        let out = escape_markdown("<img src=x onerror=alert(1)>");
        assert_eq!(out, "&lt;img src=x onerror=alert(1)&gt;");
        assert!(!out.contains('<') && !out.contains('>'));
        assert_eq!(escape_markdown("<script>&amp;"), "&lt;script&gt;&amp;amp;");
    }

    #[test]
    fn table_breakers_are_escaped() {
        assert_eq!(escape_markdown("a|b"), r"a\|b");
        assert_eq!(
            escape_markdown("line1\nline2\r\n|x|"),
            r"line1 line2  \|x\|"
        );
        assert_eq!(escape_markdown(r"a\|b"), r"a\\\|b");
    }

    #[test]
    fn formatting_is_literal() {
        assert_eq!(
            escape_markdown("*bold* _it_ `code`"),
            r"\*bold\* \_it\_ \`code\`"
        );
        assert_eq!(escape_markdown("[x](http://e)"), r"\[x\](http://e)");
        assert_eq!(escape_markdown("![i](u)"), r"\!\[i\](u)");
        assert_eq!(escape_markdown("# h ~~s~~"), r"\# h \~\~s\~\~");
        assert_eq!(escape_markdown("- item"), r"\- item");
        assert_eq!(escape_markdown("a-b+c=d"), "a-b+c=d");
    }

    #[test]
    fn mentions_and_controls() {
        assert_eq!(escape_markdown("@org/team"), "@\u{200B}org/team");
        assert_eq!(escape_markdown("a\u{0}b\u{1b}[31m"), r"ab\[31m");
        assert_eq!(escape_markdown("naïve 猫"), "naïve 猫");
    }

    #[test]
    fn code_spans_cannot_split_cells_or_close_early() {
        assert_eq!(code_span("conv1"), "`conv1`");
        assert_eq!(
            code_span("a|<img src=x onerror=alert(1)>"),
            r"`a\|<img src=x onerror=alert(1)>`"
        );
        assert_eq!(code_span("x`y"), "``x`y``");
        assert_eq!(code_span("`x"), "`` `x ``");
        assert_eq!(code_span("a\nb"), "`a b`");
        assert_eq!(code_span_prose("a|b_c"), "`a|b_c`");
    }

    #[test]
    fn html_escape() {
        assert_eq!(
            escape_html("<b>\"x\" & 'y'\n</b>"),
            "&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39; &lt;/b&gt;"
        );
        assert_eq!(
            escape_html("</summary><script>"),
            "&lt;/summary&gt;&lt;script&gt;"
        );
    }
}
