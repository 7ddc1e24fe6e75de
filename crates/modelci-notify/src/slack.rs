//! Slack mrkdwn helpers for Block Kit messages. User text goes through [`escape`]: Slack's mrkdwn
//! treats `&`, `<` and `>` as control characters
//! (<https://api.slack.com/reference/surfaces/formatting#escaping>).

/// Escapes Slack mrkdwn control characters.
#[must_use]
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A link `<url|label>`; a URL with `|` or `>` in it would break out, so those are escaped too.
#[must_use]
pub fn link(url: &str, label: &str) -> String {
    let url = escape(url).replace('|', "%7C");
    format!("<{url}|{}>", escape(label))
}

/// `text` cut to at most `max` characters (header blocks take plain text of at most 150).
#[must_use]
pub fn plain(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        format!(
            "{}…",
            text.chars().take(max.saturating_sub(1)).collect::<String>()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_control_characters_and_links() {
        assert_eq!(escape("a<b>&c"), "a&lt;b&gt;&amp;c");
        assert_eq!(
            link("https://x/a|b>c", "L<1>"),
            "<https://x/a%7Cb&gt;c|L&lt;1&gt;>"
        );
        assert_eq!(plain("abcdef", 4), "abc…");
        assert_eq!(plain("abc", 4), "abc");
    }
}
