//! The one percent-encoder of URL parts (GitLab's `group%2Fproject` ids, query values, webhook
//! paths), on the `percent-encoding` crate (issue 13): everything but RFC 3986's unreserved
//! characters is escaped.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// RFC 3986 section 2.3: letters, digits, `-`, `.`, `_` and `~` stay as they are.
const NOT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `text` as one URL path segment or query value (`group/project` → `group%2Fproject`).
#[must_use]
pub fn encode(text: &str) -> String {
    utf8_percent_encode(text, NOT_UNRESERVED).to_string()
}

/// `%XX` escapes decoded (invalid ones kept as they are; invalid UTF-8 replaced).
#[must_use]
pub fn decode(text: &str) -> String {
    percent_decode_str(text).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_all_but_unreserved() {
        assert_eq!(encode("group/sub/project"), "group%2Fsub%2Fproject");
        assert_eq!(encode("42"), "42");
        assert_eq!(encode("a b&c=d~e.f_g-h"), "a%20b%26c%3Dd~e.f_g-h");
        assert_eq!(encode("é"), "%C3%A9");
    }

    #[test]
    fn decodes_and_keeps_broken_escapes() {
        assert_eq!(decode("group%2Fproject"), "group/project");
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz%41"), "%zzA");
        assert_eq!(decode(&encode("x/y?z")), "x/y?z");
    }
}
