//! A test helper: renders a report's Markdown as GitHub does (CommonMark + GFM tables,
//! strikethrough, autolinks, raw HTML) and checks that text from users' data came through
//! literally and inert.
//!
//! Only built with the `check` feature, which the binaries enable for their tests; the
//! renderer is comrak, a CommonMark + GFM implementation.
//!
//! For every piece of hostile data (class names, file names, paths) given, [`problems`] checks
//! that:
//! - it appears literally in the rendered text (line breaks may become spaces; a zero-width
//!   space after `@` is allowed), so nothing was eaten as markup and no escape shows;
//! - the rendered HTML has no tag, event handler or `javascript:` link that the report itself
//!   did not write, and no live `@mention` outside code;
//! - no backslash escape shows anywhere in the rendered text.

use comrak::{Options, markdown_to_html};

/// Hostile names for tests: table breakers, backticks, HTML, links, mentions, Markdown
/// emphasis and underscores, and a line break.
pub const HOSTILE: [&str; 8] = [
    "a|b",
    "tick`s",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "@everyone",
    "snake_case_*name*",
    "line1\nline2",
    "~~gone~~ #1 & <b>",
];

/// Tags a modelci report writes itself; any other tag in the HTML came from data.
const ALLOWED_TAGS: [&str; 27] = [
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "strong",
    "em",
    "code",
    "pre",
    "details",
    "summary",
    "br",
    "sub",
    "sup",
    "img",
    "a",
    "ul",
    "ol",
    "li",
    "hr",
    "blockquote",
];

/// The HTML GitHub-flavoured Markdown gives for `md` (raw HTML kept, as GitHub keeps most).
pub fn render_html(md: &str) -> String {
    let mut options = Options::default();
    options.extension.table = true;
    options.extension.strikethrough = true;
    options.extension.autolink = true;
    options.extension.front_matter_delimiter = Some("---".to_string());
    options.render.r#unsafe = true;
    markdown_to_html(md, &options)
}

/// Everything wrong with how `md` renders `data`; empty when all is well.
pub fn problems(md: &str, data: &[&str]) -> Vec<String> {
    let html = render_html(md);
    let mut found = Vec::new();
    let text = visible_text(&html);
    for d in data {
        let want = one_line(d);
        if !text.contains(&want) {
            found.push(format!("{d:?} does not appear literally (as {want:?})"));
        }
    }
    for tag in tags(&html) {
        let name = tag
            .trim_start_matches('/')
            .split(|c: char| c.is_whitespace() || c == '/' || c == '>')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        if !ALLOWED_TAGS.contains(&name.as_str()) {
            found.push(format!("injected tag <{tag}>"));
        }
        let lower = tag.to_ascii_lowercase();
        let handler = |a: &str| {
            a.strip_prefix("on").is_some_and(|rest| {
                rest.split_once('=').is_some_and(|(event, _)| {
                    !event.is_empty() && event.chars().all(|c| c.is_ascii_alphabetic())
                })
            })
        };
        if lower.split_whitespace().any(handler) {
            found.push(format!("event handler in <{tag}>"));
        }
        if lower.contains("javascript:") {
            found.push(format!("javascript: link in <{tag}>"));
        }
    }
    let outside_code = strip_between(&html, "<code", "</code>");
    let mut rest = outside_code.as_str();
    while let Some(at) = rest.find('@') {
        let after = &rest[at + 1..];
        if after.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            let word: String = after.chars().take(20).collect();
            found.push(format!("live mention @{word}"));
        }
        rest = after;
    }
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek().is_some_and(char::is_ascii_punctuation) {
            let around: String = chars.clone().take(20).collect();
            found.push(format!("a backslash escape shows: \\{around}"));
        }
    }
    found
}

/// `s` as a report line shows it: line breaks and tabs as spaces, controls dropped.
fn one_line(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            '\n' | '\r' | '\t' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

/// The opening and closing tags of `html`, without their angle brackets.
fn tags(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('>') else { break };
        out.push(after[..end].to_string());
        rest = &after[end + 1..];
    }
    out
}

/// `html` without what lies between each `open` and the next `close`.
fn strip_between(html: &str, open: &str, close: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(start) = rest.find(open) {
        out.push_str(&rest[..start]);
        match rest[start..].find(close) {
            Some(end) => rest = &rest[start + end + close.len()..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// The text a reader sees: tags removed, entities decoded, zero-width spaces dropped, runs of
/// white space as one space.
fn visible_text(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let decoded = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
        .replace('\u{200B}', "");
    let mut out = String::new();
    for word in decoded.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::escape::{code_span, escape_markdown};

    #[test]
    fn raw_data_is_caught() {
        // A lone backtick is literal anyway, and a raw line break only adds a table row.
        for d in HOSTILE.iter().filter(|d| !d.contains(['`', '\n'])) {
            let raw = format!("| class |\n|---|\n| {d} |\n");
            assert!(!problems(&raw, &[d]).is_empty(), "raw {d:?} passed");
        }
        assert!(
            !problems("`a\\_b`", &["a_b"]).is_empty(),
            "escape in a code span"
        );
    }

    #[test]
    fn escaped_data_passes_in_cells_prose_and_code() {
        for d in HOSTILE {
            let md = format!(
                "| class | file |\n|---|---|\n| {} | {} |\n\nIn prose: {}.\n",
                escape_markdown(d),
                code_span(d),
                escape_markdown(d)
            );
            assert_eq!(problems(&md, &[d]), Vec::<String>::new(), "{md}");
        }
    }
}
